"""Search and lists: one box, filters, and a table that fetches pages lazily.

`DossierPageModel` asks for the next keyset page (`before` = last rowid) only when the view
scrolls near the end (canFetchMore/fetchMore), so a store of a million dossiers scrolls without
loading them all. The fetch itself is an awaited call on the store worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain import PortalStatus
from app.queries import MAX_QUERY
from app.reports import due_state
from ui.fmt import datetime_vn, today_vn
from ui.qtutil import spawn
from ui.session import SessionClosed
from ui.widgets import SearchPicker

Fetcher = Callable[..., Awaitable[dict[str, Any]]]
OVERDUE_BG = QColor("#f8d7da")
DUE_TODAY_BG = QColor("#fff3cd")
MISMATCH_BG = QColor("#b00020")  # row and signed events disagree (found by the detail screen)
MISMATCH_FG = QColor("#ffffff")


class DossierPageModel(QAbstractTableModel):
    """Rows of dossiers, newest first, fetched page by page from `fetch(before=…, **filters)`."""

    loaded = Signal()

    def __init__(self, fetch: Fetcher, *, page_size: int = 100, lang: str = "vi",
                 parent: object = None):
        super().__init__(parent)
        self.fetch = fetch
        self.page_size = page_size
        self.lang = lang
        self.rows: list[dict[str, Any]] = []
        self.filters: dict[str, Any] = {}
        self.next_before: int | None = None
        self.notice: dict[str, Any] | None = None  # why a query found nothing (e.g. no letter or digit)
        self.has_more = False
        self.fetching = False
        self.pages = 0
        self._generation = 0
        self.headers = [self.tr("Dossier code"), self.tr("Applicant"), self.tr("Citizen ID"),
                        self.tr("Procedure"), self.tr("Received"), self.tr("Appointment"),
                        self.tr("Status")]

    # -- loading
    def set_filters(self, **filters: object) -> None:
        """New query: drop the rows and load the first page."""
        self.beginResetModel()
        self._generation += 1
        self.rows, self.filters = [], filters
        self.next_before, self.has_more, self.fetching, self.pages = None, True, False, 0
        self.notice = None
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self.has_more and not self.fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self.fetching = True
            spawn(self.load_next(self._generation, self.next_before))

    async def load_next(self, gen: int, before: int | None) -> None:
        """One page; `gen` and `before` are captured when the fetch was asked for, so a page
        of an older query (or cursor) is never inserted into the current one."""
        filters = dict(self.filters)
        try:
            page = await self.fetch(before=before, limit=self.page_size, **filters)
        except SessionClosed:
            return  # the window closed while this page was on its way
        except BaseException:
            if shiboken6.isValid(self) and gen == self._generation:
                self.fetching = False
            raise
        if not shiboken6.isValid(self):
            return  # the screen was dropped (logout, language switch) meanwhile
        if gen != self._generation:
            return  # a newer query replaced this one
        rows = page["results"]
        # cursor first: inserting rows makes the view ask canFetchMore() synchronously
        self.next_before = page["next_before"]
        self.notice = page.get("notice")
        self.has_more = self.next_before is not None
        self.pages += 1
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.fetching = False
            self.endInsertRows()
        self.fetching = False
        self.loaded.emit()

    # -- Qt model
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 0:
                return r["code"]
            if col == 1:
                return r["applicant_name"]
            if col == 2:
                return r["citizen_id"]
            if col == 3:
                return r["procedure_name"]
            if col == 4:
                return datetime_vn(r["received_at"])
            if col == 5:
                return datetime_vn(r["appointment_at"]) if r["appointment_at"] else "—"
            if col == 6:
                if r.get("signature_mismatch"):
                    return self.tr("Signature mismatch")
                return r["status_label_en"] if self.lang == "en" else r["status_label"]
        if role == Qt.ItemDataRole.ForegroundRole and r.get("signature_mismatch"):
            return QBrush(MISMATCH_FG)
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.get("signature_mismatch"):
                return QBrush(MISMATCH_BG)
            state = due_state(r)
            if state == "overdue":
                return QBrush(OVERDUE_BG)
            if state == "due_today":
                return QBrush(DUE_TODAY_BG)
        if role == Qt.ItemDataRole.ToolTipRole:
            if r.get("signature_mismatch"):
                return self.tr("Signature mismatch — run 'motcua verify'")
            state = due_state(r)
            if state == "overdue":
                return self.tr("Overdue")
            if state == "due_today":
                return self.tr("Due today")
        if role == Qt.ItemDataRole.UserRole:
            return r["code"]
        return None


def dossier_table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(False)
    view.verticalHeader().hide()
    h = view.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    h.setStretchLastSection(True)
    h.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
    view.setWordWrap(False)

    def fit() -> None:  # once the first rows are there (sizes follow the font, not pixels)
        if getattr(model, "pages", 1) == 1:
            for col in (0, 1, 2, 4, 5):
                view.resizeColumnToContents(col)

    if hasattr(model, "loaded"):
        model.loaded.connect(fit)
    return view


class SearchPage(QWidget):
    """One search box over codes, citizen IDs, names without diacritics and phones."""

    open_dossier = Signal(str)

    def __init__(self, fetch: Fetcher, search_procedures: Callable[[str], list[tuple[str, str]]],
                 lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.box = QLineEdit()
        self.box.setPlaceholderText(self.tr("Name (no diacritics needed), citizen ID, phone or "
                                            "dossier code"))
        self.box.setClearButtonEnabled(True)
        self.box.setMaxLength(MAX_QUERY)
        self.status = QComboBox()
        self.status.addItem(self.tr("All statuses"), None)
        for s in PortalStatus:
            self.status.addItem(f"{int(s)} · {s.label_en if lang == 'en' else s.label_vi}", int(s))
        self.procedure = SearchPicker(search_procedures)
        self.procedure.setPlaceholderText(self.tr("any procedure"))
        self.use_from = QCheckBox(self.tr("&From"))
        self.date_from = QDateEdit(today_vn().addDays(-30))
        self.use_to = QCheckBox(self.tr("&To"))
        self.date_to = QDateEdit(today_vn())
        for d in (self.date_from, self.date_to):
            d.setDisplayFormat("dd/MM/yyyy")
            d.setCalendarPopup(True)
        self.model = DossierPageModel(fetch, lang=lang, parent=self)
        self.view = dossier_table(self.model)
        self.count = QLabel()
        self.model.loaded.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)

        lab = QLabel(self.tr("&Search:"))
        lab.setBuddy(self.box)
        top = QHBoxLayout()
        top.addWidget(lab)
        top.addWidget(self.box, 3)
        filters = QHBoxLayout()
        st = QLabel(self.tr("Stat&us:"))
        st.setBuddy(self.status)
        pr = QLabel(self.tr("&Procedure:"))
        pr.setBuddy(self.procedure)
        for w in (st, self.status, pr, self.procedure, self.use_from, self.date_from, self.use_to,
                  self.date_to):
            filters.addWidget(w)
        filters.addStretch(1)
        legend = QLabel(self.tr("Red: overdue · Yellow: due today · Enter opens the dossier"))
        legend.setStyleSheet("QLabel { color:#555; }")
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(filters)
        lay.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(legend)
        bottom.addStretch(1)
        bottom.addWidget(self.count)
        lay.addLayout(bottom)

        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.run_query)
        self.box.textChanged.connect(lambda *_: self._debounce.start())
        self.box.returnPressed.connect(self._enter)
        self.status.currentIndexChanged.connect(lambda *_: self.run_query())
        self.procedure.chosen.connect(lambda *_: self.run_query())
        for w in (self.use_from, self.use_to):
            w.toggled.connect(lambda *_: self.run_query())
        for d in (self.date_from, self.date_to):
            d.dateChanged.connect(lambda *_: self.run_query())
        from ui.scanlistener import ScanListener

        self.scan_note = QLabel()
        self.scan_note.setStyleSheet("QLabel { color:#35507a; }")
        self.scan_note.hide()
        top.addWidget(self.scan_note, 2)
        self.scanner = ScanListener(self)
        self.scanner.scanned.connect(self.apply_scan)
        self.view.doubleClicked.connect(self._open_index)
        self.view.activated.connect(self._open_index)
        sc = QShortcut(QKeySequence("Ctrl+F"), self,
                       context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(lambda: (self.box.setFocus(), self.box.selectAll()))
        QWidget.setTabOrder(self.box, self.status)
        QWidget.setTabOrder(self.status, self.procedure)
        QWidget.setTabOrder(self.procedure, self.use_from)
        QWidget.setTabOrder(self.use_from, self.date_from)
        QWidget.setTabOrder(self.date_from, self.use_to)
        QWidget.setTabOrder(self.use_to, self.date_to)
        QWidget.setTabOrder(self.date_to, self.view)

    def query(self) -> dict[str, Any]:
        def qd(d: QDate) -> date:
            return date(d.year(), d.month(), d.day())

        return {"text": self.box.text(), "status": self.status.currentData(),
                "procedure_code": self.procedure.code(),
                "date_from": qd(self.date_from.date()) if self.use_from.isChecked() else None,
                "date_to": qd(self.date_to.date()) if self.use_to.isChecked() else None}

    def run_query(self) -> None:
        self._debounce.stop()
        if self.scan_note.isVisible() and not self.box.text().strip().isdigit():
            self.scan_note.hide()
        self.model.set_filters(**self.query())

    def apply_scan(self, text: str) -> bool:
        """A card scanned here looks the citizen up (by ID), never searches the raw string."""
        from app.citizen_id import parse_cccd_qr
        from app.errors import UserError

        try:
            qr = parse_cccd_qr(text)
        except UserError as e:
            self.scan_note.setText(e.message(self.lang))
            self.scan_note.setStyleSheet("QLabel { color:#b00020; }")
            self.scan_note.show()
            return False
        self.box.blockSignals(True)
        self.box.setText(qr.citizen_id)
        self.box.blockSignals(False)
        self.scan_note.setText(self.tr("Card: %1").replace("%1", qr.full_name))
        self.scan_note.setStyleSheet("QLabel { color:#35507a; }")
        self.scan_note.show()
        self.run_query()
        self.view.setFocus()
        return True

    def refresh(self) -> None:
        """Dossiers changed: reload now if on screen (keeping the selected dossier), else when
        the screen is shown next."""
        if not self.isVisible():
            self.stale = True
            return
        self.stale = False
        idx = self.view.currentIndex()
        keep = self.model.rows[idx.row()]["code"] if idx.isValid() and idx.row() < len(
            self.model.rows) else ""
        self._keep_code = keep
        self.run_query()

    stale = False
    _keep_code = ""

    def _enter(self) -> None:
        self.run_query()
        self.view.setFocus()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        more = "+" if self.model.has_more else ""
        notice = self.model.notice
        if notice and not n:
            self.count.setText(notice["en" if self.lang == "en" else "vi"])
        else:
            self.count.setText(self.tr("%1 dossiers").replace("%1", f"{n}{more}"))
        if n and self._keep_code:
            for i, r in enumerate(self.model.rows):
                if r["code"] == self._keep_code:
                    self.view.selectRow(i)
                    self._keep_code = ""
                    return
        if n and not self.view.currentIndex().isValid():
            self.view.selectRow(0)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_dossier.emit(self.model.rows[index.row()]["code"])

    def focus_search(self) -> None:
        self.box.setFocus()
        self.box.selectAll()

