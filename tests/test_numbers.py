"""Number parsing: any number formatted the way news writes it parses back to itself."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradefacts.extract import extract
from tradefacts.extract.numbers import format_number, parse_number

# whole amounts and amounts with one or two decimals, as statistics agencies print them
amounts = st.one_of(
    st.integers(min_value=1000, max_value=10**12).map(float),
    st.integers(min_value=100_000, max_value=10**11).map(lambda n: n / 100),
)


@given(amounts, st.sampled_from(["space", "nbsp", "dot"]))
def test_grouped_numbers_round_trip(x: float, style: str) -> None:
    assert parse_number(format_number(x, style), decimal_comma=True) == pytest.approx(x)


@given(amounts)
def test_comma_grouped_english_numbers_round_trip(x: float) -> None:
    text = format_number(x, "comma")
    if text.count(",") >= 1:
        assert parse_number(text, decimal_comma=False) == pytest.approx(x)


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=9))
def test_decimal_comma_and_point_agree(whole: int, tenth: int) -> None:
    comma = parse_number(f"{whole},{tenth}", decimal_comma=True, scaled=True)
    point = parse_number(f"{whole}.{tenth}", decimal_comma=False, scaled=True)
    assert comma == point == pytest.approx(whole + tenth / 10)


@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=9),
    st.sampled_from([("млрд", 1e9), ("млн", 1e6), ("миллиард", 1e9), ("миллион", 1e6)]),
)
def test_scaled_amount_in_a_sentence(whole: int, tenth: int, scale: tuple[str, float]) -> None:
    word, mult = scale
    text = f"В 2024 году товарооборот Казахстана и Узбекистана составил {whole},{tenth} {word} долларов."
    facts = extract(text)
    assert len(facts) == 1
    assert facts[0].value == pytest.approx((whole + tenth / 10) * mult)
    assert facts[0].unit == "USD"


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "scaled", "value"),
    [
        ("20 445 231", True, False, 20445231),
        ("20\u00a0445\u00a0231", True, False, 20445231),
        ("1.844.036.360,12", True, False, 1844036360.12),
        ("1,844,036", False, False, 1844036),
        ("76,500", False, False, 76500),
        ("310,000", True, False, 310000),
        ("1,788", True, True, 1.788),
        ("3 809,7", True, True, 3809.7),
        ("31.2", False, True, 31.2),
        ("0,5", True, False, 0.5),
    ],
)
def test_news_number_formats(raw: str, decimal_comma: bool, scaled: bool, value: float) -> None:
    assert parse_number(raw, decimal_comma, scaled) == pytest.approx(value)


def test_not_a_number() -> None:
    assert parse_number("млрд") is None
    assert parse_number("") is None
