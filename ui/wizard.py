"""First-run wizard for IT staff: language and administrator, centre and counter identity,
enrolment with the provincial gateway (paste the `MOTCUA-ENROL1:` line, or offline only),
trust anchors (required), receipt printer and layout with a test print.

Each page is checked when Next is pressed (app.setup.check_* — Qt-free), its errors shown on
that page next to their fields; Finish calls app.setup.initial_setup, which checks everything
again before writing anything."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

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

from app.errors import UserError, ValidationError, is_user_facing, message_of
from ui.admin import printer_names
from ui.qtutil import Banner, FieldError, spawn
from ui.session import Session


class CheckedPage(QWizardPage):
    """A page whose Next runs `check()` → [UserError]; errors stay on the page."""

    def __init__(self, wizard: SetupWizard, check: Callable[[], list[UserError]]):
        super().__init__()
        self.wiz = wizard
        self.check = check
        self.banner = Banner(self)
        self.form = QFormLayout()
        self.errors: dict[str, FieldError] = {}
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addLayout(self.form)
        self.extra = lay

    def row(self, text: str, widget: QWidget, field: str = "", buddy: QWidget | None = None
            ) -> None:
        """A labelled row; the label's mnemonic focuses `buddy` (never a literal '&')."""
        lab = QLabel(text)
        lab.setBuddy(buddy or widget)
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(0)
        v.addWidget(widget)
        if field:
            err = FieldError()
            self.errors[field] = err
            v.addWidget(err)
        self.form.addRow(lab, box)

    def show_errors(self, errors: list[UserError]) -> None:
        lang = self.wiz.session.lang
        for label in self.errors.values():
            label.set_error("")
        rest = []
        for err in errors:
            if err.field in self.errors:
                self.errors[err.field].set_error(err.message(lang))
            else:
                rest.append(err.message(lang))
        if errors:
            self.banner.show_text(self.tr("Please correct the fields marked in red.")
                                  + ("  " + " ".join(rest) if rest else ""), "error")
        else:
            self.banner.clear_text()

    def validatePage(self) -> bool:
        errors = self.check()
        self.show_errors(errors)
        return not errors


class SetupWizard(QWizard):
    """Collects the values; `done_ok` is emitted once the counter is set up."""

    done_ok = Signal()
    admin_user: QLineEdit
    admin_name: QLineEdit
    admin_pw: QLineEdit
    admin_pw2: QLineEdit
    agency: QLineEdit
    counter_no: QSpinBox
    offline: QCheckBox
    enrol_line: QLineEdit
    gw_ca: QLineEdit

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        from app import setup

        self.session = session
        self.setWindowTitle(self.tr("Set up this counter"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        fm = self.fontMetrics()  # room for a page's errors under their fields
        self.setMinimumSize(fm.averageCharWidth() * 110, fm.height() * 34)
        self.pages = [self._admin_page(setup), self._centre_page(setup),
                      self._gateway_page(setup), self._anchors_page(setup),
                      self._printing_page()]
        self.banner = self.pages[-1].banner
        self._prefill(getattr(session.settings, "config", None))
        for p in self.pages:
            self.addPage(p)
        self._name_buttons()

    def _admin_page(self, setup: ModuleType) -> CheckedPage:
        """Language and administrator account."""
        p1 = CheckedPage(self, lambda: setup.check_admin(
            self.admin_user.text(), self.admin_name.text(), self.admin_pw.text(),
            self.admin_pw2.text()))
        p1.setTitle(self.tr("Language and administrator"))
        p1.setSubTitle(self.tr("The administrator manages accounts and settings of this counter."))
        self.language = QComboBox()
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(1 if self.session.lang == "en" else 0)
        self.admin_user = QLineEdit("admin")
        self.admin_name = QLineEdit()
        self.admin_pw = QLineEdit()
        self.admin_pw.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin_pw2 = QLineEdit()
        self.admin_pw2.setEchoMode(QLineEdit.EchoMode.Password)
        p1.row(self.tr("Counter &language:"), self.language, "language")
        p1.row(self.tr("&Username:"), self.admin_user, "username")
        p1.row(self.tr("Full &name:"), self.admin_name, "display_name")
        p1.row(self.tr("&Password (8+ characters):"), self.admin_pw, "password")
        p1.row(self.tr("Password &again:"), self.admin_pw2, "password_again")
        return p1

    def _centre_page(self, setup: ModuleType) -> CheckedPage:
        """Centre name, agency code and counter number (fixed for good)."""
        p2 = CheckedPage(self, lambda: setup.check_identity(self.agency.text().strip(),
                                                            self.counter_no.value()))
        p2.setTitle(self.tr("Centre and counter"))
        p2.setSubTitle(self.tr("The agency code and the counter number are part of every "
                               "dossier code and cannot be changed later."))
        self.centre = QLineEdit()
        self.agency = QLineEdit()
        self.agency.setPlaceholderText("000.20.27.H57")
        self.counter_no = QSpinBox()
        self.counter_no.setRange(1, 99)
        p2.row(self.tr("Centre &name:"), self.centre, "centre_name")
        p2.row(self.tr("&Agency identifier code:"), self.agency, "agency_code")
        p2.row(self.tr("&Counter number:"), self.counter_no, "counter_no")
        return p2

    def _gateway_page(self, setup: ModuleType) -> CheckedPage:
        """Enrolment with the provincial gateway, or offline only."""
        p3 = CheckedPage(self, lambda: setup.check_gateway(
            offline=self.offline.isChecked(), enrol_line=self.enrol_line.text(),
            ca_bundle=self.gw_ca.text(), agency_code=self.agency.text().strip(),
            counter_no=self.counter_no.value()))
        p3.setTitle(self.tr("Provincial gateway"))
        p3.setSubTitle(self.tr("Dossiers are always saved here first; the gateway receives "
                               "them whenever the link works. Paste the enrolment line the "
                               "province gave for this counter, or work offline for now."))
        self.enrol_line = QLineEdit()
        self.enrol_line.setPlaceholderText("MOTCUA-ENROL1:…")
        self.gw_ca = QLineEdit()
        ca_btn = QPushButton(self.tr("B&rowse…"))
        ca_btn.clicked.connect(lambda: self._pick(self.gw_ca.setText, self.tr("CA bundle")))
        ca_row = QWidget()
        h = QHBoxLayout(ca_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.gw_ca, 1)
        h.addWidget(ca_btn)
        self.offline = QCheckBox(self.tr("&Offline only (no gateway yet)"))
        p3.row(self.tr("&Enrolment line:"), self.enrol_line, "enrol_line")
        p3.row(self.tr("CA &bundle (private CA):"), ca_row, "gateway_ca", buddy=self.gw_ca)
        p3.form.addRow("", self.offline)

        def offline_toggled(on: bool) -> None:
            self.enrol_line.setEnabled(not on)
            self.gw_ca.setEnabled(not on)

        self.offline.toggled.connect(offline_toggled)
        return p3

    def _anchors_page(self, setup: ModuleType) -> CheckedPage:
        """The trust anchors clerks' certificates must chain to (at least one)."""
        p4 = CheckedPage(self, lambda: setup.check_anchors(self.anchor_paths()))
        p4.setTitle(self.tr("Trust anchors"))
        p4.setSubTitle(self.tr("Root and intermediate CA certificates that clerks' signing "
                               "certificates must chain to. At least one is required."))
        self.anchors = QListWidget()
        self.add_anchor_btn = QPushButton(self.tr("&Add certificate…"))
        self.add_anchor_btn.clicked.connect(lambda: self._pick(self.add_anchor,
                                                               self.tr("CA certificate")))
        p4.row(self.tr("&Certificates:"), self.anchors, "anchors")
        p4.form.addRow("", self.add_anchor_btn)
        return p4

    def _printing_page(self) -> CheckedPage:
        """Receipt printer and layout, with a test print."""
        p5 = CheckedPage(self, lambda: [])
        p5.setTitle(self.tr("Receipt printing"))
        self.printer = QComboBox()
        self.printer.addItem(self.tr("System default printer"), "")
        for name in printer_names():
            self.printer.addItem(name, name)
        self.layout_combo = QComboBox()
        for key, text in (("a4", self.tr("A4")), ("a5", self.tr("A5")),
                          ("roll80", self.tr("80 mm roll"))):
            self.layout_combo.addItem(text, key)
        self.test_btn = QPushButton(self.tr("&Test print"))
        self.test_btn.clicked.connect(lambda: spawn(self.test_print()))
        p5.row(self.tr("&Printer:"), self.printer)
        p5.row(self.tr("&Layout:"), self.layout_combo)
        p5.form.addRow("", self.test_btn)
        return p5

    def _name_buttons(self) -> None:
        # Qt ships no Vietnamese qtbase translation: name the wizard's buttons ourselves
        for which, text in ((QWizard.WizardButton.BackButton, self.tr("< &Back")),
                            (QWizard.WizardButton.NextButton, self.tr("&Next >")),
                            (QWizard.WizardButton.FinishButton, self.tr("&Finish")),
                            (QWizard.WizardButton.CancelButton, self.tr("Cancel"))):
            self.setButtonText(which, text)

    def _prefill(self, config) -> None:
        """Start from what IT deployed (site/user file, MOTCUA_* variables; app/config.py): the
        administrator confirms instead of retyping. Pure data, no store access here."""
        if config is None:
            return
        if config.get("centre_name"):
            self.centre.setText(str(config.get("centre_name")))
        if config.get("agency_code"):
            self.agency.setText(str(config.get("agency_code")))
        if config.get("counter"):
            self.counter_no.setValue(int(config.get("counter")))
        if config.get("ca_bundle"):
            self.gw_ca.setText(str(config.get("ca_bundle")))
        for combo, key in ((self.layout_combo, "receipt_layout"), (self.printer, "printer")):
            i = combo.findData(str(config.get(key) or ""))
            if i >= 0:
                combo.setCurrentIndex(i)

    def _pick(self, then: Callable[[str], object], title: str) -> None:
        dlg = QFileDialog(self, title)
        dlg.fileSelected.connect(then)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def anchor_paths(self) -> list[str]:
        return [self.anchors.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.anchors.count())]

    def add_anchor(self, path: str) -> bool:
        """Check the file at once (a clerk's own certificate or a non-certificate is refused
        here, not at Finish) and list what it holds."""
        from app import setup

        page = self.pages[3]
        try:
            certs = setup.check_anchor_file(path)
        except UserError as e:
            page.show_errors([UserError(e.vi, e.en, field="anchors")])
            return False
        page.show_errors([])
        for c in certs:
            role = self.tr("root") if c["role"] == "anchor" else self.tr("intermediate")
            self.anchors.addItem(f"{Path(path).name} — {c['subject']} ({role})")
            self.anchors.item(self.anchors.count() - 1).setData(Qt.ItemDataRole.UserRole, path)
            break
        return True

    async def test_print(self) -> str:
        """Print a test page on the chosen printer and layout (no printer: a PDF, said where)."""
        from app import setup
        from ui import printing

        model = setup.test_print_model(self.centre.text())
        layout = self.layout_combo.currentData()
        self.test_btn.setEnabled(False)
        try:
            try:
                await asyncio.to_thread(printing.print_document, model,
                                        self.printer.currentData() or None, layout)
                where = self.printer.currentText()
                self.banner.show_text(self.tr("Test page sent to %1.").replace("%1", where), "ok")
                return where
            except UserError as e:
                if e.code != "no_printer":
                    self.banner.show_text(message_of(e, self.session.lang), "error")
                    return ""
            path = self.session.settings.data_dir / "receipts" / "test-print.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(printing.render_pdf, model, path, layout)
            self.banner.show_text(self.tr("No printer installed: the test page was saved as %1")
                                  .replace("%1", str(path)), "warn")
            return str(path)
        finally:
            self.test_btn.setEnabled(True)

    def values(self) -> dict[str, object]:
        offline = self.offline.isChecked()
        return {
            "admin_username": self.admin_user.text(), "admin_name": self.admin_name.text(),
            "admin_password": self.admin_pw.text(), "admin_password_again": self.admin_pw2.text(),
            "agency_code": self.agency.text().strip(), "counter_no": self.counter_no.value(),
            "centre_name": self.centre.text(), "offline": offline,
            "enrol_line": "" if offline else self.enrol_line.text().strip(),
            "gateway_ca": "" if offline else self.gw_ca.text().strip(),
            "anchors": self.anchor_paths(),
            "printer": self.printer.currentData(),
            "receipt_layout": self.layout_combo.currentData(),
            "language": self.language.currentData(),
        }

    def accept(self) -> None:
        spawn(self.submit())

    async def submit(self) -> bool:
        lang = self.session.lang
        try:
            await self.session.initial_setup(self.values())
        except ValidationError as e:
            self._route_errors(e.errors)
            return False
        except Exception as e:
            if not is_user_facing(e):
                raise
            self.banner.show_text(message_of(e, lang), "error")
            return False
        self.done_ok.emit()
        super().accept()
        return True

    def _route_errors(self, errors: list[UserError]) -> None:
        """Errors found at Finish go back to their page (the first such page is shown)."""
        fields = {f: i for i, p in enumerate(self.pages) for f in p.errors}
        by_page: dict[int, list[UserError]] = {}
        for e in errors:
            by_page.setdefault(fields.get(e.field or "", 4), []).append(e)
        for i, errs in by_page.items():
            self.pages[i].show_errors(errs)
        first = min(by_page)
        while self.currentId() > first:
            self.back()
