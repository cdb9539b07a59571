"""Reconciliation cost: a full recompute against the incremental update after an ingest.

Usage (from the repository root):

    .venv/bin/python bench/bench_reconcile.py [--n 50000] [--more 200] [--seed 1]

1. Writes a synthetic corpus of --n articles (bench/synthetic.py) and ingests it into a
   fresh DuckDB file without reconciling (not timed as reconciliation; it reports how many
   current facts that makes: about two per article).
2. Times ``store.reconcile(full=True)``: signatures, links, stories, claims and
   contradictions from scratch, with a breakdown of where the time goes.
3. Ingests --more new articles and 10 % as many changed ones (new versions) and times the
   incremental ``reconcile()`` the ingest ends with; checks that the tables then equal a
   full recompute.

Pins DuckDB to one thread. Prints a table and writes bench/out/reconcile.json.
"""

from __future__ import annotations

import argparse
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

DEFAULT_OUT = REPO / "bench" / "out" / "reconcile.json"
TABLES = ("story_links", "stories", "story_members", "claims", "claim_sources", "contradictions")


def _snapshot(con: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--more", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    from tradefacts.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = synthetic.write_jsonl(folder / "corpus.jsonl", args.n, seed=args.seed)
        records = [json.loads(x) for x in corpus.read_text(encoding="utf-8").splitlines()]
        changed = [
            dict(r, text=r["text"].replace("\n", "\nОбновлено.\n", 1))
            for r in records[:: max(1, args.n // max(1, args.more // 10))][: args.more // 10]
        ]
        more = synthetic.write_jsonl(
            folder / "more.jsonl", args.more, seed=args.seed + 1, start=args.n
        )
        extra = folder / "extra.jsonl"
        extra.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in changed)
            + more.read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        db = folder / "bench.duckdb"
        with Store(db) as store:
            store.con.execute("SET threads = 1")
            t0 = time.perf_counter()
            store.ingest([corpus], reconcile=False)
            ingest_s = time.perf_counter() - t0
            facts = store.con.execute("SELECT count(*) FROM facts WHERE NOT superseded").fetchall()[
                0
            ][0]
            t0 = time.perf_counter()
            full = store.reconcile(full=True)
            full_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            second = store.ingest([extra], reconcile=False)
            ingest2_s = time.perf_counter() - t0
            queued = store.pending()
            t0 = time.perf_counter()
            inc = store.reconcile()
            inc_s = time.perf_counter() - t0
            after_inc = _snapshot(store.con)
            store.reconcile(full=True)
            same = after_inc == _snapshot(store.con)
            facts_after = store.con.execute(
                "SELECT count(*) FROM facts WHERE NOT superseded"
            ).fetchall()[0][0]

    result = {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "articles": args.n,
        "current_facts": facts,
        "ingest_seconds": round(ingest_s, 2),
        "full_reconcile_seconds": round(full_s, 2),
        "full": {
            "links": full.links,
            "stories": full.stories,
            "keys": full.keys,
            "claims": full.claims,
            "contradictions": full.contradictions,
            "seconds_by_step": full.timings,
        },
        "second_ingest": {"read": second.read, "new": second.new, "versions": second.new_versions},
        "second_ingest_seconds": round(ingest2_s, 2),
        "incremental_articles": queued,
        "incremental_keys": inc.keys,
        "incremental_reconcile_seconds": round(inc_s, 2),
        "incremental_seconds_by_step": inc.timings,
        "facts_after": facts_after,
        "incremental_equals_full": same,
    }
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"{k:<{width}}  {v}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
