"""The intake screen: what a clerk uses all day, keyboard first.

Slots stay thin: they collect the form into the plain JSON shape of `app.intake.parse_request`
and hand it to `Session.save_intake` (store worker). Validation comes back as a
ValidationError whose `by_field` messages are shown next to the fields.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError, ValidationError, is_user_facing, message_of
from ui.draft import DraftStore
from ui.fmt import date_vn, money, parse_date_vn, parse_money
from ui.qtutil import Banner, FieldError, ask, spawn
from ui.scanlistener import ScanListener
from ui.session import Session
from ui.widgets import AttachmentList, ChecklistTable, SearchPicker

log = logging.getLogger(__name__)


class IntakePage(QWidget):
    """Receive one dossier: scan or type the applicant, pick the procedure, tick the
    documents, save and sign (Ctrl+S), print (Ctrl+P) or both (Ctrl+Enter)."""

    saved = Signal(str)  # dossier code
    open_dossier = Signal(str)  # a dossier of the scanned citizen, chosen in the history list

    def __init__(self, session: Session, *, ensure_key: Callable[[], Awaitable[bool]],
                 print_receipt: Callable[[str], Awaitable[object]],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.ensure_key = ensure_key
        self.print_receipt = print_receipt
        self.draft = DraftStore(session.settings.data_dir)
        self.last_code = ""
        self.saving = False
        self._loading = False
        self.history: dict[str, Any] = {"open": [], "closed": []}
        self._duplicate_ok = ""  # the open dossier the clerk was warned about and accepted
        self._build()
        self._wire()
        self.restore_draft()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        """The form: applicant, the citizen's dossiers, the dossier, the buttons."""
        lang = self.session.lang
        self.banner = Banner(self)
        self.errors: dict[str, FieldError] = {}
        app_box = self._build_applicant()
        self._build_history()
        dos_box = self._build_dossier()
        buttons = self._build_actions()
        self._lay_out(app_box, dos_box, buttons)
        self.lang = lang
        self._set_tab_order()

    def _err(self, name: str) -> FieldError:
        e = FieldError(self)
        self.errors[name] = e
        return e

    def _with_error(self, widget: QWidget, name: str) -> QWidget:
        """`widget` with its field's error line under it."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(widget)
        lay.addWidget(self._err(name))
        return box

    def _build_applicant(self) -> QGroupBox:
        # -- applicant
        self.qr_status = QLabel(self.scan_hint())
        self.qr_status.setWordWrap(True)
        self.qr_status.setStyleSheet("QLabel { color:#35507a; }")
        self.name = QLineEdit()
        self.citizen_id = QLineEdit()
        self.citizen_id.setMaxLength(12)
        self.dob = QLineEdit()
        self.dob.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.gender = QComboBox()
        self.gender.addItem(self.tr("—"), "")
        self.gender.addItem(self.tr("Male"), "male")
        self.gender.addItem(self.tr("Female"), "female")
        self.phone = QLineEdit()
        self.email = QLineEdit()
        from app import units

        self.province = SearchPicker(
            lambda t: [(p.code, p.name) for p in units.search_provinces(t)])
        self.province.setPlaceholderText(self.tr("type to filter, e.g. ho chi minh"))
        self.commune = SearchPicker(self._search_communes)
        self.commune.setPlaceholderText(self.tr("type to filter, e.g. sai gon"))
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("house number, street, hamlet"))

        app_box = QGroupBox(self.tr("Applicant"))
        f = QFormLayout(app_box)
        f.addRow(self.qr_status)
        f.addRow(self._err("citizen_qr"))
        f.addRow(self._label(self.tr("Full &name:"), self.name), self._with_error(self.name, "full_name"))
        f.addRow(self._label(self.tr("Citizen &ID:"), self.citizen_id),
                 self._with_error(self.citizen_id, "citizen_id"))
        f.addRow(self._label(self.tr("Date of &birth:"), self.dob),
                 self._with_error(self.dob, "date_of_birth"))
        f.addRow(self._label(self.tr("&Gender:"), self.gender), self._with_error(self.gender, "gender"))
        f.addRow(self._label(self.tr("P&hone:"), self.phone), self._with_error(self.phone, "phone"))
        f.addRow(self._label(self.tr("E-&mail:"), self.email), self._with_error(self.email, "email"))
        f.addRow(self._label(self.tr("Pro&vince/city:"), self.province),
                 self._with_error(self.province, "province_code"))
        f.addRow(self._label(self.tr("Comm&une/ward:"), self.commune),
                 self._with_error(self.commune, "commune_code"))
        f.addRow(self._label(self.tr("A&ddress:"), self.address), self.address)
        return app_box

    def _build_history(self) -> None:
        """The citizen's earlier and open dossiers (scan = lookup)."""
        self.history_box = QGroupBox(self.tr("This citizen's dossiers"))
        self.history_list = QListWidget()
        self.history_list.setObjectName("history")
        self.history_empty = QLabel(self.tr("Scan a card or type a citizen ID to see the "
                                            "citizen's earlier dossiers here."))
        self.history_empty.setWordWrap(True)
        self.history_empty.setStyleSheet("QLabel { color:#555; }")
        hv = QVBoxLayout(self.history_box)
        hv.addWidget(self.history_empty)
        hv.addWidget(self.history_list, 1)
        self.history_list.hide()
        self.history_list.itemActivated.connect(
            lambda item: self.open_dossier.emit(item.data(Qt.ItemDataRole.UserRole)))

    def _build_dossier(self) -> QGroupBox:
        # -- dossier
        self.procedure = SearchPicker(self._search_procedures)
        self.procedure.setPlaceholderText(self.tr("code or name without diacritics, e.g. khai sinh"))
        self.proc_info = QLabel()
        self.proc_info.setWordWrap(True)
        self.fav_label = QLabel()
        self.fav_label.setWordWrap(True)
        self.fav_label.setStyleSheet("QLabel { color:#555; }")
        self.favourites: list[str] = []
        self.channel = QComboBox()
        self.channel.addItem(self.tr("In person"), "in_person")
        self.channel.addItem(self.tr("Online"), "online")
        self.channel.addItem(self.tr("By post"), "post")
        self.checklist = ChecklistTable()
        self.sets = QSpinBox()
        self.sets.setRange(1, 20)
        self.fee = QLineEdit()
        self.fee_text = QLabel()
        self.fee_text.setWordWrap(True)
        self.appointment = QLabel("—")
        self.appointment.setWordWrap(True)
        self.appointment.setStyleSheet("QLabel { font-weight:bold; }")
        self.attachments = AttachmentList()
        self.note = QLineEdit()
        self.return_method = QComboBox()
        for key, text in (("at_counter", self.tr("At the counter")), ("post", self.tr("By post")),
                          ("online", self.tr("Online"))):
            self.return_method.addItem(text, key)
        # late entry of a paper dossier received while the counter could not record it
        self.late = QCheckBox(self.tr("Late entry: received earlier (outage)"))
        self.late_at = QDateTimeEdit(QDateTime.currentDateTime())
        self.late_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.late_at.setCalendarPopup(True)
        self.late_reason = QLineEdit()
        self.late_reason.setPlaceholderText(self.tr("why it is entered late, e.g. power cut"))
        late_row = QWidget()
        lr = QHBoxLayout(late_row)
        lr.setContentsMargins(0, 0, 0, 0)
        lr.addWidget(self.late)
        lr.addWidget(self.late_at)
        lr.addWidget(self.late_reason, 1)
        for w in (self.late_at, self.late_reason):
            w.setEnabled(False)
        def late_toggled(on: bool) -> None:
            self.late_at.setEnabled(on)
            self.late_reason.setEnabled(on)

        self.late.toggled.connect(late_toggled)

        dos_box = QGroupBox(self.tr("Dossier"))
        g = QFormLayout(dos_box)
        g.addRow(self._label(self.tr("&Procedure:"), self.procedure),
                 self._with_error(self.procedure, "procedure_code"))
        g.addRow("", self.proc_info)
        g.addRow("", self.fav_label)
        g.addRow(self._label(self.tr("&Channel:"), self.channel), self._with_error(self.channel, "channel"))
        g.addRow(self._label(self.tr("Documents &received:"), self.checklist.table),
                 self._with_error(self.checklist, "documents"))
        g.addRow(self._label(self.tr("&Sets:"), self.sets), self._with_error(self.sets, "sets"))
        g.addRow(self._label(self.tr("&Fee (VND):"), self.fee), self._with_error(self.fee, "fee_vnd"))
        g.addRow("", self.fee_text)
        g.addRow(self.tr("Appointment:"), self.appointment)
        g.addRow(self._label(self.tr("Scanned &files:"), self.attachments.list), self.attachments)
        g.addRow(self._label(self.tr("Return &method:"), self.return_method),
                 self._with_error(self.return_method, "return_method"))
        g.addRow("", self._with_error(late_row, "received_at"))
        g.addRow(self._label(self.tr("N&ote:"), self.note), self.note)
        return dos_box

    def _build_actions(self) -> QHBoxLayout:
        # -- actions
        self.save_btn = QPushButton(self.tr("Save && sign  (Ctrl+S)"))
        self.save_btn.setDefault(False)
        self.print_btn = QPushButton(self.tr("Print receipt  (Ctrl+P)"))
        self.both_btn = QPushButton(self.tr("Save, sign && print  (Ctrl+Enter)"))
        self.clear_btn = QPushButton(self.tr("Clear form"))
        self.refuse_btn = QPushButton(self.tr("Refuse (form 03)…"))
        self.print_btn.setEnabled(False)
        buttons = QHBoxLayout()
        for b in (self.save_btn, self.both_btn, self.print_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.refuse_btn)
        buttons.addWidget(self.clear_btn)
        return buttons

    def _lay_out(self, app_box: QGroupBox, dos_box: QGroupBox, buttons: QHBoxLayout) -> None:
        body = QWidget()
        grid = QGridLayout(body)
        grid.addWidget(app_box, 0, 0)
        grid.addWidget(self.history_box, 1, 0)
        grid.addWidget(dos_box, 0, 1, 2, 1)
        grid.setColumnStretch(0, 4)
        grid.setColumnStretch(1, 7)  # the documents need the room (1024×768 included)
        grid.setRowStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(scroll, 1)
        lay.addLayout(buttons)

    def _set_tab_order(self) -> None:
        # tab order follows how a citizen's card is read, then the dossier
        order = [self.name, self.citizen_id, self.dob, self.gender, self.phone, self.email,
                 self.province, self.commune, self.address, self.procedure, self.channel,
                 self.checklist.table, self.checklist.add_btn, self.sets, self.fee,
                 self.attachments.add_btn, self.return_method, self.late, self.late_at,
                 self.late_reason, self.note, self.save_btn, self.both_btn,
                 self.print_btn, self.clear_btn]
        for a, b in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(a, b)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        lab = QLabel(text)
        lab.setBuddy(buddy)
        return lab

    def _wire(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.sc_save = QShortcut(QKeySequence.StandardKey.Save, self, context=ctx)
        self.sc_save.activated.connect(self.on_save)
        self.sc_print = QShortcut(QKeySequence.StandardKey.Print, self, context=ctx)
        self.sc_print.activated.connect(self.on_print)
        self.sc_both = [QShortcut(QKeySequence(seq), self, context=ctx)
                        for seq in ("Ctrl+Return", "Ctrl+Enter")]
        for sc in self.sc_both:
            sc.activated.connect(self.on_save_and_print)
        for i in range(1, 10):  # Alt+1…9: the clerk's favourite procedures
            sc = QShortcut(QKeySequence(f"Alt+{i}"), self, context=ctx)
            sc.activated.connect(lambda n=i: self.pick_favourite(n))
        sc = QShortcut(QKeySequence("Ctrl+D"), self, context=ctx)
        sc.activated.connect(lambda: spawn(self.pin_favourite()))
        self.save_btn.clicked.connect(self.on_save)
        self.both_btn.clicked.connect(self.on_save_and_print)
        self.print_btn.clicked.connect(self.on_print)
        self.clear_btn.clicked.connect(self.ask_clear)
        self.refuse_btn.clicked.connect(lambda: spawn(self.refuse()))
        self.procedure.chosen.connect(self._procedure_chosen)
        self.province.chosen.connect(self._province_chosen)
        self.commune.chosen.connect(self._commune_chosen)
        self.channel.currentIndexChanged.connect(lambda *_: self.update_appointment())
        self.attachments.add_requested.connect(self._pick_files)

        self._draft_timer = QTimer(self, singleShot=True, interval=400)
        self._draft_timer.timeout.connect(self.save_draft)
        for w in (self.name, self.citizen_id, self.dob, self.phone, self.email, self.address,
                  self.fee, self.note, self.province, self.commune, self.procedure):
            w.textChanged.connect(self._changed)
        for c in (self.gender, self.channel):
            c.currentIndexChanged.connect(self._changed)
        self.sets.valueChanged.connect(self._changed)
        self.checklist.changed.connect(self._changed)
        self.attachments.changed.connect(self._changed)
        self._minute = QTimer(self, interval=60_000)
        self._minute.timeout.connect(self.update_appointment)
        self._minute.start()
        self.scanner = ScanListener(self)
        self.scanner.scanned.connect(self.apply_qr)
        self.citizen_id.editingFinished.connect(self._citizen_id_left)
        self.dob.editingFinished.connect(self._dob_left)
        for w, name in ((self.name, "full_name"), (self.phone, "phone"), (self.email, "email"),
                        (self.fee, "fee_vnd")):
            w.editingFinished.connect(lambda n=name: self._field_left(n))
        self.procedure.chosen.connect(lambda *_: self._warn_duplicate())

    # ------------------------------------------------------------ searching
    def _search_procedures(self, text: str) -> list[tuple[str, str]]:
        cat = self.session.counter.catalogue()
        return [(p.code, f"{p.code} — {p.name}") for p in cat.search(text, limit=30)]

    def _search_communes(self, text: str) -> list[tuple[str, str]]:
        from app import units

        prov = self.province.code() or None
        hits = units.search_communes(prov, text, limit=50)
        if prov:
            return [(c.code, c.name) for c in hits]
        names = {p.code: p.short_name for p in units.provinces()}
        return [(c.code, f"{c.name} ({names.get(c.province_code, '')})") for c in hits]

    def _procedure_chosen(self, code: str) -> None:
        proc = self.session.counter.catalogue().get(code) if code else None
        if proc is None:
            self.proc_info.setText("")
            self.fee_text.setText("")
            self.update_appointment()
            return
        if not self._loading:
            self.checklist.set_items([{"name": d.name, "form": d.form, "count": d.count}
                                      for d in proc.checklist()])
            self.fee.setText(money(proc.fee_vnd, self.lang) if proc.fee_vnd is not None else "")
        self.proc_info.setText(f"{proc.field}")
        self.fee_text.setText(proc.fee_text)
        self.update_appointment()

    def _province_chosen(self, code: str) -> None:
        if self._loading:
            return
        from app import units

        com = units.commune(self.commune.code()) if self.commune.code() else None
        if com is not None and com.province_code != code:
            self.commune.clear_value()

    def _commune_chosen(self, code: str) -> None:
        from app import units

        com = units.commune(code) if code else None
        if com is not None and self.province.code() != com.province_code:
            p = units.province(com.province_code)
            if p is not None:
                self.province.set_value(p.code, p.name, emit=False)
        if com is not None:
            self.commune.set_value(com.code, com.name, emit=False)

    def update_appointment(self) -> None:
        from app.workcalendar import NO_APPOINTMENT_EN, NO_APPOINTMENT_VI, words_en, words_vi

        code = self.procedure.code()
        if not code:
            self.appointment.setText("—")
            return
        when, fixed = self.session.appointment_preview(code, self.channel.currentData())
        if not fixed or when is None:
            self.appointment.setText(NO_APPOINTMENT_EN if self.lang == "en" else NO_APPOINTMENT_VI)
        else:
            words = words_en(when) if self.lang == "en" else words_vi(when)
            self.appointment.setText(f"{words}  ({date_vn(when)})")

    def _pick_files(self) -> None:
        dlg = QFileDialog(self, self.tr("Attach scanned documents"))
        dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dlg.setNameFilter(self.tr("Scanned documents (*.pdf *.jpg *.jpeg *.png)"))
        dlg.filesSelected.connect(self.attachments.add_paths)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    # ------------------------------------------------------------- the form
    def form_dict(self) -> dict[str, Any]:
        """The form in the JSON shape of app.intake.parse_request."""
        dob_text = self.dob.text().strip()
        dob = parse_date_vn(dob_text)
        fee = parse_money(self.fee.text())
        return {
            "procedure_code": self.procedure.code(),
            "channel": self.channel.currentData(),
            "applicant": {
                "full_name": self.name.text(), "citizen_id": self.citizen_id.text().strip(),
                "date_of_birth": dob.isoformat() if dob else dob_text,
                "gender": self.gender.currentData(), "phone": self.phone.text(),
                "email": self.email.text(),
                "address": {"province_code": self.province.code(),
                            "commune_code": self.commune.code(),
                            "detail": self.address.text()},
            },
            "documents": self.checklist.received(),
            "sets": self.sets.value(),
            "fee_vnd": fee,
            "note": self._note_text(),
            "return_method": self.return_method.currentData(),
            **({"received_at": self._late_iso()} if self.late.isChecked() else {}),
        }

    def _late_iso(self) -> str:
        from app.domain import VN_TZ

        dt = self.late_at.dateTime().toPython().replace(second=0, microsecond=0)
        return dt.replace(tzinfo=VN_TZ).isoformat()

    def _note_text(self) -> str:
        note = self.note.text().strip()
        if self.late.isChecked() and self.late_reason.text().strip():
            late = self.tr("Late entry: %1").replace("%1", self.late_reason.text().strip())
            note = f"{late}. {note}" if note else late
        return note

    def late_error(self) -> str:
        if self.late.isChecked() and not self.late_reason.text().strip():
            return self.tr("Say why the dossier is entered late.")
        return ""

    def draft_dict(self) -> dict[str, Any]:
        return {"v": 1, "form": self.form_dict(), "dob_text": self.dob.text(),
                "fee_text": self.fee.text(),
                "labels": {"procedure": self.procedure.label(), "province": self.province.label(),
                           "commune": self.commune.label()},
                "checklist": self.checklist.rows(), "attachments": self.attachments.paths(),
                "clerk": self.session.username}

    def is_empty(self) -> bool:
        f = self.form_dict()
        a = f["applicant"]
        return not (f["procedure_code"] or a["full_name"].strip() or a["citizen_id"]
                    or a["phone"].strip() or a["address"]["detail"].strip()
                    or self.attachments.paths() or f["note"].strip())

    def _changed(self, *_: object) -> None:
        if not self._loading:
            self._draft_timer.start()

    def save_draft(self) -> None:
        """Autosave (debounced): the whole form as JSON in the data folder."""
        self._draft_timer.stop()
        try:
            if self.is_empty():
                self.draft.clear()
            else:
                self.draft.save(self.draft_dict())
        except OSError:
            log.exception("could not write the intake draft")

    def restore_draft(self) -> bool:
        d = self.draft.load()
        if not d or "form" not in d:
            return False
        self.load_draft(d)
        self.banner.show_text(self.tr("The unfinished form was restored."), "warn")
        return True

    def load_draft(self, d: dict[str, Any]) -> None:
        self._loading = True
        try:
            f = d["form"]
            a = f.get("applicant", {})
            addr = a.get("address", {})
            labels = d.get("labels", {})
            self.name.setText(a.get("full_name", ""))
            self.citizen_id.setText(a.get("citizen_id", ""))
            self.dob.setText(d.get("dob_text", ""))
            self.gender.setCurrentIndex(max(0, self.gender.findData(a.get("gender", ""))))
            self.phone.setText(a.get("phone", ""))
            self.email.setText(a.get("email", ""))
            self.province.set_value(addr.get("province_code", ""), labels.get("province", ""))
            self.commune.set_value(addr.get("commune_code", ""), labels.get("commune", ""))
            self.address.setText(addr.get("detail", ""))
            self.channel.setCurrentIndex(max(0, self.channel.findData(f.get("channel"))))
            self.procedure.set_value(f.get("procedure_code", ""), labels.get("procedure", ""))
            self.checklist.set_items(d.get("checklist", []))
            self.sets.setValue(int(f.get("sets") or 1))
            self.fee.setText(d.get("fee_text", ""))
            self.note.setText(f.get("note", ""))
            self.return_method.setCurrentIndex(
                max(0, self.return_method.findData(f.get("return_method") or "at_counter")))
            self.attachments.clear()
            self.attachments.add_paths([p for p in d.get("attachments", []) if p])
        finally:
            self._loading = False
        self.update_appointment()

    def clear_form(self) -> None:
        """Ready for the next citizen."""
        self._loading = True
        try:
            for w in (self.name, self.citizen_id, self.dob, self.phone, self.email, self.address,
                      self.fee, self.note, self.late_reason):
                w.clear()
            self.late.setChecked(False)
            self.late_at.setDateTime(QDateTime.currentDateTime())
            self.return_method.setCurrentIndex(0)
            for p in (self.province, self.commune, self.procedure):
                p.set_value("", "", emit=False)
            self.gender.setCurrentIndex(0)
            self.channel.setCurrentIndex(0)
            self.sets.setValue(1)
            self.checklist.clear()
            self.attachments.clear()
            self.proc_info.clear()
            self.fee_text.clear()
            self.appointment.setText("—")
            self.qr_status.setText(self.scan_hint())
            self.set_history({"open": [], "closed": []})
            self._duplicate_ok = ""
        finally:
            self._loading = False
        self.clear_errors()
        self.draft.clear()
        self._draft_timer.stop()
        self.name.setFocus()

    def clear_errors(self) -> None:
        for e in self.errors.values():
            e.set_error("")

    def show_errors(self, by_field: dict[str, str]) -> None:
        self.clear_errors()
        general = []
        first: QWidget | None = None
        for fld, text in by_field.items():
            label = self.errors.get(fld)
            if label is None:
                general.append(text)
                continue
            label.set_error(text)
            first = first or label
        self.banner.show_text(self.tr("Please correct the fields marked in red.")
                              + ("  " + " ".join(general) if general else ""), "error")
        if first is not None:
            buddy = first.parentWidget().layout().itemAt(0).widget() if first.parentWidget() \
                else None
            if buddy is not None and buddy is not self:
                buddy.setFocus()

    # --------------------------------------------------------------- actions
    def on_save(self) -> None:
        spawn(self.save())

    def on_save_and_print(self) -> None:
        spawn(self.save(print_after=True))

    def on_print(self) -> None:
        if self.last_code:
            spawn(self.print_receipt(self.last_code))

    async def save(self, print_after: bool = False) -> dict[str, Any] | None:
        """Save and sign the form; on success the form is cleared for the next citizen."""
        if self.saving:
            return None
        self.saving = True
        try:
            form = self.form_dict()
            atts = self.attachments.paths()
            self.clear_errors()
            if self.session.signer is None and not await self.ensure_key():
                self.banner.show_text(self.tr("The dossier was not saved: unlock your signing "
                                              "key first (Session menu)."), "error")
                return None
            if self.late_error():
                self.show_errors({"received_at": self.late_error()})
                return None
            dup = self._duplicate()
            if dup is not None and self._duplicate_ok != dup["code"]:
                ok = await ask(self, self.tr("Second open dossier"),
                               self.tr("%1 already has an open dossier of this procedure: %2. "
                                       "Receive a second one?")
                               .replace("%1", self.name.text()).replace("%2", dup["code"]),
                               self.tr("&Receive anyway"), self.tr("&Go back"))
                if not ok:
                    return None
                self._duplicate_ok = dup["code"]
            try:
                result = await self.session.save_intake(form, atts)
            except ValidationError as e:
                errors = e.by_field(self.lang)
                if self.dob_error():
                    errors["date_of_birth"] = self.dob_error()
                self.show_errors(errors)
                return None
            except Exception as e:  # UserError, SigningError, StoreError: say it, keep the form
                if not is_user_facing(e):
                    raise
                log.info("intake refused: %r", e)
                if isinstance(e, UserError) and e.field and e.field in self.errors:
                    self.show_errors({e.field: e.message(self.lang)})
                    return None
                self.banner.show_text(self.tr("Not saved: ") + message_of(e, self.lang)
                                      + " " + self.tr("The form is kept."), "error")
                if getattr(e, "code", "") in ("token_removed", "token_not_found", "token_error"):
                    spawn(self.ensure_key())
                return None
            self.last_code = result["code"]
            self.print_btn.setEnabled(True)
            self.clear_form()
            self.banner.show_text(self._saved_text(result), "ok")
            self.saved.emit(result["code"])
        finally:
            self.saving = False
        if print_after or self._print_after_save:
            await self.print_receipt(result["code"])
        return result

    _print_after_save = False  # set from preferences by the main window

    def _saved_text(self, r: dict[str, Any]) -> str:
        from app.workcalendar import NO_APPOINTMENT_EN, NO_APPOINTMENT_VI

        when = (date_vn(r["appointment_at"]) + " " + r["appointment_at"][11:16]) \
            if r.get("appointment_at") else (NO_APPOINTMENT_EN if self.lang == "en"
                                             else NO_APPOINTMENT_VI)
        return self.tr("Saved and signed: %1 — %2. Appointment: %3. Ctrl+P prints the receipt.") \
            .replace("%1", r["code"]).replace("%2", r["applicant"]["full_name"]).replace("%3", when)

    # ---------------------------------------------------------------- QR scan
    def hideEvent(self, event) -> None:
        self.save_draft()
        super().hideEvent(event)

    # ------------------------------------------------------------ favourites
    async def load_favourites(self) -> list[str]:
        """This clerk's favourites; the first time, their most frequent procedures."""
        from app import reports

        s = self.session
        saved = (await s.user_prefs()).get("favourites", "")
        codes = [c for c in saved.split(",") if c] if saved else \
            await s.run(reports.frequent_procedures, s.counter, s.username, 5)
        cat = s.counter.catalogue()
        self.favourites = [c for c in codes if cat.get(c) is not None][:9]
        self._show_favourites()
        return self.favourites

    def _show_favourites(self) -> None:
        cat = self.session.counter.catalogue()
        parts = []
        for i, code in enumerate(self.favourites, 1):
            name = cat.get(code).name
            for prefix in ("Thủ tục ", "Procedure "):
                name = name[len(prefix):] if name.startswith(prefix) else name
            short = name if len(name) <= 24 else name[:23] + "…"
            parts.append(f"Alt+{i} {short}")
        self.fav_label.setText(" · ".join(parts) + ("  " if parts else "") +
                               self.tr("(Ctrl+D adds the chosen procedure)"))

    def pick_favourite(self, n: int) -> bool:
        if not 1 <= n <= len(self.favourites):
            return False
        code = self.favourites[n - 1]
        proc = self.session.counter.catalogue().get(code)
        self.procedure.set_value(code, f"{code} — {proc.name}")
        self.checklist.table.setFocus()
        return True

    async def pin_favourite(self) -> list[str]:
        code = self.procedure.code()
        if code and code not in self.favourites:
            self.favourites = (self.favourites + [code])[-9:]
            await self.session.set_user_pref("favourites", ",".join(self.favourites))
            self._show_favourites()
        return self.favourites

    def scan_hint(self) -> str:
        return self.tr("Scan the citizen ID card's QR code at any time: the fields fill "
                       "themselves.")

    async def load_history(self, citizen_id: str) -> dict[str, Any]:
        """Scan = lookup: the citizen's earlier and open dossiers beside the form."""
        from app import reports

        hist = await self.session.run(reports.citizen_history, self.session.counter, citizen_id)
        if self.citizen_id.text().strip() == citizen_id:  # still the same citizen
            self.set_history(hist)
            self._warn_duplicate()
        return hist

    def set_history(self, hist: dict[str, Any]) -> None:
        self.history = hist
        self.history_list.clear()
        rows = [(r, True) for r in hist.get("open", [])] + \
            [(r, False) for r in hist.get("closed", [])]
        for r, is_open in rows:
            label = r["status_label_en"] if self.lang == "en" else r["status_label"]
            item = QListWidgetItem(f"{'● ' if is_open else '○ '}{r['code']} · "
                                   f"{date_vn(r['received_at'])} · {label}\n"
                                   f"    {r['procedure_name']}")
            item.setData(Qt.ItemDataRole.UserRole, r["code"])
            item.setToolTip(self.tr("Enter opens the dossier"))
            self.history_list.addItem(item)
        self.history_list.setVisible(bool(rows))
        if rows:
            self.history_empty.setText(self.tr("%1 open, %2 closed (● open).")
                                       .replace("%1", str(len(hist.get("open", []))))
                                       .replace("%2", str(len(hist.get("closed", [])))))
        elif self.citizen_id.text().strip():
            self.history_empty.setText(self.tr("No earlier dossier of this citizen here."))
        else:
            self.history_empty.setText(self.tr("Scan a card or type a citizen ID to see the "
                                               "citizen's earlier dossiers here."))

    def _citizen_id_left(self) -> None:
        """Validation as the field is left; a complete ID also looks the citizen up."""
        from app.citizen_id import validate_citizen_id

        cid = self.citizen_id.text().strip()
        if not cid:
            self.errors["citizen_id"].set_error("")
            self.set_history({"open": [], "closed": []})
            return
        try:
            validate_citizen_id(cid)
        except UserError as e:
            self.errors["citizen_id"].set_error(e.message(self.lang))
            return
        self.errors["citizen_id"].set_error("")
        if cid not in {r["citizen_id"] for r in self.history.get("open", []) +
                       self.history.get("closed", [])}:
            spawn(self.load_history(cid))

    def _field_left(self, name: str) -> None:
        """Said as soon as the field is left, not at Ctrl+S; an empty field waits for Save."""
        widget = {"full_name": self.name, "phone": self.phone, "email": self.email,
                  "fee_vnd": self.fee}[name]
        if not widget.text().strip():
            self.errors[name].set_error("")
            return
        try:
            errors = self.session.field_errors(self.form_dict())
        except Exception:  # a check must never break typing: Save says it anyway
            log.warning("field check failed", exc_info=True)
            return
        self.errors[name].set_error(errors.get(name, ""))

    def dob_error(self) -> str:
        text = self.dob.text().strip()
        if text and parse_date_vn(text) is None:
            return self.tr("Date of birth: type it as dd/mm/yyyy, e.g. 05/09/1990.")
        return ""

    def _dob_left(self) -> None:
        self.errors["date_of_birth"].set_error(self.dob_error())

    def _duplicate(self) -> dict[str, Any] | None:
        from app.reports import open_duplicate

        return open_duplicate(self.history, self.procedure.code())

    def _warn_duplicate(self) -> bool:
        dup = self._duplicate()
        if dup is None:
            return False
        self.banner.show_text(self.tr("This citizen already has an open dossier of this "
                                      "procedure: %1 (%2). Saving receives a second one.")
                              .replace("%1", dup["code"]).replace("%2", dup["status_label_en"]
                                                                  if self.lang == "en"
                                                                  else dup["status_label"]),
                              "warn")
        return True

    refuse_dialog = None

    async def refuse(self) -> dict[str, Any] | None:
        """Refusal at the counter (form 03): the reason, a signed numbered record of what the
        citizen brought, the slip printed; the form is cleared."""
        from app.errors import ValidationError as VE
        from ui.detail import ActionDialog
        from ui.receipt_actions import print_model

        if self.session.signer is None and not await self.ensure_key():
            return None
        reason = QLineEdit()
        form = self.form_dict()

        async def submit(v: dict[str, Any]) -> object:
            if not v["reason"].strip():
                raise VE([UserError("Cần ghi lý do từ chối.", "Give the reason for refusing.",
                                    field="reason")])
            return await self.session.refuse_at_counter(form, v["reason"])

        from PySide6.QtWidgets import QDialog

        from ui.qtutil import run_dialog

        dlg = ActionDialog(self.tr("Refuse the dossier (form 03)"),
                           [("reason", self.tr("&Reason for refusing:"), reason)], submit,
                           self.lang, self)
        self.refuse_dialog = dlg
        try:
            ok = await run_dialog(dlg) == QDialog.DialogCode.Accepted
        finally:
            self.refuse_dialog = None
        if not ok:
            return None
        recorded, slip = cast("tuple[dict[str, Any], Any]", dlg.result_value)
        where = await print_model(self.session, slip, f"{recorded['code']}-03")
        self.clear_form()
        self.banner.show_text(self.tr("Refusal %1 recorded and signed; slip: %2")
                              .replace("%1", recorded["code"]).replace("%2", where), "ok")
        return {"code": recorded["code"], "slip": where}

    def ask_clear(self) -> None:
        spawn(self.confirm_clear())

    async def confirm_clear(self) -> bool:
        """"Clear form" asks first (a whole citizen's typing is lost otherwise)."""
        if not self.is_empty():
            self._clear_question = True
            ok = await ask(self, self.tr("Clear the form"),
                           self.tr("Clear everything typed for this citizen?"),
                           self.tr("&Clear"), self.tr("&Keep"))
            self._clear_question = False
            if not ok:
                return False
        self.clear_form()
        self.banner.clear_text()
        return True

    def apply_qr(self, text: str) -> bool:
        """Fill the applicant from a chip-card QR string; a bad scan says why and fills nothing."""
        from app import units
        from app.citizen_id import parse_cccd_qr, split_address

        self.errors["citizen_qr"].set_error("")
        try:
            qr = parse_cccd_qr(text)
        except UserError as e:
            self.errors["citizen_qr"].set_error(e.message(self.lang))
            return False
        self.name.setText(qr.full_name)
        self.citizen_id.setText(qr.citizen_id)
        self.dob.setText(date_vn(qr.date_of_birth))
        self.gender.setCurrentIndex(max(0, self.gender.findData(qr.gender.value)))
        detail, commune_part, province_part = split_address(qr.address)
        prov = units.search_provinces(province_part, limit=1) if province_part else []
        if prov:
            self.province.set_value(prov[0].code, prov[0].name)
        com = units.search_communes(prov[0].code if prov else None, commune_part, limit=1) \
            if commune_part else []
        if com:
            self._commune_chosen(com[0].code)
            self.address.setText(detail)
            self.address.setCursorPosition(0)
        else:  # an old (pre-2025) commune name: keep it in the detail, the clerk picks the new one
            self.commune.set_value("", "", emit=False)
            self.address.setText(", ".join(p for p in (detail, commune_part) if p))
            self.address.setCursorPosition(0)
        self.qr_status.setText(self.tr("Card scanned: %1, %2.").replace("%1", qr.full_name)
                               .replace("%2", qr.citizen_id))
        self._changed()
        (self.phone if not self.procedure.code() else self.procedure).setFocus()
        self.errors["citizen_id"].set_error("")
        spawn(self.load_history(qr.citizen_id))
        return True
