"""extract(text, published=None) -> list[Fact]: the pure heart of tradefacts."""

from __future__ import annotations

import datetime as dt

from tradefacts.extract import _compiled
from tradefacts.model import Fact

_compiled.install()  # before the stages load: a stale compiled stage runs from its source


def extract(text: str, published: dt.date | str | None = None) -> list[Fact]:
    """Every trade fact of one article (SPEC). Pure and deterministic."""
    return extract_facts(text, published)


from tradefacts.extract.facts import extract_facts  # noqa: E402 - after extract, for import order
