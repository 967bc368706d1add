"""Home: today's work queue (results to hand over, dossiers due today or overdue)."""

from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.search import DossierPageModel, dossier_table
from ui.session import Session


class HomePage(QWidget):
    open_dossier = Signal(str)
    new_intake = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.last: dict = {}
        self.greeting = QLabel()
        f = self.greeting.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self.greeting.setFont(f)
        self.counts: dict[str, QLabel] = {}
        tiles = QGridLayout()
        for i, (key, text) in enumerate((("received_today", self.tr("Received today")),
                                         ("due_today", self.tr("Due today")),
                                         ("overdue", self.tr("Overdue")),
                                         ("result_ready", self.tr("Results to hand over")))):
            box = QGroupBox(text)
            lab = QLabel("0")
            lf = lab.font()
            lf.setPointSizeF(lf.pointSizeF() * 2)
            lab.setFont(lf)
            QVBoxLayout(box).addWidget(lab)
            tiles.addWidget(box, 0, i)
            self.counts[key] = lab
        self.model = DossierPageModel(self._fetch, lang=session.lang, parent=self)
        self.view = dossier_table(self.model)
        self.view.activated.connect(self._open)
        self.view.doubleClicked.connect(self._open)
        self.new_btn = QPushButton(self.tr("&New dossier (F2)"))
        self.refresh_btn = QPushButton(self.tr("Re&fresh"))
        self.new_btn.clicked.connect(self.new_intake)
        self.refresh_btn.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(self.greeting, 1)
        head.addWidget(self.refresh_btn)
        head.addWidget(self.new_btn)
        queue = QGroupBox(self.tr("Today's work queue"))
        QVBoxLayout(queue).addWidget(self.view)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addLayout(tiles)
        lay.addWidget(queue, 1)

    async def _fetch(self, **_: object) -> dict:
        self.last = await self.session.work_queue()
        if not shiboken6.isValid(self):  # the work area was dropped meanwhile (logout)
            return {"results": [], "next_before": None}
        for key, lab in self.counts.items():
            lab.setText(str(self.last.get(key, 0)))
        return {"results": self.last["items"], "next_before": None}

    def refresh(self) -> None:
        name = (self.session.user or {}).get("display_name", "")
        self.greeting.setText(self.tr("Hello, %1").replace("%1", name))
        self.model.set_filters()

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_dossier.emit(self.model.rows[index.row()]["code"])

    async def refreshed(self) -> None:
        """Await the refresh (tests)."""
        self.refresh()
        while self.model.fetching:
            await asyncio.sleep(0.01)

