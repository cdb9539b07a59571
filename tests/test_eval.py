"""Scoring rules (SPEC "Scoring") on hand-made gold and predictions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tradefacts.document import Document, ReadError
from tradefacts.eval import (
    GoldDoc,
    bound_equal,
    evaluate,
    format_report,
    growth_equal,
    load_gold,
    match_facts,
    score,
)
from tradefacts.model import Evidence, Fact, Growth


def fact(value: float = 1e9, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "indicator": "turnover",
        "parties": ["KAZ", "UZB"],
        "period": "2024",
        "value": value,
        "unit": "USD",
        "bound": "eq",
        "status": "actual",
    }
    d.update(kw)
    return d


# --------------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("pred", "matches"),
    [
        (1e9, True),
        (1.005e9, True),  # +0.5 %
        (0.995e9, True),  # -0.5 %
        (1.0051e9, False),
        (0.9949e9, False),
    ],
)
def test_value_tolerance(pred: float, matches: bool) -> None:
    m = match_facts([fact(1e9)], [fact(pred)])
    assert (m.tp, m.fn, m.fp) == ((1, 0, 0) if matches else (0, 1, 1))


@pytest.mark.parametrize(
    "change",
    [
        {"indicator": "export"},
        {"parties": ["KAZ", "KGZ"]},
        {"status": "target"},
        {"unit": "KZT"},
        {"period": "2023"},
        {"period": None},
    ],
)
def test_other_fields_must_be_equal(change: dict[str, Any]) -> None:
    m = match_facts([fact()], [fact(**change)])
    assert (m.tp, m.fn, m.fp) == (0, 1, 1)


def test_bound_and_growth_do_not_decide_a_match() -> None:
    m = match_facts([fact(bound="approx")], [fact(bound="gt", growth_pct={"value": 5})])
    assert m.tp == 1


def test_direction_matters_for_export_but_not_for_turnover() -> None:
    exp = fact(indicator="export", parties=["KAZ", "CHN"])
    assert match_facts([exp], [fact(indicator="export", parties=["CHN", "KAZ"])]).tp == 0
    assert match_facts([fact(parties=["KAZ", "UZB"])], [fact(parties=["UZB", "KAZ"])]).tp == 1


def test_each_gold_matches_one_prediction() -> None:
    m = match_facts([fact()], [fact(), fact(1.001e9)])
    assert (m.tp, m.fp, m.fn) == (1, 1, 0)


def test_each_prediction_matches_one_gold() -> None:
    m = match_facts([fact(), fact(1.001e9)], [fact()])
    assert (m.tp, m.fp, m.fn) == (1, 0, 1)


def test_maximum_matching_with_overlapping_tolerances() -> None:
    # greedy by gold order would give the 1.004e9 prediction to the 1.000e9 gold and
    # leave the 1.008e9 gold without any; the matching finds both pairs
    gold = [fact(1.008e9), fact(1.0e9)]
    pred = [fact(1.004e9), fact(0.999e9)]
    m = match_facts(gold, pred)
    assert (m.tp, m.fp, m.fn) == (2, 0, 0)


def test_optional_missing_is_not_an_error() -> None:
    m = match_facts([fact(), fact(2e9, optional=True)], [fact()])
    assert (m.tp, m.fp, m.fn) == (1, 0, 0)


def test_prediction_matching_optional_counts_neither_way() -> None:
    m = match_facts([fact(2e9, optional=True)], [fact(2e9)])
    assert (m.tp, m.fp, m.fn) == (0, 0, 0)
    assert len(m.optional_matched) == 1


def test_required_is_matched_before_optional() -> None:
    # the optional copy comes first in the gold, the one prediction must go to the required
    gold = [fact(optional=True), fact()]
    m = match_facts(gold, [fact()])
    assert (m.tp, m.fp, m.fn) == (1, 0, 0)
    assert m.optional_matched == []
    m2 = match_facts(gold, [fact(), fact()])
    assert (m2.tp, m2.fp, m2.fn) == (1, 0, 0)
    assert len(m2.optional_matched) == 1


def test_same_value_prefers_the_prediction_with_the_right_bound() -> None:
    m = match_facts([fact(bound="approx")], [fact(bound="eq"), fact(bound="approx")])
    assert bound_equal(m.matched[0][1], m.matched[0][0])


# --------------------------------------------------------------------------- bound, growth


def test_bound_equal() -> None:
    assert bound_equal(fact(bound="gt"), fact(bound="gt"))
    assert not bound_equal(fact(bound="gt"), fact(bound="approx"))
    r = {"bound": "range", "value_max": 2e9}
    assert bound_equal(fact(**r), fact(**r))
    assert not bound_equal(fact(bound="range", value_max=3e9), fact(**r))


@pytest.mark.parametrize(
    ("pred", "gold", "equal"),
    [
        (None, None, True),
        ({"value": 20.5, "bound": "eq"}, None, False),
        (None, {"value": 20.5, "bound": "eq"}, False),
        ({"value": 20.5, "bound": "eq"}, {"value": 20.5, "bound": "eq"}, True),
        ({"value": 20.55, "bound": "eq"}, {"value": 20.5, "bound": "eq"}, True),  # 0.24 %
        ({"value": 21, "bound": "eq"}, {"value": 20.5, "bound": "eq"}, False),
        ({"value": 20.5, "bound": "gt"}, {"value": 20.5, "bound": "eq"}, False),
        ({"value": -3, "bound": "eq"}, {"value": 3, "bound": "eq"}, False),
        (
            {"value": 18, "value_max": 19, "bound": "range"},
            {"value": 18, "value_max": 19, "bound": "range"},
            True,
        ),
        (
            {"value": 18, "value_max": 20, "bound": "range"},
            {"value": 18, "value_max": 19, "bound": "range"},
            False,
        ),
    ],
)
def test_growth_equal(pred: Any, gold: Any, equal: bool) -> None:
    p = fact(**({"growth_pct": pred} if pred else {}))
    g = fact(**({"growth_pct": gold} if gold else {}))
    assert growth_equal(p, g) is equal


# --------------------------------------------------------------------------- aggregation


def test_micro_average_per_language_and_overall() -> None:
    gold = {
        "a": GoldDoc("a", [fact(1e9), fact(2e9), fact(3e9, optional=True)]),
        "b": GoldDoc("b", [fact(5e9, bound="approx", growth_pct={"value": 10, "bound": "eq"})]),
        "c": GoldDoc("c", [fact(7e9)]),
        "lost": GoldDoc("lost", [fact()]),
    }
    preds = {
        "a": [fact(1e9), fact(3e9), fact(9e9)],  # tp, optional, fp; 2e9 missed
        "b": [fact(5e9, bound="approx", growth_pct={"value": 10, "bound": "eq"})],  # tp
        "c": [fact(7e9, bound="gt")],  # tp, wrong bound, right growth (both absent)
        "nogold": [fact()],
    }
    result = score(gold, preds, langs={"a": "kk", "b": "ru", "c": "kk", "nogold": "en"})
    o = result.overall
    assert (o.docs, o.tp, o.fp, o.fn, o.optional_matched) == (3, 3, 1, 1, 1)
    assert o.precision == pytest.approx(3 / 4)
    assert o.recall == pytest.approx(3 / 4)
    assert o.f1 == pytest.approx(3 / 4)
    assert o.bound_accuracy == pytest.approx(2 / 3)
    assert o.growth_accuracy == pytest.approx(3 / 3)
    kk, ru = result.by_lang["kk"], result.by_lang["ru"]
    assert (kk.tp, kk.fp, kk.fn) == (2, 1, 1)
    assert kk.precision == pytest.approx(2 / 3) and kk.recall == pytest.approx(2 / 3)
    assert kk.bound_accuracy == pytest.approx(1 / 2)
    assert (ru.tp, ru.fp, ru.fn, ru.precision, ru.recall) == (1, 0, 0, 1.0, 1.0)
    assert "en" not in result.by_lang  # articles without gold are not scored
    assert any("'lost'" in w and "no article" in w for w in result.warnings)
    assert any("'nogold'" in w and "no gold" in w for w in result.warnings)


def test_undefined_ratios_are_none() -> None:
    result = score({"a": GoldDoc("a", [])}, {"a": []}, {"a": "pl"})
    c = result.overall
    assert (c.precision, c.recall, c.f1, c.bound_accuracy) == (None, None, None, None)
    assert "pl" in format_report(result)


def test_report_lists_misses_and_extras_with_quotes() -> None:
    gold = {"d1": GoldDoc("d1", [fact(quote="trade reached 1 bn")])}
    pred = fact(4e9, evidence={"sentence": "exports were 4 bn", "start": 0, "end": 17})
    text = format_report(score(gold, {"d1": [pred]}, {"d1": "en"}), show_misses=True)
    assert "MISS" in text and "trade reached 1 bn" in text
    assert "EXTRA" in text and "exports were 4 bn" in text
    assert "MISS" not in format_report(score(gold, {"d1": [pred]}, {"d1": "en"}))


# --------------------------------------------------------------------------- gold file, evaluate


def test_load_gold_reports_bad_lines(tmp_path: Path) -> None:
    p = tmp_path / "gold.jsonl"
    lines = [
        json.dumps({"doc": "a.txt", "facts": [fact()], "notes": ""}),
        "{oops",
        json.dumps({"doc": "b", "facts": [{"indicator": "export"}]}),
        json.dumps({"doc": "a.txt", "facts": []}),
        json.dumps({"doc": "c", "facts": []}),
    ]
    p.write_text("\n".join(lines), encoding="utf-8")
    gold, errors = load_gold(p)
    assert list(gold) == ["a.txt", "c"]
    assert [e.line for e in errors] == [2, 3, 4]
    assert "lacks" in errors[1].reason


def _fake_fact(value: float) -> Fact:
    return Fact(
        indicator="turnover",
        parties=("KAZ", "UZB"),
        period="2024",
        value=value,
        unit="USD",
        bound="eq",
        status="actual",
        evidence=Evidence("s", 0, 1),
        growth=Growth(12.0),
    )


def test_evaluate_runs_extractor_uses_labels_and_survives_errors() -> None:
    gold = {
        "r1": GoldDoc("r1", [fact(growth_pct={"value": 12, "bound": "eq"})]),
        "r2": GoldDoc("r2", [fact(2e9)]),
        "t.txt": GoldDoc("t.txt", [fact(3e9)]),
    }
    docs = [
        Document(id="r1", text="kk text", label_lang="kk"),
        Document(id="r2", text="boom", label_lang="ru"),
        ReadError("x.bin", "binary file, not text"),
        Document(
            id="t.txt", text="The two countries traded goods worth 3 billion dollars in 2024."
        ),
    ]

    def extractor(text: str, published: Any) -> list[Fact]:
        if text == "boom":
            raise RuntimeError("engine failed\nwith details")
        return [_fake_fact(1e9 if text == "kk text" else 3e9)]

    lines: list[str] = []
    result = evaluate(gold, docs, extractor=extractor, on_error=lines.append)
    assert lines == [
        "error: r2: RuntimeError: engine failed",
        "error: x.bin: binary file, not text",
    ]
    assert (result.overall.tp, result.overall.fn) == (2, 1)
    assert result.overall.growth_accuracy == 1 / 2  # r1 growth right, t.txt growth extra
    assert set(result.by_lang) == {"kk", "ru", "en"}  # label, label, detected
    assert result.by_lang["ru"].fn == 1
    assert any(r.error for r in result.docs if r.doc == "r2")
    json.dumps(result.to_dict())  # serialisable
