"""Reconciliation in the store, on a synthetic multi-year data set written here: claims,
a contradiction, a partial year, the timeline, targets (one restated with a new
deadline) with exact CAGR and verdicts; incremental updates equal a full recompute;
the schema upgrade; the commands."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import math
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from tradefacts.cli import app
from tradefacts.document import Document
from tradefacts.model import Evidence, Fact, Growth
from tradefacts.store import Store, StoreError

BN = 1e9
AS_OF = dt.date(2025, 6, 30)
RECONCILED = (
    "story_links",
    "stories",
    "story_members",
    "claims",
    "claim_sources",
    "contradictions",
)


def line_extract(text: str, published: Any = None) -> list[Fact]:
    """One fact per line ``F indicator A B period value bound status [growth]``."""
    facts = []
    pos = 0
    for line in text.split("\n"):
        if line.startswith("F "):
            _, indicator, a, b, period, value, bound, status, *growth = line.split()
            facts.append(
                Fact(
                    indicator=indicator,
                    parties=(a, b),
                    period=None if period == "-" else period,
                    value=float(value),
                    unit="USD",
                    bound=bound,
                    status=status,
                    evidence=Evidence(line, pos, pos + len(line)),
                    growth=Growth(float(growth[0])) if growth else None,
                )
            )
        pos += len(line) + 1
    return facts


def line_language(text: str) -> str:
    return text.split("\n", 1)[0].removeprefix("LANG ").strip()


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.import_module("tradefacts.extract"), "extract", line_extract)
    monkeypatch.setattr(
        importlib.import_module("tradefacts.ingest"), "detect_language", line_language
    )


def doc(name: str, date: str, lang: str, *facts: str, filler: str = "") -> Document:
    text = "\n".join([f"LANG {lang}", f"Report {name}. {filler}", *facts]) + "\n"
    return Document(
        id=name,
        text=text,
        url=f"https://news.example/{name}",
        date=dt.date.fromisoformat(date),
        source="news.example",
    )


# The data set: KAZ/UZB turnover 2020-2023 growing 10 % a year (2.0, 2.2, 2.42, 2.662 bn),
# restated by several outlets, one wrong figure for 2022, a first half of 2024, an export
# series, and six targets.
PART_1 = [
    doc("y2020-en", "2021-02-01", "en", "F turnover KAZ UZB 2020 2000000000 eq actual"),
    doc("y2020-ru", "2021-02-20", "ru", "F turnover KAZ UZB 2020 2000000000 eq actual"),
    doc("y2021-kk", "2022-02-01", "kk", "F turnover KAZ UZB 2021 2200000000 eq actual 10"),
    doc("y2021-en", "2022-03-15", "en", "F turnover KAZ UZB 2021 2100000000 gt actual"),
    doc("y2022-ru", "2023-02-01", "ru", "F turnover KAZ UZB 2022 2420000000 eq actual"),
    doc("y2022-uz", "2023-02-20", "uz-Latn", "F turnover KAZ UZB 2022 2420000000 eq actual"),
    doc("y2022-en", "2023-05-01", "en", "F turnover KAZ UZB 2022 2900000000 eq actual"),
    doc("t-2030", "2021-03-01", "ru", "F turnover KAZ UZB ../2030 10000000000 eq target"),
    doc("t-2025", "2022-06-01", "en", "F turnover KAZ UZB ../2025 3000000000 eq target"),
    doc("t-2023", "2020-01-15", "en", "F turnover KAZ UZB 2023 2500000000 eq target"),
    doc("t-2022", "2019-05-01", "ru", "F turnover KAZ UZB ../2022 5000000000 eq target"),
]
PART_2 = [
    doc(
        "y2023-ru",
        "2024-02-01",
        "ru",
        "F turnover KAZ UZB 2023 2662000000 eq actual 10",
        "F export UZB KAZ 2023 900000000 eq actual",
    ),
    doc("h1-2024", "2024-08-01", "kk", "F turnover KAZ UZB 2024-01/2024-06 1500000000 eq actual"),
    doc("t-2035", "2024-05-01", "kk", "F turnover KAZ UZB ../2035 10000000000 eq target"),
    doc("t-none", "2024-06-01", "en", "F turnover KAZ UZB - 4000000000 eq target"),
]


def tables(store: Store) -> dict[str, list[Any]]:
    return {
        t: sorted(map(repr, store.con.execute(f"SELECT * FROM {t}").fetchall())) for t in RECONCILED
    }


@pytest.fixture
def filled(lines: None, tmp_path: Path) -> Path:
    db = tmp_path / "synthetic.duckdb"
    with Store(db) as store:
        store.ingest(PART_1)
        store.ingest(PART_2)
    return db


def test_claims_merge_restatements(filled: Path) -> None:
    with Store(filled, read_only=True) as store:
        by_period = {
            c["period"]: c
            for c in store.claims(indicator="turnover", status="actual")
            if not c["disputed"] or c["n_sources"] > 1
        }
        c2021 = by_period["2021"]
        assert (c2021["value"], c2021["bound"], c2021["n_sources"]) == (2.2 * BN, "eq", 2)
        assert c2021["languages"] == ["en", "kk"] and c2021["first_seen"] == dt.date(2022, 2, 1)
        assert [s["bound"] for s in c2021["sources"]] == ["eq", "gt"]
        assert by_period["2020"]["n_sources"] == 2
        assert store.claims(min_languages=2, period="2022")[0]["languages"] == ["ru", "uz-Latn"]


def test_the_wrong_figure_is_a_contradiction(filled: Path) -> None:
    with Store(filled, read_only=True) as store:
        (x,) = store.contradictions()
    assert (x["period"], x["value_a"], x["sources_a"]) == ("2022", 2.42 * BN, 2)
    assert (x["value_b"], x["sources_b"], x["url_b"]) == (
        2.9 * BN,
        1,
        "https://news.example/y2022-en",
    )
    assert x["evidence_a"].startswith("F turnover KAZ UZB 2022 2420000000")
    assert x["evidence_b"].startswith("F turnover KAZ UZB 2022 2900000000")


def test_timeline_keeps_full_years_and_partial_periods_apart(filled: Path) -> None:
    with Store(filled, read_only=True) as store:
        series = store.timeline("UZB", "KAZ")
        assert [s["indicator"] for s in store.timeline("kaz", "uzb", indicator="export")] == [
            "export"
        ]
    turnover, export = series
    assert (turnover["indicator"], turnover["party_a"], turnover["party_b"]) == (
        "turnover",
        "KAZ",
        "UZB",
    )
    years = {r["year"]: r for r in turnover["years"]}
    assert sorted(years) == [2020, 2021, 2022, 2023]  # 2024 has only a half: not a year
    assert [years[y]["value"] for y in sorted(years)] == [2.0 * BN, 2.2 * BN, 2.42 * BN, 2.662 * BN]
    assert [years[y]["sources"] for y in sorted(years)] == [2, 2, 2, 1]
    assert years[2020]["growth_pct"] is None
    for y in (2021, 2022, 2023):
        assert math.isclose(years[y]["growth_pct"], 10.0)
    assert years[2022]["disputed"] and [a["value"] for a in years[2022]["alternatives"]] == [
        2.9 * BN
    ]
    assert not years[2021]["disputed"]
    (h1,) = turnover["partial"]
    assert (h1["year"], h1["period"], h1["label"], h1["months"], h1["value"]) == (
        2024,
        "2024-01/2024-06",
        "Jan-Jun",
        6,
        1.5 * BN,
    )
    assert turnover["other"] == []
    assert (export["party_a"], export["party_b"], export["years"][0]["value"]) == (
        "UZB",
        "KAZ",
        0.9 * BN,
    )


def test_targets_cagr_and_verdicts(filled: Path) -> None:
    with Store(filled, read_only=True) as store:
        rows = store.targets(as_of=AS_OF)
        assert store.targets(as_of="2025-06-30") == rows
    by = {(r["target"], r["deadline"]): r for r in rows}
    assert len(rows) == 6
    for r in rows:
        if r["note"] != "no deadline" and r["verdict"] != "expired":
            assert (r["actual"], r["actual_year"]) == (2.662 * BN, 2023)
            assert math.isclose(r["recent_cagr_pct"], 10.0) and r["recent_from"] == 2020

    off = by[(10 * BN, 2030)]
    assert math.isclose(off["needed_cagr_pct"], ((10 / 2.662) ** (1 / 7) - 1) * 100)
    assert math.isclose(off["needed_cagr_pct"], 20.8, abs_tol=0.05)
    assert math.isclose(off["progress_pct"], 26.62)
    assert off["verdict"] == "off track"
    assert (
        off["stated"] == dt.date(2021, 3, 1) and off["stated_by"] == "https://news.example/t-2030"
    )

    later = by[(10 * BN, 2035)]  # the same target restated with a new deadline
    assert math.isclose(later["needed_cagr_pct"], ((10 / 2.662) ** (1 / 12) - 1) * 100)
    assert later["verdict"] == "at risk"  # 2.662 * 1.1**12 = 8.35: 83.5 % of the target
    assert off["restated"] and off["restated_by"] == later["claim_id"]
    assert not later["restated"]

    on = by[(3 * BN, 2025)]
    assert math.isclose(on["needed_cagr_pct"], (math.sqrt(3 / 2.662) - 1) * 100)
    assert on["verdict"] == "on track"

    assert by[(2.5 * BN, 2023)]["verdict"] == "met"  # "in 2023": 2.662 >= 2.5
    assert by[(2.5 * BN, 2023)]["period"] == "../2023"
    expired = by[(5 * BN, 2022)]
    assert (expired["verdict"], expired["actual_year"], expired["actual"]) == (
        "expired",
        2022,
        2.42 * BN,
    )
    none = by[(4 * BN, None)]
    assert (none["verdict"], none["note"]) == (None, "no deadline")
    # judged in 2031, the 2030 target has expired
    with Store(filled, read_only=True) as store:
        late = {r["deadline"]: r["verdict"] for r in store.targets(as_of=dt.date(2031, 1, 1))}
    assert late[2030] == "expired" and late[2035] == "at risk"


def test_incremental_equals_full_recompute(lines: None, filled: Path) -> None:
    with Store(filled) as store:
        incremental = tables(store)
        summary = store.reconcile(full=True)
        assert summary.full and summary.claims > 0
        assert tables(store) == incremental


def test_a_corrected_article_leaves_its_old_claim(lines: None, filled: Path) -> None:
    corrected = doc("y2022-en", "2023-05-02", "en", "F turnover KAZ UZB 2022 2420000000 eq actual")
    with Store(filled) as store:
        summary = store.ingest([corrected])
        assert summary.new_versions == 1 and store.pending() == 0
        assert store.contradictions() == []
        (c2022,) = store.claims(period="2022")
        assert c2022["n_sources"] == 3 and not c2022["disputed"]
        after = tables(store)
        store.reconcile(full=True)
        assert tables(store) == after


def test_without_reconcile_the_queue_waits(lines: None, tmp_path: Path) -> None:
    with Store(tmp_path / "q.duckdb") as store:
        store.ingest(PART_1, reconcile=False)
        assert store.pending() == len(PART_1)
        assert store.claims() == []
        summary = store.reconcile()
        assert summary.articles == len(PART_1) and store.pending() == 0
        assert store.claims()
        assert store.reconcile().articles == 0  # nothing left


def test_a_story_across_languages_and_a_near_duplicate(lines: None) -> None:
    filler = " ".join(f"word{i}" for i in range(80))
    docs = [
        doc("kk", "2025-08-26", "kk", "F turnover CHN KAZ 2024 43800000000 eq actual",
            "F export KAZ CHN 2024 1440000000 eq actual 10.5"),
        doc("uz", "2025-08-27", "uz-Cyrl", "F turnover CHN KAZ 2024 43800000000 eq actual",
            "F export KAZ CHN 2024 1440000000 eq actual 10.5"),
        doc("en", "2025-09-20", "en", "F turnover CHN KAZ 2024 43800000000 eq actual",
            "F export KAZ CHN 2024 1440000000 eq actual 10.5"),  # weeks later: another event
        doc("copy1", "2025-03-01", "ru", filler=filler),
        doc("copy2", "2025-03-02", "ru", filler=filler + " и ещё"),
        doc("apart", "2025-03-02", "ru", filler="совсем другой текст " * 20),
    ]  # fmt: skip
    with Store(":memory:") as store:
        store.ingest(docs)
        stories = {tuple(sorted(m["doc_id"] for m in s["members"])): s for s in store.stories()}
    assert set(stories) == {("kk", "uz"), ("copy1", "copy2")}
    kk_uz = stories[("kk", "uz")]
    assert kk_uz["languages"] == ["kk", "uz-Cyrl"] and kk_uz["parties"] == ["CHN", "KAZ"]
    assert {m["link_kind"] for m in kk_uz["members"]} == {"facts"}
    assert {m["link_kind"] for m in stories[("copy1", "copy2")]["members"]} == {"text"}


def test_an_older_database_is_upgraded(lines: None, tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with Store(db) as store:
        store.ingest(PART_1, reconcile=False)
        for table in (
            "reconcile_queue",
            "article_minhash",
            "article_bands",
            *RECONCILED,
        ):
            store.con.execute(f"DROP TABLE {table}")
        store.con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with Store(db, read_only=True) as store, pytest.raises(StoreError, match="older tradefacts"):
        store.claims()
    with Store(db) as store:
        assert store.pending() == len(PART_1)
        store.reconcile()
        assert store.contradictions()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [("2",)]
    con.close()


def test_commands(filled: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(filled)]
    r = runner.invoke(app, ["timeline", "KAZ", "UZB", "--indicator", "turnover", *db])
    assert r.exit_code == 0, r.output
    assert "turnover KAZ/UZB (USD)" in r.output
    assert "2.662 bn" in r.output and "Jan-Jun 1.5 bn (1)" in r.output
    assert "2.9 bn (1)" in r.output and "+10.0%" in r.output
    r = runner.invoke(app, ["targets", "--as-of", "2025-06-30", *db])
    assert r.exit_code == 0, r.output
    for verdict in ("on track", "at risk", "off track (restated)", "met", "expired"):
        assert verdict in r.output
    assert "+20.8%" in r.output and "no deadline" in r.output
    r = runner.invoke(app, ["contradictions", *db])
    assert r.exit_code == 0 and "2.42 bn USD" in r.output and "2.9 bn USD" in r.output
    r = runner.invoke(app, ["claims", "--min-sources", "2", "--format", "json", *db])
    assert r.exit_code == 0 and '"n_sources": 2' in r.output
    r = runner.invoke(app, ["stories", *db])
    assert r.exit_code == 0
    r = runner.invoke(app, ["reconcile", "--full", *db])
    assert r.exit_code == 0 and r.output.startswith("reconciled everything")
    r = runner.invoke(app, ["targets", "--as-of", "June", *db])
    assert r.exit_code == 1 and "error:" in r.output


def test_reextract_reconciles_the_new_facts(
    lines: None, filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tradefacts.store as store_module

    def corrected(text: str, published: Any = None) -> list[Fact]:
        return [  # the upgraded extractor reads 2.9 bn as 2.42 bn
            dataclasses.replace(f, value=2.42 * BN) if f.value == 2.9 * BN else f
            for f in (line_extract(text, published))
        ]

    monkeypatch.setattr(store_module, "extractor_version", lambda: "upgraded")
    monkeypatch.setattr(importlib.import_module("tradefacts.extract"), "extract", corrected)
    with Store(filled) as store:
        assert store.contradictions()
        assert store.reextract().articles == len(PART_1) + len(PART_2)
        assert store.pending() == 0 and store.contradictions() == []
        assert store.claims(period="2022")[0]["n_sources"] == 3


_FIGURES = ("2000000000", "2100000000", "2420000000", "2900000000", "3160000000", "3100000000")
_PERIODS = ("2024", "2025", "2025-01/2025-08", "-", "../2030")


def _random_doc(rng: random.Random, i: int, version: int = 0) -> Document:
    """An article with up to three facts from a small pool (so that figures repeat), dated
    within two weeks or undated, sometimes without periods."""
    facts = []
    for _ in range(rng.randint(0, 3)):
        indicator = rng.choice(["turnover", "export"])
        a, b = rng.choice([("KAZ", "UZB"), ("UZB", "KAZ"), ("CHN", "KAZ")])
        if indicator == "turnover":
            a, b = sorted((a, b))
        growth = f" {rng.choice([10, 20.5])}" if rng.random() < 0.3 else ""
        facts.append(
            f"F {indicator} {a} {b} {rng.choice(_PERIODS)} {rng.choice(_FIGURES)} "
            f"{rng.choice(['eq', 'eq', 'gt', 'approx'])} {rng.choice(['actual', 'actual', 'target'])}"
            + growth
        )
    date = None if rng.random() < 0.3 else dt.date(2025, 1, 1) + dt.timedelta(rng.randint(0, 12))
    filler = " ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(40))
    lang = rng.choice(["ru", "kk", "en"])
    return Document(
        id=f"d{i}",
        text="\n".join([f"LANG {lang}", f"Report {i} v{version}. {filler}", *facts]) + "\n",
        url=f"https://news.example/r{i}",
        date=date,
        source="news.example",
    )


@pytest.mark.parametrize("seed", range(4))
def test_any_order_of_ingests_equals_a_full_recompute(lines: None, seed: int) -> None:
    rng = random.Random(seed)
    docs = [_random_doc(rng, i) for i in range(40)]
    with Store(":memory:") as store:
        done = 0
        while done < len(docs):
            batch = docs[done : done + rng.randint(1, 10)]
            done += len(batch)
            if done > 5 and rng.random() < 0.5:  # a new version of an earlier article
                batch.append(_random_doc(rng, rng.randrange(done), rng.randint(1, 9)))
            store.ingest(batch)
        incremental = tables(store)
        store.reconcile(full=True)
        assert tables(store) == incremental


def test_the_sql_test_for_one_figure_lets_every_same_figure_through() -> None:
    """``engine._links`` leaves ``link`` only the pairs of articles with two facts that
    may state one figure: its SQL test must hold for every pair ``same_figure`` (and
    ``key_period``) accepts."""
    import pyarrow as pa

    from tradefacts.reconcile.claims import key_period, same_figure, step
    from tradefacts.reconcile.engine import _SAME_FIGURE_SQL

    rng = random.Random(5)
    rows: dict[str, list[Any]] = {k: [] for k in ("v", "w", "sv", "sw", "p", "r", "status")}
    same = []
    for _ in range(30_000):
        scale = rng.choice([1.0, 1e3, 1e6, 1e9])
        v = rng.randrange(1, 100_000) / 10 ** rng.choice([0, 1, 2, 3]) * scale
        coarse = 10.0 ** rng.choice([-2, -1, 0, 1]) * scale
        w = rng.choice(
            [
                round(v / coarse) * coarse,
                math.floor(v / coarse) * coarse,
                math.ceil(v / coarse) * coarse,
                v * rng.uniform(0.5, 1.5),
                v,
            ]
        )
        if rng.random() < 0.001:
            v, w = rng.choice([(math.inf, math.inf), (math.inf, 1.0), (math.nan, 1.0)])
        b1, b2 = rng.choices(["eq", "approx", "gt", "lt", "range"], k=2)
        p, r = rng.choices(["2024", "2025", "../2024", "2024-01/2024-06", None], k=2)
        status = rng.choice(["actual", "target", "forecast"])
        agree = p is None or r is None or key_period(p, status) == key_period(r, status)
        same.append(agree and same_figure(v, b1, w, b2))
        for k, x in zip(rows, (v, w, step(v), step(w), p, r, status), strict=True):
            rows[k].append(x)
    con = duckdb.connect()
    con.register("t", pa.table({**rows, "same": same}))
    missed = con.execute(f"SELECT count(*) FROM t WHERE same AND NOT {_SAME_FIGURE_SQL}")
    assert missed.fetchall()[0][0] == 0
    assert sum(same) > 5_000  # the test means something
