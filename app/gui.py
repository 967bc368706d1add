"""GUI launcher: the only app module allowed to reach Qt, and only when called (imports late),
so `motcua` subcommands and the core never load PySide6."""

from __future__ import annotations

from app.settings import Settings


def run_gui(settings: Settings, *, demo: bool = False) -> int:
    """Open the counter window on `settings` (demo: prepare the demo data first); blocks until
    the window is closed and returns the exit code."""
    from ui.app import run

    return run(settings, demo=demo)
