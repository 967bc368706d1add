"""The counter window as clerks use it all day (issue 14): lock screen, admin tasks, scanner
with Shift presses, shortcuts after re-login, screens following changes. Real widgets,
offscreen, on a copy of the demo counter."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox

from tests.gui_support import QR, activate, close, open_logged_in, press, run, type_text, until

SHIFTED = set('~!@#$%^&*()_+{}|:"<>?')


def scanner_types(widget, text: str) -> None:
    """A USB scanner in keyboard mode on a US layout: Shift is pressed (a key press with no
    text) before every capital and `|`, released after."""
    key_action, mods = QTest.KeyAction, Qt.KeyboardModifier
    for ch in text:
        shift = ch in SHIFTED or ch != ch.lower()
        if shift:
            QTest.sendKeyEvent(key_action.Press, widget, Qt.Key.Key_Shift, "", mods.ShiftModifier)
        QTest.sendKeyEvent(key_action.Click, widget, Qt.Key.Key_unknown, ch,
                           mods.ShiftModifier if shift else mods.NoModifier)
        if shift:
            QTest.sendKeyEvent(key_action.Release, widget, Qt.Key.Key_Shift, "", mods.NoModifier)
    QTest.keyClick(widget, Qt.Key.Key_Return)


async def answer(yes: bool) -> None:
    """Answer the open question box (ui.qtutil.ask)."""
    from ui.qtutil import open_question

    await until(lambda: open_question() is not None, what="question")
    box = open_question()
    role = QMessageBox.ButtonRole.AcceptRole if yes else QMessageBox.ButtonRole.RejectRole
    next(b for b in box.buttons() if box.buttonRole(b) == role).click()
    await until(lambda: open_question() is not box, what="question answered")


async def login_as(w, username: str, password: str = "demo-demo", unlock: bool = False) -> None:
    w.login.username.setText(username)
    w.login.password.setFocus()
    type_text(w.login.password, password)
    press(w.login.password, Qt.Key.Key_Return)
    await until(lambda: w.at_work and w.session.username == username, what="logged in")
    if w.session.signer is None:
        await until(lambda: getattr(w, "key_dialog", None) is not None, what="unlock dialog")
        dlg = w.key_dialog
        if unlock:
            type_text(dlg.p12_password, "demo")
            press(dlg.p12_password, Qt.Key.Key_Return)
        else:
            dlg.reject()
        await until(lambda: getattr(w, "key_dialog", None) is None, what="dialog closed")
    await activate(w)


def test_lock_screen_shows_only_the_unlock_form(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        assert w.menuBar().isVisible()
        assert w.actions_by_key["backup"].isEnabled()  # demo is an administrator
        await activate(w)
        press(w.intake.name, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert w.stack.currentWidget() is w.login
        assert "khoá" in w.login.banner.text().lower() or "khóa" in w.login.banner.text().lower()
        assert "10" not in w.login.banner.text()  # Ctrl+L is no idle lock
        assert not w.menuBar().isVisible() and not w.statusBar().isVisible()
        assert [k for k, a in w.actions_by_key.items() if a.isEnabled()] == []
        # every shortcut is dead: views, F-keys, quit, backup
        for key, mods in ((Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier),
                          (Qt.Key.Key_F2, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
                          (Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)):
            press(w.login.password, key, mods)
        w.actions_by_key["backup"].trigger()
        w.actions_by_key["restore"].trigger()
        await asyncio.sleep(0.1)
        assert w.isVisible() and w.stack.currentWidget() is w.login
        assert w.settings_page.file_dialog is None and w.settings_page.confirm_dialog is None
        assert getattr(w, "key_dialog", None) is None
        # the same clerk comes back: everything works again, the form was kept
        type_text(w.login.password, "demo-demo")
        press(w.login.password, Qt.Key.Key_Return)
        await until(lambda: w.at_work, what="unlocked")
        assert w.menuBar().isVisible() and w.actions_by_key["backup"].isEnabled()
        await activate(w)
        press(w.work.currentWidget(), Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        assert w.work.currentWidget() is w.search
        await close(w)

    run(loop, scenario())


def test_backup_restore_and_catalogue_need_an_admin_and_a_confirmation(loop, demo, qtbot,
                                                                       tmp_path):
    from app.errors import UserError

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        s = w.session
        page = w.settings_page
        dest = tmp_path / "counter.motcua"
        # File → Back up…: a file dialog, then the administrator's password
        task = asyncio.ensure_future(w.admin_task("backup"))
        await until(lambda: page.file_dialog is not None, what="file dialog")
        page.file_dialog.findChild(QLineEdit, "fileNameEdit").setText(str(dest))
        page.file_dialog.accept()
        await until(lambda: page.confirm_dialog is not None or task.done(),
                    what="password asked")
        if task.done():
            task.result()
        dlg = page.confirm_dialog
        type_text(dlg.edit, "wrong-password")
        dlg.ok_btn.click()
        await until(lambda: dlg.error.isVisible(), what="wrong password said")
        assert not dest.exists()
        dlg.edit.clear()
        type_text(dlg.edit, "demo-demo")
        dlg.ok_btn.click()
        r = await task
        assert r and dest.is_file() and r["dossiers"] == 4
        # Restore: the counter's code must be typed
        task = asyncio.ensure_future(page.start_task("restore", str(dest)))
        await until(lambda: page.confirm_dialog is not None, what="restore confirmation")
        dlg = page.confirm_dialog
        assert s.counter.label in dlg.intro.text()
        type_text(dlg.edit, "000.00.00.X00#01")
        dlg.ok_btn.click()
        await until(lambda: dlg.error.isVisible(), what="wrong code said")
        dlg.edit.clear()
        type_text(dlg.edit, s.counter.label)
        dlg.ok_btn.click()
        r = await task
        assert r and r["dossiers"] == 4
        # Cancel at the confirmation: nothing happens
        task = asyncio.ensure_future(page.start_task("catalogue", str(dest)))
        await answer(False)
        assert await task is None
        # a clerk has none of it, not even through the session
        await w.logout()
        await login_as(w, "lan")
        assert "settings" not in w.pages
        assert not w.actions_by_key["backup"].isEnabled()
        assert not w.actions_by_key["backup"].isVisible()
        assert await w.admin_task("backup") is None
        with pytest.raises(UserError):
            await s.backup(tmp_path / "clerk.motcua")
        with pytest.raises(UserError):
            await s.restore(dest, s.counter.label)
        assert not (tmp_path / "clerk.motcua").exists()
        await close(w)

    run(loop, scenario())


def test_shortcuts_survive_relogin_language_switch_and_another_clerk(loop, demo, qtbot, qtlog):
    def shortcut_counts(w) -> dict[str, int]:
        counts: dict[str, int] = {}
        for a in w.findChildren(QAction):
            seq = a.shortcut().toString()
            if seq:
                counts[seq] = counts.get(seq, 0) + 1
        return counts

    async def check(w) -> None:
        await activate(w)
        for key, page in ((Qt.Key.Key_3, "search"), (Qt.Key.Key_1, "home"),
                          (Qt.Key.Key_2, "intake")):
            press(w.work.currentWidget(), key, Qt.KeyboardModifier.ControlModifier)
            assert w.work.currentWidget() is w.pages[page], page
        press(w.work.currentWidget(), Qt.Key.Key_F3)
        assert w.work.currentWidget() is w.search
        press(w.work.currentWidget(), Qt.Key.Key_F2)
        assert w.work.currentWidget() is w.intake
        counts = shortcut_counts(w)
        assert counts and max(counts.values()) == 1, counts

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        await check(w)
        await w.logout()  # log out, log in again
        await login_as(w, "demo")
        await check(w)
        w.actions_by_key["lang_en"].trigger()  # language switch
        assert w.intake.save_btn.text().startswith("Save")
        assert w.actions_by_key["view_search"].text() == "Search"
        await check(w)
        w.lock_screen()  # another clerk at the lock screen
        await login_as(w, "lan")
        await check(w)
        # the English switch was demo's: lan (no choice) and the next login screen stay Vietnamese
        assert w.session.lang == "vi"
        await w.logout()
        assert w.login.button.text().replace("&", "").startswith("Đăng nhập")
        await login_as(w, "demo")
        assert w.session.lang == "en"  # demo's own choice comes back
        await check(w)
        await close(w)
        assert not [r for r in qtlog.records if "Ambiguous" in r.message]

    run(loop, scenario())


def test_card_scanned_with_shift_presses_fills_the_form_and_shows_the_history(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        page = w.intake
        page.phone.setFocus()
        scanner_types(page.phone, QR)
        assert page.name.text() == "Nguyễn Văn An"
        assert page.citizen_id.text() == "001090000456"
        assert page.dob.text() == "01/02/1990"
        assert page.phone.text() == ""
        assert page.qr_status.text().startswith("Đã quét thẻ")
        # scan = lookup: the demo has this citizen's marriage registration, still open
        await until(lambda: page.history_list.count() == 1, what="history")
        assert demo.codes[1] in page.history_list.item(0).text()
        page.procedure.set_value("1.000894", "1.000894 — kết hôn")
        assert page.banner.property("kind") == "warn" and demo.codes[1] in page.banner.text()
        page.checklist.add_row("Tờ khai đăng ký kết hôn")
        page.commune.setFocus()
        type_text(page.commune, "hoan kiem")
        press(page.commune, Qt.Key.Key_Return)
        await activate(w)
        save = asyncio.ensure_future(page.save())
        await answer(False)  # "go back": nothing saved
        assert await save is None and page.last_code == ""
        save = asyncio.ensure_future(page.save())
        await answer(True)  # receive a second one anyway
        r = await save
        assert r and r["code"] and page.last_code == r["code"], page.banner.text()
        # the next citizen: the banner and the history are gone
        assert not page.qr_status.text().startswith("Đã quét thẻ")
        assert page.history_list.count() == 0
        # Clear form asks first
        type_text(page.name, "Lê Văn Đức")
        clearing = asyncio.ensure_future(page.confirm_clear())
        await answer(False)
        assert not await clearing and page.name.text() == "Lê Văn Đức"
        clearing = asyncio.ensure_future(page.confirm_clear())
        await answer(True)
        assert await clearing and page.name.text() == ""
        await close(w)

    run(loop, scenario())


def test_card_scanned_on_the_search_tab_looks_the_citizen_up(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        w.show_page("search")
        await until(lambda: w.search.model.rowCount() == 4, what="list")
        scanner_types(w.search.box, QR)
        assert w.search.box.text() == "001090000456"  # not the raw QR string
        await until(lambda: [r["code"] for r in w.search.model.rows] == [demo.codes[1]],
                    what=lambda: [r["code"] for r in w.search.model.rows])
        await close(w)

    run(loop, scenario())


def test_dates_and_ids_are_checked_as_each_field_is_left(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        page = w.intake
        await activate(w)
        page.dob.setFocus()
        type_text(page.dob, "31/02/1990")
        press(page.dob, Qt.Key.Key_Tab)
        assert "dd/mm/yyyy" in page.errors["date_of_birth"].text()
        assert "YYYY" not in page.errors["date_of_birth"].text()
        page.citizen_id.setFocus()
        type_text(page.citizen_id, "999123456789")
        press(page.citizen_id, Qt.Key.Key_Tab)
        assert page.errors["citizen_id"].text()
        await close(w)

    run(loop, scenario())


def test_open_dossier_and_list_follow_a_pull_from_the_province(qapp, tmp_path):
    import qasync

    from app.demo_gateway import start_demo_gateway
    from tests.gui_support import demo_copy

    qapp.setQuitOnLastWindowClosed(False)
    lp = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(lp)
    demo_ = demo_copy(tmp_path / "data")
    url, gw = start_demo_gateway(demo_)

    async def scenario() -> None:
        w = await open_logged_in(demo_)
        s = w.session
        await until(lambda: s.sync is not None, what="sync started")
        code = demo_.codes[0]
        s.wake_sync()
        await until(lambda: w.sync_label.property("pending") == 0, timeout=60,
                    what=lambda: w.sync_label.text())
        w.show_page("search")
        await until(lambda: w.search.model.rowCount() == 4, what="list")
        w.open_dossier(code)
        await until(lambda: w.detail.code == code, what="detail")
        assert not w.detail.btn_return.isEnabled()
        seen: list[list[str]] = []
        w.dossiers_changed.connect(seen.append)
        await s.run(gw.act, code, "result-ready")  # the province says the result is ready
        s.wake_sync()
        await until(lambda: w.detail.btn_return.isEnabled(), timeout=60, what="detail refreshed")
        assert w.detail.dossier["status_code"] == 9
        assert w.detail.status.text() == "Đã xử lý xong"
        assert [code] in seen
        row = next(r for r in w.search.model.rows if r["code"] == code) \
            if not w.search.stale else None
        if row is None:  # the list reloads when shown again
            w.show_page("search")
            await until(lambda: not w.search.model.fetching and w.search.model.rowCount() == 4,
                        what="list reloaded")
            row = next(r for r in w.search.model.rows if r["code"] == code)
        assert row["status_code"] == 9
        w.close()
        await s.close()

    try:
        run(lp, scenario(), timeout=120)
    finally:
        gw.stop()
        asyncio.set_event_loop(None)


def test_a_changed_gateway_takes_effect_at_once_and_the_ca_has_one_name(qapp, tmp_path):
    import qasync

    from app import setup, sync_service
    from app.demo_gateway import start_demo_gateway
    from tests.gui_support import demo_copy

    qapp.setQuitOnLastWindowClosed(False)
    lp = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(lp)
    demo_ = demo_copy(tmp_path / "data")
    url, gw = start_demo_gateway(demo_)  # enrols the demo counter

    async def scenario() -> None:
        w = await open_logged_in(demo_)
        s = w.session
        page = w.settings_page
        w.show_page("settings")
        await page.load()
        assert "Đã đăng ký" in page.enrol_state.text()
        await until(lambda: s.sync is not None, what="sync started")
        ca = demo_.pki_dir / "root.pem"
        # an older version stored the CA under another name: it moves to the one sync reads
        await s.run(s.counter.store.set_meta, sync_service.META_CA, "")
        await s.run(s.counter.store.set_meta, "gateway_ca", str(ca))
        gw_conf = await s.run(setup.gateway_config, s.counter)
        assert gw_conf["ca_bundle"] == str(ca)
        assert await s.run(s.counter.store.get_meta, sync_service.META_CA) == str(ca)
        assert not await s.run(s.counter.store.get_meta, "gateway_ca")
        # Settings: another URL and CA file → stored where sync reads them, used at once
        before = s.sync
        new_url = url.replace("127.0.0.1", "localhost")
        page.gateway_url.setText(new_url)
        page.gateway_ca.setText(str(demo_.pki_dir / "subca.pem"))
        await page.save_gateway()
        assert page.banner.property("kind") == "ok", page.banner.text()
        stored = await s.run(s.counter.store.get_meta, sync_service.META_CA)
        assert stored.endswith("gateway-ca.pem")
        assert s.sync is not None and s.sync is not before  # the engine restarted…
        assert s.sync.engine.client.base_url == new_url  # …on the new address
        w.close()
        await s.close()

    try:
        run(lp, scenario(), timeout=120)
    finally:
        gw.stop()
        asyncio.set_event_loop(None)


def test_qt_own_menus_and_buttons_are_in_vietnamese(loop, demo, qtbot):
    """PySide6 ships no Vietnamese qtbase: the project's qt_vi.qm translates the line-edit
    context menu, the standard buttons and the file dialog."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        menu = w.intake.name.createStandardContextMenu()
        texts = [a.text().split("\t")[0] for a in menu.actions() if a.text()]
        assert "&Dán" in texts and "Chọn tất cả" in texts, texts
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Hủy"
        assert QCoreApplication.translate("QFileDialog", "Look in:") == "Tìm trong:"
        dlg = QFileDialog(w, "x")
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
        labels = [lab.text() for lab in dlg.findChildren(QLabel)]
        assert "&Tên tệp:" in labels, labels
        dlg.deleteLater()
        menu.deleteLater()
        await close(w)

    run(loop, scenario())


def test_the_smaller_things_of_a_day_at_the_counter(loop, demo, qtbot):
    """Checklist by keyboard, Tab in the supplement dialog, Reports at once with sane bars,
    "Retry now" offline with events waiting, the receipt's PDF path in full, the window
    maximised the first time and each clerk's size and key file remembered."""
    from app import syncstate
    from app.domain import iso, now_vn

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        s = w.session
        assert w.isMaximized()  # the first time for this clerk
        # -- checklist: form and count by keyboard
        page = w.intake
        page.checklist.add_row("Giấy chứng sinh")
        t = page.checklist.table
        t.setFocus()
        t.setCurrentCell(0, 1)
        press(t, Qt.Key.Key_Right)
        press(t, Qt.Key.Key_3)
        press(t, Qt.Key.Key_Space)
        row = page.checklist.rows()[0]
        assert row["form"] == "certified_copy" and row["count"] == 3 and not row["checked"]
        QTest.sendKeyEvent(QTest.KeyAction.Click, t, Qt.Key.Key_Plus, "+",
                           Qt.KeyboardModifier.NoModifier)
        assert page.checklist.rows()[0]["count"] == 4
        page.clear_form()
        # -- supplement dialog: Tab leaves the list for "Reason"
        code = demo.codes[0]
        w.open_dossier(code)
        await until(lambda: w.detail.code == code, what="detail")
        task = asyncio.ensure_future(w.detail.request_supplement())
        await until(lambda: w.detail._dialog is not None, what="supplement dialog")
        dlg = w.detail._dialog
        items, reason = dlg.widgets["items"], dlg.widgets["reason"]
        assert items.tabChangesFocus()
        dlg.activateWindow()
        await until(lambda: QApplication.activeWindow() is dlg, what="dialog active")
        items.setFocus()
        type_text(items, "Giấy chứng sinh")
        press(items, Qt.Key.Key_Tab)
        assert reason.hasFocus() and "\t" not in items.toPlainText()
        dlg.reject()
        await task
        # -- Reports: built when the tab opens; one day is one bar, not a wall
        w.show_page("reports")
        await until(lambda: w.reports.report is not None, what="report built at once")
        assert w.reports.chart.points and len(w.reports.chart.points) >= 1
        # -- offline with events waiting: "Retry now" is there to press
        await s.run(s.counter.store.set_meta, "gateway_url", "https://gw.example.vn")
        await s.run(lambda: syncstate.write(s.counter, online=False, offline_since=iso(now_vn())))
        w.show_page("sync")
        await w.sync.refresh()
        assert w.sync.retry_btn.isEnabled()
        # -- the receipt PDF's path is said in full where the text wraps
        w.show_page("intake")
        where = await w.print_receipt(code)
        assert where.endswith(".pdf") and where in w.intake.banner.text()
        # -- size and key file remembered per clerk
        w.showNormal()
        w.resize(900, 650)
        await w.logout()
        prefs = await s.user_prefs("demo")
        assert prefs["geometry"] and prefs["p12_path"].endswith("clerk1.p12")
        assert "demo" not in prefs["p12_path"].split("/")[-1]  # a path, no secret
        assert all("demo-demo" not in v for v in prefs.values())
        await close(w)

    run(loop, scenario())


def test_demo_samples_are_on_working_days_and_one_result_is_ready(tmp_path):
    from datetime import date

    from app import queries
    from app.context import open_counter
    from app.demo_gateway import seed_result_ready, start_demo_gateway
    from app.settings import Settings
    from tests.gui_support import demo_copy

    demo_ = demo_copy(tmp_path / "data")
    c = open_counter(Settings(data_dir=demo_.data_dir))
    try:
        cal = c.calendar()
        for code in demo_.codes:
            day = date.fromisoformat(queries.show(c, code)["received_at"][:10])
            assert cal.is_working_day(day), (code, day)
    finally:
        c.close()
    url, gw = start_demo_gateway(demo_)
    try:
        assert seed_result_ready(gw, demo_) == demo_.codes[0]
        assert seed_result_ready(gw, demo_) is None  # once per demo folder
    finally:
        gw.stop()
    c = open_counter(Settings(data_dir=demo_.data_dir))
    try:
        assert queries.show(c, demo_.codes[0])["status_code"] == 9
    finally:
        c.close()


def test_own_password_admin_reset_and_text_size(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        s = w.session
        # a clerk changes their own password: the current one is checked first
        task = asyncio.ensure_future(w.change_password())
        await until(lambda: w.password_dialog is not None, what="password dialog")
        dlg = w.password_dialog
        type_text(dlg.widgets["current"], "wrong-one")
        type_text(dlg.widgets["password"], "mat-khau-moi-1")
        type_text(dlg.widgets["again"], "mat-khau-moi-1")
        dlg.buttons.accepted.emit()
        await until(lambda: dlg.errors["current"].isVisible(), what="current password refused")
        dlg.widgets["current"].clear()
        type_text(dlg.widgets["current"], "demo-demo")
        dlg.buttons.accepted.emit()
        assert await task
        await w.logout()
        w.login.username.setText("demo")
        type_text(w.login.password, "demo-demo")
        press(w.login.password, Qt.Key.Key_Return)
        await until(lambda: w.login.banner.isVisible(), what="old password refused")
        assert not w.at_work
        w.login.password.clear()
        await login_as(w, "demo", "mat-khau-moi-1")
        # the administrator sets lan's password
        w.show_page("settings")
        await w.settings_page.load()
        page = w.settings_page
        row = next(i for i in range(page.users.rowCount()) if page.users.item(i, 0).text() == "lan")
        page.users.selectRow(row)
        task = asyncio.ensure_future(page.reset_password())
        await until(lambda: page.reset_dialog is not None, what="reset dialog")
        type_text(page.reset_dialog.widgets["password"], "lan-moi-123")
        page.reset_dialog.buttons.accepted.emit()
        assert await task
        assert (await s.run(lambda: __import__("app.accounts").accounts.authenticate(
            s.counter.store, "lan", "lan-moi-123")))["username"] == "lan"
        # larger text for this clerk, remembered; the next clerk gets the normal size
        base = QApplication.instance().font().pointSizeF()
        await activate(w)
        press(w.work.currentWidget(), Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: QApplication.instance().font().pointSizeF() > base, what="bigger")
        assert (await s.user_prefs("demo"))["font_size"]
        await w.logout()
        await login_as(w, "lan", "lan-moi-123")
        assert QApplication.instance().font().pointSizeF() == base
        await w.logout()
        await login_as(w, "demo", "mat-khau-moi-1")
        assert QApplication.instance().font().pointSizeF() > base
        await w.set_font_size(0)
        await close(w)

    run(loop, scenario())


def test_late_entry_return_method_and_the_recipient_scanned_at_return(loop, demo, qtbot):
    from datetime import timedelta

    from PySide6.QtCore import QDateTime

    from tests.gui_support import QR

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        s = w.session
        page = w.intake
        type_text(page.name, "Phạm Thị Thu")
        page.procedure.set_value("1.001193", "1.001193")
        page.checklist.add_row("Giấy chứng sinh")
        page.province.set_value("79", "Thành phố Hồ Chí Minh")
        page.commune.set_value("26740", "Phường Sài Gòn")
        page.return_method.setCurrentIndex(page.return_method.findData("post"))
        page.late.setChecked(True)
        page.late_at.setDateTime(QDateTime.currentDateTime().addSecs(-3 * 3600))
        r = await page.save()
        assert r is None and page.errors["received_at"].isVisible()  # the reason is required
        type_text(page.late_reason, "mất điện")
        r = await page.save()
        assert r and r["code"], page.banner.text()
        d = await s.show(r["code"])
        from datetime import datetime

        from app.domain import now_vn

        received = datetime.fromisoformat(d["received_at"])
        assert now_vn() - received > timedelta(hours=2)  # the time it was really received
        assert d["return_method"] == "post" and d["late_entry"] is True
        assert "mất điện" in (d.get("note") or "")
        # "Return the result": the recipient's card is scanned in the dialog
        code = demo.codes[0]
        from app.demo import province_event

        shown = await s.show(code)
        from app import actions

        await s.run(lambda: actions.apply_remote_events(s.counter, [
            province_event(demo, s.counter, shown, "result_ready", now_vn())]))
        w.open_dossier(code)
        await until(lambda: w.detail.btn_return.isEnabled(), what="result ready")
        task = asyncio.ensure_future(w.detail.return_result())
        await until(lambda: w.detail._dialog is not None, what="return dialog")
        dlg = w.detail._dialog
        from tests.test_gui_window import scanner_types as scan

        scan(dlg.widgets["note"], QR)  # someone else (Nguyễn Văn An) collects it
        assert dlg.widgets["recipient_name"].text() == "Nguyễn Văn An"
        assert dlg.widgets["citizen_id"].text() == "001090000456"
        assert dlg.widgets["relation"].currentData() == "authorised"
        assert dlg.widgets["note"].text() == ""
        dlg.buttons.accepted.emit()
        assert await task
        assert (await s.show(code))["status"] == "returned"
        slip = demo.data_dir / "slips" / f"{code}-04.pdf"  # the hand-over, to be signed
        assert slip.read_bytes().startswith(b"%PDF") and str(slip) in w.detail.banner.text()
        await close(w)

    run(loop, scenario())


def test_slips_from_the_window(loop, demo, qtbot):
    """Refusal at the counter (03) from the intake form, supplement request (02) after the
    request, processing control (04) from the dossier, tracking book (05) from Reports: each
    a real PDF (no printer offscreen) with the Vietnamese text."""
    import subprocess

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        s = w.session
        page = w.intake
        type_text(page.name, "Võ Văn Tám")
        page.procedure.set_value("1.001193", "1.001193")
        task = asyncio.ensure_future(page.refuse())
        await until(lambda: page.refuse_dialog is not None, what="refusal dialog")
        type_text(page.refuse_dialog.widgets["reason"], "Thiếu giấy chứng sinh")
        page.refuse_dialog.buttons.accepted.emit()
        r = await task
        assert r and r["slip"].endswith(".pdf") and page.name.text() == ""
        pdfs = {"03": r["slip"]}
        # 02 after a supplement request, 04 from the dossier
        code = demo.codes[2]
        w.open_dossier(code)
        await until(lambda: w.detail.code == code, what="detail")
        task = asyncio.ensure_future(w.detail.request_supplement())
        await until(lambda: w.detail._dialog is not None, what="supplement dialog")
        dlg = w.detail._dialog
        type_text(dlg.widgets["items"], "Bản sao giấy khai sinh")
        type_text(dlg.widgets["reason"], "Thiếu bản sao")
        dlg.buttons.accepted.emit()
        assert await task
        pdfs["02"] = str(demo.data_dir / "slips" / f"{code}-02.pdf")
        pdfs["04"] = await w.detail.print_slip("control")
        w.show_page("reports")
        pdfs["05"] = await w.reports.print_book()
        for form, path in pdfs.items():
            text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True,
                                  check=True).stdout
            assert text.strip(), form
        assert "Thiếu giấy chứng sinh" in subprocess.run(
            ["pdftotext", pdfs["03"], "-"], capture_output=True, text=True).stdout
        assert (await s.show(code))["status"] == "supplement_requested"
        await close(w)

    run(loop, scenario())


def test_end_of_day_report_per_clerk(loop, demo, qtbot):
    import csv
    import subprocess

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        page = w.intake
        for i, name in enumerate(("Lý Thị Một", "Đỗ Văn Hai")):
            type_text(page.name, name)
            page.procedure.set_value("2.000815", "2.000815")  # a paid procedure
            page.checklist.add_row("Bản sao cần chứng thực")
            page.fee.setText(f"{(i + 1) * 2000}")
            page.province.set_value("79", "Thành phố Hồ Chí Minh")
            page.commune.set_value("26740", "Phường Sài Gòn")
            assert await page.save(), page.banner.text()
        w.show_page("reports")
        rep = await w.reports.end_of_day()
        assert rep["received"] == 2 and rep["fees_vnd"] == 6000
        assert "6.000" in w.reports.summary.text()
        with open(rep["csv"], encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
        assert rows[0][0] == "Thời điểm" and rows[-1][-1] == "6000"
        text = subprocess.run(["pdftotext", rep["printed"], "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "BÁO CÁO CUỐI NGÀY" in text and "Lý Thị Một" in text
        await close(w)

    run(loop, scenario())


def test_admin_binds_a_clerks_certificate(loop, demo, qtbot):
    from app import binding

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        s = w.session
        w.show_page("settings")
        page = w.settings_page
        await page.load()
        row = next(i for i in range(page.users.rowCount()) if page.users.item(i, 0).text() == "lan")
        page.users.selectRow(row)
        before = len(await s.run(lambda: binding.bindings(s.counter.store, "lan")))
        task = asyncio.ensure_future(page.bind_certificate(str(demo.pki_dir / "clerk3.pem")))
        await until(lambda: page.bind_dialog is not None, what="bind dialog")
        dlg = page.bind_dialog
        type_text(dlg.widgets["password"], "wrong-password")
        dlg.buttons.accepted.emit()
        await until(lambda: dlg.banner.isVisible(), what="wrong password said")
        assert len(await s.run(lambda: binding.bindings(s.counter.store, "lan"))) == before
        dlg.widgets["password"].clear()
        type_text(dlg.widgets["password"], "demo-demo")
        dlg.buttons.accepted.emit()
        entry = await task
        assert entry and "3" in entry["subject"]
        bound = await s.run(lambda: binding.bindings(s.counter.store, "lan"))
        assert len(bound) == before + 1
        await close(w)

    run(loop, scenario())


def test_favourite_procedures_on_hotkeys(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        page = w.intake
        # first guess: the procedures this clerk received (the demo's four samples)
        assert len(page.favourites) == 4 and "Alt+1" in page.fav_label.text()
        await activate(w)
        page.name.setFocus()
        press(page.name, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        assert page.procedure.code() == page.favourites[1]
        assert page.checklist.rows()  # the procedure's checklist came with it
        chosen = next(code for code, _ in page._search_procedures("giay")
                      if code not in page.favourites)
        page.procedure.set_value(chosen, chosen)
        favs = await page.pin_favourite()
        assert favs[-1] == chosen
        assert (await w.session.user_prefs())["favourites"].split(",")[-1] == chosen
        await close(w)

    run(loop, scenario())


def test_phone_and_email_are_checked_when_left(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        page = w.intake
        await activate(w)
        page.phone.setFocus()
        type_text(page.phone, "12ab")
        press(page.phone, Qt.Key.Key_Tab)
        assert page.errors["phone"].text()
        page.email.setFocus()
        type_text(page.email, "khong-phai-email")
        press(page.email, Qt.Key.Key_Tab)
        assert page.errors["email"].text()
        page.phone.setFocus()
        page.phone.clear()
        type_text(page.phone, "0987654321")
        press(page.phone, Qt.Key.Key_Tab)
        assert not page.errors["phone"].text()
        await close(w)

    run(loop, scenario())
