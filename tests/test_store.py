"""The knowledge store: round trip, idempotency, versions, reextract, filters, export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tradefacts.store as store_module
from tradefacts import Store, extract
from tradefacts.document import Document, iter_documents
from tradefacts.ingest import article_key, iter_inputs
from tradefacts.store import FACT_COLUMNS, StoreError, period_bounds

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo"
Snapshot = Callable[[Any], dict[str, list[tuple[Any, ...]]]]


def doc(
    id: str, *lines: str, url: str | None = None, date: str | None = None, source: str = "t"
) -> Document:
    return Document(
        id=id,
        text="\n".join(lines) + "\n",
        url=url,
        date=dt.date.fromisoformat(date) if date else None,
        source=source,
    )


# --------------------------------------------------------------------------- round trip


def test_round_trip_with_the_real_extractor(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    with Store(db) as store:
        summary = store.ingest([DEMO / "articles", DEMO / "articles.jsonl"])
    assert (summary.read, summary.new, summary.unchanged, summary.errors) == (13, 13, 0, [])

    expected = set()
    for item in iter_documents([DEMO / "articles", DEMO / "articles.jsonl"]):
        assert isinstance(item, Document)
        for f in extract(item.text, item.date):
            expected.add((item.id, f.indicator, f.parties, f.period, round(f.value, 6)))

    with Store(db, read_only=True) as store:
        rows = store.facts()
        got = {
            (r["doc_id"], r["indicator"], (r["party_a"], r["party_b"]), r["period"], r["value"])
            for r in rows
        }
        assert got == expected
        assert list(rows[0]) == list(FACT_COLUMNS)
        # evidence offsets index into the stored text
        for text, sentence, start, end in store.con.execute(
            "SELECT a.text, f.evidence_sentence, f.evidence_start, f.evidence_end "
            "FROM facts f JOIN articles a ON a.id = f.article_id AND a.version = f.version"
        ).fetchall():
            assert text[start:end] == sentence
        stats = store.stats()
        assert stats["articles"] == 13 and stats["facts"] == len(rows) > 0
        assert stats["stale_articles"] == 0
        assert {"kk", "ru", "en", "ky", "uz-Cyrl", "uz-Latn"} <= set(stats["languages"])
        # published: metadata date for JSONL records, the header date for text files
        published = dict(store.con.execute("SELECT doc_id, published FROM articles").fetchall())
        assert published["demo-j01"] == dt.date(2025, 2, 5)
        assert published["001_kk_kaz_uzb_turnover.txt"] == dt.date(2025, 10, 14)


def test_identity_url_else_source_and_id(tmp_path: Path) -> None:
    assert article_key(Document(id="x", text="t", url="https://a/b")) == "https://a/b"
    assert article_key(Document(id="x", text="t", source="news")) == "news/x"
    assert article_key(Document(id="x", text="t")) == "x"
    # the same file name in two folders: two articles, named from the folder given
    for sub in ("a/2024", "b/2024"):
        (tmp_path / "root" / sub).mkdir(parents=True)
        (tmp_path / "root" / sub / "1.txt").write_text(f"Text of {sub}.\n", encoding="utf-8")
    keys = [article_key(d) for d in iter_inputs([tmp_path / "root"]) if isinstance(d, Document)]
    assert keys == ["root/a/2024/1.txt", "root/b/2024/1.txt"]
    # a file named directly is the same article as through its folder
    direct = next(iter(iter_inputs([tmp_path / "root" / "a" / "2024" / "1.txt"])))
    assert isinstance(direct, Document) and article_key(direct) == "2024/1.txt"


# --------------------------------------------------------------------------- idempotency


def test_same_input_twice_adds_nothing(dsl: Any, tmp_path: Path, snapshot: Snapshot) -> None:
    (tmp_path / "a.txt").write_text("FACT turnover KAZ UZB 2024 1e9 actual\n", encoding="utf-8")
    docs = [
        doc("d1", "FACT export KAZ CHN 2023 5e8 actual", url="https://x/1"),
        doc("d2", "no facts here"),
        tmp_path / "a.txt",
    ]
    with Store(tmp_path / "s.duckdb") as store:
        first = store.ingest(docs)
        before = snapshot(store)
        second = store.ingest(docs)
        assert (first.new, first.unchanged) == (3, 0)
        assert (second.read, second.new, second.unchanged, second.new_versions) == (3, 0, 3, 0)
        assert snapshot(store) == before
        assert len(before["articles"]) == 3 and len(before["facts"]) == 2


def test_changed_content_is_a_new_version_superseding_the_old(dsl: Any) -> None:
    url = "https://news.example/kz-uz"
    a = doc("a", "FACT turnover KAZ UZB 2024 1e9 actual", url=url)
    b = doc(
        "a", "FACT turnover KAZ UZB 2024 2e9 actual", "FACT export KAZ UZB 2024 1e9 actual", url=url
    )
    with Store(":memory:") as store:
        store.ingest([a])
        s = store.ingest([b])
        assert (s.new, s.new_versions, s.unchanged) == (0, 1, 0)
        assert [r["value"] for r in store.facts()] == [2e9, 1e9]
        everything = store.facts(include_superseded=True)
        assert sorted((r["version"], r["value"], r["superseded"]) for r in everything) == [
            (1, 1e9, True),
            (2, 1e9, False),
            (2, 2e9, False),
        ]
        versions = store.con.execute(
            "SELECT version, superseded FROM articles WHERE id = ? ORDER BY version", [url]
        ).fetchall()
        assert versions == [(1, True), (2, False)]
        assert store.ingest([b]).unchanged == 1
        # an older copy again is no change: it never rolls the article back
        assert store.ingest([a]).unchanged == 1
        assert [r["value"] for r in store.facts()] == [2e9, 1e9]
        c = doc("a", "FACT turnover KAZ UZB 2024 3e9 actual", url=url)
        assert store.ingest([c]).new_versions == 1
        assert store.stats()["superseded_versions"] == 2


def test_versions_inside_one_batch_equal_versions_across_batches(
    dsl: Any, snapshot: Snapshot
) -> None:
    url = "https://news.example/one"
    seq = [
        doc("1", "FACT turnover KAZ UZB 2024 1e9 actual", url=url),
        doc("1", "FACT turnover KAZ UZB 2024 2e9 actual", url=url),
        doc("2", "FACT export KAZ CHN 2024 3e9 actual"),
        doc("1", "FACT turnover KAZ UZB 2024 2e9 actual", url=url),  # unchanged
        doc("1", "FACT turnover KAZ UZB 2024 4e9 actual", url=url),
        doc("1", "FACT turnover KAZ UZB 2024 1e9 actual", url=url),  # seen before
    ]
    results = []
    for batch_size in (500, 1, 2):
        with Store(":memory:") as store:
            s = store.ingest(seq, batch_size=batch_size)
            assert (s.new, s.new_versions, s.unchanged) == (2, 2, 2)
            results.append(snapshot(store))
    assert results[0] == results[1] == results[2]
    current = [r for r in results[0]["articles"] if not r[12]]  # superseded column
    assert len(current) == 2


# --------------------------------------------------------------------------- reextract


def test_reextract_replaces_stale_facts_only(dsl: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://news.example/r"
    monkeypatch.setattr(store_module, "extractor_version", lambda: "test-1")
    with Store(":memory:") as store:
        store.ingest(
            [
                doc("r", "FACT turnover KAZ UZB 2024 1e9 actual", url=url),
                doc("s", "FACT export KAZ CHN 2023 5e8 actual", "EXPLODE2"),
            ]
        )
        store.ingest([doc("r", "FACT turnover KAZ UZB 2024 2e9 actual", url=url)])  # v2
        assert store.stale() == 0
        assert store.reextract().articles == 0

        # an upgrade: another version, another output, and one article it fails on
        monkeypatch.setattr(store_module, "extractor_version", lambda: "test-2")
        dsl["value"] = 10.0
        dsl["explode"] = "2"
        assert store.stale() == 2
        summary = store.reextract()
        assert (summary.articles, summary.facts_before, summary.facts_after) == (1, 1, 1)
        assert len(summary.errors) == 1 and "extraction failed" in summary.errors[0]
        rows = store.facts(include_superseded=True)
        by = {(r["article_id"], r["version"]): r for r in rows}
        assert by[(url, 2)]["value"] == 2e10 and by[(url, 2)]["extractor_version"] == "test-2"
        # the superseded version keeps what it had; the failed article keeps its old facts
        assert by[(url, 1)]["value"] == 1e9 and by[(url, 1)]["extractor_version"] == "test-1"
        assert by[("t/s", 1)]["value"] == 5e8 and by[("t/s", 1)]["extractor_version"] == "test-1"
        assert store.stale() == 1
        # the same fact found again keeps its id; a changed one gets a new id
        dsl["explode"] = ""
        monkeypatch.setattr(store_module, "extractor_version", lambda: "test-3")
        before = {r["article_id"]: r["fact_id"] for r in store.facts()}
        assert store.reextract().articles == 2
        after = {r["article_id"]: (r["fact_id"], r["value"]) for r in store.facts()}
        assert after[url] == (before[url], 2e10)
        assert after["t/s"][0] != before["t/s"] and after["t/s"][1] == 5e9
        assert store.stale() == 0


# --------------------------------------------------------------------------- filters


@pytest.fixture
def filled(dsl: Any) -> Store:
    store = Store(":memory:")
    store.ingest(
        [
            doc(
                "d1",
                "LANG kk",
                "FACT turnover KAZ UZB 2023 1e9 actual",
                "FACT export KAZ CHN 2023 2e9 actual",
                date="2024-01-10",
            ),
            doc(
                "d2",
                "LANG ru",
                "FACT import RUS KAZ 2021-01/2021-06 3e9 actual",
                "FACT turnover KAZ UZB ../2030 1e10 target",
                date="2024-02-01",
            ),
            doc(
                "d3",
                "LANG uz-Latn",
                "FACT export UZB KAZ 2005/2025 4e9 actual",
                "FACT turnover KGZ UZB - 5e9 forecast",
                date="2025-05-01",
            ),
            doc("d4", "LANG uz-Cyrl", "FACT investment CHN UZB 2019 6e9 actual"),
        ]
    )
    return store


@pytest.mark.parametrize(
    ("filters", "values"),
    [
        ({}, [1, 2, 3, 10, 4, 5, 6]),
        ({"party": "KAZ"}, [1, 2, 3, 10, 4]),
        ({"party": "kaz", "partner": "UZB"}, [1, 10, 4]),
        ({"partner": "UZB"}, [1, 10, 4, 5, 6]),
        ({"party": "KAZ,CHN", "partner": ["UZB"]}, [1, 10, 4, 6]),
        ({"indicator": "export"}, [2, 4]),
        ({"indicator": "export,import"}, [2, 3, 4]),
        ({"status": "target"}, [10]),
        ({"since": 2020}, [1, 2, 3, 10, 4]),
        ({"until": 2020}, [4, 6]),
        ({"since": "2020", "until": 2025}, [1, 2, 3, 4]),
        ({"since": 2026}, [10]),
        ({"lang": "uz"}, [4, 5, 6]),
        ({"lang": "kk,ru"}, [1, 2, 3, 10]),
        ({"lang": "uz-Cyrl"}, [6]),
        ({"party": "KAZ", "indicator": "turnover", "status": "actual"}, [1]),
        ({"limit": 2}, [1, 2]),
    ],
)
def test_filters(filled: Store, filters: dict[str, Any], values: list[int]) -> None:
    rows = filled.facts(**filters)
    assert [round(r["value"] / 1e9) for r in rows] == values
    assert filled.to_arrow(**filters).num_rows == len(values)
    assert len(filled.to_pandas(**filters)) == len(values)


def test_pages_of_facts_and_their_count(filled: Store) -> None:
    every = filled.facts()
    assert filled.count_facts() == len(every) > 2
    pages = [filled.facts(limit=2, offset=k) for k in range(0, len(every), 2)]
    assert [f for page in pages for f in page] == every
    assert filled.count_facts(status="target", limit=1) == len(filled.facts(status="target"))


def test_bad_filters_are_one_line_errors(filled: Store) -> None:
    with pytest.raises(StoreError, match="unknown indicator 'trade'"):
        filled.facts(indicator="trade")
    with pytest.raises(StoreError, match="unknown status"):
        filled.facts(status="planned")
    with pytest.raises(StoreError, match="year"):
        filled.facts(since="20x")


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2024", "2024-01-01", "2024-12-31"),
        ("2025-01/2025-09", "2025-01-01", "2025-09-30"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2024-12", "2024-12-01", "2024-12-31"),
        ("2005/2025", "2005-01-01", "2025-12-31"),
        ("../2030", None, "2030-12-31"),
        ("2005/..", "2005-01-01", None),
        ("2023-03-15", "2023-03-15", "2023-03-15"),
        ("2024?", "2024-01-01", "2024-12-31"),
        (None, None, None),
        ("soon", None, None),
        ("2024-13", None, None),
    ],
)
def test_period_bounds(period: str | None, start: str | None, end: str | None) -> None:
    def d(x: str | None) -> dt.date | None:
        return dt.date.fromisoformat(x) if x else None

    assert period_bounds(period) == (d(start), d(end))


# --------------------------------------------------------------------------- export


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(db) as store:
        store.ingest([DEMO / "articles", DEMO / "articles.jsonl"])
    return db


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_export_reads_back_in_pandas_and_duckdb(demo_store: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"facts.{fmt}"
    with Store(demo_store, read_only=True) as store:
        n = store.export(out)
        expected = store.to_pandas()
    assert n == len(expected) > 10
    if fmt == "csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
        df = pd.read_csv(out)
        rel = duckdb.read_csv(str(out))
    elif fmt == "parquet":
        df = pd.read_parquet(out)
        rel = duckdb.read_parquet(str(out))
    else:
        df = pd.read_json(out, lines=True)
        rel = duckdb.read_json(str(out))
    assert list(df.columns) == list(FACT_COLUMNS)
    assert list(rel.columns) == list(FACT_COLUMNS)
    assert len(df) == n and len(rel.fetchall()) == n
    assert list(df["evidence_sentence"]) == list(expected["evidence_sentence"])
    assert list(df["value"].astype(float)) == list(expected["value"])
    assert list(df["party_a"]) == list(expected["party_a"])


def test_export_with_filters_and_errors(demo_store: Path, tmp_path: Path) -> None:
    with Store(demo_store, read_only=True) as store:
        n = store.export(tmp_path / "kz.jsonl", party="KAZ", indicator="export")
        lines = (tmp_path / "kz.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == n > 0
        for line in lines:
            row = json.loads(line)
            assert row["indicator"] == "export" and "KAZ" in (row["party_a"], row["party_b"])
        assert store.export(tmp_path / "x.data", "parquet") == len(store.facts())
        assert pq.read_table(tmp_path / "x.data").num_rows == len(store.facts())
        with pytest.raises(StoreError, match="unknown export format 'xlsx'"):
            store.export(tmp_path / "x.xlsx")
        with pytest.raises(StoreError, match="cannot write"):
            store.export(tmp_path / "no" / "such" / "dir" / "x.csv")
        assert not list((tmp_path).glob(".x.*"))  # no temporary file left behind


# --------------------------------------------------------------------------- parquet input


def test_parquet_input(dsl: Any, tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["p1", "p2", "p3", None],
            "url": ["https://p/1", None, None, None],
            "date": [dt.date(2024, 5, 1), None, None, None],
            "text": ["FACT turnover KAZ UZB 2023 1e9 actual", "no facts", None, "an untitled row"],
        }
    )
    pq.write_table(table, tmp_path / "batch.parquet")
    pq.write_table(pa.table({"id": ["a"]}), tmp_path / "notext.parquet")
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 this is not parquet")
    with Store(":memory:") as store:
        s = store.ingest(
            [tmp_path / "batch.parquet", tmp_path / "notext.parquet", tmp_path / "bad.parquet"]
        )
        assert (s.read, s.new, len(s.errors)) == (3, 3, 3)
        assert any("batch.parquet:3: record without text" in e for e in s.errors)
        assert any("notext.parquet: no 'text' column" in e for e in s.errors)
        assert any("bad.parquet: not a readable Parquet file" in e for e in s.errors)
        ids = dict(store.con.execute("SELECT doc_id, id FROM articles").fetchall())
        assert ids["p1"] == "https://p/1" and ids["p2"] == "batch.parquet/p2"
        assert ids["batch.parquet:4"] == "batch.parquet/batch.parquet:4"
        assert store.con.execute(
            "SELECT published, published_from FROM articles WHERE doc_id = 'p1'"
        ).fetchall() == [(dt.date(2024, 5, 1), "metadata")]


def test_progress_bar_does_not_get_in_the_way(dsl: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with Store(":memory:") as store:
        s = store.ingest([doc(str(i), f"text {i}") for i in range(30)], progress=True, batch_size=7)
        assert s.new == 30
        assert store.reextract(progress=True).articles == 0
    assert "Traceback" not in capsys.readouterr().err
