"""Small Qt helpers shared by the screens: tasks, awaitable dialogs, banners, progress."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QProgressDialog, QWidget

from app.errors import message_of

log = logging.getLogger(__name__)
_tasks: set[asyncio.Task] = set()


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
    """Start a coroutine from a slot; keep a strong reference; route failures to the excepthook
    (qasync would otherwise lose them)."""
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task) -> None:
    _tasks.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)


def pending_tasks() -> set[asyncio.Task]:
    return set(_tasks)


async def run_dialog(dialog: QDialog) -> int:
    """Show a dialog window-modally and await its result (never exec() inside a coroutine)."""
    fut = asyncio.get_running_loop().create_future()

    def done(result: int) -> None:
        if not fut.done():
            fut.set_result(result)

    dialog.finished.connect(done)
    dialog.open()
    return await fut


def tr(text: str, context: str = "Common") -> str:
    return QCoreApplication.translate(context, text)


def error_text(exc: BaseException, lang: str) -> str:
    return message_of(exc, lang)


def show_message(parent: QWidget | None, title: str, text: str, *, error: bool = False,
                 details: str = "") -> QMessageBox:
    """A non-blocking message box (open(), not exec())."""
    box = QMessageBox(QMessageBox.Icon.Critical if error else QMessageBox.Icon.Information,
                      title, text, QMessageBox.StandardButton.Ok, parent)
    box.button(QMessageBox.StandardButton.Ok).setText(QCoreApplication.translate("Common", "OK"))
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class Banner(QLabel):
    """A one-line message at the top of a screen: success, warning or error."""

    STYLES = {
        "ok": "background:#e6f4ea; color:#0b5a1e; border:1px solid #9bd3ae;",
        "warn": "background:#fff4e0; color:#6b4000; border:1px solid #f0c36d;",
        "error": "background:#fde8e8; color:#8a1010; border:1px solid #f1a1a1;",
    }

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_text(self, text: str, kind: str = "ok") -> None:
        self.setText(text)
        self.setStyleSheet(f"QLabel {{{self.STYLES.get(kind, '')} padding:0.4em; "
                           "border-radius:3px;}")
        self.setProperty("kind", kind)
        self.setVisible(bool(text))

    def clear_text(self) -> None:
        self.setText("")
        self.hide()


class FieldError(QLabel):
    """The inline validation message shown under a field."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet("QLabel { color:#b00020; }")
        self.hide()

    def set_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


async def with_progress(parent: QWidget, title: str, label: str,
                        work: Callable[[Callable[[int, int], None]], Coroutine[Any, Any, Any]]
                        ) -> Any:
    """Run a long task with a window-modal progress dialog; the window keeps repainting.

    `work(report)` receives a thread-safe `report(done, total)` callback (0 total = unknown)."""
    loop = asyncio.get_running_loop()
    dlg = QProgressDialog(label, "", 0, 0, parent)
    dlg.setWindowTitle(title)
    dlg.setCancelButton(None)
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(0)
    dlg.setAutoClose(False)
    dlg.show()

    def set_progress(done: int, total: int) -> None:
        if total:
            dlg.setMaximum(total)
            dlg.setValue(done)

    def report(done: int, total: int) -> None:
        loop.call_soon_threadsafe(set_progress, done, total)

    try:
        return await work(report)
    finally:
        dlg.close()
        dlg.deleteLater()
