"""Which library versions this installation runs: `motcua --version --verbose`, diagnostics.

From source: the runtime dependency closure of the installed `motcua` distribution (its
requirements, theirs, … plus the `gateway` extra the demo uses), read from package metadata.
In the bundle: the same list, recorded at build time by packaging/build.py into
`motcua-versions.json` next to the bundled modules (the bundle carries little metadata).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

VERSIONS_FILE = "motcua-versions.json"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(root: str = "motcua", extras: tuple[str, ...] = ("gateway",)) -> dict[str, str]:
    """name -> version of `root` and everything it needs at run time (installed ones)."""
    from importlib import metadata

    out: dict[str, str] = {}
    todo: list[tuple[str, tuple[str, ...]]] = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = dist.metadata["Name"] or name
        if key in out:
            continue
        out[key] = dist.version
        for req in dist.requires or []:
            spec, _, marker = req.partition(";")
            m = _NAME.match(spec)
            if not m:
                continue
            extra = _EXTRA.search(marker)
            if extra and extra.group(1) not in wanted:
                continue
            if marker and not extra and not _marker_applies(marker):
                continue
            sub = tuple(x.strip() for x in spec[m.end():].split("]")[0].lstrip("[").split(",")
                        if x.strip()) if spec[m.end():].lstrip().startswith("[") else ()
            todo.append((m.group(1), sub))
    return dict(sorted(out.items(), key=lambda kv: _norm(kv[0])))


def _marker_applies(marker: str) -> bool:
    """Environment markers of the requirements we meet (platform, python version)."""
    try:
        from packaging.markers import Marker

        return Marker(marker).evaluate()
    except Exception:
        return True


def bundled_file() -> Path | None:
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / VERSIONS_FILE if base else None


def recorded_version() -> str | None:
    """The motcua version recorded in the bundle (None from source)."""
    f = bundled_file()
    if f is None or not f.is_file():
        return None
    try:
        return str(json.loads(f.read_text(encoding="utf-8"))["motcua"])
    except (OSError, ValueError, KeyError):
        return None


def installed() -> dict[str, str]:
    """The versions in effect: recorded in the bundle, else from metadata."""
    f = bundled_file()
    if f is not None and f.is_file():
        try:
            return dict(json.loads(f.read_text(encoding="utf-8"))["libraries"])
        except (OSError, ValueError, KeyError):
            return {}
    return closure("motcua", ("gateway",))


def bundle_libraries() -> dict[str, str]:
    """What packaging/build.py records: the counter's closure plus the demo gateway's stack
    (fastapi, uvicorn; not the province's PostgreSQL driver, which the bundle leaves out)."""
    libs = closure("motcua", ())
    for extra_root in ("fastapi", "uvicorn"):
        libs.update(closure(extra_root, ()))
    for drop in [n for n in libs if _norm(n).startswith("psycopg")]:
        libs.pop(drop)
    return dict(sorted(libs.items(), key=lambda kv: _norm(kv[0])))


def report() -> str:
    """`motcua --version --verbose`: Python, SQLite and every library, one per line."""
    import platform
    import sqlite3

    from app import __version__

    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    lines = [f"motcua {__version__}{frozen}",
             f"Python {platform.python_version()} ({sys.executable})",
             f"SQLite {sqlite3.sqlite_version}",
             f"{platform.system()} {platform.release()} {platform.machine()}"]
    libs = installed()
    libs.pop("motcua", None)
    width = max((len(n) for n in libs), default=0)
    lines += [f"  {name:<{width}}  {version}" for name, version in libs.items()]
    return "\n".join(lines)
