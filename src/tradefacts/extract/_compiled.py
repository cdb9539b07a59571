"""Which extraction stages run compiled, and a guard against stale builds.

``setup.py`` may compile the stage modules of this package with Cython from their own,
unchanged ``.py`` sources (a ``money.cpython-311-….so`` beside ``money.py``), and records
the SHA-256 of each source it compiled in ``_compiled.json``. Python prefers an extension
module to a source file of the same name, so after an edit of ``money.py`` the old build
would silently run the old code. :func:`install` (called by the package before any stage
is imported) prevents that: a stage whose source no longer matches its build, or every
stage when ``TRADEFACTS_PURE`` is set, is imported from its ``.py`` file instead.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
PACKAGE = __name__.rsplit(".", 1)[0]  # "tradefacts.extract"
STAMP = HERE / "_compiled.json"


def pure_requested() -> bool:
    """Is the pure-Python path forced (``TRADEFACTS_PURE`` set and not "0")?"""
    return os.environ.get("TRADEFACTS_PURE", "") not in ("", "0")


def _extension_of(stage: str, folder: Path) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        p = folder / f"{stage}{suffix}"
        if p.is_file():
            return p
    return None


def stale_stages(folder: Path, stamp: dict[str, str], pure: bool) -> dict[str, Path]:
    """The stages of ``folder`` that have a compiled build which must not be used, with
    the source to import instead: all of them when ``pure``, else those whose source's
    SHA-256 differs from the one recorded at build time (or was never recorded)."""
    out: dict[str, Path] = {}
    for so in sorted(folder.iterdir()):
        stage = so.name.split(".", 1)[0]
        if _extension_of(stage, folder) != so:
            continue  # not a loadable extension module of this interpreter
        source = folder / f"{stage}.py"
        if not source.is_file():
            continue  # an install that ships only the build: nothing to be stale against
        if pure or stamp.get(stage) != hashlib.sha256(source.read_bytes()).hexdigest():
            out[stage] = source
    return out


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the listed stage modules in their ``.py`` files, ahead of the normal search."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


_STATE: dict[str, object] = {}


def install() -> None:
    """Route the imports of stale (or, with ``TRADEFACTS_PURE``, all) compiled stages to
    their sources. Idempotent; runs before the stages are first imported."""
    if "sources" in _STATE:
        return
    try:
        stamp = json.loads(STAMP.read_text(encoding="utf-8")) if STAMP.is_file() else {}
    except (OSError, ValueError):
        stamp = {}
    if not isinstance(stamp, dict):
        stamp = {}
    stale = stale_stages(HERE, stamp, pure_requested())
    sources = {f"{PACKAGE}.{stage}": path for stage, path in stale.items()}
    _STATE["sources"] = sources
    if sources:
        sys.meta_path.insert(0, _SourceFinder(sources))


def compiled_stages() -> list[str]:
    """The stage modules that run compiled in this process (for reports and tests)."""
    out = []
    for name, mod in sorted(sys.modules.items()):
        if name.startswith(PACKAGE + ".") and isinstance(
            getattr(mod, "__loader__", None), importlib.machinery.ExtensionFileLoader
        ):
            out.append(name.rsplit(".", 1)[1])
    return out
