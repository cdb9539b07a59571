"""The REST API and the dashboard: ``create_app(db_path, token=None)``.

- ``/api/...``: read-only JSON (facts, claims, contradictions, stories, timeline, targets,
  articles with their evidence spans, pairs, stats); ``POST /api/ingest`` exists only when
  a token is given and wants ``Authorization: Bearer <token>``.
- ``/``, ``/pairs/A/B``, ``/facts``, ``/articles/ID``, ``/stories``, ``/contradictions``,
  ``/targets``: the dashboard (server-rendered HTML; charts by Plotly.js's basic bundle,
  vendored from npm in ``static/vendor/``, else by the plotly.min.js of the installed
  ``plotly`` package, served from here: no CDN, no internet).
- ``/docs`` (Swagger UI), ``/redoc``, ``/openapi.json``: the schema, with the Swagger and
  ReDoc files of the installed ``fastapi-offline`` package.

Errors are JSON ``{"detail": "..."}`` under ``/api`` and an HTML page elsewhere: 422 for
invalid parameters, 404 for unknown ids, 413 for bodies over ``max_body`` bytes, 401/403
for a missing or wrong token, 503 when the database is busy. Never a traceback.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hmac
import io
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradefacts import __version__
from tradefacts.api import data
from tradefacts.api.data import PAGE_MAX, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, ApiError
from tradefacts.api.db import KEEP_OPEN, Database
from tradefacts.api.models import (
    Article,
    ErrorBody,
    FactDetail,
    FactsPage,
    IngestRequest,
    IngestResult,
    Page,
    Targets,
    Timeline,
)
from tradefacts.store import StoreError
from tradefacts.util import given

log = logging.getLogger("tradefacts.api")

#: the largest request body accepted (bytes): ``POST /api/ingest`` of about 1,000 short
#: articles; ``create_app(max_body=...)`` or ``tradefacts serve --max-body-mb`` changes it
MAX_BODY = 2 * 1024 * 1024

_PARTY_LIST = r"^([A-Za-z]{2,4}(-[A-Za-z0-9]{1,3})?(,[A-Za-z]{2,4}(-[A-Za-z0-9]{1,3})?)*)?$"
_PARTY_ONE = r"^[A-Za-z]{2,4}(-[A-Za-z0-9]{1,3})?$"
_WORDS = "turnover|export|import|investment|freight"
_INDICATOR_LIST = rf"^(({_WORDS})(,({_WORDS}))*)?$"
_STATUS_LIST = r"^((actual|target|forecast)(,(actual|target|forecast))*)?$"
_LANG_LIST = r"^([A-Za-z]{2,3}(-[A-Za-z]{2,4})?(,[A-Za-z]{2,3}(-[A-Za-z]{2,4})?)*)?$"
_PERIOD = r"^([0-9X./?~%-]{1,40})?$"

#: what each parameter wants, for the 422 message
HINTS = {
    "party": "a party code (KAZ; a region CN-XJ; a bloc EAEU; WLD), or several: KAZ,UZB",
    "partner": "a party code (KAZ; a region CN-XJ; a bloc EAEU; WLD), or several: KAZ,UZB",
    "a": "one party code such as KAZ",
    "b": "one party code such as UZB",
    "indicator": f"one or more of {_WORDS.replace('|', ', ')} (comma-separated)",
    "status": "one or more of actual, target, forecast (comma-separated)",
    "lang": "a language code such as kk, ru, uz, uz-Cyrl, en (comma-separated)",
    "period": "an EDTF period such as 2024, 2025-01/2025-09, ../2030",
    "as_of": "a date such as 2026-03-01",
}

Party = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=_PARTY_LIST,
        description="Party code(s): either side of the fact. KAZ, CN-XJ, EAEU, WLD; a,b: any.",
    ),
]
Partner = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=_PARTY_LIST,
        description="With party: the other side of the pair (else like party).",
    ),
]
Indicator = Annotated[
    str | None,
    Query(max_length=200, pattern=_INDICATOR_LIST, description=f"{_WORDS} (a,b: any)."),
]
Status = Annotated[
    str | None,
    Query(max_length=100, pattern=_STATUS_LIST, description="actual, target, forecast."),
]
Lang = Annotated[
    str | None,
    Query(
        max_length=100,
        pattern=_LANG_LIST,
        description="Article language: kk, ru, uz (matches uz-Cyrl and uz-Latn), en, ...",
    ),
]
Since = Annotated[
    int | None,
    Query(ge=1000, le=9999, description="Periods ending in this year or later."),
]
Until = Annotated[
    int | None,
    Query(ge=1000, le=9999, description="Periods starting in this year or earlier."),
]
PageNo = Annotated[int, Query(ge=1, le=PAGE_MAX, description="1, 2, ...")]
PageSize = Annotated[
    int, Query(ge=1, le=PAGE_SIZE_MAX, description=f"Rows per page (at most {PAGE_SIZE_MAX}).")
]
AsOf = Annotated[
    dt.date | None,
    Query(description="Judge targets as of this date (YYYY-MM-DD; default today)."),
]
IncludeSuperseded = Annotated[
    bool, Query(description="Also the facts of superseded article versions.")
]
#: a year as the dashboard's forms send it: four digits, or empty for none
FormYear = Annotated[str | None, Query(max_length=4, pattern=r"^(\d{4})?$")]


# A dataclass used as ``Annotated[..., Depends()]`` declares its fields as query parameters
# once for every route that takes them. It only holds them: checking them (``ApiError``
# 422) is left to the route, after FastAPI has validated all of its parameters.


@dataclass(frozen=True)
class FactFilterParams:
    """Which facts: by party, partner, indicator, status and article language."""

    party: Party = None
    partner: Partner = None
    indicator: Indicator = None
    status: Status = None
    lang: Lang = None


@dataclass(frozen=True)
class FactQuery(FactFilterParams):
    """The filters of ``/api/facts`` and ``/api/facts.csv`` (those of ``tradefacts facts``)."""

    since: Since = None
    until: Until = None
    include_superseded: IncludeSuperseded = False

    def filters(self) -> dict[str, Any]:
        """The ``Store.facts`` filters, checked (``ApiError`` 422)."""
        return data.fact_filters(**asdict(self))


@dataclass(frozen=True)
class FactsForm(FactFilterParams):
    """The filters of the dashboard's facts page, as its form sends them (blank: "")."""

    since: FormYear = None
    until: FormYear = None
    include_superseded: bool = False

    def filters(self) -> dict[str, Any]:
        """The ``Store.facts`` filters, checked (``ApiError`` 422)."""
        years = {
            "since": int(self.since) if self.since else None,
            "until": int(self.until) if self.until else None,
        }
        return data.fact_filters(**{**asdict(self), **years})

    def params(self) -> dict[str, str]:
        """The form's fields as they were given ("" for none), to fill it in again."""
        fields = {k: v or "" for k, v in asdict(self).items()}
        return {**fields, "include_superseded": "true" if self.include_superseded else ""}


@dataclass(frozen=True)
class Paging:
    """One page of a list: ``page`` (from 1) of ``page_size`` rows."""

    page: PageNo = 1
    page_size: PageSize = PAGE_SIZE_DEFAULT


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown id"},
    422: {"model": ErrorBody, "description": "Invalid parameters"},
    503: {"model": ErrorBody, "description": "The database is busy or cannot be opened"},
}


# --------------------------------------------------------------------------- middleware


class BodyLimit:
    """413 for a request body over ``limit`` bytes (declared, or counted as it arrives);
    and a ``Server-Timing`` header with the time the app took."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0 or size > self.limit:
                await self._refuse(scope, send, 413 if size > self.limit else 400)
                return
        seen = 0
        responded = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        async def timed_send(message: Message) -> None:
            nonlocal responded
            if message["type"] == "http.response.start":
                responded = True
                ms = (time.perf_counter() - started) * 1000
                message["headers"] = [
                    *message.get("headers", []),
                    (b"server-timing", f"app;dur={ms:.1f}".encode()),
                ]
            await send(message)

        try:
            await self.app(scope, counting_receive, timed_send)
        except _TooLarge:
            if not responded:
                await self._refuse(scope, send, 413)

    async def _refuse(self, scope: Scope, send: Send, status: int) -> None:
        message = (
            f"request body too large (the limit is {self.limit:,} bytes)"
            if status == 413
            else "bad Content-Length header"
        )
        body = json.dumps({"detail": message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


# --------------------------------------------------------------------------- errors


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/api" or path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "text/html" not in accept and "application/json" in accept


def _error_response(request: Request, status: int, message: str, **extra: Any) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message, **extra}, status_code=status)
    from tradefacts.api.pages import render_error

    return render_error(request, status, message)


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for e in errors[:3]:
        loc = [str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body", "header")]
        name = ".".join(loc) or "request"
        hint = HINTS.get(loc[-1]) if loc and len(loc) == 1 else None
        given = e.get("input")
        if hint and e.get("type") in ("string_pattern_mismatch", "date_from_datetime_parsing",
                                      "date_parsing", "string_too_long", "date_from_datetime_inexact"):  # fmt: skip
            parts.append(f"{name}: {str(given)[:40]!r} is not valid; give {hint}")
        else:
            parts.append(f"{name}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError) -> Response:
        return _error_response(request, e.status, e.message)

    @app.exception_handler(StoreError)
    async def store_error(request: Request, e: StoreError) -> Response:
        # e.g. a database of an older schema, opened read-only: `tradefacts reconcile` it
        return _error_response(request, 503, str(e))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> Response:
        errors = [
            {k: v for k, v in err.items() if k in ("loc", "msg", "type")}
            for err in e.errors()
            if isinstance(err, dict)
        ]
        return _error_response(
            request, 422, _validation_message(list(e.errors())), errors=data.jsonable(errors)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException) -> Response:
        message = e.detail if isinstance(e.detail, str) else "error"
        if e.status_code == 404 and message == "Not Found":
            message = f"no such page: {request.url.path[:200]}"
        elif e.status_code == 405:
            message = f"{request.method} is not allowed here"
        response = _error_response(request, e.status_code, message)
        for key, value in (e.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, e: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error_response(request, 500, f"internal error ({type(e).__name__})")


# --------------------------------------------------------------------------- the app


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


Db = Annotated[Database, Depends(get_db)]


def create_app(
    db_path: str | os.PathLike[str],
    token: str | None = None,
    *,
    max_body: int = MAX_BODY,
    keep_open: float = KEEP_OPEN,
    check: bool = True,
) -> FastAPI:
    """The API and dashboard over the DuckDB file at ``db_path`` (opened read-only per
    request). With a ``token``, ``POST /api/ingest`` exists and requires it.

    ``max_body``: the largest request body (bytes; 413 beyond). ``keep_open``: seconds the
    database stays loaded after the last request (``tradefacts.api.db``). ``check`` opens
    the database once now, so that a missing or foreign file fails here (``StoreError``)
    rather than at the first request.
    """
    db = Database(db_path, keep_open=keep_open)
    if check:
        db.check()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        db.release()

    app = FastAPI(
        lifespan=lifespan,
        title="tradefacts",
        version=__version__,
        description=(
            "Trade facts extracted from Central Asian news, reconciled into claims, "
            "contradictions, stories, timelines and targets. Read-only"
            + (
                "; `POST /api/ingest` stores articles (Bearer token)."
                if token
                else " (`POST /api/ingest` is enabled by setting TRADEFACTS_TOKEN)."
            )
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.db = db
    app.state.token = token or None
    app.state.max_body = max_body
    _install_errors(app)
    app.add_middleware(BodyLimit, limit=max_body)
    app.include_router(_api_router(token or None, max_body))
    _install_docs(app)
    from tradefacts.api.pages import install as install_pages

    install_pages(app)
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory tradefacts.api.app:app_from_env``: the database from
    ``TRADEFACTS_DB`` (default ``tradefacts.duckdb``), the token from ``TRADEFACTS_TOKEN``."""
    return create_app(
        os.environ.get("TRADEFACTS_DB", "tradefacts.duckdb"),
        token=os.environ.get("TRADEFACTS_TOKEN") or None,
    )


def _install_docs(app: FastAPI) -> None:
    import fastapi_offline
    from starlette.staticfiles import StaticFiles

    folder = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/static/docs", StaticFiles(directory=folder), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="tradefacts API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="tradefacts API",
            redoc_js_url="/static/docs/redoc.standalone.js",
            redoc_favicon_url="/static/docs/favicon.png",
            with_google_fonts=False,
        )


def _api_router(token: str | None, max_body: int) -> APIRouter:
    api = APIRouter(prefix="/api", responses=_ERRORS)

    @api.get("/stats", summary="Counts of articles, facts, languages, indicators, pairs")
    def stats(db: Db) -> dict[str, Any]:
        with db.read() as store:
            out = store.stats()
        out.pop("path", None)
        return data.jsonable(out)

    @api.get("/pairs", summary="Every pair of parties: latest annual turnover, change, sources")
    def pairs(db: Db, as_of: AsOf = None) -> list[dict[str, Any]]:
        with db.read() as store:
            return data.jsonable(data.pairs(store, as_of))

    @api.get("/facts", response_model=FactsPage, summary="Facts, filtered, a page at a time")
    def facts(
        db: Db,
        query: Annotated[FactQuery, Depends()],
        # a dependency too, so that the schema lists page and page_size after the filters
        paging: Annotated[Paging, Depends()],
    ) -> dict[str, Any]:
        """The filters of `tradefacts facts`; oldest publication first (undated last)."""
        filters = query.filters()
        with db.read() as store:
            return data.facts_page(store, filters, paging.page, paging.page_size)

    @api.get(
        "/facts.csv",
        summary="Facts as CSV (all matching rows; the columns of `tradefacts export`)",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a BOM"}},
    )
    def facts_csv(db: Db, query: Annotated[FactQuery, Depends()]) -> Response:
        filters = query.filters()
        with db.read() as store:
            rows = store.facts(**filters)
        return Response(
            content=facts_csv_bytes(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="tradefacts-facts.csv"'},
        )

    @api.get("/facts/{fact_id}", response_model=FactDetail, summary="One fact, its claim, story")
    def one_fact(db: Db, fact_id: Annotated[str, PathParam(max_length=100)]) -> dict[str, Any]:
        with db.read() as store:
            return data.fact(store, fact_id)

    @api.get("/claims", response_model=Page, summary="Claims: one figure with every source")
    def claims(
        db: Db,
        party: Party = None,
        partner: Partner = None,
        indicator: Indicator = None,
        status: Status = None,
        period: Annotated[
            str | None, Query(max_length=40, pattern=_PERIOD, description="One period (2024).")
        ] = None,
        since: Since = None,
        until: Until = None,
        min_sources: Annotated[int | None, Query(ge=1, le=100_000)] = None,
        min_languages: Annotated[int | None, Query(ge=1, le=1000)] = None,
        disputed: bool | None = None,
        sources: Annotated[bool, Query(description="Include every source.")] = True,
        page: PageNo = 1,
        page_size: PageSize = PAGE_SIZE_DEFAULT,
    ) -> dict[str, Any]:
        """Most sources first; each with its `sources` (fact, article, language, evidence)."""
        data.year_range(since, until)
        filters = {
            **data.common_filters(party, partner, indicator, status),
            **given(
                period=data.period(period),
                since=since,
                until=until,
                min_sources=min_sources,
                min_languages=min_languages,
                disputed=disputed,
            ),
        }
        with db.read() as store:
            total = len(store.claims(**filters, sources=False))
            items = store.claims(**filters, limit=page * page_size, sources=sources)
        start = (page - 1) * page_size
        return data.jsonable(
            {"total": total, "page": page, "page_size": page_size, "items": items[start:]}
        )

    @api.get("/contradictions", response_model=Page, summary="Incompatible figures, side by side")
    def contradictions(
        db: Db,
        party: Party = None,
        partner: Partner = None,
        indicator: Indicator = None,
        status: Status = None,
        page: PageNo = 1,
        page_size: PageSize = PAGE_SIZE_DEFAULT,
    ) -> dict[str, Any]:
        with db.read() as store:
            rows = store.contradictions(**data.common_filters(party, partner, indicator, status))
        return data.jsonable(data.page_of(rows, page, page_size))

    @api.get("/stories", response_model=Page, summary="Stories: articles that report one event")
    def stories(
        db: Db,
        min_articles: Annotated[int, Query(ge=1, le=100_000)] = 2,
        party: Party = None,
        page: PageNo = 1,
        page_size: PageSize = PAGE_SIZE_DEFAULT,
    ) -> dict[str, Any]:
        """Newest first, each with its `members`."""
        with db.read() as store:
            rows = store.stories(min_articles=min_articles, party=data.party_codes("party", party))
        return data.jsonable(data.page_of(rows, page, page_size))

    @api.get("/stories/{story_id}", summary="One story: its articles and their facts side by side")
    def one_story(db: Db, story_id: Annotated[str, PathParam(max_length=100)]) -> dict[str, Any]:
        with db.read() as store:
            return data.jsonable(data.story(store, story_id))

    @api.get("/timeline", response_model=Timeline, summary="Reconciled series between two parties")
    def timeline(
        db: Db,
        a: Annotated[str, Query(max_length=12, pattern=_PARTY_ONE, description="KAZ")],
        b: Annotated[str, Query(max_length=12, pattern=_PARTY_ONE, description="UZB")],
        indicator: Indicator = None,
    ) -> dict[str, Any]:
        """Full years; partial periods (months, quarters, halves) beside them; other periods."""
        x, y = data.party_code("a", a), data.party_code("b", b)
        with db.read() as store:
            series = store.timeline(x, y, indicator=data.indicators(indicator))
        return data.jsonable({"a": x, "b": y, "series": series})

    @api.get("/targets", response_model=Targets, summary="Targets: progress, growth, verdict")
    def targets(
        db: Db,
        party: Party = None,
        partner: Partner = None,
        indicator: Indicator = None,
        as_of: AsOf = None,
    ) -> dict[str, Any]:
        when = as_of or dt.date.today()
        filters = data.common_filters(party, partner, indicator)
        with db.read() as store:
            rows = store.targets(as_of=when, **filters)
        return data.jsonable({"as_of": when, "items": rows})

    @api.get(
        "/articles/{article_id:path}",
        response_model=Article,
        summary="An article: its text, facts and evidence spans",
    )
    def one_article(
        db: Db,
        article_id: Annotated[str, PathParam(description="The article id (URL-encoded).")],
        version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    ) -> dict[str, Any]:
        """`spans` are the stretches of `text` that are evidence, with the facts they support."""
        with db.read() as store:
            return data.article(store, article_id, version, with_text=True)

    if token:
        _ingest_route(api, token, max_body)
    return api


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its ``$defs`` references written out in place."""
    defs = schema.pop("$defs", {})

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            if "$ref" in x:
                return walk(defs[x["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    return walk(schema)


_bearer = HTTPBearer(auto_error=False, description="The server's TRADEFACTS_TOKEN.")


def _ingest_route(api: APIRouter, token: str, max_body: int) -> None:
    @api.post(
        "/ingest",
        response_model=IngestResult,
        summary="Store articles (extract, store, reconcile); Bearer token required",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": _inline(IngestRequest.model_json_schema())}
                },
            }
        },
        responses={
            401: {"model": ErrorBody, "description": "No token"},
            403: {"model": ErrorBody, "description": "Wrong token"},
            413: {"model": ErrorBody, "description": f"Body over {max_body:,} bytes"},
        },
    )
    async def ingest(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    ) -> dict[str, Any]:
        """Like `tradefacts ingest` of a JSONL file: `{"articles": [{"id", "text", "url",
        "date", "title", "lang", "source"}, ...]}`. An article is known by its URL, else
        by `source/id`; the same content again adds nothing. At most 1,000 articles and
        the body size limit (413 beyond it)."""
        check_token(credentials.credentials if credentials else None, token)
        body = await request.body()
        try:
            payload = IngestRequest.model_validate_json(body)
        except ValidationError as e:
            raise RequestValidationError(
                [{**err, "loc": ("body", *err.get("loc", ()))} for err in e.errors()]
            ) from None
        db: Database = request.app.state.db
        return await run_in_threadpool(_ingest, db, payload)


def check_token(given: str | None, token: str) -> None:
    """401 without a bearer token, 403 with another one than ``token``."""
    if not given or not given.strip():
        raise ApiError(401, "this needs a token: Authorization: Bearer <TRADEFACTS_TOKEN>")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(403, "wrong token")


def _ingest(db: Database, payload: IngestRequest) -> dict[str, Any]:
    from tradefacts.document import Document
    from tradefacts.ingest import article_key
    from tradefacts.store import StoreError

    docs = [
        Document(
            id=a.id,
            text=a.text,
            url=a.url or None,
            date=a.date,
            title=a.title,
            label_lang=a.lang,
            source=a.source,
        )
        for a in payload.articles
    ]
    try:
        with db.write() as store:
            summary = store.ingest(docs)
    except StoreError as e:
        raise ApiError(503, f"ingest failed: {e}") from None
    return {
        "read": summary.read,
        "new": summary.new,
        "unchanged": summary.unchanged,
        "new_versions": summary.new_versions,
        "errors": list(summary.errors),
        "seconds": round(summary.seconds, 3),
        "articles": [article_key(d) for d in docs],
    }


# --------------------------------------------------------------------------- CSV


def facts_csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """The rows as CSV with a header and a UTF-8 byte-order mark (as ``export``)."""
    from tradefacts.store import FACT_COLUMNS, json_row

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(FACT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if v is None else v for k, v in json_row(r).items()})
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
