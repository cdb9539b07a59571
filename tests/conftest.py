"""Fixtures shared by the store tests: a stand-in extractor driven by the text itself, the
synthetic corpus generator of bench/, and a way to compare whole databases."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest

from tradefacts.model import Evidence, Fact, Growth

REPO = Path(__file__).resolve().parents[1]


def dsl_extract(text: str, published: dt.date | str | None = None) -> list[Fact]:
    """One fact per line ``FACT indicator A B period value status [growth]`` (``-`` = no
    period); ``value`` may be scaled by ``SCALE`` (set by tests). A line ``EXPLODE``
    raises, as a broken extractor would."""
    facts = []
    pos = 0
    for line in text.split("\n"):
        if line.strip() == "EXPLODE" or line.strip() == f"EXPLODE{SCALE['explode']}":
            raise ValueError("cannot parse this article")
        if line.startswith("FACT "):
            parts = line.split()
            indicator, a, b, period, value, status = parts[1:7]
            facts.append(
                Fact(
                    indicator=indicator,
                    parties=(a, b),
                    period=None if period == "-" else period,
                    value=float(value) * SCALE["value"],
                    unit="USD",
                    bound="eq",
                    status=status,
                    evidence=Evidence(line, pos, pos + len(line)),
                    growth=Growth(float(parts[7])) if len(parts) > 7 else None,
                )
            )
        pos += len(line) + 1
    return facts


#: knobs the tests turn on the stand-in extractor
SCALE: dict[str, Any] = {"value": 1.0, "explode": ""}


def dsl_language(text: str) -> str:
    for line in text.split("\n"):
        if line.startswith("LANG "):
            return line.split()[1]
    return "en"


@pytest.fixture
def dsl(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Stand in ``dsl_extract`` for the extractor and ``LANG xx`` lines for detection."""
    monkeypatch.setattr(importlib.import_module("tradefacts.extract"), "extract", dsl_extract)
    monkeypatch.setattr(
        importlib.import_module("tradefacts.ingest"), "detect_language", dsl_language
    )
    monkeypatch.setitem(SCALE, "value", 1.0)
    monkeypatch.setitem(SCALE, "explode", "")
    return SCALE


@pytest.fixture(scope="session")
def synthetic() -> ModuleType:
    """bench/synthetic.py: the generated multilingual corpus."""
    spec = importlib.util.spec_from_file_location("synthetic", REPO / "bench" / "synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic", module)
    spec.loader.exec_module(module)
    return module


def table_rows(con: Any, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table but the ``ingested_at`` timestamps, in a stable order."""
    order = {"articles": "id, version", "facts": "article_id, version, n", "meta": "key"}[table]
    exclude = " EXCLUDE (ingested_at)" if table == "articles" else ""
    return con.execute(f"SELECT *{exclude} FROM {table} ORDER BY {order}").fetchall()


@pytest.fixture
def snapshot() -> Callable[[Any], dict[str, list[tuple[Any, ...]]]]:
    """``snapshot(store_or_path)``: all tables' rows (without ``ingested_at``)."""

    def take(target: Any) -> dict[str, list[tuple[Any, ...]]]:
        if isinstance(target, str | Path):
            con = duckdb.connect(str(target), read_only=True)
            try:
                return {t: table_rows(con, t) for t in ("articles", "facts", "meta")}
            finally:
                con.close()
        return {t: table_rows(target.con, t) for t in ("articles", "facts", "meta")}

    return take


# --------------------------------------------------------------------------- the API's databases

#: two articles beside the demo corpus for the API and dashboard tests: a Russian report of
#: the Kazakh article 001 (one story in two languages) and an English one that gives another
#: 2024 turnover for the same pair (a contradiction)
STORY_ARTICLES = {
    "010_ru_kaz_uzb_story.txt": (
        " date 2025-10-15 Товарооборот Казахстана и Узбекистана за девять месяцев превысил "
        "3,2 млрд долларов\n"
        "Астана. Товарооборот между Казахстаном и Узбекистаном в январе-сентябре 2025 года "
        "превысил 3,2 млрд долларов, сообщило министерство торговли и интеграции.\n\n"
        "Экспорт Казахстана в Узбекистан за девять месяцев составил 2,1 млрд долларов, импорт "
        "из Узбекистана — 1,1 млрд долларов.\n\n"
        "В 2024 году товарооборот двух стран составил 4,4 млрд долларов. Стороны намерены "
        "довести его до 10 млрд долларов к 2030 году.\n"
    ),
    "011_en_kaz_uzb_disputed.txt": (
        " date 2025-11-28 Kazakhstan-Uzbekistan trade: a different count for last year\n"
        "TASHKENT – Trade between Kazakhstan and Uzbekistan reached $4.9 billion in 2024, "
        "according to Uzbekistan's statistics agency, which counts re-exports differently.\n"
    ),
}


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built from the demo corpus (demo/articles, demo/articles.jsonl), once."""
    from tradefacts.store import Store

    path = tmp_path_factory.mktemp("demo_db") / "demo.duckdb"
    with Store(path) as store:
        summary = store.ingest([REPO / "demo" / "articles", REPO / "demo" / "articles.jsonl"])
    assert not summary.errors, summary.errors
    return path


@pytest.fixture(scope="session")
def story_db(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Path:
    """The demo database plus ``STORY_ARTICLES``: a story in two languages, a contradiction."""
    import shutil

    from tradefacts.store import Store

    folder = tmp_path_factory.mktemp("story_db")
    extra = folder / "extra"
    extra.mkdir()
    for name, text in STORY_ARTICLES.items():
        (extra / name).write_text(text, encoding="utf-8")
    path = folder / "story.duckdb"
    shutil.copyfile(demo_db, path)
    with Store(path) as store:
        summary = store.ingest([extra])
    assert not summary.errors, summary.errors
    return path
