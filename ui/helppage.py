"""Help: every keyboard shortcut in one table (the counter is used keyboard first)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class HelpPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        rows = [
            ("F2 / Ctrl+2", self.tr("New dossier (intake screen)")),
            ("Ctrl+S", self.tr("Save and sign the dossier")),
            ("Ctrl+P", self.tr("Print the receipt of the last saved dossier")),
            ("Ctrl+Enter", self.tr("Save, sign and print")),
            (self.tr("QR scanner"), self.tr("Scan the citizen ID card anywhere on the intake "
                                             "screen: name, ID, date of birth, gender and "
                                             "address are filled")),
            ("↓ / Enter", self.tr("In a picker: show the matches / take the first one")),
            ("F3 / Ctrl+F", self.tr("Search dossiers")),
            ("Enter", self.tr("In the results: open the dossier")),
            ("Ctrl+1 … Ctrl+7", self.tr("Home, Intake, Search, Dossier, Sync, Reports, Settings")),
            ("Ctrl+K", self.tr("Unlock the signing key")),
            ("Ctrl+L", self.tr("Lock the screen")),
            ("Alt+" + self.tr("underlined letter"), self.tr("Jump to that field or button")),
            ("F1", self.tr("This help")),
            ("Ctrl+Q", self.tr("Quit")),
        ]
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("What it does")])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for i, (keys, what) in enumerate(rows):
            table.setItem(i, 0, QTableWidgetItem(keys))
            table.setItem(i, 1, QTableWidgetItem(what))
        table.resizeRowsToContents()
        intro = QLabel(self.tr("Nothing typed is lost: the intake form is saved as a draft "
                               "while you type and comes back after a restart. Work goes on "
                               "offline; the status bar shows the link to the province."))
        intro.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(table, 1)
