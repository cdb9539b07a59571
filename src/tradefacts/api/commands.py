"""``tradefacts serve``: the REST API and the dashboard over a database.

Picked up by ``tradefacts.cli`` (``register(app)``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from tradefacts.cli_options import DbOption


def serve_command(
    db: DbOption = Path("tradefacts.duckdb"),
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="The port.")] = 8000,
    max_body_mb: Annotated[
        float,
        typer.Option("--max-body-mb", min=0.001, help="Largest request body (POST /api/ingest)."),
    ] = 2.0,
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the dashboard (at /) over the database.

    Read-only; with TRADEFACTS_TOKEN set, POST /api/ingest stores articles sent with
    `Authorization: Bearer <token>`. Works with no internet: every file is served from the
    installed packages.
    """
    try:
        import uvicorn

        from tradefacts.api.app import create_app
    except ImportError as e:  # a partial install
        typer.echo(f"error: serve needs fastapi and uvicorn ({e})", err=True)
        raise typer.Exit(1) from None
    from tradefacts.store import StoreError

    token = os.environ.get("TRADEFACTS_TOKEN") or None
    try:
        app = create_app(db, token=token, max_body=int(max_body_mb * 1024 * 1024))
    except StoreError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    typer.echo(
        f"tradefacts: dashboard at http://{shown}:{port}/ , API docs at http://{shown}:{port}/docs"
        + (" (POST /api/ingest enabled)" if token else ""),
        err=True,
    )
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
    except (OSError, SystemExit) as e:
        code = getattr(e, "code", 1)
        if isinstance(e, OSError) or code:
            typer.echo(f"error: cannot serve on {host}:{port} ({e})", err=True)
            raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
