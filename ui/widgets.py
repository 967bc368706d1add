"""Reusable input widgets: a type-to-filter picker, the document checklist, attachments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.fmt import number_vn

# search(text) -> [(code, label)], best first
SearchFn = Callable[[str], list[tuple[str, str]]]


class SearchPicker(QLineEdit):
    """Type a few letters without diacritics, pick with ↓/Enter: the app's search functions do
    the matching (catalogue, provinces, communes), the popup only shows their answer."""

    chosen = Signal(str)

    def __init__(self, search: SearchFn, parent: QWidget | None = None):
        super().__init__(parent)
        self._search = search
        self._code = ""
        self._label = ""
        self._model = QStandardItemModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setWidget(self)
        self._completer.setMaxVisibleItems(12)
        self._completer.activated[QModelIndex].connect(self._activated)
        self.textEdited.connect(self._edited)
        self.setClearButtonEnabled(True)

    def code(self) -> str:
        return self._code

    def label(self) -> str:
        return self._label

    def set_value(self, code: str, label: str, *, emit: bool = True) -> None:
        self._code, self._label = code, label
        self.setText(label)
        self.setCursorPosition(0)
        if emit:
            self.chosen.emit(code)

    def clear_value(self) -> None:
        self.set_value("", "", emit=True)

    def matches(self, text: str | None = None) -> list[tuple[str, str]]:
        return self._search(self.text() if text is None else text)

    def _edited(self, text: str) -> None:
        if self._code:
            self._code, self._label = "", ""
            self.chosen.emit("")
        self._model.clear()
        for code, label in self._search(text)[:50]:
            item = QStandardItem(label)
            item.setData(code, Qt.ItemDataRole.UserRole)
            self._model.appendRow(item)
        if self._model.rowCount() and text.strip():
            self._completer.complete()
        else:
            self._completer.popup().hide()

    def _activated(self, index: QModelIndex) -> None:
        self.set_value(index.data(Qt.ItemDataRole.UserRole), index.data())

    def pick_first(self) -> bool:
        hits = self.matches()
        if not hits:
            return False
        self._completer.popup().hide()
        self.set_value(*hits[0])
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self._code \
                and self.text().strip() and not event.modifiers() and self.pick_first():
            self.focusNextChild()
            return
        if event.key() == Qt.Key.Key_Down and not self._completer.popup().isVisible():
            self._edited(self.text())
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        # leaving with half-typed text: restore the chosen label so the form never lies
        if self._code and self.text() != self._label:
            self.setText(self._label)
        super().focusOutEvent(event)


FORMS = ("original", "certified_copy", "copy", "shown")


class ChecklistTable(QWidget):
    """The procedure's documents: received? name, original/copy, count — all editable."""

    changed = Signal()
    COL_OK, COL_NAME, COL_FORM, COL_COUNT = range(4)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([self.tr("Rcvd"), self.tr("Document"),
                                              self.tr("Form"), self.tr("Count")])
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(self.COL_NAME, QHeaderView.ResizeMode.Stretch)
        for c in (self.COL_OK, self.COL_FORM, self.COL_COUNT):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.itemChanged.connect(lambda *_: self.changed.emit())
        self.table.installEventFilter(self)
        self.table.setToolTip(self.tr("Keyboard: ↑/↓ choose a document, Space ticks it, ←/→ "
                                      "change its form, + / − or a digit set the count, F2 "
                                      "edits the name."))
        self.add_btn = QPushButton(self.tr("&Add document"))
        self.del_btn = QPushButton(self.tr("Remove document"))
        self.add_btn.clicked.connect(self._add_clicked)
        self.del_btn.clicked.connect(self._remove_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_btn)
        buttons.addWidget(self.del_btn)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table)
        lay.addLayout(buttons)

    def eventFilter(self, obj, event) -> bool:
        """A row's form and count change by keyboard too (their cells are widgets)."""
        from PySide6.QtCore import QEvent

        if obj is not self.table or event.type() != QEvent.Type.KeyPress \
                or self.table.state() == QAbstractItemView.State.EditingState:
            return False
        r = self.table.currentRow()
        if r < 0:
            return False
        combo = self.table.cellWidget(r, self.COL_FORM)
        spin = self.table.cellWidget(r, self.COL_COUNT)
        key, text = event.key(), event.text()
        if key == Qt.Key.Key_Space:
            ok = self.table.item(r, self.COL_OK)
            ok.setCheckState(Qt.CheckState.Unchecked if ok.checkState() == Qt.CheckState.Checked
                             else Qt.CheckState.Checked)
            return True
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and combo is not None:
            step = 1 if key == Qt.Key.Key_Right else -1
            combo.setCurrentIndex((combo.currentIndex() + step) % combo.count())
            return True
        if text in ("+", "-") and spin is not None:
            spin.setValue(spin.value() + (1 if text == "+" else -1))
            return True
        if text.isdigit() and spin is not None:
            spin.setValue(max(1, int(text)))
            return True
        return False

    def form_label(self, form: str) -> str:
        return {"original": self.tr("Original"), "certified_copy": self.tr("Certified copy"),
                "copy": self.tr("Copy"), "shown": self.tr("Shown (to compare)")}.get(form, form)

    def add_row(self, name: str = "", form: str = "original", count: int = 1,
                checked: bool = True) -> None:
        self.table.blockSignals(True)
        r = self.table.rowCount()
        self.table.insertRow(r)
        ok = QTableWidgetItem()
        ok.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable)
        ok.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.table.setItem(r, self.COL_OK, ok)
        self.table.setItem(r, self.COL_NAME, QTableWidgetItem(name))
        combo = QComboBox()
        for f in FORMS:
            combo.addItem(self.form_label(f), f)
        combo.setCurrentIndex(max(0, combo.findData(form)))
        combo.currentIndexChanged.connect(lambda *_: self.changed.emit())
        self.table.setCellWidget(r, self.COL_FORM, combo)
        spin = QSpinBox()
        spin.setRange(1, 99)
        spin.setValue(max(1, min(99, int(count or 1))))
        spin.valueChanged.connect(lambda *_: self.changed.emit())
        self.table.setCellWidget(r, self.COL_COUNT, spin)
        self.table.resizeRowToContents(r)  # long document names wrap instead of "…"
        self.table.blockSignals(False)
        self.changed.emit()

    def _add_clicked(self) -> None:
        self.add_row()
        r = self.table.rowCount() - 1
        self.table.setCurrentCell(r, self.COL_NAME)
        self.table.editItem(self.table.item(r, self.COL_NAME))

    def _remove_clicked(self) -> None:
        r = self.table.currentRow()
        if r >= 0:
            self.table.removeRow(r)
            self.changed.emit()

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.changed.emit()

    def set_items(self, items: list[dict[str, Any]]) -> None:
        self.table.setRowCount(0)
        for it in items:
            self.add_row(it.get("name", ""), it.get("form", "original"), it.get("count", 1),
                         it.get("checked", True))

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for r in range(self.table.rowCount()):
            name = (self.table.item(r, self.COL_NAME) or QTableWidgetItem()).text().strip()
            combo = self.table.cellWidget(r, self.COL_FORM)
            spin = self.table.cellWidget(r, self.COL_COUNT)
            out.append({"name": name, "form": combo.currentData() if combo else "original",
                        "count": spin.value() if spin else 1,
                        "checked": self.table.item(r, self.COL_OK).checkState()
                        == Qt.CheckState.Checked})
        return out

    def received(self) -> list[dict[str, Any]]:
        """The checked lines, as the intake request wants them."""
        return [{k: r[k] for k in ("name", "form", "count")} for r in self.rows() if r["checked"]]


class AttachmentList(QWidget):
    """Scanned documents: add with a file picker or drop files here; a preview of the current."""

    changed = Signal()
    add_requested = Signal()
    SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.list = QListWidget(self)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.currentItemChanged.connect(self._preview)
        self.list.setMaximumHeight(self.fontMetrics().height() * 6)
        self.preview = QLabel(self.tr("Drop scanned files (PDF, JPEG, PNG) here"))
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(self.fontMetrics().height() * 5)
        self.preview.setStyleSheet("QLabel { border:1px dashed #999; color:#555; }")
        self.add_btn = QPushButton(self.tr("Attach &file…"))
        self.del_btn = QPushButton(self.tr("Remove file"))
        self.add_btn.clicked.connect(self.add_requested)
        self.del_btn.clicked.connect(self._remove)
        row = QHBoxLayout()
        row.addWidget(self.add_btn)
        row.addWidget(self.del_btn)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list)
        lay.addWidget(self.preview)
        lay.addLayout(row)

    def paths(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def add_paths(self, paths: list[str]) -> None:
        known = set(self.paths())
        for p in paths:
            if p in known or not p:
                continue
            path = Path(p)
            size = path.stat().st_size if path.exists() else 0
            item = QListWidgetItem(f"{path.name}  ({number_vn(max(1, size // 1024))} KB)")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.list.addItem(item)
            self.list.setCurrentItem(item)
        self.changed.emit()

    def clear(self) -> None:
        self.list.clear()
        self.preview.setPixmap(QPixmap())
        self.preview.setText(self.tr("Drop scanned files (PDF, JPEG, PNG) here"))
        self.changed.emit()

    def _remove(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self.changed.emit()
            if not self.list.count():
                self.clear()

    def _preview(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        path = item.data(Qt.ItemDataRole.UserRole)
        pix = QPixmap(path) if not path.lower().endswith(".pdf") else QPixmap()
        if not pix.isNull():
            h = self.fontMetrics().height() * 8
            self.preview.setPixmap(pix.scaledToHeight(h, Qt.TransformationMode.SmoothTransformation))
        else:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(self.tr("PDF document: %1").replace("%1", Path(path).name))

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        self.add_paths([p for p in paths if p.lower().endswith(self.SUFFIXES)])
        event.acceptProposedAction()
