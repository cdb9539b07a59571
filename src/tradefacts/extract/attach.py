"""Which cues belong to which figure: indicator, period, status, growth and product.

A cue belongs to the nearest figure it is not cut off from by another figure or a clause
break; Turkic verb-final clauses put cues after the figure, the others before it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import Counter
from functools import partial

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.money import Percent, Value
from tradefacts.extract.periods import PeriodMention, shift_period
from tradefacts.lang.lexicon import Hit
from tradefacts.model import Growth


def currency_tokens(sa: SentenceAnalysis) -> set[int]:
    out: set[int] = set()
    for h in sa.hits_of("currency"):
        if h.end - h.start > 1:
            out.update(range(h.start, h.end))
    return out


def indicator_cues(sa: SentenceAnalysis) -> list[Hit]:
    """Indicator cues, longest match first; "none" phrases (trade minister) swallow cues.

    Computed once per sentence (the stages ask several times); do not modify the list."""
    if sa.cues is not None:
        return sa.cues
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
    sa.cues = out
    return out


def cue_indicator(h: Hit) -> str:
    return h.category.split(".", 1)[1]


def pick_indicator(
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
        if clause_break(sa, p.end, v.start) and not clause_break(sa, v.end, q.start):
            return cue_indicator(q)
        return cue_indicator(p)
    if p or q:
        return cue_indicator(p or q)  # type: ignore[arg-type]
    near = min(cues, key=lambda h: min(abs(h.start - v.start), abs(h.end - v.end)))
    return cue_indicator(near)


def _strong_break(sa: SentenceAnalysis, a: int, b: int) -> bool:
    """A break between clauses stronger than a comma (";", ":", "а", "while")."""
    return _any_between(sa.breaks()[1], a, b)


def clause_break(sa: SentenceAnalysis, a: int, b: int) -> bool:
    """A comma or a stronger break between tokens a and b."""
    return _any_between(sa.breaks()[0], a, b)


def _any_between(positions: list[int], a: int, b: int) -> bool:
    k = bisect_left(positions, a)
    return k < len(positions) and positions[k] < b


def pick_period(
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
        and (p.kind == "deadline" or not clause_break(sa, v.end, p.start))
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


def pick_status(
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
        d = cue_distance(h, w)
        a, b = (h.end, w.start) if h.end <= w.start else (w.end, h.start)
        if _strong_break(sa, a, b):
            return d + 8
        return d + (3 if clause_break(sa, a, b) else 0)

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
        if joined and any(cue_distance(h, nxt) <= 12 and _nearest(live, h) is nxt for h in targets):
            return "target"

    return "actual"


def _nearest(live: list[Value], h: Hit) -> Value:
    return min(live, key=lambda w: cue_distance(h, w))


def cue_distance(h: Hit, v: Value) -> int:
    if h.end <= v.start:
        return v.start - h.end
    if h.start >= v.end:
        return h.start - v.end
    return 0


def _growth_distance(sa: SentenceAnalysis, p: Percent, w: Value) -> int:
    d = p.start - w.end if w.end <= p.start else w.start - p.end
    if clause_break(sa, min(w.end, p.end), max(w.start, p.start)):
        d += 8
    return d


def attach_growth(
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


def product_of(sa: SentenceAnalysis, v: Value, cues: list[Hit]) -> str | None:
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
        before = [h for h in cues if h.end <= v.start and cue_indicator(h) in ("export", "import")]
        after = [h for h in cues if h.start >= v.end and cue_indicator(h) in ("export", "import")]
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
