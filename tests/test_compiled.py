"""The extraction stages compiled by Cython: same output as their sources, never stale.

``setup.py`` compiles the stage modules of ``tradefacts.extract`` from their unchanged
``.py`` sources when Cython and a compiler are present. These tests check the guard that
keeps an out-of-date build from running (``tradefacts.extract._compiled``), and that the
compiled stages and the pure-Python ones give the very same facts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.machinery
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradefacts import extract
from tradefacts.extract import _compiled

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "articles"
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _stage(folder: Path, name: str, source: str, built: bool = True) -> str:
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    if built:
        (folder / f"{name}{SUFFIX}").write_bytes(b"\x7fELF not really")
    return hashlib.sha256(source.encode()).hexdigest()


def test_a_build_of_the_current_source_is_used(tmp_path: Path) -> None:
    digest = _stage(tmp_path, "money", "X = 1\n")
    assert _compiled.stale_stages(tmp_path, {"money": digest}, pure=False) == {}


def test_a_build_of_an_older_source_is_not(tmp_path: Path) -> None:
    old = _stage(tmp_path, "money", "X = 1\n")
    _stage(tmp_path, "money", "X = 2\n")  # edited after the build
    stale = _compiled.stale_stages(tmp_path, {"money": old}, pure=False)
    assert stale == {"money": tmp_path / "money.py"}


def test_a_build_never_recorded_is_not_used(tmp_path: Path) -> None:
    _stage(tmp_path, "money", "X = 1\n")
    assert set(_compiled.stale_stages(tmp_path, {}, pure=False)) == {"money"}


def test_pure_uses_every_source(tmp_path: Path) -> None:
    stamp = {
        "money": _stage(tmp_path, "money", "X = 1\n"),
        "periods": _stage(tmp_path, "periods", "Y = 1\n"),
    }
    assert set(_compiled.stale_stages(tmp_path, stamp, pure=True)) == {"money", "periods"}


def test_only_built_stages_with_a_source_count(tmp_path: Path) -> None:
    _stage(tmp_path, "numbers", "Z = 1\n", built=False)  # no build: nothing to guard
    (tmp_path / f"tokens{SUFFIX}").write_bytes(b"")  # a build shipped without its source
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "__pycache__").mkdir()
    assert _compiled.stale_stages(tmp_path, {}, pure=True) == {}


def test_the_finder_loads_the_source(tmp_path: Path) -> None:
    src = tmp_path / "money.py"
    src.write_text("X = 1\n", encoding="utf-8")
    finder = _compiled._SourceFinder({"somepkg.money": src})
    spec = finder.find_spec("somepkg.money")
    assert spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader)
    assert spec.origin == str(src)
    assert finder.find_spec("somepkg.other") is None


def test_pure_requested(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in (("", False), ("0", False), ("1", True), ("yes", True)):
        monkeypatch.setenv("TRADEFACTS_PURE", value)
        assert _compiled.pure_requested() is expected


def _run(code: str, pure: bool) -> str:
    env = dict(os.environ)
    env.pop("TRADEFACTS_PURE", None)
    if pure:
        env["TRADEFACTS_PURE"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout


_REPORT = """
import json, sys
from tradefacts.extract import extract, _compiled
print(json.dumps(_compiled.compiled_stages()))
"""


def test_pure_runs_no_compiled_stage() -> None:
    assert json.loads(_run(_REPORT, pure=True)) == []


def test_the_stages_built_for_this_source_run_compiled() -> None:
    stamp = _compiled.STAMP
    if not stamp.is_file():
        pytest.skip("the stages are not compiled in this install (no Cython or no compiler)")
    recorded = json.loads(stamp.read_text(encoding="utf-8"))
    current = {
        stage
        for stage, digest in recorded.items()
        if (_compiled.HERE / f"{stage}.py").is_file()
        and hashlib.sha256((_compiled.HERE / f"{stage}.py").read_bytes()).hexdigest() == digest
        and any(
            (_compiled.HERE / f"{stage}{s}").is_file()
            for s in importlib.machinery.EXTENSION_SUFFIXES
        )
    }
    assert set(json.loads(_run(_REPORT, pure=False))) == current


_FACTS = """
import json, sys
from pathlib import Path
from tradefacts.extract import extract
for p in sorted(Path(sys.argv[1]).glob("*.txt")):
    facts = extract(p.read_text(encoding="utf-8"))
    print(json.dumps([repr(f) for f in facts], ensure_ascii=False))
"""


def test_compiled_and_pure_stages_give_the_same_facts() -> None:
    code = _FACTS.replace("sys.argv[1]", repr(str(DEMO)))
    compiled = _run(code, pure=False)
    assert compiled == _run(code, pure=True)
    expected = "".join(
        json.dumps([repr(f) for f in extract(p.read_text(encoding="utf-8"))], ensure_ascii=False)
        + "\n"
        for p in sorted(DEMO.glob("*.txt"))
    )
    assert compiled == expected and compiled.count("Fact(") > 10


# ---------------------------------------------------------------- written-out __init__s

_RECORDS = [
    ("tradefacts.extract.tokens", "Sentence"),
    ("tradefacts.extract.parties", "PartyMention"),
    ("tradefacts.extract.money", "Value"),
    ("tradefacts.extract.money", "Percent"),
    ("tradefacts.extract.periods", "PeriodMention"),
    ("tradefacts.extract.context", "Draft"),
    ("tradefacts.extract.analysis", "SentenceAnalysis"),
]


@pytest.mark.parametrize(("module", "name"), _RECORDS)
def test_written_out_inits_match_the_fields(module: str, name: str) -> None:
    """The records whose __init__ is written out (to be compiled) take exactly their
    dataclass fields, with the same defaults, and set every field."""
    cls = getattr(importlib.import_module(module), name)
    params = list(inspect.signature(cls).parameters.values())
    wanted = [f for f in dataclasses.fields(cls) if f.init]
    assert [p.name for p in params] == [f.name for f in wanted]
    for p, f in zip(params, wanted, strict=True):
        expected = inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        assert p.default == expected, (name, f.name)
    if name == "SentenceAnalysis":
        from tradefacts.extract.tokens import split_sentences
        from tradefacts.lang.lexicon import load_lexicon

        lex = load_lexicon()
        obj = cls(split_sentences("Экспорт составил 5 млрд долларов.", lex.abbreviations)[0], lex)
    else:
        obj = cls(*[f"v{i}" for i in range(len(wanted))])
    for f in dataclasses.fields(cls):
        getattr(obj, f.name)  # set by __init__: no AttributeError


# ---------------------------------------------------------------- the trailing-figure test

_SCALES = ["миллиард", "млрд", "billion", "million", "mln", "ming", "тыс"]


def _figure_regex() -> re.Pattern[str]:
    """What _has_figure must equal: a digit, or a scale word after a word boundary."""
    from tradefacts.lang.lexicon import load_lexicon

    return re.compile(r"\d|\b(?:" + load_lexicon().scale_word_re.pattern + ")")


@pytest.mark.parametrize(
    "text",
    [
        "Товарооборот вырос на треть.",
        "Объём составил два миллиарда долларов.",
        "миллиарддан асты",
        "It is coming back.",  # "ming" inside a word: no figure
        "_ming",
        "(billion)",
        "x-billion",
        "ĲBILLION",
        "İmillion",
        "",
        "2024",
    ],
)
def test_has_figure_examples(text: str) -> None:
    from tradefacts.extract.facts import _has_figure
    from tradefacts.lang.lexicon import load_lexicon

    got = _has_figure(text, load_lexicon().scale_word_re)
    assert got == bool(_figure_regex().search(text.lower()))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_SCALES), st.text(max_size=4), st.sampled_from(" _-.(İ")),
        max_size=8,
    )
)
def test_has_figure_is_the_regex(parts: list[str]) -> None:
    from tradefacts.extract.facts import _has_figure
    from tradefacts.lang.lexicon import load_lexicon

    text = "".join(parts)
    got = _has_figure(text, load_lexicon().scale_word_re)
    assert got == bool(_figure_regex().search(text.lower()))


@settings(max_examples=300, deadline=None)
@given(
    st.sets(st.text(alphabet="abcмл-.", min_size=1, max_size=5), min_size=1, max_size=8),
    st.text(alphabet="abcмл-. x", max_size=12),
)
def test_trie_pattern_matches_the_words(words: set[str], text: str) -> None:
    """The factored pattern matches exactly the words, and starts where the plain
    alternation of them starts."""
    from tradefacts.lang.lexicon import trie_pattern

    trie = re.compile(trie_pattern(words))
    plain = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    for w in words:
        assert trie.fullmatch(w)
    assert bool(trie.fullmatch(text)) == (text in words)
    got, want = trie.search(text), plain.search(text)
    assert (got and got.start()) == (want and want.start())
