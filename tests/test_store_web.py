"""Pages and feeds into the store, from a local HTTP server (our own pages and feed; no test
touches the internet)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tradefacts import Store

PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<title>Торговля Казахстана и Кыргызстана выросла</title>
<meta property="article:published_time" content="2025-04-03T10:00:00+05:00">
</head><body>
<nav><a href="/">Главная</a> | <a href="/news">Новости</a></nav>
<article>
<h1>Торговля Казахстана и Кыргызстана выросла</h1>
<p>Бишкек. В прошлом году товарооборот между Казахстаном и Кыргызстаном составил
{value} млрд долларов, сообщили в министерстве экономики.</p>
<p>Стороны обсудили новые логистические маршруты и упрощение таможенных процедур на
границе. Следующая встреча рабочей группы пройдет осенью.</p>
</article>
<footer>Все права защищены.</footer>
</body></html>
"""

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Trade Wire</title><link>{base}/</link><description>Trade news</description>
<item>
<title>Uzbekistan and Turkey trade grows</title>
<link>{base}/wire/1</link><guid>{base}/wire/1</guid>
<pubDate>Mon, 10 Mar 2025 08:00:00 GMT</pubDate>
<content:encoded><![CDATA[<p>TASHKENT. Trade turnover between Uzbekistan and Turkey reached $3.8 billion in 2024, up 9% year on year, the statistics agency said on Monday.</p><p>Both sides agreed to expand cooperation in textiles and logistics and to hold the next business forum in Istanbul.</p><p>Officials from the two ministries of trade also discussed new direct flights, a joint industrial park near Tashkent and the mutual recognition of certificates for agricultural goods, which exporters have long asked for.</p>]]></content:encoded>
</item>
<item>
<title>Kazakhstan exports to China</title>
<link>{base}/wire/2</link><guid>{base}/wire/2</guid>
<pubDate>Tue, 11 Mar 2025 08:00:00 GMT</pubDate>
<description>Kazakhstan's exports to China grew last year.</description>
</item>
</channel></rss>
"""


WIRE_2 = """<!doctype html><html><head><meta charset="utf-8">
<title>Kazakhstan exports to China</title></head><body><article>
<h1>Kazakhstan exports to China</h1>
<p>ASTANA. Kazakhstan's exports to China amounted to $15.2 billion last year, the ministry of
trade and integration said. Oil, metals and grain made up most of the shipments.</p>
<p>Officials expect further growth as new border crossings open later this year.</p>
</article></body></html>
"""


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, str]] = {}
        self.base = ""


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            route = state.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body, ctype = route
            data = body.replace("{base}", state.base).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    state.routes["/feed.rss"] = (FEED, "application/rss+xml; charset=utf-8")
    state.routes["/wire/2"] = (WIRE_2, "text/html; charset=utf-8")  # a summary-only entry
    state.routes["/news/kg.html"] = (PAGE.replace("{value}", "2,3"), "text/html; charset=utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def test_feed_and_page_urls_into_the_store(site: Site) -> None:
    feed, page, missing = (f"{site.base}{p}" for p in ("/feed.rss", "/news/kg.html", "/gone"))
    with Store(":memory:") as store:
        s = store.ingest([feed, page, missing])
        assert (s.read, s.new) == (3, 3)
        assert len(s.errors) == 1 and s.errors[0].startswith(missing) and "404" in s.errors[0]
        articles = {
            row[0]: row[1:]
            for row in store.con.execute(
                "SELECT id, title, published, published_from FROM articles"
            ).fetchall()
        }
        assert set(articles) == {f"{site.base}/wire/1", f"{site.base}/wire/2", page}
        assert articles[f"{site.base}/wire/1"] == (
            "Uzbekistan and Turkey trade grows",
            dt.date(2025, 3, 10),
            "metadata",
        )
        facts = {(r["indicator"], r["party_a"], r["party_b"], r["value"]) for r in store.facts()}
        assert ("turnover", "TUR", "UZB", 3.8e9) in facts
        assert ("export", "KAZ", "CHN", 15.2e9) in facts
        assert ("turnover", "KAZ", "KGZ", 2.3e9) in facts

        # the same again: nothing new; a changed page: a new version
        again = store.ingest([feed, page])
        assert (again.read, again.unchanged, again.new, again.new_versions) == (3, 3, 0, 0)
        site.routes["/news/kg.html"] = (PAGE.replace("{value}", "2,5"), "text/html")
        changed = store.ingest([page])
        assert changed.new_versions == 1
        values = [r["value"] for r in store.facts(party="KGZ", include_superseded=True)]
        assert sorted(values) == [2.3e9, 2.5e9]
        assert [r["value"] for r in store.facts(party="KGZ")] == [2.5e9]


def test_saved_html_files_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "kg.html").write_text(PAGE.replace("{value}", "2,3"), encoding="utf-8")
    (tmp_path / "saved" / "note.txt").write_text(
        " date 2025-02-01 x\nТоварооборот между Казахстаном и Китаем составил 40 млрд долларов.\n",
        encoding="utf-8",
    )
    (tmp_path / "saved" / "broken.html").write_bytes(b"")
    with Store(":memory:") as store:
        s = store.ingest([tmp_path / "saved"])
        assert (s.read, s.new) == (2, 2)
        assert s.errors == [f"{tmp_path / 'saved' / 'broken.html'}: empty file"]
        ids = sorted(r[0] for r in store.con.execute("SELECT id FROM articles").fetchall())
        assert ids == ["saved/kg.html", "saved/note.txt"]
        assert store.facts(party="KGZ")[0]["title"] == "Торговля Казахстана и Кыргызстана выросла"
