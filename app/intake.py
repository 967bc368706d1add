"""Intake: validate → code → appointment → sign → one transaction.

The dossier row, its `received` event (exact signed bytes + signature), the attachments, an
audit entry and an outbox entry are written in ONE SQLite transaction, so a crash leaves the
whole dossier or nothing. Signing happens inside that transaction (the code is part of the
signed bytes); if it fails, nothing is written and the caller keeps the form data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

import uuid6

from app import attachments as att
from app import evidence
from app.context import Counter
from app.domain import (
    VN_TZ,
    Address,
    Applicant,
    Channel,
    DocumentItem,
    EventType,
    Gender,
    PortalStatus,
    iso,
    now_vn,
    to_plain,
)
from app.dossier_code import format_code
from app.errors import UserError
from localdb import audit, outbox
from localdb import dossiers as repo

log = logging.getLogger(__name__)

PAYLOAD_VERSION = evidence.PAYLOAD_VERSION
DOCUMENT_FORMS = ("original", "copy", "certified_copy", "shown")  # as app.inputs
RETURN_METHODS = ("at_counter", "post", "online")
MAX_LATE_ENTRY_DAYS = 60
MAX_CLOCK_AHEAD = timedelta(minutes=5)


class EventSigner(Protocol):
    """What intake needs from a signer (signing.signer.Signer satisfies it)."""

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class IntakeRequest:
    procedure_code: str
    applicant: Applicant
    documents: tuple[DocumentItem, ...]
    channel: Channel = Channel.IN_PERSON
    sets: int = 1
    fee_vnd: int | None = None
    received_at: datetime | None = None  # explicit only for late entry of a paper dossier
    return_method: str = "at_counter"
    note: str = ""
    attachments: tuple[Path, ...] = field(default_factory=tuple)


def parse_request(data: dict, attach: Sequence[Path] = ()) -> IntakeRequest:
    """Turn the CLI/GUI JSON shape into a request, collecting every field error at once.

    The shape, limits and text rules are declared once in `app.inputs.IntakeIn` (strict: no
    coercion, NFC, no control characters); a refusal is a ValidationError whose messages
    name each field and its limit."""
    from app import inputs, units

    doc = inputs.validate(inputs.IntakeIn, data)
    a = doc.applicant
    address = Address()
    if a.address is not None:
        if a.address.province_code or a.address.commune_code:
            p = units.province(a.address.province_code or "")
            c = units.commune(a.address.commune_code or "")
            address = Address(p.code, c.code, a.address.detail or "", p.name, c.name)
        else:
            address = Address(detail=a.address.detail or "")
    applicant = Applicant(
        a.full_name, a.citizen_id or "",
        date.fromisoformat(a.date_of_birth) if a.date_of_birth else None,
        Gender(a.gender) if a.gender else None, a.phone or "", a.email or "", address)
    return IntakeRequest(
        procedure_code=doc.procedure_code,
        applicant=applicant,
        documents=tuple(DocumentItem(d.name, d.form, d.count) for d in doc.documents),
        channel=Channel(doc.channel or "in_person"), sets=doc.sets, fee_vnd=doc.fee_vnd,
        received_at=datetime.fromisoformat(doc.received_at) if doc.received_at else None,
        return_method=doc.return_method or "at_counter", note=doc.note or "",
        attachments=tuple(Path(p) for p in attach),
    )


def receive(counter: Counter, req: IntakeRequest, *, clerk: str, signer: EventSigner,
            now: datetime | None = None) -> dict:
    """Receive one dossier, signed by the clerk. Returns the saved summary (as the CLI prints)."""
    counter.require_initialised()
    now = (now or now_vn()).astimezone(VN_TZ)
    procedure = counter.catalogue().get(req.procedure_code)
    if procedure is None:
        raise UserError(f"Không có thủ tục mã '{req.procedure_code}' trong danh mục.",
                        f"No procedure '{req.procedure_code}' in the catalogue.",
                        field="procedure_code", code="unknown_procedure")
    clerk_row = counter.store.query(
        "SELECT username, display_name, locked FROM users WHERE username = ?", (clerk,))
    if not clerk_row:
        raise UserError(f"Không có cán bộ tiếp nhận '{clerk}'.", f"No clerk account '{clerk}'.",
                        field="clerk", code="no_user")
    if clerk_row[0]["locked"]:
        raise UserError(f"Tài khoản '{clerk}' đang bị khoá.", f"Account '{clerk}' is locked.",
                        field="clerk", code="locked")
    from app.binding import check_signer

    # refuse an unusable key (expired, revoked, wrong usage, untrusted) or a certificate not
    # bound to this clerk before a dossier number is taken: signing checks both again inside
    # the write transaction, but a number taken there is never reissued (a gap `verify` reports)
    check = getattr(signer, "check", None)
    if callable(check):
        check()
    check_signer(counter.store, clerk, signer)

    late = req.received_at is not None
    received_at = (req.received_at or now).astimezone(VN_TZ).replace(microsecond=0)
    if late:
        if received_at > now + MAX_CLOCK_AHEAD:
            raise UserError("Thời điểm tiếp nhận nằm ở tương lai.", "The receipt time is in the future.",
                            field="received_at")
        if received_at < now - timedelta(days=MAX_LATE_ENTRY_DAYS):
            raise UserError(
                f"Chỉ nhập bù hồ sơ tiếp nhận trong vòng {MAX_LATE_ENTRY_DAYS} ngày.",
                f"Late entry is limited to dossiers received in the last {MAX_LATE_ENTRY_DAYS} days.",
                field="received_at")
    legal_time = procedure.time_for(req.channel.value)
    appointment = counter.calendar().appointment(received_at, legal_time)
    # scans are copied to .incoming/ and parsed now; moved into place only after the commit
    staged = att.stage_files(req.attachments, counter.settings.attachments_dir,
                             counter.settings.attachment_max_bytes)
    stored = [s.attachment for s in staged]
    fee = req.fee_vnd if req.fee_vnd is not None else procedure.fee_vnd

    dossier_id = str(uuid6.uuid7())
    event_id = str(uuid6.uuid7())
    recorded_at = iso(now)
    with att.committing(staged), counter.store.write() as conn:
        number = repo.next_sequence(conn, received_at.strftime("%Y-%m-%d"))
        code = format_code(counter.agency_code, received_at.date(), counter.counter_no, number)
        data = {
            "id": dossier_id,
            "code": code,
            "procedure": {
                "code": procedure.code, "name": procedure.name, "field": procedure.field,
                "processing_time": to_plain(legal_time),
                "fee_vnd": procedure.fee_vnd,
            },
            "applicant": to_plain(req.applicant),
            "documents": to_plain(list(req.documents)),
            "sets": req.sets,
            "fee_vnd": fee,
            "channel": req.channel.value,
            "return_method": req.return_method,
            "note": req.note,
            "received_at": iso(received_at),
            "appointment_at": iso(appointment) if appointment else None,
            "late_entry": late,
            "recorded_at": recorded_at,
            "attachments": to_plain(stored),
            "clerk": {"username": clerk, "display_name": clerk_row[0]["display_name"]},
            "centre": {"agency_code": counter.agency_code, "counter_no": counter.counter_no,
                       "name": counter.centre_name},
        }
        repo.insert_dossier(conn, {
            "id": dossier_id, "code": code, "procedure_code": procedure.code,
            "procedure_name": procedure.name, "applicant_name": req.applicant.full_name,
            "citizen_id": req.applicant.citizen_id, "phone": req.applicant.phone,
            "channel": req.channel.value, "received_at": iso(received_at),
            "appointment_at": data["appointment_at"], "status": int(PortalStatus.ACCEPTED),
            "clerk": clerk, "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
            "updated_at": recorded_at,
        })
        made = evidence.append_counter_event(
            conn, counter=counter, event_id=event_id, dossier_id=dossier_id, dossier_code=code,
            etype=EventType.RECEIVED.value, occurred_at=iso(received_at), actor=clerk, data=data,
            signer=signer, recorded_at=recorded_at)
        body = made["body"]
        repo.insert_attachments(conn, dossier_id, data["attachments"])
        audit.append(conn, at=recorded_at, actor=clerk, counter=counter.label,
                     action="dossier.late_entry" if late else "dossier.receive", subject=code,
                     detail={"dossier_id": dossier_id, "event_id": event_id,
                             "received_at": iso(received_at),
                             "signer_sha256": body["signer"].get("sha256", "")})
        outbox.enqueue(conn, event_id, recorded_at)
    log.info("dossier %s received by %s (late=%s)", code, clerk, late)
    return summary(data, PortalStatus.ACCEPTED)


signer_fields = evidence.signer_fields


def summary(data: dict, status: PortalStatus) -> dict:
    return {
        "id": data["id"], "code": data["code"], "status": status.slug, "status_code": int(status),
        "status_label": status.label_vi, "procedure_code": data["procedure"]["code"],
        "procedure_name": data["procedure"]["name"], "applicant": data["applicant"],
        "documents": data["documents"], "sets": data["sets"], "fee_vnd": data["fee_vnd"],
        "channel": data["channel"], "received_at": data["received_at"],
        "appointment_at": data["appointment_at"], "late_entry": data["late_entry"],
        "recorded_at": data["recorded_at"], "attachments": data["attachments"],
        "clerk": data["clerk"]["username"],
    }
