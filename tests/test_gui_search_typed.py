"""The window's search box as clerks type: a phone in +84 form finds the dossier, a query with no
letter or digit says why under the table instead of listing everything."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.queries import MAX_QUERY, NO_TERMS
from tests.gui_support import close, demo_copy, open_logged_in, press, run, type_text, until


def test_search_box_phone_forms_and_nothing_to_search(loop, tmp_path, qtbot):
    demo = demo_copy(tmp_path / "data")

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        w.show_page("search")
        box, model = w.search.box, w.search.model
        assert box.maxLength() == MAX_QUERY
        type_text(box, "+84 987.654.321")  # stored as 0987654321
        press(box, Qt.Key.Key_Return)
        await until(lambda: not model.fetching and [r["applicant_name"] for r in model.rows]
                    == ["Nguyễn Văn An"], what="found by +84 form")
        box.clear()
        type_text(box, '"*')
        press(box, Qt.Key.Key_Return)
        await until(lambda: not model.fetching and model.notice is not None, what="notice")
        assert model.rows == []
        assert w.search.count.text() == NO_TERMS["vi"]
        await close(w)

    run(loop, scenario())
