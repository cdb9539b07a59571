"""Language knowledge, loaded once from one TOML file per language.

Every word the extractor knows comes from ``lang/data/<code>.toml``; this module only
turns those files into a merged, fast lookup. A lexicon entry is a *phrase*: one or more
words, each a stem that a token may extend with a chain of the language's endings
(``suffixes``; up to three, e.g. Kazakh ``доллар+ы+нан``). A word written with a trailing
``=`` must match exactly (short abbreviations such as ``т=``); one written with a trailing
``*`` takes any ending (Russian verb stems such as ``увелич*``). In ``[party]``, a name
written ``~астана`` is a capital standing for its country (a weaker mention), and one
written ``^катар`` names the party only when the text capitalises it.

Categories are dotted names (``currency.USD``, ``bound.gt_pre``, ``party.KAZ``...). The
engine asks "which categories start at token i?" and never names a word itself.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import ModuleType
from typing import Any, NamedTuple


def _load_native() -> ModuleType | None:
    """The C front end (``tradefacts._native``), or None: not built, or TRADEFACTS_PURE
    is set (to anything but "" or "0"). The pure-Python code is the reference it equals."""
    if os.environ.get("TRADEFACTS_PURE", "") not in ("", "0"):
        return None
    try:
        from tradefacts import _native
    except ImportError:
        return None
    return _native if getattr(_native, "API_VERSION", None) == 1 else None


#: the C front end when it is built and wanted (read once, at import), else None
NATIVE = _load_native()

#: characters used as apostrophes inside words (Uzbek Latin o‘, g‘; English 's)
APOSTROPHES = "'‘’ʻʼ`´"
_APOS_RE = re.compile(f"[{APOSTROPHES}]")
WORD_RE = re.compile(
    rf"[^\W\d_]+(?:[{APOSTROPHES}][^\W\d_]+)*|[{APOSTROPHES}][^\W\d_]+", re.UNICODE
)
MAX_CHAIN = 3


#: norm() results by raw word (bounded); the tokenizer reads it directly, words repeat
NORM_CACHE: dict[str, str] = {}


def norm(s: str) -> str:
    """Case-fold and unify variants so lexicon and text compare equal (cached)."""
    found = NORM_CACHE.get(s)
    if found is None:
        found = _norm(s)
        if len(NORM_CACHE) < 500_000:
            NORM_CACHE[s] = found
    return found


def _norm(s: str) -> str:
    # Turkic capital İ lowercases to i + combining dot: keep the plain i
    s = unicodedata.normalize("NFC", s).lower().replace("i\u0307", "i")
    s = _APOS_RE.sub("'", s)
    return s.replace("ё", "е")


@dataclass(frozen=True, slots=True)
class Entry:
    category: str  # e.g. "currency", "party", "bound.gt_pre"
    payload: Any  # e.g. "USD", "KAZ", 1e9
    words: tuple[tuple[str, str], ...]  # (stem, mode): "suffix" | "exact" | "free"
    lang: str


class Hit(NamedTuple):
    """A lexicon phrase found in a token sequence."""

    category: str
    payload: Any
    start: int  # token index
    end: int  # token index, exclusive
    case: str | None  # grammatical case of the last word's ending, if the language marks it
    lang: str
    suffix: str = ""  # the ending the last word carried


@dataclass(eq=False)
class Language:
    code: str
    name: str
    decimal_comma: bool
    suffixes: frozenset[str]
    case_of: dict[str, str]  # ending -> case name
    raw: dict[str, Any]
    max_suffix: int = 0

    @cache  # noqa: B019 - languages live for the process
    def split_suffixes(self, rest: str) -> tuple[str, ...] | None:
        """Split ``rest`` into a chain of at most MAX_CHAIN endings, or None."""
        if not rest:
            return ()
        return _split(rest, self.suffixes, self.max_suffix, MAX_CHAIN)


def _split(rest: str, sufs: frozenset[str], maxlen: int, depth: int) -> tuple[str, ...] | None:
    """The parse of ``rest`` into the fewest endings (at most ``depth``), or None."""
    if not rest:
        return ()
    if depth == 0:
        return None
    best: tuple[str, ...] | None = None
    for k in range(min(maxlen, len(rest)), 0, -1):
        head = rest[:k]
        if head in sufs:
            tail = _split(rest[k:], sufs, maxlen, depth - 1)
            if tail is not None and (best is None or len(tail) + 1 < len(best)):
                best = (head, *tail)
                if len(best) == 1:
                    break
    return best


@dataclass
class Lexicon:
    """All languages merged: stem -> entries whose first word starts with that stem."""

    languages: dict[str, Language]
    by_first: dict[str, list[Entry]] = field(default_factory=dict)
    max_stem: int = 0
    abbreviations: frozenset[str] = frozenset()
    #: abbreviations that may close an amount at the end of a sentence ("млрд.", "долл.")
    closing_abbreviations: frozenset[str] = frozenset()
    _cand_cache: dict[str, Any] = field(default_factory=dict, repr=False)
    #: finds a scale word ("миллиард", "billion") in lower-case text, also inside a word
    scale_word_re: re.Pattern[str] = field(default_factory=lambda: re.compile(r"(?!)"), repr=False)

    def add(self, entry: Entry) -> None:
        self.by_first.setdefault(entry.words[0][0], []).append(entry)
        self.max_stem = max(self.max_stem, len(entry.words[0][0]))

    def word_matches(self, stem: str, mode: str, token: str, lang: str) -> tuple[str, ...] | None:
        """The ending chain if ``token`` is ``stem`` plus endings of ``lang``, else None."""
        if not token.startswith(stem):
            return None
        rest = token[len(stem) :]
        if mode == "exact":
            return () if not rest else None
        if mode == "free":
            return (rest,) if rest.isalpha() or not rest else None
        if rest.startswith("'"):  # Kazakhstan's, Qozog'iston'ga
            rest = rest[1:]
        return self.languages[lang].split_suffixes(rest)

    def case_of(self, lang: str, chain: tuple[str, ...]) -> str | None:
        if not chain:
            return None
        cases = self.languages[lang].case_of
        for suf in reversed(chain):
            if suf in cases:
                return cases[suf]
        return None

    def categories(self, prefix: str) -> dict[str, list[Any]]:
        """Raw data of a section across languages (for non-phrase settings)."""
        out: dict[str, list[Any]] = {}
        for lang in self.languages.values():
            sec = _get(lang.raw, prefix)
            if isinstance(sec, dict):
                for k, v in sec.items():
                    out.setdefault(k, []).append(v)
        return out

    def candidates(
        self, tok: str
    ) -> tuple[
        tuple[tuple[str, Any, str | None, str, str], ...],
        dict[str, tuple[tuple[Entry, tuple[str, ...]], ...]],
    ]:
        """What may start at a token (cached): one-word phrases as ready readings
        (category, payload, case, lang, ending), each distinct reading once, and the
        multi-word entries whose first word matches, with the endings it carried, by the
        first letter of their second word."""
        found = self._cand_cache.get(tok)
        if found is not None:
            return found
        singles: dict[tuple[str, Any, str | None], tuple[str, Any, str | None, str, str]] = {}
        multis: list[tuple[Entry, tuple[str, ...]]] = []
        if tok and (tok[0].isalpha() or tok[0] in "$€₸₽¥₺£%٪'"):
            by_first = self.by_first
            for k in range(min(len(tok), self.max_stem), 0, -1):
                entries = by_first.get(tok[:k])
                if not entries:
                    continue
                for e in entries:
                    stem, mode = e.words[0]
                    chain = self.word_matches(stem, mode, tok, e.lang)
                    if chain is None:
                        continue
                    if len(e.words) > 1:
                        multis.append((e, chain))
                        continue
                    case = self.case_of(e.lang, chain)
                    key = (e.category, e.payload, case)
                    if key not in singles:  # the same word known to several languages
                        singles[key] = (e.category, e.payload, case, e.lang, "".join(chain))
        # multi-word phrases grouped by the first letter of their second word, so that a
        # scan tries only those the next token can continue ("в" starts dozens of phrases)
        by_next: dict[str, tuple[tuple[Entry, tuple[str, ...]], ...]] = {}
        for e, chain in multis:
            key = e.words[1][0][:1]
            by_next[key] = (*by_next.get(key, ()), (e, chain))
        found = (tuple(singles.values()), by_next) if singles or multis else _NOTHING
        if len(self._cand_cache) < 500_000:
            self._cand_cache[tok] = found
        return found

    def scan(self, tokens: list[str]) -> list[Hit]:
        """Every lexicon phrase starting at every token (tokens already normalised).

        The same phrase known to several languages ("экспорт", "млн") is reported once
        per distinct grammatical reading. Runs in C when ``tradefacts._native`` is built
        (for a plain Lexicon: a subclass may override what the C code inlines)."""
        if NATIVE is not None and type(self) is Lexicon:
            return NATIVE.scan(self, tokens)
        return self.scan_py(tokens)

    def scan_py(self, tokens: list[str]) -> list[Hit]:
        """:meth:`scan` in Python: the reference the C version must equal."""
        cache = self._cand_cache
        get = cache.get
        found = [get(tok) for tok in tokens]
        if None in found:  # tokens not seen before: look them up once
            found = [
                f if f is not None else self.candidates(t)
                for f, t in zip(found, tokens, strict=True)
            ]
        hits: list[Hit] = []
        append = hits.append
        make = tuple.__new__  # a NamedTuple without its Python-level __new__: hits are many
        seen: set[tuple[Any, ...]] | None = None
        n = len(tokens)
        for i in [i for i, f in enumerate(found) if f is not _NOTHING]:
            singles, by_next = found[i]
            for cat, payload, case, lang, suffix in singles:
                append(make(Hit, (cat, payload, i, i + 1, case, lang, suffix)))
            if not by_next or i + 1 >= n:
                continue
            for e, chain in by_next.get(tokens[i + 1][:1], ()):
                j = i + 1
                for stem2, mode2 in e.words[1:]:
                    if j >= n:
                        break
                    nxt = self.word_matches(stem2, mode2, tokens[j], e.lang)
                    if nxt is None:
                        break
                    chain = nxt
                    j += 1
                else:
                    case = self.case_of(e.lang, chain)
                    key = (e.category, e.payload, i, j, case)
                    if seen is None:
                        seen = set()
                    elif key in seen:
                        continue
                    seen.add(key)
                    append(make(Hit, (e.category, e.payload, i, j, case, e.lang, "".join(chain))))
        return hits


#: what most tokens may start: nothing (one shared object, so a scan can skip it by identity)
_NOTHING: tuple[tuple[Any, ...], dict[str, Any]] = ((), {})

if NATIVE is not None:
    NATIVE.setup_scan(Hit, _NOTHING)


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching exactly ``words``, factored by their shared prefixes
    ("м(?:илл(?:иард|ион)|лн|лрд)"): at each position the engine follows one letter at a
    time instead of trying every word in turn."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return _trie_node(trie) if trie else "(?!)"


def _trie_node(node: dict[str, Any]) -> str:
    branches = [re.escape(ch) + _trie_node(node[ch]) for ch in sorted(node) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a word may end here: the rest is optional
        return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})?"
    return body


def _get(d: dict[str, Any], dotted: str) -> Any:
    cur: Any = d
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def tokenize_phrase(phrase: str) -> tuple[tuple[str, str], ...]:
    """Split a lexicon phrase into (stem, mode) words, the way text is tokenised."""
    out: list[tuple[str, str]] = []
    for raw in phrase.split():
        mode = "suffix"
        if len(raw) > 1 and raw[-1] in "=*":
            mode = "exact" if raw[-1] == "=" else "free"
            raw = raw[:-1]
        raw = norm(raw)
        # split punctuation the same way the tokenizer does
        pieces = re.findall(rf"{WORD_RE.pattern}|\d+|\S", raw)
        for idx, piece in enumerate(pieces):
            is_word = bool(WORD_RE.fullmatch(piece))
            m = mode if idx == len(pieces) - 1 else "exact"
            out.append((piece, m if is_word else "exact"))
    return tuple(out)


# Sections whose values are phrase lists (or tables of phrase lists) -> category names.
_PHRASE_SECTIONS = (
    "currency",
    "unit",
    "scale",
    "number_word",
    "ordinal",
    "month",
    "party",
    "bound",
    "growth",
    "period",
    "indicator",
    "status",
    "role",
    "discourse",
    "exclude",
)


def _load_language(code: str, raw: dict[str, Any], lex: Lexicon) -> None:
    meta = raw.get("meta", {})
    sufs = frozenset(norm(s) for s in meta.get("suffixes", []))
    case_of: dict[str, str] = {}
    for case, endings in raw.get("cases", {}).items():
        for e in endings:
            case_of[norm(e)] = case
    lang = Language(
        code=code,
        name=meta.get("name", code),
        decimal_comma=bool(meta.get("decimal_comma", True)),
        suffixes=sufs | frozenset(case_of),
        case_of=case_of,
        raw=raw,
        max_suffix=max((len(s) for s in sufs | frozenset(case_of)), default=0),
    )
    lex.languages[code] = lang
    # the language glues case endings to acronyms ("ТМУга", "AQSHga"; "ТМҰ-ға" has a hyphen)
    acronym_endings = bool(meta.get("acronym_endings", False))
    for section in _PHRASE_SECTIONS:
        sec = raw.get(section)
        if sec is None:
            continue
        for key, val in sec.items():
            category = section if section in ("currency", "unit", "party") else f"{section}.{key}"
            payload: Any = key
            if section in ("scale", "number_word", "ordinal", "month"):
                # tables: phrase = number
                category, payload = section, None
                for phrase, num in val.items() if isinstance(val, dict) else [(key, val)]:
                    # number words match as written ("жеті" must not match "жетіп")
                    if section == "number_word":
                        phrase = " ".join(w if w.endswith("=") else w + "=" for w in phrase.split())
                    _add_phrase(lex, code, section, num, phrase)
                continue
            if section == "growth" and key == "multiple_word":
                for phrase, num in val.items():
                    _add_phrase(lex, code, "growth.multiple_word", num, phrase)
                continue
            for phrase in val if isinstance(val, list) else [val]:
                if section == "party" and phrase.startswith("~"):
                    # "~astana": a capital standing for its country, a weaker mention
                    _add_phrase(lex, code, "party_weak", payload, phrase[1:])
                    continue
                if (
                    section == "party"
                    and phrase.endswith("=")
                    and len(phrase) >= 4
                    and phrase[:-1].isupper()
                    and phrase[:-1].isalpha()
                    and acronym_endings
                ):
                    # "ТМУ=": also "ТМУга", "MDHga" with an ending, when written in capitals
                    _add_phrase(lex, code, "party_acronym", payload, phrase[:-1])
                if section == "party" and phrase.startswith("^"):
                    # "^қатар": a name only when capitalised (Kazakh "сонымен қатар" is
                    # "moreover", Kyrgyz "бир катар" is "a number of")
                    _add_phrase(lex, code, "party_proper", payload, phrase[1:])
                    continue
                _add_phrase(lex, code, category, payload, phrase)
    for a in meta.get("abbreviations", []):
        lex.abbreviations = lex.abbreviations | {norm(a)}


def _add_phrase(lex: Lexicon, lang: str, category: str, payload: Any, phrase: str) -> None:
    words = tokenize_phrase(phrase)
    if not words:
        return
    lex.add(Entry(category, payload, words, lang))
    # Turkic final-consonant voicing before a vowel ending: қыркүйек -> қыркүйегінде
    mutations = lex.languages[lang].raw.get("meta", {}).get("mutations", {})
    stem, mode = words[-1]
    if mode != "exact" and stem and stem[-1] in mutations:
        alt = (*words[:-1], (stem[:-1] + norm(mutations[stem[-1]]), mode))
        lex.add(Entry(category, payload, alt, lang))


def language_codes() -> list[str]:
    """Codes of every language data file shipped with the package."""
    files = resources.files("tradefacts.lang").joinpath("data")
    return sorted(p.name[: -len(".toml")] for p in files.iterdir() if p.name.endswith(".toml"))


@cache
def load_codes() -> dict[str, Any]:
    """Language-independent code tables (regions' countries, blocs' members)."""
    text = resources.files("tradefacts").joinpath("data", "codes.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def load_lexicon(codes: tuple[str, ...] | None = None) -> Lexicon:
    """Load and merge the language files (all shipped ones by default). Cached."""
    lex = Lexicon(languages={})
    data = resources.files("tradefacts.lang").joinpath("data")
    for code in codes or tuple(language_codes()):
        raw = tomllib.loads(data.joinpath(f"{code}.toml").read_text(encoding="utf-8"))
        _load_language(code, raw, lex)
    closing = set()
    for a in lex.abbreviations:
        for e in lex.by_first.get(a, ()):
            if e.category in ("scale", "currency", "unit") and len(e.words) == 1:
                closing.add(a)
    lex.closing_abbreviations = frozenset(closing)
    scale_words = sorted(
        {e.words[0][0] for es in lex.by_first.values() for e in es if e.category == "scale"},
        key=len,
        reverse=True,
    )
    # no "\b" before the words: it would keep the regex engine from skipping ahead to their
    # first letters; the callers check where a word starts (facts._has_figure)
    lex.scale_word_re = re.compile(trie_pattern(w for w in scale_words if len(w) > 2))
    return lex
