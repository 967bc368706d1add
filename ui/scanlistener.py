"""Qt side of the card scanner: one listener per screen that takes scans (intake, search, the
"return the result" dialog). The burst logic is Qt-free in ui.scan.ScanDetector."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from ui.scan import Action, ScanDetector

_INPUTS = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QPushButton, QTableView)


def key_text(event: QKeyEvent) -> str:
    """The character a key press types ('\\r' for Enter; '' for Shift, Ctrl+S, Tab …)."""
    if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        return "\r"
    text = event.text()
    return text if text and text.isprintable() else ""


class ScanListener(QObject):
    """Watches key presses aimed at `scope`'s inputs while `scope` is shown; a scanner burst is
    swallowed (the focused field gets back what it had) and emitted as `scanned`."""

    scanned = Signal(str)

    def __init__(self, scope: QWidget):
        super().__init__(scope)
        self.scope = scope
        self.detector = ScanDetector()
        self._snapshot: tuple[QLineEdit, str] | None = None
        self._installed = False
        self._timer = QTimer(self, interval=150)
        self._timer.timeout.connect(self._expire)
        scope.installEventFilter(self)
        if scope.isVisible():
            self._install(True)

    def _install(self, on: bool) -> None:
        app = QApplication.instance()
        if not isinstance(app, QCoreApplication):
            raise RuntimeError("the scan listener needs the QApplication")
        if on and not self._installed:
            app.installEventFilter(self)
        elif not on and self._installed:
            app.removeEventFilter(self)
            self.detector.reset()
        self._installed = on

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        et = event.type()
        if obj is self.scope and et in (QEvent.Type.Show, QEvent.Type.Hide):
            self._install(et == QEvent.Type.Show)
            return False
        if et != QEvent.Type.KeyPress or not isinstance(obj, _INPUTS) \
                or not (obj is self.scope or self.scope.isAncestorOf(obj)):
            return False
        if not isinstance(event, QKeyEvent):
            return False
        action = self.detector.feed(key_text(event), time.monotonic())
        if action is Action.SNAPSHOT_AND_PASS:
            self._snapshot = (obj, obj.text()) if isinstance(obj, QLineEdit) else None
            return False
        if action is Action.START:
            if self._snapshot is not None:
                widget, before = self._snapshot
                widget.setText(before)
            self._timer.start()
            return True
        if action is Action.SWALLOW:
            return True
        if action is Action.DONE:
            self._timer.stop()
            self.scanned.emit(self.detector.text)
            return True
        return False

    def _expire(self) -> None:
        text = self.detector.expire(time.monotonic())
        if text is not None:
            self._timer.stop()
            self.scanned.emit(text)

    def detach(self) -> None:
        self._install(False)
