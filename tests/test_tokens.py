"""Sentences keep exact offsets; abbreviations and decimal commas never split one."""

from __future__ import annotations

import pytest

from tradefacts.extract.facts import sentences_of
from tradefacts.extract.periods import publication_date


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
        ("Душанбе, 25 января /Синьхуа/ -- Объем товарооборота вырос.", None),
        ("Опубликовано\nТоварооборот вырос.", None),
    ],
)
def test_publication_date(text: str, date: str | None) -> None:
    got = publication_date(text)
    assert (got.isoformat() if got else None) == date
