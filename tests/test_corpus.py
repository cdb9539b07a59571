"""End to end on the shared corpus: the figures issue #2 asks for are asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradefacts.document import iter_documents
from tradefacts.eval import evaluate, load_gold

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
MAIN_LANGS = ("kk", "ru", "uz-Cyrl", "uz-Latn", "ky", "en")

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/corpus is not beside the checkout"
)


def _score(gold: str, corpus: str):
    gold_docs, errors = load_gold(SHARED / gold)
    assert not errors
    docs = [d for d in iter_documents([SHARED / corpus]) if not isinstance(d, Exception)]
    return evaluate(gold_docs, docs)


def test_seeds_every_required_fact() -> None:
    result = _score("seeds.gold.jsonl", "seeds")
    c = result.overall
    assert c.fn == 0 and c.fp == 0, result
    assert c.f1 == pytest.approx(1.0)


def test_dev_corpus_thresholds() -> None:
    result = _score("dev/gold.jsonl", "dev/articles.jsonl")
    assert result.overall.f1 >= 0.85
    for lang in MAIN_LANGS:
        assert result.by_lang[lang].f1 >= 0.75, (lang, result.by_lang[lang])
