"""`tradefacts batch`: planning, the local engine against direct extraction and against the
store's export, error rows, partitioning, reading back with `ingest`, the command line, and
the Spark engine against the local one (row for row)."""

from __future__ import annotations

import gc
import json
import random
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import tradefacts.batch as batch
from tradefacts import Store
from tradefacts.batch import (
    ERROR_SCHEMA,
    MANIFEST,
    BatchError,
    _line_ranges,
    plan,
    run_batch,
    spark_unavailable,
    split_records,
)
from tradefacts.cli import app
from tradefacts.document import Document, ReadError
from tradefacts.extract import extract
from tradefacts.ingest import read_parquet, stream_jsonl
from tradefacts.store import ARTICLE_SCHEMA, EXPORT_SCHEMA

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- helpers


def write_jsonl(path: Path, records: list[Any]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, synthetic: ModuleType) -> Path:
    """80 realistic synthetic articles in six languages, the demo JSONL records, an undated
    one, and an article repeated (same text: a duplicate; new text: a second version)."""
    folder = tmp_path_factory.mktemp("corpus")
    records = list(synthetic.records(80, seed=15, profile="realistic"))
    records += [json.loads(line) for line in (REPO / "demo/articles.jsonl").open()]
    records.append(
        {
            "id": "undated",
            "text": "Trade turnover between Kazakhstan and China reached $5.5 billion in 2020.\n",
        }
    )
    records.append(dict(records[3]))  # the same article again: a duplicate
    records.append(dict(records[4], text=records[4]["text"] + "Updated.\n"))  # a new version
    return write_jsonl(folder / "news.jsonl", records)


def dataset_rows(folder: Path, *, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every row of every part file under ``folder``, in a stable order."""
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.rglob("part-*.parquet")):
        table = pq.read_table(path)
        rows += table.drop_columns([c for c in drop if c in table.column_names]).to_pylist()
    key = "fact_id" if rows and "fact_id" in rows[0] else "id"
    return sorted(rows, key=lambda r: (str(r.get("article_id", r.get("id"))), str(r[key])))


def same_files(a: Path, b: Path) -> int:
    """The two outputs hold the same part files with the same rows, in the same order
    (``ingested_at``, the start time of each run, aside)."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("part-*.parquet"))
    files_b = sorted(p.relative_to(b) for p in b.rglob("part-*.parquet"))
    assert files_a == files_b
    for rel in files_a:
        ta, tb = pq.read_table(a / rel), pq.read_table(b / rel)
        if "ingested_at" in ta.column_names:
            ta, tb = ta.drop_columns(["ingested_at"]), tb.drop_columns(["ingested_at"])
        assert ta.schema == tb.schema, rel
        differ = [c for c in ta.column_names if ta[c].to_pylist() != tb[c].to_pylist()]
        assert not differ, f"{rel}: columns {differ} differ"
    return len(files_a)


# --------------------------------------------------------------------------- planning


def test_line_ranges_cover_the_file(tmp_path: Path) -> None:
    rng = random.Random(3)
    lines = [("x" * rng.randint(0, 40)).encode() for _ in range(200)]
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    for size in (1, 7, 64, 1000, 10**6):
        with path.open("rb") as f:
            ranges = _line_ranges(f, size)
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        for (_, e1, _), (s2, _, first2) in zip(ranges, ranges[1:], strict=False):
            assert e1 == s2 and data[e1 - 1 : e1] == b"\n"
            assert first2 == data[:s2].count(b"\n") + 1  # the line number where it starts
        assert all(e - s >= min(size, e - s) for s, e, _ in ranges)


def test_splits_read_what_ingest_reads(tmp_path: Path) -> None:
    """However a JSONL or Parquet file is cut, its splits give the records (and the bad
    lines, with their numbers) that ``ingest``'s readers give."""
    records: list[Any] = [
        {"id": f"r{i}", "date": "2024-05-01", "text": f"text {i}"} for i in range(30)
    ]
    records[5] = "{not json"
    records[9] = {"id": "empty", "text": "  "}
    records[12] = ""  # a blank line: skipped
    jsonl = write_jsonl(tmp_path / "a.jsonl", records)
    jsonl.write_bytes(b"\xef\xbb\xbf" + jsonl.read_bytes())  # a byte-order mark
    table = pa.table(
        {
            "id": [f"p{i}" for i in range(50)],
            "text": [f"t {i}" if i != 7 else None for i in range(50)],
        }
    )
    parquet = tmp_path / "b.parquet"
    pq.write_table(table, parquet, row_group_size=8)

    def norm(item: Any) -> Any:
        if isinstance(item, ReadError):
            return ("error", item.line, item.reason)
        assert isinstance(item, Document)
        return (item.id, item.text, item.date, item.source)

    expected = [norm(x) for x in stream_jsonl(jsonl)] + [norm(x) for x in read_parquet(parquet)]
    for size in (1, 50, 300, 10**7):
        splits = plan([jsonl, parquet], split_bytes=size)
        got = [norm(item) for s in splits for _, item in split_records(s)]
        # ingest gives its Parquet documents their source later; the batch does it at once
        assert [g if g[0] == "error" else g[:3] for g in got] == [
            e if e[0] == "error" else e[:3] for e in expected
        ]
        assert {g[3] for g in got if g[0] != "error"} == {"a.jsonl", "b.parquet"}
    assert len(plan([parquet], split_bytes=1)) == 50  # one row group cut into rows


def test_default_splits_shrink_towards_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``split_bytes`` the splits are guided by the input left: large first, then
    smaller, never below the minimum but for the last, and no crumb at the end; a Parquet
    file's rows are cut the same way."""
    monkeypatch.setattr(batch, "MIN_SPLIT_BYTES", 2_000)
    monkeypatch.setattr(batch, "SPLIT_MB", 0.05)  # 50,000 bytes at most
    rng = random.Random(5)
    records = [{"id": f"r{i}", "text": "x" * rng.randint(50, 400)} for i in range(2_000)]
    jsonl = write_jsonl(tmp_path / "a.jsonl", records)
    size = jsonl.stat().st_size
    for workers in (1, 2, 3):
        splits = plan([jsonl], workers=workers)
        sizes = [s.end - s.start for s in splits]
        assert splits[0].start == 0 and splits[-1].end == size
        assert all(a.end == b.start for a, b in zip(splits, splits[1:], strict=False))
        assert max(sizes) <= 50_000 + 500 and min(sizes[:-1]) >= 2_000
        assert sizes[-1] >= 1_000  # the last split takes the crumb
        # guided: never larger than the one before (a line's length aside), the last ones small
        assert all(b <= a + 500 for a, b in zip(sizes, sizes[1:], strict=False))
        assert sizes[0] >= 50_000 > 4 * max(sizes[-3:])
        left = size - splits[-3].start  # near the end: about the input left / 2 workers
        assert sizes[-3] <= max(2_000, left // (2 * workers)) + 500
        # every record once, in order, with its line number
        got = [(n, d.id) for s in splits for n, d in split_records(s)]
        assert got == [(i + 1, r["id"]) for i, r in enumerate(records)]
    parquet = tmp_path / "b.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet, row_group_size=100)
    splits = plan([parquet], workers=2)
    assert len(splits) > 4 and splits[0].end - splits[0].start >= splits[-2].end - splits[-2].start
    got = [d.id for s in splits for _, d in split_records(s)]
    assert got == [r["id"] for r in records]


def test_plan_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(BatchError, match="not a JSONL"):
        plan([tmp_path / "notes.txt"])
    with pytest.raises(BatchError, match="no such file"):
        plan([tmp_path / "missing.jsonl"])
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    (split,) = plan([tmp_path / "bad.parquet"])
    assert split.kind == "error" and "not a readable Parquet file" in split.reason


# --------------------------------------------------------------------------- local engine


def test_local_engine_equals_direct_extract(corpus: Path, tmp_path: Path) -> None:
    lines = corpus.read_text(encoding="utf-8").splitlines()[:-2]  # no duplicate, no version
    single = write_jsonl(tmp_path / "news.jsonl", lines)
    out = tmp_path / "out"
    summary = run_batch([single], out, workers=1, split_bytes=20_000)
    assert summary.splits > 3 and summary.errors == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["articles"] == summary.articles == summary.read - summary.duplicates
    facts = dataset_rows(out / "facts")
    assert len(facts) == summary.facts > 100

    def row_key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (
            row["indicator"],
            row["party_a"],
            row["party_b"],
            row["period"],
            round(row["value"], 3),
            row["value_max"] and round(row["value_max"], 3),
            row["unit"],
            row["bound"],
            row["status"],
            row["growth_value"] and round(row["growth_value"], 3),
            row["product"],
            row["evidence_sentence"],
            row["evidence_start"],
            row["evidence_end"],
        )

    def fact_key(fact: dict[str, Any]) -> tuple[Any, ...]:
        growth = fact.get("growth_pct") or {}
        return (
            fact["indicator"],
            *fact["parties"],
            fact["period"],
            float(round(fact["value"], 3)),
            fact.get("value_max") and float(round(fact["value_max"], 3)),
            fact["unit"],
            fact["bound"],
            fact["status"],
            growth.get("value") and float(round(growth["value"], 3)),
            fact.get("product"),
            fact["evidence"]["sentence"],
            fact["evidence"]["start"],
            fact["evidence"]["end"],
        )

    got: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    for row in facts:
        got.setdefault((row["article_id"], row["version"]), []).append(row_key(row))
    articles = dataset_rows(out / "articles")
    assert len(articles) == summary.articles
    for article in articles:
        date = article["published"] if article["published_from"] == "metadata" else None
        expected = sorted((fact_key(f.to_dict()) for f in extract(article["text"], date)), key=repr)
        assert sorted(got.get((article["id"], article["version"]), []), key=repr) == expected
        for *_, sentence, start, end in expected:
            assert article["text"][start:end] == sentence


def test_facts_are_the_export_rows(corpus: Path, tmp_path: Path) -> None:
    """The facts files have the schema of `export --format parquet` and, for input without
    repeats, its very rows."""
    lines = corpus.read_text(encoding="utf-8").splitlines()[:-2]  # no duplicate, no version
    single = write_jsonl(tmp_path / "news.jsonl", lines)
    out = tmp_path / "out"
    run_batch([single], out, workers=1, split_bytes=30_000)
    with Store(tmp_path / "db.duckdb") as store:
        store.ingest([single])
        exported = tmp_path / "facts.parquet"
        store.export(exported, "parquet")
    assert pq.read_schema(exported).remove_metadata() == EXPORT_SCHEMA
    for path in (out / "facts").rglob("part-*.parquet"):
        assert pq.read_schema(path).remove_metadata() == EXPORT_SCHEMA
    expected = sorted(
        pq.read_table(exported).to_pylist(), key=lambda r: (r["article_id"], r["fact_id"])
    )
    assert dataset_rows(out / "facts") == expected


def test_two_workers_write_what_one_writes(corpus: Path, tmp_path: Path) -> None:
    run_batch([corpus], tmp_path / "one", workers=1, split_bytes=40_000)
    run_batch([corpus], tmp_path / "two", workers=2, split_bytes=40_000)
    assert same_files(tmp_path / "one", tmp_path / "two") > 10


def test_write_rounds_do_not_change_the_rows(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows turned into Arrow every few articles and written out every few tables (several
    row groups per file) give the files that one conversion and one write give."""
    run_batch([corpus], tmp_path / "once", workers=1, split_bytes=60_000)
    monkeypatch.setattr(batch, "BATCH_CHARS", 3_000)
    monkeypatch.setattr(batch, "BUFFER_BYTES", 20_000)
    run_batch([corpus], tmp_path / "often", workers=1, split_bytes=60_000)
    assert same_files(tmp_path / "once", tmp_path / "often") > 10
    groups = [
        pq.ParquetFile(p).metadata.num_row_groups
        for p in (tmp_path / "often").rglob("part-*.parquet")
    ]
    assert max(groups) > 1
    once = json.loads((tmp_path / "once" / MANIFEST).read_text())
    often = json.loads((tmp_path / "often" / MANIFEST).read_text())
    texts = [r["text"] for r in dataset_rows(tmp_path / "once" / "articles")]
    assert once["text_bytes"] == often["text_bytes"] == sum(len(t.encode()) for t in texts)


def test_one_worker_leaves_the_garbage_collector_as_it_was(corpus: Path, tmp_path: Path) -> None:
    """``--workers 1`` runs in this process: the collector's settings come back after."""
    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    run_batch([corpus], tmp_path / "out", workers=1)
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_errors_are_rows_and_never_fail_the_job(dsl: Any, tmp_path: Path) -> None:
    long_text = "FACT export KAZ CHN 2024 1 actual\n" + "x" * 2_000_001
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "ok1", "date": "2024-03-01", "text": "FACT export KAZ CHN 2023 5 actual\n"},
            {
                "id": "boom",
                "url": "https://n/boom",
                "text": "FACT export KAZ CHN 2023 5 actual\nEXPLODE\n",
            },
            "{broken json",
            {"id": "empty", "text": ""},
            {"id": "huge", "text": long_text},
            '{"id": "lone", "text": "FACT export KAZ CHN 2023 5 actual \\udc80"}',
            {"id": "ok2", "text": "LANG kk\nFACT turnover KAZ UZB 2022 7 actual\n"},
        ],
    )
    out = tmp_path / "out"
    summary = run_batch([source], out, workers=1)
    assert (summary.articles, summary.errors, summary.facts) == (2, 5, 2)
    (errors_file,) = (out / "errors").glob("part-*.parquet")
    errors = pq.read_table(errors_file)
    assert errors.schema == ERROR_SCHEMA
    rows = {(r["record"], r["kind"]): r for r in errors.to_pylist()}
    boom = rows[(2, "extract")]
    assert (boom["id"], boom["article_id"]) == ("boom", "https://n/boom")
    assert boom["reason"] == "extraction failed: ValueError: cannot parse this article"
    assert (
        boom["message"]
        == "https://n/boom: extraction failed: ValueError: cannot parse this article"
    )
    assert rows[(3, "read")]["reason"].startswith("not JSON")
    assert rows[(4, "read")]["reason"] == "record without text"
    assert rows[(5, "refused")]["id"] == "huge"
    assert rows[(6, "read")]["reason"].startswith("text has an unpaired surrogate (\\udc80")
    assert {r["input"] for r in errors.to_pylist()} == {str(source)}
    assert sorted(a["id"] for a in dataset_rows(out / "articles")) == [
        "in.jsonl/ok1",
        "in.jsonl/ok2",
    ]
    assert (out / MANIFEST).is_file()


def test_partitioned_by_year_and_language(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([corpus], out, workers=1, split_bytes=50_000)
    folders = {
        p.parent.relative_to(out / "articles").as_posix()
        for p in (out / "articles").rglob("*.parquet")
    }
    languages = {f.split("/")[1].removeprefix("language=") for f in folders}
    assert {"kk", "ru", "uz-Cyrl", "uz-Latn", "ky", "en"} <= languages
    assert any(f.startswith("year=__HIVE_DEFAULT_PARTITION__/") for f in folders)
    for what in ("articles", "facts"):
        for path in (out / what).rglob("part-*.parquet"):
            year, language = path.parent.parent.name, path.parent.name
            for row in pq.read_table(path, columns=["published", "lang"]).to_pylist():
                expect = (
                    str(row["published"].year) if row["published"] else "__HIVE_DEFAULT_PARTITION__"
                )
                assert (year, language) == (f"year={expect}", f"language={row['lang']}")
    schema = pq.read_schema(next((out / "articles").rglob("part-*.parquet"))).remove_metadata()
    assert schema.names == [*ARTICLE_SCHEMA.names, "input", "record"]
    # DuckDB reads each folder as one hive-partitioned table
    con = duckdb.connect()
    n, years = con.execute(
        f"SELECT count(*), count(DISTINCT year) FROM read_parquet('{out}/facts/**/*.parquet', "
        "hive_partitioning = true) WHERE language = lang"
    ).fetchone()
    assert n == len(dataset_rows(out / "facts")) and years >= 5


# --------------------------------------------------------------------------- ingest DIR


def test_repeats_within_a_split(corpus: Path, tmp_path: Path) -> None:
    """In one split, an identical repeat is dropped and new text at the same article is
    version 2 (across splits, ``ingest`` sorts them out)."""
    out = tmp_path / "out"
    summary = run_batch([corpus], out, workers=1)
    assert summary.splits == 1 and summary.duplicates == 1
    versions: dict[str, list[int]] = {}
    for row in dataset_rows(out / "articles"):
        versions.setdefault(row["id"], []).append(row["version"])
        assert row["superseded"] is False
    assert sorted(v for vs in versions.values() for v in vs if v > 1) == [2]


@pytest.mark.parametrize("split_bytes", [20_000, None])
def test_ingest_of_the_output_equals_direct_ingest(
    corpus: Path, tmp_path: Path, snapshot: Callable[[Any], dict[str, Any]], split_bytes: Any
) -> None:
    out = tmp_path / "out"
    batch = run_batch([corpus], out, workers=1, split_bytes=split_bytes)
    with Store(tmp_path / "direct.duckdb") as direct:
        first = direct.ingest([corpus])
    with Store(tmp_path / "via.duckdb") as via:
        second = via.ingest([out])
    assert (second.read, second.new, second.new_versions, second.unchanged) == (
        first.read - batch.duplicates,  # the batch dropped identical repeats in a split
        first.new,
        first.new_versions,
        first.unchanged - batch.duplicates,
    )
    assert first.new_versions == 1 and not second.errors
    assert snapshot(tmp_path / "direct.duckdb") == snapshot(tmp_path / "via.duckdb")
    with Store(tmp_path / "via.duckdb") as via:  # again: nothing new
        again = via.ingest([out])
        assert (again.new, again.unchanged) == (0, again.read)
        assert via.stale() == 0


def test_unfinished_output_is_refused(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([corpus], out, workers=1)
    (out / MANIFEST).unlink()
    with Store(":memory:") as store:
        summary = store.ingest([out])
    assert summary.read == 0
    assert summary.errors and "unfinished tradefacts batch output" in summary.errors[0]


# --------------------------------------------------------------------------- command line


def test_cli(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["batch", str(corpus), "--out", str(out), "--workers", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("read 87, articles 86, facts ")
    assert f"-> {out}" in result.output
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "not empty (give --overwrite" in again.output
    replaced = runner.invoke(app, [*args, "--overwrite", "--split-mb", "0.05"])
    assert replaced.exit_code == 0, replaced.output
    assert json.loads((out / MANIFEST).read_text())["splits"] > 3
    bad = runner.invoke(app, ["batch", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o2")])
    assert bad.exit_code == 1 and "no such file or directory" in bad.output
    engine = runner.invoke(
        app, ["batch", str(corpus), "--out", str(tmp_path / "o3"), "--engine", "dask"]
    )
    assert engine.exit_code == 1 and "unknown engine 'dask'" in engine.output
    db = tmp_path / "db.duckdb"
    ingested = runner.invoke(app, ["ingest", "--db", str(db), str(out)])
    assert ingested.exit_code == 0, ingested.output
    # 0.05 MB splits: the repeat is in another split than the original; ingest finds it
    assert ingested.output.startswith("read 87, new 85, unchanged 1, new versions 1, errors 0")


def test_cli_reports_failed_articles(dsl: Any, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "a", "text": "FACT export KAZ CHN 2023 5 actual\n"},
            {"id": "b", "text": "EXPLODE\n"},
        ],
    )
    result = CliRunner().invoke(
        app, ["batch", str(source), "--out", str(tmp_path / "o"), "-w", "1"]
    )
    assert result.exit_code == 0  # the job finished; the failure is recorded
    assert "error: " in result.output and ":2: b: extraction failed: ValueError" in result.output
    assert "articles 1, facts 1, duplicates 0, errors 1" in result.output


# --------------------------------------------------------------------------- spark


def test_spark_equals_local(corpus: Path, tmp_path: Path) -> None:
    """The Spark engine on local[2] writes the local engine's files, row for row."""
    why = spark_unavailable()
    if why:
        pytest.skip(f"Spark engine not runnable here: {why}")
    local = run_batch([corpus], tmp_path / "local", workers=2, split_bytes=40_000)
    spark = run_batch([corpus], tmp_path / "spark", engine="spark", workers=2, split_bytes=40_000)
    assert (spark.articles, spark.facts, spark.errors) == (local.articles, local.facts, 0)
    assert spark.splits == local.splits > 4
    assert same_files(tmp_path / "local", tmp_path / "spark") > 20
    manifest = json.loads((tmp_path / "spark" / MANIFEST).read_text())
    assert (manifest["engine"], manifest["spark_master"]) == ("spark", "local[2]")
