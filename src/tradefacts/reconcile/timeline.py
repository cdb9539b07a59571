"""The reconciled figures between two parties, period by period.

One series per indicator, direction (``KAZ→UZB`` export and ``UZB→KAZ`` export are two
series) and unit, from the *actual* claims without a product scope:

- ``years``: full calendar years (``2024``, or ``2024-01/2024-12``): the main series, with
  the growth from the year before when both are known;
- ``partial``: parts of one year (a month, a quarter, a half, "9 months" =
  ``2025-01/2025-09``), kept beside the years and never mixed into them;
- ``other``: cumulative or multi-year periods (``../2025``, ``2005/2025``).

The growth from the year before is computed only between values stated as they are or
"about" (``eq``, ``approx``), never from "more than" / "less than" figures.

For each period the *reconciled* value is the claim with the most sources (then the most
precise, then the first seen); when several claims of the period disagree, the period is
``disputed`` and the others are listed as ``alternatives``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from tradefacts.model import INDICATORS

#: bounds whose value is the figure itself (not a floor or a ceiling): growth is computed
#: between such values only
POINT_BOUNDS = ("eq", "approx")
_YEAR = re.compile(r"^(\d{4})$")
_MONTHS = re.compile(r"^(\d{4})-(\d{2})(?:/(\d{4})-(\d{2}))?$")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def classify(period: str | None) -> tuple[str, int | None, str, int | None]:
    """``(kind, year, label, months)``: kind ``year``, ``partial`` or ``other``.

    ``"2024"`` -> year 2024; ``"2025-01/2025-09"`` -> partial, "Jan-Sep", 9 months;
    ``"2025-01/2025-12"`` is the full year; ``"../2030"`` -> other.
    """
    if not period:
        return "other", None, "-", None
    m = _YEAR.match(period)
    if m:
        return "year", int(m.group(1)), period, 12
    m = _MONTHS.match(period)
    if m:
        y1, m1 = int(m.group(1)), int(m.group(2))
        y2, m2 = (int(m.group(3)), int(m.group(4))) if m.group(3) else (y1, m1)
        if y1 == y2 and 1 <= m1 <= m2 <= 12:
            if (m1, m2) == (1, 12):
                return "year", y1, str(y1), 12
            label = (
                MONTH_NAMES[m1 - 1] if m1 == m2 else f"{MONTH_NAMES[m1 - 1]}-{MONTH_NAMES[m2 - 1]}"
            )
            return "partial", y1, label, m2 - m1 + 1
    return "other", None, period, None


def _rank(c: dict[str, Any]) -> tuple[Any, ...]:
    width = (c["hi"] - c["lo"]) / max(abs(c["value"]), 1e-9)
    return (-c["n_sources"], width, c["first_seen"] is None, c["first_seen"] or "", c["claim_id"])


def reconcile_period(claims: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The reconciled row of one period from its claims."""
    ranked = sorted(claims, key=_rank)
    top = ranked[0]
    kind, year, label, months = classify(top["period"])
    return {
        "period": top["period"],
        "kind": kind,
        "year": year,
        "label": label,
        "months": months,
        "value": top["value"],
        "value_max": top["value_max"],
        "bound": top["bound"],
        "lo": top["lo"],
        "hi": top["hi"],
        "sources": top["n_sources"],
        "languages": list(top["languages"] or []),
        "first_seen": top["first_seen"],
        "stated_growth": top["growth_value"],
        "claim_id": top["claim_id"],
        "disputed": len(ranked) > 1,
        "alternatives": [
            {
                "value": c["value"],
                "value_max": c["value_max"],
                "bound": c["bound"],
                "sources": c["n_sources"],
                "claim_id": c["claim_id"],
            }
            for c in ranked[1:]
        ],
    }


def actual_claims(
    con: Any, a: str, b: str, indicators: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    sql = (
        "SELECT * FROM claims WHERE status = 'actual' AND product IS NULL AND period IS NOT NULL "
        "AND ((party_a = ? AND party_b = ?) OR (party_a = ? AND party_b = ?))"
    )
    params: list[Any] = [a, b, b, a]
    if indicators:
        sql += " AND list_contains(?, indicator)"
        params.append(list(indicators))
    cur = con.execute(sql + " ORDER BY claim_id", params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def build(claims: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Series from actual claims (see the module docstring)."""
    by_period: dict[tuple[str, str, str, str], dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for c in claims:
        by_period[(c["indicator"], c["party_a"], c["party_b"], c["unit"])][c["period"]].append(c)
    out = []
    order = {name: i for i, name in enumerate(INDICATORS)}
    for key in sorted(by_period, key=lambda k: (order.get(k[0], 99), k[1], k[2], k[3])):
        rows = [reconcile_period(cs) for cs in by_period[key].values()]
        years = sorted((r for r in rows if r["kind"] == "year"), key=lambda r: r["year"])
        partial = sorted(
            (r for r in rows if r["kind"] == "partial"),
            key=lambda r: (r["year"], r["period"]),
        )
        other = sorted((r for r in rows if r["kind"] == "other"), key=lambda r: r["period"])
        exact = {r["year"]: r["value"] for r in years if r["bound"] in POINT_BOUNDS}
        for r in years:
            before = exact.get(r["year"] - 1)
            r["growth_pct"] = (
                round((r["value"] / before - 1) * 100, 6) if before and r["year"] in exact else None
            )
        indicator, pa_, pb_, unit = key
        out.append(
            {
                "indicator": indicator,
                "party_a": pa_,
                "party_b": pb_,
                "unit": unit,
                "years": years,
                "partial": partial,
                "other": other,
            }
        )
    return out


def timeline(
    con: Any, a: str, b: str, indicators: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The series between parties ``a`` and ``b`` (either direction)."""
    return build(actual_claims(con, a, b, indicators))
