"""First-run wizard for IT staff: administrator, centre and counter identity, gateway (or
offline only), trust anchors, receipt printer and layout. Finishing calls app.setup.initial_setup,
which checks every value before writing anything."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import ValidationError, message_of
from ui.admin import printer_names
from ui.qtutil import Banner, spawn
from ui.session import Session


def _form(page: QWizardPage, rows: list[tuple[str, QWidget]]) -> QFormLayout:
    f = QFormLayout(page)
    for text, w in rows:
        lab = QLabel(text)
        lab.setBuddy(w)
        f.addRow(lab, w)
    return f


class SetupWizard(QWizard):
    """Collects the values; `done_ok` is emitted once the counter is set up."""

    done_ok = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(self.tr("Set up this counter"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        # -- administrator
        p1 = QWizardPage()
        p1.setTitle(self.tr("Administrator account"))
        p1.setSubTitle(self.tr("The administrator manages accounts and settings of this counter."))
        self.admin_user = QLineEdit("admin")
        self.admin_name = QLineEdit()
        self.admin_pw = QLineEdit()
        self.admin_pw.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin_pw2 = QLineEdit()
        self.admin_pw2.setEchoMode(QLineEdit.EchoMode.Password)
        _form(p1, [(self.tr("&Username:"), self.admin_user), (self.tr("Full &name:"), self.admin_name),
                   (self.tr("&Password (8+ characters):"), self.admin_pw),
                   (self.tr("Password &again:"), self.admin_pw2)])
        # -- centre
        p2 = QWizardPage()
        p2.setTitle(self.tr("Centre and counter"))
        p2.setSubTitle(self.tr("The agency code and the counter number are part of every "
                               "dossier code and cannot be changed later."))
        self.centre = QLineEdit()
        self.agency = QLineEdit()
        self.agency.setPlaceholderText("000.20.27.H57")
        self.counter_no = QSpinBox()
        self.counter_no.setRange(1, 99)
        _form(p2, [(self.tr("Centre &name:"), self.centre),
                   (self.tr("&Agency identifier code:"), self.agency),
                   (self.tr("&Counter number:"), self.counter_no)])
        # -- gateway
        p3 = QWizardPage()
        p3.setTitle(self.tr("Provincial gateway"))
        p3.setSubTitle(self.tr("Dossiers are always saved here first; the gateway receives "
                               "them whenever the link works."))
        self.offline = QCheckBox(self.tr("&Offline only (no gateway yet)"))
        self.gw_url = QLineEdit()
        self.gw_url.setPlaceholderText("https://motcua.example.gov.vn")
        self.gw_ca = QLineEdit()
        ca_btn = QPushButton(self.tr("Browse…"))
        ca_btn.clicked.connect(lambda: self._pick(self.gw_ca.setText, self.tr("CA bundle")))
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.gw_ca, 1)
        ca_row.addWidget(ca_btn)
        f3 = _form(p3, [(self.tr("Gateway &URL:"), self.gw_url)])
        f3.addRow(self.tr("CA &bundle:"), ca_row)
        f3.addRow("", self.offline)
        self.offline.toggled.connect(lambda on: (self.gw_url.setEnabled(not on),
                                                 self.gw_ca.setEnabled(not on)))
        # -- trust anchors
        p4 = QWizardPage()
        p4.setTitle(self.tr("Trust anchors"))
        p4.setSubTitle(self.tr("Root and intermediate CA certificates that clerks' signing "
                               "certificates must chain to."))
        self.anchors = QListWidget()
        add = QPushButton(self.tr("&Add certificate…"))
        add.clicked.connect(lambda: self._pick(self.anchors.addItem, self.tr("CA certificate")))
        v4 = QVBoxLayout(p4)
        v4.addWidget(self.anchors)
        v4.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        # -- printing
        p5 = QWizardPage()
        p5.setTitle(self.tr("Receipt printing"))
        self.printer = QComboBox()
        self.printer.addItem(self.tr("System default printer"), "")
        for name in printer_names():
            self.printer.addItem(name, name)
        self.layout_combo = QComboBox()
        for key, text in (("a4", self.tr("A4")), ("a5", self.tr("A5")),
                          ("roll80", self.tr("80 mm roll"))):
            self.layout_combo.addItem(text, key)
        self.banner = Banner()
        f5 = _form(p5, [(self.tr("&Printer:"), self.printer),
                        (self.tr("&Layout:"), self.layout_combo)])
        f5.addRow(self.banner)
        for p in (p1, p2, p3, p4, p5):
            self.addPage(p)
        # Qt ships no Vietnamese qtbase translation: name the wizard's buttons ourselves
        for which, text in ((QWizard.WizardButton.BackButton, self.tr("< &Back")),
                            (QWizard.WizardButton.NextButton, self.tr("&Next >")),
                            (QWizard.WizardButton.FinishButton, self.tr("&Finish")),
                            (QWizard.WizardButton.CancelButton, self.tr("Cancel"))):
            self.setButtonText(which, text)

    def _pick(self, then, title: str) -> None:  # noqa: ANN001
        dlg = QFileDialog(self, title)
        dlg.fileSelected.connect(then)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def values(self) -> dict:
        offline = self.offline.isChecked()
        return {
            "admin_username": self.admin_user.text(), "admin_name": self.admin_name.text(),
            "admin_password": self.admin_pw.text(), "agency_code": self.agency.text().strip(),
            "counter_no": self.counter_no.value(), "centre_name": self.centre.text(),
            "gateway_url": "" if offline else self.gw_url.text(),
            "gateway_ca": "" if offline else self.gw_ca.text().strip(),
            "anchors": [self.anchors.item(i).text() for i in range(self.anchors.count())],
            "printer": self.printer.currentData(),
            "receipt_layout": self.layout_combo.currentData(),
        }

    def accept(self) -> None:  # noqa: D102 - Qt override: submit first, close on success
        spawn(self.submit())

    async def submit(self) -> bool:
        lang = self.session.lang
        if self.admin_pw.text() != self.admin_pw2.text():
            self.banner.show_text(self.tr("The two passwords differ."), "error")
            return False
        try:
            await self.session.initial_setup(self.values())
        except ValidationError as e:
            self.banner.show_text(" ".join(e.by_field(lang).values()), "error")
            return False
        except Exception as e:
            if not hasattr(e, "message"):
                raise
            self.banner.show_text(message_of(e, lang), "error")
            return False
        self.done_ok.emit()
        super().accept()
        return True
