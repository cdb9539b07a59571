"""Parties: countries, regions and blocs in every case, with the role the grammar gives.

A role says which way goods or money move: ``dest`` (Turkic dative, "в/to/into"),
``src`` (ablative, "из/from"), ``gen`` (genitive, adjective: the owner of the figure),
``with`` (instrumental, "с/with/билан"), ``subj`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.rules import BLOCS, by_start_longest
from tradefacts.extract.tokens import Token
from tradefacts.lang.lexicon import Hit, load_codes

CASE_ROLE = {
    "dative": "dest",
    "ablative": "src",
    "genitive": "gen",
    "instrumental": "with",
    "locative": "loc",
    "adjectival": "gen",
    "attributive": "gen",
}


def region_country(code: str) -> str | None:
    """The country an ISO 3166-2 region belongs to ("CN-XJ" -> "CHN")."""
    return load_codes()["region_country"].get(code.split("-", 1)[0])


@dataclass(slots=True, init=False)
class PartyMention:
    code: str
    start: int
    end: int
    role: str
    weak: bool = False  # a capital standing for its country
    partner_of: bool = False  # "X's trade partner": X reports the figures
    listed: bool = False  # follows "and": the next item of a list

    # written out, not generated: made many times per article, and compiled (setup.py)
    def __init__(
        self,
        code: str,
        start: int,
        end: int,
        role: str,
        weak: bool = False,
        partner_of: bool = False,
        listed: bool = False,
    ) -> None:
        self.code = code
        self.start = start
        self.end = end
        self.role = role
        self.weak = weak
        self.partner_of = partner_of
        self.listed = listed


#: prepositions before a name (ru/en) and the role they give it, in order of precedence
_ROLE_PREPOSITIONS = (("role.dest", "dest"), ("role.src", "src"), ("role.with", "with"))
_PREPOSITION_CATEGORIES = tuple(cat for cat, _ in _ROLE_PREPOSITIONS)


def find_parties(sa: SentenceAnalysis, blocked: set[int] | None = None) -> list[PartyMention]:
    """Party mentions of a sentence; tokens in ``blocked`` (currency words like "АҚШ
    доллары", by default those of the sentence: :func:`currency_tokens`) are not parties."""
    out: list[PartyMention] = []
    party_hits = sa.hits_of("party")
    weak_hits = sa.hits_of("party_weak")
    proper_hits = sa.hits_of("party_proper")
    toks = sa.tokens
    if proper_hits:
        party_hits = party_hits + [h for h in proper_hits if toks[h.start].text[:1].isupper()]
    acronym_hits = sa.hits_of("party_acronym")
    if acronym_hits:
        # an acronym with an ending glued on counts only in capitals ("ТМУга", not "шоссе")
        party_hits = party_hits + [h for h in acronym_hits if toks[h.start].text[:3].isupper()]
    if not party_hits and not weak_hits:
        return out
    if blocked is None:
        blocked = currency_tokens(sa)
    # the hits asked about, by the token they start (…_at) or end (…_ending) at
    (
        discourse_country_word_at,
        role_among_at,
        role_investor_word_at,
        role_buyer_at,
        role_supplier_at,
        goods_at,
        city_at,
    ) = sa.starting(
        "discourse.country_word",
        "role.among",
        "role.investor_word",
        "role.buyer_word",
        "role.supplier_word",
        "indicator.goods",
        "discourse.city_word",
    )
    (
        role_among_ending,
        role_and_ending,
        role_article_ending,
        country_word_ending,
        city_ending,
        *preposition_ending,
    ) = sa.ending(
        "role.among",
        "role.and",
        "role.article",
        "discourse.country_word",
        "discourse.city_word",
        *_PREPOSITION_CATEGORIES,
    )
    prepositions = [
        (ending, role)
        for ending, (_, role) in zip(preposition_ending, _ROLE_PREPOSITIONS, strict=True)
        if ending
    ]
    raw = party_hits + weak_hits
    if len(raw) > 1:
        raw.sort(key=by_start_longest)
    among = role_among_ending or role_among_at
    covered_until = -1
    for h in raw:
        start = h.start
        end = h.end
        if start < covered_until or (blocked and not blocked.isdisjoint(range(start, end))):
            continue
        covered_until = end
        role = CASE_ROLE.get(h.case or "", "subj")
        if role == "subj" and toks[end - 1].norm.endswith("'s"):
            role = "gen"  # "Azerbaijan's exports": the owner
        if h.case is None and end + 1 < len(toks) and toks[end].text == "-":
            # a case ending after a hyphen: "АҚШ-қа", "ТМҰ-ға", "ABŞ-a", "TDT-yə"
            glued = _hyphen_case(sa, h, toks[end], toks[end + 1])
            if glued is not None:
                role = CASE_ROLE.get(glued, role)
                end += 2
        if discourse_country_word_at:
            # "ТМҰ елдерінен", "ТМҰ мемлекеттерінің экономикаларына": the case sits on the noun
            for _ in range(2):
                cw = discourse_country_word_at.get(end)
                if not cw:
                    break
                if h.case == "genitive" and cw.suffix in sa.lexicon.languages[cw.lang].case_of:
                    # "Хитойнинг минтақага экспорти": a bare case ending, no possessive
                    # ("Қазақстанның экономикасына"): another phrase
                    break
                role = CASE_ROLE.get(cw.case or "", role)
                end = cw.end
        # "среди стран СНГ", "MDH davlatlari orasida": a scope, not a party
        if (
            among
            and (role_among_ending.get(start) or role_among_at.get(end))
            # a bloc or countries ("среди стран СНГ"), not one country's goods ("среди
            # российских товаров")
            and (str(h.payload) in BLOCS or end != h.end)
        ):
            continue
        if str(h.payload) in BLOCS and h.case in ("locative", "adjectival"):
            continue  # "Орталық Азиядағы ең ірі серіктес": where, not a party
        if _in_quoted_name(toks, start, end):
            continue  # "«Орталық Азия» халықаралық орталығы": a name of something else
        # prepositions before the name (ru/en)
        cw_before = country_word_ending.get(start) if country_word_ending else None
        for ending, r in prepositions:
            ph = ending.get(start)
            art = role_article_ending.get(start)
            if ph is None and art is not None:  # "to the EU"
                ph = ending.get(art.start)
            if ph is None and cw_before is not None:  # "в страны Евразийского союза"
                ph = ending.get(cw_before.start)
            if ph:
                role = r
                break
        if role_investor_word_at.get(end):
            role = "src"  # "Chinese investors", "китайские инвестиции в ..."
        elif role in ("subj", "gen") and goods_at.get(end):
            role = "src"  # "импорт кыргызской продукции", "Azerbaijani goods": their origin
        elif role in ("subj", "gen") and (role_buyer_at or role_supplier_at):
            # "Italy was the main buyer", "Россия осталась главным поставщиком": the
            # role word shortly after the name (same clause)
            for k in range(end, min(end + 5, len(sa.tokens))):
                if role_buyer_at.get(k):
                    role = "dest"
                    break
                if role_supplier_at.get(k):
                    role = "src"
                    break
                if sa.tokens[k].text in ",;:()":
                    break
        partner_of = (
            role == "gen"
            and h.case != "attributive"  # "xitoylik sheriklar": partners who are Chinese
            and sa.any_hit("discourse.partner_word", end, end + 4) is not None
        )
        code = str(h.payload)
        if (
            "-" in code
            and out
            and start - out[-1].end <= 1
            and out[-1].code == region_country(code)
        ):
            out.pop()  # "Хитойнинг Шинжон-Уйғур автоном райони": the region, not its country
        art = role_article_ending.get(start)  # "and the United States"
        listed = role_and_ending.get(art.start if art else start) is not None
        weak = h.category == "party_weak"
        if weak and (city_at.get(end) or city_ending.get(start)):
            sa.domestic.append(start)
            continue  # "Бишкек шаарына", "город Ташкент": the city, not its country
        out.append(PartyMention(code, start, end, role, weak, partner_of, listed))
    return out


_OPENING_QUOTES = '«"“„'
_CLOSING_QUOTES = '»"”“'


def _in_quoted_name(toks: list[Token], start: int, end: int) -> bool:
    """Does the name open a quoted title of several words ("«Орталық Азия» орталығы",
    "«Qazaqstan Temir Joly»")? A name quoted alone is still a name."""
    if start == 0 or toks[start - 1].text not in _OPENING_QUOTES:
        return False
    for k in range(end, min(end + 6, len(toks))):
        if toks[k].text in _CLOSING_QUOTES:
            return k > end or (k + 1 < len(toks) and toks[k + 1].kind == "word")
    return False


def _hyphen_case(sa: SentenceAnalysis, h: Hit, dash: Token, nxt: Token) -> str | None:
    """The case of an ending written after a hyphen glued to a name, in the name's
    language ("қа" in "АҚШ-қа": dative); None when it is no ending of that language."""
    if dash.space_before or nxt.space_before or nxt.kind != "word":
        return None
    lang = sa.lexicon.languages[h.lang]
    if not lang.case_of:
        return None
    chain = lang.split_suffixes(nxt.norm)
    return sa.lexicon.case_of(h.lang, chain) if chain else None


def currency_tokens(sa: SentenceAnalysis) -> set[int]:
    """The tokens of currency names of several words ("АҚШ доллары"), which hold a
    country's name but name no party."""
    out: set[int] = set()
    for h in sa.hits_of("currency"):
        if h.end - h.start > 1:
            out.update(range(h.start, h.end))
    return out


def direct(
    indicator: str,
    a: PartyMention | None,
    b: PartyMention | None,
    codes: tuple[str, str],
    reporter: str | None,
) -> tuple[str, str]:
    """Order a pair [from, to] for export, import and investment from the mentions' roles."""
    x, y = codes
    ra = a.role if a else "subj"
    rb = b.role if b else "subj"
    if indicator in ("export", "investment"):
        if rb == "dest" or ra == "src":
            return (x, y)
        if ra == "dest" or rb == "src":
            return (y, x)
        if indicator == "investment":
            if reporter in codes:  # the home country receives
                return (y if reporter == x else x, reporter)
            return (x, y)
        if reporter in codes:
            return (reporter, y if reporter == x else x)
        return (x, y)
    if indicator == "import":
        if ra == "src" or rb == "dest":
            return (x, y)
        if rb == "src" or ra == "dest":
            return (y, x)
        if rb == "gen" and ra != "gen":
            return (x, y)
        if ra == "gen" and rb != "gen":
            return (y, x)
        if reporter in codes:
            return (y if reporter == x else x, reporter)
        return (y, x)
    return (x, y)
