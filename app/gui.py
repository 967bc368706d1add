"""The composition root for Qt: the only app module that imports `ui`, and only when called
(every import here is late on purpose), so `motcua` subcommands and the core never load PySide6.
Other app modules reach the window, the PDF renderer and the Qt self-test through here; the
layering test (tests/test_layering.py) reads every source file to hold that rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.settings import Settings


def run_gui(settings: Settings, *, demo: bool = False) -> int:
    """Open the counter window on `settings` (demo: prepare the demo data first); blocks until
    the window is closed and returns the exit code.

    Before Qt starts: no display → one line (UserError, exit 3) instead of Qt's abort (rc 134);
    a non-UTF-8 locale (LANG unset, a service) → C.UTF-8, so Qt prints no locale warning."""
    from app import failures
    from app.errors import UserError

    message = failures.no_display_message("vi")
    if message:
        err = UserError(message, failures.no_display_message("en") or message, code="no_display")
        err.exit_code = failures.EXIT_NO_DISPLAY  # type: ignore[attr-defined]
        raise err
    failures.utf8_locale()
    from app.cli import private_umask
    from ui.app import run

    private_umask()  # store, drafts, receipt PDFs, logs: owner-only
    from sync.heap import freeze_startup_heap

    freeze_startup_heap("counter")  # the clerk's day (and its background sync) is this process
    return run(settings, demo=demo)


def show_start_failure(line: str, log_file: str | Path | None, lang: str = "vi") -> bool:
    """The window could not start: show `line` (what the command line printed) and the log's
    path in a message box, so a clerk starting from the menu sees it. False when no box can be
    shown (no display: the line on stderr is all there is)."""
    import logging

    from app import failures

    if failures.no_display_message(lang):
        return False
    try:
        from ui.startfail import show_start_failure as show

        show(line, log_file, lang)
    except Exception:  # the box itself failing must not hide the original error
        logging.getLogger(__name__).exception("could not show the start failure box")
        return False
    return True


def render_pdf(*args: Any, **kwargs: Any) -> Any:
    """Receipts and slips as PDF (Qt's PDF writer): see ui.printing.render_pdf."""
    from ui.printing import render_pdf as render

    return render(*args, **kwargs)


def render_screenshots(folder: Path, langs: list[str]) -> list[Path]:
    """Every main screen with demo data, as PNG files (docs/screenshots)."""
    from ui.screenshots import render_all

    return render_all(folder, langs=langs)


def qt_selftest_child() -> int:
    """The Qt half of `--self-test`, run in a child process (Qt can abort the process)."""
    from ui.selftest_qt import qt_child_main

    return qt_child_main()
