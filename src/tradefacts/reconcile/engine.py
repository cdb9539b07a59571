"""Reconciliation in the database: the tables, and their update after each ingest.

``Store.ingest`` (and ``reextract``) put the id of every article they store into
``reconcile_queue`` in the same transaction as the article; at the end of the run
``Store.reconcile()`` calls ``run(con, queued ids)`` in one transaction, which:

1. computes the MinHash signature and LSH bands of the queued articles' current versions;
2. drops the story links of those articles and links them anew against every current
   article (candidates: articles that state one of their figures, found through an index
   of the figures of the affected keys, or that share an LSH band, within the date
   window); links between other articles stay as they were, since a link depends on its
   two articles only;
3. regroups all links into stories (cheap: links are few) and rewrites ``stories`` and
   ``story_members``;
4. rebuilds the claims and contradictions of the affected keys only: the (indicator,
   parties, status, unit) of every fact of a queued article (old versions included, so
   that superseded facts leave their claims) and of every article whose story changed
   (a fact without a period takes one from its story).

``run(con, None)`` recomputes everything from scratch (``tradefacts reconcile --full``).
After a crash the queue still holds what was not reconciled, and the next ingest or
``tradefacts reconcile`` finishes it; the result does not depend on how the work was cut.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tradefacts.reconcile.claims import (
    FACT_SQL_COLUMNS,
    Contradiction,
    FactRow,
    build_claims,
    infer_periods,
    key_period,
    step,
)
from tradefacts.reconcile.stories import (
    BANDS,
    LINK_DAYS,
    MINHASH_VERSION,
    NEAR_DUPLICATE,
    ArticleInfo,
    Link,
    band_hashes,
    group,
    link,
    signatures,
    story_parties,
)

RECONCILE_TABLES = (
    "reconcile_queue",
    "article_minhash",
    "article_bands",
    "story_links",
    "stories",
    "story_members",
    "claims",
    "claim_sources",
    "contradictions",
)

RECONCILE_DDL = """
CREATE TABLE reconcile_queue (article_id VARCHAR NOT NULL);
CREATE TABLE article_minhash (
    article_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    lang VARCHAR,
    signature BLOB NOT NULL,
    minhash_version VARCHAR NOT NULL
);
CREATE TABLE article_bands (
    article_id VARCHAR NOT NULL,
    band SMALLINT NOT NULL,
    hash BIGINT NOT NULL,
    day INTEGER
);
CREATE TABLE story_links (
    article_a VARCHAR NOT NULL,
    article_b VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    shared INTEGER NOT NULL,
    overlap DOUBLE NOT NULL,
    similarity DOUBLE,
    days INTEGER
);
CREATE TABLE stories (
    story_id VARCHAR NOT NULL,
    n_articles INTEGER NOT NULL,
    languages VARCHAR[] NOT NULL,
    first_published DATE,
    last_published DATE,
    parties VARCHAR[] NOT NULL,
    lead_article VARCHAR NOT NULL
);
CREATE TABLE story_members (
    story_id VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    link_kind VARCHAR,
    link_score DOUBLE
);
CREATE TABLE claims (
    claim_id VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    party_a VARCHAR NOT NULL,
    party_b VARCHAR NOT NULL,
    period VARCHAR,
    period_start DATE,
    period_end DATE,
    status VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    product VARCHAR,
    value DOUBLE NOT NULL,
    value_max DOUBLE,
    bound VARCHAR NOT NULL,
    lo DOUBLE NOT NULL,
    hi DOUBLE NOT NULL,
    growth_value DOUBLE,
    n_sources INTEGER NOT NULL,
    n_facts INTEGER NOT NULL,
    languages VARCHAR[] NOT NULL,
    first_seen DATE,
    first_article VARCHAR NOT NULL,
    disputed BOOLEAN NOT NULL
);
CREATE TABLE claim_sources (
    claim_id VARCHAR NOT NULL,
    fact_id VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    published DATE,
    lang VARCHAR,
    value DOUBLE NOT NULL,
    value_max DOUBLE,
    bound VARCHAR NOT NULL,
    stated_period VARCHAR,
    period_inferred BOOLEAN NOT NULL,
    story_id VARCHAR
);
CREATE TABLE contradictions (
    indicator VARCHAR NOT NULL,
    party_a VARCHAR NOT NULL,
    party_b VARCHAR NOT NULL,
    period VARCHAR,
    status VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    claim_a VARCHAR NOT NULL,
    value_a DOUBLE NOT NULL,
    value_max_a DOUBLE,
    bound_a VARCHAR NOT NULL,
    sources_a INTEGER NOT NULL,
    fact_a VARCHAR NOT NULL,
    article_a VARCHAR NOT NULL,
    published_a DATE,
    lang_a VARCHAR,
    evidence_a VARCHAR NOT NULL,
    claim_b VARCHAR NOT NULL,
    value_b DOUBLE NOT NULL,
    value_max_b DOUBLE,
    bound_b VARCHAR NOT NULL,
    sources_b INTEGER NOT NULL,
    fact_b VARCHAR NOT NULL,
    article_b VARCHAR NOT NULL,
    published_b DATE,
    lang_b VARCHAR,
    evidence_b VARCHAR NOT NULL
);
"""

_EPOCH = dt.date(1970, 1, 1)

_SCHEMAS = {
    "article_minhash": pa.schema(
        [
            ("article_id", pa.string()),
            ("version", pa.int32()),
            ("lang", pa.string()),
            ("signature", pa.binary()),
            ("minhash_version", pa.string()),
        ]
    ),
    "article_bands": pa.schema(
        [
            ("article_id", pa.string()),
            ("band", pa.int16()),
            ("hash", pa.int64()),
            ("day", pa.int32()),
        ]
    ),
    "story_links": pa.schema(
        [
            ("article_a", pa.string()),
            ("article_b", pa.string()),
            ("kind", pa.string()),
            ("score", pa.float64()),
            ("shared", pa.int32()),
            ("overlap", pa.float64()),
            ("similarity", pa.float64()),
            ("days", pa.int32()),
        ]
    ),
    "stories": pa.schema(
        [
            ("story_id", pa.string()),
            ("n_articles", pa.int32()),
            ("languages", pa.list_(pa.string())),
            ("first_published", pa.date32()),
            ("last_published", pa.date32()),
            ("parties", pa.list_(pa.string())),
            ("lead_article", pa.string()),
        ]
    ),
    "story_members": pa.schema(
        [
            ("story_id", pa.string()),
            ("article_id", pa.string()),
            ("version", pa.int32()),
            ("position", pa.int32()),
            ("link_kind", pa.string()),
            ("link_score", pa.float64()),
        ]
    ),
    "claims": pa.schema(
        [
            ("claim_id", pa.string()),
            ("indicator", pa.string()),
            ("party_a", pa.string()),
            ("party_b", pa.string()),
            ("period", pa.string()),
            ("period_start", pa.date32()),
            ("period_end", pa.date32()),
            ("status", pa.string()),
            ("unit", pa.string()),
            ("product", pa.string()),
            ("value", pa.float64()),
            ("value_max", pa.float64()),
            ("bound", pa.string()),
            ("lo", pa.float64()),
            ("hi", pa.float64()),
            ("growth_value", pa.float64()),
            ("n_sources", pa.int32()),
            ("n_facts", pa.int32()),
            ("languages", pa.list_(pa.string())),
            ("first_seen", pa.date32()),
            ("first_article", pa.string()),
            ("disputed", pa.bool_()),
        ]
    ),
    "claim_sources": pa.schema(
        [
            ("claim_id", pa.string()),
            ("fact_id", pa.string()),
            ("article_id", pa.string()),
            ("version", pa.int32()),
            ("published", pa.date32()),
            ("lang", pa.string()),
            ("value", pa.float64()),
            ("value_max", pa.float64()),
            ("bound", pa.string()),
            ("stated_period", pa.string()),
            ("period_inferred", pa.bool_()),
            ("story_id", pa.string()),
        ]
    ),
}
_SCHEMAS["contradictions"] = pa.schema(
    [
        (name, pa.string())
        for name in ("indicator", "party_a", "party_b", "period", "status", "unit")
    ]
    + [
        field
        for side in ("a", "b")
        for field in (
            (f"claim_{side}", pa.string()),
            (f"value_{side}", pa.float64()),
            (f"value_max_{side}", pa.float64()),
            (f"bound_{side}", pa.string()),
            (f"sources_{side}", pa.int32()),
            (f"fact_{side}", pa.string()),
            (f"article_{side}", pa.string()),
            (f"published_{side}", pa.date32()),
            (f"lang_{side}", pa.string()),
            (f"evidence_{side}", pa.string()),
        )
    ]
)


@dataclass(slots=True)
class ReconcileSummary:
    """What one reconciliation did."""

    full: bool = False
    articles: int = 0
    links: int = 0
    stories: int = 0
    keys: int = 0
    claims: int = 0
    contradictions: int = 0
    seconds: float = 0.0
    #: seconds per step: signatures, links, stories, claims
    timings: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        scope = "everything" if self.full else f"{self.articles} articles"
        return (
            f"reconciled {scope}: {self.links} links, {self.stories} stories; "
            f"{self.keys} keys, {self.claims} claims, {self.contradictions} contradictions "
            f"({self.seconds:.1f} s)"
        )

    def __str__(self) -> str:
        return self.line()


class _Db:
    """The connection with temporary Arrow tables that are unregistered afterwards."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self.names: list[str] = []
        #: every current fact by article, when a full recompute has loaded them all
        self.all_facts: dict[str, list[FactRow]] | None = None

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)
        self.names.append(name)

    def close(self) -> None:
        for name in self.names:
            self.con.unregister(name)
        self.names.clear()

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def insert_columns(self, table: str, columns: dict[str, Any]) -> None:
        """Insert rows given column by column (lists or numpy arrays of one length)."""
        self._insert(table, pa.table(columns, schema=_SCHEMAS[table]))

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        self._insert(table, pa.Table.from_pylist(rows, schema=_SCHEMAS[table]))

    def _insert(self, table: str, data: pa.Table) -> None:
        if not data.num_rows:
            return
        name = f"_tf_new_{table}"
        self.register(name, data)
        self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")


def pending(con: Any) -> int:
    """Articles queued for reconciliation."""
    return int(
        con.execute("SELECT count(DISTINCT article_id) FROM reconcile_queue").fetchall()[0][0]
    )


def needs_full(con: Any) -> bool:
    """True when the stored signatures were made with other MinHash settings."""
    rows = con.execute(
        "SELECT count(*) FROM article_minhash WHERE minhash_version <> ?", [MINHASH_VERSION]
    ).fetchall()
    return bool(rows[0][0])


def run(con: Any, queued: Iterable[str] | None) -> ReconcileSummary:
    """Reconcile the queued articles (``None``: everything). The caller holds the
    transaction; ``reconcile_queue`` is emptied of what was done."""
    start = time.perf_counter()
    db = _Db(con)
    try:
        with _no_cycle_collection():
            summary = _run(db, None if queued is None else set(queued))
    finally:
        db.close()
    summary.seconds = time.perf_counter() - start
    return summary


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused: a reconciliation makes hundreds of thousands of
    objects that all live until its end (facts, sources, claims), and the collector would
    walk them again and again (a fifth of the claims step). What it makes holds no
    reference cycles; the collector resumes as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(db: _Db, queued: set[str] | None) -> ReconcileSummary:
    con = db.con
    full = queued is None
    summary = ReconcileSummary(full=full)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.timings[name] = round(now - clock, 3)
        clock = now

    if full:
        for table in RECONCILE_TABLES:
            if table != "reconcile_queue":
                con.execute(f"DELETE FROM {table}")
        queued = {
            r[0] for r in con.execute("SELECT id FROM articles WHERE NOT superseded").fetchall()
        }
    assert queued is not None
    db.register("_tf_queued", pa.table({"id": pa.array(sorted(queued), pa.string())}))
    summary.articles = len(queued)

    # 1. signatures of the queued articles' current versions
    current = con.execute(
        "SELECT a.id, a.version, a.published, a.lang, a.text FROM articles a "
        "JOIN _tf_queued q ON a.id = q.id WHERE NOT a.superseded ORDER BY a.id"
    ).fetchall()
    columns = list(zip(*current, strict=True)) or [()] * 5
    ids, versions, published, langs, texts = (list(c) for c in columns)
    del current, columns
    sigs = signatures(texts)
    del texts
    if not full:
        con.execute("DELETE FROM article_minhash USING _tf_queued q WHERE article_id = q.id")
        con.execute("DELETE FROM article_bands USING _tf_queued q WHERE article_id = q.id")
    db.insert_columns(
        "article_minhash",
        {
            "article_id": ids,
            "version": versions,
            "lang": langs,
            "signature": sigs,
            "minhash_version": [MINHASH_VERSION] * len(ids),
        },
    )
    bands = band_hashes(langs, sigs)
    days = pa.array([(d - _EPOCH).days if d else None for d in published], pa.int32())
    each = pa.array(np.repeat(np.arange(len(ids), dtype=np.int64), BANDS))  # BANDS rows each
    db.insert_columns(
        "article_bands",
        {
            "article_id": pa.array(ids, pa.string()).take(each),
            "band": np.tile(np.arange(BANDS, dtype=np.int16), len(ids)),
            "hash": bands.reshape(-1),
            "day": days.take(each),
        },
    )
    del bands
    lap("signatures")

    # 2. links of the queued articles, anew
    if full:  # links, stories and claims need them all: one query instead of three
        by_article: dict[str, list[FactRow]] = defaultdict(list)
        for f in _fact_rows(
            db,
            f"SELECT {FACT_SQL_COLUMNS} FROM facts f "
            "JOIN articles a ON a.id = f.article_id AND a.version = f.version "
            "WHERE NOT f.superseded ORDER BY f.article_id, f.n",
        ):
            by_article[f.article_id].append(f)
        db.all_facts = dict(by_article)
    else:
        con.execute(
            "DELETE FROM story_links WHERE article_a IN (SELECT id FROM _tf_queued) "
            "OR article_b IN (SELECT id FROM _tf_queued)"
        )
    links = _links(db)
    db.insert("story_links", [ln.to_row() for ln in links])
    summary.links = len(links)
    lap("links")

    # 3. stories from all links
    old_story = dict(con.execute("SELECT article_id, story_id FROM story_members").fetchall())
    all_links = [
        Link(r["article_a"], r["article_b"], r["kind"], r["score"])
        for r in db.rows("SELECT article_a, article_b, kind, score FROM story_links")
    ]
    linked = sorted({x for ln in all_links for x in (ln.a, ln.b)})
    info = _article_rows(db, linked)
    stories = group(all_links, {a: info[a]["published"] for a in info})
    new_story = {m: s.story_id for s in stories for m in s.members}
    changed = {a for a in set(old_story) | set(new_story) if old_story.get(a) != new_story.get(a)}
    _write_stories(db, stories, info)
    summary.stories = len(stories)
    lap("stories")

    # 4. claims and contradictions of the affected keys
    if db.all_facts is not None:
        facts = [f for fs in db.all_facts.values() for f in fs]
        affected = None
    else:
        facts, affected = _affected(db, queued, changed, old_story, new_story)
    claims, contradictions = build_claims(facts, new_story)
    if affected is not None:
        claims = [c for c in claims if c.key in affected]
        contradictions = [x for x in contradictions if x.a.key in affected]
        summary.keys = len(affected)
    else:
        summary.keys = len({c.key for c in claims})
    _write_claims(db, claims, contradictions, new_story)
    summary.claims = len(claims)
    summary.contradictions = len(contradictions)
    lap("claims")

    con.execute("DELETE FROM reconcile_queue WHERE article_id IN (SELECT id FROM _tf_queued)")
    return summary


#: a fact's claim key period in SQL (``claims.key_period``)
_KEY_PERIOD_SQL = (
    "CASE WHEN f.status = 'target' AND regexp_full_match(f.period, '\\d{4}') "
    "THEN '../' || f.period ELSE f.period END"
)
_CLAIM_KEY = ("indicator", "party_a", "party_b", "period", "status", "unit")


def _affected(
    db: _Db,
    queued: set[str],
    changed: set[str],
    old_story: dict[str, str],
    new_story: dict[str, str],
) -> tuple[list[FactRow], set[tuple[Any, ...]]]:
    """The claim keys to rebuild and the current facts that make them.

    Touched articles: the queued ones, those whose story changed, and every member of
    their stories (old and new), since a fact without a period takes one from its story.
    Affected keys: the keys of the claims that hold a fact of a touched article (any
    version: superseded facts leave), and the keys the current facts of touched articles
    fall under now. Their facts: every current fact whose own key is affected, and every
    current fact an affected claim held (a fact placed there through its story).
    """
    con = db.con
    touched = set(queued) | changed
    members: dict[str, set[str]] = defaultdict(set)
    for mapping in (old_story, new_story):
        for article, story in mapping.items():
            members[story].add(article)
    for article in list(touched):
        for mapping in (old_story, new_story):
            story = mapping.get(article)
            if story is not None:
                touched |= members[story]
    ids = sorted(touched)
    name = f"_tf_ids{len(db.names)}"
    db.register(name, pa.table({"id": pa.array(ids, pa.string())}))
    cols = ", ".join(f"c.{k}" for k in _CLAIM_KEY)
    affected: set[tuple[Any, ...]] = {
        tuple(r)
        for r in con.execute(
            f"SELECT DISTINCT {cols} FROM claims c JOIN claim_sources s ON s.claim_id = c.claim_id "
            f"WHERE s.article_id IN (SELECT id FROM {name})"
        ).fetchall()
    }
    touched_facts = [f for fs in _facts_of(db, ids).values() for f in fs]
    inferred = infer_periods(touched_facts, new_story)
    for f in touched_facts:
        affected.add(claim_key(f, inferred.get(f.fact_id, f.period)))
    if not affected:
        return touched_facts, affected
    keys = sorted(affected, key=lambda k: tuple("" if x is None else str(x) for x in k))
    db.register(
        "_tf_keys",
        pa.table(
            {c: pa.array([k[i] or "" for k in keys], pa.string()) for i, c in enumerate(_CLAIM_KEY)}
        ),
    )
    on_claim = " AND ".join(
        f"coalesce(c.{c}, '') = k.{c}" if c == "period" else f"c.{c} = k.{c}" for c in _CLAIM_KEY
    )
    old_claims = [
        r[0]
        for r in con.execute(
            f"SELECT c.claim_id FROM claims c JOIN _tf_keys k ON {on_claim}"
        ).fetchall()
    ]
    db.register("_tf_old_claims", pa.table({"claim_id": pa.array(old_claims, pa.string())}))
    on_fact = " AND ".join(f"f.{c} = k.{c}" for c in _CLAIM_KEY)
    rows = _fact_rows(
        db,
        f"WITH f AS (SELECT f.*, coalesce({_KEY_PERIOD_SQL}, '') AS key_period FROM facts f "
        "  WHERE NOT f.superseded), "
        "keyed AS (SELECT f.fact_id FROM f SEMI JOIN _tf_keys k ON "
        + on_fact.replace("f.period", "f.key_period")
        + "), "
        "held AS (SELECT s.fact_id FROM claim_sources s SEMI JOIN _tf_old_claims o "
        "  ON s.claim_id = o.claim_id), "
        "wanted AS (SELECT fact_id FROM keyed UNION SELECT fact_id FROM held) "
        f"SELECT {FACT_SQL_COLUMNS} FROM facts f "
        "JOIN articles a ON a.id = f.article_id AND a.version = f.version "
        "SEMI JOIN wanted w ON f.fact_id = w.fact_id WHERE NOT f.superseded",
    )
    facts = {f.fact_id: f for f in rows}
    for f in touched_facts:
        facts.setdefault(f.fact_id, f)
    # a fact without a period takes one from its story: load its story mates' facts too,
    # so that it lands where a full recompute puts it (claims outside the affected keys
    # that this makes are dropped by the caller)
    mates = sorted(
        {
            m
            for f in facts.values()
            if f.article_id in new_story
            for m in members[new_story[f.article_id]]
        }
        - touched
    )
    for fs in _facts_of(db, mates).values():
        for f in fs:
            facts.setdefault(f.fact_id, f)
    # the old claims of the affected keys go
    for table in ("claim_sources", "claims"):
        con.execute(f"DELETE FROM {table} WHERE claim_id IN (SELECT claim_id FROM _tf_old_claims)")
    con.execute(
        "DELETE FROM contradictions WHERE claim_a IN (SELECT claim_id FROM _tf_old_claims) "
        "OR claim_b IN (SELECT claim_id FROM _tf_old_claims)"
    )
    return list(facts.values()), affected


def claim_key(f: FactRow, period: str | None) -> tuple[Any, ...]:
    return (f.indicator, f.party_a, f.party_b, key_period(period, f.status), f.status, f.unit)


def _write_stories(db: _Db, stories: list[Any], info: dict[str, dict[str, Any]]) -> None:
    db.con.execute("DELETE FROM story_members")
    db.con.execute("DELETE FROM stories")
    story_facts = _facts_of(db, sorted({m for s in stories for m in s.members}))
    member_rows, story_rows = [], []
    for s in stories:
        dates = [info[m]["published"] for m in s.members if info[m]["published"]]
        story_rows.append(
            {
                "story_id": s.story_id,
                "n_articles": len(s.members),
                "languages": sorted({info[m]["lang"] for m in s.members if info[m]["lang"]}),
                "first_published": min(dates) if dates else None,
                "last_published": max(dates) if dates else None,
                "parties": story_parties(f for m in s.members for f in story_facts.get(m, [])),
                "lead_article": s.members[0],
            }
        )
        for i, m in enumerate(s.members):
            kind, score = s.via.get(m, (None, None))
            member_rows.append(
                {
                    "story_id": s.story_id,
                    "article_id": m,
                    "version": info[m]["version"],
                    "position": i,
                    "link_kind": kind,
                    "link_score": score,
                }
            )
    db.insert("stories", story_rows)
    db.insert("story_members", member_rows)


def _write_claims(
    db: _Db, claims: list[Any], contradictions: list[Any], story_of: dict[str, str]
) -> None:
    from tradefacts.store import period_bounds

    bounds: dict[str | None, tuple[dt.date | None, dt.date | None]] = {}
    claim_rows = []
    for c in claims:
        row = c.to_row()
        if c.period not in bounds:
            bounds[c.period] = period_bounds(c.period)
        row["period_start"], row["period_end"] = bounds[c.period]
        claim_rows.append(row)
    db.insert("claims", claim_rows)
    held = [(c.claim_id, s) for c in claims for s in c.sources]
    facts = [s.fact for _, s in held]
    db.insert_columns(
        "claim_sources",
        {
            "claim_id": [claim_id for claim_id, _ in held],
            "fact_id": [f.fact_id for f in facts],
            "article_id": [f.article_id for f in facts],
            "version": [f.version for f in facts],
            "published": [f.published for f in facts],
            "lang": [f.lang for f in facts],
            "value": [f.value for f in facts],
            "value_max": [f.value_max for f in facts],
            "bound": [f.bound for f in facts],
            "stated_period": [f.period for f in facts],
            "period_inferred": [s.period_inferred for _, s in held],
            "story_id": [story_of.get(f.article_id) for f in facts],
        },
    )
    db.insert_columns("contradictions", _contradiction_columns(contradictions))


def _contradiction_columns(contradictions: list[Contradiction]) -> dict[str, list[Any]]:
    """The rows of ``Contradiction.to_row``, column by column."""
    leaders = [x.a for x in contradictions]
    columns: dict[str, list[Any]] = {
        name: [getattr(c, name) for c in leaders]
        for name in ("indicator", "party_a", "party_b", "period", "status", "unit")
    }
    for side in ("a", "b"):
        claims = [getattr(x, side) for x in contradictions]
        facts = [getattr(x, f"fact_{side}") for x in contradictions]
        columns[f"claim_{side}"] = [c.claim_id for c in claims]
        columns[f"value_{side}"] = [f.value for f in facts]
        columns[f"value_max_{side}"] = [f.value_max for f in facts]
        columns[f"bound_{side}"] = [f.bound for f in facts]
        columns[f"sources_{side}"] = [len(c.articles) for c in claims]
        columns[f"fact_{side}"] = [f.fact_id for f in facts]
        columns[f"article_{side}"] = [f.article_id for f in facts]
        columns[f"published_{side}"] = [f.published for f in facts]
        columns[f"lang_{side}"] = [f.lang for f in facts]
        columns[f"evidence_{side}"] = [f.evidence_sentence for f in facts]
    return columns


def _article_rows(db: _Db, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    name = f"_tf_ids{len(db.names)}"
    db.register(name, pa.table({"id": pa.array(ids, pa.string())}))
    return {
        r["id"]: r
        for r in db.rows(
            "SELECT a.id, a.version, a.published, a.lang FROM articles a "
            f"JOIN {name} i ON a.id = i.id WHERE NOT a.superseded"
        )
    }


def _facts_of(db: _Db, ids: list[str]) -> dict[str, list[FactRow]]:
    """The current facts of some articles."""
    out: dict[str, list[FactRow]] = defaultdict(list)
    if db.all_facts is not None:
        out.update((a, db.all_facts[a]) for a in ids if a in db.all_facts)
        return out
    if not ids:
        return out
    name = f"_tf_ids{len(db.names)}"
    db.register(name, pa.table({"id": pa.array(ids, pa.string())}))
    for f in _fact_rows(
        db,
        f"SELECT {FACT_SQL_COLUMNS} FROM facts f "
        "JOIN articles a ON a.id = f.article_id AND a.version = f.version "
        f"JOIN {name} i ON f.article_id = i.id WHERE NOT f.superseded ORDER BY f.article_id, f.n",
    ):
        out[f.article_id].append(f)
    return out


def _fact_rows(db: _Db, sql: str) -> list[FactRow]:
    """The facts a query gives (its columns: ``FACT_SQL_COLUMNS``, in that order)."""
    return [FactRow(*row) for row in db.con.execute(sql).fetchall()]


def _links(db: _Db) -> list[Link]:
    """Links between the queued articles (``_tf_queued``, current versions) and all current
    articles. Candidates come from SQL, within the date window: articles with a fact of
    the same indicator, parties, status and unit and a value within half of it, and
    articles that share an LSH band (the language is in the band hash). ``link`` decides,
    but only for the candidates it can link: those with two facts that may be one figure
    (``_SAME_FIGURE_SQL``), and text candidates similar enough to be near-duplicates. The
    others (most of them) have no figure in common and are not near-duplicates: ``link``
    would find no link between them."""
    pairs = _candidate_pairs(db)
    if not pairs.num_rows:
        return []
    text = pairs.column("text").to_numpy()
    similarity = np.full(pairs.num_rows, np.nan)
    if text.any():
        similarity[text] = _similarities(db, pairs.filter(pa.array(text)))
    # a link needs a shared figure (by facts: FACT_LINK > 0) or a near-duplicate text
    same = pairs.column("same").to_numpy()
    near_duplicate = text & (similarity >= NEAR_DUPLICATE)  # NaN (not compared): False
    keep = same | near_duplicate
    by_text_only = np.flatnonzero(near_duplicate & ~same)
    if len(by_text_only):
        keep[by_text_only] = _may_link_by_text(db, pairs.take(pa.array(by_text_only)))
    kept = np.flatnonzero(keep)
    firsts = pairs.column("x").take(pa.array(kept)).to_pylist()
    seconds = pairs.column("y").take(pa.array(kept)).to_pylist()
    sims = {
        (a, b): None if math.isnan(s) else s
        for a, b, s in zip(firsts, seconds, similarity[kept].tolist(), strict=True)
    }
    if not sims:
        return []
    involved = sorted({x for p in sims for x in p})
    facts = _facts_of(db, involved)
    rows = _article_rows(db, involved)
    infos = {
        a: ArticleInfo(a, r["version"], r["published"], r["lang"], facts.get(a, []))
        for a, r in rows.items()
    }
    out = []
    for a, b in sorted(sims):
        if a not in infos or b not in infos:
            continue
        ln = link(infos[a], infos[b], sims[(a, b)])
        if ln is not None:
            out.append(ln)
    return out


def _may_link_by_text(db: _Db, pairs: pa.Table) -> np.ndarray:
    """For near-duplicate pairs ``(x, y)``: whether ``link`` may link them by text, i.e.
    both are current, of one language, and one has no facts or they share a pair of
    parties (their facts may still contradict: ``link`` tells)."""
    name = f"_tf_pairs{len(db.names)}"
    db.register(
        name, pa.table({"row": np.arange(pairs.num_rows), "x": pairs["x"], "y": pairs["y"]})
    )
    ok = db.con.execute(
        f"WITH ids AS (SELECT x AS id FROM {name} UNION SELECT y FROM {name}), "
        "info AS (SELECT a.id, a.lang, "
        # the pairs of parties its facts name, each sorted ("\x1f": not in a party code)
        "  list(DISTINCT least(f.party_a, f.party_b) || chr(31) || greatest(f.party_a, f.party_b)) "
        "  FILTER (WHERE f.fact_id IS NOT NULL) AS parties "
        "  FROM articles a SEMI JOIN ids ON a.id = ids.id "
        "  LEFT JOIN facts f ON f.article_id = a.id AND f.version = a.version AND NOT f.superseded "
        "  WHERE NOT a.superseded GROUP BY a.id, a.lang) "
        f"SELECT p.row FROM {name} p JOIN info i ON i.id = p.x JOIN info j ON j.id = p.y "
        "WHERE i.lang IS NOT DISTINCT FROM j.lang AND (coalesce(len(i.parties), 0) = 0 "
        "  OR coalesce(len(j.parties), 0) = 0 OR len(list_intersect(i.parties, j.parties)) > 0)"
    ).fetchall()
    out = np.zeros(pairs.num_rows, dtype=bool)
    out[[row for (row,) in ok]] = True
    return out


#: two facts of one indicator, parties, status and unit may state one figure (a superset
#: of ``stories._same``): their periods may agree (one not given, or equal; a target's
#: ``2030`` is ``../2030``), and their values ``v``, ``w`` (with the steps ``sv``, ``sw``:
#: ``claims.step``) may be one figure written twice: ``same_figure`` never puts them
#: further apart than the coarser step (and float noise). NULL steps and non-finite values
#: pass.
_SAME_FIGURE_SQL = (
    "((p IS NULL OR r IS NULL OR p = r OR status = 'target') "
    "AND (v = w OR sv IS NULL OR sw IS NULL OR NOT isfinite(v) OR NOT isfinite(w) "
    "OR abs(v - w) <= CAST(1.01 AS DOUBLE) * greatest(sv, sw) "
    "+ CAST(1e-6 AS DOUBLE) * greatest(abs(v), abs(w))))"
)


def _candidate_pairs(db: _Db) -> pa.Table:
    """The candidate pairs ``(x, y)`` (``x < y``) of ``_links``, with ``same`` (two of their
    facts may state one figure) and ``text`` (they share an LSH band)."""
    con = db.con
    window = LINK_DAYS
    values = [
        v
        for (v,) in con.execute("SELECT DISTINCT value FROM facts WHERE NOT superseded").fetchall()
        if math.isfinite(v)
    ]
    db.register(
        "_tf_steps",
        pa.table(
            {
                "value": pa.array(values, pa.float64()),
                "step": pa.array([step(v) for v in values], pa.float64()),
            }
        ),
    )
    key = (
        "g.indicator = q.indicator AND g.party_a = q.party_a AND g.party_b = q.party_b "
        "AND g.status = q.status AND g.unit = q.unit"
    )
    pair = (
        "q.article_id AS a, g.article_id AS b, q.status, q.value AS v, g.value AS w, "
        "q.step AS sv, g.step AS sw, q.period AS p, g.period AS r"
    )
    sql = (
        "WITH cur AS (SELECT f.article_id, f.indicator, f.party_a, f.party_b, f.status, f.unit, "
        "  f.period, f.value, s.step, date_diff('day', DATE '1970-01-01', a.published) AS day "
        "  FROM facts f "
        "  JOIN articles a ON a.id = f.article_id AND a.version = f.version "
        "  LEFT JOIN _tf_steps s ON s.value = f.value "
        "  WHERE NOT f.superseded), "
        "q AS (SELECT * FROM cur WHERE article_id IN (SELECT id FROM _tf_queued)), "
        "undated AS (SELECT * FROM cur WHERE day IS NULL), "
        # dated with dated: an equi-join on the key and the day, for each day of the window
        "qd AS (SELECT q.*, q.day + r.off AS near FROM q "
        f"  JOIN range(-{window}, {window + 1}) r(off) ON q.day IS NOT NULL), "
        f"dd AS (SELECT {pair} FROM qd q JOIN cur g ON {key} AND g.day = q.near), "
        # an undated side: any date
        f"du AS (SELECT {pair} FROM q JOIN undated g ON {key}), "
        f"ud AS (SELECT {pair} FROM q JOIN cur g ON {key} "
        "  WHERE q.day IS NULL AND g.day IS NOT NULL), "
        # the article pairs: with a value within half of the other's, and maybe one figure
        "by_facts AS (SELECT least(a, b) AS x, greatest(a, b) AS y, "
        "  bool_or(abs(v - w) <= 0.5 * greatest(abs(v), abs(w))) AS near, "
        f"  bool_or({_SAME_FIGURE_SQL}) AS same "
        "  FROM (SELECT * FROM dd UNION ALL SELECT * FROM du UNION ALL SELECT * FROM ud) "
        "  WHERE a <> b GROUP BY 1, 2), "
        # the pairs of articles that share an LSH band, within the date window
        "bq AS (SELECT b.* FROM article_bands b JOIN _tf_queued i ON b.article_id = i.id), "
        "bqd AS (SELECT bq.*, bq.day + r.off AS near FROM bq "
        f"  JOIN range(-{window}, {window + 1}) r(off) ON bq.day IS NOT NULL), "
        "bundated AS (SELECT * FROM article_bands WHERE day IS NULL), "
        "by_text AS (SELECT DISTINCT least(a, b) AS x, greatest(a, b) AS y FROM ("
        "  SELECT q.article_id AS a, o.article_id AS b FROM bqd q JOIN article_bands o "
        "  ON o.band = q.band AND o.hash = q.hash AND o.day = q.near "
        "  UNION ALL "
        "  SELECT q.article_id, o.article_id FROM bq q JOIN bundated o "
        "  ON o.band = q.band AND o.hash = q.hash "
        "  UNION ALL "
        "  SELECT q.article_id, o.article_id FROM bq q JOIN article_bands o "
        "  ON o.band = q.band AND o.hash = q.hash WHERE q.day IS NULL"
        ") WHERE a <> b) "
        "SELECT coalesce(f.x, t.x) AS x, coalesce(f.y, t.y) AS y, "
        "  coalesce(f.same, false) AS same, t.x IS NOT NULL AS text "
        "FROM by_facts f FULL JOIN by_text t ON f.x = t.x AND f.y = t.y "
        "WHERE f.near OR t.x IS NOT NULL"
    )
    return _arrow(con.sql(sql))


def _similarities(db: _Db, pairs: pa.Table) -> np.ndarray:
    """The Jaccard similarity the MinHash signatures estimate (the share of equal values)
    for each pair ``(x, y)``; NaN where a signature is missing."""
    ids = pc.unique(pa.chunked_array(pairs.column("x").chunks + pairs.column("y").chunks))
    name = f"_tf_ids{len(db.names)}"
    db.register(name, pa.table({"id": ids}))
    stored = _arrow(
        db.con.sql(
            f"SELECT m.article_id, m.signature FROM article_minhash m JOIN {name} i "
            "ON m.article_id = i.id"
        )
    )
    out = np.full(pairs.num_rows, np.nan)
    if not stored.num_rows:
        return out
    matrix = np.frombuffer(b"".join(stored.column("signature").to_pylist()), dtype="<u4").reshape(
        stored.num_rows, -1
    )
    known = stored.column("article_id")
    ia = pc.fill_null(pc.index_in(pairs.column("x"), value_set=known), -1).to_numpy()
    ib = pc.fill_null(pc.index_in(pairs.column("y"), value_set=known), -1).to_numpy()
    rows = np.flatnonzero((ia >= 0) & (ib >= 0))
    ia, ib = ia[rows].astype(np.int64), ib[rows].astype(np.int64)
    for k in range(0, len(rows), 50_000):  # bounds the temporary matrix
        part = slice(k, k + 50_000)
        out[rows[part]] = (matrix[ia[part]] == matrix[ib[part]]).mean(axis=1)
    return out


def _arrow(relation: Any) -> pa.Table:
    to_table = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return to_table()
