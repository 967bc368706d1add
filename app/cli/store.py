"""Store commands: init, intake, show, search, list, audit, backup, restore, check."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    pass
