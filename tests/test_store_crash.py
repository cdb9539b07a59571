"""SIGKILL during a large ingest, then the same command again: exactly the database an
uninterrupted run gives (every column of every table but ``ingested_at``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

N_FIRST = 1500
N_SECOND = 500
BATCH = 100  # 20 batches


def _corpus(tmp_path: Path, synthetic: ModuleType) -> list[str]:
    """a.jsonl: 1500 new articles; b.jsonl: 300 of them changed (same URL, new text, so new
    versions) and 200 more new ones."""
    a = synthetic.write_jsonl(tmp_path / "a.jsonl", N_FIRST, seed=11)
    records = [json.loads(line) for line in a.read_text(encoding="utf-8").splitlines()]
    changed = []
    for r in records[::5][:300]:
        r = dict(r, text=r["text"].replace("\n", "\nОбновлено: уточнённые данные.\n", 1))
        changed.append(json.dumps(r, ensure_ascii=False))
    more = synthetic.write_jsonl(tmp_path / "more.jsonl", N_SECOND - 300, seed=12, start=N_FIRST)
    b = tmp_path / "b.jsonl"
    b.write_text("\n".join(changed) + "\n" + more.read_text(encoding="utf-8"), encoding="utf-8")
    more.unlink()
    return [str(a), str(b)]


def _command(db: Path, sources: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tradefacts",
        "ingest",
        *sources,
        "--db",
        str(db),
        "--batch-size",
        str(BATCH),
        "--verbose",
    ]


def _start(db: Path, sources: list[str]) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        _command(db, sources),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _kill_after(proc: subprocess.Popen[str], batches: int) -> int:
    """Read the 'batch N committed' lines; SIGKILL the process as soon as N is reached."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith(f"batch {batches} committed"):
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    return proc.returncode


def test_sigkill_then_rerun_equals_an_uninterrupted_run(
    tmp_path: Path, synthetic: ModuleType, snapshot: Callable[[Any], dict[str, Any]]
) -> None:
    sources = _corpus(tmp_path, synthetic)
    clean_db, crash_db = tmp_path / "clean.duckdb", tmp_path / "crash.duckdb"

    clean = _start(clean_db, sources)  # runs alongside the crashing one
    crashing = _start(crash_db, sources)
    assert _kill_after(crashing, 4) == -signal.SIGKILL  # in the first file
    partial = snapshot(crash_db)["articles"]  # what the killed run committed
    assert 4 * BATCH <= len(partial) < N_FIRST and len(partial) % BATCH == 0
    again = _start(crash_db, sources)
    assert _kill_after(again, 17) == -signal.SIGKILL  # in the second file: new versions
    out, err = clean.communicate(timeout=120)
    assert clean.returncode == 0, err
    assert "read 2000, new 1700, unchanged 0, new versions 300, errors 0" in out

    final = subprocess.run(_command(crash_db, sources), capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert "read 2000, new " in final.stdout and "errors 0" in final.stdout
    assert "unchanged 0" not in final.stdout  # it did resume from committed batches

    clean_rows, crash_rows = snapshot(clean_db), snapshot(crash_db)
    assert len(clean_rows["articles"]) == N_FIRST + N_SECOND
    assert len(clean_rows["facts"]) > N_FIRST
    assert sum(1 for r in clean_rows["facts"] if r[-1]) > 0  # some superseded facts
    for table in ("articles", "facts", "meta"):
        assert crash_rows[table] == clean_rows[table], table
