"""Sentences keep exact offsets; abbreviations and decimal commas never split one."""

from __future__ import annotations

import pytest

from tradefacts.extract.facts import sentences_of
from tradefacts.extract.periods import publication_date
from tradefacts.extract.tokens import split_sentences, tokenize


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Товарооборот составил 1,5 млрд. долларов США. Рост составил 12%.", 2),
        ("Экспорт достиг 3 млрд. долл. США за год.", 1),
        ("Тауар айналымы 2,4 млрд доллар болды (2019-2024 жж.) және өсті.", 1),
        ("Trade with the U.S. reached $2.5 bn. Exports fell.", 2),
        ("Eksport 1,9 mlrd.ni tashkil etdi. Import esa 2,1 mlrd.ga yetdi.", 2),
        ("Товарооборот достиг $9,3 млрд. Лидеры поставили задачу.", 2),
        ("Министр В. Иванов сообщил о росте на 4,5%.", 1),
        ("Biylǵy 9 aıda 1,2 mlrd dollar.\nЖаңа жол.", 2),
    ],
)
def test_sentence_count(text: str, count: int) -> None:
    assert len(sentences_of(text)) == count


def test_offsets_index_the_text_as_given() -> None:
    text = " date 2025-08-26 Заголовок статьи\r\nПервое предложение, 2,5 млрд. Второе: 3 млн т.\n\n  Третье."
    for s in sentences_of(text):
        assert text[s.start : s.end] == s.text
    assert not sentences_of(text)[0].text.startswith("date")


@pytest.mark.parametrize(
    ("text", "date"),
    [
        (" date 2025-08-26 Заголовок\nТекст.", "2025-08-26"),
        (" date 2018-02 Nagłówek\nTekst.", "2018-02-01"),
        ("17:37, 22 Сентябрь 2025 | GMT +5\nҚозоғистон ва Ўзбекистон.", "2025-09-22"),
        ("Опубликовано\n18.08.2020, 09:00 Кыргызстанда.", "2020-08-18"),
        ("Some news. /// nCa, 20 January 2023", "2023-01-20"),
        ("TOShKENT, 29-may 2018 — Sputnik.", "2018-05-29"),
        ("Тошкент, 2025 йил 12 август — УзА. Товар айирбошлаш ўсди.", "2025-08-12"),
        ("Toshkent, 2023-yil 17-avgust /UzA/. Savdo o'sdi.", "2023-08-17"),
        ("Бишкек, 2023-жылдын 5-марты. Соода өстү.", "2023-03-05"),
        ("3-февраль, 2026-жыл, 11:20\nСоода өстү.", "2026-02-03"),
        ("Астана, 2025 жылғы 3 қыркүйек. Сауда өсті.", "2025-09-03"),
        ("Душанбе, 25 января /Синьхуа/ -- Объем товарооборота вырос.", None),
        ("ТАШКЕНТ, 3 ноя — Sputnik. Товарооборот в 2024 году вырос.", None),
        ("Опубликовано\nТоварооборот вырос.", None),
    ],
)
def test_publication_date(text: str, date: str | None) -> None:
    got = publication_date(text)
    assert (got.isoformat() if got else None) == date


@pytest.mark.parametrize(
    "text",
    [
        " date 2024-05-01\nЭкспорт 20 445 231 тонн. 1 234 т.б. жүк 2024-01-02T10:00 тасымалданды.",
        "U.S. exports rose 5%. Imports fell to $1.2 bn.\n\nQ1 2025: 12.05.2025, 1.844.036,12",
        "Savdo hajmi 3,4 mlrd dollarni tashkil etdi.O‘zbekiston 2024-yilda… «Yana» 18-19%",
        "Headline without a stop\nТоварооборот вырос на 10 %; экспорт — 2,1 млрд долл. США.",
    ],
)
def test_tokenizing_the_sentences_at_once_equals_one_by_one(text: str) -> None:
    from tradefacts.extract.facts import _tokenize_once
    from tradefacts.lang.lexicon import load_lexicon

    lex = load_lexicon()
    sentences = split_sentences(text, lex.abbreviations, lex.closing_abbreviations)
    alone = [tokenize(s.text, s.start) for s in sentences]
    _tokenize_once(text, sentences)
    assert [s.tokens for s in sentences] == alone
