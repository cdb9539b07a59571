"""Polling feeds: new entries only, exponential back-off on errors, a clean stop.

An entry is new when its (id, content hash) pair was not in the feed at the previous poll
of that feed; a changed entry (same id, new content) is new again. Only new entries'
linked pages are fetched. A feed that cannot be fetched or read is retried after
``every * 2**failures`` seconds (at most ``max_backoff``), with one log line per error;
an entry whose page cannot be fetched is logged and retried at the next poll.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from tradefacts.document import Document, ReadError
from tradefacts.sources.feeds import parse_feed
from tradefacts.sources.fetch import FetchResult
from tradefacts.sources.read import (
    checked_fetch,
    documents_of,
    is_feed,
    safe_entry_document,
    unexpected,
)

MAX_BACKOFF = 3600.0
_TICK = 1.0  # the stop event is checked at least this often (seconds)

Key = tuple[str, str]


def watch(
    urls: list[str],
    every: float,
    on_documents: Callable[[list[Document]], None],
    *,
    stop: threading.Event | None = None,
    log: Callable[[str], None] = print,
    fetch: Callable[[str], FetchResult] | None = None,
    max_backoff: float = MAX_BACKOFF,
) -> None:
    """Poll each URL every ``every`` seconds and pass new entries to ``on_documents``.

    Returns when ``stop`` is set or on KeyboardInterrupt. An exception raised by
    ``on_documents`` propagates (its entries are not marked as seen).
    """
    if every <= 0:
        raise ValueError("every must be > 0 seconds")
    stop = stop or threading.Event()
    get = checked_fetch(fetch)
    seen: dict[str, set[Key]] = {u: set() for u in urls}
    failures: dict[str, int] = dict.fromkeys(urls, 0)
    due: dict[str, float] = dict.fromkeys(urls, time.monotonic())
    try:
        while not stop.is_set():
            for url in urls:
                if stop.is_set():
                    return
                if time.monotonic() < due[url]:
                    continue
                error = _poll(url, get, seen, on_documents, log)
                if error is None:
                    failures[url] = 0
                    delay = every
                else:
                    failures[url] += 1
                    delay = min(every * 2 ** failures[url], max(every, max_backoff))
                    log(f"{error.message} (retrying in {_seconds(delay)})")
                due[url] = time.monotonic() + delay
            if not urls:
                return
            wait = min(due.values()) - time.monotonic()
            if wait > 0:
                stop.wait(min(wait, _TICK))
    except KeyboardInterrupt:
        return


def _poll(
    url: str,
    get: Callable[[str], FetchResult | ReadError],
    seen: dict[str, set[Key]],
    on_documents: Callable[[list[Document]], None],
    log: Callable[[str], None],
) -> ReadError | None:
    """One poll of one URL; the error that should delay the next one, if any."""
    try:
        found = _new_documents(url, get, seen[url], log)
    except Exception as e:  # a bug in reading must not end the watch
        return ReadError(url, unexpected(e))
    if isinstance(found, ReadError):
        return found
    new, current = found
    if new:
        on_documents(new)
    seen[url] = current
    return None


def _new_documents(
    url: str,
    get: Callable[[str], FetchResult | ReadError],
    seen: set[Key],
    log: Callable[[str], None],
) -> tuple[list[Document], set[Key]] | ReadError:
    """The documents not seen at the last poll, and the keys of everything seen now."""
    result = get(url)
    if isinstance(result, ReadError):
        return result
    current: set[Key] = set()
    new: list[tuple[Key, Document]] = []
    if is_feed(result):
        feed = parse_feed(result.data, result.url, result.content_type)
        if isinstance(feed, ReadError):
            return ReadError(url, feed.reason)
        for entry in feed.entries:
            if entry.key in current:
                continue
            if entry.key in seen:
                current.add(entry.key)
                continue
            doc = safe_entry_document(entry, feed, get)
            if isinstance(doc, ReadError):
                log(doc.message)  # not marked as seen: retried at the next poll
                continue
            current.add(entry.key)
            new.append((entry.key, doc))
    else:  # a page: new when its text changed
        for doc in documents_of(result, get, where=url):
            if isinstance(doc, ReadError):
                return doc
            key = (doc.id, hashlib.sha256(doc.text.encode("utf-8")).hexdigest())
            current.add(key)
            if key not in seen:
                new.append((key, doc))
    return [doc for _, doc in new], current


def _seconds(s: float) -> str:
    if s >= 120:
        return f"{s / 60:.0f} min"
    return f"{s:.3g} s"
