"""Throughput of tradefacts.extract, and of Natasha's MoneyExtractor on the Russian articles.

Usage (from the repository root, after `pip install -e '.[dev]'`; `pip install natasha`
for the comparison):

    .venv/bin/python bench/bench_extract.py [--corpus FILE] [--mb 10] [--ru-mb MB]

What it does, on one core (a single process, articles one after another):

1. Loads a corpus JSONL ({id, url, date, lang, text} per line), by default
   <repo>/../shared/corpus/dev/articles.jsonl.
2. "all": repeats the articles in order until the text reaches --mb megabytes
   (1 MB = 10**6 bytes of UTF-8) and times tradefacts.extract(text, date) over all of them.
3. "ru": the records labelled lang == "ru", repeated to --ru-mb megabytes (default: --mb),
   timed with tradefacts.extract and, when natasha is importable, with
   natasha.MoneyExtractor(MorphVocab()) on the very same texts.

Every timed side gets one untimed warm-up pass over the distinct articles first, then its
timed run is repeated --repeat times (default 3); the table shows the median run and the
range. The process is pinned to one CPU. Prints a table and what runs compiled (the C front
end, the Cython-compiled stages), and writes a JSON result (default bench/out/extract.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "dev" / "articles.jsonl"
DEFAULT_OUT = REPO / "bench" / "out" / "extract.json"
MB = 1_000_000


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    lang: str | None
    date: str | None
    text: str
    nbytes: int


@dataclass(frozen=True, slots=True)
class Run:
    """One timed pass of one extractor over one workload."""

    side: str
    workload: str
    articles: int
    mbytes: float
    seconds: float
    found: int  # facts (ours) or money matches (natasha) over the whole timed run
    found_per_pass: int  # the same, over one pass of the distinct articles (warm-up)
    extra: dict[str, Any]
    all_seconds: tuple[float, ...] = ()  # every repetition; ``seconds`` is their median
    cpu_seconds: tuple[float, ...] = ()  # the process's CPU time of each repetition

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else float("inf")

    @property
    def mb_per_s(self) -> float:
        return self.mbytes / self.seconds if self.seconds else float("inf")

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "workload": self.workload,
            "articles": self.articles,
            "mb": round(self.mbytes, 3),
            "seconds": round(self.seconds, 4),
            "articles_per_s": round(self.articles_per_s, 2),
            "mb_per_s": round(self.mb_per_s, 4),
            "found": self.found,
            "found_per_pass": self.found_per_pass,
            "repetitions_articles_per_s": [
                round(self.articles / s, 2) for s in self.all_seconds or (self.seconds,)
            ],
            "repetitions_cpu_seconds": [round(c, 4) for c in self.cpu_seconds],
            **self.extra,
        }


def load_corpus(path: Path) -> list[Article]:
    arts: list[Article] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            text = rec.get("text") or ""
            if not text:
                continue
            arts.append(
                Article(
                    id=str(rec.get("id", n)),
                    lang=rec.get("lang"),
                    date=rec.get("date") or None,
                    text=text,
                    nbytes=len(text.encode("utf-8")),
                )
            )
    return arts


def repeat_to(arts: Sequence[Article], mb: float) -> list[Article]:
    """The articles in order, cycled until their UTF-8 size reaches `mb` megabytes."""
    if not arts:
        return []
    target = mb * MB
    out: list[Article] = []
    total = 0
    while total < target:
        for a in arts:
            out.append(a)
            total += a.nbytes
            if total >= target:
                break
    return out


def _timed(fn: Callable[[Article], int], work: Sequence[Article]) -> tuple[float, int, float]:
    """Wall seconds, what ``fn`` found, CPU seconds of this process."""
    found = 0
    gc.collect()
    c0 = time.process_time()
    t0 = time.perf_counter()
    for a in work:
        found += fn(a)
    return time.perf_counter() - t0, found, time.process_time() - c0


def bench_side(
    side: str,
    workload: str,
    fn: Callable[[Article], int],
    distinct: Sequence[Article],
    work: Sequence[Article],
    extra: dict[str, Any] | None = None,
    repeat: int = 1,
) -> Run:
    per_pass = sum(fn(a) for a in distinct)  # warm-up, untimed
    timings = [_timed(fn, work) for _ in range(max(1, repeat))]
    found = timings[0][1]
    seconds = [t for t, _, _ in timings]
    return Run(
        side=side,
        workload=workload,
        articles=len(work),
        mbytes=sum(a.nbytes for a in work) / MB,
        seconds=statistics.median(seconds),
        found=found,
        found_per_pass=per_pass,
        extra=extra or {},
        all_seconds=tuple(seconds),
        cpu_seconds=tuple(c for _, _, c in timings),
    )


def pin_one_core() -> str:
    """Run on one CPU (the lowest this process may use), as the target is per core."""
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity here)"


def build_info() -> dict[str, Any]:
    """What runs compiled: the C front end, and the stages Cython compiled (setup.py)."""
    from tradefacts.lang.lexicon import NATIVE

    try:
        from tradefacts.extract import _compiled
    except ImportError:  # a tradefacts from before the compiled stages (an A/B run)
        return {"native_front_end": NATIVE is not None, "compiled_stages": []}
    return {
        "native_front_end": NATIVE is not None,
        "compiled_stages": _compiled.compiled_stages(),
        "pure_requested": _compiled.pure_requested(),
    }


def import_tradefacts() -> Any:
    try:
        import tradefacts
    except ImportError:  # not installed: use the checkout's src/
        sys.path.insert(0, str(REPO / "src"))
        import tradefacts
    return tradefacts


def our_fn(tradefacts: Any) -> Callable[[Article], int]:
    extract = tradefacts.extract  # looked up at run time, so it can be swapped in tests

    def run(a: Article) -> int:
        return len(extract(a.text, a.date))

    return run


def check_ours(
    tradefacts: Any, distinct: Sequence[Article], skip_errors: bool
) -> tuple[set[str], dict[str, int]]:
    """Run extract once over every distinct article: fail (or collect the ids that raise),
    and count the facts found, all and in money units, overall and on the ru articles."""
    failed: dict[str, str] = {}
    counts = {"all_facts": 0, "all_money_facts": 0, "ru_facts": 0, "ru_money_facts": 0}
    for a in distinct:
        try:
            facts = tradefacts.extract(a.text, a.date)
        except Exception as e:
            if not skip_errors:
                raise SystemExit(
                    f"tradefacts.extract failed on article {a.id!r}: {type(e).__name__}: {e}\n"
                    "(rerun with --skip-errors to time the other articles)"
                ) from e
            failed[a.id] = f"{type(e).__name__}: {e}"
            continue
        money = sum(1 for f in facts if getattr(f, "unit", "t") != "t")
        counts["all_facts"] += len(facts)
        counts["all_money_facts"] += money
        if a.lang == "ru":
            counts["ru_facts"] += len(facts)
            counts["ru_money_facts"] += money
    for aid, err in failed.items():
        print(f"note: skipping article {aid} (extract raised {err})", file=sys.stderr)
    return set(failed), counts


def natasha_fn() -> tuple[Callable[[Article], int] | None, dict[str, Any]]:
    try:
        import natasha
        from natasha import MoneyExtractor, MorphVocab

        t0 = time.perf_counter()
        extractor = MoneyExtractor(MorphVocab())
        load = time.perf_counter() - t0
    except Exception as e:  # ImportError, or a broken dependency inside natasha
        return None, {"error": f"{type(e).__name__}: {e}"}

    def run(a: Article) -> int:
        return sum(1 for _ in extractor(a.text))

    version = getattr(natasha, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as _v

            version = _v("natasha")
        except Exception:
            version = "?"
    return run, {"version": version, "load_seconds": round(load, 3)}


def print_table(runs: Sequence[Run]) -> None:
    head = ("workload", "side", "articles", "MB", "seconds", "articles/s", "MB/s", "found", "range")
    rows = [
        (
            r.workload,
            r.side,
            str(r.articles),
            f"{r.mbytes:.2f}",
            f"{r.seconds:.2f}",
            f"{r.articles_per_s:,.1f}",
            f"{r.mb_per_s:.3f}",
            f"{r.found} ({r.found_per_pass}/pass)",
            _range(r),
        )
        for r in runs
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=True)]
    for i, row in enumerate([head, *rows]):
        print(
            "  ".join(
                c.ljust(w) if j < 2 else c.rjust(w)
                for j, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))


def _range(r: Run) -> str:
    """The articles/s of the slowest and the fastest repetition."""
    if len(r.all_seconds) < 2:
        return "-"
    lo, hi = r.articles / max(r.all_seconds), r.articles / min(r.all_seconds)
    return f"{lo:,.0f}-{hi:,.0f} in {len(r.all_seconds)}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus JSONL")
    ap.add_argument("--mb", type=float, default=10.0, help="MB of text for the all-language run")
    ap.add_argument(
        "--ru-mb", type=float, default=None, help="MB for the Russian run (default: --mb)"
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON result file")
    ap.add_argument("--no-natasha", action="store_true", help="skip the Natasha comparison")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="timed runs per side; the table shows the median (default 3)",
    )
    ap.add_argument(
        "--skip-errors",
        action="store_true",
        help="leave out articles on which extract raises, instead of stopping",
    )
    args = ap.parse_args(argv)
    ru_mb = args.mb if args.ru_mb is None else args.ru_mb

    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    arts = load_corpus(args.corpus)
    ru = [a for a in arts if a.lang == "ru"]
    if not arts:
        print(f"no articles in {args.corpus}", file=sys.stderr)
        return 2

    pinned = pin_one_core()
    tradefacts = import_tradefacts()
    build = build_info()
    skip, counts = check_ours(tradefacts, arts, args.skip_errors)
    ours = our_fn(tradefacts)
    timed_all = [a for a in arts if a.id not in skip]
    timed_ru = [a for a in ru if a.id not in skip]
    if not timed_all:
        print("tradefacts.extract raised on every article; nothing to time", file=sys.stderr)
        return 1

    print(
        f"corpus {args.corpus} : {len(arts)} articles, {sum(a.nbytes for a in arts) / MB:.3f} MB; "
        f"ru: {len(ru)} articles, {sum(a.nbytes for a in ru) / MB:.3f} MB",
        flush=True,
    )
    print(
        f"{pinned}; C front end: {'yes' if build['native_front_end'] else 'no'}; "
        f"compiled stages: {', '.join(build['compiled_stages']) or 'none'}; "
        f"{args.repeat} timed run(s) per side, median shown",
        flush=True,
    )

    runs: list[Run] = []
    work_all = repeat_to(timed_all, args.mb)
    print(f"[all] tradefacts.extract over {len(work_all)} articles ...", flush=True)
    runs.append(bench_side("tradefacts", "all", ours, timed_all, work_all, repeat=args.repeat))

    natasha: dict[str, Any] = {"used": False}
    if timed_ru:
        work_ru = repeat_to(timed_ru, ru_mb)
        print(f"[ru] tradefacts.extract over {len(work_ru)} articles ...", flush=True)
        runs.append(bench_side("tradefacts", "ru", ours, timed_ru, work_ru, repeat=args.repeat))
        if args.no_natasha:
            natasha["note"] = "skipped (--no-natasha)"
        else:
            nfn, info = natasha_fn()
            natasha.update(info)
            if nfn is None:
                natasha["note"] = "natasha not importable; ran tradefacts only"
                print(
                    f"note: natasha is not importable ({info['error']}); "
                    "install it with `.venv/bin/pip install natasha` for the comparison. "
                    "Running tradefacts only.",
                    file=sys.stderr,
                )
            else:
                natasha["used"] = True
                print(f"[ru] natasha MoneyExtractor over {len(work_ru)} articles ...", flush=True)
                runs.append(
                    bench_side("natasha.MoneyExtractor", "ru", nfn, timed_ru, work_ru, repeat=1)
                )
    else:
        natasha["note"] = "no records with lang == 'ru' in the corpus"

    print()
    print_table(runs)
    print(
        "\nfound = facts (tradefacts) or money matches (natasha) in the timed run; "
        "/pass = in one pass over the distinct articles."
    )
    line = (
        f"one pass over the {len(timed_ru)} distinct ru articles: tradefacts "
        f"{counts['ru_facts']} facts ({counts['ru_money_facts']} in a currency)"
    )
    nat = [r for r in runs if r.side.startswith("natasha")]
    if nat:
        line += f"; natasha {nat[0].found_per_pass} money mentions"
    print(line)

    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "corpus": str(args.corpus),
        "mb_unit": "10**6 bytes of UTF-8 text",
        "target_mb": {"all": args.mb, "ru": ru_mb},
        "distinct_articles": {"all": len(arts), "ru": len(ru)},
        "skipped_articles": sorted(skip),
        "facts_per_pass": counts,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "tradefacts_version": getattr(tradefacts, "__version__", "?"),
        "natasha": natasha,
        "cpu": pinned,
        "build": build,
        "repeat": args.repeat,
        "runs": [r.to_dict() for r in runs],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
