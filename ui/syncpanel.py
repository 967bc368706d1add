"""Sync: the status-bar indicator and the panel with parked events and "retry now".

The sync engine (sync/, another module) writes its state to the store; the GUI only reads it
with app.syncstate.read on the store worker, every few seconds. Going offline changes nothing
for the clerk but this indicator.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.fmt import datetime_vn
from ui.qtutil import Banner, spawn
from ui.session import Session


class SyncIndicator(QLabel):
    """"● Online · 0 waiting" / "● Offline since 09:12 · 3 waiting" in the status bar."""

    clicked = Signal()

    def update_state(self, st: dict) -> None:
        pending, parked = st.get("pending", 0), st.get("parked", 0)
        if not st.get("configured"):
            text, color = self.tr("○ Offline only (no gateway)"), "#555"
        elif st.get("online") is False:
            since = datetime_vn(st.get("offline_since")) if st.get("offline_since") else ""
            text = self.tr("● Offline since %1").replace("%1", since) if since else self.tr("● Offline")
            color = "#b35c00"
        elif st.get("online") is None:
            text, color = self.tr("● Not synced yet"), "#555"
        else:
            text, color = self.tr("● Online"), "#0b7a2a"
        text += " · " + self.tr("%1 waiting").replace("%1", str(pending))
        if parked:
            text += " · " + self.tr("%1 refused").replace("%1", str(parked))
            color = "#b00020"
        if st.get("last_success"):
            text += " · " + self.tr("last sync %1").replace("%1", datetime_vn(st["last_success"]))
        self.setText(text)
        self.setStyleSheet(f"QLabel {{ color:{color}; }}")
        self.setProperty("online", st.get("online"))
        self.setProperty("pending", pending)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)


class SyncPanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.banner = Banner(self)
        self.state_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, text in (("online", self.tr("Connection:")), ("gateway_url", self.tr("Gateway:")),
                          ("pending", self.tr("Waiting to send:")),
                          ("parked", self.tr("Refused by the province:")),
                          ("last_success", self.tr("Last successful sync:")),
                          ("last_error", self.tr("Last error:"))):
            lab = QLabel()
            lab.setWordWrap(True)
            form.addRow(text, lab)
            self.state_labels[key] = lab
        state = QGroupBox(self.tr("Sync with the province"))
        state.setLayout(form)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Dossier"), self.tr("Event"),
                                              self.tr("Reason"), self.tr("Since")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        parked = QGroupBox(self.tr("Events refused by the province (parked)"))
        QVBoxLayout(parked).addWidget(self.table)
        # the gateway's signing certificate (province events): in use, replaced, refused
        self.pin_labels: dict[str, QLabel] = {}
        pins_form = QFormLayout()
        for key, text in (("current", self.tr("In use:")), ("replaced", self.tr("Replaced:")),
                          ("refused", self.tr("Refused announcements:"))):
            lab = QLabel()
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            pins_form.addRow(text, lab)
            self.pin_labels[key] = lab
        self.pins_box = QGroupBox(self.tr("Gateway signing certificate (province events)"))
        self.pins_box.setLayout(pins_form)
        # pulled events this counter refused (app/pullretry.py): retried or refused for good
        self.refused_table = QTableWidget(0, 6)
        self.refused_table.setHorizontalHeaderLabels([
            self.tr("Dossier"), self.tr("Event"), self.tr("From"), self.tr("Reason"),
            self.tr("Signed by"), self.tr("What happens")])
        self.refused_table.verticalHeader().hide()
        self.refused_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.refused_table.setWordWrap(True)
        hh = self.refused_table.horizontalHeader()
        for col in (0, 1, 2):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        for col in (3, 4, 5):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        # wrapped cells: row heights follow the columns' widths as the window is resized
        hh.sectionResized.connect(lambda *_: self.refused_table.resizeRowsToContents())
        self.refused_box = QGroupBox(self.tr("Pulled events not applied here"))
        QVBoxLayout(self.refused_box).addWidget(self.refused_table)
        self.retry_btn = QPushButton(self.tr("&Retry now"))
        self.refresh_btn = QPushButton(self.tr("Re&fresh"))
        self.retry_btn.clicked.connect(lambda: spawn(self.retry()))
        self.refresh_btn.clicked.connect(lambda: spawn(self.refresh()))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.refresh_btn)
        row.addWidget(self.retry_btn)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(state)
        lay.addWidget(self.pins_box)
        lay.addWidget(parked, 1)
        lay.addWidget(self.refused_box, 1)
        lay.addLayout(row)

    async def refresh(self) -> None:
        st = await self.session.sync_state()
        events = await self.session.parked_events()
        L = self.state_labels
        if not st.get("configured"):
            L["online"].setText(self.tr("Offline only: no gateway configured. Dossiers are kept "
                                        "here and sent once a gateway is set in Settings."))
        elif st.get("online") is False:
            L["online"].setText(self.tr("Offline since %1 — work goes on; everything is sent "
                                        "when the link returns.")
                                .replace("%1", datetime_vn(st.get("offline_since"))))
        elif st.get("online") is None:
            L["online"].setText(self.tr("Not synced yet"))
        else:
            L["online"].setText(self.tr("Online"))
        L["gateway_url"].setText(st.get("gateway_url") or self.tr(
            "— (not enrolled: an administrator pastes the enrolment line from the province in "
            "Settings → Provincial gateway)"))
        L["pending"].setText(str(st.get("pending", 0)))
        L["parked"].setText(str(st.get("parked", 0)))
        L["last_success"].setText(datetime_vn(st.get("last_success")) or "—")
        en = getattr(self.session, "lang", "vi") == "en"
        err = datetime_vn(st.get("last_error")) or ""  # when it failed, as the rows above
        if st.get("last_error_reason"):
            words = st.get("last_error_en" if en else "last_error_vi")
            err = f"{err} ({st['last_error_reason']})" + (f" — {words}" if words else "")
        L["last_error"].setText(err or "—")
        self.table.setRowCount(len(events))
        for i, e in enumerate(events):
            reason = e.get("reason_en" if en else "reason_vi") or e.get("parked_reason") or ""
            for c, v in enumerate((e["dossier_code"], e["type"], reason,
                                   datetime_vn(e.get("updated_at")))):
                self.table.setItem(i, c, QTableWidgetItem(v))
        # offline with events waiting is exactly when a clerk wants to try now
        self.retry_btn.setEnabled(bool(events) or bool(st.get("pending")))
        from app import syncview

        view = await self.session.run(syncview.gateway_certificates, self.session.counter, st)
        self._show_pins(view, en)
        self._show_refused(st, en)

    def _pin_text(self, pin: dict) -> str:
        via = {"enrolment": self.tr("pinned at enrolment"),
               "announcement": self.tr("pinned from the gateway's signed announcement"),
               "admin": self.tr("pinned by an administrator"),
               "unaudited": self.tr("pinned, but the audit log does not record it — added to the "
                                    "store file? run 'motcua verify'")}.get(pin.get("via") or "",
                                                                           "")
        parts = [pin["short"], pin.get("name") or self.tr("(subject not known yet)")]
        if pin.get("since"):
            parts.append(self.tr("since %1").replace("%1", datetime_vn(pin["since"])))
        if pin.get("retired_from"):
            parts.append(self.tr("replaced from %1").replace("%1",
                                                              datetime_vn(pin["retired_from"])))
        if via:
            parts.append(via)
        return " — ".join(parts)

    def _show_pins(self, view: dict, en: bool) -> None:
        L = self.pin_labels
        current = view.get("current")
        L["current"].setText(self._pin_text(current) if current else self.tr(
            "none pinned yet: province events are refused until the counter is enrolled"))
        L["current"].setToolTip(f"SHA-256 {current['sha256']}" if current else "")
        unaudited = current is not None and current.get("via") == "unaudited"
        L["current"].setStyleSheet("QLabel { color:#b00020; }" if unaudited else "")
        replaced = view.get("replaced") or []
        L["replaced"].setText("\n".join(self._pin_text(p) for p in reversed(replaced)) or "—")
        L["replaced"].setToolTip("\n".join(f"SHA-256 {p['sha256']}" for p in replaced))
        refused = view.get("refused") or []
        lines = []
        for r in refused:
            line = f"{datetime_vn(r.get('at'))} — " + str(r.get("reason_en" if en else "reason_vi"))
            if r.get("next"):
                line += " — " + self.tr("certificate announced: %1").replace(
                    "%1", str(r["next"])[:16] + "…")
            lines.append(line + f" ({r.get('reason')})")
        L["refused"].setText("\n".join(lines) or "—")
        L["refused"].setStyleSheet("QLabel { color:#b00020; }" if lines else "")
        self.pins_box.setProperty("refused_announcements", len(refused))

    def _show_refused(self, st: dict, en: bool) -> None:
        rows = st.get("refused_events") or []
        origin = {"province": self.tr("province"), "counter": self.tr("another counter")}
        self.refused_table.setRowCount(len(rows))
        for i, e in enumerate(rows):
            signer = e.get("signer_name") or "?"
            if e.get("signer_sha256"):
                signer += f" ({str(e['signer_sha256'])[:16]}…)"
            since = self.tr("pulled %1").replace("%1", datetime_vn(e.get("refused_at")))
            values = (e["dossier_code"], e.get("type_en" if en else "type_vi") or e["type"],
                      origin.get(e["origin"], e["origin"]),
                      f"{e.get('reason_en' if en else 'reason_vi')} ({e['reason']})", signer,
                      f"{e.get('kind_en' if en else 'kind_vi')} — {since}")
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                if e.get("final"):
                    item.setForeground(QColor("#b00020"))
                self.refused_table.setItem(i, c, item)
        self.refused_table.resizeRowsToContents()
        total = int(st.get("refused_events_count") or len(rows))
        self.refused_box.setTitle(self.tr("Pulled events not applied here (%1)")
                                  .replace("%1", str(total)))
        self.refused_box.setProperty("count", total)

    async def retry(self) -> None:
        n = await self.session.retry_parked()  # also wakes the engine: it tries at once
        if n:
            text = self.tr("%1 event(s) queued to be sent again.").replace("%1", str(n))
        elif self.session.sync is None:
            text = self.tr("This counter is not enrolled with a gateway: the events wait here.")
        else:
            text = self.tr("Trying to send the waiting events now.")
        self.banner.show_text(text, "ok")
        await self.refresh()
