"""One sentence prepared for the extraction stages: tokens and every lexicon hit, indexed."""

from __future__ import annotations

from dataclasses import dataclass, field

from tradefacts.extract.tokens import Sentence, Token
from tradefacts.lang.lexicon import NATIVE, Hit, Lexicon

_NAMES: dict[str, list[str]] = {}  # "bound.gt_post" -> ["bound.gt_post", "bound"]
_EMPTY: tuple[dict[int, Hit], dict[int, Hit], list[Hit]] = ({}, {}, [])


def _names(category: str) -> list[str]:
    """A category and the categories above it: "bound.gt_post" -> [it, "bound"]."""
    names = [category]
    cat = category
    while "." in cat:
        cat = cat.rsplit(".", 1)[0]
        names.append(cat)
    _NAMES[category] = names
    return names


_native_analyse = _native_breaks = _native_pick = None
if NATIVE is not None:
    NATIVE.setup_index(_NAMES, _names, _EMPTY)
    _native_analyse = NATIVE.analyse
    _native_breaks = NATIVE.breaks
    _native_pick = NATIVE.pick


@dataclass
class SentenceAnalysis:
    sentence: Sentence
    lexicon: Lexicon
    tokens: list[Token] = field(init=False)
    hits: list[Hit] = field(init=False)
    nums: list[int] = field(init=False)  # indices of the number tokens
    hit_starts: set[int] = field(init=False)  # tokens where some lexicon phrase starts
    value_tokens: set[int] = field(default_factory=set)
    periods: list = field(default_factory=list)  # filled by the period stage
    _cat_index: dict[str, tuple[dict[int, Hit], dict[int, Hit], list[Hit]]] = field(
        default_factory=dict, repr=False
    )
    _breaks: tuple[list[int], list[int]] | None = field(default=None, repr=False)
    cues: list[Hit] | None = field(default=None, repr=False)  # set by attach.indicator_cues

    def __post_init__(self) -> None:
        if _native_analyse is not None and type(self.lexicon) is Lexicon:
            # the same as _analyse_py, in C
            self.tokens = toks = self.sentence.tokens
            self.nums, self.hits, self.hit_starts = _native_analyse(
                toks, self.lexicon, self._cat_index
            )
            return
        self._analyse_py()

    def _analyse_py(self) -> None:
        """The number tokens, the lexicon hits and their index, in Python."""
        self.tokens = self.sentence.tokens
        toks = self.tokens
        self.nums = [i for i, t in enumerate(toks) if t[4] == "num"]
        self.hits = hits = self.lexicon.scan([t[1] for t in toks])
        self.hit_starts = {h[2] for h in hits}
        self._build_index()

    def index(self, category: str) -> tuple[dict[int, Hit], dict[int, Hit], list[Hit]]:
        """Hits of ``category`` and its sub-categories: longest by start, by end, all."""
        return self._cat_index.get(category, _EMPTY)

    def _build_index(self) -> None:
        idx = self._cat_index
        for h in self.hits:
            cat, s, e = h[0], h[2], h[3]
            names = _NAMES.get(cat) or _names(cat)
            for name in names:
                entry = idx.get(name)
                if entry is None:
                    idx[name] = ({s: h}, {e: h}, [h])
                    continue
                by_start, by_end, all_hits = entry
                all_hits.append(h)
                cur = by_start.get(s)
                if cur is None or e > cur[3]:
                    by_start[s] = h
                cur = by_end.get(e)
                if cur is None or s < cur[2]:
                    by_end[e] = h

    def starting(self, *categories: str) -> list[dict[int, Hit]]:
        """For each category: its longest hit by the token it starts at."""
        if _native_pick is not None:
            return _native_pick(self._cat_index, categories, 0)
        idx = self._cat_index
        return [idx.get(c, _EMPTY)[0] for c in categories]

    def ending(self, *categories: str) -> list[dict[int, Hit]]:
        """For each category: its longest hit by the token it ends at (exclusive)."""
        if _native_pick is not None:
            return _native_pick(self._cat_index, categories, 1)
        idx = self._cat_index
        return [idx.get(c, _EMPTY)[1] for c in categories]

    def first_hit(self, category: str, i: int) -> Hit | None:
        """The longest hit of ``category`` (or a sub-category of it) starting at token i."""
        return self._cat_index.get(category, _EMPTY)[0].get(i)

    longest_hit = first_hit

    def last_hit_ending(self, category: str, i: int) -> Hit | None:
        """The longest hit of ``category`` ending exactly at token i."""
        return self._cat_index.get(category, _EMPTY)[1].get(i)

    def hits_of(self, category: str) -> list[Hit]:
        return self._cat_index.get(category, _EMPTY)[2]

    def any_hit(self, category: str, a: int, b: int) -> Hit | None:
        """A hit of ``category`` starting within tokens [a, b)."""
        by_start = self._cat_index.get(category, _EMPTY)[0]
        if not by_start:
            return None
        for k in range(max(0, a), min(len(self.tokens), b)):
            h = by_start.get(k)
            if h:
                return h
        return None

    def breaks(self) -> tuple[list[int], list[int]]:
        """Where clauses break: tokens that are a comma or stronger, and those stronger
        than a comma (";", ":", a clause-break word such as "а", "while"), in order."""
        b = self._breaks
        if b is None:
            if _native_breaks is not None:
                cue = self._cat_index.get("discourse.clause_break", _EMPTY)[0]
                b = self._breaks = _native_breaks(self.tokens, cue)
            else:
                b = self._breaks = self._breaks_py()
        return b

    def _breaks_py(self) -> tuple[list[int], list[int]]:
        """breaks() in Python: the reference for ``tradefacts._native.breaks``."""
        cue = self.index("discourse.clause_break")[0]
        weak: list[int] = []
        strong: list[int] = []
        for k, t in enumerate(self.tokens):
            cued = k in cue
            if cued or t[0] in ",;،؛":
                weak.append(k)
            if cued or t[0] in ";:":
                strong.append(k)
        return (weak, strong)

    def char_span(self, a: int, b: int) -> tuple[int, int]:
        return self.tokens[a].start, self.tokens[b - 1].end


if NATIVE is not None:
    # first_hit, longest_hit, last_hit_ending and hits_of in C: one call layer less
    _methods = NATIVE.index_methods()
    _PY_METHODS = {  # the Python reference of each, for the tests
        name: SentenceAnalysis.__dict__[name]
        for name in ("first_hit", "last_hit_ending", "hits_of")
    }
    SentenceAnalysis.first_hit = SentenceAnalysis.longest_hit = _methods["first_hit"]  # type: ignore[method-assign]
    SentenceAnalysis.last_hit_ending = _methods["last_hit_ending"]  # type: ignore[method-assign]
    SentenceAnalysis.hits_of = _methods["hits_of"]  # type: ignore[method-assign]
