"""Build the optional compiled parts; everything else is in pyproject.toml.

1. ``tradefacts._native``: the C front end (sentence split, tokenizer, lexicon scan).
2. The extraction stages (``tradefacts.extract.*``) compiled by Cython from their own,
   unchanged ``.py`` sources: the same code, run without the bytecode interpreter.

Both are optional: without a C compiler (or without Cython) the install still succeeds and
the package runs its pure-Python code. ``TRADEFACTS_PURE=1`` forces that path anyway, and a
compiled stage whose ``.py`` source changed after the build is never used (the build
records each source's SHA-256 in ``extract/_compiled.json``; see
``tradefacts/extract/_compiled.py``). ``TRADEFACTS_NO_CYTHON=1`` skips step 2.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
EXTRACT = ROOT / "src" / "tradefacts" / "extract"
#: the stages worth compiling: the per-sentence work of extract()
COMPILED = (
    "analysis",
    "attach",
    "context",
    "facts",
    "money",
    "numbers",
    "pairs",
    "parties",
    "periods",
    "rules",
    "tokens",
)
STAMP = "_compiled.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stage_extensions() -> tuple[list[Extension], dict[str, str]]:
    """The Cython extensions, and the SHA-256 of the source each is built from."""
    if os.environ.get("TRADEFACTS_NO_CYTHON", "") not in ("", "0"):
        return [], {}
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("note: Cython is not installed: the extraction stages stay pure Python")
        return [], {}
    sources = {f"tradefacts.extract.{m}": EXTRACT / f"{m}.py" for m in COMPILED}
    hashes = {name: _sha256(path) for name, path in sources.items()}
    exts = cythonize(
        [Extension(name, [str(path.relative_to(ROOT))]) for name, path in sources.items()],
        build_dir="build/cython",
        compiler_directives={
            "language_level": 3,
            "binding": True,
            # annotations stay hints, as in Python: "x: float" must not turn x into a C double
            "annotation_typing": False,
        },
        quiet=True,
    )
    for ext in exts:
        ext.optional = True  # a failed compile leaves that stage in Python
    return exts, hashes


class BuildExt(build_ext):
    """build_ext that records, beside the compiled stages, the source each was built from."""

    hashes: dict[str, str] = {}

    def finalize_options(self) -> None:
        super().finalize_options()
        if not self.parallel:
            self.parallel = os.cpu_count() or 1  # the stages compile one per core

    def run(self) -> None:
        self.built: dict[str, str] = {}
        super().run()
        if not self.hashes:
            return
        # beside the extensions: the source tree (in place) or the wheel's build folder
        stamp = Path(self.get_ext_fullpath("tradefacts.extract.facts")).parent / STAMP
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(self.built, indent=1, sort_keys=True) + "\n")

    def build_extension(self, ext: Extension) -> None:
        super().build_extension(ext)  # raises when the compile fails
        if ext.name in self.hashes:
            self.built[ext.name.rsplit(".", 1)[1]] = self.hashes[ext.name]


stage_exts, BuildExt.hashes = _stage_extensions()

setup(
    ext_modules=[
        Extension(
            "tradefacts._native",
            sources=["src/tradefacts/_native.c"],
            optional=True,
        ),
        *stage_exts,
    ],
    cmdclass={"build_ext": BuildExt},
)
