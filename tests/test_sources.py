"""Web sources: HTML pages, RSS/Atom feeds and the watcher, against a local HTTP server.

No test touches the internet: pages and feeds are our own fixtures under
tests/fixtures/sources, served on 127.0.0.1 from a random port.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tradefacts.document import Document, ReadError
from tradefacts.extract import extract
from tradefacts.sources import FetchResult, fetch_url, is_source, iter_source, watch
from tradefacts.sources.dates import month_number, parse_date
from tradefacts.sources.fetch import decode_html, sniff_charset
from tradefacts.sources.html import html_to_text, join_title

FIXTURES = Path(__file__).parent / "fixtures" / "sources"

RU_TITLE = "Товарооборот Казахстана и Узбекистана за 9 месяцев 2025 года составил 3,4 млрд долларов"
KK_TITLE = "Қазақстан мен Өзбекстан арасындағы тауар айналымы 3,4 млрд долларға жетті"
UZ_TITLE = "Oʻzbekiston va Qozogʻiston savdosi 3,4 mlrd dollarga yetdi"

# path -> (file, content type, how to serve it)
ROUTES: dict[str, tuple[str, str, str]] = {
    "/news/ru.html": ("article_ru.html", "text/html; charset=utf-8", "plain"),
    "/news/kk.html": ("article_kk.html", "text/html; charset=UTF-8", "plain"),
    "/news/uz.html": ("article_uz.html", "text/html", "plain"),
    "/news/en.html": ("article_en.html", "text/html; charset=utf-8", "gzip"),
    "/news/cp1251.html": ("article_cp1251.html", "text/html", "plain"),  # <meta> charset
    "/news/cp1251-header": ("article_cp1251.html", "text/html; charset=windows-1251", "plain"),
    "/news/truncated.html": ("truncated.html", "text/html; charset=utf-8", "plain"),
    "/feeds/full.rss": ("rss_full.xml", "application/rss+xml; charset=utf-8", "feed"),
    "/feeds/summaries.atom": ("atom_summaries.xml", "text/xml", "feed"),
    "/feeds/dates.rss": ("rss_local_dates.xml", "application/rss+xml", "feed"),
    "/feeds/bozo.rss": ("bozo.xml", "text/html; charset=utf-8", "feed"),  # mislabelled
    "/feeds/broken.rss": ("bozo_empty.xml", "application/rss+xml", "feed"),
}


class Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.hits.append(self.path)
        base = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        if self.path in ROUTES:
            name, ctype, how = ROUTES[self.path]
            body = (FIXTURES / name).read_bytes()
            if how == "feed":
                body = body.replace(b"{base}", base.encode())
            headers = {"Content-Type": ctype}
            if how == "gzip":
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            self._send(200, body, headers)
        elif self.path == "/redirect":
            self._send(302, b"", {"Location": "/news/ru.html"})
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, b"<html><body><p>late</p></body></html>", {"Content-Type": "text/html"})
        elif self.path == "/cut":  # the connection drops half-way through the page
            body = (FIXTURES / "article_ru.html").read_bytes()
            headers = {"Content-Type": "text/html", "Content-Length": str(len(body))}
            self._send(200, body[:1000], headers)
        elif self.path == "/big":
            self._send(200, b"<p>" + b"x" * 100_000 + b"</p>", {"Content-Type": "text/html"})
        elif self.path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)), {"Content-Type": "image/png"})
        elif self.path == "/binary.html":
            self._send(200, bytes(range(256)) * 8, {"Content-Type": "text/html"})
        elif self.path == "/empty.html":
            self._send(200, b"", {"Content-Type": "text/html"})
        else:
            self._send(404, b"<h1>Not found</h1>", {"Content-Type": "text/html"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def hits() -> Iterator[list[str]]:
    Handler.hits.clear()
    yield Handler.hits


def _all(source: str, **kw: object) -> list[Document | ReadError]:
    return list(iter_source(source, **kw))  # type: ignore[arg-type]


def _one_doc(source: str, **kw: object) -> Document:
    items = _all(source, **kw)
    assert len(items) == 1, items
    assert isinstance(items[0], Document), items[0]
    return items[0]


def _one_error(source: str, **kw: object) -> ReadError:
    items = _all(source, **kw)
    assert len(items) == 1, items
    assert isinstance(items[0], ReadError), items[0]
    return items[0]


def _facts(doc: Document) -> set[tuple[str, tuple[str, str], float, str | None]]:
    return {(f.indicator, f.parties, f.value, f.period) for f in extract(doc.text, doc.date)}


# --------------------------------------------------------------------------- is_source


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("https://example.kz/news/1", True),
        ("HTTP://example.kz", True),
        ("page.html", True),
        ("saved/Page.HTM", True),
        ("articles.jsonl", False),
        ("corpus/", False),
        ("notes.txt", False),
        ("http://", False),
    ],
)
def test_is_source(arg: str, expected: bool) -> None:
    assert is_source(arg) is expected


# --------------------------------------------------------------------------- pages


def test_russian_page_title_date_text_and_facts(server: str) -> None:
    doc = _one_doc(f"{server}/news/ru.html")
    assert doc.title == RU_TITLE
    assert doc.date == dt.date(2025, 10, 16)
    assert doc.url == doc.id == f"{server}/news/ru.html"
    assert doc.source == "Деловой Вестник"
    lines = doc.text.split("\n")
    assert lines[0] == RU_TITLE and lines.count(RU_TITLE) == 1  # headline once, first
    assert "Экспорт казахстанских товаров в Узбекистан" in doc.text
    assert "Читайте также" not in doc.text and "Все права защищены" not in doc.text
    facts = _facts(doc)
    assert ("turnover", ("KAZ", "UZB"), 3.4e9, "2025-01/2025-09") in facts
    assert ("export", ("KAZ", "UZB"), 2.3e9, "2025-01/2025-09") in facts


def test_kazakh_page_date_from_its_dateline_and_facts(server: str) -> None:
    doc = _one_doc(f"{server}/news/kk.html")
    assert doc.title == KK_TITLE
    assert doc.date == dt.date(2025, 12, 14)  # "14 Желтоқсан 2025 ж."
    assert doc.text.startswith(KK_TITLE + "\n")
    assert "Шекарадағы өткізу пункттерінің" in doc.text
    assert "Соңғы жаңалықтар" not in doc.text
    assert ("turnover", ("KAZ", "UZB"), 3.4e9, "2025-01/2025-09") in _facts(doc)


def test_uzbek_page(server: str) -> None:
    doc = _one_doc(f"{server}/news/uz.html")
    assert doc.title == UZ_TITLE
    assert doc.date == dt.date(2025, 10, 17)
    assert "tovar ayirboshlash hajmi 3,4 mlrd dollarni tashkil etdi" in doc.text


def test_gzipped_english_page(server: str) -> None:
    doc = _one_doc(f"{server}/news/en.html")
    assert doc.title == "Kazakhstan and Uzbekistan trade reaches $3.4 billion in nine months"
    assert doc.date == dt.date(2025, 10, 18)
    assert doc.source == "Steppe Trade Review"
    assert "Kazakh exports to Uzbekistan" in doc.text
    assert ("turnover", ("KAZ", "UZB"), 3.4e9, "2025-01/2025-09") in _facts(doc)


@pytest.mark.parametrize("path", ["/news/cp1251.html", "/news/cp1251-header"])
def test_cp1251_page(server: str, path: str) -> None:
    doc = _one_doc(server + path)
    assert doc.title == "Товарооборот Кыргызстана и Казахстана составил 1,9 млрд долларов"
    assert "Национальный статистический комитет" in doc.text
    assert doc.date == dt.date(2025, 11, 20)  # from the dateline
    assert ("turnover", ("KAZ", "KGZ"), 1.9e9, "2025-01/2025-09") in _facts(doc)


def test_local_html_file() -> None:
    doc = _one_doc(str(FIXTURES / "article_ru.html"))
    assert doc.id == "article_ru.html"
    assert doc.path == FIXTURES / "article_ru.html"
    assert doc.url is None
    assert doc.title == RU_TITLE and doc.date == dt.date(2025, 10, 16)
    assert doc.source == "Деловой Вестник"  # og:site_name
    kk = _one_doc(str(FIXTURES / "article_kk.html"))
    assert kk.source == "sources"  # no site name: the file's folder
    assert ("turnover", ("KAZ", "UZB"), 3.4e9, "2025-01/2025-09") in _facts(kk)


def test_local_cp1251_file_and_missing_file(tmp_path: Path) -> None:
    doc = _one_doc(str(FIXTURES / "article_cp1251.html"))
    assert "Бишкек" in doc.text
    err = _one_error(str(tmp_path / "missing.html"))
    assert err.message == f"error: {tmp_path / 'missing.html'}: no such file or directory"
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"  \n")
    assert _one_error(str(empty)).reason == "empty file"


def test_truncated_page_keeps_what_can_be_recovered(server: str, tmp_path: Path) -> None:
    doc = _one_doc(f"{server}/news/truncated.html")
    assert doc.title == "Экспорт зерна из Казахстана в Узбекистан вырос"
    assert "1,2 млн тонн" in doc.text
    # cut anywhere: a Document or a ReadError, never an exception
    data = (FIXTURES / "article_kk.html").read_bytes()
    for cut in range(0, len(data), 97):
        f = tmp_path / "cut.html"
        f.write_bytes(data[:cut])
        for item in iter_source(str(f)):
            if isinstance(item, ReadError):
                assert item.path == str(f) and item.reason
            else:
                assert item.text.strip()


def test_garbled_page_gives_the_recoverable_text(tmp_path: Path) -> None:
    html = (FIXTURES / "article_ru.html").read_text(encoding="utf-8")
    garbled = (
        html.replace("<p>", "<p>\x00\x01<b><i><span class=>", 2)
        .replace("</article>", "</p></div></span>&#xD800;&bogus;")
        .replace("<main>", "<main><![CDATA[ ]]><table><td>")
    )
    f = tmp_path / "garbled.html"
    f.write_text(garbled, encoding="utf-8")
    doc = _one_doc(str(f))
    assert doc.title == RU_TITLE
    assert "Товарооборот между Казахстаном и Узбекистаном" in doc.text
    assert "Экспорт казахстанских товаров в Узбекистан" in doc.text
    assert "\x00" not in doc.text and "\x01" not in doc.text


def test_a_bug_inside_is_one_error_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    import tradefacts.sources.read as read

    def broken(*args: object, **kw: object) -> Document:
        raise KeyError("boom")

    monkeypatch.setattr(read, "page_document", broken)
    err = _one_error(str(FIXTURES / "article_ru.html"))
    assert err.reason == "unexpected KeyError: 'boom'"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/news/missing.html", "HTTP 404 Not Found"),
        ("/image.png", "not an HTML page or a feed (image/png)"),
        ("/binary.html", "binary file, not text"),
        ("/empty.html", "empty file"),
    ],
)
def test_page_errors_are_one_line(server: str, path: str, reason: str) -> None:
    err = _one_error(server + path)
    assert err.path == server + path
    assert err.reason == reason
    assert err.message == f"error: {server}{path}: {reason}"


def test_a_dropped_connection_is_an_error_not_half_a_page(server: str) -> None:
    size = (FIXTURES / "article_ru.html").stat().st_size
    err = _one_error(f"{server}/cut")
    assert err.reason == f"connection closed after 1000 of {size} bytes"


def test_redirect_gives_the_final_url(server: str) -> None:
    doc = _one_doc(f"{server}/redirect")
    assert doc.url == f"{server}/news/ru.html"
    assert doc.title == RU_TITLE


def test_timeout(server: str) -> None:
    start = time.monotonic()
    err = _one_error(f"{server}/slow", fetch=functools.partial(fetch_url, timeout=0.3))
    assert err.reason == "timed out after 0.3 s"
    assert time.monotonic() - start < 1.2


def test_size_cap(server: str) -> None:
    err = _one_error(f"{server}/big", fetch=functools.partial(fetch_url, max_bytes=10_000))
    assert err.reason == "larger than 10000 bytes"


def test_connection_refused_and_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    err = _one_error(f"http://127.0.0.1:{port}/x", fetch=functools.partial(fetch_url, timeout=2))
    assert err.reason == "connection refused by 127.0.0.1"

    def no_dns(*args: object, **kw: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    err = _one_error("http://news.example.invalid/a")
    assert (
        err.message
        == "error: http://news.example.invalid/a: DNS lookup failed for news.example.invalid"
    )


def test_fetch_result_and_user_agent(server: str) -> None:
    seen: dict[str, str] = {}
    original = Handler.do_GET

    def spy(self: Handler) -> None:
        seen["ua"] = self.headers.get("User-Agent", "")
        original(self)

    Handler.do_GET = spy  # type: ignore[method-assign]
    try:
        r = fetch_url(f"{server}/news/en.html")
    finally:
        Handler.do_GET = original  # type: ignore[method-assign]
    assert seen["ua"].startswith("tradefacts/")
    assert r.status == 200 and r.mime == "text/html" and r.charset == "utf-8"
    assert isinstance(r.content, bytes) and r.content.startswith(b"<!DOCTYPE html>")  # gunzipped
    with pytest.raises(ReadError, match="not an http"):
        fetch_url("file:///etc/passwd")


def test_a_stand_in_fetch_that_raises_is_one_error() -> None:
    def boom(url: str) -> FetchResult:
        raise RuntimeError("socket exploded\nwith details")

    assert _one_error("https://x.example/a", fetch=boom).reason == "RuntimeError: socket exploded"

    def status(url: str) -> FetchResult:
        return FetchResult(url, 503, "text/html", b"busy")

    assert _one_error("https://x.example/a", fetch=status).reason == "HTTP 503"


# --------------------------------------------------------------------------- feeds


def test_rss_with_full_content_is_not_refetched(server: str, hits: list[str]) -> None:
    items = _all(f"{server}/feeds/full.rss")
    assert hits == ["/feeds/full.rss"]  # no linked page fetched
    assert all(isinstance(d, Document) for d in items) and len(items) == 2
    ru, en = items
    assert isinstance(ru, Document) and isinstance(en, Document)
    assert ru.id == "vestnik-2025-10-16-001"
    assert ru.url == f"{server}/news/ru-turnover"
    assert ru.title == RU_TITLE
    assert ru.date == dt.date(2025, 10, 16)  # the publisher's day (UTC: the 15th)
    assert ru.source == "Деловой Вестник — Экономика"
    assert ru.text.startswith(RU_TITLE + "\nАстана. Товарооборот")
    assert ("turnover", ("KAZ", "UZB"), 3.4e9, "2025-01/2025-09") in _facts(ru)
    assert en.id == en.url == f"{server}/news/en-freight"
    assert en.date == dt.date(2025, 10, 17)
    assert "21.4 million tonnes" in en.text and "trackArticle" not in en.text


def test_atom_with_summaries_fetches_the_linked_pages(server: str, hits: list[str]) -> None:
    items = _all(f"{server}/feeds/summaries.atom")
    assert hits == ["/feeds/summaries.atom", "/news/kk.html", "/news/uz.html", "/news/gone.html"]
    kk, uz, gone = items
    assert isinstance(kk, Document) and isinstance(uz, Document)
    assert kk.id == "urn:uuid:3c1a6a52-0000-4000-8000-000000000002"
    assert kk.url == f"{server}/news/kk.html"
    assert kk.title == KK_TITLE
    assert kk.date == dt.date(2025, 12, 14)  # 00:30 +05:00, not feedparser's UTC 13th
    assert kk.source == "Сауда жаршысы"
    assert kk.text.startswith(KK_TITLE + "\nАстана. 2025 жылдың")
    assert ("turnover", ("KAZ", "UZB"), 3.4e9, "2025-01/2025-09") in _facts(kk)
    assert uz.url == f"{server}/news/uz.html"  # relative link resolved against the feed
    assert uz.date == dt.date(2025, 10, 17)
    assert "Statistika agentligi" in uz.text
    assert gone == ReadError(f"{server}/news/gone.html", "HTTP 404 Not Found")


def test_feed_dates_feedparser_cannot_read(server: str) -> None:
    import feedparser

    raw = (FIXTURES / "rss_local_dates.xml").read_bytes()
    assert not any(e.get("published_parsed") for e in feedparser.parse(raw).entries)
    items = _all(f"{server}/feeds/dates.rss")
    assert [d.date for d in items if isinstance(d, Document)] == [
        dt.date(2025, 9, 22),  # 22 Сентябрь 2025
        dt.date(2025, 12, 14),  # 14 Желтоқсан 2025 ж.
        dt.date(2025, 10, 3),  # 3 oktyabr 2025
        dt.date(2025, 9, 22),  # Пн, 22 сен 2025 23:10:00 +0500
    ]
    first = items[0]
    assert isinstance(first, Document)
    assert first.id == "local-dates-1" and first.url is None
    assert first.text == (
        "Ресей мен Қазақстан арасындағы сауда\nРесей мен Қазақстан арасындағы тауар айналымы "
        "2025 жылдың бірінші жартыжылдығында 13,1 млрд долларды құрады."
    )
    assert first.source == "Аймақ жаңалықтары"


def test_bozo_feed_still_yields_its_entries(server: str) -> None:
    import feedparser

    raw = (FIXTURES / "bozo.xml").read_bytes()
    assert feedparser.parse(raw).bozo
    items = _all(f"{server}/feeds/bozo.rss")  # also served as text/html: sniffed
    assert [type(d) for d in items] == [Document, Document]
    uz, ru = items
    assert isinstance(uz, Document) and isinstance(ru, Document)
    assert uz.title == "Oʻzbekiston eksporti oshdi"
    assert uz.date == dt.date(2025, 10, 17)
    assert ru.title == "Qozogʻiston bilan savdo"
    assert "Экспорт казахстанских товаров" in ru.text  # summary cut short: page fetched


def test_unreadable_feed_is_one_error(server: str) -> None:
    err = _one_error(f"{server}/feeds/broken.rss")
    assert err.path == f"{server}/feeds/broken.rss"
    assert err.reason.startswith("not a readable feed (")
    assert "\n" not in err.message


def test_xml_that_is_not_a_feed() -> None:
    def fake(url: str) -> FetchResult:
        return FetchResult(url, 200, "application/xml", b"<?xml version='1.0'?><note>hi</note>")

    assert _one_error("https://x.example/n.xml", fetch=fake).reason == "not an RSS or Atom feed"


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22 Сентябрь 2025", dt.date(2025, 9, 22)),
        ("14 Желтоқсан 2025 ж.", dt.date(2025, 12, 14)),
        ("Сб, 20 сент. 2025 10:00", dt.date(2025, 9, 20)),
        ("3 oktyabr 2025", dt.date(2025, 10, 3)),
        ("15-noyabr, 2025-yil", dt.date(2025, 11, 15)),
        ("Oct 5, 2025", dt.date(2025, 10, 5)),
        ("Thu, 16 Oct 2025 01:30:00 +0500", dt.date(2025, 10, 16)),
        ("2025-12-14T00:30:00+05:00", dt.date(2025, 12, 14)),
        ("16.10.2025", dt.date(2025, 10, 16)),
        ("вчера", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


def test_month_abbreviations_come_from_the_lexicon() -> None:
    assert month_number("сен") == 9
    assert month_number("Дек.") == 12
    assert month_number("noy") == 11
    assert month_number("ма") is None  # too short: март, май, маусым...
    assert month_number("xyz") is None


def test_html_helpers() -> None:
    assert html_to_text("<p>Один</p><p>Два<br>три</p><script>x()</script>") == "Один\nДва\nтри"
    assert html_to_text("A &amp; B") == "A & B"
    assert join_title("Заголовок", "Заголовок\nТекст") == "Заголовок\nТекст"
    assert join_title(None, "Текст") == "Текст"
    cp = "<meta charset='windows-1251'><p>Привет</p>".encode("cp1251")
    assert sniff_charset(cp) == "windows-1251"
    assert decode_html(cp).endswith("<p>Привет</p>")
    assert decode_html("<p>Сәлем</p>".encode(), "iso-8859-1-wrong") == "<p>Сәлем</p>"


# --------------------------------------------------------------------------- watch

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test feed</title><link>https://t.example/</link>
{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>https://t.example/{id}</link>
<guid>https://t.example/{id}</guid><pubDate>Thu, 16 Oct 2025 09:30:00 +0500</pubDate>
<description>{body}</description></item>"""
LONG = "Товарооборот Казахстана и Узбекистана составил 3,4 млрд долларов. " * 8  # > 400 chars


def _feed(*items: tuple[str, str, str]) -> bytes:
    xml = FEED.format(items="".join(ITEM.format(id=i, title=t, body=b) for i, t, b in items))
    return xml.encode("utf-8")


class FakeWeb:
    """A fetch that serves a scripted sequence of feed versions (or errors) per poll."""

    def __init__(self, feeds: list[bytes | ReadError], pages: dict[str, bytes] | None = None):
        self.feeds = feeds
        self.pages = pages or {}
        self.calls: list[tuple[float, str]] = []

    def __call__(self, url: str) -> FetchResult:
        self.calls.append((time.monotonic(), url))
        if url == "https://t.example/feed":
            polls = sum(1 for _, u in self.calls if u == url)
            version = self.feeds[min(polls, len(self.feeds)) - 1]
            if isinstance(version, ReadError):
                raise version
            return FetchResult(url, 200, "application/rss+xml", version)
        if url in self.pages:
            return FetchResult(url, 200, "text/html; charset=utf-8", self.pages[url])
        raise ReadError(url, "HTTP 404 Not Found")


def _run_watch(
    web: FakeWeb, until: Callable[[list[list[Document]], list[str]], bool], every: float = 0.02
) -> tuple[list[list[Document]], list[str], float]:
    batches: list[list[Document]] = []
    logs: list[str] = []
    stop = threading.Event()

    def on_documents(docs: list[Document]) -> None:
        batches.append(docs)
        if until(batches, logs):
            stop.set()

    def log(line: str) -> None:
        logs.append(line)
        if until(batches, logs):
            stop.set()

    start = time.monotonic()
    t = threading.Thread(
        target=watch,
        args=(["https://t.example/feed"], every, on_documents),
        kwargs={"stop": stop, "log": log, "fetch": web},
    )
    t.start()
    t.join(timeout=4)
    stop.set()
    t.join(timeout=2)
    assert not t.is_alive()
    return batches, logs, time.monotonic() - start


def test_watch_passes_only_new_entries() -> None:
    a = ("a", "Первая новость", LONG)
    b = ("b", "Вторая новость", LONG)
    web = FakeWeb([_feed(a), _feed(a), _feed(b, a)])
    batches, logs, took = _run_watch(web, lambda batches, logs: len(batches) >= 2)
    assert [[d.id for d in batch] for batch in batches] == [
        ["https://t.example/a"],
        ["https://t.example/b"],
    ]
    assert batches[0][0].title == "Первая новость"
    assert batches[0][0].date == dt.date(2025, 10, 16)
    assert logs == []
    assert took < 2


def test_watch_changed_entry_is_new_again_and_pages_fetched_once() -> None:
    page = (FIXTURES / "article_ru.html").read_bytes()
    short = ("p", "Короткая", "Анонс")
    edited = ("p", "Короткая (обновлено)", "Анонс")
    web = FakeWeb([_feed(short), _feed(short), _feed(edited)], {"https://t.example/p": page})
    batches, logs, _ = _run_watch(web, lambda batches, logs: len(batches) >= 2)
    assert [[d.title for d in batch] for batch in batches] == [
        ["Короткая"],
        ["Короткая (обновлено)"],
    ]
    assert "Экспорт казахстанских товаров" in batches[0][0].text
    page_fetches = [u for _, u in web.calls if u == "https://t.example/p"]
    assert len(page_fetches) == 2  # once per version, not once per poll


def test_watch_backs_off_on_network_errors_and_logs_one_line_each() -> None:
    down = ReadError("https://t.example/feed", "timed out after 10 s")
    a = ("a", "Новость", LONG)
    web = FakeWeb([down, down, down, _feed(a)])
    batches, logs, took = _run_watch(web, lambda batches, logs: len(batches) >= 1, every=0.02)
    assert logs == [
        "error: https://t.example/feed: timed out after 10 s (retrying in 0.04 s)",
        "error: https://t.example/feed: timed out after 10 s (retrying in 0.08 s)",
        "error: https://t.example/feed: timed out after 10 s (retrying in 0.16 s)",
    ]
    times = [t for t, u in web.calls if u == "https://t.example/feed"]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 3
    assert gaps[0] >= 0.035 and gaps[1] >= 0.075 and gaps[2] >= 0.155
    assert [d.id for d in batches[0]] == ["https://t.example/a"]
    assert took < 3


def test_watch_entry_page_error_is_logged_and_retried() -> None:
    web = FakeWeb([_feed(("p", "Короткая", "Анонс"))])  # the page 404s
    batches, logs, _ = _run_watch(web, lambda batches, logs: len(logs) >= 2)
    assert batches == []
    assert logs[:2] == ["error: https://t.example/p: HTTP 404 Not Found"] * 2


def test_watch_backoff_is_capped() -> None:
    down = ReadError("https://t.example/feed", "HTTP 503 Service Unavailable")
    web = FakeWeb([down] * 10)
    logs: list[str] = []
    stop = threading.Event()

    def log(line: str) -> None:
        logs.append(line)
        if len(logs) >= 5:
            stop.set()

    watch(
        ["https://t.example/feed"],
        0.01,
        lambda docs: None,
        stop=stop,
        log=log,
        fetch=web,
        max_backoff=0.04,
    )
    assert [line.rsplit("(", 1)[1] for line in logs] == [
        "retrying in 0.02 s)",
        "retrying in 0.04 s)",
        "retrying in 0.04 s)",
        "retrying in 0.04 s)",
        "retrying in 0.04 s)",
    ]


def test_watch_a_page_is_new_when_its_text_changes() -> None:
    page = (FIXTURES / "article_ru.html").read_bytes()
    versions = [page, page, page.replace("3,4 млрд".encode(), "3,5 млрд".encode())]
    calls: list[str] = []

    batches: list[list[Document]] = []
    stop = threading.Event()

    def fetch(url: str) -> FetchResult:
        calls.append(url)
        if len(calls) > 10:  # never loop forever if the pages cannot be read
            stop.set()
        return FetchResult(url, 200, "text/html", versions[min(len(calls), 3) - 1])

    def on_documents(docs: list[Document]) -> None:
        batches.append(docs)
        if len(batches) == 2:
            stop.set()

    watch(["https://t.example/page"], 0.01, on_documents, stop=stop, fetch=fetch)
    assert len(calls) == 3
    assert ["3,5 млрд" in batch[0].text for batch in batches] == [False, True]


def test_watch_stops_promptly_when_the_event_is_set() -> None:
    web = FakeWeb([_feed(("a", "Новость", LONG))])
    stop = threading.Event()
    t = threading.Thread(
        target=watch,
        args=(["https://t.example/feed"], 3600, lambda docs: None),
        kwargs={"stop": stop, "log": lambda s: None, "fetch": web},
    )
    t.start()
    time.sleep(0.1)
    start = time.monotonic()
    stop.set()
    t.join(timeout=2)
    assert not t.is_alive()
    assert time.monotonic() - start < 1.1
    assert len(web.calls) == 1


def test_watch_stops_cleanly_on_keyboard_interrupt() -> None:
    web = FakeWeb([_feed(("a", "Новость", LONG))])

    def interrupted(docs: list[Document]) -> None:
        raise KeyboardInterrupt

    watch(["https://t.example/feed"], 0.01, interrupted, log=lambda s: None, fetch=web)  # returns


def test_watch_against_the_local_server(server: str) -> None:
    batches: list[list[Document]] = []
    stop = threading.Event()

    def on_documents(docs: list[Document]) -> None:
        batches.append(docs)
        stop.set()

    logs: list[str] = []
    watch([f"{server}/feeds/full.rss"], 0.05, on_documents, stop=stop, log=logs.append)
    assert [d.id for d in batches[0]] == ["vestnik-2025-10-16-001", f"{server}/news/en-freight"]
    assert logs == []
