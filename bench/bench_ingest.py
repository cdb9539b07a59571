"""Ingest throughput: articles/s from a JSONL file into a fresh DuckDB store, on one core.

Usage (from the repository root):

    .venv/bin/python bench/bench_ingest.py [--n 100000] [--seed 1] [--batch-size 500]

1. Writes a synthetic corpus of --n articles (bench/synthetic.py: our own sentence
   templates in Russian, Kazakh, English, Uzbek Latin and Cyrillic and Kyrgyz, with varied
   countries, figures, years and dates; ~600-1200 characters each) to a JSONL file in a
   temporary folder. Not timed.
2. Pins the process to one CPU (where the OS allows it) and DuckDB to one thread, loads the
   language data with one untimed extraction, then times ``Store(db).ingest([jsonl])`` on a
   fresh database file: reading and decoding JSONL, hashing, language detection,
   publication date, ``extract``, building Arrow batches and one DuckDB transaction per
   batch, and the reconciliation an ingest ends with (claims, contradictions, stories).
   The time spent in ``extract``, in ``detect_language`` and in that reconciliation is
   measured on the side (a wrapper around each call), so the breakdown shows what
   dominates, and the rate without the reconcile step is reported too. Each figure comes
   as wall-clock seconds and as CPU seconds of this process (``time.process_time``: what
   to compare on a machine other programs share), and the reconciliation's steps too.
   Then a ``CHECKPOINT``: what the ingest left in DuckDB's write-ahead log goes into the
   database file (at the latest when the store closes), timed apart and counted in the
   "ingest and checkpoint" total.
3. Times the same ingest again: every article is unchanged, so this is the cost of the
   idempotency check alone.

Prints a table and writes bench/out/ingest.json (that folder is not committed).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import synthetic  # noqa: E402

DEFAULT_OUT = REPO / "bench" / "out" / "ingest.json"


class Timed:
    """Wraps a function and adds up the seconds spent in it: wall clock and CPU."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.seconds = 0.0
        self.cpu = 0.0
        self.calls = 0
        self.last: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            self.last = self.fn(*args, **kwargs)
            return self.last
        finally:
            self.seconds += time.perf_counter() - start
            self.cpu += time.process_time() - cpu
            self.calls += 1


class Clock:
    """Wall-clock and CPU seconds since it was made."""

    def __init__(self) -> None:
        self.start, self.start_cpu = time.perf_counter(), time.process_time()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.start, time.process_time() - self.start_cpu


def pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity here)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument(
        "--workdir", type=Path, help="where corpus and database go (default: a temp dir)"
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    from tradefacts import Store
    from tradefacts.store import extractor_version

    pinned = pin_one_core()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tradefacts-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / f"synthetic-{args.n}.jsonl"
    db = workdir / f"bench-{args.n}.duckdb"
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)

    t0 = time.perf_counter()
    synthetic.write_jsonl(corpus, args.n, seed=args.seed)
    build_s = time.perf_counter() - t0
    mbytes = corpus.stat().st_size / 1e6
    print(
        f"corpus: {args.n:,} articles, {mbytes:.1f} MB JSONL, built in {build_s:.1f} s ({corpus})"
    )

    # stand-ins that time the two expensive calls (looked up at call time by the ingest code)
    extract_module = importlib.import_module("tradefacts.extract")
    ingest_module = importlib.import_module("tradefacts.ingest")
    timed_extract = Timed(extract_module.extract)
    timed_detect = Timed(ingest_module.detect_language)
    extract_module.extract = timed_extract
    ingest_module.detect_language = timed_detect
    timed_extract.fn(" date 2025-01-01 warm-up\nТоварооборот составил 1 млрд долларов.\n")

    store = Store(db)
    store.con.execute("SET threads = 1")
    # the reconciliation an ingest ends with (claims, contradictions, stories), timed apart
    timed_reconcile = Timed(store.reconcile)
    store.reconcile = timed_reconcile  # type: ignore[method-assign]
    gc.collect()
    clock = Clock()
    first = store.ingest([corpus], batch_size=args.batch_size)
    first_s, first_cpu = clock.stop()
    steps = dict(getattr(timed_reconcile.last, "timings", {}) or {})
    # what the ingest left in DuckDB's write-ahead log goes into the database file at the
    # latest when the store closes: timed here, apart, and counted in the total
    clock = Clock()
    store.con.execute("CHECKPOINT")
    checkpoint_s, checkpoint_cpu = clock.stop()
    facts = store.stats()["facts"]
    clock = Clock()
    again = store.ingest([corpus], batch_size=args.batch_size)
    again_s, _ = clock.stop()
    store.close()
    db_mb = db.stat().st_size / 1e6

    reconcile_s, reconcile_cpu = timed_reconcile.seconds, timed_reconcile.cpu
    other_s = first_s - timed_extract.seconds - timed_detect.seconds - reconcile_s
    other_cpu = first_cpu - timed_extract.cpu - timed_detect.cpu - reconcile_cpu
    total_s, total_cpu = first_s + checkpoint_s, first_cpu + checkpoint_cpu
    rate = first.read / first_s
    total_rate = first.read / total_s
    store_rate = first.read / (first_s - reconcile_s)
    rows = [
        ("ingest, fresh database", first.read, first_s, first_cpu, rate),
        ("  of which extract()", timed_extract.calls, timed_extract.seconds, timed_extract.cpu,
         None),
        ("  of which detect_language()", timed_detect.calls, timed_detect.seconds,
         timed_detect.cpu, None),
        ("  of which the rest (read, hash, date, DuckDB)", first.read, other_s, other_cpu, None),
        ("  of which reconcile (claims, stories)", first.read, reconcile_s, reconcile_cpu, None),
        *((f"    reconcile: {step}", first.read, seconds, None, None)
          for step, seconds in steps.items()),
        ("checkpoint after it (WAL into the file)", first.read, checkpoint_s, checkpoint_cpu,
         None),
        ("ingest and checkpoint", first.read, total_s, total_cpu, total_rate),
        ("ingest without the reconcile step", first.read, first_s - reconcile_s,
         first_cpu - reconcile_cpu, store_rate),
        ("ingest again (all unchanged)", again.read, again_s, None, again.read / again_s),
    ]  # fmt: skip
    print(
        f"\n{pinned}; DuckDB threads = 1; batch size {args.batch_size}; {platform.python_version()}"
    )
    print(f"{'':48} {'articles':>9} {'seconds':>9} {'CPU s':>7} {'share':>6} {'articles/s':>11}")
    for label, n, seconds, cpu, per_s in rows:
        share = f"{100 * seconds / first_s:5.1f}%" if label.startswith("  ") else ""
        per = f"{per_s:11,.0f}" if per_s else ""
        cpu_s = f"{cpu:7.1f}" if cpu is not None else ""
        print(f"{label:48} {n:>9,} {seconds:>9.1f} {cpu_s:>7} {share:>6} {per}")
    print(
        f"\n{first.line()}\nfacts stored: {facts:,}; database {db_mb:.1f} MB; "
        f"extract alone: {timed_extract.calls / timed_extract.seconds:,.0f} articles/s"
    )
    if first.errors:
        print(f"errors: {len(first.errors)} (first: {first.errors[0]})")

    result = {
        "articles": first.read,
        "corpus_mb": round(mbytes, 2),
        "batch_size": args.batch_size,
        "seconds": round(first_s, 3),
        "articles_per_s": round(rate, 1),
        "extract_seconds": round(timed_extract.seconds, 3),
        "detect_seconds": round(timed_detect.seconds, 3),
        "other_seconds": round(other_s, 3),
        "reconcile_seconds": round(reconcile_s, 3),
        "reconcile_seconds_by_step": steps,
        "checkpoint_seconds": round(checkpoint_s, 3),
        "seconds_with_checkpoint": round(total_s, 3),
        "articles_per_s_with_checkpoint": round(total_rate, 1),
        "cpu_seconds": {
            "ingest": round(first_cpu, 3),
            "extract": round(timed_extract.cpu, 3),
            "detect": round(timed_detect.cpu, 3),
            "other": round(other_cpu, 3),
            "reconcile": round(reconcile_cpu, 3),
            "checkpoint": round(checkpoint_cpu, 3),
        },
        "articles_per_s_without_reconcile": round(store_rate, 1),
        "extract_articles_per_s": round(timed_extract.calls / timed_extract.seconds, 1),
        "reingest_seconds": round(again_s, 3),
        "reingest_articles_per_s": round(again.read / again_s, 1),
        "facts": facts,
        "database_mb": round(db_mb, 1),
        "summary": first.line(),
        "errors": len(first.errors),
        "extractor_version": extractor_version(),
        "pinned": pinned,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
