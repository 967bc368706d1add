"""The `motcua` command line: the contract used by IT staff and scripts.

Each command group lives in its own module under app/cli/ with a `register(subparsers)`
function; this module only wires them and turns errors into one-line messages.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

# Imports here stay light: `motcua --version` (IT scripts, the bundle's start budget) loads
# nothing else; logging, settings and the command modules come when a command runs.

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


def private_umask() -> None:
    """Everything the app creates (store, backups, logs, drafts, receipt PDFs, exports) holds
    citizens' data: owner-only from the first byte (0600 files, 0700 folders)."""
    if os.name == "posix":
        os.umask(0o077)


def _version() -> str:
    import app

    return f"motcua {app.__version__}"


def print_version(*, verbose: bool = False) -> None:
    """`motcua --version` (one line) / `--version -v` (Python, SQLite, every library)."""
    if verbose:
        from app.versions import report

        print(report())
    else:
        print(_version())


def default_lang() -> str:
    from app.settings import default_lang as lang

    return lang()


def _log() -> logging.Logger:  # (logging imported late)
    import logging

    return logging.getLogger("motcua.cli")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="motcua",
        description="MotCua Counter — tiếp nhận hồ sơ thủ tục hành chính tại bộ phận một cửa.",
    )
    parser.add_argument("--data-dir", help="data folder (default: $MOTCUA_DATA_DIR or the platform's)")
    parser.add_argument("--lang", choices=["vi", "en"], default=None, help="message language")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation and exit (0 = all passed)")
    parser.add_argument("--version", action="store_true",
                        help="print the version and exit (with -v: every library's version too)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Every failure ends as one line on stderr in the user's language and an
    exit code (2 refused, 1 the machine: disk, permissions…; 141 closed pipe); the traceback
    goes to the log file, and to stderr only with -v."""
    from app import failures

    failures.utf8_streams()
    private_umask()
    lang = "vi"
    words = list(sys.argv[1:] if argv is None else argv)
    if "--version" in words and set(words) <= {"--version", "-v", "--verbose"}:
        # fast path: no parser, no command module imported (IT scripts call it often)
        try:
            print_version(verbose=len(words) > 1)
            sys.stdout.flush()
        except Exception as exc:
            if failures.is_broken_pipe(exc):
                return failures.quiet_broken_pipe()
            raise
        return 0
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        args.lang_cli = args.lang  # `config show` tells a typed --lang from the default
        lang = args.lang or default_lang()
        return _run(args)
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # argparse (usage errors, --help, --version)
        if exc.code not in (0, None):
            return exc.code if isinstance(exc.code, int) else 2
        try:
            sys.stdout.flush()
        except Exception as flush_exc:
            if failures.is_broken_pipe(flush_exc):
                return failures.quiet_broken_pipe()
        return 0
    except BaseException as exc:
        parsed = locals().get("args")
        ns = parsed if isinstance(parsed, argparse.Namespace) else None
        return _fail(exc, getattr(ns, "lang", None) or lang, ns)
    finally:
        try:
            sys.stdout.flush()
        except Exception:
            failures.quiet_broken_pipe()


def _run(args: argparse.Namespace) -> int:
    from app.config import config_of

    try:  # --lang > MOTCUA_LANG(UAGE) > user/site file > locale (the counter's, once opened)
        config = config_of(args)
        args.lang = config.lang
    except Exception:
        config = None
        args.lang = args.lang or default_lang()
    from app.logs import setup_from_config

    setup_from_config(config, verbose=args.verbose)  # rotating file (redacted) + stderr
    if args.version:
        print_version(verbose=args.verbose)
        return 0
    if args.self_test:
        from app.selftest import main as self_test

        return self_test(args)
    if not getattr(args, "func", None):  # no subcommand: the counter window
        from app.cli.common import settings_of
        from app.gui import run_gui

        return run_gui(settings_of(args))
    code = int(args.func(args) or 0)
    sys.stdout.flush()  # a closed pipe shows here, inside the handler
    return code


def _fail(exc: BaseException, lang: str, args: argparse.Namespace | None) -> int:
    from app import failures
    from app.logs import current_log_file

    if failures.is_broken_pipe(exc):
        return failures.quiet_broken_pipe()
    if isinstance(exc, KeyboardInterrupt):
        return 130
    from app.errors import UserError

    if isinstance(exc, UserError):  # refused input: the message says it all
        _log().info("command refused: %r", exc)
    else:  # the machine, the store, a token…: the traceback for IT, in the log (and -v)
        _log().error("command failed", exc_info=exc)
    config = getattr(args, "_config", None) if args is not None else None
    data_dir = getattr(config, "data_dir", None) if not isinstance(config, Exception) else None
    message, code = failures.describe(exc, lang, log_file=current_log_file(), data_dir=data_dir)
    prefix = "Lỗi" if lang != "en" else "Error"
    try:
        from app.textrules import printable  # a message may quote what was typed: escaped

        # one line per error (a configuration file may have several, all reported at once)
        text = "\n  ".join(printable(line) for line in message.splitlines())
        print(f"{prefix}: {text}", file=sys.stderr)  # -v: the log record shows the traceback
    except Exception:
        text = message
    if args is not None and not getattr(args, "func", None) \
            and not getattr(args, "self_test", False):  # the window did not start: say it there
        from app.gui import show_start_failure

        show_start_failure(f"{prefix}: {text}", current_log_file(), lang)
    return code
