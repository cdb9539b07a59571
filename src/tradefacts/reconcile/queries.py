"""Reading the reconciliation tables: claims with their sources, contradictions, stories."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from tradefacts.model import INDICATORS, STATUSES
from tradefacts.store import _check_known, _values, _year


def _rows(con: Any, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def party_filter(
    alias: str,
    party: str | Iterable[str] | None,
    partner: str | Iterable[str] | None,
) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``alias.party_a``/``party_b`` with the ``facts`` semantics."""
    parties = _values(party, str.upper)
    partners = _values(partner, str.upper)
    a, b = f"{alias}.party_a", f"{alias}.party_b"
    if parties and partners:
        return (
            [
                f"((list_contains(?, {a}) AND list_contains(?, {b})) "
                f"OR (list_contains(?, {b}) AND list_contains(?, {a})))"
            ],
            [parties, partners, parties, partners],
        )
    either = parties or partners
    if either:
        return [f"(list_contains(?, {a}) OR list_contains(?, {b}))"], [either, either]
    return [], []


def _common(
    alias: str,
    *,
    party: Any = None,
    partner: Any = None,
    indicator: Any = None,
    status: Any = None,
) -> tuple[list[str], list[Any]]:
    where, params = party_filter(alias, party, partner)
    indicators = _values(indicator, str.lower)
    _check_known("indicator", indicators, INDICATORS)
    if indicators:
        where.append(f"list_contains(?, {alias}.indicator)")
        params.append(indicators)
    statuses = _values(status, str.lower)
    _check_known("status", statuses, STATUSES)
    if statuses:
        where.append(f"list_contains(?, {alias}.status)")
        params.append(statuses)
    return where, params


def claims(
    con: Any,
    *,
    party: Any = None,
    partner: Any = None,
    indicator: Any = None,
    status: Any = None,
    period: str | None = None,
    since: int | str | None = None,
    until: int | str | None = None,
    min_sources: int | None = None,
    min_languages: int | None = None,
    disputed: bool | None = None,
    limit: int | None = None,
    sources: bool = True,
) -> list[dict[str, Any]]:
    where, params = _common("c", party=party, partner=partner, indicator=indicator, status=status)
    if period is not None:
        where.append("c.period = ?")
        params.append(period)
    if since is not None:
        where.append("c.period IS NOT NULL AND year(coalesce(c.period_end, c.period_start)) >= ?")
        params.append(_year("since", since))
    if until is not None:
        where.append("c.period IS NOT NULL AND year(coalesce(c.period_start, c.period_end)) <= ?")
        params.append(_year("until", until))
    if min_sources is not None:
        where.append("c.n_sources >= ?")
        params.append(int(min_sources))
    if min_languages is not None:
        where.append("len(c.languages) >= ?")
        params.append(int(min_languages))
    if disputed is not None:
        where.append("c.disputed = ?")
        params.append(bool(disputed))
    sql = "SELECT c.* FROM claims c"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += (
        " ORDER BY c.n_sources DESC, c.first_seen NULLS LAST, c.indicator, c.party_a, "
        "c.party_b, c.period NULLS LAST, c.claim_id"
    )
    if limit is not None:
        sql += f" LIMIT {max(0, int(limit))}"
    out = _rows(con, sql, params)
    if sources and out:
        for claim, srcs in zip(out, claim_sources(con, [c["claim_id"] for c in out]), strict=True):
            claim["sources"] = srcs
    return out


def claim_sources(con: Any, claim_ids: list[str]) -> list[list[dict[str, Any]]]:
    """The sources of each claim (in the order given), oldest first."""
    import pyarrow as pa

    con.register("_tf_claim_ids", pa.table({"claim_id": pa.array(claim_ids, pa.string())}))
    try:
        rows = _rows(
            con,
            "SELECT s.claim_id, s.fact_id, s.article_id, s.version, a.doc_id, a.url, a.source, "
            "s.published, s.lang, s.value, s.value_max, s.bound, s.stated_period, "
            "s.period_inferred, s.story_id, f.growth_value, f.evidence_sentence, "
            "f.evidence_start, f.evidence_end "
            "FROM claim_sources s JOIN _tf_claim_ids i ON s.claim_id = i.claim_id "
            "JOIN facts f ON f.fact_id = s.fact_id AND f.article_id = s.article_id "
            "AND f.version = s.version "
            "JOIN articles a ON a.id = s.article_id AND a.version = s.version "
            "ORDER BY s.published NULLS LAST, s.article_id, f.n",
        )
    finally:
        con.unregister("_tf_claim_ids")
    by_claim: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_claim[r.pop("claim_id")].append(r)
    return [by_claim.get(c, []) for c in claim_ids]


def contradictions(
    con: Any,
    *,
    party: Any = None,
    partner: Any = None,
    indicator: Any = None,
    status: Any = None,
) -> list[dict[str, Any]]:
    where, params = _common("x", party=party, partner=partner, indicator=indicator, status=status)
    sql = (
        "SELECT x.*, aa.url AS url_a, aa.doc_id AS doc_a, ab.url AS url_b, ab.doc_id AS doc_b "
        "FROM contradictions x "
        "JOIN articles aa ON aa.id = x.article_a AND NOT aa.superseded "
        "JOIN articles ab ON ab.id = x.article_b AND NOT ab.superseded"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY x.indicator, x.party_a, x.party_b, x.period, x.status, x.claim_a, x.claim_b"
    return _rows(con, sql, params)


def stories(con: Any, *, min_articles: int = 2, party: Any = None) -> list[dict[str, Any]]:
    where, params = ["s.n_articles >= ?"], [int(min_articles)]
    parties = _values(party, str.upper)
    if parties:
        where.append("len(list_intersect(s.parties, ?)) > 0")
        params.append(parties)
    out = _rows(
        con,
        "SELECT s.* FROM stories s WHERE "
        + " AND ".join(where)
        + " ORDER BY s.last_published DESC NULLS LAST, s.n_articles DESC, s.story_id",
        params,
    )
    if not out:
        return out
    members = _rows(
        con,
        "SELECT m.story_id, m.article_id, m.version, m.position, m.link_kind, m.link_score, "
        "a.doc_id, a.url, a.title, a.source, a.published, a.lang, "
        "(SELECT count(*) FROM facts f WHERE f.article_id = m.article_id "
        " AND f.version = m.version) AS facts "
        "FROM story_members m JOIN articles a ON a.id = m.article_id AND a.version = m.version "
        "ORDER BY m.story_id, m.position",
    )
    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in members:
        by_story[m.pop("story_id")].append(m)
    for s in out:
        s["members"] = by_story.get(s["story_id"], [])
    return out
