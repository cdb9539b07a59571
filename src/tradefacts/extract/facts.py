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
from bisect import bisect_left
from dataclasses import replace
from operator import itemgetter

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.attach import (
    attach_growth,
    clause_break,
    cue_indicator,
    indicator_cues,
    pick_indicator,
    pick_period,
    pick_status,
    product_of,
)
from tradefacts.extract.context import Context, Draft, Mentions, update_context
from tradefacts.extract.money import Value, figure_window, find_amounts
from tradefacts.extract.pairs import doc_countries, local_parties, pick_pair, with_world
from tradefacts.extract.parties import PartyMention, find_parties, region_country
from tradefacts.extract.periods import (
    find_periods,
    may_name_period,
    parse_iso,
    publication_date,
)
from tradefacts.extract.rules import BLOCS, INHERIT_WINDOW, LEAD_SENTENCES
from tradefacts.extract.tokens import Sentence, split_sentences, tokenize
from tradefacts.lang.lexicon import Hit, Lexicon, load_lexicon
from tradefacts.model import Evidence, Fact, normalize_parties


def extract_facts(text: str, published: dt.date | str | None = None) -> list[Fact]:
    lex = load_lexicon()
    pub = parse_iso(published) if published else None
    if pub is None:
        pub = publication_date(text, lex)
    sentences = split_sentences(text, lex.abbreviations, lex.closing_abbreviations)
    # context only flows forward: nothing after the last sentence with a figure matters
    last = len(sentences) - 1
    while last >= 0 and not _has_figure(sentences[last].text, lex.scale_word_re):
        last -= 1
    if last < 0:
        return []
    sentences = sentences[: last + 1]
    _tokenize_once(text, sentences)
    analyses = [SentenceAnalysis(s, lex) for s in sentences]
    # the text's decimal mark only decides numbers written with a point ("1.500")
    decimal_comma = _decimal_comma(text) if _point_in_numbers(analyses) else True
    amounts = [find_amounts(sa, decimal_comma) for sa in analyses]
    parties = [find_parties(sa) for sa in analyses]
    ranked, counts = doc_countries(parties)
    anchor = ranked[0] if ranked else None
    ctx = Context(pub=pub, sample=text[:400], counts=counts)
    drafts: list[Draft] = []
    for si, (sa, (values, percents), pms) in enumerate(
        zip(analyses, amounts, parties, strict=True)
    ):
        periods = (
            find_periods(sa, pub, ctx.year(si), ctx.month_range(si)) if may_name_period(sa) else []
        )
        sa.periods = periods
        m = Mentions(sa, si, values, percents, pms, periods)
        new = _sentence_facts(m, ctx, anchor, lex, ranked) if values else []
        if new:
            title = sa.sentence.is_title
            drafts.extend([Draft(f, si, title) for f in new])
        update_context(ctx, m, new, drafts, anchor)
    return _finish(drafts, analyses, pub)


def _has_figure(text: str, scale_word: re.Pattern[str]) -> bool:
    """Does the text hold a digit, or a scale word where a word starts ("миллиарддан",
    "2,5 billion"; not "coming")?"""
    if _DIGIT.search(text):
        return True
    low = text.lower()
    pos = 0
    while (m := scale_word.search(low, pos)) is not None:
        at = m.start()
        if at == 0 or not (low[at - 1].isalnum() or low[at - 1] == "_"):  # what "\b" means
            return True
        pos = at + 1
    return False


def _tokenize_once(text: str, sentences: list[Sentence]) -> None:
    """Tokenize the text of all the sentences in one go and hand each its tokens.

    Sentences start and end next to white space, so the tokens are the same as
    tokenizing each sentence alone."""
    lo = sentences[0].start
    toks = tokenize(text[lo : sentences[-1].end], lo)
    i = 0
    for s in sentences:
        j = bisect_left(toks, s.end, i, key=_TOKEN_START)
        s._tokens = toks[i:j]
        i = j


_TOKEN_START = itemgetter(2)  # Token.start


def _sentence_facts(
    m: Mentions, ctx: Context, anchor: str | None, lex: Lexicon, ranked: list[str] | None = None
) -> list[Fact]:
    sa, si, values, percents, pms, periods = m
    facts: list[Fact] = []
    if not values:
        return facts
    if sa.any_hit("discourse.read_also", 0, 3):
        return facts  # "Read also: ...": a link to another article
    cues = indicator_cues(sa)
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
    growth_of = attach_growth(sa, values, percents)
    prev_pair: tuple[str, str] | None = None
    prev_cue: str | None = None  # the indicator the previous figure's own words gave
    relabelled = False
    prev_period: str | None = None
    local_sets = local_parties(values, pms, respectively, sa.tokens)
    paired_cues: dict[int, str] = {}
    if respectively and len(live) >= 2 and len(cues) >= 2:
        paired_cues = _respective_cues(sa, values, cues, pms, respectively[0], local_sets)
    all_local = [p for ls in local_sets for p in ls]
    # "Қазақстанның ... Өзбекстанмен - 4,3 млрд, Түркиямен - 4,9 млрд": the list's owner
    sentence_anchor = None
    if local_sets and len({p.code for p in local_sets[0]}) >= 2:
        # the owner: a name in the genitive ("of Azerbaijani goods"), else the first one
        owners = [
            p
            for p in local_sets[0]
            if p.role == "gen" or sa.first_hit("indicator.goods", p.end)  # "Azerbaijani goods"
        ]
        first = min(owners or local_sets[0], key=lambda p: p.start)
        # its role belongs to the first figure's clause, not to the later ones
        sentence_anchor = PartyMention(
            first.code, first.start, first.end, "subj", first.weak, first.partner_of, first.listed
        )
    sentence_unit = None  # the currency of the last figure of this sentence so far
    for vi, v in enumerate(values):
        if v.unit and v.unit != "t":
            sentence_unit = v.unit
        if v.increment:
            continue
        unit = v.unit or sentence_unit or ctx.currency
        if unit is None:
            continue
        if excludes and _excluded(sa, v, excludes, cues):
            continue
        if v.scale == 1 and (v.value < 100 if unit == "t" else v.value < 100_000):
            continue  # "450 долларов", "1 dollar = 34,2 lira", "бір тоннасы": a price or rate
        indicator = paired_cues.get(vi) or pick_indicator(sa, v, values, cues)
        if (
            worths
            and v.case != "attributive"
            and any(h.end in (v.start, v.start - 1) for h in worths)
        ):
            v.case = "attributive"
        if indicator is None and v.case == "attributive":
            continue  # "$1.2 bn worth of projects" describes a noun, not a trade figure
        if excludes and indicator is not None and _cues_excluded(indicator, cues, excludes):
            continue  # "Investment in fixed capital", "инвестиции в основной капитал"
        if indicator is None and si - ctx.indicator_sent <= 2:
            indicator = ctx.indicator
        if indicator is None and unit == "t" and _sender(local_sets[vi], None) is not None:
            # "Kazakhstan sent 1.8 million tonnes of grain to China": goods one country
            # sends another (the freight branch below turns it into an export)
            indicator = "freight"
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
        if not local and sa.domestic and _domestic_near(sa.domestic, values, vi):
            continue  # "Бишкек шаарына – 340 млн доллар": a city's figure, no pair
        cue_indicator = indicator
        if prev_pair and not local and {prev_cue, indicator} == {"export", "import"}:
            prev_pair = (prev_pair[1], prev_pair[0])  # "экспорт ... , а импорт ...": the other way
        pair = pick_pair(
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
        pair = _region_pair(pair, ctx.main_pair)
        if pair is None:
            continue
        if pair[0] == pair[1] and pair[0] not in BLOCS:
            pair = with_world(indicator, pair[0])  # "oltin eksport qilingan": to the world
        if indicator == "investment" and _domestic_region(pair, local, anchor):
            continue  # investment into a region of the country with no source named
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
        # period (the article's running period holds for a few sentences)
        running = ctx.period_set and si - ctx.period_sent <= INHERIT_WINDOW
        period, has_own, period_kind = pick_period(
            sa,
            v,
            values,
            own_periods,
            periods,
            prev_period,
            including,
            ctx.period if running else None,
        )
        status = pick_status(
            sa, v, live, targets, weak_targets, forecasts, period_kind, period, ctx.pub
        )
        if period_kind == "trailing" and status != "actual":
            period, has_own = None, True  # "... in 2022, and ... raising it to $30 billion"
        if not has_own:
            if status == "actual" and running:
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
        product = product_of(sa, v, cues) if indicator in ("export", "import") else None
        if indicator == "freight" and not transit and v.unit == "t" and pair[0] != pair[1]:
            # "Kazakhstan sent 1.8 million tonnes of grain to China by rail", "Казахстан
            # поставил в Россию 9,4 млн тонн угля": a commodity one country sends, not cargo
            sent = _sender(local, pair)
            if sent is not None:
                goods = product_of(sa, v, [])
                if goods is not None:
                    indicator, product, pair = "export", goods, sent
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


def _respective_cues(
    sa: SentenceAnalysis,
    values: list[Value],
    cues: list[Hit],
    pms: list[PartyMention],
    resp: Hit,
    local_sets: list[list[PartyMention]],
) -> dict[int, str]:
    """ "Export to China and import from China were 1.3 bn and 4.8 bn respectively": the
    i-th indicator word goes with the i-th figure, with the names of its own part of the
    list (which replace the figure's local names in ``local_sets``). Figure index ->
    indicator."""
    before = [i for i, v in enumerate(values) if v.end <= resp.start and not v.increment]
    group = (
        before
        if len(before) >= 2
        else [i for i, v in enumerate(values) if v.start >= resp.start and not v.increment]
    )
    if len(group) < 2:
        return {}
    first = values[group[0]].start
    lo = values[group[0] - 1].end if group[0] > 0 else 0
    listed = [c for c in cues if lo <= c.start and c.end <= first]
    kinds = [cue_indicator(c) for c in listed]
    if len(listed) != len(group) or len(set(kinds)) < 2 or "transit" in kinds:
        return {}
    # the parts of the list: split between consecutive cues at "and" or a comma
    and_at = sa.index("role.and")[0]
    toks = sa.tokens
    bounds = [lo]
    for a, b in zip(listed, listed[1:], strict=False):
        cut = next((k for k in range(a.end, b.start) if k in and_at or toks[k].text == ","), None)
        if cut is None:
            return {}
        bounds.append(cut)
    bounds.append(first)
    out: dict[int, str] = {}
    for j, vi in enumerate(group):
        out[vi] = kinds[j]
        local_sets[vi] = [p for p in pms if bounds[j] <= p.start < bounds[j + 1]]
    return out


def _sender(local: list[PartyMention], pair: tuple[str, str] | None) -> tuple[str, str] | None:
    """The pair ordered from the sender, when the figure's own names say who sends
    (a source or a destination), else None. Without a pair: the figure's two names."""
    roles = {p.code: p.role for p in local}
    if pair is not None:
        a, b = pair
    elif len(roles) == 2:
        a, b = roles
    else:
        return None
    if roles.get(b) == "dest" or roles.get(a) == "src":
        return (a, b)
    if roles.get(a) == "dest" or roles.get(b) == "src":
        return (b, a)
    return None


def _region_pair(
    pair: tuple[str, str], main_pair: tuple[str, str] | None
) -> tuple[str, str] | None:
    """A region never trades with its own country ("товарооборот республики с соседним
    регионом КНР — Синьцзяном"): the country's place goes to the other side of the
    article's pair; two regions of one country are domestic trade (None)."""
    a, b = pair
    ca = region_country(a) if "-" in a else None
    cb = region_country(b) if "-" in b else None
    if ca is not None and cb is not None and ca == cb:
        return None
    for region, country, other_is_b in ((a, ca, True), (b, cb, False)):
        if country is not None and country == (b if other_is_b else a):
            if main_pair is None or country not in main_pair:
                return None
            partner = main_pair[1] if main_pair[0] == country else main_pair[0]
            return (region, partner) if other_is_b else (partner, region)
    return pair


def _domestic_near(domestic: list[int], values: list[Value], vi: int) -> bool:
    """Does a city stand between the previous figure and the next one?"""
    lo, hi = figure_window(values, vi)
    return any(lo <= k < hi for k in domestic)


def _domestic_region(pair: tuple[str, str], local: list[PartyMention], anchor: str | None) -> bool:
    """Is one side a region of the article's country, the other not named with the
    figure ("Тошкент шаҳри (2,4 млрд доллар)" after a list of investor countries), or is
    it foreign investment into a region ("investments worth $1.3 billion were utilized in
    the region")?"""
    if pair[0] == "WLD" and "-" in pair[1]:
        return True
    named = {p.code for p in local}
    for c, other in (pair, pair[::-1]):
        if "-" in c and region_country(c) == anchor and other not in named:
            return True
    return False


def _cues_excluded(indicator: str, cues: list[Hit], excludes: list[Hit]) -> bool:
    """Does every word of the sentence naming ``indicator`` come with an exclusion word
    right next to it (what kind of investment or trade it is)?"""
    mine = [c for c in cues if cue_indicator(c) == indicator]
    return bool(mine) and all(
        any(c.end <= h.start <= c.end + 2 or c.start - 3 <= h.start < c.start for h in excludes)
        for c in mine
    )


def _excluded(sa: SentenceAnalysis, v: Value, excludes: list[Hit], cues: list[Hit]) -> bool:
    """Is the figure about something that is no trade fact (a price, a budget, the trade
    balance, remittances)? An exclusion word right around it, or earlier in its clause
    with no other indicator word between them ("сальдо внешней торговли сложилось в
    размере ...")."""
    for h in excludes:
        if abs(h.start - v.start) <= 6 or abs(h.start - v.end) <= 4:
            return True
        if (
            h.end <= v.start
            and v.start - h.end <= 14
            and not clause_break(sa, h.end, v.start)
            # a cue right after the word is what it measures ("сальдо внешней торговли")
            and not any(h.end + 2 < c.start < v.start for c in cues)
        ):
            return True
    return False


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
    keys: list[tuple] = []
    for f in out:
        k = _key(f)
        if k in seen:
            kept = result[seen[k]]
            if kept.growth is None and f.growth is not None:
                result[seen[k]] = replace(kept, growth=f.growth)
            continue
        seen[k] = len(result)
        result.append(f)
        keys.append(k)
    dated = {k[1:] for f, k in zip(result, keys, strict=True) if f.period is not None}
    final: list[Fact] = []
    # the facts kept so far by what _same_figure compares first, in order
    alike: dict[tuple, list[int]] = {}
    for f, k in zip(result, keys, strict=True):
        if f.period is None and k[1:] in dated:
            continue
        group = alike.setdefault((f.indicator, f.parties, f.status, f.unit), [])
        twin = next((i for i in group if _same_figure(final[i], f)), None)
        if twin is None:
            group.append(len(final))
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
    if (hi - lo) / hi > 0.05:
        return False
    # the rounded statement: "more than" below the exact figure, "about" either side
    # ("жуықтады" 9 bn in the headline, 8.9 bn in the body)
    low = b if b.value == lo else a
    high = a if low is b else b
    return low.bound in ("gt", "approx") or high.bound in ("lt", "approx")


def _lead_period(analyses: list[SentenceAnalysis], si: int) -> str | None:
    """The first period the lead states after sentence ``si`` ("… 3 млрд доллардан асты.
    Жорий йилнинг 8 ойи якунларига кўра …")."""
    for sa in analyses[si + 1 : LEAD_SENTENCES + 2]:
        ps = [p for p in sa.periods if not p.comparison and p.kind not in ("deadline", "present")]
        if ps:
            return ps[0].value
    return None


def _key(f: Fact) -> tuple:
    v = f.value
    if v > 100 and v % 10:  # a multiple of ten is its own rounding: round() is slow
        v = round(v, -1)
    return (f.period, f.indicator, f.parties, f.status, f.unit, v)


_DIGIT = re.compile(r"\d")
_DECIMAL_MARK = re.compile(r"\d([,.])\d{1,2}(?!\d)")


def _point_in_numbers(analyses: list[SentenceAnalysis]) -> bool:
    """Is some number of the sentences written with a point?"""
    for sa in analyses:
        toks = sa.tokens
        for i in sa.nums:
            if "." in toks[i].text:
                return True
    return False


def _decimal_comma(text: str) -> bool:
    """Does the text write decimals with a comma ("3,4 млрд") rather than a point?"""
    marks = _DECIMAL_MARK.findall(text)
    return 2 * marks.count(",") >= len(marks)


def sentences_of(text: str) -> list[Sentence]:
    """The sentences extract() sees (for tools that show evidence)."""
    lex = load_lexicon()
    return split_sentences(text, lex.abbreviations, lex.closing_abbreviations)
