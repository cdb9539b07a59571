"""From sources to analysed articles: what ``Store.ingest`` reads and what it computes.

``iter_inputs(sources)`` turns the things a user names (text files, folders, JSONL and
Parquet files, saved HTML pages, http(s) URLs of pages and feeds, ``Document`` objects) into
``Document`` objects, with a ``ReadError`` for each failure; ``analyse(doc)`` gives an
article's language, publication date and facts. HTML pages, URLs and feeds go through
``tradefacts.sources`` when it is installed; without it only they report "not available".

The store, not this module, decides what is new, what is unchanged and what supersedes
what (see ``tradefacts.store``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from tradefacts.document import (
    JSONL_SUFFIXES,
    Document,
    ReadError,
    parse_record_line,
    read_jsonl,
    read_text_file,
)
from tradefacts.lang.detect import detect_language
from tradefacts.model import Fact

#: an article longer than this (in characters) is refused: news articles are far shorter,
#: and extraction time grows with length
MAX_ARTICLE_CHARS = 2_000_000
#: a single text file larger than this (in bytes) is refused before it is read
MAX_FILE_BYTES = 8_000_000

PARQUET_SUFFIXES = (".parquet", ".pq")
HTML_SUFFIXES = (".html", ".htm")
#: what a folder contributes (JSONL and Parquet files must be named one by one)
FOLDER_SUFFIXES = (".txt", *HTML_SUFFIXES)
#: Parquet columns read (``text`` is required; the others are optional)
PARQUET_COLUMNS = ("id", "url", "date", "text", "lang", "title", "source")

Source = str | os.PathLike[str] | Document


# --------------------------------------------------------------------------- summary


@dataclass(slots=True)
class IngestSummary:
    """What one ``Store.ingest`` call did. ``errors`` holds one ``where: reason`` line each."""

    read: int = 0
    new: int = 0
    unchanged: int = 0
    new_versions: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def stored(self) -> int:
        """Article versions written to the store (new articles and new versions)."""
        return self.new + self.new_versions

    def line(self) -> str:
        """The final one-line summary."""
        rate = f", {self.read / self.seconds:,.0f} articles/s" if self.seconds > 0 else ""
        return (
            f"read {self.read}, new {self.new}, unchanged {self.unchanged}, "
            f"new versions {self.new_versions}, errors {len(self.errors)} "
            f"({self.seconds:.1f} s{rate})"
        )

    def __str__(self) -> str:
        return self.line()


# --------------------------------------------------------------------------- sources


def sources_module() -> tuple[ModuleType | None, str]:
    """``tradefacts.sources`` (HTML, URLs, feeds), or None and why it is not available."""
    try:
        return importlib.import_module("tradefacts.sources"), ""
    except ImportError as e:
        if getattr(e, "name", None) == "tradefacts.sources":
            return (
                None,
                "URL, feed and HTML ingestion not available (tradefacts.sources is not installed)",
            )
        return None, f"URL, feed and HTML ingestion not available ({_first_line(e)})"


_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def is_source(arg: str) -> bool:
    """True for what ``tradefacts.sources`` reads: URLs and ``.html``/``.htm`` files."""
    module, _ = sources_module()
    if module is not None:
        try:
            return bool(module.is_source(arg))
        except Exception:  # noqa: BLE001 - fall back to our own test
            pass
    return bool(_URL.match(arg)) or arg.lower().endswith(HTML_SUFFIXES)


def _from_sources(arg: str) -> Iterator[Document | ReadError]:
    module, why = sources_module()
    if module is None:
        yield ReadError(arg, why)
        return
    try:
        for item in module.iter_source(arg):
            if isinstance(item, Document | ReadError):
                yield item
            else:
                yield ReadError(arg, f"tradefacts.sources gave a {type(item).__name__}")
    except Exception as e:  # noqa: BLE001 - one source must not stop the run
        yield ReadError(arg, _first_line(e))


# --------------------------------------------------------------------------- inputs


def iter_inputs(sources: Source | Iterable[Source]) -> Iterator[Document | ReadError]:
    """Documents from every source in order, with a ``ReadError`` for each failure.

    - ``Document``: as is.
    - http(s) URL of a page or a feed, ``.html``/``.htm`` file: through ``tradefacts.sources``.
    - folder: its ``*.txt``, ``*.html`` and ``*.htm`` files, recursively, sorted (hidden
      files and folders skipped).
    - ``.jsonl``/``.ndjson``: records ``{id, url, date, lang, text}``, one per line.
    - ``.parquet``: rows with columns ``id, url, date, text`` (and optionally ``lang``,
      ``title``, ``source``).
    - a folder written by ``tradefacts batch``: its articles with the facts already
      extracted (``AnalysedDocument``; see ``tradefacts.batch``).
    - any other file: one article in the corpus text format.

    Articles read from files get a ``source`` when they have none: the folder the file is
    in, named from the folder given (``articles/2024``), or the JSONL/Parquet file name.
    An article without a URL is known by ``source/id`` (see ``article_key``).
    """
    if isinstance(sources, str | os.PathLike | Document):
        sources = [sources]
    for source in sources:
        if isinstance(source, Document):
            yield source
            continue
        arg = os.fspath(source)
        path = Path(arg)
        if _URL.match(arg):
            yield from _from_sources(arg)
        elif path.is_dir() and is_batch_output(path):
            yield from _read_batch_output(path)
        elif path.is_dir():
            yield from _read_folder(path)
        elif not path.exists():
            yield ReadError(arg, "no such file or directory")
        else:
            yield from _read_file(path, path.resolve().parent.name)


#: the file ``tradefacts batch`` writes last into its output folder
BATCH_MANIFEST = "_tradefacts_batch.json"


def is_batch_output(folder: Path) -> bool:
    """A folder ``tradefacts batch`` wrote (or began to write)."""
    return (folder / BATCH_MANIFEST).is_file() or (
        (folder / "articles").is_dir() and (folder / "facts").is_dir()
    )


def _read_batch_output(folder: Path) -> Iterator[Document | ReadError]:
    from tradefacts.batch import read_output

    yield from read_output(folder)


def _read_folder(root: Path) -> Iterator[Document | ReadError]:
    base = root.resolve()
    try:
        files = sorted(
            f
            for f in root.rglob("*")
            if f.suffix.lower() in FOLDER_SUFFIXES
            and not any(part.startswith(".") for part in f.relative_to(root).parts)
            and f.is_file()
        )
    except OSError as e:
        yield ReadError(root, _os_reason(e))
        return
    for f in files:
        folder = Path(base.name, *f.relative_to(root).parts[:-1]).as_posix()
        yield from _read_file(f, folder)


def _read_file(path: Path, folder: str) -> Iterator[Document | ReadError]:
    name = path.name.lower()
    if name.endswith(HTML_SUFFIXES):
        for item in _from_sources(str(path)):
            yield _with_source(item, folder, local=True)
    elif name.endswith(JSONL_SUFFIXES):
        yield from stream_jsonl(path, source=path.name)
    elif name.endswith(PARQUET_SUFFIXES):
        for item in read_parquet(path):
            yield _with_source(item, path.name)
    elif not name.endswith(".txt") and is_source(str(path)):
        for item in _from_sources(str(path)):
            yield _with_source(item, folder, local=True)
    else:
        try:
            size = path.stat().st_size
        except OSError as e:
            yield ReadError(path, _os_reason(e))
            return
        if size > MAX_FILE_BYTES:
            yield ReadError(
                path,
                f"too large for one article ({size / 1e6:.1f} MB; the limit is "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB): split it, or give a JSONL file",
            )
            return
        try:
            yield _with_source(read_text_file(path), folder)
        except ReadError as e:
            yield e


def _with_source(
    item: Document | ReadError, source: str, *, local: bool = False
) -> Document | ReadError:
    """Give a document read from a file its ``source`` (for a saved page without a URL,
    the folder, so that its identity does not depend on what the page says its site is)."""
    if isinstance(item, Document) and (not item.source or (local and not item.url)):
        return dataclasses.replace(item, source=source)
    return item


def stream_jsonl(
    path: str | os.PathLike[str], *, source: str | None = None
) -> Iterator[Document | ReadError]:
    """JSONL records one line at a time, so a dump of any size is read in little memory.
    ``source``: the documents' ``source``.

    UTF-8 (with or without a BOM) is streamed; a file that starts like UTF-16/32, holds NUL
    bytes near its start or whose first record is not UTF-8 goes to the whole-file reader
    (``document.read_jsonl``, which knows those encodings). A later line that is not UTF-8
    is one ReadError.
    """
    p = Path(path)
    try:
        f = p.open("rb")
    except OSError as e:
        yield ReadError(path, _os_reason(e))
        return
    with f:
        head = f.read(65536)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
            yield from read_jsonl(path, source=source)
            return
        f.seek(0)
        seen_text = False
        # binary lines split on b"\n" only: U+2028, U+0085 may stand inside JSON strings
        for number, raw in enumerate(f, start=1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                if not seen_text:
                    yield from read_jsonl(path, source=source)
                    return
                yield ReadError(path, "not UTF-8 text", number)
                continue
            seen_text = True
            yield parse_record_line(line, p, number, source=source)
        if not seen_text:
            yield ReadError(path, "empty file")


def read_parquet(path: str | os.PathLike[str]) -> Iterator[Document | ReadError]:
    """Rows ``{id, url, date, text}`` of a Parquet file; a bad row is a ReadError (row number)."""
    import pyarrow.parquet as pq

    p = Path(path)
    try:
        pf = pq.ParquetFile(p)
        names = set(pf.schema_arrow.names)
    except Exception as e:  # noqa: BLE001 - pyarrow raises several kinds
        yield ReadError(path, f"not a readable Parquet file ({_first_line(e)})")
        return
    if "text" not in names:
        yield ReadError(path, "no 'text' column (want columns id, url, date, text)")
        return
    columns = [c for c in PARQUET_COLUMNS if c in names]
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=2048, columns=columns):
            data = batch.to_pydict()
            for i in range(batch.num_rows):
                row += 1
                try:
                    yield _parquet_row({c: data[c][i] for c in columns}, p, row)
                except ReadError as e:
                    yield e
    except Exception as e:  # noqa: BLE001
        yield ReadError(path, f"unreadable Parquet data after row {row} ({_first_line(e)})")


def _parquet_row(rec: dict[str, Any], path: Path, row: int) -> Document:
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ReadError(path, "record without text", row)
    raw_id = rec.get("id")
    date = rec.get("date")
    if isinstance(date, dt.datetime):
        date = date.date()
    elif isinstance(date, str) and date.strip():
        try:
            date = dt.date.fromisoformat(date.strip()[:10])
        except ValueError:
            raise ReadError(path, f"bad date {date!r} (want YYYY-MM-DD or null)", row) from None
    elif not isinstance(date, dt.date):
        date = None
    return Document(
        id=str(raw_id) if raw_id not in (None, "") else f"{path.name}:{row}",
        text=text,
        url=str(rec["url"]) if rec.get("url") else None,
        date=date,
        path=path,
        label_lang=str(rec["lang"]) if rec.get("lang") else None,
        title=str(rec["title"]) if rec.get("title") else None,
        source=str(rec["source"]) if rec.get("source") else None,
    )


# --------------------------------------------------------------------------- analysis


def article_key(doc: Document) -> str:
    """An article's identity: its URL, else ``source/id`` (or the id alone without a source)."""
    if doc.url:
        return doc.url
    return f"{doc.source}/{doc.id}" if doc.source else doc.id


@dataclass(frozen=True, slots=True)
class Analysis:
    """What extraction makes of one article."""

    lang: str
    published: dt.date | None
    #: where ``published`` came from: "metadata" (feed, record), "text" (header, dateline)
    published_from: str | None
    facts: list[Fact]


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysedDocument(Document):
    """An article whose analysis was made elsewhere (by ``tradefacts batch``): the store
    keeps its facts, language and date as they are, made by ``extractor``."""

    analysis: Analysis
    extractor: str


def text_date(text: str) -> dt.date | None:
    """The publication date an article's text gives (header, else a dateline)."""
    try:
        value = _module("tradefacts.extract.periods").publication_date(text)
    except Exception:  # noqa: BLE001 - a date guess must not stop a run
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _module(name: str) -> ModuleType:
    """A module, imported on first use (the extractor loads its language data)."""
    return sys.modules.get(name) or importlib.import_module(name)


def analyse(text: str, date: dt.date | None = None, *, lang: str | None = None) -> Analysis:
    """Language (``lang`` when already told), publication date (``date`` when known, else
    from the text) and facts.

    Raises whatever the extractor raises; the caller reports it.
    """
    if date is not None:
        published, origin = date, "metadata"
    else:
        published = text_date(text)
        origin = "text" if published else None
    # looked up on each call, so that tests can stand in an extractor
    extract = _module("tradefacts.extract").extract
    facts = list(extract(text, published))
    return Analysis(detect_language(text) if lang is None else lang, published, origin, facts)


def languages(texts: Iterable[str]) -> list[str]:
    """``detect_language`` of each text. Told one after the other, not each between two
    extractions, language detection runs a third faster (its tables stay in the CPU's
    caches), and extraction a little faster too."""
    return [detect_language(text) for text in texts]


def refusal(doc: Document) -> str | None:
    """Why an article is refused (no text, or too long for one article), or None."""
    if not isinstance(doc.text, str) or not doc.text.strip():
        return "record without text"
    if len(doc.text) > MAX_ARTICLE_CHARS:
        return (
            f"too long for one article ({len(doc.text):,} characters; "
            f"the limit is {MAX_ARTICLE_CHARS:,})"
        )
    return None


# --------------------------------------------------------------------------- progress


class Progress:
    """A rich progress line (articles read, articles/s) on stderr, or nothing at all."""

    def __init__(self, enabled: bool, label: str = "ingest") -> None:
        self._progress: Any = None
        self._task: Any = None
        self.label = label
        self.enabled = enabled

    def advance(self, n: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    @contextmanager
    def running(self) -> Iterator[Progress]:
        if not self.enabled:
            yield self
            return
        from rich.console import Console
        from rich.progress import (
            Progress as RichProgress,
        )
        from rich.progress import (
            ProgressColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.0f} articles/s" if speed else "- articles/s")

        progress = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,} articles"),
            Rate(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        with progress:
            self._progress = progress
            self._task = progress.add_task(self.label, total=None)
            try:
                yield self
            finally:
                self._progress = None


def timer() -> Callable[[], float]:
    start = time.perf_counter()
    return lambda: time.perf_counter() - start


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def _os_reason(e: OSError) -> str:
    return e.strerror.lower() if e.strerror else str(e)
