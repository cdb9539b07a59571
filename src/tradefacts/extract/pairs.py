"""Which two parties a figure is about, and in which direction (SPEC "parties").

The names around the figure first (since the previous figure), then the owner of a list
in the same sentence, then the pair the article has been speaking about, then its most
mentioned countries; the world when a country trades with everyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.attach import clause_break, strong_break
from tradefacts.extract.attach import indicator_cues as indicator_cues_of
from tradefacts.extract.money import Value, figure_window
from tradefacts.extract.parties import CASE_ROLE, PartyMention, direct, region_country
from tradefacts.extract.rules import BLOCS, INHERIT_WINDOW
from tradefacts.lang.lexicon import Hit

if TYPE_CHECKING:
    from tradefacts.extract.context import Context


def _clause_break_tokens(tokens: list, a: int, b: int) -> bool:
    return any(t.text in ",;،؛" for t in tokens[a:b])


def local_parties(
    values: list[Value], pms: list[PartyMention], respectively: list[Hit], tokens: list
) -> list[list[PartyMention]]:
    """The party mentions that belong to each amount (text since the previous amount)."""
    if not pms:
        return [[] for _ in values]
    out: list[list[PartyMention]] = []
    for i, v in enumerate(values):
        lo, hi = figure_window(values, i)
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
        if len(before) < 2:
            # the word before the figures ("mos ravishda 782,3 mln va 341,7 mln"): the
            # names before the word go with the figures after it
            lo = values[before[-1]].end if before else -1
            before = [i for i, v in enumerate(values) if v.start >= r]
            first = [p for p in pms if lo <= p.start < r]
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


def distinct_parties(pms: list[PartyMention]) -> list[PartyMention]:
    """One mention per party (the one with the most telling role), the weak ones (a
    capital for its country) only when fewer than two strong ones remain."""
    if len(pms) < 2:
        return list(pms)
    seen: dict[str, PartyMention] = {}
    for p in pms:
        if p.code not in seen or (
            seen[p.code].role in ("subj", "loc") and p.role not in ("subj", "loc")
        ):
            seen[p.code] = p
    strong = [p for p in seen.values() if not p.weak]
    weak = [p for p in seen.values() if p.weak]
    return strong + weak if len(strong) < 2 else strong


def pick_pair(
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
    cand = distinct_parties(local)
    if ctx.last_bloc and len(cand) < 2 and all(p.code != ctx.last_bloc for p in cand):
        # "со странами союза", "Ұйымға мүше мемлекеттер": the bloc named last
        bw = _word_for_named(sa, "discourse.bloc_word", values, vi, pms)
        if (
            bw is not None
            # not a scope: "Одақ елдерінің ішінде" (but "ұйым ішіндегі": within it)
            and not (
                sa.first_hit("discourse.country_word", bw.end)
                and sa.any_hit("role.among", bw.end + 1, bw.end + 3)
            )
        ):
            # the case of the word itself ("Ұйымға"); a preposition gives a direction
            # ("imports from the union") only where goods move: "в союзе" is where
            role = CASE_ROLE.get(bw.case or "", "")
            if not role:
                role = _neighbour_role(sa, bw) if indicator in ("export", "import") else "subj"
            cand = [*cand, PartyMention(ctx.last_bloc, bw.start, bw.end, role)]
    if ctx.last_region and len(cand) < 2 and all(p.code != ctx.last_region for p in cand):
        # "Хитойнинг минтақага экспорти", "mintaqa bilan tovar ayirboshlash": the region
        # named last
        rw = _word_for_named(sa, "discourse.region_word", values, vi, pms)
        if (
            rw is not None
            and rw.case not in ("locative", "adjectival")  # "Mintaqadagi asosiy hamkor"
        ):
            role = CASE_ROLE.get(rw.case or "", "") or _neighbour_role(sa, rw)
            cand = [*cand, PartyMention(ctx.last_region, rw.start, rw.end, role)]
    if len(cand) < 2:
        ours = _our_figure(sa, values, vi, ctx)
        if ours is not None and all(p.code != ours.code for p in cand):
            cand = [*cand, ours]
    reporter = ctx.reporter
    for p in pms:
        if p.partner_of:
            reporter = p.code
    if transit:
        one = cand[0].code if cand else (ctx.single or anchor)
        return (one, "WLD") if one else None
    nb = _neighbour_of(sa, values, vi) if len(cand) < 2 else None
    if nb is not None:
        # "көрші республикаға", "импорт из соседней республики": the other country of
        # the article's pair (of this sentence's last figure, else the article's), seen
        # from the article's own country, with the role its case or preposition gives it
        pair = prev_pair if prev_pair and "WLD" not in prev_pair else ctx.main_pair
        named = any(p.start in (nb.end, nb.end + 1) for p in pms)  # "с соседним Афганистаном"
        x = cand[0] if cand else None
        home = None
        if pair is not None and not named:
            lang_home = home_country(sa, "", ctx)
            if lang_home in pair:
                home = lang_home
            elif x is not None and x.code in pair:
                home = x.code
            elif x is None and anchor in pair:
                home = anchor
        if home is not None and pair is not None:
            other = pair[1] if pair[0] == home else pair[0]
            role = _neighbour_role(sa, nb)
            if x is not None and x.code == other:
                x = None  # the neighbour named again ("Қозоғистон ҳиссасига ... қўшни мамлакатдан")
            if x is None and role == "subj":
                # "Көрші ел ... экономикамызға 1,81 млрд доллар құйды": the neighbour acts
                return (home, other) if indicator == "import" else (other, home)
            n = PartyMention(other, nb.start, nb.end, role)
            h = x if x is not None else PartyMention(home, -1, -1, "subj")
            a, b = (h, n) if h.start <= n.start else (n, h)
            return direct(indicator, a, b, (a.code, b.code), reporter)
    if (
        ctx.main_pair
        and len(cand) < 2
        and (
            sa.hits_of("discourse.two_countries")
            # "bilateral trade", "взаимная торговля" with no bloc in sight
            or (
                mutual
                and not any(c.code in BLOCS for c in cand)
                and not (ctx.pair and (ctx.pair[0] in BLOCS or ctx.pair[1] in BLOCS))
                and ctx.single not in BLOCS
            )
        )
    ):
        # "between the two countries", "екі ел арасында": the article's pair
        pair = ctx.main_pair
        x = cand[0] if cand else None
        if x is None or x.code in pair:
            if indicator in ("export", "import", "investment"):
                if x is not None:
                    other = pair[1] if pair[0] == x.code else pair[0]
                    return direct(indicator, x, None, (x.code, other), reporter)
                if reporter in pair:
                    side = pair[1] if pair[0] == reporter else pair[0]
                    return direct(indicator, None, None, (reporter, side), reporter)
            return pair
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
            if indicator == "investment" and x.role in ("src", "subj"):
                # "the Netherlands remained the largest source of FDI": the source of the
                # foreign investment the article's country receives
                target = home_country(sa, x.code, ctx) or (anchor if anchor != x.code else None)
                if target and target in ctx.seen:
                    return (x.code, target)
            return with_world(indicator, x.code)
        if (
            x.code in BLOCS
            and si == 0
            and sa.sentence.is_title
            and indicator == "turnover"
            and len(distinct_parties(pms)) == 1
            and x.role in ("subj", "gen")
        ):
            return (x.code, x.code)  # a headline's "OTS trade exceeds $50 billion"
        if (
            x.code in BLOCS
            and (mutual or _among_members(sa, x))
            and (x.role not in ("with", "dest", "src") or _member_countries_own(sa, x))
        ):
            return (x.code, x.code)  # not "ЕАЭО елдерімен өзара сауда": someone's partner
        others = [
            p
            for p in distinct_parties(pms)
            if p.code != x.code
            and p not in all_local
            and not p.listed  # "Казакстан (63 млн доллар) жана Нидерланд": the next item
            # not from another clause ("..., ал Қырғызстанмен тауар айналымы төмендеді",
            # "– 401,6 млн доллар, андан кийин Казакстан ...")
            and not strong_break(sa, min(p.end, v.end), max(p.start, v.start))
            and not (p.start >= v.end and clause_break(sa, v.end, p.start))
        ]
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
            and (si - ctx.pair_sent > 2 or (ctx.pair is not None and x.code not in ctx.pair))
            and (
                (
                    indicator == "export"
                    and (x.role in ("src", "gen") or (x.role == "subj" and x.code == anchor))
                )
                or (indicator == "import" and x.role in ("gen", "dest"))
            )
        ):
            # "eksport z Kazachstanu ... 43 mld" far from any partner: total exports
            return with_world(indicator, x.code)
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
                if (
                    partner == known
                    and indicator in ("export", "import", "investment")
                    and indicator == ctx.indicator
                    and x.role in ("subj", "with", "loc")
                ):
                    # the total with the world broken down by partner ("FDI reached
                    # $15.7 bn ... the Netherlands ($4.3 bn)"): the partner takes the
                    # world's place
                    return (x.code, known) if ctx.pair[0] == "WLD" else (known, x.code)
            else:
                partner = side_for_new_partner(
                    sa, ctx, ctx.pair, x.code, anchor, reporter, home_named_often=True
                )
                if "-" in x.code and partner == region_country(x.code):
                    # "China's Xinjiang": a region trades with the other side, not its own
                    # country
                    other = ctx.pair[1] if ctx.pair[0] == partner else ctx.pair[0]
                    partner = other if other != x.code else None
        if partner is None and reporter and reporter != x.code:
            partner = reporter
        if partner is None and indicator == "investment" and x.role == "dest":
            return ("WLD", x.code)  # "Кыргызстанга ... инвестиция келди": from abroad
        if partner is None:
            # the article's most named country, but not one it has not named yet (a
            # headline sums up what follows)
            title = sa.sentence.is_title
            partner = next(
                (
                    c
                    for c in ranked
                    if c != x.code and (title or c in ctx.seen or any(p.code == c for p in pms))
                ),
                None,
            )
        if partner is None and x.role in ("dest", "src"):
            # "Өзбекстанға экспорт ...": the other side is the country whose language
            # the article is written in, when that language has one
            partner = home_country(sa, x.code, ctx)
        if partner is None or partner == x.code:
            if indicator in ("export", "import"):
                return with_world(indicator, x.code)
            if x.code in BLOCS and x.code != "WLD":
                return (x.code, x.code)
            return None
        if partner == "WLD":
            return with_world(indicator, x.code)
        if indicator == "import" and x.role in ("subj", "gen"):
            return (partner, x.code)  # "Латвия ... сатып алған": the named buyer imports
        if indicator == "export" and x.role == "subj" and x.code == anchor:
            return (x.code, partner)  # "Қазақстан көрші республикаға ... экспорттады"
        if (
            indicator == "investment"
            and x.role in ("subj", "with")
            and (partner == anchor or partner == home_country(sa, x.code, ctx))
        ):
            # "xitoylik sheriklar ... 14 mlrd dollar sarmoya kiritdi": a foreign name
            # without a direction invests in the country the article is about
            return (x.code, partner)
        if x.role in ("src", "gen"):
            return direct(indicator, x, None, (x.code, partner), reporter)
        return direct(indicator, None, x, (partner, x.code), reporter)
    # no party near the amount
    if vi > 0 and prev_pair:
        return prev_pair
    if world and indicator == "investment":
        # "өлкөдөгү чет элдик түз инвестициялар 7,3 млрд": foreign investment into the
        # country of the article's language, or the one it names most
        target = home_country(sa, "", ctx) or anchor
        if target and target in ctx.seen:
            return ("WLD", target)
    if ctx.pair and si - ctx.pair_sent <= INHERIT_WINDOW:
        if world and "WLD" not in ctx.pair and ctx.single:
            return with_world(indicator, ctx.single)
        pair = ctx.pair
        if indicator in ("export", "import") and "WLD" in pair:
            return with_world(indicator, pair[0] if pair[1] == "WLD" else pair[1])
        if indicator in ("export", "import", "investment") and reporter in pair:
            side = pair[1] if pair[0] == reporter else pair[0]
            return direct(indicator, None, None, (reporter, side), reporter)
        return pair
    if ctx.single and si - ctx.single_sent <= INHERIT_WINDOW:
        if world or indicator in ("export", "import"):
            return with_world(indicator, ctx.single)
        if ctx.single in BLOCS and mutual:
            return (ctx.single, ctx.single)
    return None


def _member_countries_own(sa: SentenceAnalysis, x: PartyMention) -> bool:
    """ "ТМҰ-ға мүше мемлекеттердің өзара саудасы": the member countries' own trade (the
    bloc's), unless those countries are someone's partners ("одаққа мүше елдермен")."""
    member = sa.any_hit("discourse.member_word", x.end, x.end + 3)
    if member is None:
        return False
    cw = sa.any_hit("discourse.country_word", member.end, member.end + 2)
    return cw is None or CASE_ROLE.get(cw.case or "", "") not in ("with", "dest", "src")


def _our_figure(
    sa: SentenceAnalysis, values: list[Value], vi: int, ctx: Context
) -> PartyMention | None:
    """ "savdomiz", "экспортымыз" (our trade, our export) among the figure's words: the
    country of the article's language owns the figure."""
    cues = indicator_cues_of(sa)
    if not cues:
        return None
    cue = _in_figure_words(sa, cues, values, vi)
    if cue is None or not cue.suffix:
        return None
    endings = sa.lexicon.languages[cue.lang].raw.get("meta", {}).get("our_endings")
    if not endings or not any(e in cue.suffix for e in endings):
        return None
    home = home_country(sa, "", ctx)
    return PartyMention(home, cue.start, cue.end, "gen") if home else None


def _among_members(sa: SentenceAnalysis, x: PartyMention) -> bool:
    """ "trade among the member states of the OTS": the bloc's own trade."""
    member = sa.any_hit("discourse.member_word", max(0, x.start - 5), x.start)
    if member is None:
        return False
    return (
        sa.any_hit("role.among", max(0, member.start - 4), member.start) is not None
        or sa.any_hit("role.between", max(0, member.start - 4), member.start) is not None
    )


def side_for_new_partner(
    sa: SentenceAnalysis,
    ctx: Context,
    pair: tuple[str, str],
    new: str,
    anchor: str | None,
    reporter: str | None,
    home_named_often: bool,
) -> str:
    """The side of the running pair that a newly named partner pairs with: the side the
    pair is seen from, or, when no reporter's own figures are told, the country whose
    language the article is in if it is one of the two (and, with ``home_named_often``,
    named about as often as the article's most named country: a figure's own pair asks
    that, the article's running pair does not)."""
    keep = anchor_of_pair(pair, anchor, reporter)
    if reporter not in pair and new not in BLOCS:
        home = home_country(sa, new, ctx)
        if home in pair and (not home_named_often or _close_to_anchor(ctx, home, anchor)):
            keep = home
    return keep


def _close_to_anchor(ctx: Context, home: str | None, anchor: str | None) -> bool:
    """Is the country of the article's language named about as often as the country it
    names most (at most one mention fewer)? Kazinform's Uzbek service writes about
    Kazakhstan in Uzbek: there Uzbekistan is not the article's country."""
    if home == anchor or anchor is None or home is None:
        return True
    return ctx.counts.get(home, 0) >= ctx.counts.get(anchor, 0) - 1


def _neighbour_of(sa: SentenceAnalysis, values: list[Value], vi: int) -> Hit | None:
    """The "neighbouring country" word among the figure's own words, if any."""
    return _in_figure_words(sa, sa.hits_of("discourse.neighbour"), values, vi)


def _word_for_named(
    sa: SentenceAnalysis, category: str, values: list[Value], vi: int, pms: list[PartyMention]
) -> Hit | None:
    """A word standing for a party named earlier ("the union", "минтақа") among the
    figure's own words, unless it is the word of a name ("Yevropa Ittifoqi", "ТМҰ елдері")."""
    w = _in_figure_words(sa, sa.hits_of(category), values, vi)
    if w is None or any(p.start <= w.start <= p.end + 1 for p in pms):
        return None
    return w


def _in_figure_words(
    sa: SentenceAnalysis, found: list[Hit], values: list[Value], vi: int
) -> Hit | None:
    """The first of ``found`` among the figure's own words: since the previous figure and
    before it, or after it in its clause, before the next figure."""
    if not found:
        return None
    v = values[vi]
    lo, hi = figure_window(values, vi)
    return next(
        (
            h
            for h in found
            if lo <= h.start < v.start
            or (v.end <= h.start < hi and not clause_break(sa, v.end, h.start))
        ),
        None,
    )


def _neighbour_role(sa: SentenceAnalysis, nb: Hit) -> str:
    """The role of "the neighbouring country": the case of the noun after the word
    ("көрші республикаға": dest), else the preposition before it ("из соседней": src)."""
    cw = sa.first_hit("discourse.country_word", nb.end)
    if cw is not None and cw.case in CASE_ROLE:
        return CASE_ROLE[cw.case]
    for cat, role in (("role.dest", "dest"), ("role.src", "src"), ("role.with", "with")):
        if sa.last_hit_ending(cat, nb.start):
            return role
    return "subj"


def _near(hits: list[Hit], v: Value, dist: int) -> bool:
    return any(abs(h.start - v.start) <= dist for h in hits)


def home_country(sa: SentenceAnalysis, exclude: str, ctx: Context | None = None) -> str | None:
    """The home country of the sentence's language (``meta.home``), if it has one.

    Rarely needed, so the language is told here and only here: once per article, from the
    start of its text, when a context is given."""
    if ctx is not None and ctx.home_known:
        home = ctx.home
    else:
        from tradefacts.lang.detect import detect_language

        sample = ctx.sample if ctx is not None and ctx.sample else sa.sentence.text
        lang = sa.lexicon.languages.get(detect_language(sample))
        found = lang.raw.get("meta", {}).get("home") if lang else None
        home = str(found) if found else None
        if ctx is not None:
            ctx.home, ctx.home_known = home, True
    return home if home != exclude else None


def with_world(indicator: str, x: str) -> tuple[str, str]:
    return ("WLD", x) if indicator in ("import", "investment") else (x, "WLD")


def anchor_of_pair(pair: tuple[str, str], anchor: str | None, reporter: str | None) -> str:
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


def doc_countries(parties: list[list[PartyMention]]) -> tuple[list[str], dict[str, int]]:
    """Countries of the article, most mentioned first (ties: first mentioned first), and
    how often each is mentioned."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    n = 0
    for pms in parties:
        for p in pms:
            n += 1
            code = p.code
            if code in BLOCS or p.weak or "-" in code:
                continue
            if code in counts:
                counts[code] += 1
            else:
                counts[code] = 1
                first[code] = n
    return sorted(counts, key=lambda c: (-counts[c], first[c])), counts
