"""Helpers for the GUI tests (no tests here): a demo store copied from one prepared template,
and clerk-like input (Vietnamese text per character, as IBus/Unikey deliver it)."""

from __future__ import annotations

import asyncio
import shutil
import time
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.settings import Settings
from tests.helpers import cache_dir

QR = ("001090000456||Nguyễn Văn An|01021990|Nam|"
      "Số 5 Hàng Bạc, Phường Hàng Buồm, Quận Hoàn Kiếm, Hà Nội|15062021")


@cache
def demo_template() -> Path:
    """One prepared demo counter per test process (PKI + 4 signed dossiers)."""
    from app import demo

    folder = cache_dir("gui-demo-") / "data"
    demo.prepare(folder)
    return folder


def demo_copy(dest: Path):
    """A fresh copy of the demo counter in `dest` (keeps the tests independent)."""
    from app import demo

    shutil.copytree(demo_template(), dest, dirs_exist_ok=True)
    return demo.prepare(dest)  # idempotent: returns paths for this copy


def type_text(widget: QWidget, text: str) -> None:
    """Type any text, one key event per character (QTest.keyClicks aborts on non-ASCII)."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch,
                           Qt.KeyboardModifier.NoModifier)


def press(widget: QWidget, key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
          ) -> None:
    QTest.keyClick(widget, key, mods)


async def until(cond, timeout: float = 15.0, what="") -> None:
    """Let the qasync loop (Qt events + store worker results) run until cond() is true."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        await asyncio.sleep(0.02)


def run(loop: asyncio.AbstractEventLoop, coro, timeout: float = 120.0):
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


def app() -> QApplication:
    return QApplication.instance()


async def open_logged_in(demo, lang: str = "vi"):
    from ui.app import open_window

    settings = Settings(data_dir=demo.data_dir, lang=lang)
    window = await open_window(settings, demo=demo)
    login = window.login
    assert login.username.text() == "demo"  # demo mode pre-fills demo / demo-demo
    press(login.password, Qt.Key.Key_Return)
    await until(lambda: getattr(window, "key_dialog", None) is not None, what="unlock dialog")
    dlg = window.key_dialog
    assert dlg.p12_path.text().endswith("clerk1.p12")
    type_text(dlg.p12_password, "demo")
    press(dlg.p12_password, Qt.Key.Key_Return)
    await until(lambda: window.session.signer is not None, what="key unlocked")
    await until(lambda: getattr(window, "key_dialog", None) is None, what="dialog closed")
    await activate(window)
    return window


async def activate(window) -> None:
    """Offscreen, shortcuts need the window active (a picker's popup may have taken it)."""
    for popup in QApplication.topLevelWidgets():
        if popup.isVisible() and popup.windowFlags() & Qt.WindowType.Popup == Qt.WindowType.Popup:
            popup.hide()
    window.activateWindow()
    await until(lambda: QApplication.activeWindow() is window, what="active window")


async def close(window) -> None:
    window.close()
    await window.session.close()
