"""How the dashboard is loaded in a headless Chromium (Debian's ``chromium``, through
Playwright): by the end-to-end tests (``tests/test_dashboard_e2e.py``) and the page-load
benchmark (``bench/bench_api.py --browser``)."""

from __future__ import annotations

#: headless, without the sandbox and the GPU (containers, CI), and nothing fetched on the
#: side (QUIC, component updates, sync): the dashboard must work with no internet
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
