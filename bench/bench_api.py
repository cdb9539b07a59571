"""Page and endpoint times of the dashboard and the API on the demo database.

Usage (from the repository root):

    .venv/bin/python bench/bench_api.py [--db FILE] [--runs 20] [--browser]

1. Builds the demo database (demo/articles, demo/articles.jsonl) in a temporary folder,
   unless --db names one.
2. Server side: creates the app (``tradefacts.api.create_app``) and times every page and
   API endpoint through FastAPI's TestClient (the whole request: routing, opening the
   database read-only, the queries, rendering), --runs times each after one warm-up:
   median and slowest.
3. With --browser, also in headless Chromium (Debian's ``chromium``, through Playwright)
   against the app under uvicorn, two times from navigation start for each page: to the
   load event, and to the first chart drawn (pair pages; Plotly.js is fetched after the
   load event). Cold: --cold-runs loads, each in a fresh browser context with the cache
   off (as a first visit: every file fetched, Plotly.js downloaded and compiled). Warm:
   --browser-runs loads in one context, the first of which fills its cache and is left
   out. The fastest and the median of each.

Prints a table and writes bench/out/api.json. The budget is 300 ms a page (the load event).
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "bench" / "out" / "api.json"
BUDGET_MS = 300.0


def _targets(client: Any) -> tuple[list[str], list[str]]:
    """The pages and endpoints to time, with ids taken from the database."""
    fact = client.get("/api/facts", params={"party": "KAZ", "partner": "UZB"}).json()["items"][0]
    article = quote(fact["article_id"], safe="")
    stories = client.get("/api/stories").json()["items"]
    pages = [
        "/",
        "/pairs/KAZ/UZB",
        "/pairs/CHN/KAZ",
        "/facts",
        "/facts?party=KAZ&indicator=turnover",
        f"/facts/{fact['fact_id']}",
        f"/articles/{article}?fact={fact['fact_id']}",
        "/stories",
        "/contradictions",
        "/targets",
    ]
    if stories:
        pages.append(f"/stories/{stories[0]['story_id']}")
    api = [
        "/api/stats",
        "/api/pairs",
        "/api/facts",
        "/api/facts?page_size=500",
        "/api/facts?party=KAZ&partner=UZB&since=2024",
        "/api/facts.csv",
        f"/api/facts/{fact['fact_id']}",
        "/api/claims",
        "/api/contradictions",
        "/api/stories",
        "/api/timeline?a=KAZ&b=UZB",
        "/api/targets",
        f"/api/articles/{article}",
        "/openapi.json",
    ]
    return pages, api


def _server_times(client: Any, urls: list[str], runs: int) -> dict[str, dict[str, float]]:
    out = {}
    for url in urls:
        assert client.get(url).status_code == 200, url  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200, (url, r.status_code)
        out[url] = {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
        }
    return out


#: from navigation start: the load event, and the first chart drawn (app.js marks it)
TIMES_JS = """() => { const n = performance.getEntriesByType('navigation')[0];
    const c = performance.getEntriesByName('first-chart')[0];
    return {load: n.loadEventEnd, chart: c ? c.startTime : null}; }"""


def _load(page: Any, url: str) -> dict[str, float | None]:
    page.goto(url, wait_until="load")
    if page.locator("div.chart").count():
        page.wait_for_selector("div.chart[data-ready]", timeout=15_000)
    return page.evaluate(TIMES_JS)


def _summary(runs: list[dict[str, float | None]]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in ("load", "chart"):
        values = [r[key] for r in runs if r[key] is not None]
        out[f"{key}_best_ms"] = round(min(values), 1) if values else None
        out[f"{key}_median_ms"] = round(statistics.median(values), 1) if values else None
    return out


def _browser_times(
    app: Any, pages: list[str], runs: int, cold_runs: int
) -> dict[str, dict[str, dict[str, float | None]]]:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from tradefacts.api.chromium import CHROMIUM_ARGS

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    viewport = {"width": 1280, "height": 900}
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for path in pages:
                cold = []
                for _ in range(cold_runs):  # a first visit: a fresh context, no cache
                    context = browser.new_context(viewport=viewport)
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                    cold.append(_load(page, base + path))
                    context.close()
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                warm = [_load(page, base + path) for _ in range(runs + 1)][1:]
                context.close()
                out[path] = {"cold": _summary(cold), "warm": _summary(warm)}
            browser.close()
    finally:
        server.should_exit = True
        thread.join(10)
    return out


def _plotly_bundle() -> dict[str, Any]:
    """The Plotly.js file the pages use: its URL and size, as is and gzipped."""
    import gzip

    from tradefacts.api import pages

    path, url = pages.plotly_bundle()
    raw = path.read_bytes()
    return {"url": url, "bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, 6, mtime=0))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="a database (default: build the demo one)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--browser", action="store_true", help="also time pages in chromium")
    parser.add_argument("--browser-runs", type=int, default=6, help="warm loads a page")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold loads a page")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

    from tradefacts.api import create_app
    from tradefacts.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "demo.duckdb"
            with Store(db) as store:
                store.ingest([REPO / "demo" / "articles", REPO / "demo" / "articles.jsonl"])
        app = create_app(db)
        with TestClient(app) as client:
            pages, api = _targets(client)
            result: dict[str, Any] = {
                "db": str(args.db or "demo corpus"),
                "runs": args.runs,
                "python": sys.version.split()[0],
                "platform": platform.platform(),
                "pages": _server_times(client, pages, args.runs),
                "api": _server_times(client, api, args.runs),
            }
        if args.browser:
            result["plotly"] = _plotly_bundle()
            result["browser"] = _browser_times(
                create_app(db), pages, args.browser_runs, args.cold_runs
            )

    width = max(len(u) for group in ("pages", "api") for u in result[group])
    for group in ("pages", "api"):
        print(f"{group:<{width}}  median ms  max ms")
        for url, t in result[group].items():
            print(f"{url:<{width}}  {t['median_ms']:>9.1f}  {t['max_ms']:>6.1f}")
        print()
    failed = []
    if "browser" in result:
        bundle = result["plotly"]
        print(
            f"browser: ms from navigation start, best/median; Plotly.js {bundle['url']} "
            f"({bundle['bytes'] / 1e6:.2f} MB, {bundle['gzip_bytes'] / 1e6:.2f} MB gzipped)"
        )
        print(
            f"{'':<{width}}  {'cold load':>13}  {'cold chart':>13}  "
            f"{'warm load':>13}  {'warm chart':>13}"
        )

        def pair(t: dict[str, float | None], key: str) -> str:
            best, median = t[f"{key}_best_ms"], t[f"{key}_median_ms"]
            return f"{best:>6.0f}/{median:<6.0f}" if best is not None else f"{'–':>13}"

        for url, t in result["browser"].items():
            cold, warm = t["cold"], t["warm"]
            print(
                f"{url:<{width}}  {pair(cold, 'load')}  {pair(cold, 'chart')}  "
                f"{pair(warm, 'load')}  {pair(warm, 'chart')}"
            )
            if (cold["load_best_ms"] or 0) >= BUDGET_MS:
                failed.append(url)
    slowest = max(t["median_ms"] for t in result["pages"].values())
    print(f"\nslowest page (server, median): {slowest:.1f} ms; budget {BUDGET_MS:.0f} ms")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")
    if failed:
        print(f"load event over {BUDGET_MS:.0f} ms with a cold cache: {', '.join(failed)}")
    return 0 if slowest < BUDGET_MS and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
