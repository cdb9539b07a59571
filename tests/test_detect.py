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
