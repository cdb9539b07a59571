"""Stories and claims on the shared corpus (read at run time; skipped when absent): seeds
000 (Uzbek) and 001 (Russian) are one story whose three facts are three claims in two
languages; the dev stories score pairwise F1 >= 0.9; readable timeline and targets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradefacts.cli import app
from tradefacts.document import iter_documents
from tradefacts.eval import evaluate_stories, load_stories
from tradefacts.store import Store

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SEEDS = CORPUS / "seeds"
DEV = CORPUS / "dev"

pytestmark = pytest.mark.skipif(not DEV.is_dir() or not SEEDS.is_dir(), reason="no shared corpus")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.duckdb"
    with Store(path) as store:
        summary = store.ingest([SEEDS, DEV / "articles.jsonl"])
        assert not summary.errors and store.pending() == 0
    return path


def test_seeds_000_and_001_are_one_story_with_three_two_language_claims(db: Path) -> None:
    with Store(db, read_only=True) as store:
        story_of = store.story_of()
        uz, ru = "seeds/000_86fdf9d24cbf6d22.txt", "seeds/001_e7cce9ad82afa6ad.txt"
        assert story_of[uz] == story_of[ru]
        (story,) = [s for s in store.stories() if s["story_id"] == story_of[uz]]
        assert story["n_articles"] == 2 and story["languages"] == ["ru", "uz-Cyrl"]
        both = [
            c
            for c in store.claims(min_languages=2)
            if {s["article_id"] for s in c["sources"]} == {uz, ru}
        ]
    got = {(c["indicator"], c["party_a"], c["party_b"], c["period"], c["value"]) for c in both}
    assert got == {
        ("turnover", "CN-XJ", "KAZ", "2024", 22e9),
        ("turnover", "CHN", "KAZ", "2024", 43.8e9),
        ("export", "KAZ", "CHN", "2024", 1.44e9),
    }
    for c in both:
        assert c["languages"] == ["ru", "uz-Cyrl"] and c["n_sources"] == 2
        assert c["first_seen"] == dt.date(2025, 8, 26)  # the Russian one came a day earlier


def test_dev_stories_pairwise_f1(capsys: pytest.CaptureFixture[str]) -> None:
    gold = load_stories(DEV / "stories.json")
    result = evaluate_stories(gold, iter_documents([DEV / "articles.jsonl"]))
    assert result.f1 is not None and result.f1 >= 0.9, result.to_dict()
    assert result.precision is not None and result.precision >= 0.9


def test_undated_articles_join_their_story_and_its_periods(db: Path) -> None:
    with Store(db, read_only=True) as store:
        rows = store.claims(period="2025-01/2025-08", party="UZB", partner="WLD", sources=True)
    by_doc = {s["doc_id"]: s for c in rows for s in c["sources"]}
    assert {"p010", "p012"} <= set(by_doc)  # the Kazakh original has no date
    assert by_doc["p010"]["period_inferred"] and by_doc["p010"]["stated_period"] is None
    assert not by_doc["p012"]["period_inferred"]


def test_eval_stories_command() -> None:
    r = CliRunner().invoke(
        app,
        [
            "eval",
            "--stories",
            str(DEV / "stories.json"),
            "--corpus",
            str(DEV / "articles.jsonl"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "pairwise P" in r.output and "F1" in r.output


def test_timeline_and_targets_read_well(db: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["timeline", "KAZ", "UZB", "--indicator", "turnover", "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("turnover KAZ/UZB (USD)")
    assert "Jan-Sep 3.4 bn" in r.output  # nine months beside 2025, not in it
    r = runner.invoke(app, ["targets", "--as-of", "2026-03-01", "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert "KAZ/UZB" in r.output and "10 bn USD" in r.output
    with Store(db, read_only=True) as store:
        kaz_uzb = [t for t in store.targets(as_of=dt.date(2026, 3, 1), party="KAZ", partner="UZB")]
    (t2030,) = [t for t in kaz_uzb if t["deadline"] == 2030]
    assert t2030["actual_year"] == 2025 and t2030["verdict"] in ("on track", "at risk", "off track")
