"""Batch throughput: `extract` on one core, and `tradefacts batch` on the local engine and
on Spark, with the peak memory of the whole process tree.

Usage (from the repository root; the Spark runs need `pip install -e '.[spark]'` and Java):

    .venv/bin/python bench/bench_batch.py --n 100000                        # a quick look
    .venv/bin/python bench/bench_batch.py --n 1000000 \\
        --run local:2 --run local:1:200000 --run local:2:200000 \\
        --run spark:1:200000 --run spark:2:200000

1. Corpus: `--n` synthetic articles of `--profile` (default `realistic`: bench/synthetic.py,
   six languages, ~2,000 characters, ~1 fact sentence per 800 characters, 30 % without
   any; `short`: the 600-1,200-character trade articles of bench_ingest.py), streamed to
   `WORKDIR/corpus-PROFILE-sSEED-N.jsonl`. A run on fewer articles reads a corpus of the
   first N of them (the same articles: the generator is sequential). Files are kept in
   WORKDIR (default bench/out/batch-work) and reused by later runs. Not timed.
2. `extract` on one core: a child process pinned to one CPU times `extract(text, date)`
   and `analyse` (extract + publication date + language detection, what a batch task
   does per article) over the first `--extract-n` articles, after one untimed warm-up
   article; then `analyse` again once `tradefacts.batch.prepare_worker()` has set the
   process up as a batch worker does (garbage collector frozen after loading, higher
   thresholds): `analyse (worker)`, the per-article floor of a batch worker. Each with
   its CPU milliseconds per article (`time.process_time`), the measure that other busy
   processes on the machine disturb least.
3. Each `--run ENGINE:WORKERS[:N]`: `python -m tradefacts batch CORPUS --out OUT --engine
   ENGINE --workers WORKERS` as a child process, end to end (planning, process pool or
   Spark start-up, reading, extraction, Parquet writing, manifest). Measured from outside:
   wall time; peak memory of the whole process tree (the CLI, its pool workers or the
   Spark JVM and its Python workers), sampled every 0.25 s from /proc, as the sum of RSS
   (shared pages counted in every process: an upper bound) and the sum of PSS (shared
   pages divided among their sharers: the real total); CPU seconds of the tree (exact:
   the child's resource usage once it and its workers have ended, or the per-process
   samples if larger), split into the parent (`tradefacts batch` itself: planning,
   pool, manifest; sampled from /proc) and its workers (pool processes, or the Spark JVM
   and its Python workers; `local:1` runs the splits in the parent, and all its CPU
   counts as the workers'), each also in milliseconds per article, and the workers' ms
   per article beyond `analyse (worker)` (the batch's own cost: reading, hashing, rows,
   Arrow, Parquet, and each worker's start, about a second: noticeable on small runs); and the CPU the *other* processes of the machine used meanwhile (from
   /proc/stat), since another busy process on a 2-core machine skews every figure.
   Outputs are deleted after each run unless `--keep`.

Prints a table and writes bench/out/batch.json (or `--out`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import synthetic  # noqa: E402

DEFAULT_OUT = REPO / "bench" / "out" / "batch.json"
DEFAULT_WORK = REPO / "bench" / "out" / "batch-work"
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- corpus


def corpus_file(workdir: Path, profile: str, seed: int, n: int) -> Path:
    """The JSONL corpus of the first ``n`` articles, written once (streamed)."""
    path = workdir / f"corpus-{profile}-s{seed}-{n}.jsonl"
    done = path.with_suffix(".done")
    if not done.exists():
        t0 = time.perf_counter()
        synthetic.write_profile_jsonl(path, n, seed=seed, profile=profile)
        done.write_text(f"{time.perf_counter() - t0:.1f}\n")
        print(
            f"corpus: wrote {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in {done.read_text().strip()} s"
        )
    return path


# --------------------------------------------------------------------------- extract, one core


def extract_child(corpus: Path, n: int) -> dict[str, Any]:
    """Runs in a child process pinned to one CPU: extract and analyse, timed."""
    import datetime as dt
    import gc

    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        pinned = f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        pinned = "not pinned"
    from tradefacts.extract import extract
    from tradefacts.ingest import analyse

    records = []
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            if len(records) >= n:
                break
            r = json.loads(line)
            records.append((r["text"], dt.date.fromisoformat(r["date"]) if r["date"] else None))
    mb = sum(len(t.encode("utf-8")) for t, _ in records) / 1e6
    chars = sum(len(t) for t, _ in records)
    analyse(records[0][0], records[0][1])  # loads the language data
    out: dict[str, Any] = {
        "articles": len(records),
        "mb": round(mb, 3),
        "chars": chars,
        "pinned": pinned,
    }
    for name, fn in (("extract", extract), ("analyse", analyse), ("analyse_worker", analyse)):
        if name == "analyse_worker":
            try:
                from tradefacts.batch import prepare_worker
            except ImportError:  # a tradefacts from before it: its workers are plain
                prepare_worker = gc.collect
            prepare_worker()  # as a pool worker starts: the collector frozen, its thresholds
        else:
            gc.collect()
        facts = 0
        t0, c0 = time.perf_counter(), time.process_time()
        for text, date in records:
            got = fn(text, date)
            facts += len(got if name == "extract" else got.facts)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        out[name] = {
            "seconds": round(seconds, 3),
            # below 1.0: another process shared the core, and the rate is too low
            "cpu_share": round(cpu / seconds, 3),
            "cpu_ms_per_article": round(1000 * cpu / len(records), 3),
            "articles_per_s": round(len(records) / seconds, 1),
            "mb_per_s": round(mb / seconds, 3),
            "facts": facts,
        }
    return out


# --------------------------------------------------------------------------- process tree


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _tree(root: int) -> list[int]:
    kids = _children_map()
    todo, seen = [root], []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += kids.get(pid, [])
    return seen


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    """utime + stime of one process (its own, not its reaped children's)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return 0


def _busy_ticks() -> int:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields[:8]) - idle


class TreeMonitor:
    """Samples the memory and CPU time of a process and all its descendants until stopped
    (CPU time: the last value seen of each process, so one that lives less than a sample
    period is missed)."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self.ticks: dict[int, int] = {}
        #: (seconds since start, RSS sum in MB) every 10 s: flat or growing
        self.timeline: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def cpu_seconds(self) -> float:
        return sum(self.ticks.values()) / TICK

    @property
    def root_cpu_seconds(self) -> float:
        """The CPU time of the root process alone (its workers not counted)."""
        return self.ticks.get(self.pid, 0) / TICK

    def _run(self) -> None:
        n = 0
        start = time.perf_counter()
        while not self._stop.is_set():
            pids = _tree(self.pid)
            self.peak_procs = max(self.peak_procs, len(pids))
            for p in pids:
                self.ticks[p] = max(self.ticks.get(p, 0), _cpu_ticks(p))
            rss = sum(_rss(p) for p in pids)
            self.peak_rss = max(self.peak_rss, rss)
            if n % 40 == 0:
                self.timeline.append((round(time.perf_counter() - start, 1), round(rss / 1e6, 1)))
            if n % 4 == 0:  # PSS costs more to read: once a second
                self.peak_pss = max(self.peak_pss, sum(_pss(p) for p in pids))
            n += 1
            self._stop.wait(self.every)


def _children_cpu() -> float:
    """User + system seconds of this process's ended (and waited for) descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_engine(
    corpus: Path, out: Path, engine: str, workers: int, extra: list[str], floor: float | None
) -> dict[str, Any]:
    """One `tradefacts batch` run, measured from outside (``floor``: the CPU ms of
    ``analyse`` per article in a worker-like process, if measured)."""
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "tradefacts", "batch", str(corpus), "--out", str(out)]
    cmd += ["--engine", engine, "--workers", str(workers), *extra]
    busy0, t0, ended0 = _busy_ticks(), time.perf_counter(), _children_cpu()
    log = out.parent / f"{out.name}.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
        with TreeMonitor(proc.pid) as mon:
            stdout, _ = proc.communicate()
    seconds = time.perf_counter() - t0
    busy = (_busy_ticks() - busy0) / TICK
    # exact when every process of the tree was waited for (the pool's are); the samples
    # catch a process that was not (a Spark JVM left to exit on its own)
    cpu = max(_children_cpu() - ended0, mon.cpu_seconds)
    # the local engine with one worker runs the splits in the parent: all of it is worker work
    parent = 0.0 if (engine, workers) == ("local", 1) else min(cpu, mon.root_cpu_seconds)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    manifest = json.loads((out / "_tradefacts_batch.json").read_text())
    files = sum(1 for _ in out.rglob("*.parquet"))
    size = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    return {
        "engine": engine,
        "workers": workers,
        "command": " ".join(["tradefacts", *cmd[3:]]),
        "articles": manifest["articles"],
        "facts": manifest["facts"],
        "errors": manifest["errors"],
        "splits": manifest["splits"],
        "text_mb": round(manifest["text_bytes"] / 1e6, 1),
        "jsonl_mb": round(corpus.stat().st_size / 1e6, 1),
        "seconds": round(seconds, 1),
        "articles_per_s": round(manifest["articles"] / seconds, 1),
        "mb_per_s": round(manifest["text_bytes"] / 1e6 / seconds, 3),
        "peak_rss_mb": round(mon.peak_rss / 1e6, 1),
        "peak_pss_mb": round(mon.peak_pss / 1e6, 1),
        "peak_processes": mon.peak_procs,
        "rss_mb_every_10s": mon.timeline,
        "cpu_seconds": round(cpu, 1),
        "cpu_parent_seconds": round(parent, 2),
        "cpu_workers_seconds": round(cpu - parent, 1),
        "cpu_parent_ms_per_article": round(1000 * parent / max(1, manifest["articles"]), 4),
        "cpu_workers_ms_per_article": round(
            1000 * (cpu - parent) / max(1, manifest["articles"]), 3
        ),
        # the workers' CPU per article beyond analyse itself: the batch's own cost
        "cpu_overhead_ms_per_article": None
        if floor is None
        else round(1000 * (cpu - parent) / max(1, manifest["articles"]) - floor, 3),
        "other_cpu_cores": round(max(0.0, busy - cpu) / seconds, 2),
        "output_files": files,
        "output_mb": round(size / 1e6, 1),
        "summary": stdout.strip(),
    }


# --------------------------------------------------------------------------- main


def parse_run(spec: str, n: int) -> tuple[str, int, int]:
    parts = spec.split(":")
    if len(parts) not in (2, 3) or parts[0] not in ("local", "spark"):
        raise SystemExit(f"--run wants ENGINE:WORKERS[:N] (engine local or spark), not {spec!r}")
    size = int(parts[2]) if len(parts) == 3 else n
    if size > n:
        raise SystemExit(f"--run {spec}: N is larger than --n {n}")
    return parts[0], int(parts[1]), size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--n", type=int, default=100_000, help="articles in the corpus (default 100000)"
    )
    ap.add_argument("--profile", default="realistic", choices=sorted(synthetic.PROFILES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--extract-n", type=int, default=20_000, help="articles timed on one core")
    ap.add_argument(
        "--run",
        action="append",
        metavar="ENGINE:WORKERS[:N]",
        help="a batch run (repeatable; default: local:1 local:2 spark:1 spark:2 on --n)",
    )
    ap.add_argument("--no-extract", action="store_true", help="skip the one-core extract timing")
    ap.add_argument("--extract-only", action="store_true", help="only the one-core timing")
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORK)
    ap.add_argument("--keep", action="store_true", help="keep the batch outputs")
    ap.add_argument("--split-mb", type=float, help="passed to every batch run (task size)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--extract-child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.extract_child:
        print(json.dumps(extract_child(args.extract_child, args.extract_n)))
        return 0

    runs = [
        parse_run(s, args.n) for s in (args.run or ["local:1", "local:2", "spark:1", "spark:2"])
    ]
    if args.extract_only:
        runs = []
    args.workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "profile": args.profile,
        "seed": args.seed,
        "n": args.n,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "runs": [],
    }
    from tradefacts.store import extractor_version

    result["extractor_version"] = extractor_version()

    if not args.no_extract:
        smallest = min((r[2] for r in runs), default=args.extract_n)
        corpus = corpus_file(args.workdir, args.profile, args.seed, max(args.extract_n, smallest))
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--extract-child",
                str(corpus),
                "--extract-n",
                str(args.extract_n),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        one = json.loads(child.stdout)
        result["one_core"] = one
        print(
            f"\none core ({one['pinned']}), {one['articles']:,} articles, {one['mb']:.1f} MB of text:"
        )
        for name in ("extract", "analyse", "analyse_worker"):
            r = one[name]
            label = "analyse (worker)" if name == "analyse_worker" else name
            print(
                f"  {label:16} {r['articles_per_s']:8,.0f} articles/s {r['mb_per_s']:6.2f} MB/s "
                f"{r['cpu_ms_per_article']:6.3f} CPU ms/article "
                f"({r['facts'] / one['articles']:.2f} facts/article; had "
                f"{100 * r['cpu_share']:.0f} % of its core)"
            )
    floor = (
        result["one_core"]["analyse_worker"]["cpu_ms_per_article"] if not args.no_extract else None
    )

    print(
        f"\n{'run':22} {'articles':>10} {'seconds':>8} {'articles/s':>10} {'MB/s':>6} "
        f"{'peak RSS':>9} {'peak PSS':>9} {'CPU s':>7} {'other':>6} "
        f"{'CPU ms/article: parent':>22} {'workers':>8} {'beyond analyse':>14}"
    )
    for engine, workers, n in runs:
        corpus = corpus_file(args.workdir, args.profile, args.seed, n)
        out = args.workdir / f"out-{engine}{workers}-{n}"
        extra = ["--split-mb", str(args.split_mb)] if args.split_mb else []
        r = run_engine(corpus, out, engine, workers, extra, floor)
        r["n"] = n
        result["runs"].append(r)
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
        label = f"{engine}:{workers} n={n:,}"
        print(
            f"{label:22} {r['articles']:>10,} {r['seconds']:>8.1f} {r['articles_per_s']:>10,.0f} "
            f"{r['mb_per_s']:>6.2f} {r['peak_rss_mb']:>7,.0f}MB {r['peak_pss_mb']:>7,.0f}MB "
            f"{r['cpu_seconds']:>7,.0f} {r['other_cpu_cores']:>6.2f} "
            f"{r['cpu_parent_ms_per_article']:>22.4f} {r['cpu_workers_ms_per_article']:>8.3f} "
            + (
                f"{r['cpu_overhead_ms_per_article']:>14.3f}"
                if r["cpu_overhead_ms_per_article"] is not None
                else f"{'-':>14}"
            ),
            flush=True,
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\n'other': cores' worth of CPU used by other processes meanwhile\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
