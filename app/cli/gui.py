"""`motcua screenshots DIR`: render every main screen, in Vietnamese and English, with demo
data, to PNG files (docs/screenshots/ keeps the current set). Qt is imported only when run."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("screenshots", help="render every GUI screen (vi and en) to PNG files")
    p.add_argument("dir", help="output folder")
    p.add_argument("--langs", default="vi,en", help="comma-separated languages (default vi,en)")
    p.set_defaults(func=cmd_screenshots)


def cmd_screenshots(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.gui import render_screenshots

    files = render_screenshots(Path(args.dir), langs=[x for x in args.langs.split(",") if x])
    for f in files:
        print(f)
    return 0
