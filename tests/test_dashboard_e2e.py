"""The dashboard end to end in headless Chromium (Debian's ``chromium``, driven by
Playwright for Python): overview -> a pair -> a value read from the chart's data -> its fact
-> the article with the sentence highlighted; the other pages; a phone-width screen; the
page before Plotly.js arrives, without it, and without JavaScript; page load times with the
browser's cache warm and cold; and no request leaves the machine. Screenshots go to
``tests/artifacts/``.

``.ci/run`` installs chromium. Here, a missing browser is installed with apt-get when that
is possible (root); only when it is not are these tests skipped, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)

from tradefacts.api import create_app  # noqa: E402
from tradefacts.api.chromium import CHROMIUM_ARGS  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
#: the budget of one page load (the issue: every page under 300 ms on the demo database)
LOAD_BUDGET_MS = 300
#: the first chart of a pair page drawn in a fresh browser, Plotly.js fetched and compiled
CHART_BUDGET_MS = 3000
#: from navigation start: the load event, the first chart drawn, Plotly.js arrived
TIMES_JS = """() => { const n = performance.getEntriesByType('navigation')[0];
    const mark = name => { const e = performance.getEntriesByName(name)[0];
                           return e ? e.startTime : null; };
    return {server: n.responseEnd - n.requestStart, load: n.loadEventEnd,
            chart: mark('first-chart'), plotly: mark('plotly-loaded')}; }"""


def _chromium() -> str:
    """The chromium executable; installed with apt-get if missing and possible, else skip."""
    found = os.environ.get("TRADEFACTS_CHROMIUM") or shutil.which("chromium")
    if found or Path("/usr/bin/chromium").exists():
        return found or "/usr/bin/chromium"
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        pytest.skip("chromium is not installed, and apt-get as root is not available to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "--no-install-recommends", "chromium"]
    done = subprocess.run(install, capture_output=True, env=env, timeout=900)
    if done.returncode != 0:
        subprocess.run([apt, "update"], capture_output=True, env=env, timeout=600)
        done = subprocess.run(install, capture_output=True, env=env, timeout=900)
    found = shutil.which("chromium")
    if not found:
        pytest.skip(f"chromium could not be installed: {done.stderr.decode()[-300:]}")
    return found


class Server:
    """The app under uvicorn in a background thread, on a free port."""

    def __init__(self, db: Path) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.app = create_app(db)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "no server"
            time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def server(demo_db: Path) -> Iterator[Server]:
    s = Server(demo_db)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def story_server(story_db: Path) -> Iterator[Server]:
    s = Server(story_db)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page whose console errors and requests leaving the server are recorded, and the
    latter refused (the dashboard must work with no internet). ``block=False`` only records
    them: Playwright's routing turns the browser's cache off, which timing must not.
    ``cache=False``: a fresh context with the cache off too (DevTools'
    ``Network.setCacheDisabled``), every file fetched as on a first visit."""

    def __init__(
        self, browser: Any, base: str, *, block: bool = True, cache: bool = True, **context: Any
    ) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        if not cache:
            cdp = self.context.new_cdp_session(self.page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

        def route(r: Any) -> None:
            if r.request.url.startswith(base):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        if block:
            self.page.route("**/*", route)
        else:
            self.page.on(
                "request",
                lambda r: None if r.url.startswith(base) else self.outside.append(r.url),
            )

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], f"requests to the internet: {self.outside}"
        self.context.close()


def _shot(page: Any, name: str, full: bool = True) -> None:
    if full and page.locator("div.chart").count():  # charts below the screen too
        page.evaluate("() => window.tradefacts.drawAll()")
        page.wait_for_function(
            "() => [...document.querySelectorAll('div.chart')].every(d => d.dataset.ready)"
        )
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def _chart_ready(page: Any, chart: str) -> None:
    page.wait_for_selector(f"#{chart}[data-ready]", timeout=15_000)


# --------------------------------------------------------------------------- the journey


def test_overview_to_pair_to_fact_to_article(browser: Any, server: Server) -> None:
    w = Watched(browser, server.base, viewport={"width": 1280, "height": 900})
    page = w.page
    page.goto(server.base + "/")
    assert page.title().startswith("Pairs")
    row = page.locator('tr[data-pair="KAZ-UZB"]')
    assert "4.4 bn USD" in row.inner_text()
    _shot(page, "01-overview")

    row.locator("a.pair-link").click()
    page.wait_for_url("**/pairs/KAZ/UZB")
    _chart_ready(page, "chart-turnover-USD")
    _shot(page, "02-pair")
    _shot(page, "02-pair-top", full=False)

    # the value, read from the chart's own data (what Plotly draws)
    traces = page.evaluate("() => document.getElementById('chart-turnover-USD').data")
    years = next(t for t in traces if t["meta"]["kind"] == "years")
    assert years["y"] == [4.4e9]
    claim_id, fact_id, label, stated, href, sources = years["customdata"][0]
    assert (label, stated, sources) == ("2024", "4.4 bn USD", 1)
    partial = next(t for t in traces if t["meta"]["kind"] == "partial")
    assert partial["marker"]["symbol"] == ["triangle-up"]  # "more than 3.2 bn"
    goal_line = next(t for t in traces if t["meta"]["kind"] == "target-line")
    assert goal_line["line"]["dash"] == "dash" and goal_line["y"] == [4.4e9, 10e9]
    drawn = page.locator("#chart-turnover-USD .scatterlayer .point").count()
    assert drawn == 3  # the year, the part of a year, the goal
    assert page.locator("#chart-turnover-USD .scatterlayer .js-line").count() >= 2
    bar = page.locator("#targets .progress").first
    assert bar.get_attribute("aria-valuenow") == "44"

    # its fact: the table beside the chart links the same fact
    link = page.locator(f'a.fact-link[href="{href}"]')
    assert link.count() == 1
    assert "4.4 bn USD" in link.locator("xpath=ancestor::tr").inner_text()
    link.click()
    page.wait_for_url(f"**{href}")
    assert page.locator("#fact-value").inner_text() == "4.4 bn USD"
    sentence = page.locator("blockquote.evidence").inner_text()
    assert "4,4 млрд доллар" in sentence
    _shot(page, "03-fact")

    # the article, in its own language, with that sentence highlighted and in view
    page.locator("#to-article").click()
    page.wait_for_url("**/articles/**")
    assert page.locator("article#article-text").get_attribute("lang") == "kk"
    mark = page.locator("mark.evidence.current")
    assert mark.count() == 1
    assert mark.inner_text() == sentence
    assert mark.get_attribute("data-facts").split() == [fact_id]
    assert mark.is_visible()
    box = mark.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator("mark.evidence").count() == 4
    _shot(page, "04-article")
    w.close()


def test_click_on_a_chart_point_opens_its_fact(browser: Any, server: Server) -> None:
    w = Watched(browser, server.base, viewport={"width": 1280, "height": 900})
    page = w.page
    page.goto(server.base + "/pairs/KAZ/UZB")
    _chart_ready(page, "chart-turnover-USD")
    href = page.evaluate(
        "() => document.getElementById('chart-turnover-USD').data"
        ".find(t => t.meta.kind === 'years').customdata[0][4]"
    )
    point = page.locator("#chart-turnover-USD .scatterlayer .trace").first.locator(".point")
    box = point.first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(f"**{href}", timeout=10_000)
    assert page.locator("#fact-value").inner_text() == "4.4 bn USD"
    w.close()


def test_facts_table_filters_and_csv(browser: Any, server: Server, tmp_path: Path) -> None:
    w = Watched(
        browser, server.base, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = w.page
    page.goto(server.base + "/facts")
    everything = page.locator("#facts tbody tr").count()
    page.fill('input[name="party"]', "KAZ")
    page.select_option('select[name="indicator"]', "turnover")
    page.click('form.filters button[type="submit"]')
    page.wait_for_url("**/facts?*party=KAZ*")
    rows = page.locator("#facts tbody tr")
    n = rows.count()
    assert 0 < n < everything
    for text in rows.all_inner_texts():
        assert "turnover" in text and "KAZ" in text
    _shot(page, "05-facts")
    with page.expect_download() as info:
        page.click("#csv")
    saved = tmp_path / "facts.csv"
    info.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("fact_id,") and len(lines) == n + 1
    w.close()


def test_story_and_contradictions_pages(browser: Any, story_server: Server) -> None:
    w = Watched(browser, story_server.base, viewport={"width": 1280, "height": 900})
    page = w.page
    page.goto(story_server.base + "/stories")
    page.locator(".story-card h2 a").first.click()
    page.wait_for_url("**/stories/s*")
    headers = page.locator("#side-by-side thead th").all_inner_texts()
    assert [h.split()[0] for h in headers[1:]] == ["kk", "ru"]
    shared = page.locator("#side-by-side tr.shared")
    assert shared.count() >= 4
    quotes = shared.first.locator("q")
    assert [quotes.nth(i).get_attribute("lang") for i in range(2)] == ["kk", "ru"]
    _shot(page, "06-story")
    page.goto(story_server.base + "/contradictions")
    sides = page.locator(".contradiction .side .value").all_inner_texts()
    assert [s.split()[0:2] for s in sides] == [["4.4", "bn"], ["4.9", "bn"]]
    _shot(page, "07-contradictions")
    page.goto(story_server.base + "/targets")
    assert page.locator("#targets .progress").count() >= 5
    _shot(page, "08-targets")
    page.goto(story_server.base + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    _shot(page, "09-api-docs", full=False)
    w.close()


def test_phone_width(browser: Any, story_server: Server) -> None:
    w = Watched(
        browser,
        story_server.base,
        viewport={"width": 375, "height": 812},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
    )
    page = w.page
    for path, name in (("/pairs/KAZ/UZB", "10-phone-pair"), ("/", "11-phone-overview"),
                       ("/facts", "12-phone-facts")):  # fmt: skip
        page.goto(story_server.base + path)
        if "pairs" in path:
            _chart_ready(page, "chart-turnover-USD")
            chart = page.locator("#chart-turnover-USD .main-svg").first.bounding_box()
            assert chart is not None and chart["width"] <= 375
        # the page itself never scrolls sideways: wide tables scroll in their own box
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, f"{path}: {width} px wide"
        _shot(page, name)
    w.close()


def _timed_pages(page: Any, base: str) -> list[str]:
    """Every kind of page: the overview, two pairs, the facts, a fact, an article, the
    stories, a story, the contradictions, the targets."""
    story = page.request.get(base + "/api/stories").json()["items"][0]["story_id"]
    fact = page.request.get(base + "/api/facts?party=KAZ&partner=UZB").json()
    fact_id = fact["items"][0]["fact_id"]
    return [
        "/",
        "/pairs/KAZ/UZB",
        "/pairs/CHN/KAZ",
        "/facts",
        f"/facts/{fact_id}",
        "/articles/articles%2F001_kk_kaz_uzb_turnover.txt",
        "/stories",
        f"/stories/{story}",
        "/contradictions",
        "/targets",
    ]


def test_every_page_loads_in_time(browser: Any, story_server: Server) -> None:
    """Each page, loaded five times in a browser (the first fills its cache): the fastest
    load, from navigation start to the load event and the first chart drawn, is under the
    budget. The times go to tests/artifacts/page-load-times.json."""
    w = Watched(browser, story_server.base, block=False, viewport={"width": 1280, "height": 900})
    page = w.page
    timings: dict[str, dict[str, float]] = {}
    for path in _timed_pages(page, story_server.base):
        runs = []
        for _ in range(5):
            page.goto(story_server.base + path, wait_until="load")
            if page.locator("div.chart").count():
                page.wait_for_selector("div.chart[data-ready]", timeout=15_000)
            runs.append(page.evaluate(TIMES_JS))
        best = min(runs, key=lambda r: max(r["load"], r["chart"] or 0))
        timings[path] = {k: round(v, 1) if v is not None else None for k, v in best.items()}
    (ARTIFACTS / "page-load-times.json").write_text(json.dumps(timings, indent=1))
    slow = {p: t for p, t in timings.items() if max(t["load"], t["chart"] or 0) >= LOAD_BUDGET_MS}
    assert not slow, f"over {LOAD_BUDGET_MS} ms: {slow}"
    w.close()


def test_every_page_loads_in_time_with_a_cold_cache(browser: Any, story_server: Server) -> None:
    """Each page as on a first visit: a fresh browser context with its cache off, three
    times, the best kept (to absorb the machine's noise). The load event comes in under the
    budget on every page, Plotly.js arrives only after it, and a pair page's chart is drawn
    from its data within a few seconds. The times go to
    tests/artifacts/page-load-times-cold.json."""
    probe = Watched(browser, story_server.base, block=False)
    paths = _timed_pages(probe.page, story_server.base)
    probe.close()
    timings: dict[str, dict[str, float | None]] = {}
    for path in paths:
        runs = []
        for _ in range(3):
            w = Watched(
                browser,
                story_server.base,
                block=False,
                cache=False,
                viewport={"width": 1280, "height": 900},
            )
            page = w.page
            page.goto(story_server.base + path, wait_until="load")
            charts = page.locator("div.chart").count()
            if charts:
                page.wait_for_selector("div.chart[data-ready]", timeout=15_000)
            t = page.evaluate(TIMES_JS)
            if charts:  # the library came after the load event, and drew the chart
                assert t["plotly"] is not None and t["plotly"] > t["load"], (path, t)
                assert t["chart"] is not None and t["chart"] > t["plotly"], (path, t)
            else:
                assert t["plotly"] is None, (path, t)
            if path == "/pairs/KAZ/UZB":  # the plot's data, read from the DOM
                traces = page.evaluate("() => document.getElementById('chart-turnover-USD').data")
                years = next(tr for tr in traces if tr["meta"]["kind"] == "years")
                assert years["y"] == [4.4e9]
                markers = sum(len(tr["x"]) for tr in traces if "markers" in tr["mode"])
                drawn = page.locator("#chart-turnover-USD .scatterlayer .point").count()
                assert drawn == markers >= 3
            runs.append(t)
            w.close()
        charted = [r["chart"] for r in runs if r["chart"] is not None]
        timings[path] = {
            "load": round(min(r["load"] for r in runs), 1),
            "chart": round(min(charted), 1) if charted else None,
            "server": round(min(r["server"] for r in runs), 1),
            "plotly": round(min(r["plotly"] for r in runs), 1) if charted else None,
        }
    (ARTIFACTS / "page-load-times-cold.json").write_text(json.dumps(timings, indent=1))
    slow = {p: t for p, t in timings.items() if t["load"] >= LOAD_BUDGET_MS}
    assert not slow, f"load event over {LOAD_BUDGET_MS} ms with a cold cache: {slow}"
    for path in ("/pairs/KAZ/UZB", "/pairs/CHN/KAZ"):
        chart = timings[path]["chart"]
        assert chart is not None and chart < CHART_BUDGET_MS, (path, timings[path])


def test_pair_page_does_not_wait_for_plotly(browser: Any, server: Server) -> None:
    """With Plotly.js held back on its way, the pair page has loaded (its load event fired),
    its numbers, tables and target bars are there, and a placeholder of the chart's size
    stands in for the chart; when the library arrives the chart is drawn in that place,
    and nothing below it moves."""
    w = Watched(browser, server.base, viewport={"width": 1280, "height": 900})
    page = w.page
    held: list[Any] = []
    page.route("**/vendor/plotly-*.min.js", lambda r: held.append(r))  # before Watched's
    page.goto(server.base + "/pairs/KAZ/UZB", wait_until="load")
    deadline = time.monotonic() + 10
    while not held:  # asked for once the page has loaded
        assert time.monotonic() < deadline, "Plotly.js was never asked for"
        page.wait_for_timeout(20)
    assert page.evaluate("() => document.readyState") == "complete"
    assert page.evaluate("() => typeof Plotly") == "undefined"
    chart = page.locator("#chart-turnover-USD")
    assert chart.get_attribute("data-ready") is None
    placeholder = chart.evaluate("d => getComputedStyle(d, '::before').content")
    assert "Loading the chart" in placeholder
    before = chart.bounding_box()
    assert before is not None and before["height"] >= 320
    table = page.locator('table.points[data-chart="chart-turnover-USD"]')
    assert "4.4 bn USD" in table.inner_text()
    table_y = table.bounding_box()["y"]
    assert page.locator("#targets .progress").first.get_attribute("aria-valuenow") == "44"
    assert page.locator("#targets .progress").first.is_visible()
    _shot(page, "13-pair-before-plotly", full=False)

    held[0].continue_()
    _chart_ready(page, "chart-turnover-USD")
    assert page.locator("#chart-turnover-USD .scatterlayer .point").count() == 3
    assert chart.evaluate("d => getComputedStyle(d, '::before').content") in ("none", "normal")
    after = chart.bounding_box()
    assert after is not None and after["height"] == before["height"]
    assert table.bounding_box()["y"] == table_y
    w.close()


def test_pair_page_without_plotly_or_javascript(browser: Any, server: Server) -> None:
    """If Plotly.js cannot be had, each chart says so and the table under it has the
    figures; with JavaScript off, no empty chart box, a note, and the same tables."""
    w = Watched(browser, server.base, viewport={"width": 1280, "height": 900})
    page = w.page
    page.route("**/vendor/plotly-*.min.js", lambda r: r.abort())
    page.goto(server.base + "/pairs/KAZ/UZB")
    page.wait_for_selector("#chart-turnover-USD[data-failed]", timeout=10_000)
    assert "did not load" in page.locator("#chart-turnover-USD").inner_text()
    table = page.locator('table.points[data-chart="chart-turnover-USD"]')
    assert table.is_visible() and "4.4 bn USD" in table.inner_text()
    w.errors = [e for e in w.errors if "Failed to load resource" not in e]  # the refusal
    w.close()

    w = Watched(
        browser, server.base, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = w.page
    page.goto(server.base + "/pairs/KAZ/UZB")
    assert not page.locator("#chart-turnover-USD").is_visible()
    note = page.locator("#chart-turnover-USD-section .chart-note")
    assert note.is_visible() and "needs JavaScript" in note.inner_text()
    table = page.locator('table.points[data-chart="chart-turnover-USD"]')
    assert table.is_visible() and "4.4 bn USD" in table.inner_text()
    assert page.locator("#targets .progress").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "14-pair-no-javascript.png"), full_page=True)
    w.close()
