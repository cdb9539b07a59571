"""RSS and Atom feeds with feedparser: one Document per entry.

An entry's text is its own content when that is the full article (more than
``FULL_TEXT_CHARS`` characters once the HTML is stripped), else the linked page, fetched
and read like any page. Its date is the feed's, read by the publisher's own calendar day,
else feedparser's parsed date, else our multilingual reader for dates feedparser cannot
read ("22 Сентябрь 2025").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from tradefacts.document import Document, ReadError
from tradefacts.sources.dates import machine_date, written_date
from tradefacts.sources.fetch import FetchResult
from tradefacts.sources.html import html_to_text, join_title, page_document

FULL_TEXT_CHARS = 400
FEED_MIMES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/rss"}
)
XML_MIMES = frozenset({"application/xml", "text/xml", "application/x-rss+xml"})
_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.S | re.I)
_ROOT = re.compile(rb"\s*<([\w:.-]+)")
_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf:rdf", b"rdf"})

Fetch = Callable[[str], FetchResult | ReadError]


def looks_like_feed(mime: str, data: bytes) -> bool:
    """A feed by its content type, or by its root element ("rss", "feed", "rdf:RDF")."""
    if mime in FEED_MIMES:
        return True
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    pos = 0
    while m := _PROLOG.match(head, pos):
        if m.end() == pos:
            break
        pos = m.end()
    m = _ROOT.match(head, pos)
    return bool(m) and m.group(1).lower() in _FEED_ROOTS


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    link: str | None
    title: str | None
    date: dt.date | None
    #: the entry's own text when it is the full article, else None (fetch ``link``)
    full_text: str | None
    #: the longest text the entry carries (summary or short content)
    short_text: str
    #: hash of what the feed says about the entry: a changed entry is a new one
    content_hash: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.content_hash)


@dataclass(frozen=True, slots=True)
class Feed:
    url: str
    title: str | None
    source: str | None  # feed title, else host
    entries: list[FeedEntry]


def parse_feed(data: bytes, url: str, content_type: str = "") -> Feed | ReadError:
    """The entries feedparser can read; a ReadError only when it can read none."""
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(data, response_headers=headers, sanitize_html=False)
    except Exception as e:  # feedparser is lenient, but never let it break a run
        return ReadError(url, f"cannot parse the feed ({type(e).__name__}: {e})")
    raw_entries = list(parsed.get("entries") or [])
    if not raw_entries:
        if parsed.get("bozo"):
            return ReadError(url, f"not a readable feed ({_bozo_reason(parsed)})")
        if not parsed.get("version"):
            return ReadError(url, "not an RSS or Atom feed")
    feed_info = parsed.get("feed") or {}
    title = _one_line(feed_info.get("title"), (feed_info.get("title_detail") or {}).get("type"))
    host = urlparse(url).hostname if url else None
    entries = [_entry(e, i, url) for i, e in enumerate(raw_entries)]
    return Feed(url=url, title=title, source=title or host, entries=entries)


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    text = str(exc).strip().splitlines()[0] if exc and str(exc).strip() else ""
    return text or "malformed XML"


def _entry(e: Any, index: int, feed_url: str) -> FeedEntry:
    link = (e.get("link") or "").strip() or None
    title = _one_line(e.get("title"), (e.get("title_detail") or {}).get("type"))
    texts: list[tuple[str, str]] = []  # (raw, stripped)
    for c in e.get("content") or []:
        value = c.get("value") or ""
        texts.append((value, _strip(value, c.get("type"))))
    summary = e.get("summary") or ""
    if summary:
        detail = e.get("summary_detail") or {}
        texts.append((summary, _strip(summary, detail.get("type"))))
    raw, best = max(texts, key=lambda t: len(t[1]), default=("", ""))
    full = best if len(best) > FULL_TEXT_CHARS else None
    raw_date = e.get("published") or e.get("updated") or e.get("created")
    entry_id = (e.get("id") or "").strip() or link
    if not entry_id:
        digest = hashlib.sha256(f"{title}\n{best}".encode()).hexdigest()[:16]
        entry_id = f"{feed_url}#{digest}"
    payload = json.dumps([entry_id, link, title, raw_date, raw], ensure_ascii=False)
    return FeedEntry(
        id=entry_id,
        link=link,
        title=title,
        date=_entry_date(e),
        full_text=full,
        short_text=best,
        content_hash=hashlib.sha256(payload.encode("utf-8")).hexdigest(),
    )


def _entry_date(e: Any) -> dt.date | None:
    """published, else updated: the publisher's day, feedparser's (UTC) day, our reader."""
    for key in ("published", "updated", "created"):
        raw = e.get(key)
        d = machine_date(raw)
        if d:
            return d
        parsed = e.get(f"{key}_parsed")
        if parsed:
            try:
                return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
            except (ValueError, AttributeError):
                pass
        d = written_date(raw)
        if d:
            return d
    return None


def entry_document(entry: FeedEntry, feed: Feed, fetch: Fetch) -> Document | ReadError:
    """The article of one entry: its own full text, else its linked page."""
    if entry.full_text is not None or not entry.link:
        text = entry.full_text or entry.short_text
        if not text:
            return ReadError(entry.id, "feed entry without text or link")
        return Document(
            id=entry.id,
            text=join_title(entry.title, text),
            url=entry.link,
            date=entry.date,
            title=entry.title,
            source=feed.source,
        )
    result = fetch(entry.link)
    if isinstance(result, ReadError):
        return result
    try:
        html = result.text()
    except ReadError as e:
        return ReadError(entry.link, e.reason)
    page = page_document(html, where=entry.link, doc_id=entry.id, url=entry.link)
    if isinstance(page, ReadError):
        return page
    text = page.text if page.title else join_title(entry.title, page.text)
    return Document(
        id=entry.id,
        text=text,
        url=entry.link,
        date=entry.date or page.date,
        title=entry.title or page.title,
        source=feed.source,
    )


def _strip(value: str, mime: str | None) -> str:
    if mime == "text/plain":
        return "\n".join(line.strip() for line in value.splitlines() if line.strip())
    return html_to_text(value)


def _one_line(value: object, mime: str | None = None) -> str | None:
    if not isinstance(value, str):
        return None
    line = " ".join(_strip(value, mime).split())
    return line or None
