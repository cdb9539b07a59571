"""A fingerprint of what ``extract`` returns, to show that a speed change changes nothing.

    .venv/bin/python scripts/fingerprint.py            # dev, seeds, demo, 3,000 synthetic
    .venv/bin/python scripts/fingerprint.py --n 20000  # more synthetic articles

It runs ``extract`` over the dev corpus and the seeds (from ``../shared`` when present),
the bundled demo corpus and ``--n`` synthetic articles of each profile of
``bench/synthetic.py``, and prints one SHA-256 per corpus over every fact (all fields,
``extra`` included) in order. Run it before and after a change: equal lines, equal output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402
from tradefacts import extract  # noqa: E402


def _jsonl(path: Path) -> Iterator[tuple[str, str | None]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                yield r["text"], r.get("date")


def _texts(folder: Path) -> Iterator[tuple[str, str | None]]:
    for p in sorted(folder.glob("*.txt")):
        yield p.read_text(encoding="utf-8"), None


def fingerprint(docs: Iterable[tuple[str, str | None]]) -> tuple[int, int, str]:
    h = hashlib.sha256()
    n_docs = n_facts = 0
    for text, date in docs:
        n_docs += 1
        for f in extract(text, date):
            n_facts += 1
            d = f.to_dict()
            d["extra"] = f.extra
            h.update(json.dumps(d, sort_keys=True, ensure_ascii=False, default=str).encode())
        h.update(b"\x00")
    return n_docs, n_facts, h.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="synthetic articles per profile")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    corpora: list[tuple[str, Iterable[tuple[str, str | None]]]] = []
    dev = args.shared / "corpus" / "dev" / "articles.jsonl"
    if dev.exists():
        corpora.append(("dev", _jsonl(dev)))
        corpora.append(("seeds", _texts(args.shared / "corpus" / "seeds")))
    corpora.append(("demo", _jsonl(ROOT / "demo" / "articles.jsonl")))
    for profile in ("short", "realistic"):
        recs = synthetic.records(args.n, seed=1, profile=profile)
        corpora.append((f"synthetic-{profile}", ((r["text"], r["date"]) for r in recs)))
    for name, docs in corpora:
        n_docs, n_facts, digest = fingerprint(docs)
        print(f"{name:20} {n_docs:6} docs {n_facts:6} facts  {digest}")


if __name__ == "__main__":
    main()
