"""The knowledge store: articles and their facts in one DuckDB file.

``Store(path)`` opens (or creates) the database; ``ingest`` reads sources into it,
``facts`` / ``to_arrow`` / ``to_pandas`` / ``export`` query it, ``reextract`` refreshes the
facts of stored texts after an extractor upgrade. The schema is in ``docs/schema.md``.

Guarantees:

- Idempotent: an article's identity is its URL, else ``source/id``; its content is the
  SHA-256 of its text. Content already stored at that identity (in any version) adds
  nothing. New content at a known identity becomes a new version; the previous version and
  its facts stay, marked ``superseded``. (So re-reading an older copy never rolls an
  article back; a page reverted to an earlier text keeps the later version current.)
- Each batch (500 articles by default) is one transaction: a run killed at any point keeps
  the batches it committed, and running the same command again gives exactly the database
  an uninterrupted run gives (everything but ``ingested_at``).
- Bad input never costs stored data: a source that cannot be read, or an article the
  extractor fails on, is one error line (``where: reason``) and the run goes on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tradefacts.document import Document, ReadError
from tradefacts.ingest import (
    AnalysedDocument,
    Analysis,
    IngestSummary,
    Progress,
    Source,
    analyse,
    article_key,
    iter_inputs,
    languages,
    refusal,
    timer,
)
from tradefacts.model import INDICATORS, STATUSES, Fact
from tradefacts.reconcile import engine as reconcile_engine
from tradefacts.reconcile.engine import RECONCILE_DDL, RECONCILE_TABLES, ReconcileSummary

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_DB",
    "EXPORT_FORMATS",
    "IngestSummary",
    "ReconcileSummary",
    "ReextractSummary",
    "Store",
    "StoreError",
    "extractor_version",
    "period_bounds",
]

#: 1: articles, facts; 2: the reconciliation tables (docs/schema.md), made on opening a 1
SCHEMA_VERSION = 2
DEFAULT_DB = "tradefacts.duckdb"
BATCH_SIZE = 500
#: the write-ahead log grows to this before DuckDB moves it into the database file (its
#: default is 16 MB). Each such checkpoint compresses and rewrites every row group an
#: ingest appended to, whole: at 16 MB, a 100,000-article ingest rewrote its articles
#: about ten times over (twice the CPU, a fifth bigger file). Closing the store
#: checkpoints what is left.
CHECKPOINT_THRESHOLD = "256MB"
EXPORT_FORMATS = ("csv", "parquet", "jsonl")

ARTICLE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("version", pa.int32()),
        ("doc_id", pa.string()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("published", pa.date32()),
        ("published_from", pa.string()),
        ("lang", pa.string()),
        ("label_lang", pa.string()),
        ("text", pa.string()),
        ("content_hash", pa.string()),
        ("superseded", pa.bool_()),
        ("ingested_at", pa.timestamp("us")),
        ("extractor_version", pa.string()),
    ]
)

FACT_SCHEMA = pa.schema(
    [
        ("fact_id", pa.string()),
        ("article_id", pa.string()),
        ("version", pa.int32()),
        ("n", pa.int32()),
        ("indicator", pa.string()),
        ("party_a", pa.string()),
        ("party_b", pa.string()),
        ("period", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("value", pa.float64()),
        ("value_max", pa.float64()),
        ("unit", pa.string()),
        ("bound", pa.string()),
        ("status", pa.string()),
        ("growth_value", pa.float64()),
        ("growth_value_max", pa.float64()),
        ("growth_bound", pa.string()),
        ("product", pa.string()),
        ("evidence_sentence", pa.string()),
        ("evidence_start", pa.int32()),
        ("evidence_end", pa.int32()),
        ("extractor_version", pa.string()),
        ("superseded", pa.bool_()),
    ]
)

_DDL = """
CREATE TABLE meta (key VARCHAR NOT NULL, value VARCHAR);
CREATE TABLE articles (
    id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    doc_id VARCHAR NOT NULL,
    url VARCHAR,
    source VARCHAR,
    title VARCHAR,
    published DATE,
    published_from VARCHAR,
    lang VARCHAR,
    label_lang VARCHAR,
    text VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    superseded BOOLEAN NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    extractor_version VARCHAR NOT NULL
);
CREATE TABLE facts (
    fact_id VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    n INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,
    party_a VARCHAR NOT NULL,
    party_b VARCHAR NOT NULL,
    period VARCHAR,
    period_start DATE,
    period_end DATE,
    value DOUBLE NOT NULL,
    value_max DOUBLE,
    unit VARCHAR NOT NULL,
    bound VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    growth_value DOUBLE,
    growth_value_max DOUBLE,
    growth_bound VARCHAR,
    product VARCHAR,
    evidence_sentence VARCHAR NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end INTEGER NOT NULL,
    extractor_version VARCHAR NOT NULL,
    superseded BOOLEAN NOT NULL
);
CREATE VIEW article_facts AS
    SELECT f.*, a.doc_id, a.url, a.title, a.source, a.published, a.lang
    FROM facts f JOIN articles a ON a.id = f.article_id AND a.version = f.version;
"""

#: the columns of a fact row as ``facts()``, ``to_arrow()`` and ``export()`` give them
FACT_COLUMNS = (
    "fact_id",
    "article_id",
    "version",
    "doc_id",
    "url",
    "title",
    "source",
    "published",
    "lang",
    "indicator",
    "party_a",
    "party_b",
    "period",
    "period_start",
    "period_end",
    "value",
    "value_max",
    "unit",
    "bound",
    "status",
    "growth_value",
    "growth_value_max",
    "growth_bound",
    "product",
    "evidence_sentence",
    "evidence_start",
    "evidence_end",
    "extractor_version",
    "superseded",
)
_ARTICLE_SIDE = {"doc_id", "url", "title", "source", "published", "lang"}
#: the Arrow schema of those rows: ``to_arrow()`` and ``export --format parquet`` give it, and
#: ``tradefacts batch`` writes its facts in it
EXPORT_SCHEMA = pa.schema(
    [(ARTICLE_SCHEMA if c in _ARTICLE_SIDE else FACT_SCHEMA).field(c) for c in FACT_COLUMNS]
)


class StoreError(Exception):
    """A database that cannot be opened or written, or a bad query: one line for the user."""


@dataclass(slots=True)
class ReextractSummary:
    """What ``Store.reextract`` did."""

    articles: int = 0
    facts_before: int = 0
    facts_after: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"reextracted {self.articles} articles, facts {self.facts_before} -> "
            f"{self.facts_after}, errors {len(self.errors)} ({self.seconds:.1f} s)"
        )

    def __str__(self) -> str:
        return self.line()


@cache
def extractor_version() -> str:
    """The package version and a hash of the language data: what made a fact.

    ``reextract`` treats facts made under any other value as stale.
    """
    from tradefacts import __version__

    h = hashlib.sha256()
    for package, folder in (("tradefacts.lang", "data"), ("tradefacts", "data")):
        root = resources.files(package).joinpath(folder)
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml"):
                h.update(f"{package}/{entry.name}\0".encode())
                h.update(entry.read_bytes())
                h.update(b"\0")
    return f"{__version__}+{h.hexdigest()[:12]}"


# --------------------------------------------------------------------------- periods

_EDTF_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def period_bounds(period: str | None) -> tuple[dt.date | None, dt.date | None]:
    """First and last day an EDTF period covers; None for an open or unreadable end.

    ``"2024"`` -> 2024-01-01, 2024-12-31; ``"2025-01/2025-09"`` -> 2025-01-01, 2025-09-30;
    ``"../2030"`` -> None, 2030-12-31; ``"2005/.."`` -> 2005-01-01, None.
    """
    if not period:
        return None, None
    if "/" in period:
        first, _, last = period.partition("/")
        return _edtf_day(first, start=True), _edtf_day(last, start=False)
    return _edtf_day(period, start=True), _edtf_day(period, start=False)


#: ``period_bounds`` of the periods met so far (facts repeat a few periods many times)
_period_bounds = lru_cache(maxsize=4096)(period_bounds)


def _edtf_day(part: str, *, start: bool) -> dt.date | None:
    m = _EDTF_DATE.match(part.strip().rstrip("?~%"))
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is not None and not 1 <= month <= 12:
        return None  # EDTF seasons (21-24) and the like: no day range here
    try:
        if month is None:
            return dt.date(year, 1, 1) if start else dt.date(year, 12, 31)
        if day is None:
            if start:
                return dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(year, month, day)
    except ValueError:
        return None


# --------------------------------------------------------------------------- rows


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class _Rows:
    """Column lists for one batch of article versions and their facts."""

    def __init__(self) -> None:
        self.articles: dict[str, list[Any]] = {name: [] for name in ARTICLE_SCHEMA.names}
        self.facts: dict[str, list[Any]] = {name: [] for name in FACT_SCHEMA.names}
        #: key -> (row of the article, first and last fact rows) for versions of this batch
        self.pending: dict[str, tuple[int, int, int]] = {}

    def add_article(
        self,
        key: str,
        version: int,
        doc: Document,
        text_hash: str,
        analysis: Analysis,
        when: dt.datetime,
        extractor: str,
    ) -> None:
        a = self.articles
        first = len(self.facts["fact_id"])
        self.add_facts(key, version, analysis.facts, extractor)
        self.pending[key] = (len(a["id"]), first, len(self.facts["fact_id"]))
        a["id"].append(key)
        a["version"].append(version)
        a["doc_id"].append(doc.id)
        a["url"].append(doc.url)
        a["source"].append(doc.source)
        a["title"].append(doc.title)
        a["published"].append(analysis.published)
        a["published_from"].append(analysis.published_from)
        a["lang"].append(analysis.lang)
        a["label_lang"].append(doc.label_lang)
        a["text"].append(doc.text)
        a["content_hash"].append(text_hash)
        a["superseded"].append(False)
        a["ingested_at"].append(when)
        a["extractor_version"].append(extractor)

    def supersede_pending(self, key: str) -> None:
        row, first, last = self.pending[key]
        self.articles["superseded"][row] = True
        for i in range(first, last):
            self.facts["superseded"][i] = True

    def add_facts(self, key: str, version: int, facts: Sequence[Fact], extractor: str) -> None:
        f = self.facts
        seen: set[str] = set()
        for n, fact in enumerate(facts):
            fid = _fact_id(key, version, fact)
            if fid in seen:
                fid = f"{fid}.{n}"
            seen.add(fid)
            start, end = _period_bounds(fact.period)
            growth = fact.growth
            f["fact_id"].append(fid)
            f["article_id"].append(key)
            f["version"].append(version)
            f["n"].append(n)
            f["indicator"].append(fact.indicator)
            f["party_a"].append(fact.parties[0])
            f["party_b"].append(fact.parties[1])
            f["period"].append(fact.period)
            f["period_start"].append(start)
            f["period_end"].append(end)
            f["value"].append(_clean(fact.value))
            f["value_max"].append(_clean(fact.value_max))
            f["unit"].append(fact.unit)
            f["bound"].append(fact.bound)
            f["status"].append(fact.status)
            f["growth_value"].append(None if growth is None else _clean(growth.value))
            f["growth_value_max"].append(None if growth is None else _clean(growth.value_max))
            f["growth_bound"].append(None if growth is None else growth.bound)
            f["product"].append(fact.product or None)
            f["evidence_sentence"].append(fact.evidence.sentence)
            f["evidence_start"].append(fact.evidence.start)
            f["evidence_end"].append(fact.evidence.end)
            f["extractor_version"].append(extractor)
            f["superseded"].append(False)

    def article_table(self) -> pa.Table:
        return pa.table(self.articles, schema=ARTICLE_SCHEMA)

    def fact_table(self) -> pa.Table:
        return pa.table(self.facts, schema=FACT_SCHEMA)

    def export_fact_table(self) -> pa.Table:
        """The facts as ``export`` gives them (``EXPORT_SCHEMA``): each with its article
        version's ``doc_id``, ``url``, ``title``, ``source``, ``published`` and ``lang``."""
        a, f = self.articles, self.facts
        row_of = {key: i for i, key in enumerate(zip(a["id"], a["version"], strict=True))}
        rows = [row_of[key] for key in zip(f["article_id"], f["version"], strict=True)]
        columns = {
            name: [a[name][i] for i in rows] if name in _ARTICLE_SIDE else f[name]
            for name in FACT_COLUMNS
        }
        return pa.table(columns, schema=EXPORT_SCHEMA)


#: the row builder, for ``tradefacts.batch`` (which writes the same rows to Parquet)
Rows = _Rows


def _fact_id(key: str, version: int, fact: Fact) -> str:
    """Stable across re-extraction as long as the fact itself does not change."""
    made = fact.extra.get("batch_fact_id")  # (key, version, id): a fact read from batch output
    if made is not None and made[0] == key and made[1] == version:
        return str(made[2])  # its value was rounded on the way: keep the id it was made with
    parts = (
        key,
        str(version),
        fact.indicator,
        *fact.parties,
        fact.period or "",
        fact.status,
        fact.unit,
        repr(float(fact.value)),
        str(fact.evidence.start),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _clean(x: float | None) -> float | None:
    """Drop float noise (60.00000000000001 -> 60.0), as ``Fact.to_dict`` does."""
    return None if x is None else round(float(x), 6)


def _where(doc: Document) -> str:
    if doc.url:
        return doc.url
    if doc.path is not None:
        return str(doc.path) if doc.path.name == doc.id else f"{doc.path}: {doc.id}"
    return doc.id


def _reason(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0]}" if lines else type(e).__name__


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _arrow(relation: Any) -> pa.Table:
    to_table = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return to_table()


# --------------------------------------------------------------------------- store


class Store:
    """Articles and facts in a DuckDB file (``":memory:"`` for a throwaway one).

    >>> with Store("news.duckdb") as store:
    ...     summary = store.ingest(["articles/", "dump.jsonl"])
    ...     rows = store.facts(party="KAZ", partner="UZB", since=2020)

    ``read_only=True`` opens an existing database for queries only (several processes may
    read at once; DuckDB allows one writer). ``con`` is the DuckDB connection, for SQL.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_DB, *, read_only: bool = False):
        self.path = os.fspath(path)
        self.read_only = read_only
        if self.path != ":memory:":
            self._prepare_file(Path(self.path))
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as e:
            raise StoreError(_open_reason(self.path, e)) from None
        try:
            if not read_only:
                self.con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
            self._check_schema()
        except BaseException:
            self.con.close()
            raise

    def _prepare_file(self, p: Path) -> None:
        if p.is_dir():
            raise StoreError(f"{p}: is a directory, not a database file")
        if self.read_only:
            if not p.exists():
                raise StoreError(f"{p}: no such database (run `tradefacts ingest` first)")
            return
        if p.exists() and p.stat().st_size == 0:
            p.unlink()  # an empty file holds nothing: make it a new database
        if not p.parent.exists():
            try:
                p.parent.mkdir(parents=True)
            except OSError as e:
                raise StoreError(f"{p}: cannot create its folder ({e.strerror or e})") from None

    def _check_schema(self) -> None:
        tables = {
            row[0]
            for row in self.con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database() AND table_schema = 'main'"
            ).fetchall()
        }
        if not tables:
            if self.read_only:
                raise StoreError(f"{self.path}: empty database (run `tradefacts ingest` first)")
            self.con.execute("BEGIN TRANSACTION")
            self.con.execute(_DDL)
            self.con.execute(RECONCILE_DDL)
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
            self.con.execute("COMMIT")
            return
        if not {"meta", "articles", "facts"} <= tables:
            raise StoreError(
                f"{self.path}: a DuckDB database but not a tradefacts one "
                f"(tables: {', '.join(sorted(tables))}); give another --db"
            )
        rows = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        row = rows[0] if rows else None
        found = int(row[0]) if row and row[0] and str(row[0]).isdigit() else None
        if found is None:
            raise StoreError(f"{self.path}: not a tradefacts database (no schema version)")
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer tradefacts (schema {found}; "
                f"this one reads {SCHEMA_VERSION})"
            )
        if found < 2 and not self.read_only:
            self._add_reconcile_tables(tables)

    def _add_reconcile_tables(self, tables: set[str]) -> None:
        """Schema 1 -> 2: the reconciliation tables, with every current article queued
        (the next ingest or ``reconcile`` fills them)."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for table in RECONCILE_TABLES:
                if table in tables:
                    con.execute(f"DROP TABLE {table}")
            con.execute(RECONCILE_DDL)
            con.execute("INSERT INTO reconcile_queue SELECT id FROM articles WHERE NOT superseded")
            con.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)]
            )
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path!r}{', read_only=True' if self.read_only else ''})"

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")

    # ------------------------------------------------------------------ ingest

    def ingest(
        self,
        sources: Source | Iterable[Source],
        progress: bool = False,
        *,
        batch_size: int = BATCH_SIZE,
        on_error: Callable[[str], None] | None = None,
        on_batch: Callable[[int, IngestSummary], None] | None = None,
        reconcile: bool = True,
    ) -> IngestSummary:
        """Read, extract and store every article of ``sources`` (see ``iter_inputs``).

        ``progress`` shows a progress line on stderr. ``on_error(line)`` is called for each
        error as it happens (they are all in the summary too); ``on_batch(n, summary)``
        after the n-th batch is committed. Then, unless ``reconcile=False``, the claims,
        contradictions and stories are brought up to date (``reconcile()``).
        """
        self._writable()
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        summary = IngestSummary()
        clock = timer()
        extractor = extractor_version()

        def fail(line: str) -> None:
            summary.errors.append(line)
            if on_error is not None:
                on_error(line)

        batches = 0
        batch: list[Document] = []
        bar = Progress(progress)
        with bar.running():
            for item in iter_inputs(sources):
                if isinstance(item, ReadError):
                    fail(str(item))
                    continue
                summary.read += 1
                batch.append(item)
                bar.advance()
                if len(batch) >= batch_size:
                    self._ingest_batch(batch, summary, fail, extractor)
                    batch = []
                    batches += 1
                    if on_batch is not None:
                        on_batch(batches, summary)
            if batch:
                self._ingest_batch(batch, summary, fail, extractor)
                batches += 1
                if on_batch is not None:
                    on_batch(batches, summary)
        if reconcile:
            self.reconcile()
        summary.seconds = clock()
        return summary

    def _ingest_batch(
        self,
        docs: list[Document],
        summary: IngestSummary,
        fail: Callable[[str], None],
        extractor: str,
    ) -> None:
        keyed: list[tuple[str, str, Document]] = []
        for doc in docs:
            why = refusal(doc)
            if why:
                fail(f"{_where(doc)}: {why}")
                continue
            keyed.append((article_key(doc), content_hash(doc.text), doc))
        known = self._known({key for key, _, _ in keyed})
        # the languages of the texts to analyse (content not stored at its key yet), all at
        # once (``ingest.languages``)
        stored: dict[str, set[str]] = {key: hashes for key, (_, hashes) in known.items()}
        todo = [
            i
            for i, (key, text_hash, doc) in enumerate(keyed)
            if not isinstance(doc, AnalysedDocument) and text_hash not in stored.get(key, ())
        ]
        lang_of = dict(zip(todo, languages([keyed[i][2].text for i in todo]), strict=True))
        rows = _Rows()
        supersede: list[tuple[str, int]] = []
        when = _now()
        for i, (key, text_hash, doc) in enumerate(keyed):
            entry = known.get(key)
            if entry is not None and text_hash in entry[1]:
                summary.unchanged += 1
                continue
            made_by = extractor
            try:
                if isinstance(doc, AnalysedDocument):  # extracted by `tradefacts batch`
                    analysis, made_by = doc.analysis, doc.extractor
                else:
                    analysis = analyse(doc.text, doc.date, lang=lang_of.get(i))
            except Exception as e:  # noqa: BLE001 - one article must not stop the run
                fail(f"{_where(doc)}: extraction failed: {_reason(e)}")
                continue
            if entry is None:
                version = 1
                summary.new += 1
                known[key] = (version, {text_hash})
            else:
                latest, hashes = entry
                version = latest + 1
                summary.new_versions += 1
                if key in rows.pending:
                    rows.supersede_pending(key)
                else:
                    supersede.append((key, latest))
                hashes.add(text_hash)
                known[key] = (version, hashes)
            rows.add_article(key, version, doc, text_hash, analysis, when, made_by)
        if rows.pending:
            self._write(rows, supersede)

    def _known(self, keys: set[str]) -> dict[str, tuple[int, set[str]]]:
        """For each key stored: its latest (current) version and the content hashes of all
        its versions. Content seen in any version is unchanged, so that re-reading an older
        copy never rolls an article back, and a rerun after a crash finds what it stored."""
        if not keys:
            return {}
        found = self.con.execute(
            "SELECT id, max(version), list(content_hash) FROM articles "
            "WHERE id IN (SELECT unnest(?::VARCHAR[])) GROUP BY id",
            [sorted(keys)],
        ).fetchall()
        return {key: (int(latest), set(hashes)) for key, latest, hashes in found}

    @contextlib.contextmanager
    def _transaction(self, what: str) -> Iterator[Callable[[str, pa.Table], None]]:
        """One batch: all or nothing. Yields ``register(name, arrow_table)``."""
        con = self.con
        registered: list[str] = []

        def register(name: str, table: pa.Table) -> None:
            con.register(name, table)
            registered.append(name)

        try:
            con.execute("BEGIN TRANSACTION")
            yield register
            con.execute("COMMIT")
        except BaseException as e:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            if isinstance(e, duckdb.Error):
                raise StoreError(
                    f"{self.path}: {what} failed, batch rolled back ({_first_line(e)})"
                ) from None
            raise
        finally:
            for name in registered:
                con.unregister(name)

    def _write(self, rows: _Rows, supersede: list[tuple[str, int]]) -> None:
        con = self.con
        with self._transaction("writing a batch") as register:
            if supersede:
                register(
                    "_tf_sup",
                    pa.table(
                        {
                            "id": pa.array([k for k, _ in supersede], pa.string()),
                            "version": pa.array([v for _, v in supersede], pa.int32()),
                        }
                    ),
                )
                con.execute(
                    "UPDATE articles SET superseded = true FROM _tf_sup "
                    "WHERE articles.id = _tf_sup.id AND articles.version = _tf_sup.version"
                )
                con.execute(
                    "UPDATE facts SET superseded = true FROM _tf_sup "
                    "WHERE facts.article_id = _tf_sup.id AND facts.version = _tf_sup.version"
                )
            register("_tf_articles", rows.article_table())
            con.execute("INSERT INTO articles BY NAME SELECT * FROM _tf_articles")
            con.execute("INSERT INTO reconcile_queue SELECT DISTINCT id FROM _tf_articles")
            if rows.facts["fact_id"]:
                register("_tf_facts", rows.fact_table())
                con.execute("INSERT INTO facts BY NAME SELECT * FROM _tf_facts")

    # ------------------------------------------------------------------ reextract

    def stale(self) -> int:
        """Current article versions whose facts another extractor version made."""
        return int(
            self.con.execute(
                "SELECT count(*) FROM articles WHERE NOT superseded AND extractor_version <> ?",
                [extractor_version()],
            ).fetchall()[0][0]
        )

    def reextract(
        self,
        progress: bool = False,
        *,
        batch_size: int = BATCH_SIZE,
        on_error: Callable[[str], None] | None = None,
        reconcile: bool = True,
    ) -> ReextractSummary:
        """Re-run ``extract`` on the stored text of every current article version whose
        facts another extractor version made, and replace those facts (no refetch).

        Superseded versions keep the facts they had. One transaction per batch; an article
        the extractor fails on keeps its old facts and stays stale. Then, unless
        ``reconcile=False``, ``reconcile()``.
        """
        self._writable()
        extractor = extractor_version()
        summary = ReextractSummary()
        clock = timer()
        keys = self.con.execute(
            "SELECT id, version FROM articles WHERE NOT superseded AND extractor_version <> ? "
            "ORDER BY id, version",
            [extractor],
        ).fetchall()
        bar = Progress(progress, "reextract")
        with bar.running():
            for i in range(0, len(keys), batch_size):
                self._reextract_batch(keys[i : i + batch_size], summary, extractor, on_error)
                bar.advance(len(keys[i : i + batch_size]))
        if reconcile:
            self.reconcile()
        summary.seconds = clock()
        return summary

    def _reextract_batch(
        self,
        keys: list[tuple[str, int]],
        summary: ReextractSummary,
        extractor: str,
        on_error: Callable[[str], None] | None,
    ) -> None:
        con = self.con
        con.register(
            "_tf_keys",
            pa.table(
                {
                    "id": pa.array([k for k, _ in keys], pa.string()),
                    "version": pa.array([v for _, v in keys], pa.int32()),
                }
            ),
        )
        try:
            texts = con.execute(
                "SELECT a.id, a.version, a.text, a.published, a.published_from "
                "FROM articles a JOIN _tf_keys k ON a.id = k.id AND a.version = k.version "
                "ORDER BY a.id, a.version"
            ).fetchall()
        finally:
            con.unregister("_tf_keys")
        rows = _Rows()
        done: dict[str, list[Any]] = {
            "id": [],
            "version": [],
            "published": [],
            "published_from": [],
            "lang": [],
        }
        langs = languages([text for _, _, text, _, _ in texts])
        for (key, version, text, published, origin), lang in zip(texts, langs, strict=True):
            try:
                analysis = analyse(text, published if origin == "metadata" else None, lang=lang)
            except Exception as e:  # noqa: BLE001 - one article must not stop the run
                line = f"{key} (version {version}): extraction failed: {_reason(e)}"
                summary.errors.append(line)
                if on_error is not None:
                    on_error(line)
                continue
            rows.add_facts(key, version, analysis.facts, extractor)
            done["id"].append(key)
            done["version"].append(version)
            done["published"].append(analysis.published)
            done["published_from"].append(analysis.published_from)
            done["lang"].append(analysis.lang)
        if not done["id"]:
            return
        updated = pa.table(
            done,
            schema=pa.schema(
                [
                    ("id", pa.string()),
                    ("version", pa.int32()),
                    ("published", pa.date32()),
                    ("published_from", pa.string()),
                    ("lang", pa.string()),
                ]
            ),
        )
        with self._transaction("re-extraction") as register:
            register("_tf_done", updated)
            before = int(
                con.execute(
                    "SELECT count(*) FROM facts f JOIN _tf_done d "
                    "ON f.article_id = d.id AND f.version = d.version"
                ).fetchall()[0][0]
            )
            con.execute(
                "DELETE FROM facts USING _tf_done d "
                "WHERE facts.article_id = d.id AND facts.version = d.version"
            )
            if rows.facts["fact_id"]:
                register("_tf_facts", rows.fact_table())
                con.execute("INSERT INTO facts BY NAME SELECT * FROM _tf_facts")
            con.execute(
                "UPDATE articles SET extractor_version = ?, published = d.published, "
                "published_from = d.published_from, lang = d.lang FROM _tf_done d "
                "WHERE articles.id = d.id AND articles.version = d.version",
                [extractor],
            )
            con.execute("INSERT INTO reconcile_queue SELECT id FROM _tf_done")
        summary.articles += len(done["id"])
        summary.facts_before += before
        summary.facts_after += len(rows.facts["fact_id"])

    # ------------------------------------------------------------------ queries

    def _select(
        self,
        *,
        party: str | Iterable[str] | None = None,
        partner: str | Iterable[str] | None = None,
        indicator: str | Iterable[str] | None = None,
        status: str | Iterable[str] | None = None,
        since: int | str | None = None,
        until: int | str | None = None,
        lang: str | Iterable[str] | None = None,
        include_superseded: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if not include_superseded:
            where.append("NOT f.superseded")
        parties = _values(party, str.upper)
        partners = _values(partner, str.upper)
        if parties and partners:
            where.append(
                "((list_contains(?, f.party_a) AND list_contains(?, f.party_b)) "
                "OR (list_contains(?, f.party_b) AND list_contains(?, f.party_a)))"
            )
            params += [parties, partners, parties, partners]
        elif parties or partners:
            either = parties or partners
            where.append("(list_contains(?, f.party_a) OR list_contains(?, f.party_b))")
            params += [either, either]
        indicators = _values(indicator, str.lower)
        _check_known("indicator", indicators, INDICATORS)
        if indicators:
            where.append("list_contains(?, f.indicator)")
            params.append(indicators)
        statuses = _values(status, str.lower)
        _check_known("status", statuses, STATUSES)
        if statuses:
            where.append("list_contains(?, f.status)")
            params.append(statuses)
        langs = _values(lang, str.strip)
        if langs:
            where.append("(" + " OR ".join("(a.lang = ? OR a.lang LIKE ?)" for _ in langs) + ")")
            for code in langs:
                params += [code, f"{code}-%"]
        if since is not None:
            where.append(
                "f.period IS NOT NULL AND year(coalesce(f.period_end, f.period_start)) >= ?"
            )
            params.append(_year("since", since))
        if until is not None:
            where.append(
                "f.period IS NOT NULL AND year(coalesce(f.period_start, f.period_end)) <= ?"
            )
            params.append(_year("until", until))
        columns = ", ".join(f"a.{c}" if c in _ARTICLE_SIDE else f"f.{c}" for c in FACT_COLUMNS)
        sql = (
            f"SELECT {columns} FROM facts f "
            "JOIN articles a ON a.id = f.article_id AND a.version = f.version"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.published NULLS LAST, f.article_id, f.version, f.n"
        if limit is not None:
            sql += f" LIMIT {max(0, int(limit))}"
        if offset:
            sql += f" OFFSET {max(0, int(offset))}"
        return sql, params

    def facts(self, **filters: Any) -> list[dict[str, Any]]:
        """Fact rows (with their article's url, title, published, lang), oldest first.

        Filters: ``party`` (either side), ``partner`` (the other side of a pair with
        ``party``, else either side), ``indicator``, ``status``, ``lang`` (``uz`` matches
        ``uz-Cyrl`` and ``uz-Latn``) — each a value, a comma-separated string or a list;
        ``since`` / ``until`` (years, compared with the fact's period; facts without a
        period are left out when either is given); ``include_superseded``; ``limit`` and
        ``offset`` (a page of the rows).
        """
        sql, params = self._select(**filters)
        cursor = self.con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count_facts(self, **filters: Any) -> int:
        """How many rows ``facts(**filters)`` gives (without ``limit``/``offset``)."""
        filters = {k: v for k, v in filters.items() if k not in ("limit", "offset")}
        sql, params = self._select(**filters)
        return int(self.con.execute(f"SELECT count(*) FROM ({sql})", params).fetchall()[0][0])

    def to_arrow(self, **filters: Any) -> pa.Table:
        """The ``facts(**filters)`` rows as a pyarrow Table."""
        sql, params = self._select(**filters)
        return _arrow(self.con.sql(sql, params=params))

    def to_pandas(self, **filters: Any) -> Any:
        """The ``facts(**filters)`` rows as a pandas DataFrame."""
        return self.to_arrow(**filters).to_pandas()

    def export(
        self, path: str | os.PathLike[str], format: str | None = None, **filters: Any
    ) -> int:
        """Write the ``facts(**filters)`` rows to ``path`` as csv, parquet or jsonl.

        The format defaults to the file's suffix. CSV has a header and a UTF-8 byte-order
        mark (so Excel reads it as UTF-8); JSONL has one object per line. The file is
        written whole or not at all. Returns the number of rows.
        """
        out = Path(path)
        fmt = (format or _format_of(out)).lower()
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"{out}: unknown export format {fmt!r} (csv, parquet, jsonl)")
        table = self.to_arrow(**filters)
        folder = out.parent if str(out.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
        except OSError as e:
            raise StoreError(f"{out}: cannot write ({e.strerror or e})") from None
        try:
            with os.fdopen(fd, "wb") as f:
                _write_table(table, f, fmt)
            os.replace(tmp, out)
        except OSError as e:
            Path(tmp).unlink(missing_ok=True)
            raise StoreError(f"{out}: cannot write ({e.strerror or e})") from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return table.num_rows

    # ------------------------------------------------------------------ reconcile

    def pending(self) -> int:
        """Articles stored but not yet reconciled (0 after every complete ingest)."""
        self._reconciled_tables()
        return reconcile_engine.pending(self.con)

    def reconcile(self, full: bool = False) -> ReconcileSummary:
        """Bring claims, contradictions and stories up to date with the stored facts: for
        the articles stored since the last time (``full``: everything, from scratch). One
        transaction. ``ingest`` and ``reextract`` call it at their end."""
        self._writable()
        con = self.con
        queued = [
            r[0] for r in con.execute("SELECT DISTINCT article_id FROM reconcile_queue").fetchall()
        ]
        full = full or reconcile_engine.needs_full(con)
        if not full and not queued:
            return ReconcileSummary()
        if not full:  # everything queued (a first ingest): the same work, done at once
            current = con.execute("SELECT count(*) FROM articles WHERE NOT superseded").fetchall()
            full = len(queued) >= current[0][0]
        with self._transaction("reconciliation"):
            return reconcile_engine.run(con, None if full else queued)

    def _reconciled_tables(self) -> None:
        present = {
            row[0]
            for row in self.con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database() AND table_schema = 'main'"
            ).fetchall()
        }
        if not set(RECONCILE_TABLES) <= present:
            raise StoreError(
                f"{self.path}: made by an older tradefacts, without claims and stories; "
                "run `tradefacts reconcile` on it once"
            )

    def claims(self, **filters: Any) -> list[dict[str, Any]]:
        """Claims, each with its ``sources`` (one dict per fact behind it), most sources
        first. Filters: ``party``, ``partner``, ``indicator``, ``status`` (as ``facts``),
        ``period`` (exact), ``since``/``until`` (years), ``min_sources``, ``min_languages``,
        ``disputed``, ``limit``; ``sources=False`` leaves the sources out."""
        from tradefacts.reconcile import queries

        self._reconciled_tables()
        return queries.claims(self.con, **filters)

    def contradictions(self, **filters: Any) -> list[dict[str, Any]]:
        """Contradictions: two claims of one key with an evidence each (``value_a``,
        ``evidence_a``, ``url_a``, ... ``value_b``, ...). Filters: ``party``, ``partner``,
        ``indicator``, ``status``."""
        from tradefacts.reconcile import queries

        self._reconciled_tables()
        return queries.contradictions(self.con, **filters)

    def stories(self, *, min_articles: int = 2, party: Any = None) -> list[dict[str, Any]]:
        """Stories of at least ``min_articles`` articles (an article in no story is one on
        its own), each with its ``members``, newest first."""
        from tradefacts.reconcile import queries

        self._reconciled_tables()
        return queries.stories(self.con, min_articles=min_articles, party=party)

    def story_of(self) -> dict[str, str]:
        """``{article id: story id}`` for the articles that share a story with another."""
        self._reconciled_tables()
        return dict(self.con.execute("SELECT article_id, story_id FROM story_members").fetchall())

    def timeline(
        self, a: str, b: str, indicator: str | Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        """The reconciled actual figures between two parties: one series per indicator,
        direction and unit, with ``years`` (full calendar years), ``partial`` (months,
        quarters, halves, never mixed into the years) and ``other`` (cumulative or
        multi-year periods). See docs/reconcile.md."""
        from tradefacts.reconcile import timeline

        self._reconciled_tables()
        indicators = _values(indicator, str.lower)
        _check_known("indicator", indicators, INDICATORS)
        return timeline.timeline(self.con, a.upper(), b.upper(), indicators or None)

    def targets(self, as_of: dt.date | str | None = None, **filters: Any) -> list[dict[str, Any]]:
        """Every stated target with its progress and verdict as of ``as_of`` (default:
        today). Filters: ``party``, ``partner``, ``indicator``. See docs/reconcile.md."""
        from tradefacts.reconcile import targets

        self._reconciled_tables()
        if isinstance(as_of, str):
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError:
                raise StoreError(f"--as-of wants a date like 2026-01-31, not {as_of!r}") from None
        indicators = _values(filters.pop("indicator", None), str.lower)
        _check_known("indicator", indicators, INDICATORS)
        return targets.targets(self.con, as_of=as_of, indicator=indicators or None, **filters)

    def stats(self) -> dict[str, Any]:
        """Counts: articles, versions, facts, per language and indicator, stale articles."""
        con = self.con

        def one(sql: str, params: list[Any] | None = None) -> Any:
            rows = con.execute(sql, params or []).fetchall()
            return rows[0][0] if rows else None

        published = con.execute(
            "SELECT min(published), max(published) FROM articles WHERE NOT superseded"
        ).fetchall()[0]
        return {
            "path": self.path,
            "extractor_version": extractor_version(),
            "articles": one("SELECT count(*) FROM articles WHERE NOT superseded"),
            "article_versions": one("SELECT count(*) FROM articles"),
            "superseded_versions": one("SELECT count(*) FROM articles WHERE superseded"),
            "articles_without_facts": one(
                "SELECT count(*) FROM articles a WHERE NOT a.superseded AND NOT EXISTS "
                "(SELECT 1 FROM facts f WHERE f.article_id = a.id AND f.version = a.version)"
            ),
            "facts": one("SELECT count(*) FROM facts WHERE NOT superseded"),
            "superseded_facts": one("SELECT count(*) FROM facts WHERE superseded"),
            "stale_articles": self.stale(),
            "published_first": _iso(published[0] if published else None),
            "published_last": _iso(published[1] if published else None),
            "languages": dict(
                con.execute(
                    "SELECT coalesce(lang, 'und'), count(*) AS n FROM articles "
                    "WHERE NOT superseded GROUP BY 1 ORDER BY n DESC, 1"
                ).fetchall()
            ),
            "indicators": dict(
                con.execute(
                    "SELECT indicator, count(*) AS n FROM facts WHERE NOT superseded "
                    "GROUP BY 1 ORDER BY n DESC, 1"
                ).fetchall()
            ),
            "top_pairs": {
                f"{a}-{b}": n
                for a, b, n in con.execute(
                    "SELECT party_a, party_b, count(*) AS n FROM facts WHERE NOT superseded "
                    "GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 10"
                ).fetchall()
            },
        }


# --------------------------------------------------------------------------- helpers


def _values(value: str | Iterable[str] | None, norm: Callable[[str], str]) -> list[str]:
    if value is None:
        return []
    items: Iterable[str] = value.split(",") if isinstance(value, str) else value
    return [norm(str(v).strip()) for v in items if str(v).strip()]


def _check_known(name: str, values: list[str], known: Sequence[str]) -> None:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise StoreError(f"unknown {name} {unknown[0]!r} (one of: {', '.join(known)})")


def _year(name: str, value: int | str) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise StoreError(f"--{name} wants a year like 2020, not {value!r}")
    return int(text)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"pq": "parquet", "ndjson": "jsonl", "json": "jsonl"}.get(suffix, suffix)


def _write_table(table: pa.Table, f: Any, fmt: str) -> None:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, f)
    elif fmt == "csv":
        import pyarrow.csv as pacsv

        f.write(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then reads the file as UTF-8
        pacsv.write_csv(table, f)
    else:
        for batch in table.to_batches(max_chunksize=10_000):
            lines = [
                json.dumps(json_row(row), ensure_ascii=False) + "\n" for row in batch.to_pylist()
            ]
            f.write("".join(lines).encode("utf-8"))


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A fact row ready for JSON: dates as ISO strings, whole numbers as ints."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)
        out[key] = value
    return out


def _open_reason(path: str, e: BaseException) -> str:
    text = _first_line(e)
    low = text.lower()
    if "not a valid duckdb database" in low:
        return f"{path}: not a DuckDB database file"
    if "lock" in low:
        return f"{path}: in use by another process (DuckDB allows one writer at a time)"
    if "version" in low or "serializ" in low:
        return f"{path}: written by an incompatible DuckDB version ({text})"
    return f"{path}: cannot open the database ({text})"
