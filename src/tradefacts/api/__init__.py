"""The REST API and the web dashboard (``tradefacts serve``): ``create_app(db_path, token)``.

FastAPI is imported only when this package is used; see ``tradefacts.api.app``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(db_path: Any, token: str | None = None, **kwargs: Any) -> FastAPI:
    """The API and dashboard over a DuckDB file (see ``tradefacts.api.app.create_app``)."""
    from tradefacts.api.app import create_app as make

    return make(db_path, token, **kwargs)
