"""Periods: years, month ranges, N months, halves, quarters, relative years, deadlines.

Every period mention of a sentence becomes a :class:`PeriodMention` with its EDTF value
already resolved against the publication date (SPEC "Period rules"); relative periods of an
undated article resolve to ``None`` but still count as the sentence's own period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.tokens import HEADER_RE, tokenize
from tradefacts.lang.lexicon import APOSTROPHES, Lexicon, norm

YEAR_MIN, YEAR_MAX = 1990, 2060
#: four digits (a year in an EDTF value)
YEAR_RE = re.compile(r"\d{4}")
_ISO_PREFIX = re.compile(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


@dataclass(slots=True)
class PeriodMention:
    start: int  # token span
    end: int
    value: str | None  # EDTF
    kind: str  # year, range, months, half, quarter, month, relative, deadline, since, asof, present
    comparison: bool = False
    comparison_cue: int = -1  # token where a preposed comparison cue starts ("against")
    shift: int = 0  # "a year earlier": shift the sentence's period by -1 year


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


_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
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
_BEFORE_YEAR = re.compile(r"([^\W\d_])(?:[\s.,]{1,3}|\.?\s\d{1,2},?\s)\Z")


def _dateline_in(zone: str, lexicon: Lexicon) -> dt.date | None:
    for m in _ISO_DATE.finditer(zone):
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            return d
    for m in _NUMERIC_DATE.finditer(zone):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        d = _safe_date(y, b, a) or _safe_date(y, a, b)  # dd.mm.yyyy, else mm/dd/yyyy
        if d:
            return d
    if not any(_month_before_year(zone, y.start(), lexicon) for y in _YEAR_IN_TEXT.finditer(zone)):
        return None
    toks = tokenize(zone)
    norms = [t.norm for t in toks]
    hits = lexicon.scan(norms)
    months = {h.start: h for h in hits if h.category == "month"}
    for i in range(len(toks)):
        if i not in months:
            continue
        h = months[i]
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


def find_periods(
    sa: SentenceAnalysis, pub: dt.date | None, context_year: int | None = None
) -> list[PeriodMention]:
    """All period mentions of one sentence, resolved against ``pub``.

    A month range or "N months" without a year of its own takes the year the article is
    talking about (``context_year``), else the most recent such period before ``pub``.
    """
    toks = sa.tokens
    n = len(toks)
    out: list[PeriodMention] = []
    if not (sa.nums or sa.hits_of("period") or sa.hits_of("month")):
        return out
    used: set[int] = set()
    value_tokens = sa.value_tokens

    def year_near(i_from: int, i_to: int) -> tuple[int, int, int] | None:
        """A year token in [i_from, i_to) -> (year, start, end incl. year word)."""
        for k in range(max(0, i_from), min(n, i_to)):
            y = _year_of(toks[k].text) if toks[k].kind == "num" else None
            if y and k not in value_tokens:
                e = k + 1
                while e < n and toks[e].text in "-" and not toks[e].space_before:
                    e += 1
                yw = sa.first_hit("period.year_word", e)
                if yw:
                    e = yw.end
                return y, k, e
        return None

    def cue_near(category: str, a: int, b: int) -> tuple[int, int] | None:
        h = sa.any_hit(category, a, b)
        return (h.start, h.end) if h else None

    def resolve_year(
        a: int, b: int, months_count: int | None = None
    ) -> tuple[int | None, int, int]:
        """Year for a month/half/quarter expression spanning tokens [a, b)."""
        y = year_near(a - 3, a)
        if y and not _crosses_value(value_tokens, y[2], a):
            return y[0], y[1], b
        y = year_near(b, b + 4)
        if y and not _crosses_value(value_tokens, b, y[1]):
            return y[0], a, y[2]
        ty = cue_near("period.this_year", a - 4, b + 4)
        if ty:
            return (pub.year if pub else None), min(a, ty[0]), max(b, ty[1])
        ly = cue_near("period.last_year", a - 4, b + 4)
        if ly:
            return (pub.year - 1 if pub else None), min(a, ly[0]), max(b, ly[1])
        if sentence_year[0] is not None:
            return sentence_year[0], a, b
        if context_year is not None and (pub is None or context_year < pub.year - 1):
            return context_year, a, b
        if pub is None:
            return None, a, b
        if months_count is not None and months_count >= pub.month:
            return pub.year - 1, a, b
        return pub.year, a, b

    # tokens where a period can start: numbers and period, month, ordinal, number words
    starters: set[int] = set(sa.nums)
    for cat in ("period", "month", "ordinal", "number_word"):
        starters.update(sa.index(cat)[0])
    sentence_year: list[int | None] = [None]  # year of the last absolute period seen so far
    hit_starts = sa.hit_starts
    i = 0
    for c in sorted(starters):
        if c < i:
            continue  # inside the period found last
        i = c
        if (
            out
            and out[-1].value
            and out[-1].kind in ("year", "year_end", "range", "month", "months", "half", "quarter")
        ):
            m = YEAR_RE.match(out[-1].value.lstrip("./"))
            if m:
                sentence_year[0] = int(m.group(0))
        t = toks[i]
        here = i in hit_starts  # a number token starts no phrase: skip the phrase checks
        # -- month ranges and single months
        mh = sa.first_hit("month", i) if here else None
        if mh and i not in used:
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
            day_after = (
                j < n
                and toks[j].kind == "num"
                and toks[j].text.isdigit()
                and len(toks[j].text) <= 2
                and m2 is None
            )
            if (day_before or day_after) and m2 is None:
                # a calendar date ("22 Сентябрь 2025", "14 ноября"), not a period; its year too
                if j < n and _year_of(toks[j].text) and toks[j].kind == "num":
                    j += 1
                    yw = sa.first_hit("period.year_word", j)
                    if yw:
                        j = yw.end
                used.update(range(i, j))
                i = j
                continue
            mw = sa.first_hit("period.month_word", j)
            if mw:
                j = mw.end
            if m2 is None:
                end_of = any(
                    sa.first_hit("period.end_of", k) for k in range(max(0, i - 3), min(n, j + 3))
                )
                y, a, b = resolve_year(i, j, months_count=m1)
                if end_of:
                    val = edtf_months(y, 1, m1) if y else None
                    kind = "range"
                else:
                    val = edtf_months(y, m1, m1) if y else None
                    kind = "month"
            else:
                y, a, b = resolve_year(i, j, months_count=m2)
                val = edtf_months(y, m1, m2) if y and m2 >= m1 else None
                kind = "range"
            out.append(PeriodMention(a, b, val, kind))
            used.update(range(a, b))
            i = j
            continue
        # -- "the first month of 2026", "биринчи ойида"
        oh = sa.first_hit("ordinal", i) if here else None
        if oh and i not in used and oh.end < n:
            mw = sa.first_hit("period.month_word", oh.end)
            if mw:
                mnum = int(oh.payload)
                y, a, b = resolve_year(i, mw.end, months_count=mnum)
                out.append(PeriodMention(a, b, edtf_months(y, mnum, mnum) if y else None, "month"))
                used.update(range(a, b))
                i = mw.end
                continue
        # -- N months
        if i not in used and i not in value_tokens:
            cnt, cend = _count_at(sa, i)
            if cnt is not None and cend < n:
                mw = sa.first_hit("period.month_word", cend)
                if mw and 1 <= cnt <= 12 and cnt == int(cnt):
                    y, a, b = resolve_year(i, mw.end, months_count=int(cnt))
                    val = edtf_months(y, 1, int(cnt)) if y else None
                    out.append(PeriodMention(a, b, val, "months"))
                    used.update(range(a, b))
                    i = mw.end
                    continue
        # -- halves and quarters
        hh = (sa.first_hit("period.half", i) or sa.first_hit("period.quarter", i)) if here else None
        if hh and i not in used:
            is_half = hh.category == "period.half"
            a = i
            order = None
            for k in range(max(0, i - 3), i):
                oh = sa.first_hit("ordinal", k)
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
                    i += 1
                    continue
                order = int(nxt.text)
                hh = type(hh)(hh.category, hh.payload, hh.start, hh.end + 1, hh.case, hh.lang)
            if order is None:
                order = 1 if is_half else None
            if order is not None:
                m1, m2 = (
                    ((order - 1) * 6 + 1, order * 6)
                    if is_half
                    else ((order - 1) * 3 + 1, order * 3)
                )
                if m2 <= 12:
                    y, a2, b = resolve_year(a, hh.end)
                    val = edtf_months(y, m1, m2) if y else None
                    out.append(PeriodMention(a2, b, val, "half" if is_half else "quarter"))
                    used.update(range(a2, b))
                    i = hh.end
                    continue
        # -- years, year ranges, deadlines, since
        y = _year_of(t.text) if t.kind == "num" else None
        if y and i not in used and i not in value_tokens:
            a, b = i, i + 1
            y2 = None
            if b + 1 < n and toks[b].text in "-–—" and _year_of(toks[b + 1].text):
                y2 = _year_of(toks[b + 1].text)
                b += 2
            while b < n and toks[b].text == "-" and not toks[b].space_before:
                b += 1
            dw = sa.first_hit("period.decade_word", b) or sa.first_hit("period.decade_word", i + 1)
            if dw and y2 is None and y % 10 == 0:
                # "1990-е годы", "1990- йилларни бошларида": a decade, too vague for a period
                out.append(PeriodMention(a, dw.end, None, "decade"))
                used.update(range(a, dw.end))
                i = dw.end
                continue
            yw = sa.first_hit("period.year_word", b)
            if yw:
                b = yw.end
                if b < n and toks[b].text == ".":
                    b += 1
            case = yw.case if yw else None
            kind = "year"
            val = f"{y}" if y2 is None else f"{y}/{y2}"
            if y2 is None:
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
            out.append(PeriodMention(a, b, val, kind))
            used.update(range(a, b))
            i = b
            continue
        # -- relative years
        if not here:
            i += 1
            continue
        for cat, delta in (("period.last_year", -1), ("period.this_year", 0)):
            h = sa.first_hit(cat, i)
            if h and i not in used:
                val = f"{pub.year + delta}" if pub else None
                out.append(PeriodMention(i, h.end, val, "relative"))
                used.update(range(i, h.end))
                i = h.end - 1
                break
        else:
            h = sa.first_hit("period.year_earlier", i)
            if h and i not in used:
                out.append(PeriodMention(i, h.end, None, "relative", shift=-1))
                used.update(range(i, h.end))
                i = h.end - 1
            else:
                h = sa.first_hit("period.present", i)
                if h and i not in used:
                    out.append(PeriodMention(i, h.end, None, "present"))
                    used.update(range(i, h.end))
                    i = h.end - 1
        i += 1
    # "since YEAR" ranges written "2005-2025" were caught as ranges; mark comparisons
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
    for pm in out:
        pm.comparison, pm.comparison_cue = _is_comparison(sa, pm)
    # deadline "до 2030 года" after a since: "с 2005 по 2025" handled as since; join them
    return _merge_since_until(out)


def _count_at(sa: SentenceAnalysis, i: int) -> tuple[float | None, int]:
    """A small cardinal at token i: digits or a number word."""
    t = sa.tokens[i]
    if t.kind == "num" and t.text.isdigit() and len(t.text) <= 2:
        j = i + 1
        # "9-ай", "10-ойида"
        while j < len(sa.tokens) and sa.tokens[j].text == "-" and not sa.tokens[j].space_before:
            j += 1
        return float(t.text), j
    h = sa.longest_hit("number_word", i)
    if h:
        return float(h.payload), h.end
    return None, i


def _crosses_value(value_tokens: set[int], a: int, b: int) -> bool:
    return any(k in value_tokens for k in range(a, b))


def _is_comparison(sa: SentenceAnalysis, pm: PeriodMention) -> tuple[bool, int]:
    """Is the period the base of a comparison ("compared to 2022", "өткен жылмен
    салыстырғанда")? Returns the flag and where a preposed cue starts (-1: none)."""
    if pm.kind in ("deadline", "since", "present"):
        return False, -1
    for k in range(max(0, pm.start - 5), pm.start):
        if sa.first_hit("period.comparison_pre", k):
            return True, k
    post = any(
        sa.first_hit("period.comparison_post", k)
        for k in range(pm.end, min(len(sa.tokens), pm.end + 4))
    )
    return post, -1


def _merge_since_until(out: list[PeriodMention]) -> list[PeriodMention]:
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
