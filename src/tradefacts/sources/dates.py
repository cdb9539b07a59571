"""Dates as feeds and page metadata write them, in any language the lexicon knows.

Order: an ISO date or an RFC 822 date (the publisher's own calendar day, not UTC), then
our multilingual dateline reader (:func:`~tradefacts.extract.periods.publication_date`:
"22 Сентябрь 2025", "14 Желтоқсан 2025 ж."), then abbreviated month names the lexicon's
``[month]`` sections begin with ("Пн, 22 сен 2025 10:00:00 +0500").
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from functools import cache

from tradefacts.extract.periods import YEAR_MAX, YEAR_MIN, parse_iso, publication_date
from tradefacts.lang.lexicon import load_lexicon, norm

_ISO_START = re.compile(r"\s*\d{4}-\d{2}-\d{2}")
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})[\s.\-/]*([^\W\d_]{3,})\.?[\s,]*((?:19|20)\d\d)(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]{3,})\.?\s+(\d{1,2}),?\s+((?:19|20)\d\d)(?!\d)")


def parse_date(value: str | None) -> dt.date | None:
    """The calendar date a feed or page gives as text, or None."""
    return machine_date(value) or written_date(value)


def machine_date(value: str | None) -> dt.date | None:
    """An ISO 8601 or RFC 822 date: the day as the publisher wrote it (its own time zone)."""
    if not value or not value.strip():
        return None
    s = value.strip()
    if _ISO_START.match(s):
        d = parse_iso(s)
        if d and YEAR_MIN <= d.year <= YEAR_MAX:
            return d
    try:
        when = email.utils.parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.date() if YEAR_MIN <= when.year <= YEAR_MAX else None


def written_date(value: str | None) -> dt.date | None:
    """A date written with words, in any language of the lexicon; abbreviations too."""
    if not value or not value.strip():
        return None
    return publication_date(value.strip()) or _abbreviated(value)


def _abbreviated(s: str) -> dt.date | None:
    for m in _DAY_MONTH_YEAR.finditer(s):
        month = month_number(m.group(2))
        if month:
            d = _safe(int(m.group(3)), month, int(m.group(1)))
            if d:
                return d
    for m in _MONTH_DAY_YEAR.finditer(s):
        month = month_number(m.group(1))
        if month:
            d = _safe(int(m.group(3)), month, int(m.group(2)))
            if d:
                return d
    return None


@cache
def _month_names() -> tuple[tuple[str, int], ...]:
    """(month name as the lexicon writes it, without its match marker, month number)."""
    out: set[tuple[str, int]] = set()
    for name, numbers in load_lexicon().categories("month").items():
        if " " in name:
            continue
        for n in numbers:
            out.add((norm(name.rstrip("=*")), int(n)))
    return tuple(sorted(out))


@cache
def month_number(word: str) -> int | None:
    """The month a word names or abbreviates (at least 3 letters), when only one fits."""
    w = norm(word).rstrip(".")
    if len(w) < 3:
        return None
    found = {n for name, n in _month_names() if name.startswith(w) or w.startswith(name)}
    return found.pop() if len(found) == 1 else None


def _safe(y: int, m: int, d: int) -> dt.date | None:
    if not YEAR_MIN <= y <= YEAR_MAX:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None
