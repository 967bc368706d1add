"""Dossier detail: fields, the event timeline, signature and sync status, and the actions a
clerk takes afterwards (supplement, return the result, withdrawal, reprint)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import ALLOWED_AFTER, EventType, PortalStatus
from app.errors import ValidationError, is_user_facing, message_of
from ui.fmt import date_vn, datetime_vn, money
from ui.qtutil import Banner, FieldError, run_dialog, spawn
from ui.session import Session

log = logging.getLogger(__name__)

Submit = Callable[[dict[str, Any]], Awaitable[object]]


class ActionDialog(QDialog):
    """A small form whose OK runs an async submit; field errors stay in the dialog."""

    def __init__(self, title: str, fields: list[tuple[str, str, QWidget]], submit: Submit,
                 lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit, self.lang, self.result_value = submit, lang, None
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        form = QFormLayout()
        for name, label, widget in fields:
            lab = QLabel(label)
            lab.setBuddy(widget)
            box = QWidget()
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.addWidget(widget)
            err = FieldError()
            v.addWidget(err)
            form.addRow(lab, box)
            self.widgets[name], self.errors[name] = widget, err
        self.banner = Banner(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        # Qt ships no Vietnamese qtbase translation: name the standard buttons ourselves
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(lambda: spawn(self._ok()))
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addLayout(form)
        lay.addWidget(self.buttons)

    def values(self) -> dict[str, Any]:
        out = {}
        for name, w in self.widgets.items():
            if isinstance(w, QLineEdit):
                out[name] = w.text()
            elif isinstance(w, QPlainTextEdit):
                out[name] = w.toPlainText()
            elif isinstance(w, QComboBox):
                out[name] = w.currentData()
        return out

    async def _ok(self) -> None:
        for e in self.errors.values():
            e.set_error("")
        self.buttons.setEnabled(False)
        try:
            self.result_value = await self.submit(self.values())
        except ValidationError as e:
            rest = []
            for fld, text in e.by_field(self.lang).items():
                if fld in self.errors:
                    self.errors[fld].set_error(text)
                else:
                    rest.append(text)
            if rest:
                self.banner.show_text(" ".join(rest), "error")
            return
        except Exception as e:
            if not is_user_facing(e):
                raise
            self.banner.show_text(message_of(e, self.lang), "error")
            return
        finally:
            self.buttons.setEnabled(True)
        self.accept()


class DetailPage(QWidget):
    """One dossier. `show_code` loads it on the store worker; actions reload it."""

    changed = Signal(str)
    signature_state = Signal(str)  # a dossier entered or left the signature-mismatch state

    def __init__(self, session: Session, *, ensure_key: Callable[[], Awaitable[bool]],
                 reprint: Callable[[str, str], Awaitable[object]],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ensure_key, self.reprint = session, ensure_key, reprint
        self.lang = session.lang
        self.code = ""
        self.dossier: dict[str, Any] | None = None
        self.mismatch = False  # the row and its signed events disagree: nothing printed/signed
        self.banner = Banner(self)
        # the "không khớp chữ ký" state: a red strip over the whole screen
        self.mismatch_label = QLabel()
        self.mismatch_label.setObjectName("signatureMismatch")
        self.mismatch_label.setWordWrap(True)
        self.mismatch_label.setStyleSheet(
            "QLabel { background:#b00020; color:white; font-weight:bold; padding:8px; "
            "border-radius:3px; }")
        self.mismatch_label.hide()
        self.title = QLabel(self.tr("Open a dossier from the search screen (Ctrl+F)."))
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self.title.setFont(f)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setStyleSheet("QLabel { font-weight:bold; }")
        self.fields = QFormLayout()
        self.field_labels: dict[str, QLabel] = {}
        for key, text in (("applicant", self.tr("Applicant:")), ("citizen_id", self.tr("Citizen ID:")),
                          ("dob", self.tr("Date of birth:")), ("phone", self.tr("Phone:")),
                          ("address", self.tr("Address:")), ("procedure", self.tr("Procedure:")),
                          ("documents", self.tr("Documents:")), ("fee", self.tr("Fee:")),
                          ("received", self.tr("Received:")),
                          ("appointment", self.tr("Appointment:")), ("clerk", self.tr("Clerk:")),
                          ("attachments", self.tr("Scanned files:"))):
            lab = QLabel()
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields.addRow(text, lab)
            self.field_labels[key] = lab
        info = QGroupBox(self.tr("Dossier"))
        info.setLayout(self.fields)

        self.timeline = QTableWidget(0, 5)
        self.timeline.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Event"),
                                                 self.tr("From"), self.tr("By"),
                                                 self.tr("Synced")])
        self.timeline.verticalHeader().hide()
        self.timeline.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.timeline.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        tl = QGroupBox(self.tr("Timeline"))
        QVBoxLayout(tl).addWidget(self.timeline)

        self.sig_label = QLabel(self.tr("Signatures not checked yet."))
        self.sig_label.setWordWrap(True)
        self.verify_btn = QPushButton(self.tr("&Check signatures"))
        self.sync_label = QLabel()
        sig = QGroupBox(self.tr("Signature and sync"))
        sv = QVBoxLayout(sig)
        row = QHBoxLayout()
        row.addWidget(self.sig_label, 1)
        row.addWidget(self.verify_btn)
        sv.addLayout(row)
        sv.addWidget(self.sync_label)

        self.btn_supp = QPushButton(self.tr("Request &supplement…"))
        self.btn_supp_rcv = QPushButton(self.tr("Supplement recei&ved…"))
        self.btn_return = QPushButton(self.tr("&Return result…"))
        self.btn_withdraw = QPushButton(self.tr("&Withdrawal…"))
        self.btn_reprint = QPushButton(self.tr("Re&print receipt…"))
        self.btn_control = QPushButton(self.tr("Control slip (04)"))
        actions = QHBoxLayout()
        for b in (self.btn_supp, self.btn_supp_rcv, self.btn_return, self.btn_withdraw,
                  self.btn_reprint, self.btn_control):
            actions.addWidget(b)
            b.setEnabled(False)
        actions.addStretch(1)

        left = QVBoxLayout()
        left.addWidget(info)
        left.addWidget(sig)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(tl)
        cols = QHBoxLayout()
        cols.addLayout(left, 1)
        cols.addLayout(right, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(self.mismatch_label)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.status)
        lay.addLayout(head)
        lay.addLayout(cols, 1)
        lay.addLayout(actions)

        self.verify_btn.clicked.connect(lambda: spawn(self.check_signatures()))
        self.btn_supp.clicked.connect(lambda: spawn(self.request_supplement()))
        self.btn_supp_rcv.clicked.connect(lambda: spawn(self.supplement_received()))
        self.btn_return.clicked.connect(lambda: spawn(self.return_result()))
        self.btn_withdraw.clicked.connect(lambda: spawn(self.withdraw()))
        self.btn_reprint.clicked.connect(lambda: spawn(self.reprint_receipt()))
        self.btn_control.clicked.connect(lambda: spawn(self.print_slip("control")))

    # ------------------------------------------------------------------ loading
    async def show_code(self, code: str, *, keep_banner: bool = False) -> None:
        if not keep_banner:
            self.banner.clear_text()
        try:
            d = await self.session.show(code)
            # every opening checks this dossier's signed events against its row (one
            # dossier's events, on the store worker): a tampered row is never acted upon
            problems = await self.session.verify_dossier(d["code"])
        except Exception as e:
            if not is_user_facing(e):
                raise
            self.banner.show_text(message_of(e, self.lang), "error")
            return
        self.code, self.dossier = d["code"], d
        self._fill(d)
        self._show_signatures(problems)

    def _fill(self, d: dict[str, Any]) -> None:
        en = self.lang == "en"
        a = d["applicant"]
        addr = a.get("address") or {}
        self.title.setText(d["code"])
        self.status.setText(d["status_label_en"] if en else d["status_label"])
        gender = {"male": self.tr("male"), "female": self.tr("female")}.get(a.get("gender") or "", "")
        L = self.field_labels
        L["applicant"].setText(a["full_name"] + (f" ({gender})" if gender else ""))
        L["citizen_id"].setText(a.get("citizen_id") or "—")
        L["dob"].setText(date_vn(a.get("date_of_birth")) or "—")
        L["phone"].setText(a.get("phone") or "—")
        L["address"].setText(", ".join(p for p in (addr.get("detail"), addr.get("commune_name"),
                                                   addr.get("province_name")) if p) or "—")
        L["procedure"].setText(f"{d['procedure']['code']} — {d['procedure']['name']}")
        forms = {"original": self.tr("original"), "copy": self.tr("copy"),
                 "certified_copy": self.tr("certified copy"), "shown": self.tr("shown")}
        L["documents"].setText("\n".join(f"• {x['name']} ({forms.get(x['form'], x['form'])}, "
                                         f"{x['count']})" for x in d.get("documents", [])))
        L["fee"].setText(money(d.get("fee_vnd"), self.lang))
        L["received"].setText(datetime_vn(d["received_at"]))
        appt = datetime_vn(d["appointment_at"]) if d.get("appointment_at") else "—"
        if d.get("first_appointment_at") and d["first_appointment_at"] != d.get("appointment_at"):
            appt += "  " + self.tr("(first: %1)").replace("%1", datetime_vn(d["first_appointment_at"]))
        L["appointment"].setText(appt)
        L["clerk"].setText(d.get("clerk", {}).get("display_name", "") if isinstance(d.get("clerk"), dict)
                           else str(d.get("clerk", "")))
        L["attachments"].setText("\n".join(x["name"] for x in d.get("attachments", [])) or "—")
        labels = self.event_labels()
        events = d.get("events", [])
        self.timeline.setRowCount(len(events))
        for i, e in enumerate(events):
            origin = self.tr("counter") if e["origin"] == "counter" else self.tr("province")
            text = labels.get(e["type"], e["type"]) + (f" — {e['note']}" if e.get("note") else "")
            synced = datetime_vn(e["synced_at"]) if e.get("synced_at") else self.tr("waiting")
            for c, v in enumerate((datetime_vn(e["occurred_at"]), text, origin, e["actor"], synced)):
                self.timeline.setItem(i, c, QTableWidgetItem(v))
        for c in (0, 2, 3, 4):  # the event's text gets the rest of the width
            self.timeline.resizeColumnToContents(c)
        self.timeline.resizeRowsToContents()
        pending = d.get("sync", {}).get("pending_events", 0)
        self.sync_label.setText(self.tr("All events sent to the province.") if not pending else
                                self.tr("%1 event(s) waiting to be sent to the province.")
                                .replace("%1", str(pending)))
        if d.get("contradictions"):
            self.banner.show_text(self.tr("This dossier has contradictory events; ask the "
                                          "province to check them."), "warn")
        self.sig_label.setText(self.tr("Signatures not checked yet."))
        status = PortalStatus(d["status_code"])
        allowed = ALLOWED_AFTER.get(status, set())
        self.btn_supp.setEnabled(EventType.SUPPLEMENT_REQUESTED in allowed)
        self.btn_supp_rcv.setEnabled(EventType.SUPPLEMENT_RECEIVED in allowed)
        self.btn_return.setEnabled(EventType.RETURNED in allowed)
        self.btn_withdraw.setEnabled(EventType.WITHDRAWN in allowed)
        self.btn_reprint.setEnabled(True)
        self.btn_control.setEnabled(True)

    def _show_signatures(self, problems: list[dict[str, Any]]) -> None:
        """The checked state: green when every signature holds and the row matches them; the
        red "không khớp chữ ký" state otherwise, with printing, slips and signing disabled."""
        was, self.mismatch = self.mismatch, bool(problems)
        if was or self.mismatch:  # the search list marks (or unmarks) it
            self.signature_state.emit(self.code)
        if not problems:
            self.mismatch_label.hide()
            self.title.setStyleSheet("")
            for b in (self.btn_supp, self.btn_supp_rcv, self.btn_return, self.btn_withdraw,
                      self.btn_reprint, self.btn_control):
                b.setToolTip("")
            self.sig_label.setText(self.tr("✔ Every signature is valid and the data matches."))
            self.sig_label.setStyleSheet("QLabel { color:#0b5a1e; }")
            return
        key = "message_en" if self.lang == "en" else "message_vi"
        details = "; ".join(dict.fromkeys(p[key] for p in problems))
        self.mismatch_label.setText(self.tr("Signature mismatch — run 'motcua verify'") + "\n"
                                    + details)
        self.mismatch_label.show()
        self.title.setStyleSheet("QLabel { color:#b00020; }")
        self.sig_label.setText(self.tr("✘ Not valid: ") + details)
        self.sig_label.setStyleSheet("QLabel { color:#b00020; }")
        for b in (self.btn_supp, self.btn_supp_rcv, self.btn_return, self.btn_withdraw,
                  self.btn_reprint, self.btn_control):
            b.setEnabled(False)
            b.setToolTip(self.tr("Signature mismatch — run 'motcua verify'"))

    def _refused_for_mismatch(self) -> bool:
        """True (with the red banner) when this dossier is in the mismatch state."""
        if self.mismatch:
            self.banner.show_text(self.tr("Signature mismatch — run 'motcua verify'"), "error")
        return self.mismatch

    def event_labels(self) -> dict[str, str]:
        return {
            "received": self.tr("Received at the counter"), "refused": self.tr("Not accepted"),
            "forwarded": self.tr("Forwarded for processing"), "processing": self.tr("Processing"),
            "supplement_requested": self.tr("Supplement requested"),
            "supplement_received": self.tr("Supplement received"),
            "fee_requested": self.tr("Fee requested"), "fee_paid": self.tr("Fee paid"),
            "withdrawn": self.tr("Withdrawn"), "stopped": self.tr("Processing stopped"),
            "result_ready": self.tr("Result ready"), "returned": self.tr("Result returned"),
            "submitted_online": self.tr("Submitted online"),
        }

    async def check_signatures(self) -> None:
        if not self.code:
            return
        self.verify_btn.setEnabled(False)
        self.sig_label.setText(self.tr("Checking…"))
        try:
            problems = await self.session.verify_dossier(self.code)
        finally:
            self.verify_btn.setEnabled(True)
        if self.mismatch and not problems:  # repaired meanwhile: buttons follow the state again
            await self.show_code(self.code, keep_banner=True)
            return
        self._show_signatures(problems)

    # ------------------------------------------------------------------ actions
    async def _act(self, title: str, fields: list[tuple[str, str, QWidget]], submit: Submit,
                   on_dialog: Callable[[ActionDialog], None] | None = None) -> bool:
        if not self.code or self._refused_for_mismatch() or not await self.ensure_key():
            return False
        dlg = ActionDialog(title, fields, submit, self.lang, self)
        if on_dialog is not None:
            on_dialog(dlg)
        self._dialog = dlg  # tests reach the open dialog here
        ok = await run_dialog(dlg) == QDialog.DialogCode.Accepted
        self._dialog = None
        if ok:
            r = dlg.result_value
            if isinstance(r, dict) and r.get("status_label"):
                label = PortalStatus(r["status_code"]).label_en if self.lang == "en" \
                    else r["status_label"]
                self.banner.show_text(self.tr("Done: %1 is now «%2».").replace("%1", self.code)
                                      .replace("%2", label), "ok")
            await self.show_code(self.code, keep_banner=True)
            self.changed.emit(self.code)
        return ok

    _dialog: ActionDialog | None = None

    async def request_supplement(self) -> bool:
        items, reason = QPlainTextEdit(), QLineEdit()
        items.setTabChangesFocus(True)  # Tab goes on to "Reason", never inserts a tab
        items.setPlaceholderText(self.tr("one missing document per line"))

        async def submit(v: dict[str, Any]) -> object:
            lines = [x.strip() for x in v["items"].splitlines() if x.strip()]
            return await self.session.request_supplement(
                self.code, [{"name": x, "form": "original"} for x in lines], v["reason"])

        ok = await self._act(self.tr("Request supplement"),
                             [("items", self.tr("&Missing documents:"), items),
                              ("reason", self.tr("&Reason:"), reason)], submit)
        if ok:  # the citizen leaves with form 02: what to bring, and why
            await self.print_slip("supplement")
        return ok

    async def print_slip(self, kind: str) -> str:
        """Form 02 (supplement request) or 04 (processing control) of this dossier."""
        from ui.receipt_actions import print_model

        if not self.code or self._refused_for_mismatch():
            return ""
        try:
            model = await self.session.slip(kind, self.code)
            where = await print_model(self.session, model,
                                      f"{self.code}-{'02' if kind == 'supplement' else '04'}")
        except Exception as e:
            if not is_user_facing(e):
                raise
            if getattr(e, "code", "") == "signature_mismatch":  # found while rendering
                self.session.note_verified(self.code, False)
                self._show_signatures(await self.session.verify_dossier(self.code))
            self.banner.show_text(message_of(e, self.lang), "error")
            return ""
        self.banner.show_text(self.tr("Slip printed: %1").replace("%1", where), "ok")
        return where

    async def supplement_received(self) -> bool:
        note = QLineEdit()

        async def submit(v: dict[str, Any]) -> object:
            return await self.session.supplement_received(self.code, v["note"])

        return await self._act(self.tr("Supplement received"), [("note", self.tr("&Note:"), note)],
                               submit)

    async def return_result(self) -> bool:
        a = (self.dossier or {}).get("applicant", {})
        name, cid = QLineEdit(a.get("full_name", "")), QLineEdit(a.get("citizen_id", ""))
        relation, method, note = QComboBox(), QComboBox(), QLineEdit()
        relation.addItem(self.tr("The applicant"), "self")
        relation.addItem(self.tr("Authorised person"), "authorised")
        method.addItem(self.tr("At the counter"), "at_counter")
        method.addItem(self.tr("By post"), "post")

        async def submit(v: dict[str, Any]) -> object:
            return await self.session.return_result(
                self.code, recipient_name=v["recipient_name"], recipient_id=v["citizen_id"],
                relation=v["relation"], method=v["method"], note=v["note"])

        def scanning(dlg: ActionDialog) -> None:
            """The recipient shows their card: a scan fills who took the result."""
            from app.citizen_id import parse_cccd_qr
            from app.errors import UserError
            from ui.scanlistener import ScanListener

            dlg.banner.show_text(self.tr("Scan the recipient's citizen ID card to fill who "
                                         "takes the result."), "ok")

            def scanned(text: str) -> None:
                try:
                    qr = parse_cccd_qr(text)
                except UserError as e:
                    dlg.banner.show_text(e.message(self.lang), "error")
                    return
                name.setText(qr.full_name)
                cid.setText(qr.citizen_id)
                own = qr.citizen_id == (a.get("citizen_id") or "")
                relation.setCurrentIndex(relation.findData("self" if own else "authorised"))
                dlg.banner.show_text(self.tr("Card scanned: %1, %2.").replace("%1", qr.full_name)
                                     .replace("%2", qr.citizen_id), "ok")

            dlg.scanner = ScanListener(dlg)
            dlg.scanner.scanned.connect(scanned)

        ok = await self._act(self.tr("Return the result"),
                             [("recipient_name", self.tr("Handed to (&name):"), name),
                              ("citizen_id", self.tr("Their citizen &ID:"), cid),
                              ("relation", self.tr("&Relation:"), relation),
                              ("method", self.tr("&Method:"), method),
                              ("note", self.tr("N&ote:"), note)], submit, scanning)
        if ok:  # the hand-over on paper: form 04 with the return, for the recipient to sign
            await self.print_slip("control")
        return ok

    async def withdraw(self) -> bool:
        reason = QLineEdit()

        async def submit(v: dict[str, Any]) -> object:
            return await self.session.withdraw(self.code, v["reason"])

        return await self._act(self.tr("Record withdrawal"),
                               [("reason", self.tr("&Reason:"), reason)], submit)

    async def reprint_receipt(self) -> bool:
        reason = QLineEdit()

        async def submit(v: dict[str, Any]) -> object:
            if not v["reason"].strip():
                from app.errors import UserError

                raise ValidationError([UserError("Cần ghi lý do in lại.",
                                                 "Give the reason for the reprint.",
                                                 field="reason")])
            return await self.reprint(self.code, v["reason"])

        if not self.code or self._refused_for_mismatch():
            return False
        dlg = ActionDialog(self.tr("Reprint the receipt"),
                           [("reason", self.tr("&Reason:"), reason)], submit, self.lang, self)
        self._dialog = dlg
        ok = await run_dialog(dlg) == QDialog.DialogCode.Accepted
        self._dialog = None
        return ok
