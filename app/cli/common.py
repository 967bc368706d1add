"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys

from app.context import Counter, open_counter
from app.errors import UserError
from app.settings import Settings


def settings_of(args: argparse.Namespace) -> Settings:
    """Settings from the layered configuration (defaults < site file < user file < env <
    command line), so what IT deploys applies to every command."""
    from app.config import config_of

    return config_of(args).settings()


def counter_of(args: argparse.Namespace, *, create: bool = False,
               readonly: bool = False) -> Counter:
    """The counter, opened on the layered configuration; from here on the command speaks the
    counter's effective language (its stored preference counts, unless --lang/MOTCUA_LANG).
    Only commands that set a counter up (`create=True`) may create its store; every other
    command refuses a folder without one (a mistyped --data-dir must not answer "ok" from a
    fresh empty store). Commands that only read pass `readonly` (they work on a read-only
    disk)."""
    counter = open_counter(settings_of(args), create=create, readonly=readonly)
    with contextlib.suppress(Exception):
        args.lang = counter.setting("language")
    return counter


def emit(obj: object) -> None:
    """JSON on stdout; DEL, C1 controls, bidi and zero-width characters escaped (json escapes
    the C0 controls itself), so stored text never drives the terminal."""
    from app.textrules import json_printable

    print(json_printable(json.dumps(obj, ensure_ascii=False, indent=2)))


def secret(args: argparse.Namespace, env_attr: str, prompt: str, *, confirm: bool = False) -> str:
    """A password/PIN from the environment variable named on the command line, else a prompt.
    Never echoed, never logged."""
    var = getattr(args, env_attr, None)
    if var:
        value = os.environ.get(var)
        if value is None:
            raise UserError(f"Biến môi trường {var} chưa được đặt.", f"Environment variable {var} is not set.",
                            code="secret_missing")
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise UserError(f"Cần nhập bí mật nhưng không có bàn phím; dùng --{env_attr.replace('_', '-')} BIẾN.",
                        f"A secret is needed but there is no terminal; use --{env_attr.replace('_', '-')} VAR.",
                        code="secret_missing")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass(prompt.rstrip(": ") + " (nhập lại / again): ") != value:
        raise UserError("Hai lần nhập không khớp.", "The two entries differ.", code="secret_mismatch")
    return value
