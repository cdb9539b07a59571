"""Sentences and tokens with character offsets into the article text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from tradefacts.lang.lexicon import APOSTROPHES, NATIVE, NORM_CACHE, norm

#: the optional corpus header: `` date YYYY-MM-DD `` (day optional) at the very start
HEADER_RE = re.compile(r"\A\ufeff?[ \t]*date[ \t]+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*")

_NUM = (
    r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)(?:,\d+)?"  # 20 445 231 / 3 809,7
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}\.\d{3},\d+"  # 1.844.036.360,12 / 1.234,5
    r"|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3},\d{3}\.\d+"  # 1,844,036 / 18,101.4
    r"|\d+(?:[.,]\d+)?"
)
_DATE = r"\d{4}-\d{2}-\d{2}(?:T[\d:+\-]+)?|\d{1,2}[./]\d{1,2}[./]\d{4}\b"


class Token(NamedTuple):
    text: str
    norm: str
    start: int
    end: int
    kind: str  # "num" | "word" | "date" | "p"
    space_before: bool


@dataclass(slots=True, init=False)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    index: int
    is_title: bool = False
    _tokens: list[Token] | None = field(default=None, repr=False)

    # written out, not generated: made many times per article, and compiled (setup.py)
    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        paragraph: int,
        index: int,
        is_title: bool = False,
        _tokens: list[Token] | None = None,
    ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.paragraph = paragraph
        self.index = index
        self.is_title = is_title
        self._tokens = _tokens

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            self._tokens = tokenize(self.text, self.start)
        return self._tokens


#: the token pattern with the whitespace before each token, so that one ``findall`` gives
#: every token with its kind (the group that matched) and whether a space precedes it
_SPACED_TOKEN_RE = re.compile(
    rf"(\s*)(?:([^\W\d_]+(?:[{APOSTROPHES}][^\W\d_]+)*)|({_DATE})|({_NUM})|(\S))", re.UNICODE
)


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """The tokens of ``text``; offsets are shifted by ``offset`` (the text's start).

    Runs in C (``tradefacts._native``) when it is built; :func:`tokenize_py` is the
    reference it equals."""
    if _native_tokenize is not None:
        return _native_tokenize(text, offset)
    return tokenize_py(text, offset)


def tokenize_py(text: str, offset: int = 0) -> list[Token]:
    """:func:`tokenize` in Python: ``_SPACED_TOKEN_RE`` defines the tokens."""
    out: list[Token] = []
    append = out.append
    make = tuple.__new__  # a NamedTuple without its Python-level __new__: tokens are many
    cache = NORM_CACHE  # norm() without the call for words already seen
    pos = offset
    first = True
    for ws, word, date, num, punct in _SPACED_TOKEN_RE.findall(text):
        if ws:
            pos += len(ws)
        if word:
            end = pos + len(word)
            low = cache.get(word) or norm(word)
            append(make(Token, (word, low, pos, end, "word", bool(ws) or first)))
        elif num:
            end = pos + len(num)
            append(make(Token, (num, num, pos, end, "num", bool(ws) or first)))
        elif punct:
            end = pos + 1
            append(make(Token, (punct, punct, pos, end, "p", bool(ws) or first)))
        else:
            end = pos + len(date)
            append(make(Token, (date, date, pos, end, "date", bool(ws) or first)))
        pos = end
        first = False
    return out


_native_tokenize = None
if NATIVE is not None:
    NATIVE.setup_tokens(Token, NORM_CACHE, norm, APOSTROPHES, ("word", "date", "num", "p"))
    _native_tokenize = NATIVE.tokenize


_END_RE = re.compile(r"[.!?…]+[»\"”')\]]*(?=\s)")
_LINE_RE = re.compile(r"[^\n\r]+")
_END_OF_LINE_RE = re.compile(r"[.!?…:»\"”]\s*$")
_NEXT_WORD_RE = re.compile(r"\s*[«\"“(]?([^\W\d_]+)")


def _last_word(before: str) -> str:
    """The letters that end ``before`` (what ``[^\\W\\d_]+\\Z`` would match), or ""."""
    k = len(before)
    while k and before[k - 1].isalnum() and not before[k - 1].isdecimal():
        k -= 1
    return before[k:]


def _is_initial(before: str) -> bool:
    """Does the text before a full stop end in an initial ("В. Иванов", "U.S.")?"""
    return (
        bool(before)
        and before[-1].isalpha()
        and before[-1].isupper()
        and (len(before) == 1 or before[-2] in " \t(.")
    )


def split_sentences(
    text: str, abbreviations: frozenset[str], can_end: frozenset[str] = frozenset()
) -> list[Sentence]:
    """Split into sentences by line breaks and sentence punctuation.

    Abbreviations (долл., т.б., жж., U.S.) and initials do not end a sentence; decimal
    commas and points are inside number tokens and never split either. An abbreviation
    that can close an amount (``can_end``: "$9,3 млрд.") ends a sentence only when a
    capitalised word (not an acronym such as США) follows.

    Runs in C (``tradefacts._native``) when it is built; :func:`split_sentences_py` is the
    reference it equals.
    """
    if _native_split is not None:
        return _native_split(text, abbreviations, can_end)
    return split_sentences_py(text, abbreviations, can_end)


def split_sentences_py(
    text: str, abbreviations: frozenset[str], can_end: frozenset[str] = frozenset()
) -> list[Sentence]:
    """:func:`split_sentences` in Python: the regular expressions above define it."""
    body_start = 0
    m = HEADER_RE.match(text)
    if m:
        body_start = m.end()
    sentences: list[Sentence] = []
    para = 0
    pos = body_start
    first = True
    for line_m in _LINE_RE.finditer(text[body_start:]):
        ls, le = line_m.start() + body_start, line_m.end() + body_start
        gap = text[pos:ls]
        if "\n" in gap or "\r" in gap:
            para += 1
        pos = le
        line = text[ls:le]
        if not line.strip():
            continue
        cuts = [0]
        for em in _END_RE.finditer(line):
            before = line[max(0, em.start() - 40) : em.start()]
            if em.group(0).startswith(".") and len(em.group(0).rstrip("»\"”')]")) == 1:
                word = _last_word(before)
                if word and norm(word) in abbreviations:
                    nxt = _NEXT_WORD_RE.match(line, em.end())
                    closing = (
                        norm(word) in can_end
                        and nxt is not None
                        and nxt.group(1)[:1].isupper()
                        and not nxt.group(1).isupper()
                    )
                    if not closing:
                        continue
                if _is_initial(before):
                    continue
            cuts.append(em.end())
        cuts.append(len(line))
        headline = first and len(sentences) < 3 and not _END_OF_LINE_RE.search(line[-8:])
        for a, b in zip(cuts, cuts[1:], strict=False):
            seg = line[a:b]
            lstrip = len(seg) - len(seg.lstrip())
            seg_s = ls + a + lstrip
            seg_e = ls + a + len(seg.rstrip())
            if seg_e <= seg_s:
                continue
            sentences.append(
                Sentence(seg_s, seg_e, text[seg_s:seg_e], para, len(sentences), is_title=headline)
            )
        # headline lines: the leading lines that do not end like a sentence
        first = headline
    return sentences


_native_split = None
if NATIVE is not None:
    NATIVE.setup_sentences(Sentence)
    _native_split = NATIVE.split_sentences
