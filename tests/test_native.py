"""The C front end (``tradefacts._native``) equals the pure-Python reference exactly.

Tokens, lexicon hits and the hit index are compared field by field, types included (a
``True`` is not a ``1``), on the shared corpus, the demo corpus, edge cases and random
text built to stress the token grammar. Skips when the extension is not built (or
``TRADEFACTS_PURE`` is set).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradefacts.extract import analysis
from tradefacts.extract.analysis import SentenceAnalysis
from tradefacts.extract.tokens import (
    Sentence,
    Token,
    split_sentences,
    split_sentences_py,
    tokenize_py,
)
from tradefacts.lang.lexicon import APOSTROPHES, NATIVE, Hit, load_lexicon

pytestmark = pytest.mark.skipif(
    NATIVE is None, reason="tradefacts._native is not built (or TRADEFACTS_PURE is set)"
)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"


def _jsonl_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def _shared_texts() -> list[str]:
    if not SHARED.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    texts = _jsonl_texts(SHARED / "dev" / "articles.jsonl")
    texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    assert texts
    return texts


def _demo_texts() -> list[str]:
    texts = _jsonl_texts(REPO / "demo" / "articles.jsonl")
    assert texts
    return texts


def strict(x: Any) -> Any:
    """``x`` with the type of every part spelled out, so that equal means identical."""
    if isinstance(x, tuple | list):
        return (type(x).__name__, [strict(v) for v in x])
    if isinstance(x, dict):
        return ("dict", [(strict(k), strict(v)) for k, v in x.items()])
    if isinstance(x, set | frozenset):
        return (type(x).__name__, [strict(v) for v in x])  # iteration order included
    return (type(x).__name__, x)


def native_tokenize(text: str, offset: int = 0) -> list[Token]:
    return NATIVE.tokenize(text, offset)


def check_tokens(text: str, offset: int = 0) -> list[Token]:
    got = native_tokenize(text, offset)
    want = tokenize_py(text, offset)
    assert strict(got) == strict(want), text
    assert all(type(t) is Token for t in got)
    return want


def check_scan(norms: list[str]) -> None:
    lex = load_lexicon()
    got = NATIVE.scan(lex, norms)  # first, so that it meets the candidates cache misses
    want = lex.scan_py(norms)
    assert strict(got) == strict(want), norms
    assert all(type(h) is Hit for h in got)


def _analyses(sentence: Sentence) -> tuple[SentenceAnalysis, SentenceAnalysis]:
    lex = load_lexicon()
    tokens = tokenize_py(sentence.text, sentence.start)
    sentence._tokens = tokens
    got = SentenceAnalysis(sentence, lex)
    saved = analysis._native_analyse
    analysis._native_analyse = None
    try:
        want = SentenceAnalysis(sentence, lex)
    finally:
        analysis._native_analyse = saved
    return got, want


def check_analysis(sentence: Sentence) -> None:
    got, want = _analyses(sentence)
    assert got.tokens is want.tokens
    for name in ("nums", "hits", "hit_starts"):
        assert strict(getattr(got, name)) == strict(getattr(want, name)), (name, sentence.text)
    # the C index is lazy: each entry holds its hits, its dicts wait until asked for
    idx = got._cat_index
    assert set(idx) == set(want._cat_index)
    for name, (by_start, by_end, all_hits) in idx.items():
        assert by_start is None and by_end is None
        assert strict(all_hits) == strict(want._cat_index[name][2])
        assert got.hits_of(name) is all_hits  # hits_of builds nothing
        assert idx[name][0] is None
    built = {name: got.index(name) for name in list(idx)}
    assert strict(built) == strict(want._cat_index), sentence.text
    assert all(idx[name] is entry for name, entry in built.items())  # kept, built once
    assert got.index("no.such.category") is analysis._EMPTY
    # the index holds the very hits of the list, not copies
    for by_start, by_end, all_hits in idx.values():
        ids = {id(h) for h in got.hits}
        assert all(id(h) in ids for h in [*by_start.values(), *by_end.values(), *all_hits])
    check_breaks_and_pick(SentenceAnalysis(sentence, load_lexicon()))  # lazy again


def check_breaks_and_pick(sa: SentenceAnalysis) -> None:
    """breaks(), starting() and ending() in C equal their Python reference."""
    assert sa._breaks is None
    got = sa.breaks()
    assert sa.breaks() is got
    assert strict(got) == strict(sa._breaks_py()), sa.sentence.text
    cats = (*sa._cat_index, "no.such.category", "discourse.clause_break", "bound")
    idx = sa._cat_index
    for j, method in ((0, sa.starting), (1, sa.ending)):
        picked = method(*cats)
        assert type(picked) is list and len(picked) == len(cats)
        for c, d in zip(cats, picked, strict=True):
            assert d is idx.get(c, analysis._EMPTY)[j]  # the very dict, the shared {} too
    assert sa.starting() == [] and sa.ending() == []
    py = analysis._PY_METHODS
    n = len(sa.tokens)
    for c in cats:
        assert sa.hits_of(c) is py["hits_of"](sa, c)
        for i in range(-1, n + 2):
            assert sa.first_hit(c, i) is py["first_hit"](sa, c, i)
            assert sa.longest_hit(c, i) is py["first_hit"](sa, c, i)
            assert sa.last_hit_ending(c, i) is py["last_hit_ending"](sa, c, i)


def _fields(s: Sentence) -> tuple[Any, ...]:
    return (type(s), s.start, s.end, s.text, s.paragraph, s.index, s.is_title, s._tokens)


def check_sentences(
    text: str, abbreviations: frozenset[str] | None = None, can_end: frozenset[str] | None = None
) -> list[Sentence]:
    lex = load_lexicon()
    abbr = lex.abbreviations if abbreviations is None else abbreviations
    end = lex.closing_abbreviations if can_end is None else can_end
    got = NATIVE.split_sentences(text, abbr, end)
    want = split_sentences_py(text, abbr, end)
    assert strict([_fields(s) for s in got]) == strict([_fields(s) for s in want]), text
    return want


def check_text(text: str) -> None:
    """Sentences, tokens of the whole text and of each sentence, each sentence's analysis."""
    check_sentences(text)
    check_tokens(text)
    lex = load_lexicon()
    for s in split_sentences_py(text, lex.abbreviations, lex.closing_abbreviations):
        tokens = check_tokens(s.text, s.start)
        check_scan([t.norm for t in tokens])
        check_analysis(s)


# -- the corpora ----------------------------------------------------------------------


def test_shared_corpus() -> None:
    for text in _shared_texts():
        check_text(text)


def test_demo_corpus() -> None:
    for text in _demo_texts():
        check_text(text)


def test_the_public_functions_use_it() -> None:
    from tradefacts.extract import tokens

    lex = load_lexicon()
    assert tokens._native_tokenize is NATIVE.tokenize
    assert tokens._native_split is NATIVE.split_sentences
    assert analysis._native_analyse is NATIVE.analyse
    assert analysis._native_breaks is NATIVE.breaks
    assert analysis._native_pick is NATIVE.pick
    for name in ("first_hit", "longest_hit", "last_hit_ending", "hits_of"):
        assert type(SentenceAnalysis.__dict__[name]).__name__ == "method_descriptor", name
    text = "Товарооборот составил 1,5 млрд долларов США."
    assert strict(tokens.tokenize(text, 3)) == strict(tokenize_py(text, 3))
    norms = [t.norm for t in tokenize_py(text)]
    assert strict(lex.scan(norms)) == strict(lex.scan_py(norms))
    got = split_sentences(text, lex.abbreviations, lex.closing_abbreviations)
    want = split_sentences_py(text, lex.abbreviations, lex.closing_abbreviations)
    assert [_fields(s) for s in got] == [_fields(s) for s in want]


# -- edge cases -------------------------------------------------------------------------

EDGE_CASES = [
    "",
    " ",
    " \u00a0\n\t ",
    "x",
    "\ud800",
    "a\ud800b \udfff1",
    "𝟘𝟙 𝐀𝐁 😀 1😀2 𝟙 234",  # non-BMP: a decimal digit, letters, a symbol
    "1 234 5678",  # the last group, before a digit, is given back: "1 234", "5678"
    "1 234 567 8",
    "12 345 6789,5",
    "1 234,5 1\u00a0234\u202f567,89 1\u2009234",
    "1.234 1.234.567 1.234.567,89 1.234.5678 1.2345.678",
    "1,234 1,234,567 1,234,567.89 1,234,5678 12,345,678.",
    "1234,5678 1234.5 1234. 1234,",
    "18,101.4 1.234,5 1,234.5.6 1.234,5,6 12,345.6789 1,2345.6 1.234,x 1,234.x 123,456,789.1",
    "2024-01-02 2024-01-02T10:00:00+05:00 2024-01-02T 2024-01-023 2024-1-02 20240-01-02",
    "12.05.2025 1/2/2025 12.05.20251 12.05.2025x 12.05.2025_ 12.05.2025. 123.05.2025",
    "1.5.2025 01.5.2025 1.05.202 1.05/2025 05.2025 ٠١.٠٢.٢٠٢٥ ١٢٣ ٤٥٦",
    "oʻzbek O‘zbekiston’ning don't don'' 'x x' a`b a´b ʼʼ 'a",
    "a_b _a 5_ a2b 2a b²c x³ ²³ ١٢ab",
    "é é İstanbul ЁЛКА ё\u0301 \u0301x",
    "(«Экспорт»)… ... !?;: —–- %$€₸ ٪ ،؛",
    "line\r\nnext\u2028sep\x1cfs\x1d\x1e\x1f\x85end",
    "  leading and trailing  ",
    # sentence splitting: headers, stops, closers, abbreviations, initials, headlines
    "\ufeff date 2024-05-01 Title\nText. More text.",
    "date\t2024-05 x. Y.",
    " date 2024-05-011 x",
    " date 2024-05-01x y",
    "date 2024-05-0 1",
    "date 2024-0511",
    "date 2024-05_ x",
    "\ufeffdate 2024-05-01",
    "date 2024-05-01",
    "\n\n\r\nA. B.\r\rC!\n \n\t\nD?» E…” (F.) [G.] H.. I.!.x J.\u2028K",
    "Экспорт 3 млрд. долл. США за год. Товарооборот достиг $9,3 млрд. Лидеры.",
    "Министр В. Иванов. (А. Б.) .В. x.A. U.S. exports. т.б. жүк жж. Тексt.",
    'млрд. «Лидеры» млрд. (США) млрд. "Ёлка" млрд. Ǆemal млрд. ǅemal млрд. ٣ млрд.',
    "a. b. c. d.\nno stop\nanother: \nthird»\n1.\n2?\nlast",
    "Заголовок\nПодзаголовок\nТретий\nЧетвёртый\nТекст.",
    "x" * 45 + "млрд. Слово. " + "y" * 38 + " млрд. Z.",
    "A.\u00a0B. c.\u2009D.\x1cE.\x85F.",
    "\ud800. \ud800 A. 😀. 𝐀. B.",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases(text: str) -> None:
    check_sentences(text)
    check_sentences(text, frozenset({"млрд", "a", "b", "x", "z"}), frozenset({"млрд", "a"}))
    check_tokens(text)
    check_tokens(text, 1_000_000)
    check_text(text)


@pytest.mark.parametrize("pad", range(5, 11))
def test_sentence_windows(pad: int) -> None:
    """The 40 characters before a stop that may hold an abbreviation; the last 8 of a line
    that say whether it ends like a sentence (so is no headline)."""
    for n in (39, 40, 41):
        long_abbr = frozenset({"a" * 40, "ba" + "a" * 38})
        for text in ("b" + "a" * n + ". Xyz. Q", "(" + "a" * n + ". Xyz.", "b" * n + "A. B. C"):
            check_sentences(text, long_abbr, frozenset())
            check_sentences(text, long_abbr, long_abbr)
    for stop in (".", "»", ":", "x"):
        for space in (" ", "\t", "\u00a0"):
            check_sentences(f"Title{stop}{space * pad}\nSecond{stop}{space * pad}\nText. More.")
            check_sentences(f"T{stop}{space * pad}\nS\nR\nQ\nText.")


def test_huge_text() -> None:
    text = ("Экспорт 20 445 231 тонн, 1.844.036,12 $ oʻzbek 2024-01-02T10:00 " * 20_000) + "😀"
    check_tokens(text)
    check_tokens("1" * 1_000_000)
    check_sentences(text.replace(", ", ".\n"))
    # the regex rescans trailing white space from every position (quadratic): compare a
    # short run, and check only the C result on a long one
    check_tokens(" " * 2_000 + "x" + " " * 2_000)
    assert native_tokenize("x" + " " * 1_000_000) == [Token("x", "x", 0, 1, "word", True)]


def test_breaks_corpus_has_cues() -> None:
    """The corpus exercises both halves of breaks(): clause-break words and marks."""
    lex = load_lexicon()
    cued = marked = 0
    for text in _shared_texts():
        for s in split_sentences_py(text, lex.abbreviations, lex.closing_abbreviations):
            sa = SentenceAnalysis(s, lex)
            cued += bool(sa.index("discourse.clause_break")[0])
            marked += bool(sa.breaks()[1])
    assert cued and marked


@pytest.mark.parametrize(
    "texts",
    [[], [","], [""], [",;"], [";:"], ["،", "؛", ":", ";", "a", ",,"], ["x", ":"], ["ab", ";"]],
)
@pytest.mark.parametrize("cue", [{}, {0: None}, {1: None, 5: None}, {99: None}])
def test_breaks_odd_tokens(texts: list[str], cue: dict[int, Any]) -> None:
    """str's substring ``in`` for the marks, as the reference has it ("" is in every str)."""
    toks = [Token(t, t, 0, 0, "p", False) for t in texts]
    weak = [k for k, t in enumerate(toks) if k in cue or t[0] in ",;،؛"]
    strong = [k for k, t in enumerate(toks) if k in cue or t[0] in ";:"]
    assert strict(NATIVE.breaks(toks, cue)) == strict((weak, strong))
    assert strict(NATIVE.breaks(tuple(toks), cue)) == strict((weak, strong))


def test_bad_arguments() -> None:
    lex = load_lexicon()
    (s,) = split_sentences_py("Экспорт вырос.", lex.abbreviations, lex.closing_abbreviations)
    sa = SentenceAnalysis(s, lex)
    with pytest.raises(TypeError):
        sa.first_hit("month")
    with pytest.raises(TypeError):
        sa.hits_of()
    with pytest.raises(TypeError):
        sa.first_hit(["month"], 0)  # unhashable, as dict.get says
    with pytest.raises(AttributeError):
        SentenceAnalysis.first_hit(object(), "month", 0)
    with pytest.raises(TypeError):
        NATIVE.breaks([Token(5, "", 0, 0, "p", False)], {})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        NATIVE.breaks(None, {})
    with pytest.raises(TypeError):
        NATIVE.breaks([])
    with pytest.raises(TypeError):
        NATIVE.pick({}, ["a"], 0)
    with pytest.raises(IndexError):
        NATIVE.pick({"a": ()}, ("a",), 0)
    with pytest.raises(TypeError):
        NATIVE.split_sentences(None, frozenset(), frozenset())
    with pytest.raises(TypeError):  # not a container, as `in` would say
        NATIVE.split_sentences("Млрд. x. Y.", 5, frozenset())
    with pytest.raises(TypeError):
        NATIVE.tokenize(b"bytes", 0)
    with pytest.raises(TypeError):
        NATIVE.tokenize("text", "0")
    with pytest.raises(TypeError):
        NATIVE.tokenize()


# -- random text ----------------------------------------------------------------------

ALPHABET = list(
    "0123456789 \u00a0\u202f\u2009\t\n\r.,-T:+/_²³٣٤٠"
    + APOSTROPHES
    + "аБвЁёжқҚўЎңәіİ"  # Cyrillic (Kazakh, Uzbek)
    + "aZoʻgşğçıI"  # Latin (Uzbek, Turkish)
    + "بتمل"  # Arabic
    + "\u0301\u0307\u0654"  # combining marks
    + '%$€«»()"!?…;—–ʹ'
) + ["\ud800", "𝟘", "😀", "𝐀", "\x1c", "\u2028"]

FRAGMENTS = [
    "1 234",
    "12 345 678",
    " 567",
    "\u00a0890",
    ",5",
    ".25",
    "1.234.567",
    "1,234,567",
    ".000",
    ",000",
    "2024-01-02",
    "T10:00+05",
    "12.05.2025",
    "1/2/2024",
    "o‘zbek",
    "’s",
    "млрд",
    "долл.",
]

random_text = st.one_of(
    st.text(alphabet=st.sampled_from(ALPHABET), max_size=80),
    st.lists(
        st.one_of(
            st.sampled_from(FRAGMENTS), st.text(alphabet=st.sampled_from(ALPHABET), max_size=3)
        ),
        max_size=20,
    ).map("".join),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_text, st.integers(min_value=0, max_value=10**9))
def test_random_text_tokens(text: str, offset: int) -> None:
    check_tokens(text, offset)


SENTENCE_PIECES = [
    ".",
    ". ",
    "! ",
    "?",
    "… ",
    "..",
    ".»",
    '."',
    ".”)",
    ".] ",
    "\n",
    "\r\n",
    "\n\n",
    " ",
    "  ",
    "        ",
    "\t",
    "\u00a0",
    ":",
    "«",
    "“",
    "(",
    "млрд",
    "долл",
    "т",
    "б",
    "жж",
    "U",
    "S",
    "В",
    "Иванов",
    "США",
    "Лидеры",
    "лидеры",
    "x",
    "Ǆ",
    "ǅ",
    "5",
    "2,5",
    "date 2024-05-01 ",
    " date 2024-05 ",
    "\ufeff",
    "\ud800",
    "😀",
]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=40).map("".join))
def test_random_text_sentences(text: str) -> None:
    check_sentences(text)
    check_sentences(text, frozenset({"млрд", "долл", "т", "x"}), frozenset({"млрд", "x"}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_text)
def test_random_text_sentences_any_characters(text: str) -> None:
    check_sentences(text)


def test_every_phrase_with_endings() -> None:
    """Each multi-word phrase of the lexicon, its last word carrying chains of case endings
    (the case comes from the last ending that has one) and, for the words that take any
    ending, rests that are not letters."""
    lex = load_lexicon()
    multis = [e for es in lex.by_first.values() for e in es if len(e.words) > 1]
    assert multis
    for n, e in enumerate(multis):
        cases = sorted(lex.languages[e.lang].case_of)
        words = [stem for stem, _ in e.words]
        variants = [words]
        if cases:
            a, b, c = cases[n % len(cases)], cases[(n * 7 + 3) % len(cases)], cases[-1]
            variants += [words[:-1] + [words[-1] + x] for x in (a, a + b, b + a + c, "'" + b)]
        for k, (_, mode) in enumerate(e.words):
            if mode == "free":
                for rest in ("1", "'а", "x-y", "ab", "²"):
                    variants.append(words[:k] + [words[k] + rest] + words[k + 1 :])
        for v in variants:
            check_scan(["x", *v, "y"])
            check_scan(v[:-1])


def _vocabulary() -> list[str]:
    """Lexicon words as text may carry them: stems, stems with endings, punctuation."""
    lex = load_lexicon()
    words: set[str] = set()
    for entries in lex.by_first.values():
        for e in entries:
            words.update(stem for stem, _ in e.words)
    endings = sorted({s for lang in lex.languages.values() for s in lang.suffixes})
    stems = sorted(words)
    out = stems + [s + e for s in stems[::7] for e in endings[::11]]
    return out + [",", ".", "5", "1,5", "2024", "%", "'", "-"]


VOCABULARY = _vocabulary()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(VOCABULARY), max_size=30),
    st.lists(st.sampled_from([" ", " ", " ", "", ", ", "\u00a0", "'"]), max_size=30),
)
def test_random_lexicon_sentences(words: list[str], seps: list[str]) -> None:
    text = "".join(w + (seps[k] if k < len(seps) else " ") for k, w in enumerate(words))
    tokens = check_tokens(text)
    check_scan([t.norm for t in tokens])
    check_scan([w for w in words])  # raw (unnormalised) strings too
    if text.strip():
        check_analysis(Sentence(0, len(text), text, 0, 0))
