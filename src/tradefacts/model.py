"""The data types every stage shares: a Document in, Facts out (see SPEC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INDICATORS = ("turnover", "export", "import", "investment", "freight")
BOUNDS = ("eq", "approx", "gt", "lt", "range")
STATUSES = ("actual", "target", "forecast")
#: indicators whose parties are an unordered pair (written sorted)
UNORDERED = ("turnover", "freight")


@dataclass(frozen=True, slots=True)
class Growth:
    """Growth of a figure vs. the previous comparable period, in percent."""

    value: float
    bound: str = "eq"
    value_max: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"value": _num(self.value), "bound": self.bound}
        if self.value_max is not None:
            d["value_max"] = _num(self.value_max)
        return d


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence a fact stands in; ``text[start:end] == sentence``."""

    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Fact:
    """One figure about an economic relation between two parties (SPEC: "A fact")."""

    indicator: str
    parties: tuple[str, str]
    period: str | None
    value: float
    unit: str
    bound: str
    status: str
    evidence: Evidence
    value_max: float | None = None
    growth: Growth | None = None
    product: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def key(self) -> tuple[Any, ...]:
        """What makes two facts of one document the same fact."""
        return (self.indicator, self.parties, self.period, self.status, self.unit, self.value)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "indicator": self.indicator,
            "parties": list(self.parties),
            "period": self.period,
            "value": _num(self.value),
            "unit": self.unit,
            "bound": self.bound,
            "status": self.status,
        }
        if self.value_max is not None:
            d["value_max"] = _num(self.value_max)
        if self.growth is not None:
            d["growth_pct"] = self.growth.to_dict()
        if self.product:
            d["product"] = self.product
        d["evidence"] = self.evidence.to_dict()
        return d


def _num(x: float) -> float | int:
    """Write whole numbers as ints, others rounded to drop float noise."""
    r = round(x, 6)
    return int(r) if r == int(r) else r


def normalize_parties(indicator: str, a: str, b: str) -> tuple[str, str]:
    """Sorted pair for turnover/freight, ordered [from, to] otherwise."""
    if indicator in UNORDERED:
        return (a, b) if a <= b else (b, a)
    return (a, b)
