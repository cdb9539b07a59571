"""Which cues belong to which figure: indicator, period, status, growth and product.

A cue belongs to the nearest figure it is not cut off from by another figure or a clause
break; Turkic verb-final clauses put cues after the figure, the others before it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from functools import partial

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.money import Percent, Value
from tradefacts.extract.periods import PeriodMention, shift_period
from tradefacts.extract.rules import by_start_longest
from tradefacts.lang.lexicon import Hit
from tradefacts.model import Growth


def indicator_cues(sa: SentenceAnalysis) -> list[Hit]:
    """Indicator cues, longest match first; "none" phrases (trade minister) swallow cues.

    Computed once per sentence (the stages ask several times); do not modify the list.
    The cues do not overlap: both their starts and their ends increase."""
    if sa.cues is not None:
        return sa.cues
    found = sa.hits_of("indicator")
    hits = (
        [h for h in found if h.category not in ("indicator.world", "indicator.goods")]
        if found
        else []
    )
    if not hits:
        sa.cues = hits
        return hits
    if len(hits) > 1:
        hits.sort(key=by_start_longest)
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
    """The indicator a cue names: "indicator.export" -> "export"."""
    found = _INDICATOR_OF.get(h.category)
    if found is None:
        found = _INDICATOR_OF[h.category] = h.category.split(".", 1)[1]
    return found


_INDICATOR_OF: dict[str, str] = {}  # cue category -> indicator


def pick_indicator(
    sa: SentenceAnalysis, v: Value, values: list[Value], cues: list[Hit]
) -> str | None:
    if not cues:
        return None
    starts = [w.start for w in values if w is not v]
    if starts:  # a cue with another figure between it and this one is not this one's
        pre = [h for h in cues if h.end <= v.start and not _any_in(starts, h.end, v.start)]
        post = [h for h in cues if h.start >= v.end and not _any_in(starts, v.end, h.start)]
    else:
        pre = [h for h in cues if h.end <= v.start]
        post = [h for h in cues if h.start >= v.end]
    p = pre[-1] if pre else None  # the cue ending last (cues are in order)
    q = post[0] if post else None  # the cue starting first
    if p and q:
        if clause_break(sa, p.end, v.start) and not clause_break(sa, v.end, q.start):
            return cue_indicator(q)
        return cue_indicator(p)
    if p or q:
        return cue_indicator(p or q)  # type: ignore[arg-type]
    near = min(cues, key=lambda h: min(abs(h.start - v.start), abs(h.end - v.end)))
    return cue_indicator(near)


def _any_in(positions: list[int], a: int, b: int) -> bool:
    """Does one of ``positions`` (in any order) fall within [a, b)?"""
    for s in positions:  # noqa: SIM110 - a plain loop: no generator per call
        if a <= s < b:
            return True
    return False


def strong_break(sa: SentenceAnalysis, a: int, b: int) -> bool:
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
    ctx_period: str | None = None,
) -> tuple[str | None, bool, str]:
    if not allp:
        return None, False, ""  # the sentence names no period
    starts = [w.start for w in values if w is not v]
    # "a year earlier", "годом ранее" shifts only the figure right before it
    real = [
        p
        for p in own
        if p.kind != "present"
        and (not p.shift or 0 <= p.start - v.end <= 3 or 0 <= v.start - p.end <= 2)
    ]
    # comparison periods belong only to an amount right before them ("against 76,500 t in 2017")
    comp = [
        p
        for p in allp
        if p.comparison
        and p.comparison_cue >= 0
        and (p.comparison_cue <= v.start or v.end <= p.comparison_cue <= p.start)
        and 0 <= p.start - v.end <= 6
        and not _any_in(starts, v.end, p.start)
    ]
    pre = [
        p
        for p in real
        if p.end <= v.start
        and not _any_in(starts, p.end, v.start)
        # the period right after another figure is that figure's, not across a clause
        # ("$70 bn by the end of the year, while ... $45 bn by 2030")
        and not (_trails_value(sa, values, v, p) and clause_break(sa, p.end, v.start))
    ]
    post = [
        p
        for p in real
        if p.start >= v.end
        and not _any_in(starts, v.end, p.start)
        and (p.kind == "deadline" or not clause_break(sa, v.end, p.start))
    ]
    chosen = None
    deadline_post = [p for p in post if p.kind == "deadline"]
    last_pre = max(pre, key=lambda p: p.end) if pre else None
    first_post = min(post, key=lambda p: p.start) if post else None
    if deadline_post and not pre:
        chosen = deadline_post[0]
    elif comp:
        chosen = comp[0]
    elif (
        last_pre
        and first_post
        and clause_break(sa, last_pre.end, v.start)
        and not clause_break(sa, v.end, first_post.start)
    ):
        # "... last year, up from $9.3 billion in 2022": the period in the figure's own
        # clause
        chosen = first_post
    elif last_pre:
        chosen = last_pre
    elif first_post:
        chosen = first_post
    elif real:
        before = [p for p in real if p.end <= v.start]
        if before:
            chosen = max(before, key=lambda p: p.end)
            if _trails_value(sa, values, v, chosen) and clause_break(sa, chosen.end, v.start):
                # another figure's period across a clause: this one shares it when it is
                # reported alike ("..., while Kyrgyz statistics show $3.2 billion"), not
                # when it is a goal (facts drops it for targets and forecasts)
                return chosen.value, True, "trailing"
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
            others = [p for p in own if not p.shift and p.value and p.kind != "present"]
            base = others[0].value if others else ctx_period
        return shift_period(base, chosen.shift), True, "relative-shift"
    if chosen.comparison and chosen.kind == "year" and chosen.value:
        same = sa.any_hit("period.same_period", chosen.start - 6, chosen.start)
        base = next((p for p in real if not p.comparison and p.value and "-" in p.value), None)
        if same and base is not None:
            # "against $968.3 million in the same period of 2024": January-July 2024
            years = int(chosen.value[:4]) - int(base.value.lstrip(".")[:4])
            return shift_period(base.value, years), True, "comparison"
    return chosen.value, True, "comparison" if chosen.comparison else chosen.kind


def _trails_value(sa: SentenceAnalysis, values: list[Value], v: Value, p: PeriodMention) -> bool:
    """Does the period stand right after another figure, in its clause ("$70 bn by the
    end of the year")?"""
    for w in values:
        if (
            w is not v
            and w.end <= p.start
            and p.start - w.end <= 3
            and not clause_break(sa, w.end, p.start)
        ):
            return True
    return False


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
    if targets and any(_cue_of(sa, h, v, live) for h in targets):
        return "target"
    if forecasts and any(_cue_of(sa, h, v, live) for h in forecasts):
        return "forecast"
    if weak_targets and any(_cue_of(sa, h, v, live) for h in weak_targets):
        return "target"
    if period_kind == "deadline":
        # "by 2030" is a goal; "as of 2025" with no goal word is a stock already reached
        year = int(period[3:7]) if period and period[3:7].isdigit() else None
        if year is None or pub is None or year > pub.year:
            return "target"
        return "actual"
    if targets:
        # (no target or forecast cue is this figure's own: those returned above)
        idx = _index_of(live, v)
        if 0 <= idx < len(live) - 1:
            nxt = live[idx + 1]
            # "5 млрд долларга ва 10 млрд долларга етказиш": one verb for both
            joined = (sa.any_hit("role.and", v.end, nxt.start) and nxt.start - v.end <= 4) or (
                # "10 млрд долларға, ал ұзақ мерзімде 15 млрд долларға жеткізу": both "to"
                v.case == "dative" and nxt.case == "dative" and nxt.start - v.end <= 8
            )
            if joined and any(
                cue_distance(h, nxt) <= 12 and _nearest(live, h) is nxt for h in targets
            ):
                return "target"
    return "actual"


def _index_of(values: list[Value], v: Value) -> int:
    """Where ``v`` itself is in ``values`` (-1: not there). The figures of a sentence
    start at different tokens, so identity and equality agree."""
    for k, w in enumerate(values):
        if w is v:
            return k
    return -1


def _cue_cost(sa: SentenceAnalysis, h: Hit, w: Value) -> int:
    """How far a status cue is from a figure: tokens, and more across a clause break."""
    d = cue_distance(h, w)
    a, b = (h.end, w.start) if h.end <= w.start else (w.end, h.start)
    if strong_break(sa, a, b):
        return d + 8
    return d + (3 if clause_break(sa, a, b) else 0)


def _cue_of(sa: SentenceAnalysis, h: Hit, v: Value, live: list[Value]) -> bool:
    """Does the cue ``h`` belong to ``v``: nearest to it of all live figures, and near?"""
    if not live:
        return False
    if len(live) == 1:
        return live[0] is v and _cue_cost(sa, h, v) <= 15
    best = min(live, key=lambda w: _cue_cost(sa, h, w))
    return best is v and _cue_cost(sa, h, v) <= 12


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
    if not percents:
        return out
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

        # (the nearer of two candidates, a clause break counting as distance)
        target = cands[0] if len(cands) == 1 else min(cands, key=partial(_growth_distance, sa, p))
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
    stops: set[int] | None = None
    if v.unit == "t" or v.case == "attributive":  # "8,3 mlrd dollarlik oltin": gold worth
        stops = _scope_stops(sa)
        after = v.end
        bound = sa.first_hit("bound", after)
        if bound is not None:
            after = bound.end  # "1,5 млн тоннаға жуық бидай"
        words = _product_words(sa, after, +1, stops)
        if not words:
            # "1,74 млн тонн казахстанской пшеницы": the goods after their origin
            origin = sa.first_hit("party", v.end)
            if origin is not None:
                words = _product_words(sa, origin.end, +1, stops)
    if not words:
        cue = None
        before = [h for h in cues if h.end <= v.start and cue_indicator(h) in ("export", "import")]
        after = [h for h in cues if h.start >= v.end and cue_indicator(h) in ("export", "import")]
        cue = before[-1] if before else (after[0] if after else None)
        if cue is None:
            return None
        if stops is None:
            stops = _scope_stops(sa)
        langs: dict[str, int] = {}  # hits by language, in order of first appearance
        for h in sa.hits:
            langs[h.lang] = langs.get(h.lang, 0) + 1
        lang = max(langs, key=lambda c: (langs[c], c == cue.lang)) if langs else cue.lang
        if sa.lexicon.languages[lang].case_of:
            k = cue.start
            p = sa.last_hit_ending("party", k)
            if p:
                k = p.start
            words = _product_words(sa, k - 1, -1, stops)
        else:
            words = _product_words(sa, cue.end, +1, stops)
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


#: categories whose words end a product scope: names, roles, periods, figures, other cues
_NOT_PRODUCT = (
    "party",
    "party_weak",
    "party_proper",
    "party_acronym",
    "role",
    "period",
    "month",
    "status",
    "bound",
    "growth",
    "indicator.export",
    "indicator.import",
    "indicator.turnover",
    "indicator.freight",
    "indicator.transit",
    "scale",
    "currency",
    "discourse",
)
_ENDS_SCOPE: dict[str, bool] = {}  # category -> is it one of _NOT_PRODUCT or under one


def _ends_scope(category: str) -> bool:
    """Is ``category`` one of _NOT_PRODUCT or under one (remembered per category)?"""
    found = _ENDS_SCOPE.get(category)
    if found is None:
        found = any(category == c or category.startswith(c + ".") for c in _NOT_PRODUCT)
        _ENDS_SCOPE[category] = found
    return found


def _scope_stops(sa: SentenceAnalysis) -> set[int]:
    """The tokens a product scope cannot take: those of a figure, and those where a word
    of the categories above starts or ends."""
    stops = set(sa.value_tokens)
    known = _ENDS_SCOPE
    toks = sa.tokens
    for h in sa.hits:
        cat = h.category
        if known.get(cat) or (cat not in known and _ends_scope(cat)):
            stops.add(h.start)
            stops.add(h.end - 1)
            if h.end + 1 < len(toks) and toks[h.end].text == "-" and not toks[h.end].space_before:
                stops.add(h.end + 1)  # an ending after a hyphen: "АҚШ-қа"
    return stops


def _product_words(sa: SentenceAnalysis, k: int, step: int, stops: set[int]) -> list[int]:
    """Up to three words from token ``k`` on (``step`` +1: rightwards, -1: leftwards)."""
    toks = sa.tokens
    out: list[int] = []
    if step > 0 and k < len(toks) and sa.first_hit("role.of", k):
        k += 1
    while 0 <= k < len(toks) and len(out) < 3:
        t = toks[k]
        if t.kind != "word" and not (t.text == "-" and not t.space_before and out):
            break
        if k in stops:
            break
        out.append(k)
        k += step
    while out and toks[out[-1]].text == "-":
        out.pop()
    return sorted(out)
