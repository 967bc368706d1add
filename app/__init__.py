"""MotCua Counter: domain, services, configuration and the command line."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # Lazy: importlib.metadata costs ~40 ms, and the GUI's cold start is budgeted.
    if name == "__version__":
        import sys

        if getattr(sys, "frozen", False):  # recorded at build time; no metadata scan (~50 ms)
            from app.versions import recorded_version

            version = recorded_version()
            if version:
                return version
        from importlib import metadata

        try:
            return metadata.version("motcua")
        except metadata.PackageNotFoundError:  # a source tree that was not installed
            return "0.0.0+source"
    raise AttributeError(name)
