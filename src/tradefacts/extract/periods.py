"""Periods: years, month ranges, N months, halves, quarters, relative years, deadlines.

Every period mention of a sentence becomes a :class:`PeriodMention` with its EDTF value
already resolved against the publication date (SPEC "Period rules"); relative periods of an
undated article resolve to ``None`` but still count as the sentence's own period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.tokens import HEADER_RE, Token, tokenize
from tradefacts.lang.lexicon import APOSTROPHES, Hit, Lexicon, norm

YEAR_MIN, YEAR_MAX = 1990, 2060
#: four digits (a year in an EDTF value)
YEAR_RE = re.compile(r"\d{4}")
_ISO_PREFIX = re.compile(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


@dataclass(slots=True, init=False)
class PeriodMention:
    start: int  # token span
    end: int
    value: str | None  # EDTF
    kind: str  # year, range, months, half, quarter, month, relative, deadline, since, asof, present
    comparison: bool = False
    comparison_cue: int = -1  # token where a preposed comparison cue starts ("against")
    shift: int = 0  # "a year earlier": shift the sentence's period by -1 year

    # written out, not generated: made many times per article, and compiled (setup.py)
    def __init__(
        self,
        start: int,
        end: int,
        value: str | None,
        kind: str,
        comparison: bool = False,
        comparison_cue: int = -1,
        shift: int = 0,
    ) -> None:
        self.start = start
        self.end = end
        self.value = value
        self.kind = kind
        self.comparison = comparison
        self.comparison_cue = comparison_cue
        self.shift = shift


def edtf_months(y: int, m1: int, m2: int) -> str:
    if m1 == m2:
        return f"{y:04d}-{m1:02d}"
    return f"{y:04d}-{m1:02d}/{y:04d}-{m2:02d}"


def shift_period(p: str | None, years: int) -> str | None:
    """The same period ``years`` years later (negative: earlier)."""
    if p is None:
        return None
    return YEAR_RE.sub(lambda m: f"{int(m.group(0)) + years:04d}", p)


# ---------------------------------------------------------------- publication date


def parse_iso(s: str | dt.date | None) -> dt.date | None:
    if s is None or isinstance(s, dt.date):
        return s
    m = _ISO_PREFIX.match(s)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


# Dates not glued to a digit on either side. The patterns begin with a digit, not with
# the look-behind "(?<!\d)", so that the regex engine can skip to the next digit: see
# _dates_in for the check on the left.
_NUMERIC_DATE = re.compile(r"(\d\d?)[./](\d\d?)[./](\d\d{3})(?!\d)")
_ISO_DATE = re.compile(r"(\d\d{3})-(\d\d)-(\d\d)(?!\d)")
_DATELINE_SPAN = 300


def publication_date(text: str, lexicon: Lexicon | None = None) -> dt.date | None:
    """The date an article gives itself: the `` date `` header, else a full dateline.

    A dateline counts only near the start or the end of the text (where news sites print
    it) and only with a year: "22 Сентябрь 2025", "Опубликовано 18.08.2020", "20 January
    2023". "25 января" without a year does not count.
    """
    m = HEADER_RE.match(text)
    if m:
        d = parse_iso(m.group(1))
        if d:
            return d
    if lexicon is None:
        from tradefacts.lang.lexicon import load_lexicon

        lexicon = load_lexicon()
    zones = [text[:_DATELINE_SPAN]]
    if len(text) > _DATELINE_SPAN:
        zones.append(text[-_DATELINE_SPAN:])
    for zone in zones:
        d = _dateline_in(zone, lexicon)
        if d:
            return d
    return None


# a year, and what may stand before it in a written date: a word (the month) and
# separators ("Сентябрь 2025", "29-may 2018"), or a word, a day and separators ("May 5, 2025")
_YEAR_IN_TEXT = re.compile(r"(?:19|20)\d\d")
_FOUR_DIGITS = re.compile(r"\d{4}")
_BEFORE_YEAR = re.compile(r"([^\W\d_])(?:[\s.,]{1,3}|\.?\s\d{1,2},?\s)\Z")


def _dates_in(pattern: re.Pattern[str], zone: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(zone)`` as if the pattern began with "(?<!\\d)": the matches
    that do not follow a digit."""
    pos = 0
    while True:
        m = pattern.search(zone, pos)
        if m is None:
            return
        at = m.start()
        if at and zone[at - 1].isdecimal():  # what \d matches
            pos = at + 1  # try again one character on, as the look-behind would
            continue
        yield m
        pos = m.end()


def _dateline_in(zone: str, lexicon: Lexicon) -> dt.date | None:
    if not _FOUR_DIGITS.search(zone):
        return None  # every form below has a four-digit year: one scan instead of three
    for m in _dates_in(_ISO_DATE, zone):
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            return d
    for m in _dates_in(_NUMERIC_DATE, zone):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        d = _safe_date(y, b, a) or _safe_date(y, a, b)  # dd.mm.yyyy, else mm/dd/yyyy
        if d:
            return d
    years = list(_YEAR_IN_TEXT.finditer(zone))
    if not any(_month_before_year(zone, y.start(), lexicon) for y in years) and not any(
        _YEAR_FIRST.match(zone, y.start()) for y in years
    ):
        return None
    toks = tokenize(zone)
    norms = [t.norm for t in toks]
    hits = lexicon.scan(norms)
    months = {h.start: h for h in hits if h.category == "month"}
    year_words = {h.end: h for h in hits if h.category == "period.year_word"}
    for i in range(len(toks)):
        if i not in months:
            continue
        h = months[i]
        d = _year_first_date(toks, year_words, h)
        if d:
            return d
        # day before the month ("22 Сентябрь 2025", "29-may 2018"), year after
        j = i - 1
        if j >= 0 and toks[j].text in "-.":
            j -= 1
        k = h.end
        if k < len(toks) and toks[k].text in ",.":
            k += 1
        if j >= 0 and toks[j].kind == "num" and k < len(toks) and toks[k].kind == "num":
            day, year = toks[j].text, toks[k].text
            if day.isdigit() and year.isdigit() and len(year) == 4:
                d = _safe_date(int(year), int(h.payload), int(day))
                if d:
                    return d
        # month day, year ("January 20, 2023")
        if k < len(toks) and toks[k].kind == "num" and toks[k].text.isdigit():
            k2 = k + 1
            if k2 < len(toks) and toks[k2].text == ",":
                k2 += 1
            if k2 < len(toks) and toks[k2].text.isdigit() and len(toks[k2].text) == 4:
                d = _safe_date(int(toks[k2].text), int(h.payload), int(toks[k].text))
                if d:
                    return d
    return None


def _year_first_date(toks: list[Token], year_words: dict[int, Hit], mh: Hit) -> dt.date | None:
    """A date written year first, its year word, then day and month: "2025 йил 12 август",
    "2023-yil 17-avgust", "2023-жылдын 5-марты", "2025 жылғы 3 қыркүйек"."""
    j = mh.start - 1
    if j >= 0 and toks[j].text == "-" and not toks[j].space_before:
        j -= 1
    if j < 1 or toks[j].kind != "num" or not toks[j].text.isdigit() or len(toks[j].text) > 2:
        return None
    day = int(toks[j].text)
    yw = year_words.get(j)
    if yw is None:
        return None
    k = yw.start - 1
    if k >= 0 and toks[k].text == "-" and not toks[k].space_before:
        k -= 1
    if k >= 1 and toks[k].kind == "word" and len(toks[k].text) <= 4 and toks[k - 1].text == "-":
        k -= 2  # an ordinal ending between: "2025-ci il 20 oktyabr"
    if k < 0 or toks[k].kind != "num" or _year_of(toks[k].text) is None:
        return None
    return _safe_date(int(toks[k].text), int(mh.payload), day)


#: a year followed by a word (maybe after an ordinal ending) and a day: where a
#: year-first date may stand
_YEAR_FIRST = re.compile(
    r"(?:19|20)\d\d(?:-[^\W\d_]{1,4})?[\s-]{0,2}[^\W\d_]{1,8}[\s,]{1,2}\d{1,2}[\s-]{0,2}[^\W\d_]"
)


def _month_before_year(zone: str, year_at: int, lexicon: Lexicon) -> bool:
    """Does a month name stand before the year at ``year_at`` (with a day or not)?"""
    m = _BEFORE_YEAR.search(zone, max(0, year_at - 12), year_at)
    return m is not None and _month_word_before(zone, m.start(1) + 1, lexicon)


def _month_word_before(zone: str, end: int, lexicon: Lexicon) -> bool:
    """Is the word ending at ``end`` (just before a day or a year) a month name?"""
    start = end
    while start > 0 and (zone[start - 1].isalpha() or zone[start - 1] in APOSTROPHES):
        start -= 1
    word = zone[start:end]
    if len(word) < 3:
        return False
    singles, _ = lexicon.candidates(norm(word))
    return any(reading[0] == "month" for reading in singles)


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    if not (YEAR_MIN <= y <= YEAR_MAX):
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


# ---------------------------------------------------------------- mentions in a sentence


def _year_of(tok_text: str) -> int | None:
    if len(tok_text) == 4 and tok_text.isdigit():
        y = int(tok_text)
        if YEAR_MIN <= y <= YEAR_MAX:
            return y
    return None


#: categories whose hits can begin a period; the number tokens can too. Other period words
#: ("жылы", "compared to", "end of") only extend or qualify a period that begins elsewhere.
_STARTERS = (
    "month",
    "ordinal",
    "number_word",
    "period.half",
    "period.quarter",
    "period.last_year",
    "period.this_year",
    "period.next_year",
    "period.year_earlier",
    "period.present",
)
#: kinds of period that fix the year of the month ranges after them in the sentence
_ABSOLUTE = frozenset({"year", "year_end", "range", "month", "months", "half", "quarter"})


def may_name_period(sa: SentenceAnalysis) -> bool:
    """Can the sentence name a period at all: has it a number, a period or month word?"""
    return bool(sa.nums or sa.hits_of("period") or sa.hits_of("month"))


def find_periods(
    sa: SentenceAnalysis,
    pub: dt.date | None,
    context_year: int | None = None,
    context_range: str | None = None,
) -> list[PeriodMention]:
    """All period mentions of one sentence, resolved against ``pub``.

    A month range or "N months" without a year of its own takes the year the article is
    talking about (``context_year``), else the most recent such period before ``pub``.
    """
    out: list[PeriodMention] = []
    if not may_name_period(sa):
        return out
    nums = sa.nums
    toks = sa.tokens
    n = len(toks)
    value_tokens = sa.value_tokens
    hit_starts = sa.hit_starts
    starting = sa.starting(*_STARTERS)
    month_at, ordinal_at, number_word_at, half_at, quarter_at = starting[:5]
    # tokens where a period can start: numbers and the words above, in order
    starters = sorted(set(nums).union(*starting))
    used: set[int] = set()
    i = 0
    for c in starters:
        if c < i:
            continue  # inside the period found last
        i = c
        t = toks[i]
        here = i in hit_starts  # a number token starts no phrase: skip the phrase checks
        if here:
            # -- month ranges and single months
            mh = month_at.get(i)
            if mh and i not in used:
                pm, i = _month_mention(sa, mh, pub, context_year, out)
                if pm is None:  # a calendar date: neither it nor its year is a period
                    used.update(range(c, i))
                else:
                    out.append(pm)
                    used.update(range(pm.start, pm.end))
                continue
            # -- "the first month of 2026", "биринчи ойида"
            oh = ordinal_at.get(i)
            if oh and i not in used and oh.end < n:
                mw = sa.first_hit("period.month_word", oh.end)
                if mw:
                    mnum = int(oh.payload)
                    y, a, b = _resolve_year(sa, i, mw.end, mnum, pub, context_year, out)
                    out.append(
                        PeriodMention(a, b, edtf_months(y, mnum, mnum) if y else None, "month")
                    )
                    used.update(range(a, b))
                    i = mw.end
                    continue
        # -- N months
        if i not in used and i not in value_tokens:
            cnt, cend = _count_at(toks, number_word_at, i)
            ye = sa.first_hit("period.years_earlier", cend) if cnt is not None else None
            if ye is not None and 1 <= cnt <= 10 and cnt == int(cnt):
                # "двумя годами ранее", "two years earlier": the figure's period, shifted
                out.append(PeriodMention(i, ye.end, None, "relative", shift=-int(cnt)))
                used.update(range(i, ye.end))
                i = ye.end
                continue
            if cnt is not None and cend < n:
                mw = sa.first_hit("period.month_word", cend)
                if mw and 1 <= cnt <= 12 and cnt == int(cnt):
                    y, a, b = _resolve_year(sa, i, mw.end, int(cnt), pub, context_year, out)
                    val = edtf_months(y, 1, int(cnt)) if y else None
                    if (
                        context_range
                        and a == i
                        and b == mw.end
                        and _months_in(context_range) == int(cnt)
                    ):
                        # "Екі айда" after "қыркүйек-қазанда": those same two months
                        val = context_range
                    out.append(PeriodMention(a, b, val, "months"))
                    used.update(range(a, b))
                    i = mw.end
                    continue
        # -- halves and quarters
        hh = (half_at.get(i) or quarter_at.get(i)) if here else None
        if hh and i not in used:
            pm = _half_or_quarter(sa, hh, ordinal_at, pub, context_year, out)
            if pm is _SKIP_TOKEN:
                i += 1
                continue
            if pm is not None:
                out.append(pm)
                used.update(range(pm.start, pm.end))
                i = hh.end
                continue
        # -- years, year ranges, deadlines, since
        y = _year_of(t.text) if t.kind == "num" and len(t.text) == 4 else None
        if y and i not in used and i not in value_tokens:
            pm = _year_mention(sa, i, y)
            out.append(pm)
            used.update(range(pm.start, pm.end))
            i = pm.end
            continue
        # -- relative years
        if here and i not in used:
            pm = _relative_mention(sa, i, pub)
            if pm is not None:
                out.append(pm)
                used.update(range(pm.start, pm.end))
                i = pm.end - 1
        i += 1
    if len(out) > 1:
        # a year absorbed by a month range or "N months" is not a period of its own
        out = [
            pm
            for pm in out
            if not any(
                o is not pm
                and o.start <= pm.start
                and pm.end <= o.end
                and (o.end - o.start) > (pm.end - pm.start)
                for o in out
            )
        ]
    if out:
        _mark_comparisons(sa, out)
    # deadline "до 2030 года" after a since: "с 2005 по 2025" handled as since; join them
    return _merge_since_until(out)


def _months_in(period: str) -> int:
    """How many months a month range "2025-09/2025-10" spans (0: not a month range)."""
    a, _, b = period.partition("/")
    if len(a) != 7 or len(b) != 7 or a[4] != "-" or b[4] != "-":
        return 0
    return (int(b[:4]) - int(a[:4])) * 12 + int(b[5:7]) - int(a[5:7]) + 1


def _month_mention(
    sa: SentenceAnalysis,
    mh: Hit,
    pub: dt.date | None,
    context_year: int | None,
    out: list[PeriodMention],
) -> tuple[PeriodMention | None, int]:
    """A single month or a month range starting with the month hit ``mh``, and the token
    after it; None for a calendar date ("22 Сентябрь 2025", "14 ноября")."""
    toks = sa.tokens
    n = len(toks)
    i = mh.start
    m1 = int(mh.payload)
    j = mh.end
    m2 = None
    # month - month  (also "с января по август", "from January to June")
    k = j
    if (k < n and toks[k].text in "-–—") or sa.first_hit("period.range_sep", k):
        k += 1
    mh2 = sa.first_hit("month", k) if k != j else None
    if mh2:
        m2 = int(mh2.payload)
        j = mh2.end
    d = i - 1
    if d > 0 and toks[d].text in "-." and not toks[d].space_before:
        d -= 1  # "24-iyun", "14. Oktober"
    day_before = (
        d >= 0
        and toks[d].kind == "num"
        and toks[d].text.isdigit()
        and int(toks[d].text) <= 31
        and len(toks[d].text) <= 2
    )
    dj = j + 1 if j + 1 < n and toks[j].text == "." else j  # "Jan. 13", "ноя. 3"
    day_after = (
        dj < n
        and toks[dj].kind == "num"
        and toks[dj].text.isdigit()
        and len(toks[dj].text) <= 2
        and m2 is None
    )
    if (day_before or day_after) and m2 is None:
        # a calendar date, not a period; its year too
        if day_after:
            j = dj + 1
            if j < n and toks[j].text == ",":
                j += 1
        a = d if day_before else i
        year = _year_of(toks[j].text) if j < n and toks[j].kind == "num" else None
        if year:
            j += 1
            yw = sa.first_hit("period.year_word", j)
            if yw:
                j = yw.end
        elif day_before:
            # "2025 жылғы 1 қаңтардағы", "2024 йил 1 июль": the year before the day
            y = _year_near(sa, d - 5, d)  # "2025-ci il 1 yanvar"
            if y:
                year, a = y[0], y[1]
        if year:
            asof = sa.last_hit_ending("period.asof_pre", a) or sa.first_hit("period.asof_post", j)
            if asof:
                # "по состоянию на 1 апреля 2025 года", "1 июль ҳолатига кўра": a stock
                b = max(j, asof.end)
                return PeriodMention(min(a, asof.start), b, f"../{year}", "asof"), b
        return None, j
    mw = sa.first_hit("period.month_word", j)
    if mw:
        j = mw.end
    if m2 is None:
        end_of = any(sa.first_hit("period.end_of", k) for k in range(max(0, i - 3), min(n, j + 3)))
        y, a, b = _resolve_year(sa, i, j, m1, pub, context_year, out)
        if end_of:
            val = edtf_months(y, 1, m1) if y else None
            kind = "range"
        else:
            val = edtf_months(y, m1, m1) if y else None
            kind = "month"
    else:
        y, a, b = _resolve_year(sa, i, j, m2, pub, context_year, out)
        val = edtf_months(y, m1, m2) if y and m2 >= m1 else None
        kind = "range"
    return PeriodMention(a, b, val, kind), j


#: what _half_or_quarter returns for a one-letter label without its number ("Q" alone)
_SKIP_TOKEN = PeriodMention(-1, -1, None, "")


def _half_or_quarter(
    sa: SentenceAnalysis,
    hh: Hit,
    ordinal_at: dict[int, Hit],
    pub: dt.date | None,
    context_year: int | None,
    out: list[PeriodMention],
) -> PeriodMention | None:
    """A half or a quarter ("first half", "II квартал", "Q1 2025") at the hit ``hh``;
    None when no order goes with a quarter or the order is too high, ``_SKIP_TOKEN`` for
    a one-letter label without its number."""
    toks = sa.tokens
    n = len(toks)
    value_tokens = sa.value_tokens
    i = hh.start
    is_half = hh.category == "period.half"
    a = i
    order = None
    for k in range(max(0, i - 3), i):
        oh = ordinal_at.get(k)
        if oh:
            order = int(oh.payload)
            a = k
        elif (
            toks[k].kind == "num"
            and toks[k].text.isdigit()
            and int(toks[k].text) <= 4
            and k not in value_tokens
        ):
            order = int(toks[k].text)
            a = k
    nxt = toks[hh.end] if hh.end < n else None
    if hh.end - i == 1 and len(toks[i].text) == 1:
        # "Q1 2025", "H1": a one-letter label glued to its number
        if nxt is None or nxt.space_before or not nxt.text.isdigit():
            return _SKIP_TOKEN
        order = int(nxt.text)
        hh = type(hh)(hh.category, hh.payload, hh.start, hh.end + 1, hh.case, hh.lang)
    if order is None:
        order = 1 if is_half else None
    if order is None:
        return None
    m1, m2 = ((order - 1) * 6 + 1, order * 6) if is_half else ((order - 1) * 3 + 1, order * 3)
    if m2 > 12:
        return None
    y, a2, b = _resolve_year(sa, a, hh.end, None, pub, context_year, out)
    val = edtf_months(y, m1, m2) if y else None
    return PeriodMention(a2, b, val, "half" if is_half else "quarter")


def _year_mention(sa: SentenceAnalysis, i: int, y: int) -> PeriodMention:
    """The period of the year token at ``i``: a year, a year range, a decade, a deadline
    ("до 2030 года"), a start ("since 2005"), a stock date ("as of 2024"), a year end."""
    toks = sa.tokens
    n = len(toks)
    a, b = i, i + 1
    y2 = None
    if b + 1 < n and toks[b].text in "-–—" and _year_of(toks[b + 1].text):
        y2 = _year_of(toks[b + 1].text)
        b += 2
    elif (
        b + 1 < n
        and (sa.first_hit("role.and", b) or sa.first_hit("bound.range_to", b))
        and _year_of(toks[b + 1].text)
        and toks[b + 1].kind == "num"
        and sa.last_hit_ending("bound.range_from", a)
    ):
        # "between 2007 and 2023", "from 2017 to 2024"
        y2 = _year_of(toks[b + 1].text)
        a = sa.last_hit_ending("bound.range_from", a).start
        b += 2
    while b < n and toks[b].text == "-" and not toks[b].space_before:
        b += 1
    dw = sa.first_hit("period.decade_word", b) or sa.first_hit("period.decade_word", i + 1)
    if dw and y2 is None and y % 10 == 0:
        # "1990-е годы", "1990- йилларни бошларида": a decade, too vague for a period
        return PeriodMention(a, dw.end, None, "decade")
    yw = sa.first_hit("period.year_word", b)
    if yw:
        b = yw.end
        if b < n and toks[b].text == ".":
            b += 1
    if y2 is not None:
        return PeriodMention(a, b, f"{y}/{y2}", "year")
    case = yw.case if yw else None
    kind = "year"
    val = f"{y}"
    pre = sa.last_hit_ending("period.deadline_pre", a)
    post = sa.first_hit("period.deadline_post", b)
    since_pre = sa.last_hit_ending("period.since_pre", a)
    since_post = sa.first_hit("period.since_post", b)
    asof_pre = sa.last_hit_ending("period.asof_pre", a)
    asof_post = sa.first_hit("period.asof_post", b)
    term = yw is not None and yw.case == "terminative"
    if pre or post or term:
        kind, val = "deadline", f"../{y}"
        if pre:
            a = pre.start
        if post:
            b = post.end
    elif (since_pre or since_post) and (since_post or case != "ablative"):
        kind, val = "since", f"{y}/.."
        if since_pre:
            a = since_pre.start
        if since_post:
            b = since_post.end
    elif asof_pre and not sa.first_hit("month", a - 1) or asof_post:
        kind, val = "asof", f"../{y}"
    elif sa.first_hit("period.end_of", b) or sa.last_hit_ending("period.end_of", a):
        kind = "year_end"  # "2024-yil yakuniga ko'ra", "на конец 2024 года"
    elif case == "ablative":
        # "2023-yildagidan 1,4 barobar ko'p", "2023 жылғыдан": the base of a comparison
        return PeriodMention(a, b, val, kind, comparison=True)
    return PeriodMention(a, b, val, kind)


def _relative_mention(sa: SentenceAnalysis, i: int, pub: dt.date | None) -> PeriodMention | None:
    """ "last year", "this year", "a year earlier", "now" starting at token ``i``."""
    for cat, delta in (("period.last_year", -1), ("period.this_year", 0), ("period.next_year", 1)):
        h = sa.first_hit(cat, i)
        if h:
            val = f"{pub.year + delta}" if pub else None
            return PeriodMention(i, h.end, val, "relative")
    h = sa.first_hit("period.year_earlier", i)
    if h:
        return PeriodMention(i, h.end, None, "relative", shift=-1)
    h = sa.first_hit("period.present", i)
    if h:
        return PeriodMention(i, h.end, None, "present")
    return None


def _year_near(sa: SentenceAnalysis, i_from: int, i_to: int) -> tuple[int, int, int] | None:
    """A year token in [i_from, i_to) -> (year, start, end incl. year word)."""
    toks = sa.tokens
    n = len(toks)
    value_tokens = sa.value_tokens
    for k in range(max(0, i_from), min(n, i_to)):
        t = toks[k]
        y = _year_of(t.text) if t.kind == "num" else None
        if y and k not in value_tokens:
            e = k + 1
            while e < n and toks[e].text in "-" and not toks[e].space_before:
                e += 1
            yw = sa.first_hit("period.year_word", e)
            if yw:
                e = yw.end
            return y, k, e
    return None


def _sentence_year(out: list[PeriodMention]) -> int | None:
    """The year of the last absolute period found so far in the sentence."""
    for pm in reversed(out):
        if pm.value and pm.kind in _ABSOLUTE:
            m = YEAR_RE.match(pm.value.lstrip("./"))
            if m:
                return int(m.group(0))
    return None


def _resolve_year(
    sa: SentenceAnalysis,
    a: int,
    b: int,
    months_count: int | None,
    pub: dt.date | None,
    context_year: int | None,
    out: list[PeriodMention],
) -> tuple[int | None, int, int]:
    """Year for a month/half/quarter expression spanning tokens [a, b), and the span
    widened by the year's own tokens."""
    value_tokens = sa.value_tokens
    y = _year_near(sa, a - 3, a)
    if y and not _crosses_value(value_tokens, y[2], a):
        return y[0], y[1], b
    y = _year_near(sa, b, b + 4)
    if y and not _crosses_value(value_tokens, b, y[1]):
        return y[0], a, y[2]
    ty = sa.any_hit("period.this_year", a - 4, b + 4)
    if ty:
        return (pub.year if pub else None), min(a, ty.start), max(b, ty.end)
    ly = sa.any_hit("period.last_year", a - 4, b + 4)
    if ly:
        return (pub.year - 1 if pub else None), min(a, ly.start), max(b, ly.end)
    sentence_year = _sentence_year(out)
    if sentence_year is not None:
        return sentence_year, a, b
    if context_year is not None and (pub is None or context_year < pub.year - 1):
        return context_year, a, b
    if pub is None:
        return None, a, b
    if months_count is not None and months_count >= pub.month:
        return pub.year - 1, a, b
    return pub.year, a, b


def _count_at(
    toks: list[Token], number_word_at: dict[int, Hit], i: int
) -> tuple[float | None, int]:
    """A small cardinal at token i: digits or a number word."""
    t = toks[i]
    if t.kind == "num" and t.text.isdigit() and len(t.text) <= 2:
        j = i + 1
        # "9-ай", "10-ойида"
        while j < len(toks) and toks[j].text == "-" and not toks[j].space_before:
            j += 1
        return float(t.text), j
    h = number_word_at.get(i)
    if h:
        return float(h.payload), h.end
    return None, i


def _crosses_value(value_tokens: set[int], a: int, b: int) -> bool:
    return any(k in value_tokens for k in range(a, b))


def _mark_comparisons(sa: SentenceAnalysis, out: list[PeriodMention]) -> None:
    """Flag the periods that are the base of a comparison ("compared to 2022", "өткен
    жылмен салыстырғанда") and where a preposed cue starts."""
    pre_at = sa.index("period.comparison_pre")[0]
    post_at = sa.index("period.comparison_post")[0]
    if not pre_at and not post_at and not sa.hits_of("period.same_period"):
        return  # no comparison cue in the sentence: the defaults stand
    for pm in out:
        comparison, cue = _is_comparison(sa, pm, pre_at, post_at)
        if comparison:
            pm.comparison, pm.comparison_cue = comparison, cue


def _is_comparison(
    sa: SentenceAnalysis, pm: PeriodMention, pre_at: dict[int, Hit], post_at: dict[int, Hit]
) -> tuple[bool, int]:
    """Is the period the base of a comparison? The flag and where a preposed cue starts
    (-1: none)."""
    if pm.kind in ("deadline", "since", "present"):
        return False, -1
    for k in range(max(0, pm.start - 5), pm.start):
        if pre_at.get(k):
            return True, k
    post = any(post_at.get(k) for k in range(pm.end, min(len(sa.tokens), pm.end + 4)))
    if not post and pm.kind == "year":
        # "2024 йилнинг мос давридаги кўрсаткичдан": the same period of that year
        post = sa.any_hit("period.same_period", pm.end, pm.end + 3) is not None
    return post, -1


def _merge_since_until(out: list[PeriodMention]) -> list[PeriodMention]:
    if len(out) < 2:
        return out
    merged: list[PeriodMention] = []
    for pm in out:
        if (
            merged
            and merged[-1].kind == "since"
            and pm.kind in ("year", "year_end", "deadline")
            and pm.start - merged[-1].end <= 2
            and pm.value
        ):
            y2 = pm.value.strip("./")
            merged[-1].value = merged[-1].value.replace("..", y2) if merged[-1].value else None
            merged[-1].kind = "range"
            merged[-1].end = pm.end
            continue
        merged.append(pm)
    return merged
