"""Documents in, before any extraction: text files, directories and JSONL records.

The text of a document is kept exactly as decoded (only a byte-order mark is dropped),
because facts' evidence offsets index into it: the optional ` date YYYY-MM-DD ` header
line and the original line endings stay in place.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: file name endings read as JSONL records; anything else given by name is a text file
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One article. ``date`` is the publication date known from metadata, not from the text."""

    id: str
    text: str
    url: str | None = None
    date: dt.date | None = None
    path: Path | None = None
    #: the record's human language label (reports only; never used for extraction)
    label_lang: str | None = None
    #: headline, when the source gives one apart from the text (HTML pages, feed entries)
    title: str | None = None
    #: where the article came from: a site or feed name, a file's folder
    source: str | None = None


class ReadError(Exception):
    """A file, or one JSONL line, that could not be read: ``error: <where>: <reason>``."""

    def __init__(self, path: str | os.PathLike[str], reason: str, line: int | None = None):
        self.path = str(path)
        self.reason = reason
        self.line = line
        super().__init__(str(self))

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"

    @property
    def message(self) -> str:
        """The one line to print for a user."""
        return f"error: {self}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReadError):
            return NotImplemented
        return (self.path, self.reason, self.line) == (other.path, other.reason, other.line)

    def __hash__(self) -> int:
        return hash((self.path, self.reason, self.line))


# --------------------------------------------------------------------------- decoding

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_bytes(data: bytes) -> str:
    """Decode a text file's bytes; raise ``ValueError(reason)`` when they are not text.

    UTF-8 (a BOM is dropped), UTF-16/32 with a BOM, BOM-less UTF-16 LE/BE recognised by
    where its NUL bytes fall, else cp1251 when the bytes are not valid UTF-8.
    """
    if not data:
        raise ValueError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as e:
                raise ValueError(f"not valid {encoding.upper()} after its BOM: {e.reason}") from e
            return _checked(text)
    if b"\x00" in data:
        encoding = _bomless_utf16(data)
        if encoding is None:
            raise ValueError("binary file, not text")
        try:
            return _checked(data.decode(encoding))
        except UnicodeDecodeError as e:
            raise ValueError("binary file, not text") from e
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError as e:
        raise ValueError("not text in a known encoding (UTF-8, UTF-16, cp1251)") from e
    if not _plausible_cp1251(text):
        raise ValueError("not text in a known encoding (UTF-8, UTF-16, cp1251)")
    return _checked(text)


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NUL bytes sit (almost) only at odd / even offsets."""
    sample = data[:65536]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    pairs = len(sample) // 2 or 1
    if odd and even <= odd // 50 and odd >= pairs // 20:
        return "utf-16-le"
    if even and odd <= even // 50 and even >= pairs // 20:
        return "utf-16-be"
    return None


_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


def _checked(text: str) -> str:
    """The text, or ``ValueError`` when it is empty or mostly not text."""
    if not text.strip():
        raise ValueError("empty file")
    bad = sum(
        1
        for ch in text[:100_000]
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs", "Cn")
    )
    if bad > max(2, len(text[:100_000]) // 100):
        raise ValueError("binary file, not text")
    return text


def _plausible_cp1251(text: str) -> bool:
    """cp1251 decodes almost anything: accept it only when Cyrillic words look like words."""
    words = [w for w in text.split() if any("\u0400" <= c <= "\u04ff" for c in w)]
    if not words:
        return True
    mixed = sum(1 for w in words if any(c.isascii() and c.isalpha() for c in w))
    return mixed * 2 <= len(words)


# --------------------------------------------------------------------------- readers


def read_text_file(path: str | os.PathLike[str], doc_id: str | None = None) -> Document:
    """One article in the corpus format; the document id is the file name."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ReadError(path, _os_reason(e)) from e
    try:
        text = decode_bytes(data)
    except ValueError as e:
        raise ReadError(path, str(e)) from e
    return Document(id=doc_id or p.name, text=text, path=p)


def read_jsonl(
    path: str | os.PathLike[str], *, source: str | None = None
) -> Iterator[Document | ReadError]:
    """Records ``{id, url, date, lang, text}``, one per line; a bad line is a ReadError.
    ``source``: the documents' ``source``."""
    p = Path(path)
    try:
        content = decode_bytes(p.read_bytes())
    except OSError as e:
        yield ReadError(path, _os_reason(e))
        return
    except ValueError as e:
        yield ReadError(path, str(e))
        return
    # split on "\n" only: U+2028, U+0085 ... may stand unescaped inside JSON strings
    for number, line in enumerate(content.split("\n"), start=1):
        if line.strip():
            yield parse_record_line(line, p, number, source=source)


def parse_record_line(
    line: str, path: Path, number: int, *, source: str | None = None
) -> Document | ReadError:
    """One JSONL line as a Document (with ``source`` as its ``source``), or the ReadError
    that says what is wrong with it."""
    try:
        return _record(json.loads(line), path, number, source)
    except ReadError as e:
        return e
    except json.JSONDecodeError as e:
        return ReadError(path, f"not JSON ({e.msg}, column {e.colno})", number)


#: a lone UTF-16 surrogate, which a JSON escape can produce but no UTF-8 text can hold
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _record(obj: Any, path: Path, number: int, source: str | None = None) -> Document:
    if not isinstance(obj, dict):
        raise ReadError(path, "not a JSON object", number)
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ReadError(path, "record without text", number)
    for name in ("text", "id", "url", "lang"):
        value = obj.get(name)
        bad = _SURROGATE_RE.search(value) if isinstance(value, str) else None
        if bad:
            # JSON lets "\ud800" through; no UTF-8 text (Arrow, DuckDB) can hold it
            raise ReadError(
                path,
                f"{name} has an unpaired surrogate (\\u{ord(bad.group()):04x} at character "
                f"{bad.start()}): not valid Unicode",
                number,
            )
    raw_id = obj.get("id")
    doc_id = str(raw_id) if raw_id not in (None, "") else f"{path.name}:{number}"
    url = obj.get("url")
    label = obj.get("lang")
    return Document(
        id=doc_id,
        text=text,
        url=str(url) if url else None,
        date=_date(obj.get("date"), path, number),
        path=path,
        label_lang=str(label) if label else None,
        source=source,
    )


def _date(value: Any, path: Path, number: int) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ReadError(path, f"bad date {value!r} (want YYYY-MM-DD or null)", number)


def read_directory(path: str | os.PathLike[str]) -> Iterator[Document | ReadError]:
    """Every ``*.txt`` file under a directory, recursively, in sorted order (hidden ones skipped)."""
    root = Path(path)
    try:
        files = sorted(
            f
            for f in root.rglob("*.txt")
            if not any(part.startswith(".") for part in f.relative_to(root).parts) and f.is_file()
        )
    except OSError as e:
        yield ReadError(path, _os_reason(e))
        return
    for f in files:
        try:
            yield read_text_file(f)
        except ReadError as e:
            yield e


def iter_documents(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Document | ReadError]:
    """Documents from files, directories and JSONL files, with a ReadError for each failure."""
    for path in paths:
        p = Path(path)
        if p.is_dir():
            yield from read_directory(path)
        elif not p.exists():
            yield ReadError(path, "no such file or directory")
        elif p.name.lower().endswith(JSONL_SUFFIXES):
            yield from read_jsonl(path)
        else:
            try:
                yield read_text_file(path)
            except ReadError as e:
                yield e


def _os_reason(e: OSError) -> str:
    return e.strerror.lower() if e.strerror else str(e)
