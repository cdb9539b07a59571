"""Assemble facts from the mentions of each sentence and the context before it.

For every amount (money or tonnes) of a sentence the stages below pick, as a careful
reader would: the indicator (nearest cue, else the figure it continues), the parties
(the names around it, else the pair of the paragraph), the period (nearest period mention,
else the period of the figure it continues), the status (target and forecast cues, a
deadline) and the growth (a percentage or multiple that belongs to it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import partial
from typing import NamedTuple

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.money import Percent, Value, find_amounts
from tradefacts.extract.parties import PartyMention, direct, find_parties
from tradefacts.extract.periods import (
    PeriodMention,
    find_periods,
    parse_iso,
    publication_date,
    shift_period,
)
from tradefacts.extract.tokens import Sentence, split_sentences
from tradefacts.lang.lexicon import Hit, Lexicon, load_lexicon
from tradefacts.model import Evidence, Fact, Growth, normalize_parties

INDICATOR_CATS = ("turnover", "export", "import", "investment", "freight", "transit")
BLOCS = frozenset({"OTS", "EAEU", "CIS", "SCO", "EU", "CA", "WLD"})
INHERIT_WINDOW = 6  # sentences a period or a pair carries forward
LEAD_SENTENCES = 4  # headline and lead: their figures may take the period stated just after


@dataclass
class Context:
    """What the article has established so far (the reader's memory)."""

    period: str | None = None
    period_set: bool = False
    period_sent: int = -99
    pair: tuple[str, str] | None = None
    pair_sent: int = -99
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
            m = re.match(r"(\d{4})", self.period.lstrip("./"))
            if m:
                return int(m.group(1))
        return None


class Mentions(NamedTuple):
    """Everything the stages found in one sentence."""

    sa: SentenceAnalysis
    si: int  # sentence index
    values: list[Value]
    percents: list[Percent]
    parties: list[PartyMention]
    periods: list[PeriodMention]


@dataclass
class Draft:
    fact: Fact
    sentence: int
    title: bool


def extract_facts(text: str, published: dt.date | str | None = None) -> list[Fact]:
    lex = load_lexicon()
    pub = parse_iso(published) if published else None
    if pub is None:
        pub = publication_date(text, lex)
    sentences = split_sentences(text, lex.abbreviations, lex.closing_abbreviations)
    # context only flows forward: nothing after the last sentence with a figure matters
    figure = lex.figure_re
    last = next(
        (i for i in range(len(sentences) - 1, -1, -1) if figure.search(sentences[i].text.lower())),
        -1,
    )
    if last < 0:
        return []
    sentences = sentences[: last + 1]
    decimal_comma = _decimal_comma(text)
    analyses = [SentenceAnalysis(s, lex) for s in sentences]
    amounts = [find_amounts(sa, decimal_comma) for sa in analyses]
    blocked = [_currency_tokens(sa) for sa in analyses]
    parties = [find_parties(sa, b) for sa, b in zip(analyses, blocked, strict=True)]
    ranked = _doc_countries(parties)
    anchor = ranked[0] if ranked else None
    ctx = Context(pub=pub)
    drafts: list[Draft] = []
    for si, (sa, (values, percents), pms) in enumerate(
        zip(analyses, amounts, parties, strict=True)
    ):
        periods = find_periods(sa, pub, ctx.year(si))
        sa.periods = periods
        m = Mentions(sa, si, values, percents, pms, periods)
        new = _sentence_facts(m, ctx, anchor, lex, ranked)
        drafts.extend(Draft(f, si, sa.sentence.is_title) for f in new)
        _update_context(ctx, m, new, drafts, anchor)
    return _finish(drafts, analyses, pub)


# ---------------------------------------------------------------- per sentence


def _sentence_facts(
    m: Mentions, ctx: Context, anchor: str | None, lex: Lexicon, ranked: list[str] | None = None
) -> list[Fact]:
    sa, si, values, percents, pms, periods = m
    facts: list[Fact] = []
    cues = _indicator_cues(sa)
    world = sa.hits_of("indicator.world")
    mutual = sa.hits_of("discourse.mutual")
    respectively = sa.hits_of("discourse.respectively")
    excludes = sa.hits_of("exclude")
    including = sa.hits_of("discourse.including")
    worths = sa.hits_of("discourse.worth")
    targets = [h for h in sa.hits_of("status.target") if h.category == "status.target"]
    weak_targets = sa.hits_of("status.target_weak")
    forecasts = sa.hits_of("status.forecast")
    live = [v for v in values if not v.increment]
    own_periods = [p for p in periods if not p.comparison]
    growth_of = _attach_growth(sa, values, percents)
    prev_pair: tuple[str, str] | None = None
    prev_cue: str | None = None  # the indicator the previous figure's own words gave
    relabelled = False
    prev_period: str | None = None
    local_sets = _local_parties(values, pms, respectively, sa.tokens)
    all_local = [p for ls in local_sets for p in ls]
    # "Қазақстанның ... Өзбекстанмен - 4,3 млрд, Түркиямен - 4,9 млрд": the list's owner
    sentence_anchor = None
    if local_sets and len({p.code for p in local_sets[0]}) >= 2:
        first = min(local_sets[0], key=lambda p: p.start)
        # its role belongs to the first figure's clause, not to the later ones
        sentence_anchor = replace(first, role="subj")
    for vi, v in enumerate(values):
        if v.increment:
            continue
        unit = v.unit or ctx.currency
        if unit is None:
            continue
        if any(abs(h.start - v.start) <= 6 or abs(h.start - v.end) <= 4 for h in excludes):
            continue
        indicator = _pick_indicator(sa, v, values, cues)
        if v.case != "attributive" and any(h.end in (v.start, v.start - 1) for h in worths):
            v.case = "attributive"
        if indicator is None and v.case == "attributive":
            continue  # "$1.2 bn worth of projects" describes a noun, not a trade figure
        if indicator is None and si - ctx.indicator_sent <= 2:
            indicator = ctx.indicator
        if indicator is None:
            continue
        transit = indicator == "transit"
        if transit:
            indicator = "freight"
        if indicator == "freight" and unit != "t":
            indicator = "export"
        if unit == "t" and indicator == "turnover":
            indicator = "freight"
        if unit == "t" and indicator == "investment":
            continue  # a plant's capacity in tonnes is no investment figure
        # parties
        local = local_sets[vi]
        cue_indicator = indicator
        if prev_pair and not local and {prev_cue, indicator} == {"export", "import"}:
            prev_pair = (prev_pair[1], prev_pair[0])  # "экспорт ... , а импорт ...": the other way
        pair = _pick_pair(
            sa,
            v,
            vi,
            values,
            local,
            pms,
            world,
            mutual,
            ctx,
            si,
            anchor,
            indicator,
            prev_pair,
            transit,
            all_local,
            sentence_anchor,
            ranked,
        )
        if pair is None:
            continue
        importer = pair[1]
        if indicator == "import" and (
            (relabelled and pair == prev_pair)
            or (
                anchor
                and pair[0] == anchor
                and any(p.code == importer and p.role in ("subj", "dest") for p in local)
                and not any(p.code == anchor for p in local)
            )
        ):
            # "Латвия ... бензин сатып алған", "Rossiya ... import qilgan": the home
            # country's export, told from the buyer's side
            indicator = "export"
            relabelled = True
        prev_pair = pair
        prev_cue = cue_indicator
        # period
        period, has_own, period_kind = _pick_period(
            sa, v, values, own_periods, periods, prev_period, including
        )
        status = _pick_status(
            sa, v, live, targets, weak_targets, forecasts, period_kind, period, ctx.pub
        )
        if not has_own:
            if status == "actual" and ctx.period_set and si - ctx.period_sent <= INHERIT_WINDOW:
                period = ctx.period
            elif status == "actual" and not ctx.period_set and si <= LEAD_SENTENCES:
                # a headline or lead figure whose period the next sentences give
                period = "__lead__"
        if (
            period_kind == "year_end"
            and indicator == "investment"
            and sa.hits_of("discourse.cumulative")
        ):
            period = f"../{period}"  # "total investment as of the end of 2024": a stock
        elif not has_own and indicator == "investment" and sa.hits_of("discourse.cumulative"):
            # "total investment exceeded $8.5 bn": the stock as of publication
            period = f"../{ctx.pub.year}" if ctx.pub else None
        pass
        prev_period = period if has_own else prev_period
        growth = growth_of.get(id(v))
        if growth is None and ctx.pending_growth and si - ctx.pending_sent == 1:
            if ctx.pending_period is not None:
                if period == ctx.pending_period:
                    growth, ctx.pending_growth = ctx.pending_growth, None
            elif not facts and sa.hits_of("discourse.anaphora"):
                growth = ctx.pending_growth
        if status != "actual":
            growth = None  # a goal's multiple is not the growth of a reported figure
        product = _product(sa, v, cues) if indicator in ("export", "import") else None
        s = sa.sentence
        facts.append(
            Fact(
                indicator=indicator,
                parties=normalize_parties(indicator, *pair),
                period=period,
                value=float(v.value),
                unit=unit,
                bound=v.bound,
                status=status,
                evidence=Evidence(s.text, s.start, s.end),
                value_max=v.value_max,
                growth=growth,
                product=product,
                extra={
                    "order": pair,
                    "period_kind": period_kind if has_own else "inherited",
                    "title": sa.sentence.is_title,
                },
            )
        )
    return facts


def _is_asof(periods: list[PeriodMention], period: str) -> bool:
    return any(p.kind in ("asof",) and p.value == period for p in periods)


def _product(sa: SentenceAnalysis, v: Value, cues: list[Hit]) -> str | None:
    """The product scope of an export or import in the text's own words.

    After a tonnage ("8 мың тонна бензин", "tons of grain"), else next to the indicator
    word: after it in languages that put the goods after the noun ("экспорт зерна",
    "exports of grain"), before it in those that mark cases ("агросаноат маҳсулотларининг
    Хитойга экспорти"). Generic goods alone ("товаров", "өнім") are no scope.
    """
    words: list[int] = []
    if v.unit == "t":
        words = _product_words(sa, v.end, +1)
    if not words:
        cue = None
        before = [h for h in cues if h.end <= v.start and _cat(h) in ("export", "import")]
        after = [h for h in cues if h.start >= v.end and _cat(h) in ("export", "import")]
        cue = before[-1] if before else (after[0] if after else None)
        if cue is None:
            return None
        langs = Counter(h.lang for h in sa.hits)
        lang = max(langs, key=lambda c: (langs[c], c == cue.lang)) if langs else cue.lang
        if sa.lexicon.languages[lang].case_of:
            k = cue.start
            p = sa.last_hit_ending("party", k)
            if p:
                k = p.start
            words = _product_words(sa, k - 1, -1)
        else:
            words = _product_words(sa, cue.end, +1)
            # after the noun only a real scope: "экспорт зерна в Китай", "exports of
            # agricultural products", not the verb of "экспорт составил"
            nxt = max(words) + 1 if words else None
            if words and not (
                any(sa.first_hit("indicator.goods", k) for k in words)
                or (nxt is not None and (sa.first_hit("role", nxt) or sa.first_hit("party", nxt)))
            ):
                words = []
    if not words:
        return None
    toks = sa.tokens
    if all(sa.first_hit("indicator.goods", k) for k in words):
        return None
    a, b = min(words), max(words)
    return sa.sentence.text[toks[a].start - sa.sentence.start : toks[b].end - sa.sentence.start]


def _product_words(sa: SentenceAnalysis, k: int, step: int) -> list[int]:
    toks = sa.tokens
    out: list[int] = []
    if step > 0 and k < len(toks) and sa.first_hit("role.of", k):
        k += 1
    while 0 <= k < len(toks) and len(out) < 3:
        t = toks[k]
        if t.kind != "word" and not (t.text == "-" and not t.space_before and out):
            break
        if k in sa.value_tokens or any(
            sa.first_hit(c, k) or sa.last_hit_ending(c, k + 1)
            for c in (
                "party",
                "party_weak",
                "role",
                "period",
                "month",
                "status",
                "bound",
                "growth",
                "indicator.export",
                "indicator.import",
                "indicator.turnover",
                "scale",
                "currency",
                "discourse",
            )
        ):
            break
        out.append(k)
        k += step
    while out and toks[out[-1]].text == "-":
        out.pop()
    return sorted(out)


def _currency_tokens(sa: SentenceAnalysis) -> set[int]:
    out: set[int] = set()
    for h in sa.hits_of("currency"):
        if h.end - h.start > 1:
            out.update(range(h.start, h.end))
    return out


# ---------------------------------------------------------------- indicator


def _indicator_cues(sa: SentenceAnalysis) -> list[Hit]:
    """Indicator cues, longest match first; "none" phrases (trade minister) swallow cues."""
    hits = [
        h
        for h in sa.hits_of("indicator")
        if h.category not in ("indicator.world", "indicator.goods")
    ]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[Hit] = []
    covered = -1
    for h in hits:
        if h.start < covered:
            continue
        covered = h.end
        if h.category == "indicator.none":
            continue
        if out and out[-1].category == "indicator.transit" and h.start - out[-1].end <= 1:
            continue  # "транзиттік тасымал", "transit cargo": transit freight
        out.append(h)
    return out


def _cat(h: Hit) -> str:
    return h.category.split(".", 1)[1]


def _pick_indicator(
    sa: SentenceAnalysis, v: Value, values: list[Value], cues: list[Hit]
) -> str | None:
    if not cues:
        return None
    starts = [w.start for w in values if w is not v]
    pre = [h for h in cues if h.end <= v.start and not any(h.end <= s < v.start for s in starts)]
    post = [h for h in cues if h.start >= v.end and not any(v.end <= s < h.start for s in starts)]
    p = max(pre, key=lambda h: h.end) if pre else None
    q = min(post, key=lambda h: h.start) if post else None
    if p and q:
        if _clause_break(sa, p.end, v.start) and not _clause_break(sa, v.end, q.start):
            return _cat(q)
        return _cat(p)
    if p or q:
        return _cat(p or q)  # type: ignore[arg-type]
    near = min(cues, key=lambda h: min(abs(h.start - v.start), abs(h.end - v.end)))
    return _cat(near)


def _strong_break(sa: SentenceAnalysis, a: int, b: int) -> bool:
    """A break between clauses stronger than a comma (";", ":", "а", "while")."""
    for k in range(max(0, a), min(len(sa.tokens), b)):
        if sa.tokens[k].text in ";:" or sa.first_hit("discourse.clause_break", k):
            return True
    return False


def _clause_break(sa: SentenceAnalysis, a: int, b: int) -> bool:
    for k in range(max(0, a), min(len(sa.tokens), b)):
        if sa.tokens[k].text in ",;" or sa.first_hit("discourse.clause_break", k):
            return True
    return False


# ---------------------------------------------------------------- parties


def _clause_break_tokens(tokens: list, a: int, b: int) -> bool:
    return any(t.text in ",;" for t in tokens[a:b])


def _local_parties(
    values: list[Value], pms: list[PartyMention], respectively: list[Hit], tokens: list
) -> list[list[PartyMention]]:
    """The party mentions that belong to each amount (text since the previous amount)."""
    out: list[list[PartyMention]] = []
    for i, v in enumerate(values):
        lo = values[i - 1].end if i > 0 else -1
        hi = values[i + 1].start if i + 1 < len(values) else 10**9
        pre = [p for p in pms if lo <= p.start < v.start]
        post = [
            p
            for p in pms
            if v.end <= p.start < hi and not _clause_break_tokens(tokens, v.end, p.start)
        ]
        local = pre if pre else post
        if pre and post and len({p.code for p in pre}) < 2:
            # "Xitoy $3,3 mlrd ... bilan O'zbekistonning": a partner after the amount, but
            # not the next item of a list ("Южная Корея ($2,1 млрд) и Турция")
            local = pre + [p for p in post if not p.listed]
        out.append(local)
    if respectively and len(values) >= 2:
        # "с Кыргызстаном и Германией составил $903 млн и $829 млн соответственно"
        r = respectively[0].start
        before = [i for i, v in enumerate(values) if v.end <= r]
        first = out[before[0]] if before else []
        codes: list[PartyMention] = []
        for p in first:
            if p.code not in [c.code for c in codes]:
                codes.append(p)
        m = len(before)
        if m >= 2 and len(codes) >= m:
            lead = codes[: len(codes) - m]
            listed = codes[len(codes) - m :]
            for j, i in enumerate(before):
                out[i] = lead + [listed[j]]
    return out


def _distinct(pms: list[PartyMention]) -> list[PartyMention]:
    seen: dict[str, PartyMention] = {}
    for p in pms:
        if p.code not in seen or (
            seen[p.code].role in ("subj", "loc") and p.role not in ("subj", "loc")
        ):
            seen[p.code] = p
    strong = [p for p in seen.values() if not p.weak]
    weak = [p for p in seen.values() if p.weak]
    return strong + weak if len(strong) < 2 else strong


def _pick_pair(
    sa: SentenceAnalysis,
    v: Value,
    vi: int,
    values: list[Value],
    local: list[PartyMention],
    pms: list[PartyMention],
    world: list[Hit],
    mutual: list[Hit],
    ctx: Context,
    si: int,
    anchor: str | None,
    indicator: str,
    prev_pair: tuple[str, str] | None,
    transit: bool,
    all_local: list[PartyMention],
    sentence_anchor: PartyMention | None = None,
    ranked: list[str] | None = None,
) -> tuple[str, str] | None:
    ranked = ranked or []
    cand = _distinct(local)
    reporter = ctx.reporter
    for p in pms:
        if p.partner_of:
            reporter = p.code
    if transit:
        one = cand[0].code if cand else (ctx.single or anchor)
        return (one, "WLD") if one else None
    if len(cand) >= 2:
        a, b = _best_two(cand, v)
        return direct(indicator, a, b, (a.code, b.code), reporter)
    if len(cand) == 1:
        x = cand[0]
        if world and not (
            ctx.pair
            and x.code in ctx.pair
            and "WLD" not in ctx.pair
            and si - ctx.pair_sent <= 1
            and not _near(world, v, 12)
        ):
            return _with_world(indicator, x.code)
        if x.code in BLOCS and mutual:
            return (x.code, x.code)
        others = [p for p in _distinct(pms) if p.code != x.code and p not in all_local]
        if vi > 0 and sentence_anchor and sentence_anchor.code != x.code:
            others = [sentence_anchor]
        other = None
        if others and vi > 0:
            other = others[0]
        elif others and not any(o.code in BLOCS for o in others):
            other = min(others, key=lambda o: abs(o.start - v.start))
        if other is not None:
            a, b = (other, x) if other.start < x.start else (x, other)
            return direct(indicator, a, b, (a.code, b.code), reporter)
        partner = None
        if (
            indicator in ("export", "import")
            and si - ctx.pair_sent > 2
            and (
                (indicator == "export" and x.role in ("src", "gen"))
                or (indicator == "import" and x.role in ("gen", "dest"))
            )
        ):
            # "eksport z Kazachstanu ... 43 mld" far from any partner: total exports
            return _with_world(indicator, x.code)
        if ctx.pair and si - ctx.pair_sent <= INHERIT_WINDOW:
            if x.code in ctx.pair:
                pair = ctx.pair
                if indicator in ("export", "import", "investment"):
                    other_code = pair[1] if pair[0] == x.code else pair[0]
                    return direct(indicator, x, None, (x.code, other_code), reporter)
                return pair
            if "WLD" in ctx.pair:
                known = ctx.pair[0] if ctx.pair[1] == "WLD" else ctx.pair[1]
                partner = "WLD" if "-" in x.code or "-" in known else known
            else:
                partner = _anchor_of_pair(ctx.pair, anchor, reporter)
        if partner is None and reporter and reporter != x.code:
            partner = reporter
        if partner is None:
            partner = next((c for c in ranked if c != x.code), None)
        if partner is None or partner == x.code:
            if indicator in ("export", "import"):
                return _with_world(indicator, x.code)
            if x.code in BLOCS and x.code != "WLD":
                return (x.code, x.code)
            return None
        if partner == "WLD":
            return _with_world(indicator, x.code)
        if indicator == "import" and x.role in ("subj", "gen"):
            return (partner, x.code)  # "Латвия ... сатып алған": the named buyer imports
        if x.role in ("src", "gen"):
            return direct(indicator, x, None, (x.code, partner), reporter)
        return direct(indicator, None, x, (partner, x.code), reporter)
    # no party near the amount
    if vi > 0 and prev_pair:
        return prev_pair
    if ctx.pair and si - ctx.pair_sent <= INHERIT_WINDOW:
        if world and "WLD" not in ctx.pair and ctx.single:
            return _with_world(indicator, ctx.single)
        pair = ctx.pair
        if indicator in ("export", "import") and "WLD" in pair:
            return _with_world(indicator, pair[0] if pair[1] == "WLD" else pair[1])
        if indicator in ("export", "import", "investment") and reporter in pair:
            side = pair[1] if pair[0] == reporter else pair[0]
            return direct(indicator, None, None, (reporter, side), reporter)
        return pair
    if ctx.single and si - ctx.single_sent <= INHERIT_WINDOW:
        if world or indicator in ("export", "import"):
            return _with_world(indicator, ctx.single)
        if ctx.single in BLOCS and mutual:
            return (ctx.single, ctx.single)
    return None


def _near(hits: list[Hit], v: Value, dist: int) -> bool:
    return any(abs(h.start - v.start) <= dist for h in hits)


def _with_world(indicator: str, x: str) -> tuple[str, str]:
    return ("WLD", x) if indicator in ("import", "investment") else (x, "WLD")


def _anchor_of_pair(pair: tuple[str, str], anchor: str | None, reporter: str | None) -> str:
    """Which side of the running pair a newly named partner pairs with."""
    for c in (reporter, anchor):
        if c in pair:
            return c  # type: ignore[return-value]
    return anchor or reporter or pair[0]


def _best_two(cand: list[PartyMention], v: Value) -> tuple[PartyMention, PartyMention]:
    if len(cand) == 2:
        a, b = cand
    else:
        near = sorted(cand, key=lambda p: min(abs(p.start - v.start), abs(p.end - v.end)))[:2]
        a, b = sorted(near, key=lambda p: p.start)
    return (a, b) if a.start <= b.start else (b, a)


def _doc_countries(parties: list[list[PartyMention]]) -> list[str]:
    """Countries of the article, most mentioned first (ties: first mentioned first)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    n = 0
    for pms in parties:
        for p in pms:
            n += 1
            if p.code in BLOCS or p.weak or "-" in p.code:
                continue
            counts[p.code] += 1
            first.setdefault(p.code, n)
    return sorted(counts, key=lambda c: (-counts[c], first[c]))


# ---------------------------------------------------------------- period, status, growth


def _pick_period(
    sa: SentenceAnalysis,
    v: Value,
    values: list[Value],
    own: list[PeriodMention],
    allp: list[PeriodMention],
    prev_period: str | None,
    including: list[Hit],
) -> tuple[str | None, bool, str]:
    starts = [w.start for w in values if w is not v]
    real = [p for p in own if p.kind != "present"]
    # comparison periods belong only to an amount right before them ("against 76,500 t in 2017")
    comp = [
        p
        for p in allp
        if p.comparison and 0 <= p.comparison_cue <= v.start and 0 <= p.start - v.end <= 3
    ]
    pre = [p for p in real if p.end <= v.start and not any(p.end <= s < v.start for s in starts)]
    post = [
        p
        for p in real
        if p.start >= v.end
        and not any(v.end <= s < p.start for s in starts)
        and (p.kind == "deadline" or not _clause_break(sa, v.end, p.start))
    ]
    chosen = None
    deadline_post = [p for p in post if p.kind == "deadline"]
    if deadline_post and not pre:
        chosen = deadline_post[0]
    elif comp:
        chosen = comp[0]
    elif pre:
        chosen = max(pre, key=lambda p: p.end)
    elif post:
        chosen = min(post, key=lambda p: p.start)
    elif real:
        before = [p for p in real if p.end <= v.start]
        if before:
            chosen = max(before, key=lambda p: p.end)
            if chosen.kind in ("year", "year_end") and any(
                chosen.end <= h.start < v.start for h in including
            ):
                # "2025 жылы 1,3 млрд ... қоса алғанда 5 млрд": the whole is the stock as of 2025
                return f"../{chosen.value}", True, "asof"
    if chosen is None:
        if any(p.kind == "present" for p in own):
            return None, True, "present"
        return None, False, ""
    if chosen.shift:
        base = prev_period
        if base is None:
            others = [p for p in real if not p.shift and p.value]
            base = others[0].value if others else None
        return shift_period(base, chosen.shift), True, "relative-shift"
    return chosen.value, True, "comparison" if chosen.comparison else chosen.kind


def _pick_status(
    sa: SentenceAnalysis,
    v: Value,
    live: list[Value],
    targets: list[Hit],
    weak_targets: list[Hit],
    forecasts: list[Hit],
    period_kind: str,
    period: str | None,
    pub: dt.date | None,
) -> str:
    def cost(h: Hit, w: Value) -> int:
        d = _dist(h, w)
        a, b = (h.end, w.start) if h.end <= w.start else (w.end, h.start)
        if _strong_break(sa, a, b):
            return d + 8
        return d + (3 if _clause_break(sa, a, b) else 0)

    def mine(h: Hit) -> bool:
        if not live:
            return False
        best = min(live, key=lambda w: cost(h, w))
        return best is v and cost(h, v) <= (15 if len(live) == 1 else 12)

    if any(mine(h) for h in targets):
        return "target"
    if any(mine(h) for h in forecasts):
        return "forecast"
    if any(mine(h) for h in weak_targets):
        return "target"
    if period_kind == "deadline":
        # "by 2030" is a goal; "as of 2025" with no goal word is a stock already reached
        year = int(period[3:7]) if period and period[3:7].isdigit() else None
        if year is None or pub is None or year > pub.year:
            return "target"
        return "actual"
    idx = live.index(v) if v in live else -1
    if 0 <= idx < len(live) - 1 and not any(mine(h) for h in targets + forecasts):
        nxt = live[idx + 1]
        # "5 млрд долларга ва 10 млрд долларга етказиш": one verb for both
        joined = sa.any_hit("role.and", v.end, nxt.start) and nxt.start - v.end <= 4
        if joined and any(_dist(h, nxt) <= 12 and _nearest(live, h) is nxt for h in targets):
            return "target"

    return "actual"


def _nearest(live: list[Value], h: Hit) -> Value:
    return min(live, key=lambda w: _dist(h, w))


def _dist(h: Hit, v: Value) -> int:
    if h.end <= v.start:
        return v.start - h.end
    if h.start >= v.end:
        return h.start - v.end
    return 0


def _growth_distance(sa: SentenceAnalysis, p: Percent, w: Value) -> int:
    d = p.start - w.end if w.end <= p.start else w.start - p.end
    if _clause_break(sa, min(w.end, p.end), max(w.start, p.start)):
        d += 8
    return d


def _attach_growth(
    sa: SentenceAnalysis, values: list[Value], percents: list[Percent]
) -> dict[int, Growth]:
    out: dict[int, Growth] = {}
    live = [v for v in values if not v.increment]
    for p in percents:
        if p.share or p.direction == 0:
            continue
        prev = [v for v in live if v.end <= p.start]
        nxt = [v for v in live if v.start >= p.end]
        cands = []
        if prev:
            cands.append(prev[-1])
        if nxt:
            cands.append(nxt[0])
        cands = [c for c in cands if id(c) not in out]
        if not cands:
            continue

        target = min(cands, key=partial(_growth_distance, sa, p))
        sign = -1 if p.direction < 0 else 1
        val = p.value * sign
        vmax = p.value_max * sign if p.value_max is not None else None
        if vmax is not None and vmax < val:
            val, vmax = vmax, val
        out[id(target)] = Growth(val, p.bound, vmax)
    return out


# ---------------------------------------------------------------- context and finishing


def _update_context(
    ctx: Context, m: Mentions, new: list[Fact], drafts: list[Draft], anchor: str | None
) -> None:
    sa, si, values, percents, pms, periods = m
    for v in values:
        if v.unit and v.unit != "t":
            ctx.currency = v.unit
    own = [
        p for p in periods if not p.comparison and p.kind not in ("deadline", "present", "since")
    ]
    if new:
        actual = [
            f
            for f in new
            if f.status == "actual"
            and f.period != "__lead__"
            and f.extra.get("period_kind") not in ("relative-shift", "comparison")
        ]
        if actual:
            if not _within(actual[-1].period, ctx.period):
                ctx.period = actual[-1].period
            ctx.period_set = True
            ctx.period_sent = si
        last = new[-1]
        ctx.pair = last.extra.get("order", last.parties)
        ctx.pair_sent = si
        ctx.indicator = last.indicator
        ctx.indicator_sent = si
        ctx.last_facts = new
        ctx.last_sent = si
    else:
        if own:
            ctx.period = own[-1].value
            ctx.period_set = True
            ctx.period_sent = si
        same_ind = (
            ctx.last_facts
            and not own
            and any(_cat(h) == ctx.last_facts[-1].indicator for h in _indicator_cues(sa))
        )
        if (
            ctx.last_facts
            and si - ctx.last_sent <= 2
            and (
                sa.hits_of("discourse.anaphora")
                or (all(v.increment for v in values) and values)
                or (same_ind and si - ctx.last_sent == 1)
            )
        ):
            _anaphoric_growth(ctx, percents, drafts)
        ps = [p for p in percents if not p.share and p.direction != 0]
        if len(ps) == 1 and _indicator_cues(sa):
            p = ps[0]
            ctx.pending_growth = Growth(
                p.value * (-1 if p.direction < 0 else 1), p.bound, p.value_max
            )
            ctx.pending_sent = si
            ctx.pending_period = own[-1].value if own else None
        cues = _indicator_cues(sa)
        if cues:
            ctx.indicator = _cat(cues[-1])
            if ctx.indicator == "transit":
                ctx.indicator = "freight"
            ctx.indicator_sent = si
        strong = _distinct(pms)
        codes = [p.code for p in strong]
        if len(codes) > 2:
            countries = [c for c in codes if c not in BLOCS]
            if len(countries) >= 2:
                codes = countries
        if len(codes) >= 2:
            ctx.pair = (codes[0], codes[1])
            ctx.pair_sent = si
            if sa.hits_of("indicator.world"):
                ctx.single = codes[0]
                ctx.single_sent = si
        elif len(codes) == 1:
            if sa.hits_of("indicator.world"):
                ctx.pair = (codes[0], "WLD")
                ctx.pair_sent = si
            elif ctx.pair and codes[0] not in ctx.pair and si - ctx.pair_sent <= INHERIT_WINDOW:
                keep = _anchor_of_pair(ctx.pair, anchor, ctx.reporter)
                if keep != "WLD":
                    ctx.pair = (keep, codes[0])
                    ctx.pair_sent = si
            elif anchor and codes[0] != anchor and codes[0] not in BLOCS:
                ctx.pair = (anchor, codes[0])
                ctx.pair_sent = si
            ctx.single = codes[0]
            ctx.single_sent = si
    for pm in pms:
        if pm.partner_of:
            ctx.reporter = pm.code


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


def _finish(
    drafts: list[Draft], analyses: list[SentenceAnalysis], pub: dt.date | None
) -> list[Fact]:
    # headline and lead figures without a period: the period the lead states next
    out: list[Fact] = []
    for d in drafts:
        f = d.fact
        if f.period == "__lead__":
            f = replace(f, period=_lead_period(analyses, d.sentence))
        out.append(f)
    # one fact per key; a null-period copy of a dated fact is the same fact
    seen: dict[tuple, int] = {}
    result: list[Fact] = []
    for f in out:
        k = _key(f)
        if k in seen:
            kept = result[seen[k]]
            if kept.growth is None and f.growth is not None:
                result[seen[k]] = replace(kept, growth=f.growth)
            continue
        seen[k] = len(result)
        result.append(f)
    dated: dict[tuple, Fact] = {_key(f)[1:]: f for f in result if f.period is not None}
    final: list[Fact] = []
    for f in result:
        if f.period is None and _key(f)[1:] in dated:
            continue
        twin = next((i for i, g in enumerate(final) if _same_figure(g, f)), None)
        if twin is None:
            final.append(f)
        elif _precision(f) > _precision(final[twin]):
            final[twin] = f
    return final


def _precision(f: Fact) -> tuple[int, int]:
    """Prefer an exact body figure to a rounded one or a headline."""
    return (int(f.bound == "eq"), int(not f.extra.get("title")))


def _same_figure(a: Fact, b: Fact) -> bool:
    """Two statements of one figure: same key, values within rounding of each other
    ("more than 29 mln t" in a headline and "29.4 mln t" in the body)."""
    if (a.indicator, a.parties, a.status, a.unit) != (b.indicator, b.parties, b.status, b.unit):
        return False
    if a.period != b.period and not (b.extra.get("title") or a.extra.get("title")):
        return False
    lo, hi = sorted((a.value, b.value))
    if hi == 0:
        return lo == 0
    if (hi - lo) / hi <= 0.005:
        return True
    rounded = b if b.value == lo else a
    return rounded.bound in ("gt", "approx") and (hi - lo) / hi <= 0.05


def _lead_period(analyses: list[SentenceAnalysis], si: int) -> str | None:
    """The first period the lead states after sentence ``si`` ("… 3 млрд доллардан асты.
    Жорий йилнинг 8 ойи якунларига кўра …")."""
    for sa in analyses[si + 1 : LEAD_SENTENCES + 2]:
        ps = [p for p in sa.periods if not p.comparison and p.kind not in ("deadline", "present")]
        if ps:
            return ps[0].value
    return None


def _key(f: Fact) -> tuple:
    return (
        f.period,
        f.indicator,
        f.parties,
        f.status,
        f.unit,
        round(f.value, -1) if f.value > 100 else f.value,
    )


_DEC_COMMA = re.compile(r"\d,\d{1,2}(?!\d)")
_DEC_POINT = re.compile(r"\d\.\d{1,2}(?!\d)")


def _decimal_comma(text: str) -> bool:
    return len(_DEC_COMMA.findall(text)) >= len(_DEC_POINT.findall(text))


def sentences_of(text: str) -> list[Sentence]:
    """The sentences extract() sees (for tools that show evidence)."""
    lex = load_lexicon()
    return split_sentences(text, lex.abbreviations, lex.closing_abbreviations)
