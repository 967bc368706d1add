"""What happens to a dossier after intake: every action is a signed, appended event.

request supplement · record supplement received · return the result · record withdrawal.
Each writes the event (exact signed bytes + signature), the new status, an audit entry and an
outbox entry in one transaction; an action the current status does not allow is refused with
a message naming the status. Province events arrive through `apply_remote_events`.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import uuid6

from app import evidence
from app.context import Counter
from app.domain import ALLOWED_AFTER, VN_TZ, EventType, PortalStatus, iso, now_vn
from app.errors import UserError
from app.intake import EventSigner
from app.status import derive_status
from localdb import audit, outbox
from localdb import dossiers as repo

log = logging.getLogger(__name__)

SUPPLEMENT_FORMS = ("original", "certified_copy", "copy")  # as app.inputs


def _load(conn, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    row = repo.get(conn, code=code.strip())
    if row is None:
        raise UserError(f"Không tìm thấy hồ sơ '{code}'.", f"Dossier '{code}' not found.",
                        field="code", code="not_found")
    return row, repo.events_of(conn, row["id"])


def _check_allowed(status: PortalStatus, etype: EventType, code: str) -> None:
    if etype not in ALLOWED_AFTER.get(status, set()):
        raise UserError(
            f"Không thể thực hiện khi hồ sơ {code} đang ở trạng thái «{status.label_vi}».",
            f"Not possible while dossier {code} is «{status.label_en}».",
            code="not_allowed")


def record(counter: Counter, code: str, etype: EventType, data: dict[str, Any], *, clerk: str,
           signer: EventSigner, now: datetime | None = None) -> dict[str, Any]:
    """Append one signed counter event; returns {code, event_id, type, status…}."""
    counter.require_initialised()
    now = (now or now_vn()).astimezone(VN_TZ).replace(microsecond=0)
    event_id = str(uuid6.uuid7())
    with counter.store.write() as conn:
        row, events = _load(conn, code)
        current = derive_status(events).status
        _check_allowed(current, etype, row["code"])
        occurred = iso(now)
        if events and occurred < max(e["occurred_at"] for e in events):
            occurred = max(e["occurred_at"] for e in events)  # a clock set back never reorders
        evidence.append_counter_event(
            conn, counter=counter, event_id=event_id, dossier_id=row["id"],
            dossier_code=row["code"], etype=etype.value, occurred_at=occurred, actor=clerk,
            data=data, signer=signer, recorded_at=iso(now))
        new = derive_status([*events, {"id": event_id, "type": etype.value,
                                       "occurred_at": occurred, "seq": 1 << 62}]).status
        repo.set_status(conn, row["id"], int(new), iso(now))
        if data.get("appointment_at"):
            conn.execute("UPDATE dossiers SET appointment_at = ? WHERE id = ?",
                         (data["appointment_at"], row["id"]))
        audit.append(conn, at=iso(now), actor=clerk, counter=counter.label,
                     action=f"dossier.{etype.value}", subject=row["code"],
                     detail={"event_id": event_id})
        outbox.enqueue(conn, event_id, iso(now))
    log.info("dossier %s: %s by %s", row["code"], etype.value, clerk)
    return {"code": row["code"], "event_id": event_id, "type": etype.value,
            "status": new.slug, "status_code": int(new), "status_label": new.label_vi}


def request_supplement(counter: Counter, code: str, items: list[dict[str, Any]], *,
                       reason: str, clerk: str, signer: EventSigner,
                       now: datetime | None = None) -> dict[str, Any]:
    """Form 02: what is missing (name, original/certified/photocopy) and why. Items and reason
    follow app.inputs.SupplementIn (≤ 100 items of ≤ 300 characters, reason ≤ 2,000)."""
    from app import inputs

    doc = inputs.validate(inputs.SupplementIn, {"items": list(items or []), "reason": reason})
    clean = [{"name": it.name, "form": it.form, "count": it.count} for it in doc.items]
    return record(counter, code, EventType.SUPPLEMENT_REQUESTED,
                  {"items": clean, "reason": doc.reason}, clerk=clerk, signer=signer, now=now)


def record_supplement_received(counter: Counter, code: str, *, note: str = "", clerk: str,
                               signer: EventSigner, now: datetime | None = None) -> dict[str, Any]:
    """The processing time counts again from the complete dossier: a new appointment."""
    from app import inputs

    note = inputs.clean_text(note, "note", inputs.NOTE_MAX, multiline=True)
    now = (now or now_vn()).astimezone(VN_TZ).replace(microsecond=0)
    row = counter.store.query("SELECT data FROM dossiers WHERE code = ?", (code.strip().upper(),))
    appointment = None
    if row:
        proc = counter.catalogue().get(json.loads(row[0]["data"])["procedure"]["code"])
        if proc is not None:
            when = counter.calendar().appointment(now, proc.time_for(json.loads(row[0]["data"])["channel"]))
            appointment = iso(when) if when else None
    return record(counter, code, EventType.SUPPLEMENT_RECEIVED,
                  {"note": note, "appointment_at": appointment}, clerk=clerk,
                  signer=signer, now=now)


def return_result(counter: Counter, code: str, *, recipient_name: str, recipient_id: str = "",
                  relation: str = "self", method: str = "at_counter", note: str = "", clerk: str,
                  signer: EventSigner, now: datetime | None = None) -> dict[str, Any]:
    """Hand the result over: to whom (name, ID), in person or by post (app.inputs.ReturnIn)."""
    from app import inputs

    doc = inputs.validate(inputs.ReturnIn, {
        "recipient_name": recipient_name, "citizen_id": recipient_id, "relation": relation,
        "method": method, "note": note})
    return record(counter, code, EventType.RETURNED,
                  {"recipient": {"name": doc.recipient_name, "citizen_id": doc.citizen_id,
                                 "relation": doc.relation},
                   "method": doc.method, "note": doc.note}, clerk=clerk, signer=signer, now=now)


def record_withdrawal(counter: Counter, code: str, *, reason: str, clerk: str, signer: EventSigner,
                      now: datetime | None = None) -> dict[str, Any]:
    from app import inputs

    reason = inputs.clean_text(reason, "reason", inputs.REASON_MAX, required=True,
                               multiline=True)
    return record(counter, code, EventType.WITHDRAWN, {"reason": reason}, clerk=clerk,
                  signer=signer, now=now)


def apply_remote_events(counter: Counter, events: list[dict[str, Any]]) -> dict[str, int]:
    """Events made elsewhere (province, the centre's other counters), as dicts with id,
    dossier_id, dossier_code, type, occurred_at, origin, actor, payload (bytes), signature
    (bytes | None), attachments: checked and applied by :func:`app.remote.apply_signed_events`
    (which materialises other counters' dossiers and holds events that arrive before their
    dossier)."""
    from app.remote import apply_signed_events
    from sync.wire import WireEvent

    wires = [WireEvent(id=e["id"], dossier_id=e["dossier_id"], dossier_code=e["dossier_code"],
                       type=e["type"], occurred_at=e["occurred_at"], origin=e["origin"],
                       actor=e["actor"], payload=e["payload"], signature=e.get("signature"),
                       attachments=tuple(e.get("attachments") or ())) for e in events]
    return apply_signed_events(counter, wires).to_dict()


def record_refusal(counter: Counter, *, reason: str, clerk: str, signer: EventSigner,
                   code: str | None = None, applicant: dict[str, Any] | None = None,
                   procedure_code: str = "", now: datetime | None = None) -> dict[str, Any]:
    """A refusal at the counter (form 03) is a signed record with its own number.

    With ``code``: the dossier must not have been accepted (a dossier registered online and
    not yet received); an accepted dossier is refused with a message (use a supplement
    request or a withdrawal). Without ``code`` (a dossier never entered): a new dossier code is
    issued from this counter's daily numbers and its first — and only — event is a signed
    ``refused`` record carrying what the citizen brought, so the refusal is numbered, audited,
    synced and verified like any dossier."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserError("Phải nêu lý do từ chối tiếp nhận.", "A refusal reason is required.",
                        field="reason")
    counter.require_initialised()
    if code:
        with counter.store._lock:
            row, events = _load(counter.store.conn, code)
        status = derive_status(events).status
        if status != PortalStatus.NEW:
            raise UserError(
                f"Hồ sơ {row['code']} đã được tiếp nhận («{status.label_vi}»): không lập phiếu "
                "từ chối được. Dùng phiếu yêu cầu bổ sung hoặc ghi nhận rút hồ sơ.",
                f"Dossier {row['code']} was already accepted («{status.label_en}»): a refusal "
                "slip is not possible. Use a supplement request or record a withdrawal.",
                code="not_allowed")
        return record(counter, code, EventType.REFUSED, {"reason": reason}, clerk=clerk,
                      signer=signer, now=now)
    from app.dossier_code import format_code

    now = (now or now_vn()).astimezone(VN_TZ).replace(microsecond=0)
    clerk_row = counter.store.query("SELECT display_name FROM users WHERE username = ?", (clerk,))
    if not clerk_row:
        raise UserError(f"Không có cán bộ '{clerk}'.", f"No clerk account '{clerk}'.",
                        field="clerk", code="no_user")
    a = applicant if isinstance(applicant, dict) else {}
    name = " ".join(str(a.get("full_name") or "").split())
    if not name:
        raise UserError("Thiếu họ tên người nộp hồ sơ.", "The applicant's name is missing.",
                        field="applicant_name")
    proc = counter.catalogue().get(procedure_code) if procedure_code else None
    dossier_id, event_id, at = str(uuid6.uuid7()), str(uuid6.uuid7()), iso(now)
    with counter.store.write() as conn:
        number = repo.next_sequence(conn, now.strftime("%Y-%m-%d"))
        new_code = format_code(counter.agency_code, now.date(), counter.counter_no, number)
        data = {
            "id": dossier_id, "code": new_code,
            "procedure": {"code": proc.code if proc else procedure_code,
                          "name": proc.name if proc else procedure_code,
                          "field": proc.field if proc else ""},
            "applicant": {"full_name": name,
                          "citizen_id": str(a.get("citizen_id") or "").strip(),
                          "phone": str(a.get("phone") or "").strip(),
                          "email": str(a.get("email") or "").strip(),
                          "address": a.get("address") if isinstance(a.get("address"), dict)
                          else {}},
            "documents": [], "sets": 1, "fee_vnd": None, "channel": "in_person",
            "return_method": "at_counter", "note": "", "received_at": at,
            "appointment_at": None, "late_entry": False, "recorded_at": at, "attachments": [],
            "clerk": {"username": clerk, "display_name": clerk_row[0]["display_name"]},
            "centre": {"agency_code": counter.agency_code, "counter_no": counter.counter_no,
                       "name": counter.centre_name},
            "refusal": {"reason": reason},
        }
        repo.insert_dossier(conn, {
            "id": dossier_id, "code": new_code, "procedure_code": data["procedure"]["code"],
            "procedure_name": data["procedure"]["name"], "applicant_name": name,
            "citizen_id": data["applicant"]["citizen_id"], "phone": data["applicant"]["phone"],
            "channel": "in_person", "received_at": at, "appointment_at": None,
            "status": int(PortalStatus.NOT_ACCEPTED), "clerk": clerk,
            "data": json.dumps(data, ensure_ascii=False, sort_keys=True), "updated_at": at,
        })
        evidence.append_counter_event(
            conn, counter=counter, event_id=event_id, dossier_id=dossier_id, dossier_code=new_code,
            etype=EventType.REFUSED.value, occurred_at=at, actor=clerk, data=data,
            signer=signer, recorded_at=at)
        audit.append(conn, at=at, actor=clerk, counter=counter.label, action="dossier.refused",
                     subject=new_code, detail={"dossier_id": dossier_id, "event_id": event_id,
                                               "reason": reason})
        outbox.enqueue(conn, event_id, at)
    log.info("refusal %s recorded by %s", new_code, clerk)
    return {"code": new_code, "event_id": event_id, "type": EventType.REFUSED.value,
            "status": PortalStatus.NOT_ACCEPTED.slug,
            "status_code": int(PortalStatus.NOT_ACCEPTED),
            "status_label": PortalStatus.NOT_ACCEPTED.label_vi}
