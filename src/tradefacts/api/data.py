"""What the API and the dashboard read from the store, and the checks on what they are asked.

Everything here takes an open ``Store`` (read-only is enough) and returns plain dicts and
lists; ``jsonable`` makes them JSON. The store's own methods (``facts``, ``claims``,
``timeline``, ``targets``, ...) do the querying; the rest reads the tables documented in
``docs/schema.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from tradefacts.model import INDICATORS, STATUSES
from tradefacts.store import FACT_COLUMNS, Store
from tradefacts.util import given

#: the most rows one page of a list endpoint gives
PAGE_SIZE_MAX = 500
PAGE_SIZE_DEFAULT = 50
PAGE_MAX = 1_000_000

_PARTY = re.compile(r"^[A-Z]{2,4}(?:-[A-Z0-9]{1,3})?$")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[a-z]{2,4})?$", re.IGNORECASE)
_PERIOD = re.compile(r"^[0-9X./?~%-]{1,40}$")
_FACT_ID = re.compile(r"^[0-9a-f]{16}(?:\.\d{1,6})?$")
_STORY_ID = re.compile(r"^s[0-9a-f]{15}$")
_HEADER = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s*(.*)$")
_OPEN_VERDICTS = (None, "on track", "at risk", "off track")


class ApiError(Exception):
    """A request that cannot be answered: an HTTP status and one line for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad(message: str) -> ApiError:
    return ApiError(422, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


# --------------------------------------------------------------------------- parameters


def _items(value: str | None) -> list[str]:
    if value is None:
        return []
    return [v.strip() for v in value.split(",") if v.strip()]


def party_codes(name: str, value: str | None) -> list[str] | None:
    """``KAZ`` or ``kaz,uzb`` -> ``["KAZ", "UZB"]``; None when not given (or blank)."""
    codes = [v.upper() for v in _items(value)]
    for code in codes:
        if not _PARTY.fullmatch(code):
            raise bad(
                f"{name}: {code[:40]!r} is not a party code (ISO 3166 alpha-3 such as KAZ, "
                "a region such as CN-XJ, a bloc such as EAEU or OTS, or WLD)"
            )
    return codes or None


def party_code(name: str, value: str) -> str:
    codes = party_codes(name, value)
    if not codes or len(codes) != 1:
        raise bad(f"{name}: give one party code such as KAZ")
    return codes[0]


def choices(name: str, value: str | None, known: Sequence[str]) -> list[str] | None:
    values = [v.lower() for v in _items(value)]
    for v in values:
        if v not in known:
            raise bad(f"{name}: unknown value {v[:40]!r} (one of: {', '.join(known)})")
    return values or None


def indicators(value: str | None) -> list[str] | None:
    return choices("indicator", value, INDICATORS)


def statuses(value: str | None) -> list[str] | None:
    return choices("status", value, STATUSES)


def languages(value: str | None) -> list[str] | None:
    values = _items(value)
    for v in values:
        if not _LANG.fullmatch(v):
            raise bad(f"lang: {v[:40]!r} is not a language code (kk, ru, uz, uz-Cyrl, en, ...)")
    return values or None


def period(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if not _PERIOD.fullmatch(value.strip()):
        raise bad(f"period: {value[:40]!r} is not an EDTF period (2024, 2025-01/2025-09, ../2030)")
    return value.strip()


def year_range(since: int | None, until: int | None) -> None:
    if since is not None and until is not None and since > until:
        raise bad(f"since ({since}) is after until ({until})")


def common_filters(
    party: str | None = None,
    partner: str | None = None,
    indicator: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """The filters facts, claims, contradictions and targets share, checked (``ApiError``
    422); those not given left out."""
    return given(
        party=party_codes("party", party),
        partner=party_codes("partner", partner),
        indicator=indicators(indicator),
        status=statuses(status),
    )


def fact_filters(
    *,
    party: str | None = None,
    partner: str | None = None,
    indicator: str | None = None,
    status: str | None = None,
    lang: str | None = None,
    since: int | None = None,
    until: int | None = None,
    include_superseded: bool = False,
) -> dict[str, Any]:
    """The ``Store.facts`` filters from request parameters, checked (``ApiError`` 422)."""
    year_range(since, until)
    return {
        **common_filters(party, partner, indicator, status),
        **given(lang=languages(lang), since=since, until=until),
        "include_superseded": include_superseded,
    }


# --------------------------------------------------------------------------- JSON


def jsonable(value: Any) -> Any:
    """Dates as ISO strings, non-finite floats as null, tuples as lists, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def page_of(items: list[Any], page: int, page_size: int) -> dict[str, Any]:
    start = (page - 1) * page_size
    return {
        "total": len(items),
        "page": page,
        "page_size": page_size,
        "items": items[start : start + page_size],
    }


def _rows(store: Store, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = store.con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


_FACT_SELECT = ", ".join(FACT_COLUMNS)
_FACT_SELECT_F = ", ".join(f"f.{c}" for c in FACT_COLUMNS)


# --------------------------------------------------------------------------- facts


def facts_page(store: Store, filters: dict[str, Any], page: int, page_size: int) -> dict[str, Any]:
    """One page of ``Store.facts(**filters)`` and the total count."""
    total = store.count_facts(**filters)
    items = store.facts(**filters, limit=page_size, offset=(page - 1) * page_size)
    return {"total": total, "page": page, "page_size": page_size, "items": items}


def fact(store: Store, fact_id: str) -> dict[str, Any]:
    """One fact with its article, its claim (every source) and its story; 404 if unknown."""
    if not _FACT_ID.fullmatch(fact_id):
        raise not_found(f"no fact {fact_id[:40]!r} (fact ids are 16 hex digits)")
    rows = _rows(
        store,
        f"SELECT {_FACT_SELECT} FROM article_facts WHERE fact_id = ? "
        "ORDER BY superseded, article_id, version LIMIT 1",
        [fact_id],
    )
    if not rows:
        raise not_found(f"no fact {fact_id!r}")
    out = rows[0]
    claim = _rows(
        store,
        "SELECT c.* FROM claim_sources s JOIN claims c ON c.claim_id = s.claim_id "
        "WHERE s.fact_id = ? AND s.article_id = ? AND s.version = ?",
        [fact_id, out["article_id"], out["version"]],
    )
    out["claim"] = None
    if claim:
        out["claim"] = claim[0]
        out["claim"]["sources"] = claim_sources(store, [claim[0]["claim_id"]])[0]
    story = store.con.execute(
        "SELECT story_id FROM story_members WHERE article_id = ? AND version = ?",
        [out["article_id"], out["version"]],
    ).fetchall()
    out["story_id"] = story[0][0] if story else None
    return out


def claim_sources(store: Store, claim_ids: list[str]) -> list[list[dict[str, Any]]]:
    """The sources of each claim (in the order given), oldest first, with their evidence."""
    if not claim_ids:
        return []
    rows = _rows(
        store,
        "SELECT s.claim_id, s.fact_id, s.article_id, s.version, a.url, a.title, s.published, "
        "s.lang, s.value, s.value_max, s.bound, s.stated_period, s.period_inferred, "
        "f.unit, f.evidence_sentence, f.evidence_start, f.evidence_end "
        "FROM claim_sources s "
        "JOIN facts f ON f.fact_id = s.fact_id AND f.article_id = s.article_id "
        "AND f.version = s.version "
        "JOIN articles a ON a.id = s.article_id AND a.version = s.version "
        "WHERE list_contains(?, s.claim_id) "
        "ORDER BY s.published NULLS LAST, s.article_id, f.n",
        [claim_ids],
    )
    by_claim: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_claim[r.pop("claim_id")].append(r)
    return [by_claim.get(c, []) for c in claim_ids]


def best_source(claim: dict[str, Any], sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The source that states the claim's best value (else the earliest)."""
    for s in sources:
        if s["value"] == claim["value"] and s["bound"] == claim["bound"]:
            return s
    return sources[0] if sources else None


# --------------------------------------------------------------------------- articles


def headline(article: dict[str, Any]) -> str:
    """The title, else the text's first line (after a ``date`` header), shortened."""
    if article.get("title"):
        return str(article["title"])
    text = str(article.get("text") or "")
    first = text.strip().split("\n", 1)[0] if text.strip() else ""
    m = _HEADER.match(first)
    if m:
        first = m.group(1) or (text.strip().split("\n")[1:2] or [""])[0]
    first = " ".join(first.split())
    if not first:
        return str(article.get("doc_id") or article.get("id") or "")
    return first if len(first) <= 140 else first[:139] + "…"


def segments(text: str, facts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut at every evidence boundary: ``{start, end, text, facts}`` pieces in order,
    ``facts`` listing the facts whose evidence covers the piece (empty: plain text)."""
    spans = []
    cuts = {0, len(text)}
    for f in facts:
        start, end = f.get("evidence_start"), f.get("evidence_end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            spans.append((start, end, f["fact_id"]))
            cuts.update((start, end))
    bounds = sorted(cuts)
    out: list[dict[str, Any]] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        ids = [fid for s, e, fid in spans if s <= a and b <= e]
        if out and out[-1]["facts"] == ids:
            out[-1]["end"] = b
            out[-1]["text"] += text[a:b]
            continue
        out.append({"start": a, "end": b, "text": text[a:b], "facts": ids})
    return out


def article(
    store: Store, article_id: str, version: int | None = None, *, with_text: bool = True
) -> dict[str, Any]:
    """An article version (the current one by default) with its text, facts and evidence
    spans; 404 if unknown."""
    if "\x00" in article_id or len(article_id) > 4000:
        raise not_found("no such article")
    versions = _rows(
        store,
        "SELECT version, superseded, ingested_at, published, extractor_version FROM articles "
        "WHERE id = ? ORDER BY version",
        [article_id],
    )
    if not versions:
        raise not_found(f"no article {article_id[:200]!r}")
    if version is None:
        current = [v["version"] for v in versions if not v["superseded"]]
        chosen = current[0] if current else versions[-1]["version"]
    elif version in {v["version"] for v in versions}:
        chosen = version
    else:
        raise not_found(f"article {article_id[:200]!r} has no version {version}")
    row = _rows(
        store,
        "SELECT id, version, doc_id, url, source, title, published, published_from, lang, "
        "label_lang, text, superseded, ingested_at, extractor_version "
        "FROM articles WHERE id = ? AND version = ?",
        [article_id, chosen],
    )[0]
    facts = _rows(
        store,
        f"SELECT {_FACT_SELECT} FROM article_facts WHERE article_id = ? AND version = ? "
        "ORDER BY evidence_start, fact_id",
        [article_id, chosen],
    )
    story = store.con.execute(
        "SELECT story_id FROM story_members WHERE article_id = ? AND version = ?",
        [article_id, chosen],
    ).fetchall()
    row["headline"] = headline(row)
    row["versions"] = versions
    row["facts"] = facts
    row["story_id"] = story[0][0] if story else None
    pieces = segments(row["text"], facts)
    row["spans"] = [
        {"start": p["start"], "end": p["end"], "fact_ids": p["facts"]} for p in pieces if p["facts"]
    ]
    if with_text:
        row["segments"] = pieces
    else:
        row.pop("text")
    return row


# --------------------------------------------------------------------------- pairs


def _pair(a: str, b: str) -> tuple[str, str]:
    x, y = sorted((a, b))
    return x, y


def _latest(series: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest full year of the preferred (USD) series, and the latest later partial."""
    if not series:
        return None
    usd = [s for s in series if s["unit"] == "USD"]
    s = (usd or series)[0]
    latest = s["years"][-1] if s["years"] else None
    partial = s["partial"][-1] if s["partial"] else None
    if partial is not None and latest is not None and partial["year"] <= latest["year"]:
        partial = None
    if latest is None and partial is None:
        return None
    change, change_from = None, None
    if latest is not None:
        if latest.get("growth_pct") is not None:
            change, change_from = latest["growth_pct"], "computed"
        elif latest.get("stated_growth") is not None:
            change, change_from = latest["stated_growth"], "stated"
    return {
        "unit": s["unit"],
        "year": latest,
        "partial": partial,
        "change_pct": change,
        "change_from": change_from,
    }


def pairs(store: Store, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Every pair of parties the current facts speak of: the latest annual turnover and its
    change, the latest later partial period, sources, facts and the open targets."""
    from tradefacts.reconcile.timeline import build

    counts = _rows(
        store,
        "SELECT least(f.party_a, f.party_b) AS a, greatest(f.party_a, f.party_b) AS b, "
        "count(DISTINCT f.article_id) AS sources, count(*) AS facts, "
        "list(DISTINCT coalesce(a.lang, 'und') ORDER BY coalesce(a.lang, 'und')) AS languages, "
        "list(DISTINCT f.indicator) AS indicators, max(a.published) AS last_published "
        "FROM facts f JOIN articles a ON a.id = f.article_id AND a.version = f.version "
        "WHERE NOT f.superseded GROUP BY 1, 2",
    )
    claims = [
        c
        for c in store.claims(indicator="turnover", status="actual", sources=False)
        if c["product"] is None and c["period"]
    ]
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in build(claims):
        by_pair[_pair(s["party_a"], s["party_b"])].append(s)
    targets_of: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for t in store.targets(as_of=as_of):
        targets_of[_pair(t["party_a"], t["party_b"])].append(t)
    out = []
    for row in counts:
        key = (row["a"], row["b"])
        open_targets = [t for t in targets_of.get(key, []) if t["verdict"] in _OPEN_VERDICTS]
        row["indicators"] = [i for i in INDICATORS if i in (row["indicators"] or [])]
        row["turnover"] = _latest(by_pair.get(key, []))
        row["targets"] = len(targets_of.get(key, []))
        row["open_targets"] = len(open_targets)
        nearest = sorted(
            open_targets, key=lambda t: (t["indicator"] != "turnover", t["deadline"] or 9999)
        )
        row["next_target"] = nearest[0] if nearest else None
        out.append(row)

    def rank(r: dict[str, Any]) -> tuple[Any, ...]:
        t = r["turnover"]
        value = t["year"]["value"] if t and t["year"] and t["unit"] == "USD" else -1.0
        return (-value, -r["facts"], r["a"], r["b"])

    out.sort(key=rank)
    return out


def pair(store: Store, a: str, b: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """One pair: its timeline series (each point with the fact behind it), its targets,
    and counts; 404 when no current fact names the pair."""
    a, b = _pair(a, b)
    counts = store.con.execute(
        "SELECT count(*), count(DISTINCT article_id) FROM facts WHERE NOT superseded AND "
        "((party_a = ? AND party_b = ?) OR (party_a = ? AND party_b = ?))",
        [a, b, b, a],
    ).fetchall()[0]
    if not counts[0]:
        raise not_found(f"no facts about {a} and {b}")
    series = store.timeline(a, b)
    targets = store.targets(as_of=as_of, party=a, partner=b)
    targets = [t for t in targets if _pair(t["party_a"], t["party_b"]) == (a, b)]
    claims = store.claims(party=a, partner=b, sources=False)
    claims = [c for c in claims if _pair(c["party_a"], c["party_b"]) == (a, b)]
    points = [r for s in series for r in (*s["years"], *s["partial"], *s["other"])]
    points += [x for r in list(points) for x in r.get("alternatives", [])]
    wanted = [r["claim_id"] for r in points] + [t["claim_id"] for t in targets]
    by_id = {c["claim_id"]: c for c in claims}
    wanted = [c for c in dict.fromkeys(wanted) if c in by_id]
    for cid, sources in zip(wanted, claim_sources(store, wanted), strict=True):
        by_id[cid]["sources"] = sources
    for r in (*points, *targets):
        claim = by_id.get(r["claim_id"])
        r["fact"] = best_source(claim, claim.get("sources", [])) if claim else None
    return {
        "a": a,
        "b": b,
        "facts": int(counts[0]),
        "sources": int(counts[1]),
        "series": series,
        "targets": targets,
        "claims": len(claims),
    }


# --------------------------------------------------------------------------- stories


def story(store: Store, story_id: str) -> dict[str, Any]:
    """A story: its articles, and its facts side by side (one row per claim, one column per
    article); 404 if unknown."""
    if not _STORY_ID.fullmatch(story_id):
        raise not_found(f"no story {story_id[:40]!r} (story ids are s + 15 hex digits)")
    found = _rows(store, "SELECT * FROM stories WHERE story_id = ?", [story_id])
    if not found:
        raise not_found(f"no story {story_id!r}")
    out = found[0]
    members = _rows(
        store,
        "SELECT m.article_id, m.version, m.position, m.link_kind, m.link_score, a.doc_id, "
        "a.url, a.title, a.source, a.published, a.lang, a.text "
        "FROM story_members m JOIN articles a ON a.id = m.article_id AND a.version = m.version "
        "WHERE m.story_id = ? ORDER BY m.position",
        [story_id],
    )
    for m in members:
        m["headline"] = headline(m)
        m.pop("text")
    facts = _rows(
        store,
        f"SELECT {_FACT_SELECT_F}, s.claim_id FROM story_members m "
        "JOIN article_facts f ON f.article_id = m.article_id AND f.version = m.version "
        "LEFT JOIN claim_sources s ON s.fact_id = f.fact_id AND s.article_id = f.article_id "
        "AND s.version = f.version "
        "WHERE m.story_id = ? ORDER BY m.position, f.n",
        [story_id],
    )
    column = {m["article_id"]: i for i, m in enumerate(members)}
    rows: dict[str, dict[str, Any]] = {}
    for f in facts:
        key = f["claim_id"] or f["fact_id"]
        row = rows.setdefault(
            key,
            {
                "claim_id": f["claim_id"],
                "indicator": f["indicator"],
                "party_a": f["party_a"],
                "party_b": f["party_b"],
                "period": f["period"],
                "status": f["status"],
                "unit": f["unit"],
                "cells": [[] for _ in members],
            },
        )
        row["cells"][column[f["article_id"]]].append(
            {
                "fact_id": f["fact_id"],
                "article_id": f["article_id"],
                "version": f["version"],
                "lang": f["lang"],
                "value": f["value"],
                "value_max": f["value_max"],
                "bound": f["bound"],
                "period": f["period"],
                "evidence_sentence": f["evidence_sentence"],
            }
        )
    order = {name: i for i, name in enumerate(INDICATORS)}
    out["members"] = members
    out["rows"] = sorted(
        rows.values(),
        key=lambda r: (
            -sum(1 for c in r["cells"] if c),
            order.get(r["indicator"], 99),
            r["party_a"],
            r["party_b"],
            r["period"] or "",
        ),
    )
    for r in out["rows"]:
        r["articles"] = sum(1 for c in r["cells"] if c)
    return out
