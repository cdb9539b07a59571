"""Build the optional C front end (``tradefacts._native``); everything else is in pyproject.toml.

The extension is optional: without a C compiler the install still succeeds and the
package runs its pure-Python code (``TRADEFACTS_PURE=1`` forces that path anyway).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "tradefacts._native",
            sources=["src/tradefacts/_native.c"],
            optional=True,
        )
    ]
)
