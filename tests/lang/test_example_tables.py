"""The example tables themselves are well formed (see test_examples.py for what they mean).

Checks every ``tradefacts/lang/data/*.examples.tsv`` strictly and reports every bad row
with its line number: header, column count, SPEC codes (indicator, parties, unit, bound,
status), number and period syntax, growth syntax, grouping of multi-fact texts, and size.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("tradefacts") is None:  # not installed: use the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

import tradefacts  # noqa: E402
from tradefacts.model import BOUNDS, INDICATORS, STATUSES, UNORDERED  # noqa: E402

DATA = Path(tradefacts.__file__).parent / "lang" / "data"
SUFFIX = ".examples.tsv"
LANGS = ("kk", "ru", "uz-Cyrl", "uz-Latn", "ky", "en")
MIN_ROWS = 40
HEADER = "text\tpublished\tindicator\tparties\tperiod\tvalue\tunit\tbound\tstatus\tgrowth\tproduct"
NCOLS = HEADER.count("\t") + 1
NO_FACT = "-"

UNITS = {"USD", "KZT", "UZS", "KGS", "CNY", "RUB", "EUR", "TRY", "t"}
#: SPEC party codes: blocs, regions, the world ...
BLOCS = {"OTS", "EAEU", "CIS", "SCO", "EU", "CA"}
REGIONS = {"CN-XJ"}
WORLD = {"WLD"}
#: ... and ISO 3166-1 alpha-3 codes of countries that trade news of the region names
# fmt: off
COUNTRIES = {
    "KAZ", "UZB", "KGZ", "TJK", "TKM", "CHN", "RUS", "TUR", "AZE", "AFG", "IRN", "MNG",
    "KOR", "PRK", "JPN", "IND", "PAK", "USA", "CAN", "DEU", "FRA", "ITA", "GBR", "ESP",
    "NLD", "BEL", "CHE", "AUT", "POL", "CZE", "SVK", "HUN", "ROU", "BGR", "GRC", "LTU",
    "LVA", "EST", "FIN", "SWE", "NOR", "DNK", "IRL", "PRT", "BLR", "UKR", "MDA", "GEO",
    "ARM", "ISR", "ARE", "SAU", "QAT", "KWT", "OMN", "BHR", "IRQ", "SYR", "JOR", "EGY",
    "IDN", "MYS", "SGP", "THA", "VNM", "PHL", "BGD", "LKA", "NPL", "AUS", "NZL", "BRA",
    "ARG", "MEX", "ZAF", "TWN", "HKG", "SRB", "HRV", "SVN", "LUX", "CYP", "MLT",
}
# fmt: on
CODES = COUNTRIES | BLOCS | REGIONS | WORLD

NUM = r"\d+(?:\.\d+)?"
SIGNED = r"-?" + NUM
DATE = r"\d{4}(?:-(?:0[1-9]|1[0-2]))?"
PERIOD_RE = re.compile(rf"^(?:{DATE}|{DATE}/{DATE}|\.\./{DATE}|{DATE}/\.\.)$")
VALUE_RE = re.compile(rf"^{NUM}(?:\.\.{NUM})?$")
GROWTH_RE = re.compile(rf"^(?:[<>~]?{SIGNED}|{SIGNED}\.\.{SIGNED})$")
PUBLISHED_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def tables() -> list[Path]:
    return sorted(DATA.glob("*" + SUFFIX))


def lang_of(path: Path) -> str:
    return path.name[: -len(SUFFIX)]


def _start(d: str) -> str:
    return d if len(d) == 7 else d + "-01"


def _end(d: str) -> str:
    return d if len(d) == 7 else d + "-12"


def check_period(period: str) -> str | None:
    """An error message, or None when ``period`` is valid EDTF as the SPEC uses it."""
    if period == NO_FACT:
        return None
    if not PERIOD_RE.match(period):
        return f"period {period!r} is not EDTF (2024, 2024-03, 2025-01/2025-08, ../2030, 2005/..)"
    if "/" in period and ".." not in period:
        a, b = period.split("/")
        if _start(a) > _start(b) or _end(a) >= _end(b):
            return f"period {period!r}: start must come before end"
    return None


def period_end(period: str) -> str | None:
    """The last month ``YYYY-MM`` a period covers, None when open-ended or null."""
    if period == NO_FACT or period.endswith(".."):
        return None
    return _end(period.split("/")[-1])


def check_row(cells: list[str]) -> list[str]:
    """Every problem of one data row (already split into NCOLS cells)."""
    text, published, indicator, parties, period, value, unit, bound, status, growth, product = cells
    errors: list[str] = []
    for name, cell in zip(HEADER.split("\t"), cells, strict=True):
        if cell != cell.strip():
            errors.append(f"{name}: leading/trailing whitespace")
    if not text.strip():
        errors.append("empty text")
    elif text.rstrip()[-1] not in ".!?…»\"”')":
        errors.append("text should be a whole sentence (end with punctuation)")

    if published:
        if not PUBLISHED_RE.match(published):
            errors.append(f"published {published!r} is not YYYY-MM-DD")
        else:
            try:
                dt.date.fromisoformat(published)
            except ValueError:
                errors.append(f"published {published!r} is not a date")

    if indicator == NO_FACT:
        rest = [parties, period, value, unit, bound, status, growth, product]
        if any(rest):
            errors.append("a no-fact row ('-') must leave every other fact column empty")
        return errors

    if indicator not in INDICATORS:
        errors.append(f"indicator {indicator!r} not in {INDICATORS}")

    codes = parties.split(",")
    if len(codes) != 2:
        errors.append(f"parties {parties!r}: need exactly two comma-separated codes")
    else:
        unknown = [c for c in codes if c not in CODES]
        if unknown:
            errors.append(f"parties {parties!r}: unknown code(s) {unknown}")
        if indicator in UNORDERED and codes != sorted(codes):
            errors.append(f"parties {parties!r}: {indicator} pairs are written sorted")
        if codes[0] == codes[1] and codes[0] not in BLOCS:
            errors.append(f"parties {parties!r}: only a bloc may trade with itself")

    if (msg := check_period(period)) is not None:
        errors.append(msg)

    if not VALUE_RE.match(value):
        errors.append(f"value {value!r}: base units, digits and '.' only (range: min..max)")
    else:
        nums = [float(v) for v in value.split("..")]
        if any(n <= 0 for n in nums):
            errors.append(f"value {value!r} must be positive")
        if (len(nums) == 2) != (bound == "range"):
            errors.append(f"value {value!r}: min..max goes with bound 'range' and only with it")
        if len(nums) == 2 and nums[0] >= nums[1]:
            errors.append(f"value {value!r}: min must be below max")

    if unit not in UNITS:
        errors.append(f"unit {unit!r} not in {sorted(UNITS)}")
    if indicator == "freight" and unit != "t":
        errors.append("freight is measured in tonnes (unit t)")
    if unit == "t" and indicator not in ("export", "import", "freight"):
        errors.append(f"unit t with indicator {indicator!r}")
    if unit == "t" and indicator in ("export", "import") and not product:
        errors.append("an export/import in tonnes names its product")

    if bound not in BOUNDS:
        errors.append(f"bound {bound!r} not in {BOUNDS}")
    if status not in STATUSES:
        errors.append(f"status {status!r} not in {STATUSES}")

    if growth:
        if not GROWTH_RE.match(growth):
            errors.append(f"growth {growth!r}: use 20.5, -12.9, >25, <5, ~10 or 18..19")
        elif ".." in growth:
            lo, hi = (float(g) for g in growth.split(".."))
            if lo >= hi:
                errors.append(f"growth {growth!r}: min must be below max")

    end = period_end(period)
    end_cell = period.split("/")[-1]
    too_late = end is not None and published and end > published[:7]
    # a year that is still running ("2025" on 2025-10-01) is fine; a later year or month is not
    if status == "actual" and too_late and (end[:4] > published[:4] or len(end_cell) == 7):
        errors.append(f"actual figure for {period} cannot be known on {published}")
    return errors


def check_table(path: Path) -> tuple[list[str], int]:
    """(every error as 'file:line: message', number of data rows)."""
    name = path.name
    raw = path.read_bytes()
    errors: list[str] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.append(f"{name}: starts with a BOM")
    if b"\r" in raw:
        errors.append(f"{name}: contains CR characters (use LF line ends)")
    if not raw.endswith(b"\n"):
        errors.append(f"{name}: no final newline")
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"{name}: not UTF-8 ({e})"], 0
    lines = content.lstrip("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != HEADER:
        errors.append(f"{name}:1: header must be exactly {HEADER!r}")
        return errors, 0

    rows = 0
    seen_keys: dict[tuple[str, str], int] = {}
    prev_key: tuple[str, str] | None = None
    group: list[tuple[int, list[str]]] = []

    def close_group() -> None:
        if not group:
            return
        first = group[0][0]
        if len(group) > 1 and any(cells[2] == NO_FACT for _, cells in group):
            errors.append(f"{name}:{first}: a no-fact row ('-') cannot share its text with facts")
        facts = [tuple(cells[2:10]) for _, cells in group]
        if len(set(facts)) != len(facts):
            errors.append(f"{name}:{first}: the same fact is listed twice for one text")

    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            errors.append(f"{name}:{n}: empty line")
            continue
        cells = line.split("\t")
        if len(cells) != NCOLS:
            errors.append(f"{name}:{n}: {len(cells)} columns, expected {NCOLS}")
            continue
        rows += 1
        errors.extend(f"{name}:{n}: {msg}" for msg in check_row(cells))
        key = (cells[0], cells[1])
        if key != prev_key:
            close_group()
            group = []
            if key in seen_keys:
                errors.append(
                    f"{name}:{n}: same text and published as line {seen_keys[key]}; "
                    "rows of one text must be consecutive"
                )
            seen_keys.setdefault(key, n)
        group.append((n, cells))
        prev_key = key
    close_group()
    return errors, rows


# ----------------------------------------------------------------------------- tests


def test_every_language_has_a_table() -> None:
    found = {lang_of(p) for p in tables()}
    missing = [lang for lang in LANGS if lang not in found]
    assert not missing, f"no example table for {missing} in {DATA}"


@pytest.mark.parametrize("path", tables(), ids=lang_of)
def test_table_is_well_formed(path: Path) -> None:
    errors, _ = check_table(path)
    assert not errors, f"{len(errors)} problem(s):\n" + "\n".join(errors)


@pytest.mark.parametrize("path", tables(), ids=lang_of)
def test_table_is_big_enough(path: Path) -> None:
    _, rows = check_table(path)
    assert rows >= MIN_ROWS, f"{path.name}: {rows} rows, want at least {MIN_ROWS}"


@pytest.mark.parametrize("path", tables(), ids=lang_of)
def test_table_has_negative_examples(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")[1:]
    negatives = [ln for ln in lines if ln.count("\t") == NCOLS - 1 and ln.split("\t")[2] == NO_FACT]
    assert negatives, f"{path.name}: no row with indicator '-' (a text that yields no fact)"


def test_checker_catches_bad_rows() -> None:
    """The checker itself rejects typical slips."""
    good = [
        "Text.",
        "2025-02-01",
        "turnover",
        "KAZ,UZB",
        "2024",
        "4400000000",
        "USD",
        "eq",
        "actual",
        "12.3",
        "",
    ]
    assert check_row(good) == []
    slips = {
        3: "UZB,KAZ",  # turnover not sorted
        4: "2024-13",  # no such month
        5: "4,4e9",  # not base units
        6: "usd",  # unknown unit
        7: "about",  # unknown bound
        9: "+12%",  # bad growth
    }
    for col, bad in slips.items():
        row = list(good)
        row[col] = bad
        assert check_row(row), f"column {col} = {bad!r} should be rejected"
    assert check_period("2025-08/2025-01") is not None
    assert check_period("../2030") is None and check_period("2005/..") is None
