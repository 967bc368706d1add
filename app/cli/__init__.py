"""The `motcua` command line: the contract used by IT staff and scripts.

Each command group lives in its own module under app/cli/ with a `register(subparsers)`
function; this module only wires them and turns errors into one-line messages.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from app.errors import message_of
from app.settings import default_lang

log = logging.getLogger("motcua.cli")

# Command-group modules, in help order. Each has register(subparsers) -> None.
COMMAND_MODULES = [
    "app.cli.store",
    "app.cli.dossiers",
    "app.cli.admin",
    "app.cli.evidence",
    "app.cli.receipts",
    "app.cli.sync",
    "app.cli.pki",
    "app.cli.demo",
    "app.cli.gui",
    "app.cli.ops",
]


def _version() -> str:
    import app

    return f"motcua {app.__version__}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua",
        description="MotCua Counter — tiếp nhận hồ sơ thủ tục hành chính tại bộ phận một cửa.",
    )
    parser.add_argument("--data-dir", help="data folder (default: $MOTCUA_DATA_DIR or the platform's)")
    parser.add_argument("--lang", choices=["vi", "en"], default=None, help="message language")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation and exit (0 = all passed)")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.lang_cli = args.lang  # `config show` tells a typed --lang from the default
    from app.config import config_of

    try:  # --lang > MOTCUA_LANG(UAGE) > user/site file > locale (the counter's, once opened)
        config = config_of(args)
        args.lang = config.lang
    except Exception:  # noqa: BLE001 - the command reports the configuration error itself
        config = None
        args.lang = args.lang or default_lang()
    from app.logs import setup_from_config

    setup_from_config(config, verbose=args.verbose)  # rotating file (redacted) + stderr
    if args.self_test:
        from app.selftest import main as self_test

        return self_test(args)
    if not getattr(args, "func", None):  # no subcommand: the counter window
        from app.cli.common import settings_of
        from app.gui import run_gui

        return run_gui(settings_of(args))
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one line for the user, the details for IT in the log
        if hasattr(exc, "message"):
            log.info("command %s refused: %r", args.command, exc)
        else:
            log.exception("command %s failed", args.command)
        prefix = "Lỗi" if args.lang != "en" else "Error"
        from app.textrules import printable  # a message may quote what was typed: escaped

        print(f"{prefix}: {printable(message_of(exc, args.lang))}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)
