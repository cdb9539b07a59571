"""Reading one source: a page URL, a feed URL or a saved HTML file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from tradefacts.document import Document, ReadError
from tradefacts.sources.feeds import Feed, FeedEntry, entry_document, looks_like_feed, parse_feed
from tradefacts.sources.fetch import FetchResult, decode_html, fetch_url
from tradefacts.sources.html import page_document

HTML_SUFFIXES = (".html", ".htm")
_URL = re.compile(r"https?://[^\s/]", re.I)
_HTML_MIMES = frozenset({"text/html", "application/xhtml+xml", ""})


def is_url(arg: str) -> bool:
    return bool(_URL.match(arg))


def is_source(arg: str) -> bool:
    """True for http(s) URLs and ``.html`` / ``.htm`` files: what :func:`iter_source` reads."""
    return is_url(arg) or str(arg).lower().endswith(HTML_SUFFIXES)


def iter_source(
    source: str, *, fetch: Callable[[str], FetchResult] | None = None
) -> Iterator[Document | ReadError]:
    """The Documents of a page URL, a feed URL or a saved HTML file, with a ReadError for
    each failure (the page, the feed, or one entry's linked page)."""
    get = checked_fetch(fetch)
    try:
        if is_url(source):
            result = get(source)
            if isinstance(result, ReadError):
                yield result
                return
            yield from documents_of(result, get, where=source)
            return
        yield from _local_file(Path(source), get)
    except Exception as e:  # a bug must not stop an ingest run: one line, then on
        yield ReadError(source, unexpected(e))


def unexpected(e: BaseException) -> str:
    line = (str(e).strip().splitlines() or [""])[0]
    return f"unexpected {type(e).__name__}" + (f": {line}" if line else "")


def documents_of(
    result: FetchResult, get: Callable[[str], FetchResult | ReadError], where: str
) -> Iterator[Document | ReadError]:
    """The Documents of one fetched resource: a feed's entries, or one page."""
    if is_feed(result):
        feed = parse_feed(result.data, result.url, result.content_type)
        if isinstance(feed, ReadError):
            yield ReadError(where, feed.reason)
            return
        yield from feed_documents(feed, get)
        return
    if result.mime not in _HTML_MIMES and not result.mime.startswith("text/"):
        yield ReadError(where, f"not an HTML page or a feed ({result.mime})")
        return
    try:
        html = result.text()
    except ReadError as e:
        yield ReadError(where, e.reason)
        return
    yield page_document(html, where=where, doc_id=result.url, url=result.url)


def is_feed(result: FetchResult) -> bool:
    """A feed by content type (any XML but XHTML) or by its root element."""
    mime = result.mime
    if mime.endswith("xml") and mime != "application/xhtml+xml":
        return True
    return looks_like_feed(mime, result.data)


def feed_documents(
    feed: Feed, get: Callable[[str], FetchResult | ReadError]
) -> Iterator[Document | ReadError]:
    for entry in feed.entries:
        yield safe_entry_document(entry, feed, get)


def safe_entry_document(
    entry: FeedEntry, feed: Feed, get: Callable[[str], FetchResult | ReadError]
) -> Document | ReadError:
    try:
        return entry_document(entry, feed, get)
    except Exception as e:  # one entry must not cost the others
        return ReadError(entry.link or entry.id, unexpected(e))


def _local_file(
    path: Path, get: Callable[[str], FetchResult | ReadError]
) -> Iterator[Document | ReadError]:
    try:
        data = path.read_bytes()
    except OSError as e:
        reason = e.strerror.lower() if e.strerror else str(e)
        yield ReadError(path, reason)
        return
    if not data.strip():
        yield ReadError(path, "empty file")
        return
    if looks_like_feed("", data):
        feed = parse_feed(data, "", "")
        if isinstance(feed, ReadError):
            yield ReadError(path, feed.reason)
            return
        yield from feed_documents(feed, get)
        return
    try:
        html = decode_html(data, None, str(path))
    except ReadError as e:
        yield e
        return
    yield page_document(
        html, where=str(path), doc_id=path.name, path=path, source=path.parent.name or None
    )


def checked_fetch(
    fetch: Callable[[str], FetchResult] | None,
) -> Callable[[str], FetchResult | ReadError]:
    """``fetch`` (default :func:`fetch_url`) that returns a ReadError instead of raising,
    and for an HTTP status >= 400."""
    f = fetch or fetch_url

    def get(url: str) -> FetchResult | ReadError:
        try:
            result = f(url)
        except ReadError as e:
            return e if e.path == url else ReadError(url, e.reason)
        except Exception as e:  # a stand-in fetch's own error: still one line
            line = (str(e).strip().splitlines() or [""])[0]
            return ReadError(url, f"{type(e).__name__}: {line}" if line else type(e).__name__)
        if isinstance(result, ReadError):
            return result
        if result.status >= 400:
            return ReadError(url, f"HTTP {result.status}")
        return result

    return get
