"""Language and script identification on our own example sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tradefacts.lang.detect import detect_language

SENTENCES = {
    "kk": "Биыл Қазақстан мен Қытай арасындағы сауда көлемі өткен жылмен салыстырғанда "
    "едәуір өсті, деп хабарлады министрлік өкілі.",
    "ru": "В этом году объём торговли между двумя странами заметно вырос по сравнению "
    "с прошлым годом, сообщили в министерстве.",
    "uz-Cyrl": "Жорий йилда икки мамлакат ўртасидаги савдо ҳажми ўтган йилга нисбатан "
    "сезиларли даражада ошди, деб хабар берди вазирлик.",
    "uz-Latn": "Joriy yilda ikki mamlakat oʻrtasidagi savdo hajmi oʻtgan yilga nisbatan "
    "sezilarli darajada oshdi, deb xabar berdi vazirlik.",
    "ky": "Быйыл эки өлкөнүн ортосундагы соода жүгүртүү былтыркы жылга салыштырмалуу "
    "бир топ өстү, деп билдирди министрликтин өкүлү.",
    "en": "This year the volume of trade between the two countries grew markedly compared "
    "with last year, the ministry said.",
    "kk-Latn": "Bıyl Qazaqstan men Qytaı arasyndaǵy saýda kólemi ótken jylmen "
    "salystyrǵanda edáýir ósti, dep habarlady mınıstrlik ókili.",
    "kk-Arab": "بيىل قازاقستان مەن قىتاي اراسىنداعى ساۋدا كولەمى وتكەن جىلمەن "
    "سالىستىرعاندا ەداۋىر ءوستى، دەپ حابارلادى مينيسترلىك وكىلى.",
    "kaa": "Быйыл еки мәмлекет арасындағы саўда көлеми өткен жылға салыстырғанда "
    "әдеўир өсти, деп хабарлады министрлик ўәкили.",
}


@pytest.mark.parametrize("lang", list(SENTENCES))
def test_own_sentences(lang: str) -> None:
    assert detect_language(SENTENCES[lang]) == lang


@pytest.mark.parametrize("lang", ["kk", "ru", "uz-Cyrl", "uz-Latn", "ky", "en"])
def test_header_and_urls_do_not_matter(lang: str) -> None:
    text = f" date 2025-09-22 {SENTENCES[lang]}\nhttps://www.example.com/news/2025/09/trade?id=1\n"
    assert detect_language(text) == lang


def test_russian_quoting_a_kazakh_name_stays_russian() -> None:
    text = SENTENCES["ru"] + " Об этом заявил глава компании «Қазақстан темір жолы»."
    assert detect_language(text) == "ru"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   \n\t ",
        "12 345,6 % 2024-2025",
        "\x00\x01\x02\x7f\x85\x9f",
        "\ud800 lone surrogate \udfff",
        "\ufffe\uffff\U0010ffff",
        "!!! ??? ...",
        "😀" * 100,
        "https://kazinform.kz/news/1 www.example.org",
        " date 2025-01-01 ",
        "x" * 300_000,
    ],
)
def test_garbage_never_raises(garbage: str) -> None:
    result = detect_language(garbage)
    assert isinstance(result, str) and result


def test_no_letters_is_und() -> None:
    assert detect_language("12 345 — 67,8 %") == "und"
    assert detect_language("") == "und"


def test_controls_inside_real_text_are_ignored() -> None:
    text = SENTENCES["ru"].replace(" ", "\x00 ", 3) + "\x85\x9f"
    assert detect_language(text) == "ru"


def test_not_a_string_is_und() -> None:
    assert detect_language(None) == "und"  # type: ignore[arg-type]


CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dev" / "articles.jsonl"


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus absent")
def test_dev_corpus_labels() -> None:
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    main = {"kk", "ru", "uz-Cyrl", "uz-Latn", "ky", "en"}
    wrong = [
        (r["id"], r["lang"], detect_language(r["text"]))
        for r in records
        if detect_language(r["text"]) != r["lang"]
    ]
    assert not [w for w in wrong if w[1] in main], wrong
    assert len(wrong) <= len(records) // 20, wrong


def _scripts_one_by_one(text: str) -> tuple[str | None, int]:
    """``detect._scripts`` the plain way: a letter count, then the script counts in code
    point order (what its numpy table must give)."""
    from collections import Counter

    from tradefacts.lang.detect import _script_of

    letters = Counter(ch for ch in text if ch.isalpha())
    per_script: Counter[str] = Counter()
    for ch in sorted(letters):
        script = _script_of(ch)
        if script:
            per_script[script] += letters[ch]
    total = sum(letters.values())
    if not per_script:
        return None, total
    script, n = per_script.most_common(1)[0]
    return (script if n >= 0.25 * total else None), total


def test_script_count_equals_counting_one_letter_at_a_time() -> None:
    import random

    from tradefacts.lang.detect import _scripts

    rng = random.Random(3)
    # Latin, Cyrillic and Arabic letters (ties between scripts are frequent in short
    # strings), marks, digits, letters beyond the table (CJK, Georgian, Hebrew, math
    # letters), a lone surrogate
    alphabet = list("abzäğışçəǵñ aбвяәіңөүўқғҳӣ ابثۋڭەې 1٣_.,-\u0300") + [
        "\u1e00", "\ua640", "\u1c80", "\u2de0", "\ufb50", "\u4e00", "\u10d0", "\u05d0",
        "\U0001d400", "\U00010000", "\ud800", "\u2019", "\u02bb",
    ]  # fmt: skip
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 2, 3, 5, 9, 40])))
        assert _scripts(text) == _scripts_one_by_one(text), repr(text)
    for lang, text in SENTENCES.items():
        assert _scripts(text.lower()) == _scripts_one_by_one(text.lower()), lang


def test_the_quick_check_for_controls_and_rare_characters_misses_none() -> None:
    from tradefacts.lang.detect import _CONTROLS, _RARE, _SUSPECT

    for code in [*range(0, 0x3100), *range(0x9F00, 0x110000, 7)]:
        ch = chr(code)
        assert bool(_SUSPECT.search(ch)) == bool(_CONTROLS.search(ch) or _RARE.search(ch)), code
