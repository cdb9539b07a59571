"""Claims: the facts of different articles that state one figure, merged.

A fact's *key* is what it measures: indicator, parties, period, status and unit. Facts
with one key whose values are *compatible* form one claim; incompatible values for one key
from different articles are a *contradiction*. A product scope ("agro-industrial
products") is written in each article's own words and one language may give it where
another does not, so it is not part of the key: a claim is *scoped* when any of its
sources names a product, and a scoped claim never counts as a contradiction, nor as the
figure for all goods in a timeline. The rules (docs/reconcile.md):

- A number is as precise as it was written. Without the written form, the precision is
  read off the value: the mantissa at the largest thousand-power scale below it (thousand,
  million, billion, trillion) keeps its decimals, and one unit of its last decimal is the
  *step*: 22 bn -> step 1 bn, 1.44 bn -> 0.01 bn, 910.8 mln -> 0.1 mln, 169,500 t -> 100 t.
- ``eq v`` covers ``[v - step/2, v + step/2)`` (22 bn = [21.5, 22.5) bn).
- ``approx v`` covers ``[v - d, v + d]`` with ``d = max(5 % of v, step/2)``.
- ``gt v`` covers ``(v, v + c]`` and ``lt v`` covers ``[v - c, v)`` with the plausible
  distance ``c = max(20 % of v, step)``: "more than 3 bn" is (3, 4] bn, "more than 21.9 bn"
  is (21.9, 26.28] bn; nobody writes "more than 3 bn" for 5 bn.
- ``range v..w`` covers ``[v - step/2, w + step_w/2)``.
- Two values are compatible when their intervals meet.

This module knows nothing of the database: it works on ``FactRow`` objects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

#: relative half-width of "about v"
APPROX = 0.05
#: relative plausible distance of "more than v" / "less than v"
BEYOND = 0.20
#: decimals of a mantissa that count (beyond that, float noise)
_MAX_DECIMALS = 3


# --------------------------------------------------------------------------- numbers


def _scale(value: float) -> float:
    """The largest power of 1000 not above ``|value|`` (1 for values below 1000)."""
    v = abs(value)
    s = 1.0
    while v >= s * 1000 and s < 1e15:
        s *= 1000
    return s


def _mantissa(value: float) -> tuple[float, float, str]:
    """``(scale, mantissa, digits)``: 3.16e9 -> (1e9, 3.16, "3.16")."""
    s = _scale(value)
    m = round(abs(value) / s, _MAX_DECIMALS)
    text = f"{m:.{_MAX_DECIMALS}f}".rstrip("0").rstrip(".")
    return s, m, text


@lru_cache(maxsize=1 << 16)
def step(value: float) -> float:
    """One unit of the last digit the value was (most likely) written with, in base units."""
    s, _, text = _mantissa(value)
    decimals = len(text.partition(".")[2])
    return s * 10.0**-decimals


def significant_digits(value: float) -> int:
    """Digits that carry information: 20 bn -> 1, 22 bn -> 2, 1.44 bn -> 3, 910.8 mln -> 4."""
    _, _, text = _mantissa(value)
    digits = text.replace(".", "").lstrip("0")
    if "." not in text:
        digits = digits.rstrip("0")
    return max(1, len(digits))


@dataclass(frozen=True, slots=True)
class Interval:
    """A set of values ``lo .. hi``, each end open or closed."""

    lo: float
    hi: float
    lo_closed: bool = True
    hi_closed: bool = False

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    @property
    def finite(self) -> bool:
        """Both ends are finite numbers."""
        return math.isfinite(self.lo) and math.isfinite(self.hi)

    @property
    def width(self) -> float:
        return max(0.0, self.hi - self.lo)

    def meet(self, other: Interval) -> Interval:
        """The intersection (may be empty)."""
        return Interval(*self._meet_ends(other))

    def meets(self, other: Interval) -> bool:
        """Whether the intersection is not empty (``meet`` without building it)."""
        lo, hi, lo_closed, hi_closed = self._meet_ends(other)
        return lo < hi or (lo == hi and lo_closed and hi_closed)

    def _meet_ends(self, other: Interval) -> tuple[float, float, bool, bool]:
        """The intersection's ends: ``(lo, hi, lo_closed, hi_closed)``."""
        if self.lo > other.lo:
            lo, lo_closed = self.lo, self.lo_closed
        elif self.lo < other.lo:
            lo, lo_closed = other.lo, other.lo_closed
        else:
            lo, lo_closed = self.lo, self.lo_closed and other.lo_closed
        if self.hi < other.hi:
            hi, hi_closed = self.hi, self.hi_closed
        elif self.hi > other.hi:
            hi, hi_closed = other.hi, other.hi_closed
        else:
            hi, hi_closed = self.hi, self.hi_closed and other.hi_closed
        return lo, hi, lo_closed, hi_closed

    def __contains__(self, x: float) -> bool:
        return not Interval(x, x, True, True).meet(self).empty


@lru_cache(maxsize=1 << 16)
def interval(value: float, bound: str = "eq", value_max: float | None = None) -> Interval:
    """The values a stated figure allows (see the module docstring)."""
    v = float(value)
    u = step(v)
    if bound == "approx":
        d = max(APPROX * abs(v), u / 2)
        return Interval(v - d, v + d, True, True)
    if bound == "gt":
        return Interval(v, v + max(BEYOND * abs(v), u), False, True)
    if bound == "lt":
        return Interval(max(0.0, v - max(BEYOND * abs(v), u)), v, True, False)
    if bound == "range" and value_max is not None:
        w = float(value_max)
        return Interval(v - u / 2, w + step(w) / 2, True, False)
    return Interval(v - u / 2, v + u / 2, True, False)


def compatible(a: tuple[float, str, float | None], b: tuple[float, str, float | None]) -> bool:
    """Whether two stated figures ``(value, bound, value_max)`` can be the same number."""
    return interval(*a).meets(interval(*b))


def same_figure(v1: float, b1: str, v2: float, b2: str) -> bool:
    """Whether two stated figures are one figure written twice, perhaps rounded: the more
    precise one, rounded to the other's step, gives the other (truncated for "more than",
    raised for "less than"). Stricter than ``compatible``: "more than 28 bn" and "more
    than 27 bn" are compatible but not the same figure; "over 3.16 bn" and "more than
    3.1 bn" are."""
    if math.isclose(v1, v2, rel_tol=1e-9):
        return True
    u1, u2 = step(v1), step(v2)
    if u1 < u2 or (u1 == u2 and abs(v1) < abs(v2)):
        v1, b1, u1, v2, b2, u2 = v2, b2, u2, v1, b1, u1
    # v1 is the coarser figure, with step u1
    q = v2 / u1
    candidates = {math.floor(q + 0.5)}
    if b1 == "gt":
        candidates.add(math.floor(q + 1e-9))
    elif b1 == "lt":
        candidates.add(math.ceil(q - 1e-9))
    return any(math.isclose(c * u1, v1, rel_tol=1e-9) for c in candidates)


def growth_same(g1: float | None, g2: float | None) -> bool | None:
    """None when either growth is missing, else whether both state one rate, perhaps
    rounded (20.5 % and 20.5 %, 20.5 % and 21 %: yes; 20.5 % and 22 %: no)."""
    if g1 is None or g2 is None:
        return None
    return same_figure(g1, "eq", g2, "eq")


# --------------------------------------------------------------------------- facts


@dataclass(slots=True)
class FactRow:
    """A current fact with what reconciliation needs of its article."""

    fact_id: str
    article_id: str
    version: int
    indicator: str
    party_a: str
    party_b: str
    period: str | None
    value: float
    value_max: float | None
    unit: str
    bound: str
    status: str
    growth_value: float | None = None
    product: str | None = None
    evidence_sentence: str = ""
    published: dt.date | None = None
    lang: str | None = None
    url: str | None = None
    period_end: dt.date | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> FactRow:
        return cls(**{k: row.get(k) for k in _FACT_FIELDS})

    @property
    def base_key(self) -> tuple[str, str, str, str, str]:
        """What the fact measures, but for the period: (indicator, a, b, status, unit)."""
        return (self.indicator, self.party_a, self.party_b, self.status, self.unit)

    @property
    def stated(self) -> tuple[float, str, float | None]:
        return (self.value, self.bound, self.value_max)

    @property
    def interval(self) -> Interval:
        return interval(self.value, self.bound, self.value_max)


_FACT_FIELDS = tuple(FactRow.__dataclass_fields__)
#: the columns ``FactRow.from_row`` reads, as SQL over ``facts f JOIN articles a``
FACT_SQL_COLUMNS = ", ".join(
    f"a.{c}" if c in ("published", "lang", "url") else f"f.{c}" for c in _FACT_FIELDS
)

_YEAR = re.compile(r"^\d{4}$")


def key_period(period: str | None, status: str) -> str | None:
    """The period a claim is keyed by: a target "in 2030" is a target "by 2030" (``../2030``)."""
    if period and status == "target" and _YEAR.match(period):
        return f"../{period}"
    return period


# --------------------------------------------------------------------------- claims


@dataclass(slots=True)
class Source:
    """One fact behind a claim."""

    fact: FactRow
    period_inferred: bool = False


@dataclass(slots=True, eq=False)
class Claim:
    indicator: str
    party_a: str
    party_b: str
    period: str | None
    status: str
    unit: str
    sources: list[Source] = field(default_factory=list)
    common: Interval | None = None
    disputed: bool = False
    claim_id: str = ""
    best: FactRow | None = None
    #: the articles of the sources, kept by ``build_claims`` once the claim is made
    _articles: set[str] | None = field(default=None, init=False, repr=False)

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.indicator, self.party_a, self.party_b, self.period, self.status, self.unit)

    @property
    def product(self) -> str | None:
        """The product scope its sources name (the most common; None: all goods)."""
        named = [s.fact.product for s in self.sources if s.fact.product]
        if not named:
            return None
        counts = Counter(named)
        return min(counts, key=lambda p: (-counts[p], p))

    @property
    def articles(self) -> set[str]:
        if self._articles is not None:
            return self._articles
        return {s.fact.article_id for s in self.sources}

    @property
    def languages(self) -> list[str]:
        return sorted({s.fact.lang for s in self.sources if s.fact.lang})

    @property
    def first_seen(self) -> dt.date | None:
        dates = [s.fact.published for s in self.sources if s.fact.published]
        return min(dates) if dates else None

    @property
    def first_source(self) -> FactRow:
        """The earliest dated source (undated ones after, then by article id)."""
        return min(
            (s.fact for s in self.sources),
            key=lambda f: (f.published is None, f.published or dt.date.min, f.article_id),
        )

    @property
    def growth(self) -> float | None:
        """The growth rate its sources state most often (None if none does)."""
        rates = [s.fact.growth_value for s in self.sources if s.fact.growth_value is not None]
        if len(rates) < 2:
            return rates[0] if rates else None
        return Counter(rates).most_common(1)[0][0]

    def to_row(self) -> dict[str, Any]:
        best = self.best or self.sources[0].fact
        common = self.common or best.interval
        if len(self.sources) == 1:  # most claims: what its one fact says
            one = self.sources[0].fact
            product, growth, n_sources = one.product or None, one.growth_value, 1
            languages, first_seen = ([one.lang] if one.lang else []), one.published or None
            first_article = one.article_id
        else:
            product, growth, n_sources = self.product, self.growth, len(self.articles)
            languages, first_seen = self.languages, self.first_seen
            first_article = self.first_source.article_id
        return {
            "claim_id": self.claim_id,
            "indicator": self.indicator,
            "party_a": self.party_a,
            "party_b": self.party_b,
            "period": self.period,
            "status": self.status,
            "unit": self.unit,
            "product": product,
            "value": best.value,
            "value_max": best.value_max,
            "bound": best.bound,
            "lo": common.lo,
            "hi": common.hi,
            "growth_value": growth,
            "n_sources": n_sources,
            "n_facts": len(self.sources),
            "languages": languages,
            "first_seen": first_seen,
            "first_article": first_article,
            "disputed": self.disputed,
        }


@dataclass(slots=True)
class Contradiction:
    """Two claims of one key that cannot both be right, each with one evidence."""

    a: Claim
    b: Claim
    fact_a: FactRow
    fact_b: FactRow

    def to_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "indicator": self.a.indicator,
            "party_a": self.a.party_a,
            "party_b": self.a.party_b,
            "period": self.a.period,
            "status": self.a.status,
            "unit": self.a.unit,
        }
        for side, claim, fact in (("a", self.a, self.fact_a), ("b", self.b, self.fact_b)):
            row[f"claim_{side}"] = claim.claim_id
            row[f"value_{side}"] = fact.value
            row[f"value_max_{side}"] = fact.value_max
            row[f"bound_{side}"] = fact.bound
            row[f"sources_{side}"] = len(claim.articles)
            row[f"fact_{side}"] = fact.fact_id
            row[f"article_{side}"] = fact.article_id
            row[f"published_{side}"] = fact.published
            row[f"lang_{side}"] = fact.lang
            row[f"evidence_{side}"] = fact.evidence_sentence
        return row


def _precision_rank(f: FactRow) -> tuple[float, int]:
    return _rank(f.value, f.bound, f.value_max)


@lru_cache(maxsize=1 << 16)
def _rank(value: float, bound: str, value_max: float | None) -> tuple[float, int]:
    """How precise a stated figure is: its relative width, then its bound (lower first)."""
    width = interval(value, bound, value_max).width
    return (width / max(abs(value), 1e-9), _BOUND_RANK.get(bound, 9))


_BOUND_RANK = {"eq": 0, "range": 1, "approx": 2, "gt": 3, "lt": 3}


def infer_periods(facts: Sequence[FactRow], story_of: Mapping[str, str]) -> dict[str, str]:
    """Periods for facts that have none, from the other articles of their story: a fact
    without a period takes the period of the same figure (same indicator, parties, status,
    unit; ``same_figure`` values) stated with a period in another article of its story,
    when exactly one such period exists. Returns ``{fact_id: period}``."""
    by_story: dict[tuple[Any, ...], list[FactRow]] = defaultdict(list)
    for f in facts:
        story = story_of.get(f.article_id)
        if story is not None:
            by_story[(story, f.base_key)].append(f)
    out: dict[str, str] = {}
    for group in by_story.values():
        dated = [g for g in group if g.period]
        if not dated:
            continue
        for f in group:
            if f.period:
                continue
            periods = {
                g.period
                for g in dated
                if g.article_id != f.article_id and same_figure(f.value, f.bound, g.value, g.bound)
            }
            if len(periods) == 1:
                out[f.fact_id] = next(iter(periods))
    return out


def build_claims(
    facts: Iterable[FactRow], story_of: Mapping[str, str] | None = None
) -> tuple[list[Claim], list[Contradiction]]:
    """Group facts into claims and find the contradictions between them.

    Within one key, facts are taken most precise first; each joins the claim (most sources
    first) whose common interval its own interval meets, narrowing it, or starts a new
    claim. So all the facts of a claim are pairwise compatible. Facts without a period
    (none stated, none from the story) merge only within one story (``story_of``; an
    article outside every story is a story of its own).
    """
    facts = list(facts)
    story_of = story_of or {}
    inferred = infer_periods(facts, story_of)
    groups: dict[tuple[Any, ...], list[Source]] = defaultdict(list)
    for f in facts:
        period = inferred.get(f.fact_id, f.period)
        key = (f.indicator, f.party_a, f.party_b, key_period(period, f.status), f.status, f.unit)
        # without a period, two articles may speak of two periods: only one story merges
        scope = (story_of.get(f.article_id) or f.article_id) if period is None else None
        groups[(*key, scope)].append(Source(f, f.fact_id in inferred))
    claims: list[Claim] = []
    contradictions: list[Contradiction] = []
    for group_key in sorted(groups, key=_sort_key):
        made = _claims_of_key(group_key[:-1], groups[group_key])
        claims.extend(made)
        contradictions.extend(_contradictions(made))
    return claims, contradictions


def _sort_key(key: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("" if k is None else str(k) for k in key)


def _claims_of_key(key: tuple[Any, ...], sources: list[Source]) -> list[Claim]:
    ordered = sorted(
        sources,
        key=lambda s: (
            _precision_rank(s.fact),
            s.fact.published is None,
            s.fact.published or dt.date.min,
            s.fact.fact_id,
        ),
    )
    made: list[Claim] = []
    articles: list[set[str]] = []  # of each claim in ``made``, as it grows
    index = _Commons() if all(s.fact.interval.finite for s in ordered) else None
    for src in ordered:
        own = src.fact.interval
        if index is not None:
            fits = index.meeting(own, made)
        else:
            fits = [i for i, c in enumerate(made) if c.common is not None and c.common.meets(own)]
        if fits:
            i = fits[0] if len(fits) == 1 else max(fits, key=lambda i: (len(articles[i]), -i))
            claim = made[i]
            assert claim.common is not None
            narrowed = claim.common.meet(own)
            if index is not None:
                index.narrow(claim.common, narrowed)
            claim.common = narrowed
            claim.sources.append(src)
            articles[i].add(src.fact.article_id)
        else:
            made.append(Claim(*key, sources=[src], common=own))  # type: ignore[misc]
            articles.append({src.fact.article_id})
            if index is not None:
                index.add(len(made) - 1, own)
    for claim, of_claim in zip(made, articles, strict=True):
        claim._articles = of_claim
        claim.best = _best(claim)
        ids = sorted(s.fact.fact_id for s in claim.sources)
        raw = "\x1f".join(["" if k is None else str(k) for k in key] + ids)
        claim.claim_id = "c" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:15]
    return made


class _Commons:
    """The common intervals of one key's claims, to find those a new interval meets.

    They are pairwise disjoint: a claim starts with an interval that meets none of them,
    and each only narrows. Disjoint non-empty intervals ordered by their lower ends
    (closed before open) have their upper ends in the same order, so the intervals one
    interval meets are a run of that order, found by bisection. Empty intervals meet
    nothing and are left out. For finite ends only (``_claims_of_key`` checks).
    """

    __slots__ = ("claims", "ends", "starts")

    def __init__(self) -> None:
        self.claims: list[int] = []  # claim indexes, in the order of their lower ends
        self.starts: list[tuple[float, bool]] = []  # (lower end, open there) in that order
        self.ends: list[float] = []  # upper ends in that order (non-decreasing)

    @staticmethod
    def _start(common: Interval) -> tuple[float, bool]:
        return (common.lo, not common.lo_closed)

    def meeting(self, own: Interval, made: list[Claim]) -> list[int]:
        """The indexes of the claims whose common interval meets ``own``."""
        out = []
        pos = bisect_left(self.ends, own.lo)  # before it, upper ends below own's lower end
        while pos < len(self.claims):
            i = self.claims[pos]
            common = made[i].common
            assert common is not None
            if common.lo > own.hi:  # so are all the following ones
                break
            if common.meets(own):
                out.append(i)
            pos += 1
        return out

    def add(self, i: int, common: Interval) -> None:
        if common.empty:
            return
        pos = bisect_left(self.starts, self._start(common))
        self.claims.insert(pos, i)
        self.starts.insert(pos, self._start(common))
        self.ends.insert(pos, common.hi)

    def narrow(self, old: Interval, new: Interval) -> None:
        """A claim's common interval narrowed from ``old`` to ``new`` (its place stays)."""
        pos = bisect_left(self.starts, self._start(old))
        self.starts[pos] = self._start(new)
        self.ends[pos] = new.hi


def _best(claim: Claim) -> FactRow:
    """The most precise statement; among equally precise ones, the value most articles
    state; then the earliest."""
    facts = [s.fact for s in claim.sources]
    if len(facts) == 1:
        return facts[0]
    top = min(_precision_rank(f) for f in facts)
    precise = [f for f in facts if _precision_rank(f) == top]
    votes: Counter[tuple[float, str, float | None]] = Counter()
    for stated in {(f.stated, f.article_id) for f in precise}:
        votes[stated[0]] += 1
    return min(
        precise,
        key=lambda f: (
            -votes[f.stated],
            f.published is None,
            f.published or dt.date.min,
            f.fact_id,
        ),
    )


def _contradictions(claims: list[Claim]) -> list[Contradiction]:
    """The claims of one key that disagree with its leading claim (most sources, then most
    precise, then first seen), each paired with it: one row per dissenting claim, not one
    per pair of claims. Only articles that give one value for the key count as evidence:
    an article stating several values for one key (a breakdown, or figures the extractor
    could not tell apart) contradicts nobody. Keys without a period, and scoped claims (a
    source names a product), are never contradictions."""
    if len(claims) < 2 or claims[0].period is None:
        return []
    claims_of_article: dict[str, set[int]] = defaultdict(set)
    for i, c in enumerate(claims):
        for s in c.sources:
            claims_of_article[s.fact.article_id].add(i)
    single = {a for a, cs in claims_of_article.items() if len(cs) == 1}
    evidence = {id(c): _evidence(c, single) for c in claims if c.product is None}
    usable = [c for c in claims if evidence.get(id(c)) is not None]
    if len(usable) < 2:
        return []
    leader = min(usable, key=_leading)
    fa = evidence[id(leader)]
    assert fa is not None
    out: list[Contradiction] = []
    for other in usable:
        fb = evidence[id(other)]
        if other is leader or fb is None or fb.article_id == fa.article_id:
            continue
        leader.disputed = other.disputed = True
        out.append(Contradiction(leader, other, fa, fb))
    return out


def _leading(c: Claim) -> tuple[Any, ...]:
    """Most sources, then the narrowest common interval (relative), then first seen; the
    order ``timeline`` reconciles a period by."""
    best = c.best or c.sources[0].fact
    common = c.common or best.interval
    first = c.first_seen
    width = common.width / max(abs(best.value), 1e-9)
    return (-len(c.articles), width, first is None, first or dt.date.min, c.claim_id)


def _evidence(claim: Claim, single: set[str]) -> FactRow | None:
    facts = [s.fact for s in claim.sources if s.fact.article_id in single]
    if not facts:
        return None
    return min(
        facts,
        key=lambda f: (
            _precision_rank(f),
            f.published is None,
            f.published or dt.date.min,
            f.fact_id,
        ),
    )
