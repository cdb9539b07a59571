"""The reader's memory: what the article has established so far, updated sentence by sentence.

A sentence without a figure of its own still sets the scene for the next ones: the pair of
countries it names, the period it speaks of, the indicator word, who reports the figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.attach import cue_indicator, indicator_cues
from tradefacts.extract.money import Percent, Value
from tradefacts.extract.pairs import distinct_parties, side_for_new_partner
from tradefacts.extract.parties import PartyMention, region_country
from tradefacts.extract.periods import PeriodMention
from tradefacts.extract.rules import BLOCS, INHERIT_WINDOW
from tradefacts.lang.lexicon import Hit
from tradefacts.model import Fact, Growth


@dataclass
class Context:
    """What the article has established so far (the reader's memory)."""

    period: str | None = None
    period_set: bool = False
    period_sent: int = -99
    pair: tuple[str, str] | None = None
    pair_sent: int = -99
    # the last two countries the article paired (a figure's, or a sentence naming just
    # them): what "the two countries" refers to, even after a list of other names
    main_pair: tuple[str, str] | None = None
    seen: set[str] = field(default_factory=set)  # every party named so far
    # the country of the article's language (told once, when first needed)
    home: str | None = None
    home_known: bool = False
    sample: str = ""  # the start of the article, to tell its language by
    last_bloc: str | None = None  # what "the Union", "the Organization" refer to
    last_region: str | None = None  # what "the region" refers to (Central Asia, Xinjiang)
    counts: dict[str, int] = field(default_factory=dict)  # mentions of each country
    single: str | None = None
    single_sent: int = -99
    indicator: str | None = None
    indicator_sent: int = -99
    currency: str | None = None
    reporter: str | None = None
    last_facts: list[Fact] = field(default_factory=list)
    last_sent: int = -99
    pub: dt.date | None = None
    pending_growth: Growth | None = None
    pending_sent: int = -99
    pending_period: str | None = None

    def year(self, si: int) -> int | None:
        """The year the article is talking about, for a month range written without one."""
        if self.period_set and self.period and si - self.period_sent <= INHERIT_WINDOW:
            head = self.period.lstrip("./")[:4]  # where periods.YEAR_RE would match
            if len(head) == 4 and head.isdecimal():
                return int(head)
        return None

    def month_range(self, si: int) -> str | None:
        """The month range the article is talking about ("2025-09/2025-10"), if any."""
        if (
            self.period_set
            and self.period
            and "/" in self.period
            and not self.period.startswith(".")
            and si - self.period_sent <= INHERIT_WINDOW
        ):
            return self.period
        return None


class Mentions(NamedTuple):
    """Everything the stages found in one sentence."""

    sa: SentenceAnalysis
    si: int  # sentence index
    values: list[Value]
    percents: list[Percent]
    parties: list[PartyMention]
    periods: list[PeriodMention]


@dataclass(init=False)
class Draft:
    fact: Fact
    sentence: int
    title: bool

    # written out, not generated: made many times per article, and compiled (setup.py)
    def __init__(self, fact: Fact, sentence: int, title: bool) -> None:
        self.fact = fact
        self.sentence = sentence
        self.title = title


def update_context(
    ctx: Context, m: Mentions, new: list[Fact], drafts: list[Draft], anchor: str | None
) -> None:
    sa, si, values, percents, pms, periods = m
    if not (values or percents or pms or periods or new):
        # a sentence without figures, names or periods sets no scene; only its
        # indicator word ("Экспорт тоже вырос.") is remembered
        _note_indicator(ctx, indicator_cues(sa), si)
        return
    for v in values:
        if v.unit and v.unit != "t":
            ctx.currency = v.unit
    own = (
        [p for p in periods if not p.comparison and p.kind not in ("deadline", "present", "since")]
        if periods
        else []
    )
    if new:
        actual = [
            f
            for f in new
            if f.status == "actual"
            and f.period != "__lead__"
            # a comparison base, a shifted year or a stock "since 2005" / "as of" is no
            # period the next sentences speak of
            and f.extra.get("period_kind") not in ("relative-shift", "comparison", "since", "asof")
        ]
        if actual:
            if not _within(actual[-1].period, ctx.period):
                ctx.period = actual[-1].period
            ctx.period_set = True
            ctx.period_sent = si
        last = new[-1]
        ctx.pair = last.extra.get("order", last.parties)
        ctx.pair_sent = si
        _note_main_pair(ctx, ctx.pair)
        ctx.indicator = last.indicator
        ctx.indicator_sent = si
        ctx.last_facts = new
        ctx.last_sent = si
    else:
        # "Бул былтыркы ушул мезгилдегиден 4,1 пайызга аз": the period of a sentence that
        # only gives a change is what the figure is compared with, not a new period
        if own and not (percents and not values and own[-1].kind == "relative"):
            ctx.period = own[-1].value
            ctx.period_set = True
            ctx.period_sent = si
        cues = indicator_cues(sa)
        if (
            ctx.last_facts
            and si - ctx.last_sent <= 2
            and (
                sa.hits_of("discourse.anaphora")
                or (all(v.increment for v in values) and values)
                or (si - ctx.last_sent == 1 and not own and _same_indicator(ctx, cues))
            )
        ):
            _anaphoric_growth(ctx, percents, drafts)
        if percents and cues:
            ps = [p for p in percents if not p.share and p.direction != 0]
            if len(ps) == 1:
                p = ps[0]
                ctx.pending_growth = Growth(
                    p.value * (-1 if p.direction < 0 else 1), p.bound, p.value_max
                )
                ctx.pending_sent = si
                ctx.pending_period = own[-1].value if own else None
        _note_indicator(ctx, cues, si)
        codes = [p.code for p in distinct_parties(pms)] if pms else []
        if len(codes) > 2:
            countries = [c for c in codes if c not in BLOCS]
            if len(countries) >= 2:
                codes = countries
        if len(codes) > 2:
            # a list of countries ("Turkey, Azerbaijan, Uzbekistan, ...") names no pair
            ctx.pair = None
        elif len(codes) == 2:
            ctx.pair = (codes[0], codes[1])
            ctx.pair_sent = si
            _note_main_pair(ctx, ctx.pair)
            if sa.hits_of("indicator.world"):
                ctx.single = codes[0]
                ctx.single_sent = si
        elif len(codes) == 1:
            if sa.hits_of("indicator.world"):
                ctx.pair = (codes[0], "WLD")
                ctx.pair_sent = si
            elif ctx.pair and codes[0] not in ctx.pair and si - ctx.pair_sent <= INHERIT_WINDOW:
                keep = side_for_new_partner(
                    m.sa, ctx, ctx.pair, codes[0], anchor, ctx.reporter, home_named_often=False
                )
                if keep != "WLD":
                    ctx.pair = (keep, codes[0])
                    ctx.pair_sent = si
            elif anchor and codes[0] != anchor and codes[0] not in BLOCS:
                ctx.pair = (anchor, codes[0])
                ctx.pair_sent = si
            ctx.single = codes[0]
            ctx.single_sent = si
    for pm in pms:
        ctx.seen.add(pm.code)
        if pm.code in BLOCS and pm.code not in ("WLD", "CA"):
            ctx.last_bloc = pm.code
        elif pm.code == "CA" or ("-" in pm.code and region_country(pm.code) != anchor):
            ctx.last_region = pm.code
        if pm.partner_of:
            ctx.reporter = pm.code


def _note_main_pair(ctx: Context, pair: tuple[str, str]) -> None:
    """Remember a pair of two countries (regions stand for theirs) as the article's."""
    a, b = (region_country(c) or c if "-" in c else c for c in pair)
    if a != b and a not in BLOCS and b not in BLOCS:
        ctx.main_pair = (a, b)


def _note_indicator(ctx: Context, cues: list[Hit], si: int) -> None:
    """The last indicator word of a sentence without facts of its own."""
    if cues:
        ctx.indicator = cue_indicator(cues[-1])
        if ctx.indicator == "transit":
            ctx.indicator = "freight"
        ctx.indicator_sent = si


def _same_indicator(ctx: Context, cues: list[Hit]) -> bool:
    """Does the sentence name the indicator of the last figure again?"""
    indicator = ctx.last_facts[-1].indicator
    return any(cue_indicator(h) == indicator for h in cues)


def _within(inner: str | None, outer: str | None) -> bool:
    """Is ``inner`` a single month inside the month range ``outer`` ("April" in Jan-Apr)?"""
    if not inner or not outer or "/" not in outer or "/" in inner:
        return False
    a, _, b = outer.partition("/")
    return len(inner) == 7 and len(a) == 7 and len(b) == 7 and a <= inner <= b


def _anaphoric_growth(ctx: Context, percents: list[Percent], drafts: list[Draft]) -> None:
    """ "Бұл алдыңғы жылмен салыстырғанда 16 пайызға көп": growth of the previous figure."""
    ps = [p for p in percents if not p.share and p.direction != 0]
    if len(ps) != 1 or not ctx.last_facts:
        return
    f = ctx.last_facts[-1]
    if f.growth is not None or f.status != "actual":
        return
    p = ps[0]
    g = Growth(p.value * (-1 if p.direction < 0 else 1), p.bound, p.value_max)
    for d in reversed(drafts):
        if d.fact is f:
            d.fact = _replace_growth(f, g)
            ctx.last_facts[-1] = d.fact
            break


def _replace_growth(f: Fact, g: Growth) -> Fact:
    return replace(f, growth=g, extra=dict(f.extra))
