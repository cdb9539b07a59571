"""Small helpers that the command line, the API and the dashboard share.

Nothing but the standard library here, so that any module can import it without a cycle
and without slowing the start of the command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments that are not None (the filters a query was given):
    ``given(party="KAZ", since=None)`` -> ``{"party": "KAZ"}``."""
    return {k: v for k, v in values.items() if v is not None}


def scaled(value: float, scales: Sequence[tuple[float, str]], unit: str | None = None) -> str:
    """``value`` in the largest of ``scales`` (``(size, name)``, largest first) that it
    reaches, the unit after it: 22000000000 -> ``22 bn``; below them all, ``1,234.5``."""
    v = float(value)
    text = f"{v:,.6g}"
    for size, name in scales:
        if abs(v) >= size:
            text = f"{round(v / size, 4):g} {name}"
            break
    return f"{text} {unit}" if unit else text
