"""The store's commands: ingest, facts, stats, export, reextract, watch (CliRunner), and
``python -m tradefacts`` as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import tradefacts.ingest as ingest_module
import tradefacts.store as store_module
from tradefacts.cli import app, parse_interval
from tradefacts.document import Document

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo"
runner = CliRunner()


def run(*args: str) -> Any:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output + (result.stderr or "")
    return result


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "news.duckdb"
    result = run("ingest", DEMO / "articles", DEMO / "articles.jsonl", "--db", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("read 13, new 13, unchanged 0, new versions 0, errors 0")
    return path


def test_ingest_again_is_unchanged(db: Path) -> None:
    result = run("ingest", DEMO / "articles", "--db", db)
    assert result.exit_code == 0
    assert result.stdout.startswith("read 9, new 0, unchanged 9, new versions 0, errors 0")


def test_ingest_errors_are_one_line_each_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    (tmp_path / "ok.txt").write_text(" date 2025-01-01 x\nТоварооборот.\n", encoding="utf-8")
    (tmp_path / "r.jsonl").write_text('{"id": 1, "text": ""}\nnot json\n', encoding="utf-8")
    result = run(
        "ingest", tmp_path / "bin.txt", tmp_path / "ok.txt", tmp_path / "r.jsonl",
        "--db", tmp_path / "x.duckdb", "-v",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stdout.startswith("read 1, new 1, unchanged 0, new versions 0, errors 3")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {tmp_path / 'bin.txt'}: binary file, not text",
        f"error: {tmp_path / 'r.jsonl'}:1: record without text",
        f"error: {tmp_path / 'r.jsonl'}:2: not JSON (Expecting value, column 1)",
    ]
    assert "batch 1 committed: read 1, new 1" in result.stderr


def test_bad_database_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"garbage" * 1000)
    for args in (["ingest", DEMO / "articles"], ["facts"], ["stats"], ["reextract"]):
        result = run(*args, "--db", bad)
        assert result.exit_code == 1
        assert result.stderr == f"error: {bad}: not a DuckDB database file\n"
    result = run("facts", "--db", tmp_path / "missing.duckdb")
    assert result.exit_code == 1
    assert "no such database (run `tradefacts ingest` first)" in result.stderr
    assert not (tmp_path / "missing.duckdb").exists()


def test_facts_table(db: Path) -> None:
    result = run("facts", "--party", "KAZ", "--partner", "UZB", "--db", db)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "published", "lang", "indicator", "parties", "period", "value", "unit", "bound",
        "status", "growth", "article",
    ]  # fmt: skip
    assert any("KAZ/UZB" in line and "4,400,000,000" in line for line in lines)
    assert all("KAZ" in line and "UZB" in line for line in lines[2:-1])
    assert lines[-1].endswith("facts)")
    assert run("facts", "--party", "XXX", "--db", db).stdout == "(no facts)\n"


def test_facts_json_and_csv(db: Path) -> None:
    result = run(
        "facts", "--indicator", "turnover", "--since", "2025", "--format", "json", "--db", db
    )
    rows = json.loads(result.stdout)
    assert rows and all(r["indicator"] == "turnover" for r in rows)
    assert all(r["period_end"] >= "2025" for r in rows)
    result = run("facts", "--lang", "uz", "--status", "actual", "-f", "csv", "--db", db)
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert table and all(r["lang"].startswith("uz-") and r["status"] == "actual" for r in table)
    assert run("facts", "--limit", "3", "-f", "json", "--db", db).stdout.count('"fact_id"') == 3


def test_facts_bad_filter(db: Path) -> None:
    result = run("facts", "--indicator", "trade", "--db", db)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown indicator 'trade'")


def test_stats(db: Path) -> None:
    result = run("stats", "--db", db)
    assert result.exit_code == 0
    assert "articles          13 current" in result.stdout
    data = json.loads(run("stats", "--json", "--db", db).stdout)
    assert data["articles"] == 13 and data["stale_articles"] == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_export(db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run("export", "--format", fmt, out, "--db", db)
    assert result.exit_code == 0
    n = int(result.stdout.split()[1])
    reader = {"csv": pd.read_csv, "parquet": pd.read_parquet}.get(fmt)
    df = reader(out) if reader else pd.read_json(out, lines=True)
    assert len(df) == n > 0 and df.columns[0] == "fact_id"


def test_reextract_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.duckdb"
    assert (
        run("ingest", DEMO / "articles" / "001_kk_kaz_uzb_turnover.txt", "--db", path).exit_code
        == 0
    )
    assert run("reextract", "--db", path).stdout.startswith("reextracted 0 articles")
    monkeypatch.setattr(store_module, "extractor_version", lambda: "9.9.9+test")
    assert "stale articles 1" in run("stats", "--db", path).stdout
    result = run("reextract", "--db", path)
    assert result.exit_code == 0
    assert result.stdout.startswith("reextracted 1 articles, facts 5 -> 5, errors 0")


# --------------------------------------------------------------------------- watch


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("15m", 900),
        ("1h", 3600),
        ("1h30m", 5400),
        ("2d", 172800),
        ("45", 45),
        ("0.5m", 30),
    ],
)
def test_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "15x", "0s", "m"])
def test_parse_interval_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_interval(text)


def test_watch_ingests_each_poll_and_stops_on_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tradefacts.sources as sources

    calls: dict[str, Any] = {}
    text = " date 2025-05-01 x\nТоварооборот между Казахстаном и Узбекистаном составил 4 млрд долларов.\n"

    def fake_watch(
        urls: list[str],
        every: float,
        on_documents: Callable[[list[Document]], None],
        *,
        stop: threading.Event | None = None,
        log: Callable[[str], None] = print,
        **kw: Any,
    ) -> None:
        calls.update(urls=urls, every=every, stop=stop)
        on_documents([Document(id="e1", text=text, url="https://feed.example/e1")])
        on_documents([Document(id="e1", text=text, url="https://feed.example/e1")])
        log("error: https://feed.example/rss: HTTP 503 (retrying in 30 s)")
        raise KeyboardInterrupt

    monkeypatch.setattr(sources, "watch", fake_watch)
    path = tmp_path / "w.duckdb"
    result = run("watch", "https://feed.example/rss", "--every", "15m", "--db", path)
    assert result.exit_code == 0, result.output
    assert calls["urls"] == ["https://feed.example/rss"] and calls["every"] == 900
    out = result.stdout.splitlines()
    assert "read 1, new 1, unchanged 0" in out[0] and "read 1, new 0, unchanged 1" in out[1]
    assert "HTTP 503" in result.stderr and result.stderr.endswith("watch stopped\n")
    rows = json.loads(run("facts", "-f", "json", "--db", path).stdout)
    assert [r["url"] for r in rows] == ["https://feed.example/e1"]


def test_watch_bad_interval_and_no_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("watch", "https://x/rss", "--every", "often", "--db", tmp_path / "w.duckdb")
    assert result.exit_code == 2 and result.stderr.startswith("error: --every: not a duration")
    monkeypatch.setattr(ingest_module, "sources_module", lambda: (None, "feeds not available"))
    result = run("watch", "https://x/rss", "--db", tmp_path / "w.duckdb")
    assert result.exit_code == 1 and result.stderr == "error: watch: feeds not available\n"


# --------------------------------------------------------------------------- subprocess


def test_python_m_tradefacts_ingest_and_query(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"

    def tf(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tradefacts", *args, "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )

    r = tf("ingest", str(DEMO / "articles.jsonl"), str(tmp_path / "missing.txt"))
    assert r.returncode == 1
    assert r.stdout.startswith("read 4, new 4, unchanged 0, new versions 0, errors 1")
    assert r.stderr == f"error: {tmp_path / 'missing.txt'}: no such file or directory\n"
    r = tf("facts", "--party", "UZB", "--format", "json")
    assert r.returncode == 0 and all(
        "UZB" in (f["party_a"], f["party_b"]) for f in json.loads(r.stdout)
    )
