"""The per-language example tables are the extractor's specification by example.

Every ``*.examples.tsv`` in ``tradefacts/lang/data/`` lists sentences with the facts
``extract()`` must return for them (one row per fact; a row with indicator ``-`` means
"no fact at all"). Rows sharing the same (text, published) form one case. A case passes
when the produced facts match the expected ones one to one on indicator, parties, period,
unit, status, bound, value (within 0.5 %, and value_max for ranges), growth and, loosely,
product. The table format is checked by ``test_example_tables.py``.

Case ids are ``<lang>-<line>``: the line number, in the TSV file, of the case's first row.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

if importlib.util.find_spec("tradefacts") is None:  # not installed: use the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

import tradefacts  # noqa: E402

DATA = Path(tradefacts.__file__).parent / "lang" / "data"
SUFFIX = ".examples.tsv"
COLUMNS = (
    "text",
    "published",
    "indicator",
    "parties",
    "period",
    "value",
    "unit",
    "bound",
    "status",
    "growth",
    "product",
)
REL_TOL = 0.005  # SPEC scoring: value within 0.5 % of gold
NO_FACT = "-"


@dataclass(frozen=True)
class Expected:
    """One expected fact, parsed from one table row."""

    line: int
    indicator: str
    parties: tuple[str, ...]
    period: str | None
    value: float
    value_max: float | None
    unit: str
    bound: str
    status: str
    growth: tuple[str, float, float | None] | None  # (bound, value, value_max)
    product: str

    def describe(self) -> str:
        value = _fmt(self.value) + (
            f"..{_fmt(self.value_max)}" if self.value_max is not None else ""
        )
        growth = "-" if self.growth is None else _growth_str(self.growth)
        return (
            f"line {self.line}: {self.indicator} {','.join(self.parties)} period={self.period} "
            f"value={value} {self.unit} bound={self.bound} status={self.status} "
            f"growth={growth} product={self.product or '-'}"
        )


@dataclass(frozen=True)
class Case:
    lang: str
    line: int
    text: str
    published: str
    expected: tuple[Expected, ...]  # empty: the text must yield no fact

    @property
    def id(self) -> str:
        return f"{self.lang}-{self.line}"


# --------------------------------------------------------------------------- loading


def _fmt(x: float | None) -> str:
    if x is None:
        return "None"
    return str(int(x)) if float(x).is_integer() else repr(x)


def _growth_str(g: tuple[str, float, float | None]) -> str:
    bound, value, value_max = g
    if bound == "range":
        return f"{_fmt(value)}..{_fmt(value_max)}"
    prefix = {"eq": "", "gt": ">", "lt": "<", "approx": "~"}.get(bound, bound + ":")
    return prefix + _fmt(value)


def parse_growth(cell: str) -> tuple[str, float, float | None] | None:
    """``20.5`` · ``-12.9`` · ``>25`` · ``<5`` · ``~10`` · ``18..19`` -> (bound, value, value_max)."""
    cell = cell.strip()
    if not cell:
        return None
    if ".." in cell:
        lo, hi = cell.split("..", 1)
        return ("range", float(lo), float(hi))
    prefixes = {">": "gt", "<": "lt", "~": "approx"}
    if cell[0] in prefixes:
        return (prefixes[cell[0]], float(cell[1:]), None)
    return ("eq", float(cell), None)


def parse_value(cell: str) -> tuple[float, float | None]:
    """``4400000000`` -> (4.4e9, None); ``800000000..1000000000`` -> (8e8, 1e9)."""
    if ".." in cell:
        lo, hi = cell.split("..", 1)
        return float(lo), float(hi)
    return float(cell), None


def read_table(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row of one table."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        assert tuple(header) == COLUMNS, f"{path.name}: bad header {header}"
        for row in reader:
            line = reader.line_num
            assert len(row) == len(COLUMNS), f"{path.name}:{line}: {len(row)} columns"
            yield line, dict(zip(COLUMNS, row, strict=True))


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(DATA.glob("*" + SUFFIX)):
        lang = path.name[: -len(SUFFIX)]
        groups: dict[tuple[str, str], tuple[int, list[Expected]]] = {}
        for line, row in read_table(path):
            key = (row["text"], row["published"])
            first, facts = groups.setdefault(key, (line, []))
            if row["indicator"] == NO_FACT:
                continue
            value, value_max = parse_value(row["value"])
            period = row["period"]
            facts.append(
                Expected(
                    line=line,
                    indicator=row["indicator"],
                    parties=tuple(p.strip() for p in row["parties"].split(",")),
                    period=None if period == NO_FACT else period,
                    value=value,
                    value_max=value_max,
                    unit=row["unit"],
                    bound=row["bound"],
                    status=row["status"],
                    growth=parse_growth(row["growth"]),
                    product=row["product"],
                )
            )
        for (text, published), (first, facts) in groups.items():
            cases.append(Case(lang, first, text, published, tuple(facts)))
    return cases


CASES = load_cases()


# -------------------------------------------------------------------------- matching


def _close(got: Any, want: float | None) -> bool:
    if want is None:
        return got is None
    if got is None:
        return False
    try:
        got = float(got)
    except (TypeError, ValueError):
        return False
    return abs(got - want) <= REL_TOL * abs(want) + 1e-9


def mismatches(exp: Expected, fact: Any) -> list[str]:
    """Why ``fact`` is not ``exp`` (empty list: it matches)."""
    out: list[str] = []

    def attr(name: str) -> Any:
        return getattr(fact, name, None)

    if attr("indicator") != exp.indicator:
        out.append(f"indicator {attr('indicator')!r} != {exp.indicator!r}")
    parties = attr("parties")
    if parties is None or tuple(parties) != exp.parties:
        out.append(f"parties {parties!r} != {exp.parties!r}")
    if attr("period") != exp.period:
        out.append(f"period {attr('period')!r} != {exp.period!r}")
    if attr("unit") != exp.unit:
        out.append(f"unit {attr('unit')!r} != {exp.unit!r}")
    if attr("status") != exp.status:
        out.append(f"status {attr('status')!r} != {exp.status!r}")
    if attr("bound") != exp.bound:
        out.append(f"bound {attr('bound')!r} != {exp.bound!r}")
    if not _close(attr("value"), exp.value):
        out.append(f"value {attr('value')!r} != {_fmt(exp.value)} (±0.5 %)")
    if exp.value_max is not None and not _close(attr("value_max"), exp.value_max):
        out.append(f"value_max {attr('value_max')!r} != {_fmt(exp.value_max)} (±0.5 %)")

    growth = attr("growth")
    if exp.growth is None:
        if growth is not None:
            out.append(f"growth {growth!r} given, none expected")
    elif growth is None:
        out.append(f"no growth, expected {_growth_str(exp.growth)}")
    else:
        g_bound, g_value, g_max = exp.growth
        if getattr(growth, "bound", None) != g_bound:
            out.append(f"growth bound {getattr(growth, 'bound', None)!r} != {g_bound!r}")
        if not _close(getattr(growth, "value", None), g_value):
            out.append(f"growth value {getattr(growth, 'value', None)!r} != {_fmt(g_value)}")
        if g_max is not None and not _close(getattr(growth, "value_max", None), g_max):
            out.append(f"growth value_max {getattr(growth, 'value_max', None)!r} != {_fmt(g_max)}")

    if exp.product and not attr("product"):
        out.append(f"no product, expected one like {exp.product!r}")
    return out


def match(expected: tuple[Expected, ...], produced: list[Any]) -> dict[int, int]:
    """A maximum one-to-one matching expected index -> produced index (augmenting paths)."""
    ok = [[not mismatches(e, f) for f in produced] for e in expected]
    owner: dict[int, int] = {}  # produced index -> expected index

    def augment(i: int, seen: set[int]) -> bool:
        for j, good in enumerate(ok[i]):
            if good and j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(expected)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def _fact_dict(fact: Any) -> Any:
    try:
        return fact.to_dict()
    except Exception:  # show whatever the engine produced
        return repr(fact)


def report(case: Case, produced: list[Any], pairs: dict[int, int]) -> str:
    lines = [
        f"[{case.id}] {case.text}",
        f"  published: {case.published or '(none)'}",
        f"  expected {len(case.expected)} fact(s), produced {len(produced)}",
    ]
    lines.append("  expected:" if case.expected else "  expected: no fact")
    for i, exp in enumerate(case.expected):
        mark = "ok " if i in pairs else "MISSING"
        lines.append(f"    [{mark}] {exp.describe()}")
        if i not in pairs and produced:
            # the closest produced fact and how it differs
            best = min(produced, key=lambda f: len(mismatches(exp, f)))
            lines.append("        closest differs: " + "; ".join(mismatches(exp, best)))
    lines.append("  produced:" if produced else "  produced: nothing")
    matched = set(pairs.values())
    for j, fact in enumerate(produced):
        mark = "ok " if j in matched else "EXTRA"
        lines.append(f"    [{mark}] {_fact_dict(fact)}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- tests


def test_tables_found() -> None:
    assert CASES, f"no *{SUFFIX} tables in {DATA}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_example(case: Case) -> None:
    from tradefacts.extract import extract

    produced = list(extract(case.text, case.published or None))
    pairs = match(case.expected, produced)
    ok = len(produced) == len(case.expected) and len(pairs) == len(case.expected)
    assert ok, report(case, produced, pairs)
