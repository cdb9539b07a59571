"""Command-line options that commands of several modules share, declared once: the
``tradefacts`` commands of ``tradefacts.cli`` and those it registers from
``tradefacts.reconcile.commands`` and ``tradefacts.api.commands``.

(``--party`` is not here: its help says what the command lists, a fact or a claim.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    Path,
    typer.Option(
        "--db", envvar="TRADEFACTS_DB", help="The DuckDB database file (env TRADEFACTS_DB)."
    ),
]
PartnerOption = Annotated[
    str | None,
    typer.Option("--partner", help="The other side of a pair with --party (else either side)."),
]
IndicatorOption = Annotated[
    str | None,
    typer.Option("--indicator", help="turnover, export, import, investment, freight (a,b: any)."),
]
StatusOption = Annotated[
    str | None, typer.Option("--status", help="actual, target, forecast (a,b: any).")
]
SinceOption = Annotated[
    int | None, typer.Option("--since", help="Periods ending in this year or later.")
]
UntilOption = Annotated[
    int | None, typer.Option("--until", help="Periods starting in this year or earlier.")
]
