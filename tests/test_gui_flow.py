"""Drive the real window like a clerk, on a temporary demo store (pytest-qt, offscreen)."""

from __future__ import annotations

import asyncio

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.settings import Settings
from tests.test_gui_support import QR, demo_copy, press, run, type_text, until


@pytest.fixture
def loop(qapp):
    qapp.setQuitOnLastWindowClosed(False)  # as ui.app.run does
    lp = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(lp)
    yield lp
    try:
        lp.run_until_complete(asyncio.sleep(0))
    finally:
        asyncio.set_event_loop(None)


@pytest.fixture
def demo(tmp_path):
    return demo_copy(tmp_path / "data")


async def open_logged_in(demo, lang: str = "vi"):  # noqa: ANN001, ANN201
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
    window.activateWindow()  # offscreen: shortcuts need an active window
    await until(lambda: QApplication.activeWindow() is window, what="active window")
    return window


async def close(window) -> None:  # noqa: ANN001
    window.close()
    await window.session.close()


def test_login_scan_save_print_search_open_return(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        page = w.intake
        assert w.work.currentWidget() is page
        # -- the scanner types the QR string into whatever has focus (here: the phone field)
        page.phone.setFocus()
        type_text(page.phone, QR)
        press(page.phone, Qt.Key.Key_Return)
        assert page.name.text() == "Nguyễn Văn An"
        assert page.citizen_id.text() == "001090000456"
        assert page.dob.text() == "01/02/1990"
        assert page.gender.currentData() == "male"
        assert page.phone.text() == ""  # the scan did not leak into the focused field
        assert page.province.code() == "01"  # Hà Nội
        # -- the rest, typed: the new (2025) ward for the old address, phone, procedure
        assert "Hàng Buồm" in page.address.text()  # old ward kept in the detail
        page.commune.setFocus()
        type_text(page.commune, "hoan kiem")
        press(page.commune, Qt.Key.Key_Return)
        assert page.commune.code() and page.commune.text() == "Phường Hoàn Kiếm"
        page.phone.setFocus()
        type_text(page.phone, "0987654321")
        page.procedure.setFocus()
        type_text(page.procedure, "dang ky khai sinh")
        press(page.procedure, Qt.Key.Key_Return)
        assert page.procedure.code()
        assert page.checklist.rows(), "the procedure's checklist is filled"
        assert page.appointment.text() not in ("", "—")
        # -- Ctrl+S
        press(page.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: page.last_code, what=lambda: f"saved ({page.banner.text()} {[(k, e.text()) for k, e in page.errors.items() if e.text()]} {page.form_dict()})")
        code = page.last_code
        assert page.name.text() == "" and page.procedure.code() == ""  # cleared
        assert not page.draft.path.exists()
        # -- Ctrl+P: no printer offscreen -> the receipt is saved as PDF
        press(page.name, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        pdf = demo.data_dir / "receipts" / f"{code}.pdf"
        await until(pdf.exists, what="receipt PDF")
        assert pdf.read_bytes().startswith(b"%PDF")
        # -- search by name without diacritics, open
        w.show_page("search")
        type_text(w.search.box, "nguyen van an")
        press(w.search.box, Qt.Key.Key_Return)
        await until(lambda: any(r["code"] == code for r in w.search.model.rows), what="found")
        row = next(i for i, r in enumerate(w.search.model.rows) if r["code"] == code)
        w.search.view.setCurrentIndex(w.search.model.index(row, 0))
        press(w.search.view, Qt.Key.Key_Return)
        await until(lambda: w.detail.code == code, what="detail")
        assert not w.detail.btn_return.isEnabled()  # not result-ready yet
        # -- the province says the result is ready
        from app import actions
        from app.domain import now_vn
        from tests.test_actions import province_event

        d = await w.session.show(code)
        await w.session.run(actions.apply_remote_events, w.session.counter,
                            [province_event(d, "result_ready", now_vn())])
        await w.detail.show_code(code)
        assert w.detail.btn_return.isEnabled()
        task = asyncio.ensure_future(w.detail.return_result())
        await until(lambda: w.detail._dialog is not None, what="return dialog")
        dlg = w.detail._dialog
        assert dlg.widgets["recipient_name"].text() == "Nguyễn Văn An"
        dlg.buttons.accepted.emit()
        assert await task
        assert (await w.session.show(code))["status"] == "returned"
        await close(w)

    run(loop, scenario())
