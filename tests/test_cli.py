"""The command line, in process (CliRunner, with a stand-in extractor) and as a subprocess."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tradefacts import __version__
from tradefacts.cli import app
from tradefacts.model import Evidence, Fact, Growth

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
runner = CliRunner()

ARTICLE = (
    " date 2025-03-14 Kazakhstan and Uzbekistan agree on trade\n"
    "Trade between Kazakhstan and Uzbekistan reached 4.1 billion dollars last year.\n"
)


def fake_extract(text: str, published: dt.date | str | None = None) -> list[Fact]:
    """Deterministic stand-in for the engine: one fact per line that says 'billion'."""
    if "EXPLODE" in text:
        raise ValueError("cannot parse this article")
    facts = []
    start = 0
    for line in text.split("\n"):
        if "billion" in line:
            facts.append(
                Fact(
                    indicator="turnover",
                    parties=("KAZ", "UZB"),
                    period="2024",
                    value=4.1e9,
                    unit="USD",
                    bound="eq",
                    status="actual",
                    evidence=Evidence(line, start, start + len(line)),
                    growth=Growth(12.5),
                )
            )
        start += len(line) + 1
    return facts


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    # tradefacts/__init__.py re-exports the function under the module's name,
    # so patch the module object itself
    monkeypatch.setattr(importlib.import_module("tradefacts.extract"), "extract", fake_extract)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(ARTICLE.replace("4.1", "4,1").encode("utf-16"))
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02\xff" * 40)
    records = [
        {"id": "r1", "url": "u", "date": "2024-12-01", "lang": "en", "text": ARTICLE},
        {"id": "r2", "url": "u", "date": None, "lang": "ru", "text": "Обычный текст без цифр."},
        {"id": "r3", "url": "u", "date": None, "lang": "en", "text": "EXPLODE billion"},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(1, "{broken")
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tradefacts {__version__}"


def test_extract_jsonl(fake: None, corpus: Path) -> None:
    result = runner.invoke(app, ["extract", str(corpus / "a.txt"), str(corpus / "feed.jsonl")])
    assert result.exit_code == 1  # some input failed; the rest was written
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc"] for r in records] == ["a.txt", "r1", "r2"]
    a, r1, r2 = records
    assert a["published"] == "2025-03-14"  # from the header
    assert r1["published"] == "2024-12-01"  # metadata wins
    assert r2["published"] is None
    assert a["lang"] == "en" and r2["lang"] == "ru"
    assert r2["facts"] == []
    f = a["facts"][0]
    assert f["parties"] == ["KAZ", "UZB"] and f["value"] == 4100000000
    assert f["growth_pct"] == {"value": 12.5, "bound": "eq"}
    assert ARTICLE[f["evidence"]["start"] : f["evidence"]["end"]] == f["evidence"]["sentence"]
    errors = result.stderr.splitlines()
    assert errors == [
        f"error: {corpus / 'feed.jsonl'}:2: not JSON (Expecting property name enclosed in double quotes, column 2)",
        "error: r3: ValueError: cannot parse this article",
    ]


def test_extract_passes_metadata_date(monkeypatch: pytest.MonkeyPatch, corpus: Path) -> None:
    seen: list[Any] = []

    def spy(text: str, published: Any = None) -> list[Fact]:
        seen.append(published)
        return []

    monkeypatch.setattr(importlib.import_module("tradefacts.extract"), "extract", spy)
    runner.invoke(app, ["extract", str(corpus / "a.txt"), str(corpus / "feed.jsonl")])
    assert seen == [None, dt.date(2024, 12, 1), None, None]


def test_extract_directory_table_and_errors(fake: None, corpus: Path) -> None:
    result = runner.invoke(app, ["extract", "--format", "table", str(corpus)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "doc", "indicator", "parties", "period", "value", "unit", "bound", "status", "growth",
    ]  # fmt: skip
    assert lines[2].split() == [
        "a.txt", "turnover", "KAZ/UZB", "2024", "4,100,000,000", "USD", "eq", "actual", "+12.5%",
    ]  # fmt: skip
    assert lines[3].startswith("b.txt")  # UTF-16 file read
    assert result.stderr.strip() == f"error: {corpus / 'bin.txt'}: binary file, not text"


def test_extract_out_file(fake: None, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "facts.jsonl"
    result = runner.invoke(app, ["extract", str(corpus / "a.txt"), "--out", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["doc"] == "a.txt"


def test_missing_path_is_one_line(fake: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nope.txt'}: no such file or directory\n"
    assert result.stdout == ""


def _gold(path: Path) -> Path:
    fact = {
        "indicator": "turnover",
        "parties": ["KAZ", "UZB"],
        "period": "2024",
        "value": 4.1e9,
        "unit": "USD",
        "bound": "eq",
        "status": "actual",
        "growth_pct": {"value": 12.5, "bound": "eq"},
        "quote": "reached 4.1 billion dollars",
    }
    missed = dict(fact, indicator="export", parties=["KAZ", "UZB"], quote="exports of 2 bn")
    lines = [
        {"doc": "a.txt", "facts": [fact, missed], "notes": ""},
        {"doc": "r1", "facts": [fact], "notes": ""},
        {"doc": "ghost", "facts": [fact], "notes": ""},
    ]
    p = path / "gold.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    return p


def test_eval_report(fake: None, corpus: Path, tmp_path: Path) -> None:
    gold = _gold(tmp_path)
    args = ["eval", "--gold", str(gold), "--corpus", str(corpus / "a.txt")]
    result = runner.invoke(app, [*args, "--corpus", str(corpus / "feed.jsonl"), "--show-misses"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    all_row = next(line for line in out.splitlines() if line.startswith("all"))
    # docs gold pred tp fp fn opt P R F1 bound growth
    assert all_row.split()[1:] == [
        "2",
        "3",
        "2",
        "2",
        "0",
        "1",
        "0",
        "100.0",
        "66.7",
        "80.0",
        "100.0",
        "100.0",
    ]
    assert "MISS  export KAZ→UZB" in out and "exports of 2 bn" in out
    assert "warning: gold doc 'ghost' has no article" in out
    assert "warning: article 'r2' has no gold" in out
    assert "error:" in result.stderr and "feed.jsonl:2" in result.stderr


def test_eval_json(fake: None, corpus: Path, tmp_path: Path) -> None:
    gold = _gold(tmp_path)
    result = runner.invoke(
        app, ["eval", "--gold", str(gold), "--corpus", str(corpus / "a.txt"), "--json"]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["overall"]["tp"] == 1 and data["overall"]["fn"] == 1
    assert data["by_lang"]["en"]["recall"] == 0.5


def test_eval_missing_gold(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["eval", "--gold", str(tmp_path / "none.jsonl"), "--corpus", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "none.jsonl: no such file or directory" in result.stderr
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- subprocess


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), LC_ALL="C", LANG="C")
    return subprocess.run(
        [sys.executable, "-m", "tradefacts", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_module_version() -> None:
    proc = _run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"tradefacts {__version__}"


def test_module_bad_input_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "x.bin").write_bytes(b"\x00\xff\x00\x10" * 100)
    (tmp_path / "ok.txt").write_text(ARTICLE, encoding="cp1251", errors="replace")
    proc = _run(
        "extract", str(tmp_path / "x.bin"), str(tmp_path / "missing"), str(tmp_path / "ok.txt")
    )
    assert "Traceback" not in proc.stderr
    errors = proc.stderr.splitlines()
    assert errors[0] == f"error: {tmp_path / 'x.bin'}: binary file, not text"
    assert errors[1] == f"error: {tmp_path / 'missing'}: no such file or directory"
    # the engine may or may not be there yet: either a record or one error line for ok.txt
    if proc.stdout:
        (record,) = [json.loads(line) for line in proc.stdout.splitlines()]
        assert record["doc"] == "ok.txt" and record["published"] == "2025-03-14"
    else:
        assert len(errors) == 3 and errors[2].startswith("error: ok.txt: ")


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared corpus absent")
def test_module_on_shared_corpus() -> None:
    corpus = SHARED / "corpus"
    proc = _run("extract", str(corpus / "seeds"), str(corpus / "dev" / "articles.jsonl"))
    assert "Traceback" not in proc.stderr
    docs = [json.loads(line)["doc"] for line in proc.stdout.splitlines()]
    failed = [line.split(": ")[1] for line in proc.stderr.splitlines()]
    assert len(docs) + len(failed) == 5 + 65
    proc = _run(
        "eval", "--gold", str(corpus / "dev" / "gold.jsonl"),
        "--corpus", str(corpus / "dev" / "articles.jsonl"),
    )  # fmt: skip
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr
    assert any(line.startswith("all ") for line in proc.stdout.splitlines())
    assert "warning:" not in proc.stdout  # every dev article has gold and vice versa
