"""The dashboard: server-rendered pages (Jinja2) over the same queries as the API.

Charts are drawn by Plotly.js, served by the app at ``/vendor/plotly-...min.js``: its basic
bundle (scatter, bar, pie; 1.2 MB) vendored from npm in ``static/vendor/`` by
``scripts/build_js.sh``, else, if that file is missing, the full bundle of the installed
``plotly`` Python package (``plotly/package_data/plotly.min.js``, 4.8 MB). Nothing comes
from the internet. Pages do not wait for it: ``static/app.js`` fetches it once the page
has loaded, and draws each chart when it arrives.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import importlib.metadata
import importlib.util
import re
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.staticfiles import StaticFiles

from tradefacts import __version__
from tradefacts.api import charts, data, fmt
from tradefacts.api.app import AsOf, Db, FactsForm, Indicator, Party
from tradefacts.api.data import PAGE_MAX, PAGE_SIZE_MAX

_env = Environment(
    loader=PackageLoader("tradefacts.api", "templates"),
    autoescape=select_autoescape(("html",)),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(fmt.FILTERS)
_env.globals.update(fmt.GLOBALS)
_env.globals["version"] = __version__
templates = Jinja2Templates(env=_env)

#: rows per page of the facts table
FACTS_PAGE = 100


# --------------------------------------------------------------------------- plotly.js


def plotly_version() -> str:
    """The version of the installed ``plotly`` Python package."""
    try:
        return importlib.metadata.version("plotly")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a dependency
        return "0"


def plotly_file() -> Path:
    """``plotly.min.js`` of the installed ``plotly`` package (found without importing it)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        raise FileNotFoundError("the plotly package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "package_data" / "plotly.min.js"


#: Plotly.js's basic bundle (npm ``plotly.js-basic-dist-min``), copied here by
#: ``scripts/build_js.sh`` and shipped in the wheel
VENDORED_PLOTLY = Path(__file__).resolve().parent / "static" / "vendor" / "plotly-basic.min.js"

_JS_VERSION = re.compile(rb"plotly\.js[^\n]*? v(\d+\.\d+\.\d+[\w.-]*)")


@functools.cache
def plotly_bundle() -> tuple[Path, str]:
    """The Plotly.js file the pages use and its URL: the vendored basic bundle when it is
    there (``/vendor/plotly-basic-4.1.1.min.js``), else the full bundle of the ``plotly``
    package (``/vendor/plotly-<plotly version>.min.js``)."""
    if VENDORED_PLOTLY.is_file():
        with VENDORED_PLOTLY.open("rb") as f:
            found = _JS_VERSION.search(f.read(400))
        version = found.group(1).decode() if found else "0"
        return VENDORED_PLOTLY, f"/vendor/plotly-basic-{version}.min.js"
    return plotly_file(), f"/vendor/plotly-{plotly_version()}.min.js"


@functools.cache
def _plotly_bytes(path: Path) -> tuple[bytes, bytes, str]:
    """The file, gzipped, and its ETag."""
    raw = path.read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0), hashlib.sha1(raw).hexdigest()[:16]


def plotly_src() -> str:
    """The URL of Plotly.js, for the pages (``data-plotly`` of the ``app.js`` script)."""
    return plotly_bundle()[1]


_env.globals["plotly_src"] = plotly_src


# --------------------------------------------------------------------------- helpers


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {404: "Not found", 422: "Invalid request", 413: "Too large", 503: "Busy"}
    return render(
        request,
        "error.html",
        status=status,
        status_code=status,
        title=titles.get(status, "Error"),
        message=message,
    )


def _lang_tag(lang: str | None) -> str | None:
    """An HTML lang attribute: ``uz-Cyrl`` as it is, nothing for ``und``."""
    return None if not lang or lang == "und" else lang


_env.globals["lang_tag"] = _lang_tag


# --------------------------------------------------------------------------- pages


def install(app: FastAPI) -> None:
    """The dashboard routes, the static files and Plotly.js."""
    app.mount("/static", StaticFiles(packages=[("tradefacts.api", "static")]), name="static")
    bundle = plotly_bundle()[0]
    threading.Thread(target=_plotly_bytes, args=(bundle,), daemon=True).start()  # gzip it early
    for name in _env.list_templates():  # compiled now, not by the first visitor
        _env.get_template(name)

    @app.get("/vendor/plotly-{version}.min.js", include_in_schema=False)
    def plotly_js(request: Request, version: str) -> Response:
        raw, packed, etag = _plotly_bytes(plotly_bundle()[0])
        headers = {
            "Cache-Control": "public, max-age=31536000, immutable",
            "ETag": f'"{etag}"',
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == f'"{etag}"':
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(packed, media_type="text/javascript", headers=headers)
        return Response(raw, media_type="text/javascript", headers=headers)

    app.include_router(_router())


def _router() -> APIRouter:
    router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

    @router.get("/")
    def overview(request: Request, db: Db, as_of: AsOf = None) -> HTMLResponse:
        when = as_of or dt.date.today()
        with db.read() as store:
            stats = store.stats()
            pairs = data.pairs(store, when)
            n_contradictions = store.con.execute("SELECT count(*) FROM contradictions").fetchall()
            n_stories = store.con.execute("SELECT count(*) FROM stories").fetchall()
        return render(
            request,
            "overview.html",
            nav="pairs",
            stats=stats,
            pairs=pairs,
            as_of=when,
            contradictions=n_contradictions[0][0],
            stories=n_stories[0][0],
        )

    @router.get("/pairs/{a}/{b}")
    def pair(
        request: Request,
        db: Db,
        a: Annotated[str, PathParam(max_length=12)],
        b: Annotated[str, PathParam(max_length=12)],
        as_of: AsOf = None,
    ) -> HTMLResponse:
        x, y = data.party_code("a", a), data.party_code("b", b)
        when = as_of or dt.date.today()
        with db.read() as store:
            detail = data.pair(store, x, y, when)
        figures = charts.figures(detail)
        return render(
            request,
            "pair.html",
            nav="pairs",
            pair=detail,
            figures=figures,
            legend=charts.LEGEND,
            as_of=when,
        )

    @router.get("/facts")
    def facts(
        request: Request,
        db: Db,
        form: Annotated[FactsForm, Depends()],
        page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
    ) -> HTMLResponse:
        filters = form.filters()
        with db.read() as store:
            result = data.facts_page(store, filters, page, min(FACTS_PAGE, PAGE_SIZE_MAX))
        pages = max(1, -(-result["total"] // result["page_size"]))
        return render(
            request,
            "facts.html",
            nav="facts",
            result=result,
            params=form.params(),
            pages=pages,
            indicators=data.INDICATORS,
            statuses=data.STATUSES,
        )

    @router.get("/facts/{fact_id}")
    def fact(
        request: Request, db: Db, fact_id: Annotated[str, PathParam(max_length=100)]
    ) -> HTMLResponse:
        with db.read() as store:
            row = data.fact(store, fact_id)
        return render(request, "fact.html", nav="facts", fact=row)

    @router.get("/articles/{article_id:path}")
    def article(
        request: Request,
        db: Db,
        article_id: str,
        version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
        fact: Annotated[str | None, Query(max_length=100)] = None,
    ) -> HTMLResponse:
        with db.read() as store:
            row = data.article(store, article_id, version)
        return render(request, "article.html", nav="facts", article=row, current=fact)

    @router.get("/stories")
    def stories(request: Request, db: Db) -> HTMLResponse:
        with db.read() as store:
            rows = store.stories()
        return render(request, "stories.html", nav="stories", stories=rows)

    @router.get("/stories/{story_id}")
    def story(
        request: Request, db: Db, story_id: Annotated[str, PathParam(max_length=100)]
    ) -> HTMLResponse:
        with db.read() as store:
            row = data.story(store, story_id)
        return render(request, "story.html", nav="stories", story=row)

    @router.get("/contradictions")
    def contradictions(
        request: Request, db: Db, party: Party = None, indicator: Indicator = None
    ) -> HTMLResponse:
        filters = data.common_filters(party, indicator=indicator)
        with db.read() as store:
            rows = store.contradictions(**filters)
        return render(request, "contradictions.html", nav="contradictions", rows=rows)

    @router.get("/targets")
    def targets(
        request: Request,
        db: Db,
        party: Party = None,
        indicator: Indicator = None,
        as_of: AsOf = None,
    ) -> HTMLResponse:
        when = as_of or dt.date.today()
        filters = data.common_filters(party, indicator=indicator)
        with db.read() as store:
            rows = store.targets(as_of=when, **filters)
            facts = _target_facts(store, rows)
        for r in rows:
            r["fact"] = facts.get(r["claim_id"])
        return render(request, "targets.html", nav="targets", targets=rows, as_of=when)

    return router


def _target_facts(store: Any, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
    ids = [r["claim_id"] for r in rows]
    out: dict[str, dict[str, Any] | None] = {}
    for r, sources in zip(rows, data.claim_sources(store, ids), strict=True):
        out[r["claim_id"]] = data.best_source({"value": r["target"], "bound": r["bound"]}, sources)
    return out
