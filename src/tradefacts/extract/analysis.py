"""One sentence prepared for the extraction stages: tokens and every lexicon hit, indexed."""

from __future__ import annotations

from dataclasses import dataclass, field

from tradefacts.extract.tokens import Sentence, Token
from tradefacts.lang.lexicon import Hit, Lexicon

_NAMES: dict[str, list[str]] = {}  # "bound.gt_post" -> ["bound.gt_post", "bound"]
_EMPTY: tuple[dict[int, Hit], dict[int, Hit], list[Hit]] = ({}, {}, [])


@dataclass
class SentenceAnalysis:
    sentence: Sentence
    lexicon: Lexicon
    tokens: list[Token] = field(init=False)
    hits: list[Hit] = field(init=False)
    starts: dict[int, list[Hit]] = field(init=False)
    ends: dict[int, list[Hit]] = field(init=False)
    value_tokens: set[int] = field(default_factory=set)
    periods: list = field(default_factory=list)  # filled by the period stage
    _cat_index: dict[str, tuple[dict[int, Hit], dict[int, Hit], list[Hit]]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.tokens = self.sentence.tokens
        self.hits = self.lexicon.scan([t.norm for t in self.tokens])
        self.starts = {}
        self.ends = {}
        for h in self.hits:
            self.starts.setdefault(h.start, []).append(h)
            self.ends.setdefault(h.end, []).append(h)
        self._build_index()

    def index(self, category: str) -> tuple[dict[int, Hit], dict[int, Hit], list[Hit]]:
        """Hits of ``category`` and its sub-categories: longest by start, by end, all."""
        return self._cat_index.get(category, _EMPTY)

    def _index(self, category: str) -> tuple[dict[int, Hit], dict[int, Hit], list[Hit]]:
        """Hits of ``category`` and its sub-categories: longest by start, by end, all."""
        return self._cat_index.get(category, _EMPTY)

    def _build_index(self) -> None:
        idx = self._cat_index
        for h in self.hits:
            names = _NAMES.get(h.category)
            if names is None:
                cat = h.category
                names = [cat]
                while "." in cat:
                    cat = cat.rsplit(".", 1)[0]
                    names.append(cat)
                _NAMES[h.category] = names
            for name in names:
                entry = idx.get(name)
                if entry is None:
                    entry = idx[name] = ({}, {}, [])
                by_start, by_end, all_hits = entry
                all_hits.append(h)
                cur = by_start.get(h.start)
                if cur is None or h.end > cur.end:
                    by_start[h.start] = h
                cur = by_end.get(h.end)
                if cur is None or h.start < cur.start:
                    by_end[h.end] = h

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
        by_start = self._index(category)[0]
        if not by_start:
            return None
        for k in range(max(0, a), min(len(self.tokens), b)):
            h = by_start.get(k)
            if h:
                return h
        return None

    def char_span(self, a: int, b: int) -> tuple[int, int]:
        return self.tokens[a].start, self.tokens[b - 1].end
