"""Property-based: schemathesis generates requests from the app's own OpenAPI schema (valid
and invalid parameters, odd strings in paths) and checks every answer: never a 500, and
status codes, content types and bodies as the schema documents them."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")

schemathesis = pytest.importorskip("schemathesis")
from fastapi import FastAPI  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from tradefacts.api import create_app  # noqa: E402

#: examples per operation and mode: enough to reach every parameter's edges, bounded so the
#: whole file runs in well under a minute
MAX_EXAMPLES = 20

#: the operations, read from the schema of an app that needs no database to describe itself
_ALL = [
    r.ok()
    for r in schemathesis.openapi.from_asgi(
        "/openapi.json", create_app("unused.duckdb", check=False)
    ).get_all_operations()
]
OPERATIONS = [(op.method.upper(), op.path) for op in _ALL]
#: the operations that take parameters (only those can be given invalid ones)
WITH_PARAMETERS = [
    (op.method.upper(), op.path) for op in _ALL if op.definition.raw.get("parameters")
]


@pytest.fixture(scope="module")
def api_schema(demo_db: Path) -> Iterator[Any]:
    app = create_app(demo_db)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.db.release()


def _check(api_schema: Any, method: str, path: str, mode: Any, checks: Any = None) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        response = case.call_and_validate(excluded_checks=checks)
        assert response.status_code < 500, response.text

    run()


def test_every_operation_is_covered() -> None:
    paths = {p for _, p in OPERATIONS}
    for path in ("/api/facts", "/api/claims", "/api/contradictions", "/api/stories",
                 "/api/timeline", "/api/targets", "/api/articles/{article_id}"):  # fmt: skip
        assert path in paths


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_valid_requests(api_schema: Any, method: str, path: str) -> None:
    # a request the schema allows may still be refused with 422 for what a schema cannot
    # say (since after until): that is not a failure here
    _check(
        api_schema,
        method,
        path,
        schemathesis.GenerationMode.POSITIVE,
        [schemathesis.checks.positive_data_acceptance],
    )


@pytest.mark.parametrize(
    "method, path", WITH_PARAMETERS, ids=[f"{m} {p}" for m, p in WITH_PARAMETERS]
)
def test_invalid_requests(api_schema: Any, method: str, path: str) -> None:
    _check(api_schema, method, path, schemathesis.GenerationMode.NEGATIVE)


def test_the_property_test_can_fail() -> None:
    """The same checks catch a server error: an endpoint that answers 500 is reported."""
    app = FastAPI()

    @app.get("/boom")
    def boom(n: int = 0) -> JSONResponse:
        return JSONResponse({"detail": "internal error"}, status_code=500)

    broken = schemathesis.openapi.from_asgi("/openapi.json", app)
    with pytest.raises(BaseException) as raised:
        _check(broken, "GET", "/boom", schemathesis.GenerationMode.POSITIVE)

    def messages(e: BaseException) -> str:
        inner = getattr(e, "exceptions", ())
        return str(e) + "".join(messages(x) for x in inner)

    assert "Server error" in messages(raised.value)
