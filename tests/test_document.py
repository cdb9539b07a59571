"""Reading articles: encodings, BOMs, binary and empty files, JSONL records, directories."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tradefacts.document import (
    Document,
    ReadError,
    decode_bytes,
    iter_documents,
    read_jsonl,
    read_text_file,
)

RU = " date 2024-03-05 Товарооборот вырос\r\nОбъём торговли составил 3,2 млрд долларов.\n"
KK = "Екі ел арасындағы сауда көлемі 1,5 млрд долларға жетті.\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def _one(paths: list[Path]) -> Document | ReadError:
    items = list(iter_documents(paths))
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize(
    "data",
    [
        RU.encode("utf-8"),
        b"\xef\xbb\xbf" + RU.encode("utf-8"),
        RU.encode("utf-16"),  # with BOM
        b"\xff\xfe" + RU.encode("utf-16-le"),
        b"\xfe\xff" + RU.encode("utf-16-be"),
        RU.encode("utf-16-le"),  # BOM-less, told by its NUL bytes
        RU.encode("utf-16-be"),
        RU.encode("cp1251"),
        RU.encode("utf-32"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16",
        "utf16le-bom",
        "utf16be-bom",
        "utf16le",
        "utf16be",
        "cp1251",
        "utf32",
    ],
)
def test_encodings_decode_to_the_same_text(tmp_path: Path, data: bytes) -> None:
    doc = read_text_file(_write(tmp_path, "a.txt", data))
    assert doc.text == RU  # header kept, \r\n kept, BOM gone


def test_kazakh_utf16_without_bom(tmp_path: Path) -> None:
    assert read_text_file(_write(tmp_path, "k.txt", KK.encode("utf-16-le"))).text == KK


def test_header_is_kept_verbatim_and_id_is_file_name(tmp_path: Path) -> None:
    p = _write(tmp_path, "sub/001_x.txt", RU.encode())
    doc = read_text_file(p)
    assert doc.id == "001_x.txt"
    assert doc.text.startswith(" date 2024-03-05 ")
    assert doc.date is None  # a text file has no metadata date; the header is text
    assert doc.path == p
    i = doc.text.index("3,2 млрд")
    assert doc.text[i : i + 8] == "3,2 млрд"  # offsets index the text as given


def test_binary_file_is_a_read_error(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    item = _one([_write(tmp_path, "x.bin", png)])
    assert isinstance(item, ReadError)
    assert item.reason == "binary file, not text"
    assert item.message == f"error: {tmp_path / 'x.bin'}: binary file, not text"


def test_control_characters_without_nul_are_binary() -> None:
    with pytest.raises(ValueError, match="binary"):
        decode_bytes(bytes(range(1, 32)) * 20)


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"  \n\n"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    item = _one([_write(tmp_path, "e.txt", data)])
    assert isinstance(item, ReadError) and item.reason == "empty file"


def test_missing_path(tmp_path: Path) -> None:
    item = _one([tmp_path / "nope.txt"])
    assert isinstance(item, ReadError)
    assert item.reason == "no such file or directory"


def test_errors_do_not_stop_other_files(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.txt", KK.encode())
    bad = _write(tmp_path, "bad.txt", b"\x00\x01\x02\x03" * 50)
    items = list(iter_documents([bad, tmp_path / "missing", good]))
    assert [type(i).__name__ for i in items] == ["ReadError", "ReadError", "Document"]
    assert items[2].text == KK


def test_directory_walk_is_recursive_sorted_and_txt_only(tmp_path: Path) -> None:
    _write(tmp_path, "b.txt", b"second article text")
    _write(tmp_path, "a.txt", b"first article text")
    _write(tmp_path, "z/c.txt", b"third article text")
    _write(tmp_path, "notes.md", b"not an article")
    _write(tmp_path, ".hidden/d.txt", b"skipped")
    _write(tmp_path, "empty.txt", b"")
    items = list(iter_documents([tmp_path]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert [d.id for d in docs] == ["a.txt", "b.txt", "c.txt"]
    assert [e.reason for e in errors] == ["empty file"]


def _jsonl(tmp_path: Path, lines: list[str], name: str = "c.jsonl") -> Path:
    return _write(tmp_path, name, "\n".join(lines).encode("utf-8"))


def test_jsonl_records(tmp_path: Path) -> None:
    rec = {"id": "r1", "url": "https://x.kz/1", "date": "2025-01-31", "lang": "kk", "text": KK}
    rec2 = {"id": "r2", "url": None, "date": None, "lang": "ru", "text": RU}
    p = _jsonl(tmp_path, [json.dumps(rec, ensure_ascii=False), "", json.dumps(rec2)])
    docs = list(read_jsonl(p))
    assert docs[0] == Document(
        id="r1", text=KK, url="https://x.kz/1", date=dt.date(2025, 1, 31), path=p, label_lang="kk"
    )
    assert docs[1].date is None and docs[1].text == RU and docs[1].label_lang == "ru"


def test_jsonl_bad_lines_are_errors_with_line_numbers(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "ok1", "text": "one article"}),
        "{not json",
        json.dumps({"id": "notext", "date": None}),
        json.dumps({"id": "blank", "text": "   "}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "baddate", "date": "2025-13-40", "text": "x y"}),
        json.dumps({"id": "ok2", "text": "another article"}),
    ]
    p = _jsonl(tmp_path, lines)
    items = list(iter_documents([p]))
    assert [i.id for i in items if isinstance(i, Document)] == ["ok1", "ok2"]
    errors = {i.line: i.reason for i in items if isinstance(i, ReadError)}
    assert errors[2].startswith("not JSON")
    assert errors[3] == errors[4] == "record without text"
    assert errors[5] == "not a JSON object"
    assert "bad date" in errors[6]
    bad = next(i for i in items if isinstance(i, ReadError))
    assert bad.message.startswith(f"error: {p}:2: not JSON")


def test_jsonl_text_with_unicode_line_separators(tmp_path: Path) -> None:
    text = "first\u2028second\x85third\r\nfourth"
    p = _jsonl(tmp_path, [json.dumps({"id": "u", "text": text}, ensure_ascii=False)])
    (doc,) = list(read_jsonl(p))
    assert doc.text == text


def test_jsonl_without_id_gets_file_and_line(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, ["", json.dumps({"text": "some text"})], name="feed.jsonl")
    (doc,) = list(read_jsonl(p))
    assert doc.id == "feed.jsonl:2"


def test_jsonl_in_utf16_with_bom(tmp_path: Path) -> None:
    line = json.dumps({"id": "w", "text": KK}, ensure_ascii=False)
    p = _write(tmp_path, "w.jsonl", line.encode("utf-16"))
    (doc,) = list(read_jsonl(p))
    assert doc.text == KK


def test_latin1_bytes_are_not_taken_for_cp1251() -> None:
    with pytest.raises(ValueError, match="known encoding"):
        decode_bytes("Größe Übersicht für Käufer".encode("latin-1"))
