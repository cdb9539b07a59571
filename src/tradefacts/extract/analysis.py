"""One sentence prepared for the extraction stages: tokens and every lexicon hit, indexed."""

from __future__ import annotations

from dataclasses import dataclass, field

from tradefacts.extract.tokens import Sentence, Token
from tradefacts.lang.lexicon import Hit, Lexicon


@dataclass
class SentenceAnalysis:
    sentence: Sentence
    lexicon: Lexicon
    tokens: list[Token] = field(init=False)
    hits: list[Hit] = field(init=False)
    starts: dict[int, list[Hit]] = field(init=False)
    ends: dict[int, list[Hit]] = field(init=False)
    value_tokens: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.tokens = self.sentence.tokens
        self.hits = self.lexicon.scan([t.norm for t in self.tokens])
        self.starts = {}
        self.ends = {}
        for h in self.hits:
            self.starts.setdefault(h.start, []).append(h)
            self.ends.setdefault(h.end, []).append(h)

    def first_hit(self, category: str, i: int) -> Hit | None:
        """The longest hit of ``category`` (or a sub-category of it) starting at token i."""
        best = None
        for h in self.starts.get(i, ()):
            if (h.category == category or h.category.startswith(category + ".")) and (
                best is None or h.end > best.end
            ):
                best = h
        return best

    longest_hit = first_hit

    def last_hit_ending(self, category: str, i: int) -> Hit | None:
        """The longest hit of ``category`` ending exactly at token i."""
        best = None
        for h in self.ends.get(i, ()):
            if (h.category == category or h.category.startswith(category + ".")) and (
                best is None or h.start < best.start
            ):
                best = h
        return best

    def hits_of(self, category: str) -> list[Hit]:
        return [
            h for h in self.hits if h.category == category or h.category.startswith(category + ".")
        ]

    def any_hit(self, category: str, a: int, b: int) -> Hit | None:
        """A hit of ``category`` starting within tokens [a, b)."""
        for k in range(max(0, a), min(len(self.tokens), b)):
            h = self.first_hit(category, k)
            if h:
                return h
        return None

    def char_span(self, a: int, b: int) -> tuple[int, int]:
        return self.tokens[a].start, self.tokens[b - 1].end
