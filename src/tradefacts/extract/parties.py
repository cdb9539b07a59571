"""Parties: countries, regions and blocs in every case, with the role the grammar gives.

A role says which way goods or money move: ``dest`` (Turkic dative, "в/to/into"),
``src`` (ablative, "из/from"), ``gen`` (genitive, adjective: the owner of the figure),
``with`` (instrumental, "с/with/билан"), ``subj`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.lang.lexicon import load_codes

_CASE_ROLE = {
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


@dataclass(slots=True)
class PartyMention:
    code: str
    start: int
    end: int
    role: str
    weak: bool = False  # a capital standing for its country
    partner_of: bool = False  # "X's trade partner": X reports the figures
    listed: bool = False  # follows "and": the next item of a list


def find_parties(sa: SentenceAnalysis, blocked: set[int]) -> list[PartyMention]:
    """Party mentions of a sentence; tokens in ``blocked`` (currency words like "АҚШ
    доллары") are not parties."""
    # the hits asked about, by the token they start (…_at) or end (…_ending) at
    discourse_country_word_at, role_among_at, role_investor_word_at = sa.starting(
        "discourse.country_word", "role.among", "role.investor_word"
    )
    role_among_ending, role_and_ending, role_article_ending = sa.ending(
        "role.among", "role.and", "role.article"
    )
    raw = sa.hits_of("party") + sa.hits_of("party_weak")
    raw.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[PartyMention] = []
    covered_until = -1
    for h in raw:
        if h.start < covered_until or any(k in blocked for k in range(h.start, h.end)):
            continue
        covered_until = h.end
        role = _CASE_ROLE.get(h.case or "", "subj")
        end = h.end
        # "ТМҰ елдерінен", "ТМҰ мемлекеттерінің экономикаларына": the case sits on the noun
        k = h.end
        for _ in range(2):
            cw = discourse_country_word_at.get(k)
            if not cw:
                break
            role = _CASE_ROLE.get(cw.case or "", role)
            end = k = cw.end
        # "среди стран СНГ", "MDH davlatlari orasida": a scope, not a party
        if role_among_ending.get(h.start) or role_among_at.get(end):
            continue
        # prepositions before the name (ru/en)
        pre_k = h.start
        for cat, r in (("role.dest", "dest"), ("role.src", "src"), ("role.with", "with")):
            ph = sa.last_hit_ending(cat, pre_k)
            art = role_article_ending.get(pre_k)
            if ph is None and art is not None:  # "to the EU"
                ph = sa.last_hit_ending(cat, art.start)
            if ph:
                role = r
                break
        if role_investor_word_at.get(end):
            role = "src"  # "Chinese investors", "китайские инвестиции в ..."
        partner_of = (
            role == "gen" and sa.any_hit("discourse.partner_word", end, end + 4) is not None
        )
        code = str(h.payload)
        if (
            "-" in code
            and out
            and h.start - out[-1].end <= 1
            and out[-1].code == region_country(code)
        ):
            out.pop()  # "Хитойнинг Шинжон-Уйғур автоном райони": the region, not its country
        listed = role_and_ending.get(h.start) is not None
        out.append(
            PartyMention(
                code,
                h.start,
                end,
                role,
                weak=h.category == "party_weak",
                partner_of=partner_of,
                listed=listed,
            )
        )
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
