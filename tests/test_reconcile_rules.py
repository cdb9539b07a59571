"""Reconciliation rules without a database: precision, intervals, compatibility, same
figure, claims and contradictions, story links, timeline periods, target arithmetic."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

import pytest

from tradefacts.reconcile.claims import (
    FactRow,
    Interval,
    build_claims,
    compatible,
    interval,
    same_figure,
    significant_digits,
    step,
)
from tradefacts.reconcile.stories import ArticleInfo, Link, group, link, shared_figures
from tradefacts.reconcile.targets import assess, cagr, deadline_year
from tradefacts.reconcile.timeline import classify

BN = 1e9
MLN = 1e6


@pytest.mark.parametrize(
    ("value", "unit_step", "digits"),
    [
        (22 * BN, 1 * BN, 2),
        (20 * BN, 1 * BN, 1),
        (1.44 * BN, 0.01 * BN, 3),
        (910.8 * MLN, 0.1 * MLN, 4),
        (3160 * MLN, 0.01 * BN, 3),
        (169_500, 100, 4),
        (8_000, 1_000, 1),
        (8199999999.999999, 0.1 * BN, 2),  # float noise is not precision
        (12.5, 0.1, 3),
    ],
)
def test_step_and_significant_digits(value: float, unit_step: float, digits: int) -> None:
    assert math.isclose(step(value), unit_step)
    assert significant_digits(value) == digits


def test_intervals_follow_the_written_precision_and_the_bound() -> None:
    eq = interval(22 * BN, "eq")
    assert (eq.lo, eq.hi, eq.lo_closed, eq.hi_closed) == (21.5 * BN, 22.5 * BN, True, False)
    approx = interval(22 * BN, "approx")
    assert math.isclose(approx.lo, 20.9 * BN) and math.isclose(approx.hi, 23.1 * BN)
    gt = interval(3 * BN, "gt")
    assert (gt.lo, gt.hi, gt.lo_closed) == (3 * BN, 4 * BN, False)  # step beats 20 %
    gt2 = interval(21.9 * BN, "gt")
    assert math.isclose(gt2.hi, 21.9 * BN * 1.2)
    lt = interval(10 * BN, "lt")
    assert (lt.lo, lt.hi, lt.hi_closed) == (8 * BN, 10 * BN, False)
    rng = interval(18, "range", 19)
    assert (rng.lo, rng.hi) == (17.5, 19.5)


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        ((22 * BN, "eq", None), (21.9 * BN, "gt", None), True),  # the example
        ((22 * BN, "eq", None), (23 * BN, "eq", None), False),  # the example
        ((22 * BN, "eq", None), (22.4 * BN, "eq", None), True),
        ((22 * BN, "eq", None), (22.5 * BN, "eq", None), True),  # [22.45, 22.5) is common
        ((22 * BN, "eq", None), (22.6 * BN, "eq", None), False),
        ((22 * BN, "eq", None), (22.5 * BN, "gt", None), False),  # (22.5, ..) misses [.., 22.5)
        ((22 * BN, "approx", None), (23 * BN, "eq", None), True),
        ((3.1 * BN, "gt", None), (3.16 * BN, "gt", None), True),
        ((28 * BN, "gt", None), (30 * BN, "eq", None), True),
        ((3 * BN, "gt", None), (5 * BN, "eq", None), False),
        ((10 * BN, "lt", None), (9.5 * BN, "eq", None), True),
        ((18.0, "range", 19.0), (18.7, "eq", None), True),
        ((18.0, "range", 19.0), (20.0, "eq", None), False),
    ],
)
def test_compatible(a: tuple, b: tuple, ok: bool) -> None:
    assert compatible(a, b) is ok
    assert compatible(b, a) is ok


@pytest.mark.parametrize(
    ("v1", "b1", "v2", "b2", "ok"),
    [
        (3.1 * BN, "gt", 3.16 * BN, "gt", True),  # truncated "more than"
        (22 * BN, "eq", 21.9 * BN, "gt", True),  # rounded
        (11 * BN, "approx", 11 * BN, "eq", True),
        (1.44 * BN, "eq", 1440 * MLN, "eq", True),
        (28 * BN, "gt", 27 * BN, "gt", False),  # compatible, but two figures
        (22 * BN, "eq", 22.9 * BN, "eq", False),  # 22.9 rounds to 23
        (22 * BN, "gt", 22.9 * BN, "eq", True),  # "more than 22" may truncate 22.9
        (20 * BN, "eq", 25 * BN, "eq", False),
    ],
)
def test_same_figure(v1: float, b1: str, v2: float, b2: str, ok: bool) -> None:
    assert same_figure(v1, b1, v2, b2) is ok
    assert same_figure(v2, b2, v1, b1) is ok


def fact(
    fid: str,
    article: str,
    value: float,
    bound: str = "eq",
    period: str | None = "2024",
    *,
    indicator: str = "turnover",
    parties: tuple[str, str] = ("KAZ", "UZB"),
    status: str = "actual",
    published: str | None = "2025-01-10",
    lang: str = "ru",
    growth: float | None = None,
    product: str | None = None,
) -> FactRow:
    return FactRow(
        fact_id=fid,
        article_id=article,
        version=1,
        indicator=indicator,
        party_a=parties[0],
        party_b=parties[1],
        period=period,
        value=value,
        value_max=None,
        unit="USD",
        bound=bound,
        status=status,
        growth_value=growth,
        product=product,
        evidence_sentence=f"sentence of {fid}",
        published=dt.date.fromisoformat(published) if published else None,
        lang=lang,
        period_end=dt.date(int(period[-4:]), 12, 31) if period and period[-4:].isdigit() else None,
    )


def test_claims_merge_compatible_values_and_pick_the_most_precise() -> None:
    facts = [
        fact("f1", "a1", 22 * BN, lang="kk", published="2025-01-12"),
        fact("f2", "a2", 21.9 * BN, "gt", lang="ru", published="2025-01-10"),
        fact("f3", "a3", 22 * BN, "approx", lang="en", published="2025-01-11"),
        fact("f4", "a4", 22.04 * BN, lang="uz-Latn", published="2025-01-13"),
    ]
    claims, contradictions = build_claims(facts)
    assert len(claims) == 1 and not contradictions
    c = claims[0]
    assert c.best is not None and c.best.fact_id == "f4"  # 22.04 is the most precise
    row = c.to_row()
    assert row["n_sources"] == 4
    assert row["languages"] == ["en", "kk", "ru", "uz-Latn"]
    assert row["first_seen"] == dt.date(2025, 1, 10)
    assert row["first_article"] == "a2"
    assert row["lo"] >= 21.9 * BN and row["hi"] <= 22.5 * BN


def test_best_value_ties_go_to_the_most_sources() -> None:
    facts = [
        fact("f1", "a1", 22.5 * BN, "approx"),
        fact("f2", "a2", 22 * BN, "approx"),
        fact("f3", "a3", 22 * BN, "approx"),
    ]
    (claim,), _ = build_claims(facts)  # "about" is 5 %: equally precise
    assert claim.best is not None and claim.best.value == 22 * BN


def test_incompatible_values_are_a_contradiction_with_both_evidences() -> None:
    facts = [
        fact("f1", "a1", 22 * BN, published="2025-01-10"),
        fact("f2", "a2", 22 * BN, published="2025-01-11"),
        fact("f3", "a3", 23 * BN, published="2025-01-12"),
    ]
    claims, contradictions = build_claims(facts)
    assert len(claims) == 2
    (x,) = contradictions
    assert x.a.best is not None and x.a.best.value == 22 * BN  # the leading claim: 2 sources
    row = x.to_row()
    assert (row["value_a"], row["sources_a"]) == (22 * BN, 2)
    assert (row["value_b"], row["sources_b"], row["article_b"]) == (23 * BN, 1, "a3")
    assert row["evidence_a"] == "sentence of f1" and row["evidence_b"] == "sentence of f3"
    assert all(c.disputed for c in claims)


def test_no_contradiction_without_period_within_one_article_or_for_a_product() -> None:
    # no period: the figures may be about different periods
    _, x1 = build_claims(
        [fact("f1", "a1", 22 * BN, period=None), fact("f2", "a2", 30 * BN, period=None)]
    )
    # one article gives two values for one key: a breakdown, it contradicts nobody
    _, x2 = build_claims(
        [fact("f1", "a1", 22 * BN), fact("f2", "a1", 3 * BN), fact("f3", "a2", 3 * BN)]
    )
    # a product-scoped figure is not the figure for all goods
    _, x3 = build_claims([fact("f1", "a1", 22 * BN), fact("f2", "a2", 2 * BN, product="grain")])
    assert x1 == x2 == x3 == []


def test_a_fact_without_a_period_takes_its_storys_period() -> None:
    facts = [
        fact("f1", "dated", 51.4 * BN, period="2025-01/2025-08"),
        fact("f2", "undated", 51.4 * BN, period=None, published=None),
        fact("f3", "other", 51.4 * BN, period=None, published=None),  # not in the story
    ]
    claims, _ = build_claims(facts, {"dated": "s1", "undated": "s1"})
    by_period = {c.period: c for c in claims}
    assert sorted(by_period, key=str) == ["2025-01/2025-08", None]
    assert by_period["2025-01/2025-08"].articles == {"dated", "undated"}
    inferred = {s.fact.fact_id: s.period_inferred for s in by_period["2025-01/2025-08"].sources}
    assert inferred == {"f1": False, "f2": True}


def test_claims_found_by_bisection_equal_a_scan_of_every_claim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The claims a figure may join are found by bisection among their common intervals
    (pairwise disjoint); a scan of every claim, as for values that are not finite, makes
    the same claims and contradictions."""
    rng = random.Random(11)
    facts = []
    for i in range(3000):
        value = round(rng.uniform(1, 30), rng.choice([0, 1, 2])) * rng.choice([MLN, BN])
        bound = rng.choice(["eq", "eq", "approx", "gt", "lt", "range"])
        f = fact(
            f"f{i}",
            f"a{rng.randrange(400)}",
            value,
            bound,
            period=rng.choice(["2024", "2025", None]),
            published=rng.choice(["2025-01-10", "2025-02-01", None]),
        )
        if bound == "range":
            f = dataclasses.replace(f, value_max=value * rng.choice([0.9, 1.1, 1.5]))
        facts.append(f)
    story_of = {f"a{i}": f"s{i % 50}" for i in range(0, 400, 3)}

    def made() -> tuple[list[object], list[object]]:
        claims, contradictions = build_claims(facts, story_of)
        return (
            [
                (c.to_row(), [(s.fact.fact_id, s.period_inferred) for s in c.sources])
                for c in claims
            ],
            [x.to_row() for x in contradictions],
        )

    by_bisection = made()
    assert len(by_bisection[0]) > 1000 and len(by_bisection[1]) > 100  # many claims a key
    monkeypatch.setattr(Interval, "finite", property(lambda self: False))
    assert made() == by_bisection


def test_a_value_that_is_not_finite_makes_a_claim_of_its_own() -> None:
    claims, _ = build_claims(
        [fact("a1", "a", 5 * BN), fact("b1", "b", math.inf), fact("c1", "c", 5 * BN, "approx")]
    )
    assert sorted(len(c.sources) for c in claims) == [1, 2]


def test_a_target_in_a_year_is_a_target_by_that_year() -> None:
    claims, _ = build_claims(
        [
            fact("f1", "a1", 10 * BN, period="2030", status="target"),
            fact("f2", "a2", 10 * BN, period="../2030", status="target"),
        ]
    )
    assert [c.period for c in claims] == ["../2030"]


# --------------------------------------------------------------------------- stories


def article(aid: str, published: str | None, lang: str, *facts: FactRow) -> ArticleInfo:
    return ArticleInfo(
        aid, 1, dt.date.fromisoformat(published) if published else None, lang, list(facts)
    )


def test_story_links_weigh_shared_figures() -> None:
    kk = article(
        "kk",
        "2025-08-26",
        "kk",
        fact("k1", "kk", 22 * BN, growth=20.5),
        fact("k2", "kk", 43.8 * BN, parties=("CHN", "KAZ")),
    )
    ru = article(
        "ru",
        "2025-08-27",
        "ru",
        fact("r1", "ru", 22 * BN, growth=20.5),
        fact("r2", "ru", 43.8 * BN, parties=("CHN", "KAZ")),
    )
    score, shared, overlap = shared_figures(kk, ru)
    assert (score, shared, overlap) == (1.0 + 0.5 + 1.5, 2, 1.0)
    ln = link(kk, ru)
    assert ln is not None and ln.kind == "facts" and ln.days == 1
    # the same figures a week apart are another event
    later = article("later", "2025-09-05", "ru", *ru.facts)
    assert link(kk, later) is None


def test_a_round_target_alone_links_nothing() -> None:
    a = article("a", "2025-01-01", "ru", fact("a1", "a", 5 * BN, period=None, status="target"))
    b = article("b", None, "en", fact("b1", "b", 5 * BN, period=None, status="target"))
    assert shared_figures(a, b)[0] == 0.125
    assert link(a, b) is None


def test_one_shared_figure_among_many_is_not_enough() -> None:
    many = [fact(f"m{i}", "many", (10 + i) * BN, parties=("UZB", f"X{i}")) for i in range(5)]
    a = article("many", None, "kk", *many, fact("m9", "many", 910.8 * MLN, parties=("UZB", "KAZ")))
    b = article(
        "few",
        None,
        "uz-Latn",
        fact("f1", "few", 910.8 * MLN, parties=("UZB", "KAZ")),
        fact("f2", "few", 23 * BN, parties=("UZB", "WLD")),
        fact("f3", "few", 2.9 * BN, parties=("UZB", "RUS")),
    )
    score, shared, overlap = shared_figures(a, b)
    assert (score, shared) == (1.5, 1) and overlap < 0.5
    assert link(a, b) is None


def test_an_undated_article_about_later_months_is_not_linked_to_an_older_one() -> None:
    old = article("old", "2025-03-01", "ru", fact("o1", "old", 3.4 * BN, period="2025"))
    undated = article(
        "new", None, "kk", fact("n1", "new", 3.4 * BN, period="2025-01/2025-08", published=None)
    )
    undated.facts[0].period_end = dt.date(2025, 8, 31)
    old.facts[0].period = None
    assert link(old, undated) is None


def test_near_duplicates_by_text_need_shared_parties() -> None:
    a = article("a", "2025-01-01", "ru", fact("a1", "a", 1 * BN))
    b = article("b", "2025-01-02", "ru", fact("b1", "b", 7 * BN, parties=("CHN", "RUS")))
    c = article("c", "2025-01-02", "ru", fact("c1", "c", 1.2 * BN, period="2023"))
    empty = article("d", "2025-01-02", "ru")
    assert link(a, b, 0.9) is None  # other parties: boilerplate, not one story
    assert link(a, c, 0.9) is not None and link(a, c, 0.9).kind == "text"  # type: ignore[union-attr]
    assert link(a, empty, 0.9) is not None
    assert link(a, empty, 0.3) is None
    other_lang = article("e", "2025-01-02", "kk")
    assert link(a, other_lang, 0.9) is None


def test_grouping_keeps_a_story_within_a_week() -> None:
    published = {
        "a": dt.date(2025, 1, 1),
        "b": dt.date(2025, 1, 3),
        "c": dt.date(2025, 1, 6),
        "d": dt.date(2025, 1, 9),
        "u": None,
    }
    links = [
        Link("a", "b", "facts", 3.0),
        Link("b", "c", "facts", 2.0),
        Link("c", "d", "facts", 1.5),  # would stretch a..d over 8 days
        Link("a", "u", "facts", 1.2),
    ]
    (story,) = group(links, published)
    assert story.members == ["a", "b", "c", "u"]


# --------------------------------------------------------------------------- timeline, targets


@pytest.mark.parametrize(
    ("period", "kind", "year", "label"),
    [
        ("2024", "year", 2024, "2024"),
        ("2024-01/2024-12", "year", 2024, "2024"),
        ("2025-01/2025-09", "partial", 2025, "Jan-Sep"),
        ("2025-01/2025-06", "partial", 2025, "Jan-Jun"),
        ("2023-01", "partial", 2023, "Jan"),
        ("../2025", "other", None, "../2025"),
        ("2005/2025", "other", None, "2005/2025"),
        ("2024-11/2025-02", "other", None, "2024-11/2025-02"),
    ],
)
def test_classify_periods(period: str, kind: str, year: int | None, label: str) -> None:
    assert classify(period)[:3] == (kind, year, label)


def test_cagr_and_deadline() -> None:
    assert math.isclose(cagr(2.0, 2.662, 3), 10.0)  # type: ignore[arg-type]
    assert cagr(0, 1, 3) is None and cagr(1, 2, 0) is None
    assert deadline_year("../2030") == 2030
    assert deadline_year("2018/2019") == 2019
    assert deadline_year(None) is None


def _years(values: dict[int, float], stated_growth: float | None = None) -> dict[int, dict]:
    return {
        y: {"value": v, "sources": 1, "stated_growth": stated_growth} for y, v in values.items()
    }


@pytest.mark.parametrize(
    ("target", "deadline", "verdict"),
    [
        (3.0, 2025, "on track"),  # needs 6.2 %/yr, grows 10 %
        (10.0, 2035, "at risk"),  # needs 11.7 %/yr: 10 %/yr reaches 83.5 %
        (10.0, 2030, "off track"),  # needs 20.8 %/yr: 10 %/yr reaches 51.9 %
        (2.5, 2026, "met"),
        (5.0, 2022, "expired"),
    ],
)
def test_verdicts(target: float, deadline: int, verdict: str) -> None:
    years = _years({2020: 2.0, 2021: 2.2, 2022: 2.42, 2023: 2.662})
    out = assess(target, deadline, years, dt.date(2025, 6, 30))
    assert out["verdict"] == verdict
    if verdict != "expired":
        assert out["actual_year"] == 2023


def test_deadline_in_the_latest_actuals_year_is_off_track() -> None:
    years = _years({2024: 2.0, 2025: 2.2})
    assert assess(5.0, 2025, years, dt.date(2025, 6, 30))["verdict"] == "off track"
    assert assess(5.0, 2025, years, dt.date(2026, 1, 1))["verdict"] == "expired"


def test_assessment_numbers() -> None:
    years = _years({2020: 2.0, 2021: 2.2, 2022: 2.42, 2023: 2.662})
    out = assess(10.0, 2030, years, dt.date(2025, 6, 30))
    assert math.isclose(out["needed_cagr_pct"], ((10 / 2.662) ** (1 / 7) - 1) * 100)
    assert math.isclose(out["recent_cagr_pct"], 10.0)
    assert out["recent_from"] == 2020
    assert math.isclose(out["progress_pct"], 26.62)
    # no history: the stated growth of the latest year stands in; without it, no verdict
    one = assess(10.0, 2030, _years({2023: 2.662}, stated_growth=25.0), dt.date(2025, 6, 30))
    assert (one["recent_cagr_pct"], one["recent_from"], one["verdict"]) == (
        25.0,
        "stated",
        "on track",
    )
    none = assess(10.0, 2030, _years({2023: 2.662}), dt.date(2025, 6, 30))
    assert (none["verdict"], none["note"]) == (None, "no growth history")
    assert assess(10.0, None, years, dt.date(2025, 6, 30))["note"] == "no deadline"
    assert assess(2.0, None, years, dt.date(2025, 6, 30))["verdict"] == "met"


def test_old_actuals_and_floors_are_not_used() -> None:
    # a 2025 target is not judged against a 2006 figure
    old = {2006: {"value": 13.0, "sources": 1, "bound": "eq", "stated_growth": None}}
    out = assess(30.0, 2030, old, dt.date(2026, 1, 1), stated=dt.date(2025, 9, 9))
    assert (out["actual"], out["verdict"], out["note"]) == (
        None,
        None,
        "no recent full-year actual",
    )
    # "more than 4 bn" in 2024 is a floor: no growth from it; the stated 11.4 % stands in
    years = {
        2024: {"value": 4.0, "sources": 1, "bound": "gt", "stated_growth": None},
        2025: {"value": 4.97, "sources": 1, "bound": "eq", "stated_growth": 11.4},
    }
    out = assess(10.0, 2030, years, dt.date(2026, 3, 1), stated=dt.date(2025, 11, 15))
    assert (out["recent_cagr_pct"], out["recent_from"]) == (11.4, "stated")
    assert math.isclose(out["needed_cagr_pct"], ((10 / 4.97) ** (1 / 5) - 1) * 100)
    assert out["verdict"] == "at risk"  # 4.97 * 1.114**5 = 8.53: 85 % of the target


def _claim(cid: str, period: str, value: float, bound: str = "eq", n: int = 1) -> dict:
    iv = interval(value, bound)
    return {
        "claim_id": cid,
        "indicator": "turnover",
        "party_a": "KAZ",
        "party_b": "UZB",
        "unit": "USD",
        "period": period,
        "value": value,
        "value_max": None,
        "bound": bound,
        "lo": iv.lo,
        "hi": iv.hi,
        "n_sources": n,
        "languages": ["ru"],
        "first_seen": dt.date(2026, 1, 1),
        "growth_value": None,
    }


def test_timeline_series() -> None:
    from tradefacts.reconcile.timeline import build

    (series,) = build(
        [
            _claim("a", "2022", 2.0 * BN),
            _claim("b", "2023", 2.2 * BN),
            _claim("c", "2024", 2.4 * BN, "gt"),
            _claim("d", "2025", 3.0 * BN, n=2),
            _claim("e", "2025", 3.5 * BN),  # disagrees, fewer sources
            _claim("f", "2025-01/2025-09", 2.1 * BN),
            _claim("g", "../2025", 30 * BN),
        ]
    )
    years = {r["year"]: r for r in series["years"]}
    assert math.isclose(years[2023]["growth_pct"], 10.0)
    assert years[2024]["growth_pct"] is None and years[2025]["growth_pct"] is None  # a floor
    assert (years[2025]["value"], years[2025]["sources"], years[2025]["disputed"]) == (
        3 * BN,
        2,
        True,
    )
    assert [a["value"] for a in years[2025]["alternatives"]] == [3.5 * BN]
    assert [p["label"] for p in series["partial"]] == ["Jan-Sep"]
    assert [o["period"] for o in series["other"]] == ["../2025"]
