"""Start the GUI: QApplication, fonts, translations, excepthook, qasync loop, main window.

Imported late by app.gui (the command line never loads Qt). Only what the login screen needs
is imported here; the work screens are imported after the first login.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from app.settings import Settings

log = logging.getLogger("motcua.gui")
HERE = Path(__file__).resolve().parent
I18N_DIR = HERE / "i18n"
FONT_DIR = HERE / "fonts"
_translators: list[Any] = []
CURRENT = {"lang": "vi"}  # read by the excepthook


def make_app(argv: list[str] | None = None):
    """The QApplication, with the bundled Vietnamese font at the system's font size."""
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0] if sys.argv and sys.argv[0] else "motcua"])
    app.setApplicationName("MotCua Counter")
    app.setOrganizationName("motcua")
    family = ""
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        path = FONT_DIR / name
        if path.exists():
            fid = QFontDatabase.addApplicationFont(str(path))
            if fid >= 0 and not family:
                family = QFontDatabase.applicationFontFamilies(fid)[0]
    if family:
        font = QFont(app.font())  # keep the system's point size: the window scales with it
        font.setFamily(family)
        app.setFont(font)
    return app


def install_translator(lang: str) -> bool:
    """Install ui/i18n/motcua_<lang>.qm (source strings are English, so 'en' needs none)."""
    from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_translator needs the QApplication")
    CURRENT["lang"] = lang
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese if lang != "en"
                               else QLocale.Language.English, QLocale.Country.Vietnam))
    qt = QTranslator()  # Qt's own strings (context menus, standard buttons, file dialog):
    if lang != "en" and qt.load(str(I18N_DIR / f"qt_{lang}.qm")):  # PySide6 has no qtbase_vi
        app.installTranslator(qt)
        _translators.append(qt)
    t = QTranslator()
    if t.load(str(I18N_DIR / f"motcua_{lang}.qm")):
        app.installTranslator(t)
        _translators.append(t)
        return True
    if lang != "en":
        log.warning("translation %s not found in %s", lang, I18N_DIR)
    return False


def install_excepthook(lang_of) -> None:
    """Unexpected errors: full details to the log for IT, a short message box for the clerk."""

    def hook(etype, value, tb) -> None:
        log.error("unexpected error", exc_info=(etype, value, tb))
        if issubclass(etype, KeyboardInterrupt):
            return
        try:
            from PySide6.QtWidgets import QApplication

            from ui.qtutil import show_message

            if QApplication.instance() is None:
                return
            en = lang_of() == "en"
            text = ("Something went wrong; the details were written to the log for IT. "
                    "Your form is kept as a draft." if en else
                    "Đã xảy ra lỗi; chi tiết đã được ghi vào nhật ký cho bộ phận CNTT. "
                    "Nội dung đang nhập vẫn được lưu nháp.")
            show_message(QApplication.activeWindow(), "MotCua", text, error=True,
                         details="".join(traceback.format_exception(etype, value, tb)))
        except Exception:  # never let the hook itself raise
            log.exception("excepthook failed")

    sys.excepthook = hook


def setup_logging(settings: Settings) -> None:
    """The same redacted rotating log as the command line (no citizen IDs, secrets)."""
    from app.logs import setup_from_config

    setup_from_config()


def gui_language(settings: Settings, stored: str | None) -> str:
    """--lang / MOTCUA_LANG / locale decide; the counter's stored preference applies when
    nothing explicit asked for a language."""
    if os.environ.get("MOTCUA_LANG") or settings.lang == "en":
        return settings.lang
    return stored or settings.lang


async def open_window(settings: Settings, *, demo: object | None = None):
    """Open the session and show the main window (login or first-run wizard)."""
    from dataclasses import replace

    from ui.session import Session

    opening = asyncio.ensure_future(Session.open(settings))  # store opens on the worker…
    from ui.mainwindow import MainWindow  # …while this thread imports the widgets

    session = await opening
    if settings.config is not None:  # the one precedence of app/config.py, counter layer included
        from app import preferences

        lang = await session.run(preferences.get, session.counter, "language")
    else:
        stored = await session.run(session.counter.store.get_meta, "pref.language")
        lang = gui_language(settings, stored)
    session.lang = lang
    session.settings = replace(settings, lang=lang)
    install_translator(lang)
    window = MainWindow(session, demo=demo, switch_language=install_translator)
    window.show()
    window.activateWindow()
    await window.start()
    from ui.qtutil import spawn

    async def start_sync_later() -> bool:
        # sync (and its HTTP stack) starts once the first screen takes input: a faster cold
        # start; a clerk cannot have saved anything to send in that half second
        await asyncio.sleep(0.5)
        return await session.start_sync() if not session.closed else False

    window.sync_starting = spawn(start_sync_later())
    window.closed.connect(window.sync_starting.cancel)  # a window closed within 0.5 s
    return window


async def main(settings: Settings, *, demo: object | None = None) -> int:
    window = await open_window(settings, demo=demo)
    closed = asyncio.get_running_loop().create_future()
    window.closed.connect(lambda: closed.done() or closed.set_result(0))
    if os.environ.get("MOTCUA_GUI_EXIT_WHEN_READY"):  # benchmark: cold start to interactive
        import time

        await asyncio.sleep(0)  # one turn of the event loop: the login screen takes input
        print(f"MOTCUA_READY {time.time():.6f}", flush=True)
        window.close()
    await closed
    await window.session.close()
    return 0


def run(settings: Settings, *, demo: bool = False) -> int:
    """Blocking entry point used by app.gui.run_gui."""
    os.environ.setdefault("QT_API", "pyside6")
    setup_logging(settings)
    demo_info = None
    gateway = None
    if demo:
        from app import demo as demo_mod
        from app.demo_gateway import start_demo_gateway

        demo_info = demo_mod.prepare(settings.data_dir)
        try:  # the whole flow with no province: a reference gateway on loopback
            url, gateway = start_demo_gateway(demo_info)
            logging.getLogger(__name__).info("demo gateway on %s", url)
        except Exception:
            logging.getLogger(__name__).exception("demo gateway did not start; offline only")
        if gateway is not None:
            from app.demo_gateway import seed_result_ready

            try:  # one dossier with its result ready, to try "Return the result"
                seed_result_ready(gateway, demo_info)
            except Exception:
                logging.getLogger(__name__).exception("demo: no result-ready sample")
    app = make_app()
    app.setQuitOnLastWindowClosed(False)
    CURRENT["lang"] = settings.lang
    install_excepthook(lambda: CURRENT["lang"])
    import qasync

    try:
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            return runner.run(main(settings, demo=demo_info))
    finally:
        if gateway is not None:
            gateway.stop()
