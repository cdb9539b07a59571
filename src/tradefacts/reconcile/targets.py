"""Targets against the actuals: progress, the growth needed, and a verdict.

Every target claim (``status = 'target'``, no product scope) is one row: its parties,
indicator, value and deadline, who stated it first and when. Against it stand the
reconciled full-year actuals of the same indicator, parties and unit (``timeline``):

- ``deadline``: the last year of the target's period (``../2030`` -> 2030); none without
  a period.
- ``actual``: the latest full-year actual of a year up to the deadline and at most
  ``MAX_ACTUAL_AGE`` (3) years before the year the target was stated (a 2025 target is
  not judged against a 2006 figure); ``progress_pct`` = actual / target x 100.
- ``needed_cagr_pct``: the compound annual growth that takes the actual to the target
  by the deadline year: ``((target / actual) ** (1 / (deadline - actual year)) - 1) x 100``.
- ``recent_cagr_pct``: the compound annual growth of the actuals over the last (up to)
  ``RECENT_YEARS`` years before the latest one: from the earliest full year known in
  ``[year - 3, year - 1]`` to the latest, both stated as they are or "about" (not "more
  than"). Without such a year, the growth the sources state for the latest year, if any.
- ``verdict`` as of a date (default today):
  - ``met``: the actual has reached the target;
  - ``expired``: the deadline year is over and the target was not met;
  - ``on track``: growing at the recent rate reaches the target by the deadline
    (recent CAGR >= needed CAGR);
  - ``at risk``: at the recent rate the actual would reach at least ``AT_RISK`` (80 %)
    of the target by the deadline;
  - ``off track``: less than that, or the deadline is the year of the latest actual;
  - no verdict (``None``) when the target has no deadline, or there is no actual, or no
    recent growth to project with; ``note`` says which.
- ``restated``: a target stated later for the same indicator, parties and unit moved the
  deadline of the same value, or changed the value for the same deadline
  (``restated_by`` says which); the older target keeps its row and its verdict.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from tradefacts.reconcile.claims import compatible
from tradefacts.reconcile.timeline import build, classify

RECENT_YEARS = 3
AT_RISK = 0.8
MAX_ACTUAL_AGE = 3
POINT_BOUNDS = ("eq", "approx")


def deadline_year(period: str | None) -> int | None:
    """The year a target's period ends in: ``../2030`` -> 2030, ``2018/2019`` -> 2019."""
    if not period:
        return None
    last = period.rpartition("/")[2] if "/" in period else period
    head = last[:4]
    return int(head) if head.isdigit() else None


def _restates(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """A new deadline for the same value, or a new value for the same deadline."""
    same_value = compatible(
        (new["target"], new["bound"], None), (old["target"], old["bound"], None)
    )
    return (new["deadline"] != old["deadline"]) == same_value


def cagr(start: float, end: float, years: float) -> float | None:
    """Compound annual growth in percent, or None when it cannot be computed."""
    if years <= 0 or start <= 0 or end <= 0:
        return None
    return ((end / start) ** (1 / years) - 1) * 100


def _target_claims(con: Any, where: list[str], params: list[Any]) -> list[dict[str, Any]]:
    sql = (
        "SELECT c.*, a.url AS first_url, a.doc_id AS first_doc FROM claims c "
        "JOIN articles a ON a.id = c.first_article AND NOT a.superseded "
        "WHERE c.status = 'target' AND c.product IS NULL"
    )
    if where:
        sql += " AND " + " AND ".join(where)
    cur = con.execute(sql + " ORDER BY c.claim_id", params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _series(con: Any, indicator: str, a: str, b: str, unit: str) -> dict[int, dict[str, Any]]:
    cur = con.execute(
        "SELECT * FROM claims WHERE status = 'actual' AND product IS NULL "
        "AND indicator = ? AND party_a = ? AND party_b = ? AND unit = ? AND period IS NOT NULL",
        [indicator, a, b, unit],
    )
    names = [d[0] for d in cur.description]
    claims = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    claims = [c for c in claims if classify(c["period"])[0] == "year"]
    series = build(claims)
    return {r["year"]: r for s in series for r in s["years"]}


def assess(
    target: float,
    deadline: int | None,
    years: dict[int, dict[str, Any]],
    as_of: dt.date,
    stated: dt.date | None = None,
) -> dict[str, Any]:
    """Progress, growth needed and recent, and the verdict of one target (module doc)."""
    out: dict[str, Any] = {
        "actual": None,
        "actual_year": None,
        "actual_sources": None,
        "progress_pct": None,
        "needed_cagr_pct": None,
        "recent_cagr_pct": None,
        "recent_from": None,
        "verdict": None,
        "note": None,
    }
    known = sorted(y for y in years if deadline is None or y <= deadline)
    usable = [y for y in known if stated is None or y >= stated.year - MAX_ACTUAL_AGE]
    if usable:
        y = usable[-1]
        actual = years[y]["value"]
        out.update(actual=actual, actual_year=y, actual_sources=years[y]["sources"])
        if target > 0:
            out["progress_pct"] = actual / target * 100

        def point(year: int) -> bool:
            return years[year].get("bound", "eq") in POINT_BOUNDS

        earlier = [e for e in known if y - RECENT_YEARS <= e < y and point(e)] if point(y) else []
        if earlier:
            out["recent_from"] = earlier[0]
            out["recent_cagr_pct"] = cagr(years[earlier[0]]["value"], actual, y - earlier[0])
        elif years[y].get("stated_growth") is not None:
            out["recent_cagr_pct"] = float(years[y]["stated_growth"])
            out["recent_from"] = "stated"
        if deadline is not None and deadline > y:
            out["needed_cagr_pct"] = cagr(actual, target, deadline - y)
        if actual >= target:
            out["verdict"] = "met"
            return out
    if deadline is None:
        out["note"] = "no deadline"
        return out
    if as_of > dt.date(deadline, 12, 31):
        out["verdict"] = "expired"
        return out
    if not usable:
        out["note"] = "no recent full-year actual" if years else "no full-year actual"
        return out
    y, actual = out["actual_year"], out["actual"]
    if deadline <= y:
        out["verdict"] = "off track"
        return out
    recent = out["recent_cagr_pct"]
    if recent is None:
        out["note"] = "no growth history"
        return out
    projected = actual * (1 + recent / 100) ** (deadline - y)
    if projected >= target * (1 - 1e-9):  # the same as: recent CAGR >= needed CAGR
        out["verdict"] = "on track"
    elif projected >= AT_RISK * target:
        out["verdict"] = "at risk"
    else:
        out["verdict"] = "off track"
    return out


def targets(
    con: Any,
    *,
    as_of: dt.date | None = None,
    party: Any = None,
    partner: Any = None,
    indicator: list[str] | None = None,
) -> list[dict[str, Any]]:
    from tradefacts.reconcile.queries import party_filter

    when = as_of or dt.date.today()
    where, params = party_filter("c", party, partner)
    if indicator:
        where.append("list_contains(?, c.indicator)")
        params.append(indicator)
    claims = _target_claims(con, where, params)
    series_cache: dict[tuple[str, str, str, str], dict[int, dict[str, Any]]] = {}
    by_subject: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    rows = []
    for c in claims:
        subject = (c["indicator"], c["party_a"], c["party_b"], c["unit"])
        if subject not in series_cache:
            series_cache[subject] = _series(con, *subject)
        deadline = deadline_year(c["period"])
        row = {
            "claim_id": c["claim_id"],
            "indicator": c["indicator"],
            "party_a": c["party_a"],
            "party_b": c["party_b"],
            "unit": c["unit"],
            "target": c["value"],
            "bound": c["bound"],
            "period": c["period"],
            "deadline": deadline,
            "stated": c["first_seen"],
            "stated_by": c["first_url"] or c["first_article"],
            "sources": c["n_sources"],
            "languages": list(c["languages"] or []),
            "restated": False,
            "restated_by": None,
        }
        row.update(assess(c["value"], deadline, series_cache[subject], when, c["first_seen"]))
        rows.append(row)
        by_subject[subject].append(row)
    for group in by_subject.values():
        dated = [r for r in group if r["stated"] is not None]
        for r in dated:
            later = [o for o in dated if o["stated"] > r["stated"] and _restates(o, r)]
            if later:
                newest = max(later, key=lambda o: (o["stated"], o["claim_id"]))
                r["restated"] = True
                r["restated_by"] = newest["claim_id"]
    rows.sort(
        key=lambda r: (
            r["indicator"],
            r["party_a"],
            r["party_b"],
            r["deadline"] is None,
            r["deadline"] or 0,
            r["stated"] is None,
            r["stated"] or dt.date.min,
            r["claim_id"],
        )
    )
    return rows
