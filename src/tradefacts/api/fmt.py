"""How the dashboard writes numbers, bounds, parties and dates (also Jinja filters)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from urllib.parse import quote, urlencode

from tradefacts.util import scaled

#: names shown beside the codes; any other code is shown as it is
PARTY_NAMES = {
    "AFG": "Afghanistan",
    "ARM": "Armenia",
    "AZE": "Azerbaijan",
    "BLR": "Belarus",
    "CA": "Central Asia",
    "CHN": "China",
    "CIS": "CIS",
    "CN-XJ": "Xinjiang",
    "DEU": "Germany",
    "EAEU": "EAEU",
    "EU": "European Union",
    "GEO": "Georgia",
    "IND": "India",
    "IRN": "Iran",
    "JPN": "Japan",
    "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan",
    "KOR": "South Korea",
    "MNG": "Mongolia",
    "OTS": "Organization of Turkic States",
    "PAK": "Pakistan",
    "RUS": "Russia",
    "SCO": "SCO",
    "TJK": "Tajikistan",
    "TKM": "Turkmenistan",
    "TUR": "Türkiye",
    "UKR": "Ukraine",
    "USA": "United States",
    "UZB": "Uzbekistan",
    "WLD": "the world",
}

_SCALES = ((1e12, "trn"), (1e9, "bn"), (1e6, "mln"), (1e3, "thousand"))
BOUND_SIGNS = {"eq": "", "approx": "~", "gt": ">", "lt": "<", "range": ""}
BOUND_WORDS = {
    "eq": "as stated",
    "approx": "about",
    "gt": "more than",
    "lt": "less than",
    "range": "range",
}
UNORDERED = ("turnover", "freight")


def human(value: float | None, unit: str | None = None) -> str:
    """22000000000 -> ``22 bn``; 910800000 -> ``910.8 mln``; the unit after it."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return scaled(value, _SCALES, unit)


def stated(
    value: float | None, bound: str | None, value_max: float | None = None, unit: str | None = None
) -> str:
    """A value as its sources state it: ``>3.2 bn USD``, ``~1.1 bn USD``, ``3.5–4 bn USD``."""
    if value is None:
        return "–"
    if bound == "range" and value_max is not None:
        low = human(value)
        high = human(value_max, unit)
        if low.split(" ")[-1] == high.split(" ")[-2 if unit else -1]:
            low = low.rsplit(" ", 1)[0]  # 3.5 bn–4 bn -> 3.5–4 bn
        return f"{low}–{high}"
    return BOUND_SIGNS.get(bound or "eq", "") + human(value, unit)


def number(value: float | None) -> str:
    """All the digits: ``4,400,000,000``; ``1,234.5``."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    v = float(value)
    return f"{v:,.0f}" if v == int(v) else f"{v:,.6f}".rstrip("0").rstrip(".")


def pct(value: float | None, digits: int = 1) -> str:
    if value is None or not math.isfinite(float(value)):
        return "–"
    return f"{float(value):+.{digits}f}%"


def parties(indicator: str, a: str, b: str) -> str:
    """``KAZ/UZB`` for a pair (turnover, freight), ``KAZ→UZB`` for a direction."""
    return f"{a}/{b}" if indicator in UNORDERED else f"{a}→{b}"


def party_name(code: str | None) -> str:
    if not code:
        return "–"
    return PARTY_NAMES.get(code, code)


def date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if value else "–"


def article_path(article_id: str, version: int | None = None, fact: str | None = None) -> str:
    """The dashboard page of an article (its id percent-encoded whole: ids are URLs or paths)."""
    path = "/articles/" + quote(article_id, safe="")
    query = {k: v for k, v in (("version", version), ("fact", fact)) if v is not None}
    if query:
        path += "?" + urlencode(query)
    if fact is not None:
        path += "#evidence"
    return path


def fact_path(fact_id: str) -> str:
    return "/facts/" + quote(fact_id, safe="")


def pair_path(a: str, b: str) -> str:
    a, b = sorted((a, b))
    return f"/pairs/{quote(a, safe='')}/{quote(b, safe='')}"


def query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from ``params`` with ``changes``; empty values left out."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


FILTERS = {
    "human": human,
    "stated": stated,
    "pct": pct,
    "number": number,
    "party_name": party_name,
    "date": date,
}
GLOBALS = {
    "article_path": article_path,
    "fact_path": fact_path,
    "pair_path": pair_path,
    "parties": parties,
    "query": query,
    "BOUND_WORDS": BOUND_WORDS,
}
