"""`motcua demo`: try the whole flow on a throw-away data folder with no province."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from app import demo


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="demo mode: throw-away data, demo PKI (TEST ONLY), samples")
    p.add_argument("--keep", metavar="DIR", help="use (and keep) this folder instead of a temporary one")
    p.add_argument("--no-gui", action="store_true", help="prepare the demo and print how to use it")
    p.set_defaults(func=cmd_demo)


def has_display() -> bool:
    """A screen to open the window on (offscreen/minimal Qt platforms and a Linux session
    without X11/Wayland have none: then the demo prints how to use it instead)."""
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def cmd_demo(args: argparse.Namespace) -> int:
    folder = Path(args.keep or args.data_dir or tempfile.mkdtemp(prefix="motcua-demo-"))
    if not args.no_gui and has_display():
        from app.gui import run_gui
        from app.settings import Settings

        return run_gui(Settings(data_dir=folder, lang=args.lang), demo=True)
    d = demo.prepare(folder)
    en = args.lang == "en"
    print(("MotCua demo (TEST-ONLY certificates) in " if en else
           "MotCua demo (chứng thư CHỈ ĐỂ THỬ) tại ") + str(d.data_dir))
    print(("Sample dossiers: " if en else "Hồ sơ mẫu: ") + ", ".join(d.codes))
    print(f"  export MOTCUA_DATA_DIR={d.data_dir}")
    print("  motcua search 'dang thi huong'")
    print(f"  motcua show {d.codes[0]}")
    print("  motcua verify")
    print(f"  DEMO_PW={demo.DEMO_P12_PASSWORD} motcua intake --file DOSSIER.json "
          f"--p12 {d.clerk_p12} --secret-env DEMO_PW")
    return 0
