"""Small Qt helpers shared by the screens: tasks, awaitable dialogs, banners, progress."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QProgressDialog, QWidget

log = logging.getLogger(__name__)
_tasks: set[asyncio.Task[Any]] = set()


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Start a coroutine from a slot; keep a strong reference; route failures to the excepthook
    (qasync would otherwise lose them)."""
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _tasks.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None and type(exc).__name__ == "SessionClosed":
        log.info("late task after the window closed: %s", exc)
        return
    if exc is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)


def pending_tasks() -> set[asyncio.Task[Any]]:
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


async def ask(parent: QWidget | None, title: str, text: str, yes: str, no: str = "") -> bool:
    """A yes/no question, awaited (open(), never exec()); the safe answer is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    yes_btn = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_btn = box.addButton(no or QCoreApplication.translate("Common", "Cancel"),
                           QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_btn)
    box.setEscapeButton(no_btn)
    fut = asyncio.get_running_loop().create_future()
    box.finished.connect(lambda *_: fut.done() or fut.set_result(box.clickedButton() is yes_btn))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _open_boxes.append(box)
    box.open()
    try:
        return await fut
    finally:
        if box in _open_boxes:
            _open_boxes.remove(box)


_open_boxes: list[QMessageBox] = []  # tests answer the open question through this


def open_question() -> QMessageBox | None:
    return _open_boxes[-1] if _open_boxes else None


class TextConfirmDialog(QDialog):
    """Confirm a dangerous action by typing a word (the counter's code, a password)."""

    def __init__(self, parent: QWidget | None, title: str, text: str, label: str, *,
                 check, ok_text: str, password: bool = False):
        from PySide6.QtWidgets import (
            QDialogButtonBox,
            QFormLayout,
            QLineEdit,
            QVBoxLayout,
        )

        super().__init__(parent)
        self.setWindowTitle(title)
        self.check = check  # async (typed) -> error text or ""
        self.intro = intro = QLabel(text)
        intro.setWordWrap(True)
        self.edit = QLineEdit()
        if password:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = FieldError()
        lab = QLabel(label)
        lab.setBuddy(self.edit)
        form = QFormLayout()
        form.addRow(lab, self.edit)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox()
        self.ok_btn = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QCoreApplication.translate("Common", "Cancel"),
                               QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(lambda: spawn(self._ok()))
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.edit.setFocus()

    async def _ok(self) -> None:
        self.ok_btn.setEnabled(False)
        try:
            err = await self.check(self.edit.text())
        finally:
            self.ok_btn.setEnabled(True)
        if err:
            self.error.set_error(err)
            self.edit.selectAll()
            return
        self.accept()
