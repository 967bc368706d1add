"""Settings (administrators): preferences, gateway, accounts and maintenance tasks.

Long tasks (backup, restore, catalogue import) run on the store worker behind a progress
dialog, so the window keeps repainting."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError, is_user_facing, message_of
from ui.qtutil import Banner, TextConfirmDialog, ask, run_dialog, spawn, with_progress
from ui.session import Session


def printer_names() -> list[str]:
    try:
        from ui.printing import installed_printers

        return installed_printers()
    except Exception:  # no print support on this PC: the clerk saves PDFs instead
        return []


class SettingsPage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.lang = session.lang
        self.banner = Banner(self)
        # built in this order (the order of the default tab chain)
        prefs = self._build_preferences()
        gw = self._build_gateway()
        users = self._build_accounts()
        maint = self._build_maintenance()

        body = QWidget()
        grid = QGridLayout(body)
        grid.addWidget(prefs, 0, 0)
        grid.addWidget(gw, 1, 0)
        grid.addWidget(users, 0, 1, 2, 1)
        grid.addWidget(maint, 2, 0, 1, 2)
        grid.setRowStretch(3, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(scroll, 1)
        self._connect_buttons()

    def _build_preferences(self) -> QGroupBox:
        """This counter's printer, receipt layout, copies, idle lock and language."""
        self.printer = QComboBox()
        self.printer.addItem(self.tr("System default printer"), "")
        for name in printer_names():
            self.printer.addItem(name, name)
        self.layout_combo = QComboBox()
        for key, text in (("a4", self.tr("A4")), ("a5", self.tr("A5")),
                          ("roll80", self.tr("80 mm roll"))):
            self.layout_combo.addItem(text, key)
        self.copies = QSpinBox()
        self.copies.setRange(1, 2)
        self.idle = QSpinBox()
        self.idle.setRange(1, 240)
        self.idle.setSuffix(self.tr(" min"))
        self.language = QComboBox()
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.print_after = QCheckBox(self.tr("Ctrl+S also prints the receipt"))
        self.save_prefs_btn = QPushButton(self.tr("&Save preferences"))
        prefs = QGroupBox(self.tr("This counter"))
        f = QFormLayout(prefs)
        for text, w in ((self.tr("Receipt &printer:"), self.printer),
                        (self.tr("Receipt &layout:"), self.layout_combo),
                        (self.tr("Cop&ies:"), self.copies),
                        (self.tr("&Idle lock after:"), self.idle),
                        (self.tr("Lan&guage:"), self.language)):
            lab = QLabel(text)
            lab.setBuddy(w)
            f.addRow(lab, w)
        f.addRow("", self.print_after)
        f.addRow("", self.save_prefs_btn)
        return prefs

    def _build_gateway(self) -> QGroupBox:
        """The provincial gateway's address and CA bundle (or offline only) and enrolment."""
        self.gateway_url = QLineEdit()
        self.gateway_url.setPlaceholderText("https://motcua.example.gov.vn")
        self.gateway_ca = QLineEdit()
        self.offline_only = QCheckBox(self.tr("Offline only (no gateway)"))
        self.save_gw_btn = QPushButton(self.tr("Save &gateway"))
        self.enrol_line = QLineEdit()
        self.enrol_line.setPlaceholderText("MOTCUA-ENROL1:…")
        self.enrol_btn = QPushButton(self.tr("E&nrol"))
        self.enrol_state = QLabel()
        self.enrol_state.setWordWrap(True)
        gw = QGroupBox(self.tr("Provincial gateway"))
        g = QFormLayout(gw)
        for text, w in ((self.tr("UR&L:"), self.gateway_url),
                        (self.tr("CA bundle:"), self.gateway_ca)):
            lab = QLabel(text)
            lab.setBuddy(w)
            g.addRow(lab, w)
        g.addRow("", self.offline_only)
        g.addRow("", self.save_gw_btn)
        lab = QLabel(self.tr("Enrolment line:"))
        lab.setBuddy(self.enrol_line)
        g.addRow(lab, self.enrol_line)
        g.addRow("", self.enrol_btn)
        g.addRow("", self.enrol_state)

        def offline_toggled(on: bool) -> None:
            self.gateway_url.setEnabled(not on)
            self.gateway_ca.setEnabled(not on)

        self.offline_only.toggled.connect(offline_toggled)
        return gw

    def _build_accounts(self) -> QGroupBox:
        """The accounts table and the form and buttons that change accounts."""
        self.users = QTableWidget(0, 4)
        self.users.setHorizontalHeaderLabels([self.tr("Username"), self.tr("Name"),
                                              self.tr("Role"), self.tr("Locked")])
        self.users.verticalHeader().hide()
        self.users.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.users.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.users.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.new_user = QLineEdit()
        self.new_name = QLineEdit()
        self.new_role = QComboBox()
        for role, text in (("clerk", self.tr("Clerk")), ("supervisor", self.tr("Supervisor")),
                           ("administrator", self.tr("Administrator"))):
            self.new_role.addItem(text, role)
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_user_btn = QPushButton(self.tr("&Add account"))
        self.lock_btn = QPushButton(self.tr("Lock / unlock"))
        self.reset_pw_btn = QPushButton(self.tr("Set &password…"))
        self.bind_btn = QPushButton(self.tr("Bind &certificate…"))
        users = QGroupBox(self.tr("Accounts"))
        u = QVBoxLayout(users)
        u.addWidget(self.users)
        add = QGridLayout()
        for i, (text, w) in enumerate(((self.tr("Username:"), self.new_user),
                                       (self.tr("Name:"), self.new_name),
                                       (self.tr("Role:"), self.new_role),
                                       (self.tr("Password:"), self.new_password))):
            add.addWidget(QLabel(text), i // 2, (i % 2) * 2)
            add.addWidget(w, i // 2, (i % 2) * 2 + 1)
        u.addLayout(add)
        ub = QHBoxLayout()
        ub.addWidget(self.add_user_btn)
        ub.addWidget(self.lock_btn)
        ub.addWidget(self.reset_pw_btn)
        ub.addWidget(self.bind_btn)
        ub.addStretch(1)
        u.addLayout(ub)
        return users

    def _build_maintenance(self) -> QGroupBox:
        """Back up, restore, catalogue import and trust anchors."""
        self.backup_btn = QPushButton(self.tr("&Back up…"))
        self.restore_btn = QPushButton(self.tr("&Restore…"))
        self.catalogue_btn = QPushButton(self.tr("Import &catalogue…"))
        self.anchor_btn = QPushButton(self.tr("Add &trust anchor…"))
        maint = QGroupBox(self.tr("Maintenance"))
        m = QHBoxLayout(maint)
        for b in (self.backup_btn, self.restore_btn, self.catalogue_btn, self.anchor_btn):
            m.addWidget(b)
        m.addStretch(1)
        return maint

    def _connect_buttons(self) -> None:
        self.save_prefs_btn.clicked.connect(lambda: spawn(self.save_prefs()))
        self.save_gw_btn.clicked.connect(lambda: spawn(self.save_gateway()))
        self.add_user_btn.clicked.connect(lambda: spawn(self.add_user()))
        self.lock_btn.clicked.connect(lambda: spawn(self.toggle_lock()))
        self.reset_pw_btn.clicked.connect(lambda: spawn(self.reset_password()))
        self.bind_btn.clicked.connect(lambda: spawn(self.bind_certificate()))
        self.enrol_btn.clicked.connect(lambda: spawn(self.enrol()))
        self.backup_btn.clicked.connect(lambda: spawn(self.start_task("backup")))
        self.restore_btn.clicked.connect(lambda: spawn(self.start_task("restore")))
        self.catalogue_btn.clicked.connect(lambda: spawn(self.start_task("catalogue")))
        self.anchor_btn.clicked.connect(lambda: self._file(self.tr("CA certificate"), False,
                                                           self.tr("Certificates (*.pem *.crt *.cer *.der)"),
                                                           self.add_anchor))

    # ------------------------------------------------------------------ loading
    async def load(self) -> None:
        from app import accounts, setup

        s = self.session
        prefs = await s.preferences()
        self.printer.setCurrentIndex(max(0, self.printer.findData(prefs["printer"])))
        self.layout_combo.setCurrentIndex(max(0, self.layout_combo.findData(prefs["receipt_layout"])))
        self.copies.setValue(int(prefs["receipt_copies"]))
        self.idle.setValue(int(prefs["idle_lock_minutes"]))
        self.language.setCurrentIndex(max(0, self.language.findData(prefs["language"])))
        self.print_after.setChecked(prefs["print_after_save"] == "1")
        gw = await s.run(setup.gateway_config, s.counter)
        self.gateway_url.setText(gw["url"])
        self.gateway_ca.setText(gw["ca_bundle"])
        self.offline_only.setChecked(not gw["url"])
        self._show_enrolment(gw)
        users = await s.run(accounts.list_users, s.counter.store)
        self.users.setRowCount(len(users))
        roles = {"clerk": self.tr("Clerk"), "supervisor": self.tr("Supervisor"),
                 "administrator": self.tr("Administrator")}
        for i, usr in enumerate(users):
            for c, v in enumerate((usr["username"], usr["display_name"],
                                   roles.get(usr["role"], usr["role"]),
                                   self.tr("yes") if usr["locked"] else "")):
                self.users.setItem(i, c, QTableWidgetItem(v))

    def _fail(self, e: Exception) -> None:
        if isinstance(e, ValidationError):
            self.banner.show_text(" ".join(e.by_field(self.lang).values()), "error")
        elif is_user_facing(e):
            self.banner.show_text(message_of(e, self.lang), "error")
        else:
            raise e

    async def save_prefs(self) -> None:
        try:
            await self.session.set_preferences({
                "printer": self.printer.currentData(),
                "receipt_layout": self.layout_combo.currentData(),
                "receipt_copies": str(self.copies.value()),
                "idle_lock_minutes": str(self.idle.value()),
                "language": self.language.currentData(),
                "print_after_save": "1" if self.print_after.isChecked() else "0"})
        except Exception as e:
            self._fail(e)
            return
        self.banner.show_text(self.tr("Preferences saved."), "ok")

    async def save_gateway(self) -> None:
        from app import setup

        s = self.session
        url = "" if self.offline_only.isChecked() else self.gateway_url.text()
        ca = "" if self.offline_only.isChecked() else self.gateway_ca.text().strip()
        current = await s.run(setup.gateway_config, s.counter)
        try:
            await s.run(setup.set_gateway, s.counter, url,
                        None if ca == current["ca_bundle"] else ca)
        except Exception as e:
            self._fail(e)
            return
        running = await s.restart_sync()  # takes effect at once, no restart
        gw = await s.run(setup.gateway_config, s.counter)
        self._show_enrolment(gw)
        if running:
            self.banner.show_text(self.tr("Gateway saved; sync uses it from now on."), "ok")
        elif url:
            self.banner.show_text(self.tr("Gateway saved. This counter is not enrolled yet: "
                                          "paste the enrolment line from the province and "
                                          "press Enrol."), "warn")
        else:
            self.banner.show_text(self.tr("Saved: this counter works offline only."), "ok")

    def _show_enrolment(self, gw: dict[str, Any]) -> None:
        if gw.get("enrolled") and gw.get("url"):
            self.enrol_state.setText(self.tr("Enrolled with %1.").replace("%1", gw["url"]))
        else:
            self.enrol_state.setText(self.tr("Not enrolled: dossiers stay on this counter until "
                                             "it is enrolled with the provincial gateway."))

    async def enrol(self) -> None:
        from app import setup

        s = self.session
        ca = self.gateway_ca.text().strip() or None
        try:
            r = await s.enrol(self.enrol_line.text(), ca)
        except Exception as e:
            self._fail(e)
            return
        self.enrol_line.clear()
        await s.restart_sync()
        gw = await s.run(setup.gateway_config, s.counter)
        self.gateway_url.setText(gw["url"])
        self.gateway_ca.setText(gw["ca_bundle"])
        self.offline_only.setChecked(False)
        self._show_enrolment(gw)
        self.banner.show_text(self.tr("Enrolled with %1; sync starts now.")
                              .replace("%1", r["gateway_url"]), "ok")

    async def add_user(self) -> None:
        from app import accounts

        s = self.session
        try:
            await s.run(lambda: accounts.add_user(
                s.counter.store, self.new_user.text(), self.new_name.text(),
                self.new_role.currentData(), self.new_password.text(), actor=s.username))
        except Exception as e:
            self._fail(e)
            return
        self.new_password.clear()
        self.banner.show_text(self.tr("Account %1 added.").replace("%1", self.new_user.text()), "ok")
        await self.load()

    async def toggle_lock(self) -> None:
        from app import accounts

        row = self.users.currentRow()
        if row < 0:
            return
        name = self.users.item(row, 0).text()
        locked = bool(self.users.item(row, 3).text())
        s = self.session
        try:
            await s.run(lambda: accounts.set_locked(s.counter.store, name, not locked,
                                                    actor=s.username))
        except Exception as e:
            self._fail(e)
            return
        await self.load()

    reset_dialog = None

    async def reset_password(self) -> bool:
        """An administrator sets the selected account's password (a clerk who forgot it)."""
        from ui.detail import ActionDialog

        row = self.users.currentRow()
        if row < 0:
            self.banner.show_text(self.tr("Choose an account in the list first."), "warn")
            return False
        name = self.users.item(row, 0).text()
        pw = QLineEdit()
        pw.setEchoMode(QLineEdit.EchoMode.Password)

        async def submit(v: dict[str, Any]) -> object:
            await self.session.reset_password(name, v["password"])
            return True

        dlg = ActionDialog(self.tr("New password for %1").replace("%1", name),
                           [("password", self.tr("&New password (8+ characters):"), pw)],
                           submit, self.lang, self)
        self.reset_dialog = dlg
        try:
            ok = await run_dialog(dlg) == dlg.DialogCode.Accepted
        finally:
            self.reset_dialog = None
            pw.clear()
        if ok:
            self.banner.show_text(self.tr("The password of %1 was set; ask them to change it "
                                          "after logging in.").replace("%1", name), "ok")
        return ok

    bind_dialog = None

    async def bind_certificate(self, path: str = "") -> dict[str, Any] | None:
        """Bind a clerk's signing certificate (PEM/DER) to the selected account; the
        administrator confirms with their password."""
        from ui.detail import ActionDialog

        row = self.users.currentRow()
        if row < 0:
            self.banner.show_text(self.tr("Choose an account in the list first."), "warn")
            return None
        name = self.users.item(row, 0).text()
        path = path or await self._pick(self.tr("Signing certificate of %1").replace("%1", name),
                                        False, self.tr("Certificates (*.pem *.crt *.cer *.der)"))
        if not path:
            return None
        pw = QLineEdit()
        pw.setEchoMode(QLineEdit.EchoMode.Password)

        async def submit(v: dict[str, Any]) -> object:
            return await self.session.bind_certificate(name, path, v["password"])

        dlg = ActionDialog(self.tr("Bind %1 to %2").replace("%1", Path(path).name)
                           .replace("%2", name),
                           [("password", self.tr("Your administrator &password:"), pw)],
                           submit, self.lang, self)
        self.bind_dialog = dlg
        try:
            ok = await run_dialog(dlg) == dlg.DialogCode.Accepted
        finally:
            self.bind_dialog = None
            pw.clear()
        if not ok:
            return None
        entry = cast("dict[str, Any]", dlg.result_value)
        self.banner.show_text(self.tr("Certificate %1 bound to %2.")
                              .replace("%1", str(entry.get("subject", ""))).replace("%2", name),
                              "ok")
        return entry

    # ------------------------------------------------------------- long tasks
    def _file(self, title: str, save: bool, name_filter: str, then) -> None:
        dlg = QFileDialog(self, title)
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save
                          else QFileDialog.AcceptMode.AcceptOpen)
        dlg.setNameFilter(name_filter)
        dlg.fileSelected.connect(lambda p: spawn(then(p)))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    async def _pick(self, title: str, save: bool, name_filter: str) -> str:
        dlg = QFileDialog(self, title)
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save
                          else QFileDialog.AcceptMode.AcceptOpen)
        dlg.setNameFilter(name_filter)
        self.file_dialog = dlg
        try:
            ok = await run_dialog(dlg)
        finally:
            self.file_dialog = None
        files = dlg.selectedFiles()
        dlg.deleteLater()
        return files[0] if ok and files else ""

    file_dialog: QFileDialog | None = None
    confirm_dialog: TextConfirmDialog | None = None

    async def _confirm_text(self, title: str, text: str, label: str, ok: str, check,
                            *, password: bool = False) -> str | None:
        dlg = TextConfirmDialog(self, title, text, label, check=check, ok_text=ok,
                                password=password)
        self.confirm_dialog = dlg
        try:
            accepted = await run_dialog(dlg) == TextConfirmDialog.DialogCode.Accepted
        finally:
            self.confirm_dialog = None
        typed = dlg.edit.text()
        dlg.edit.clear()
        dlg.deleteLater()
        return typed if accepted else None

    async def start_task(self, kind: str, path: str = "") -> object:
        """Back up, restore or import the catalogue: administrators only, each confirmed
        (backup: the administrator's password; restore: the counter's code typed)."""
        s = self.session
        if not s.is_admin:
            return None
        if kind == "backup":
            path = path or await self._pick(self.tr("Back up to"), True,
                                            self.tr("Backups (*.motcua *.zip *)"))
            if not path:
                return None

            async def check_pw(typed: str) -> str:
                return "" if await s.check_password(typed) else self.tr("Wrong password.")

            if await self._confirm_text(
                    self.tr("Back up"),
                    self.tr("The backup holds every citizen's data and the accounts' password "
                            "hashes. Keep it locked away. Type your password to write it to "
                            "%1.").replace("%1", path),
                    self.tr("Your &password:"), self.tr("&Back up"), check_pw,
                    password=True) is None:
                return None
            return await self.backup(path)
        if kind == "restore":
            path = path or await self._pick(self.tr("Restore from"), False,
                                            self.tr("Backups (*.motcua *.zip *)"))
            if not path:
                return None
            from app import setup

            async def check_code(typed: str) -> str:
                try:
                    setup.check_restore_confirmation(s.counter, typed)
                except Exception as e:
                    if not is_user_facing(e):
                        raise
                    return message_of(e, self.lang)
                return ""

            typed = await self._confirm_text(
                self.tr("Restore"),
                self.tr("Restoring REPLACES every dossier on this counter with the backup %1 "
                        "(a copy of the current store is kept first). Type this counter's code "
                        "%2 to confirm.").replace("%1", path).replace("%2", s.counter.label),
                self.tr("Counter &code:"), self.tr("&Restore"), check_code)
            if typed is None:
                return None
            return await self.restore(path, typed)
        if kind == "catalogue":
            path = path or await self._pick(self.tr("Catalogue file"), False,
                                            self.tr("JSON (*.json)"))
            if not path:
                return None
            if not await ask(self, self.tr("Import the catalogue"),
                             self.tr("Replace the procedure catalogue with %1?").replace("%1", path),
                             self.tr("&Import")):
                return None
            return await self.import_catalogue(path)
        raise ValueError(kind)

    async def _long(self, title: str, fn) -> object:
        async def work(_report):
            return await fn()

        try:
            return await with_progress(self, title, title + "…", work)
        except Exception as e:
            self._fail(e)
            return None

    async def backup(self, path: str) -> dict[str, Any] | None:
        r = cast("dict[str, Any] | None",
                 await self._long(self.tr("Backing up"), lambda: self.session.backup(path)))
        if r:
            self.banner.show_text(self.tr("Backup written: %1 (%2 dossiers).")
                                  .replace("%1", r["file"]).replace("%2", str(r["dossiers"])), "ok")
        return r

    async def restore(self, path: str, typed: str) -> dict[str, Any] | None:
        r = cast("dict[str, Any] | None", await self._long(
            self.tr("Restoring"), lambda: self.session.restore(path, typed)))
        if r:
            self.banner.show_text(self.tr("Restored %1 dossiers from %2.")
                                  .replace("%1", str(r["dossiers"])).replace("%2", r["file"]), "ok")
        return r

    async def import_catalogue(self, path: str) -> dict[str, Any] | None:
        r = cast("dict[str, Any] | None", await self._long(
            self.tr("Importing the catalogue"), lambda: self.session.import_catalogue(path)))
        if r:
            self.banner.show_text(self.tr("Catalogue version %1 imported (%2 procedures).")
                                  .replace("%1", r["version"]).replace("%2", str(r["procedures"])),
                                  "ok")
        return r

    async def add_anchor(self, path: str) -> None:
        from app.trust import add_anchor

        counter, actor = self.session.counter, self.session.username or "system"
        r = await self._long(self.tr("Adding the trust anchor"),  # audited (app.trust)
                             lambda: self.session.run(
                                 lambda: add_anchor(self.session.settings, Path(path),
                                                    counter=counter, actor=actor)))
        if r:
            self.banner.show_text(self.tr("Trust anchor installed: %1").replace("%1", str(r)), "ok")
            await self._recheck_refused()

    async def _recheck_refused(self) -> None:
        """Trust changed: pulled events refused for a trust reason are checked again now
        (app/pullretry.py); the screens hear of the dossiers that changed."""
        from app import pullretry

        counter = self.session.counter
        out = await self.session.run(lambda: pullretry.retry(counter, trigger="trust add"))
        if out.applied or out.waiting:
            self.banner.show_text(
                self.tr("Trust anchor installed; %1 pulled event(s) refused earlier are applied "
                        "now.").replace("%1", str(len(out.applied) + len(out.waiting))), "ok")
        if out.codes:
            self.session.dossiers_changed(sorted(set(out.codes)))
