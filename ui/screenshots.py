"""Render every main screen with demo data to PNG files (`motcua screenshots DIR`), in
Vietnamese and English: the docs keep the current set and reviewers look at each one."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.demo import Demo

QR_SAMPLE = ("001090000456||Nguyễn Văn An|01021990|Nam|"
             "Số 5 Hàng Bạc, Phường Hàng Buồm, Quận Hoàn Kiếm, Hà Nội|15062021")


async def _settle(seconds: float = 0.2) -> None:
    """Let the qasync loop lay out and paint (never processEvents() inside a coroutine:
    it would run other tasks re-entrantly)."""
    for _ in range(4):
        await asyncio.sleep(seconds / 4)


SIZES = ((1366, 768), (1024, 768))  # the counter PCs' screens


class _Shots:
    """Saves widgets as ``gui-NAME-LANG-WxH.png`` into ``out`` and remembers the files."""

    def __init__(self, out: Path, lang: str, size: tuple[int, int]):
        self.out, self.lang, self.size = out, lang, size
        self.files: list[Path] = []

    def save(self, widget: QWidget, name: str) -> None:
        path = self.out / f"gui-{name}-{self.lang}-{self.size[0]}x{self.size[1]}.png"
        widget.grab().save(str(path))
        self.files.append(path)


async def _shoot_wizard(shots: _Shots, data_dir: Path) -> None:
    """The first-run wizard on an empty folder: its first page, then the enrolment page with
    nothing pasted (the page says what it needs)."""
    from app.settings import Settings
    from ui.app import open_window

    w0 = await open_window(Settings(data_dir=data_dir, lang=shots.lang))
    await asyncio.sleep(0.1)
    wiz = w0.wizard
    wiz.resize(wiz.minimumSize())
    wiz.admin_name.setText("Nguyễn Văn Quản")
    await _settle()
    shots.save(wiz, "wizard")
    wiz.admin_pw.setText("mat-khau-1")
    wiz.admin_pw2.setText("mat-khau-1")
    wiz.next()
    wiz.agency.setText("000.20.27.H57")
    wiz.centre.setText("Trung tâm Phục vụ hành chính công phường Sài Gòn")
    wiz.next()
    wiz.next()  # nothing pasted: the page says what it needs
    await _settle()
    shots.save(wiz, "wizard-enrol")
    wiz.reject()
    w0.close()
    await w0.session.close()


async def _open_demo_counter(shots: _Shots, data_dir: Path) -> tuple[Any, Demo]:
    """A demo counter's window at the chosen size, logged in and its key unlocked (the login
    and unlock dialogs shot on the way). Returns (window, demo)."""
    from app import demo
    from app.settings import Settings
    from ui.app import open_window

    d = demo.prepare(data_dir)
    w = await open_window(Settings(data_dir=d.data_dir, lang=shots.lang), demo=d)
    w.showNormal()
    w.resize(*shots.size)  # the counter PCs' screens, so the set is comparable over time
    await _settle()
    shots.save(w, "login")
    await w.login.login()
    while getattr(w, "key_dialog", None) is None:
        await asyncio.sleep(0.02)
    dlg = w.key_dialog
    dlg.p12_password.setText(demo.DEMO_P12_PASSWORD)
    await _settle()
    shots.save(dlg, "unlock")
    await dlg.unlock()
    while getattr(w, "key_dialog", None) is not None:
        await asyncio.sleep(0.02)
    w.showNormal()  # the first login maximises: keep the chosen size for the pictures
    w.resize(*shots.size)
    return w, d


async def _shoot_intake(shots: _Shots, w: Any) -> None:
    """The intake form filled from a QR code with the citizen's history, then refused input."""
    s = w.session
    w.intake.apply_qr(QR_SAMPLE)
    w.intake.commune.set_value("00070", "Phường Hoàn Kiếm")
    w.intake.phone.setText("0987654321")
    w.intake.procedure.set_value("1.001193", "1.001193 — " + s.counter.catalogue().get("1.001193").name)
    w.show_page("intake")
    await w.intake.load_history("001090000456")
    w.intake.procedure.set_value("1.000894", "1.000894 — "
                                 + s.counter.catalogue().get("1.000894").name)
    await _settle()
    shots.save(w, "intake")
    w.intake.name.clear()
    w.intake.citizen_id.setText("999123456789")
    w.intake.set_history({"open": [], "closed": []})  # another citizen: no duplicate question
    await w.intake.save()
    await _settle()
    shots.save(w, "intake-errors")
    w.intake.clear_form()


async def _shoot_pages(shots: _Shots, w: Any, code: str) -> None:
    """Home, search, the dossier ``code`` with its signatures checked, sync, reports,
    settings and help."""
    w.show_page("home")
    await w.home.refreshed()
    await _settle()
    shots.save(w, "home")

    w.show_page("search")
    w.search.box.setText("nguyen")
    w.search.run_query()
    while w.search.model.fetching:
        await asyncio.sleep(0.02)
    w.search.box.clear()
    w.search.run_query()
    while w.search.model.fetching:
        await asyncio.sleep(0.02)
    await _settle()
    shots.save(w, "search")

    w.show_page("detail")
    await w.detail.show_code(code)
    await w.detail.check_signatures()
    await _settle()
    shots.save(w, "detail")

    w.show_page("sync")
    await w.sync.refresh()
    await _settle()
    shots.save(w, "sync")

    w.show_page("reports")
    await w.reports.build()
    await _settle()
    shots.save(w, "reports")

    w.show_page("settings")
    await w.settings_page.load()
    await _settle()
    shots.save(w, "settings")

    w.show_page("help")
    await _settle()
    shots.save(w, "help")


async def _shoot_lock_and_restore(shots: _Shots, w: Any, work: Path) -> None:
    """The locked screen, then (logged in again) the restore confirmation, declined."""
    from app import demo

    w.lock_screen()
    await _settle()
    shots.save(w, "locked")
    w.login.password.setText(demo.DEMO_USER_PASSWORD)
    await w.login.login()
    while not w.at_work:
        await asyncio.sleep(0.02)
    task = asyncio.ensure_future(w.settings_page.start_task("restore", str(work / "x.motcua")))
    while w.settings_page.confirm_dialog is None:
        await asyncio.sleep(0.02)
    await _settle()
    shots.save(w.settings_page.confirm_dialog, "restore-confirm")
    w.settings_page.confirm_dialog.reject()
    await task


async def _shoot_lang(lang: str, out: Path, work: Path, size: tuple[int, int] = SIZES[0]
                      ) -> list[Path]:
    from app import actions, demo
    from app.domain import now_vn
    from ui.qtutil import pending_tasks

    shots = _Shots(out, lang, size)
    tag = f"{lang}-{size[0]}"
    await _shoot_wizard(shots, work / f"fresh-{tag}")
    w, d = await _open_demo_counter(shots, work / f"demo-{tag}")
    s = w.session
    # a result waiting at the counter, so the home queue and the return action show
    first = d.codes[0]
    shown = await s.show(first)
    await s.run(lambda: actions.apply_remote_events(s.counter, [
        demo.province_event(d, s.counter, shown, "result_ready", now_vn())]))
    await _shoot_intake(shots, w)
    await _shoot_pages(shots, w, first)
    await _shoot_lock_and_restore(shots, w, work)

    for t in pending_tasks():
        t.cancel()
    w.close()
    await s.close()
    return shots.files


def render_all(out: Path, langs: list[str] | None = None) -> list[Path]:
    """Every main screen in each language, on throw-away demo data."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from ui.app import make_app

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    app.setQuitOnLastWindowClosed(False)
    files: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="motcua-shots-") as tmp, \
            asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        for lang in langs or ["vi", "en"]:
            for size in SIZES:
                files += runner.run(_shoot_lang(lang, out, Path(tmp), size))
    return files
