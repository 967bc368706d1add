"""Drive the real window like a clerk, on a temporary demo store (pytest-qt, offscreen)."""

from __future__ import annotations

import asyncio
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui_support import (
    QR,
    activate,
    close,
    open_logged_in,
    press,
    run,
    type_text,
    until,
)


def test_login_scan_save_print_search_open_return(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        page = w.intake
        assert w.work.currentWidget() is page
        assert page.save_btn.text().startswith("Lưu")  # Vietnamese through the shipped .qm
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
        await activate(w)
        press(page.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: page.last_code, what=lambda: f"saved ({page.banner.text()} {[(k, e.text()) for k, e in page.errors.items() if e.text()]} {page.form_dict()})")
        code = page.last_code
        assert page.name.text() == "" and page.procedure.code() == ""  # cleared
        assert not page.draft.path.exists()
        # -- Ctrl+P: no printer offscreen -> the receipt is saved as PDF
        await activate(w)
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
        from app.demo import province_event
        from app.domain import now_vn

        d = await w.session.show(code)
        c = w.session.counter
        await w.session.run(lambda: actions.apply_remote_events(c, [
            province_event(demo, c, d, "result_ready", now_vn())]))
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


def test_bad_citizen_id_shows_inline_and_saves_nothing(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        page = w.intake
        before = (await w.session.search_page())["results"]
        type_text(page.name, "Trần Thị Bình")
        page.citizen_id.setFocus()
        type_text(page.citizen_id, "999123456789")  # 999 is no province code
        page.procedure.set_value("1.001193", "1.001193")
        page.checklist.add_row("Giấy chứng sinh")
        await activate(w)
        press(page.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: page.errors["citizen_id"].isVisible(), what=lambda: f"inline error {page.banner.text()!r} {page.saving} {QApplication.activeWindow()} {[(k, e.text()) for k, e in page.errors.items() if e.text()]}")
        assert page.errors["citizen_id"].text()
        assert page.name.text() == "Trần Thị Bình"  # the form is kept
        assert page.last_code == ""
        assert (await w.session.search_page())["results"] == before
        await close(w)

    run(loop, scenario())


def test_draft_survives_closing_the_window(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        type_text(w.intake.name, "Lê Văn Đức")
        type_text(w.intake.phone, "0912000111")
        await close(w)  # closing writes the draft at once (no debounce wait)
        draft = json.loads((demo.data_dir / "intake-draft.json").read_text(encoding="utf-8"))
        assert draft["form"]["applicant"]["full_name"] == "Lê Văn Đức"
        w2 = await open_logged_in(demo)
        qtbot.addWidget(w2)
        assert w2.intake.name.text() == "Lê Văn Đức"
        assert w2.intake.phone.text() == "0912000111"
        assert w2.intake.banner.isVisible()  # "the unfinished form was restored"
        await close(w2)

    run(loop, scenario())


def test_sync_indicator_follows_the_state(loop, demo, qtbot):
    from app import syncstate
    from app.domain import iso, now_vn

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        s = w.session
        await s.run(s.counter.store.set_meta, "gateway_url", "https://gw.example.vn")
        await s.run(lambda: syncstate.write(s.counter, online=False, offline_since=iso(now_vn())))
        await w.poll_sync()
        assert w.sync_label.property("online") is False
        assert w.sync_label.property("pending") == 4  # the demo's 4 signed dossiers
        offline_text = w.sync_label.text()
        await s.run(lambda: syncstate.write(s.counter, online=True, last_success=iso(now_vn())))
        await w.poll_sync()
        assert w.sync_label.property("online") is True
        assert w.sync_label.text() != offline_text
        w.show_page("sync")
        await w.sync.refresh()
        assert w.sync.state_labels["pending"].text() == "4"
        await close(w)

    run(loop, scenario())


def test_english_window_and_search_model_pages_lazily(loop, demo, qtbot):
    async def scenario() -> None:
        w = await open_logged_in(demo, lang="en")
        qtbot.addWidget(w)
        assert w.session.lang == "en"
        assert w.intake.save_btn.text().startswith("Save")
        model = w.search.model
        model.page_size = 2
        w.show_page("search")
        model.set_filters(text="")
        await until(lambda: model.pages >= 1 and not model.fetching, what="first page")
        while model.canFetchMore():  # the view also asks for more while it has room
            model.fetchMore()
            await until(lambda: not model.fetching, what="more")
        assert model.rowCount() == 4 and model.pages >= 2 and not model.has_more, [(r["rowid"], r["code"]) for r in model.rows]
        assert model.data(model.index(0, 6)) in ("Accepted", "Processing")
        await close(w)

    run(loop, scenario())


def test_model_fetches_only_the_pages_the_view_needs(loop, qtbot):
    """A million-row store must not be loaded at once: pages come as the view scrolls."""
    from ui.search import DossierPageModel, dossier_table

    total = 100_000
    calls: list[int | None] = []

    async def fetch(before=None, limit=100, **_):
        calls.append(before)
        top = before if before is not None else total + 1
        rows = [{"rowid": r, "code": f"C{r}", "applicant_name": "X", "citizen_id": "",
                 "procedure_name": "P", "received_at": "2026-11-20T09:00:00+07:00",
                 "appointment_at": None, "status_code": 2, "status_label": "Được tiếp nhận",
                 "status_label_en": "Accepted"} for r in range(top - 1, max(0, top - 1 - limit), -1)]
        return {"results": rows, "next_before": rows[-1]["rowid"] if rows and rows[-1]["rowid"] > 1
                else None}

    async def scenario() -> None:
        model = DossierPageModel(fetch, page_size=100)
        view = dossier_table(model)
        qtbot.addWidget(view)
        view.resize(600, 300)
        view.show()
        model.set_filters()
        await until(lambda: model.pages >= 1 and not model.fetching, what="first page")
        await asyncio.sleep(0.2)
        first = model.pages
        assert model.rowCount() == first * 100 and first <= 2
        for _ in range(3):
            view.scrollToBottom()
            await until(lambda: not model.fetching, what="scroll fetch")
            await asyncio.sleep(0.05)
        assert model.pages > first and model.rowCount() < 1000
        assert calls[1] == 100_000 - 99  # keyset: `before` is the last rowid shown

    run(loop, scenario())
