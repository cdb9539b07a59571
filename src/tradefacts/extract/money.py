"""Amounts: money and tonnes with their bounds, percentages and growth multiples."""

from __future__ import annotations

from dataclasses import dataclass

from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.numbers import parse_number
from tradefacts.extract.tokens import Token
from tradefacts.lang.lexicon import Hit

DASHES = "-–—"


@dataclass(slots=True, init=False)
class Value:
    value: float
    unit: str | None  # ISO 4217, "t", or None for a bare "1,9 mlrd" (currency from context)
    start: int  # token span of the amount (number .. currency)
    end: int
    bound: str = "eq"
    value_max: float | None = None
    case: str | None = None  # grammatical case of the amount's last word
    increment: bool = False  # "grew by $600 mln": a change, not a level
    scale: float = 1.0

    # written out, not generated: made many times per article, and compiled (setup.py)
    def __init__(
        self,
        value: float,
        unit: str | None,
        start: int,
        end: int,
        bound: str = "eq",
        value_max: float | None = None,
        case: str | None = None,
        increment: bool = False,
        scale: float = 1.0,
    ) -> None:
        self.value = value
        self.unit = unit
        self.start = start
        self.end = end
        self.bound = bound
        self.value_max = value_max
        self.case = case
        self.increment = increment
        self.scale = scale


@dataclass(slots=True, init=False)
class Percent:
    value: float
    start: int
    end: int
    kind: str  # "pct" | "mult"
    bound: str = "eq"
    value_max: float | None = None
    case: str | None = None
    share: bool = False
    direction: int = 0  # +1 growth cue, -1 fall cue, 0 none

    # written out, not generated: made many times per article, and compiled (setup.py)
    def __init__(
        self,
        value: float,
        start: int,
        end: int,
        kind: str,
        bound: str = "eq",
        value_max: float | None = None,
        case: str | None = None,
        share: bool = False,
        direction: int = 0,
    ) -> None:
        self.value = value
        self.start = start
        self.end = end
        self.kind = kind
        self.bound = bound
        self.value_max = value_max
        self.case = case
        self.share = share
        self.direction = direction


def figure_window(values: list[Value], i: int) -> tuple[int, int]:
    """The tokens that belong to the i-th figure of a sentence: from the end of the
    previous figure (or the sentence's start) to the start of the next (or its end)."""
    lo = values[i - 1].end if i > 0 else -1
    hi = values[i + 1].start if i + 1 < len(values) else 10**9
    return lo, hi


def _num_at(sa: SentenceAnalysis, i: int, decimal_comma: bool, scaled: bool) -> float | None:
    t = sa.tokens[i]
    if t.kind != "num":
        return None
    return parse_number(t.text, decimal_comma, scaled)


def find_amounts(sa: SentenceAnalysis, decimal_comma: bool) -> tuple[list[Value], list[Percent]]:
    values: list[Value] = []
    percents: list[Percent] = []
    if not (sa.nums or sa.index("number_word")[2] or sa.index("growth.multiple_word")[2]):
        return values, percents  # no number, no number word: no amount can start
    toks = sa.tokens
    # the hits asked about, by the token they start (…_at) or end (…_ending) at
    (
        currency_at,
        growth_multiple_at,
        growth_multiple_word_at,
        growth_percent_at,
        number_word_at,
        scale_at,
        unit_at,
    ) = sa.starting(
        "currency",
        "growth.multiple",
        "growth.multiple_word",
        "growth.percent",
        "number_word",
        "scale",
        "unit",
    )
    if not (
        currency_at
        or unit_at
        or scale_at
        or growth_percent_at
        or growth_multiple_at
        or growth_multiple_word_at
    ):
        return values, percents  # numbers, but no currency, unit, scale or percent word
    currency_ending, percent_ending = sa.ending("currency", "growth.percent")
    # where a word that makes a number an amount may stand right after the number
    cue_starts = set(currency_at).union(unit_at, scale_at, growth_percent_at, growth_multiple_at)
    n = len(toks)
    words_that_count = set(number_word_at).union(growth_multiple_word_at)
    # only numbers and number words can start an amount: visit just those tokens
    cands = sorted(words_that_count.union(sa.nums)) if words_that_count else sa.nums
    i = 0
    for c in cands:
        if c < i:
            continue  # inside the amount found last
        i = c
        t = toks[i]
        nw = None
        if t.kind != "num":
            nw = number_word_at.get(i)
            if nw is None:
                mw = growth_multiple_word_at.get(i)
                if mw:
                    percents.append(Percent((float(mw.payload) - 1) * 100, i, mw.end, "mult"))
                    i = mw.end
                    continue
                i += 1
                continue
        start = i
        j = nw.end if nw else i + 1
        if (
            nw is None
            and j not in cue_starts
            and start not in currency_ending
            and start not in percent_ending
            and not (j < n and toks[j].text in DASHES)
        ):
            i += 1
            continue  # a bare number ("2024 жылы", "5 компания"): no amount
        # a scale word may follow: decide comma-vs-thousands with that knowledge
        scaled_ahead = j in scale_at or (j + 1 < n and toks[j].text in DASHES and j + 2 in scale_at)
        base = float(nw.payload) if nw else parse_number(t.text, decimal_comma, scaled_ahead)
        if base is None:
            i += 1
            continue
        vmax = None
        if (
            j + 1 < n
            and toks[j].text in DASHES
            and toks[j + 1].kind == "num"
            and not (_is_year(toks[i].text) and _is_year(toks[j + 1].text))
        ):
            vmax = _num_at(sa, j + 1, decimal_comma, scaled_ahead)
            if vmax is not None and vmax > base:
                j += 2
            else:
                vmax = None
        # percent / multiple
        ph = growth_percent_at.get(j)
        if ph and not nw:
            pend, pcase = _glued_ending(sa, ph.end, ph.case)
            p = Percent(base, start, pend, "pct", value_max=vmax, case=pcase)
            if vmax is not None:
                p.bound = "range"
            percents.append(p)
            i = ph.end
            continue
        pp = percent_ending.get(start) if percent_ending and not nw else None
        if (
            pp is not None
            and not (pp.start > 0 and toks[pp.start - 1].kind == "num")
            and not _is_year(t.text)
            and j not in scale_at
            and j not in currency_at
        ):
            # the sign or word before the number: Turkish "yüzde 12", "%15,3"
            p = Percent(base, pp.start, j, "pct", value_max=vmax)
            if vmax is not None:
                p.bound = "range"
            percents.append(p)
            i = j
            continue
        mh = growth_multiple_at.get(j)
        if mh:
            percents.append(Percent((base - 1) * 100, start, mh.end, "mult", case=mh.case))
            i = mh.end
            continue
        # scale words, composite amounts ("3 млрд 678 млн", "219 млн 701 мың")
        mult = 1.0
        total = None
        k = j
        case = None
        sh = scale_at.get(k)
        if sh:
            sh = _scale_reading(sa, sh)
            mult = float(sh.payload)
            case = sh.case
            k = sh.end
            k = _skip_abbrev_dot(sa, k)
            total = base * mult
            while k < n and toks[k].kind == "num":
                nxt = _num_at(sa, k, decimal_comma, True)
                sh2 = scale_at.get(k + 1)
                if nxt is None:
                    break
                if sh2 and float(sh2.payload) < mult:
                    total += nxt * float(sh2.payload)
                    mult = float(sh2.payload)
                    case = sh2.case
                    k = _skip_abbrev_dot(sa, sh2.end)
                    continue
                if sh2 is None and currency_at.get(k + 1) and mult >= 1e6:
                    if nxt != int(nxt):  # "2 млрд 351,5 долларов": the lower scale is implied
                        total += nxt * mult / 1000
                    elif nxt < 1000:
                        total += nxt
                    k += 1
                break
        value = total if total is not None else base
        # unit after the number (skipping a parenthesis opener: "28 (миллиардов долларов)")
        unit = None
        post_bound = None
        if sh and case == "ablative" and not (currency_at.get(k) or unit_at.get(k)):
            # "5 миллиарддан ашык долларды": the bound stands between scale and currency
            for cat, b in (("bound.gt_post", "gt"), ("bound.lt_post", "lt")):
                bh = sa.first_hit(cat, k)
                if bh and (currency_at.get(bh.end) or unit_at.get(bh.end)):
                    post_bound, k = b, bh.end
                    break
        ch = currency_at.get(k) or unit_at.get(k)
        if ch:
            unit = str(ch.payload)
            case = ch.case
            k = ch.end
            k = _skip_abbrev_dot(sa, k)
        # unit before the number ("$22 млрд", "US$ 5 bn", "USD 31.2 billion")
        pre = currency_ending.get(start)
        if pre is not None and not _symbolic(sa, pre.start, pre.end):
            pre = None  # "1,2 млрд долларлық жеті жоба": a currency word belongs to what precedes
        if unit is None and pre is not None:
            unit = str(pre.payload)
            start = pre.start
        if unit is None and mult < 1e6:
            i = max(k, i + 1)
            continue
        v = Value(value, unit, start, k, case=case, scale=mult)
        if post_bound:
            v.bound = post_bound
        if vmax is not None:
            v.value_max = vmax * (value / base if base else 1)
            v.bound = "range"
        values.append(v)
        i = max(k, i + 1)
    if not values and not percents:
        return values, percents  # numbers, but none of them an amount
    _shared_units(sa, values, decimal_comma)
    _ranges(sa, values)
    for v in values:
        sa.value_tokens.update(range(v.start, v.end))
    for p in percents:
        sa.value_tokens.update(range(p.start, p.end))
    _bounds(sa, values, percents)
    _increments(sa, values)
    _growth_kinds(sa, percents, values)
    return values, percents


def _scale_reading(sa: SentenceAnalysis, sh: Hit) -> Hit:
    """A scale word two languages read differently ("bln": billion in English news,
    bilion = 10^12 in Polish): the reading of the language most of the sentence is in."""
    alts = [
        h
        for h in sa.hits_of("scale")
        if h.start == sh.start and h.end == sh.end and h.payload != sh.payload
    ]
    if not alts:
        return sh
    counts: dict[str, int] = {}
    for h in sa.hits:
        counts[h.lang] = counts.get(h.lang, 0) + 1
    return max([sh, *alts], key=lambda h: counts.get(h.lang, 0))


def _shared_units(sa: SentenceAnalysis, values: list[Value], decimal_comma: bool) -> None:
    """ "6,000 and 1,500 tons", "2 және 3 млрд доллар": the unit after the last number serves all."""
    toks = sa.tokens
    starts = {v.start: v for v in values}
    for v in list(values):
        k = v.start
        while k - 2 >= 0 and sa.last_hit_ending("role.and", k) and toks[k - 2].kind == "num":
            j = k - 2
            if j in sa.value_tokens or any(w.start <= j < w.end for w in values):
                break
            num = parse_number(toks[j].text, decimal_comma, v.scale > 1)
            if num is None:
                break
            w = Value(num * v.scale, v.unit, j, j + 1, case=v.case, scale=v.scale)
            values.append(w)
            starts[j] = w
            k = j
    values.sort(key=lambda w: w.start)
    # "1,3 млрд ва 4,8 млрд долларни", "782,3 mln va 341,7 mln dollarga": a scaled figure
    # without its currency takes the next one's, when only "and" or a comma stands between
    for a, b in zip(values[::-1][1:], values[::-1], strict=False):
        if (
            a.unit is None
            and b.unit is not None
            and a.scale > 1
            and 1 <= b.start - a.end <= 2
            and (sa.last_hit_ending("role.and", b.start) or toks[b.start - 1].text == ",")
        ):
            a.unit = b.unit


def _ranges(sa: SentenceAnalysis, values: list[Value]) -> None:
    """ "от 800 млн до 1 млрд долларов", "between $800 million and $1 billion": one range."""
    i = 0
    while i + 1 < len(values):
        a, b = values[i], values[i + 1]
        joined = sa.last_hit_ending("bound.range_to", b.start)
        opened = sa.last_hit_ending("bound.range_from", a.start)
        if joined and joined.start == a.end and opened and (a.unit is None or a.unit == b.unit):
            b.value_max = b.value
            b.value = a.value
            b.bound = "range"
            b.start = opened.start
            values.pop(i)
            continue
        i += 1


def _symbolic(sa: SentenceAnalysis, a: int, b: int) -> bool:
    """A currency written as a symbol or code ($, US$, USD), which may stand before a number."""
    return all(not t.text.isalpha() or t.text.isupper() for t in sa.tokens[a:b])


def _glued_ending(sa: SentenceAnalysis, k: int, case: str | None) -> tuple[int, str | None]:
    """Absorb a case ending written after a hyphen: "25%-дан", "1300-ден", "3%-ga"."""
    toks = sa.tokens
    if k + 1 < len(toks) and toks[k].text == "-" and not toks[k].space_before:
        nxt = toks[k + 1]
        if nxt.kind == "word" and not nxt.space_before:
            for lang in sa.lexicon.languages.values():
                if not lang.case_of:
                    continue
                chain = lang.split_suffixes(nxt.norm)
                if chain:
                    return k + 2, sa.lexicon.case_of(lang.code, chain) or case
    return k, case


def _is_year(s: str) -> bool:
    return len(s) == 4 and s.isdigit() and 1990 <= int(s) <= 2060


def _skip_abbrev_dot(sa: SentenceAnalysis, k: int) -> int:
    """Skip "." after an abbreviation and a case ending glued to it ("млрд.дан", "mlrd.ni")."""
    toks = sa.tokens
    if k < len(toks) and toks[k].text == "." and k + 1 < len(toks):
        nxt = toks[k + 1]
        if nxt.kind == "num":  # "3 млрд. 678 млн. долларды"
            return k + 1
        if sa.first_hit("currency", k + 1) or sa.first_hit("unit", k + 1):
            return k + 1  # "350 mln. AQSH dollary"
        if nxt.kind == "word" and not nxt.space_before and len(nxt.text) <= 5:
            return k + 2
        if nxt.kind == "word" and nxt.text[:1].islower():
            return k + 1
    return k


def _ending_case(sa: SentenceAnalysis, v: Value) -> str | None:
    """Case of a value: the lexicon hit's own, or a glued ending after an abbreviation dot."""
    last = sa.tokens[v.end - 1]
    if v.end - 2 >= 0 and sa.tokens[v.end - 2].text == "." and last.kind == "word":
        for lang in sa.lexicon.languages.values():
            chain = lang.split_suffixes(last.norm)
            if chain:
                c = sa.lexicon.case_of(lang.code, chain)
                if c:
                    return c
    return v.case


def _bounds(sa: SentenceAnalysis, values: list[Value], percents: list[Percent]) -> None:
    toks = sa.tokens
    for v in values:
        if v.end >= 2 and toks[v.end - 2].text == ".":
            v.case = _ending_case(sa, v)
    bound_starting, bound_ending, _ = sa.index("bound")
    if not bound_ending:
        return  # no bound cue anywhere in the sentence
    for v in values:
        if v.bound == "range":
            continue
        # preposed cue ending at most two tokens before the amount
        for gap in range(0, 3):
            e = v.start - gap
            if e <= 0:
                break
            h = _best_bound_pre(sa, bound_ending, e)
            if h:
                v.bound = h
                break
            if gap < 2 and e - 1 >= 0 and toks[e - 1].kind == "num":
                break
        if v.bound != "eq":
            continue
        post = _bound_post(sa, bound_starting, v.end, v.case)
        if post:
            v.bound = post
    for p in percents:
        post = _bound_post(sa, bound_starting, p.end, p.case)
        if post:
            p.bound = post
        for gap in range(0, 2):
            e = p.start - gap
            h = _best_bound_pre(sa, bound_ending, e) if e > 0 else None
            if h:
                p.bound = h
                break


def _best_bound_pre(sa: SentenceAnalysis, bound_ending: dict[int, Hit], e: int) -> str | None:
    """The bound a cue ending at token ``e`` gives ("более", "over", "около")."""
    if e not in bound_ending:
        return None  # no bound cue at all ends there
    for cat, b in (("bound.gt_pre", "gt"), ("bound.lt_pre", "lt"), ("bound.approx_pre", "approx")):
        if sa.last_hit_ending(cat, e):
            return b
    return None


def _bound_post(
    sa: SentenceAnalysis, bound_starting: dict[int, Hit], k: int, case: str | None
) -> str | None:
    """The bound a cue after the amount gives ("дан астам", "и более", "or so")."""
    toks = sa.tokens
    # skip a parenthesis: "3 млрд доллардан (5,9%) артық"
    if k < len(toks) and toks[k].text == "(":
        depth = 0
        while k < len(toks):
            if toks[k].text == "(":
                depth += 1
            elif toks[k].text == ")":
                depth -= 1
                if depth == 0:
                    k += 1
                    break
            k += 1
    if k not in bound_starting:
        return None  # no bound cue at all starts there
    for cat, b, need in (
        ("bound.gt_post", "gt", "ablative"),
        ("bound.lt_post", "lt", "ablative"),
        # whatever the amount's case: Turkish "3 milyar doları geçti", "doların üzerinde"
        ("bound.gt_post_any", "gt", None),
        ("bound.lt_post_any", "lt", None),
        ("bound.approx_post", "approx", None),
    ):
        h = sa.first_hit(cat, k)
        if h is None:
            continue
        if need and case != need and sa.lexicon.languages[h.lang].case_of:
            continue
        if b == "approx" and case == "ablative":
            continue
        return b
    return None


def _increments(sa: SentenceAnalysis, values: list[Value]) -> None:
    """Mark "вырос на $X" / "increased by $X" / "X долларға көп" as changes, not levels."""
    for v in values:
        if v.bound != "eq" and v.bound != "gt":
            continue
        pre = sa.last_hit_ending("growth.increment_pre", v.start)
        if pre is None and v.bound == "gt":
            # "rose by more than $133 million"
            for e in range(v.start - 1, max(0, v.start - 3), -1):
                pre = sa.last_hit_ending("growth.increment_pre", e)
                if pre:
                    break
        if pre and (
            sa.any_hit("growth.up", pre.start - 3, pre.start)
            or sa.any_hit("growth.down", pre.start - 3, pre.start)
        ):
            v.increment = True
            continue
        k = v.end
        if k < len(sa.tokens) and sa.tokens[k].text == ")":
            k += 1  # "31.4 percent (or $20.7 million) more than"
        elif k < len(sa.tokens) and sa.tokens[k].text in ",(":
            # "$6.9 billion, or 25.6%, more than", "$6.9 billion (25.6%) more than"
            k2 = k + 1
            while k2 < len(sa.tokens) and k2 - k < 6 and sa.tokens[k2].text not in ",)":
                k2 += 1
            k = k2 + 1
        if sa.first_hit("growth.increment_after", k) or sa.first_hit(
            "growth.increment_after", v.end
        ):
            v.increment = True  # "$6.9 billion more than in January-June 2024"
            continue
        if v.case == "dative":
            k = v.end
            if k < len(sa.tokens) and sa.tokens[k].text == "(":
                while k < len(sa.tokens) and sa.tokens[k].text != ")":
                    k += 1
                k += 1
            elif sa.first_hit("role.or", k):
                # "6,2 млрд долларга ёки 16,1 фоизга кўп": the same change as a percentage
                for j in range(k + 1, min(k + 5, len(sa.tokens))):
                    pct = sa.first_hit("growth.percent", j)
                    if pct is not None and sa.tokens[j - 1].kind == "num":
                        k = _glued_ending(sa, pct.end, pct.case)[0]
                        break
            if sa.first_hit("growth.increment_post", k):
                v.increment = True


def _gap(h: Hit, p: Percent) -> int:
    return min(abs(h.start - p.end), abs(p.start - h.end))


def _parenthesis_around(toks: list[Token], p: Percent) -> tuple[bool, int, int]:
    """Does an open parenthesis stand shortly before the percentage ("(на 10,5 %)")?
    Then also where it opens and closes; else the percentage's own span."""
    lo, hi = p.start, p.end
    depth = 0
    for k in range(p.start - 1, max(-1, p.start - 8), -1):
        if toks[k].text == ")":
            depth += 1
        elif toks[k].text == "(":
            if depth == 0:
                lo = k
                for k2 in range(p.end, min(len(toks), p.end + 8)):
                    if toks[k2].text == ")":
                        hi = k2
                        break
                return True, lo, hi
            depth -= 1
    return False, lo, hi


def _sign_before(toks: list[Token], k: int) -> int:
    """+1 or -1 when a sign is written on the number at token ``k`` ("+8,8", "−6,2"
    after a parenthesis or a space), else 0."""
    if k < 1 or toks[k].space_before:
        return 0
    t = toks[k - 1]
    if t.text == "+":
        return 1
    if t.text in "-−–" and (k < 2 or t.space_before or toks[k - 2].text == "("):
        return -1
    return 0


def _growth_kinds(sa: SentenceAnalysis, percents: list[Percent], values: list[Value]) -> None:
    toks = sa.tokens
    n = len(toks)
    parens = "(" in sa.sentence.text  # "(" is a token of its own where it stands
    # the last "(на X %)" a cue gave a direction: where it closed, the direction, and the
    # word before its number ("на", "by")
    last_paren: tuple[int, int, str] | None = None
    for p in percents:
        if p.kind == "mult":
            p.direction = 1
            continue
        sign = _sign_before(toks, p.start)
        if sign:
            p.direction = sign  # "(+8,8%)", "(-6,2 %)": a change, up or down
            continue
        lo, hi = p.start, p.end
        in_paren = False
        if parens:
            in_paren, lo, hi = _parenthesis_around(toks, p)
        win_lo, win_hi = (lo, hi) if in_paren else (max(0, p.start - 6), min(n, p.end + 4))
        up = sa.any_hit("growth.up", win_lo, win_hi)
        down = sa.any_hit("growth.down", win_lo, win_hi)
        elided = 0
        if in_paren and not (up or down):
            # "экспорт упал до $14,2 млрд (на 10,5 %)": the cue stands before the amount
            before = [v for v in values if v.end == lo]
            if before:
                up = sa.any_hit("growth.up", before[0].start - 5, before[0].start)
                down = sa.any_hit("growth.down", before[0].start - 5, before[0].start)
                if (
                    not (up or down)
                    and last_paren
                    and before[0].start - last_paren[0] <= 7
                    and sa.last_hit_ending("bound.range_to", before[0].start)
                    and toks[p.start - 1].norm == last_paren[2]
                ):
                    # "..., а импорт – до $18,77 млрд (на 14,7 %)": the next clause leaves
                    # out the verb it shares with the one before ("fell to", "rose to"),
                    # and says its change the same way
                    elided = last_paren[1]
        share = sa.any_hit("growth.share", max(0, p.start - 5), min(n, p.end + 3))
        if share and not (in_paren and (up or down)):
            p.share = True
            continue
        if in_paren and not (up or down or elided):
            p.share = True
            continue
        if elided:
            p.direction = elided
        elif down and (not up or _gap(down, p) < _gap(up, p)):
            p.direction = -1
        elif up or sa.any_hit("growth.neutral", win_lo, win_hi):
            p.direction = 1
        if in_paren and p.direction:
            last_paren = (hi, p.direction, toks[p.start - 1].norm)
