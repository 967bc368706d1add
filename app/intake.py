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
from app.errors import UserError, ValidationError
from localdb import audit, outbox
from localdb import dossiers as repo
from signing.canonical import canonical_bytes

log = logging.getLogger(__name__)

PAYLOAD_VERSION = 1
DOCUMENT_FORMS = ("original", "copy", "certified_copy", "shown")
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


def _err(vi: str, en: str, fld: str) -> UserError:
    return UserError(vi, en, field=fld)


def parse_request(data: dict, attach: Sequence[Path] = ()) -> IntakeRequest:
    """Turn the CLI/GUI JSON shape into a request, collecting every field error at once."""
    from app.citizen_id import validate_citizen_id

    errors: list[UserError] = []
    if not isinstance(data, dict):
        raise ValidationError([_err("Dữ liệu hồ sơ phải là một đối tượng JSON.",
                                    "Dossier data must be a JSON object.", "")])
    a = data.get("applicant") or {}
    if not isinstance(a, dict):
        a = {}
        errors.append(_err("Thiếu thông tin người nộp.", "Applicant is missing.", "applicant"))
    name = " ".join(str(a.get("full_name") or "").split())
    if not name:
        errors.append(_err("Cần nhập họ tên người nộp.", "The applicant's full name is required.",
                            "full_name"))
    dob: date | None = None
    if a.get("date_of_birth"):
        try:
            dob = date.fromisoformat(str(a["date_of_birth"]))
            if dob > date.today() or dob.year < 1900:
                raise ValueError
        except ValueError:
            errors.append(_err(f"Ngày sinh '{a['date_of_birth']}' không hợp lệ (YYYY-MM-DD).",
                               f"Date of birth '{a['date_of_birth']}' is invalid (YYYY-MM-DD).",
                               "date_of_birth"))
    gender: Gender | None = None
    if a.get("gender"):
        try:
            gender = Gender(str(a["gender"]))
        except ValueError:
            errors.append(_err("Giới tính phải là 'male' hoặc 'female'.",
                               "Gender must be 'male' or 'female'.", "gender"))
    cid = str(a.get("citizen_id") or "").strip()
    if cid:
        try:
            cid = validate_citizen_id(cid, date_of_birth=dob, gender=gender)
        except UserError as e:
            errors.append(e)
    phone = "".join(ch for ch in str(a.get("phone") or "") if ch.isdigit() or ch == "+")
    if phone and not (9 <= len(phone.lstrip("+")) <= 12):
        errors.append(_err(f"Số điện thoại '{a.get('phone')}' không hợp lệ.",
                           f"Phone number '{a.get('phone')}' is invalid.", "phone"))
    email = str(a.get("email") or "").strip()
    if email and ("@" not in email or " " in email):
        errors.append(_err(f"Thư điện tử '{email}' không hợp lệ.", f"E-mail '{email}' is invalid.",
                           "email"))
    addr = a.get("address") or {}
    address = Address()
    if isinstance(addr, dict) and (addr.get("province_code") or addr.get("commune_code")):
        from app import units

        try:
            units.validate_address(str(addr.get("province_code") or ""),
                                   str(addr.get("commune_code") or ""))
            p = units.province(str(addr["province_code"]))
            c = units.commune(str(addr["commune_code"]))
            address = Address(p.code, c.code, str(addr.get("detail") or "").strip(), p.name, c.name)
        except UserError as e:
            errors.append(e)
    elif isinstance(addr, dict):
        address = Address(detail=str(addr.get("detail") or "").strip())

    code = str(data.get("procedure_code") or "").strip()
    if not code:
        errors.append(_err("Cần chọn thủ tục.", "A procedure is required.", "procedure_code"))

    docs: list[DocumentItem] = []
    raw_docs = data.get("documents")
    if not isinstance(raw_docs, list) or not raw_docs:
        errors.append(_err("Cần ghi ít nhất một giấy tờ đã nhận.",
                           "List at least one document received.", "documents"))
    else:
        for i, d in enumerate(raw_docs, 1):
            if isinstance(d, str):
                d = {"name": d}
            if not isinstance(d, dict) or not str(d.get("name") or "").strip():
                errors.append(_err(f"Giấy tờ thứ {i} thiếu tên.", f"Document {i} has no name.",
                                   "documents"))
                continue
            form = str(d.get("form") or "original")
            try:
                count = int(d.get("count", 1))
            except (TypeError, ValueError):
                count = 0
            if form not in DOCUMENT_FORMS:
                errors.append(_err(f"Giấy tờ thứ {i}: hình thức '{form}' không hợp lệ.",
                                   f"Document {i}: form '{form}' is invalid.", "documents"))
            elif count < 1 or count > 99:
                errors.append(_err(f"Giấy tờ thứ {i}: số lượng phải từ 1 đến 99.",
                                   f"Document {i}: count must be 1 to 99.", "documents"))
            else:
                docs.append(DocumentItem(" ".join(str(d["name"]).split()), form, count))

    try:
        channel = Channel(str(data.get("channel") or "in_person"))
    except ValueError:
        errors.append(_err("Kênh nộp phải là in_person, online hoặc post.",
                           "Channel must be in_person, online or post.", "channel"))
        channel = Channel.IN_PERSON
    try:
        sets = int(data.get("sets", 1))
        if not 1 <= sets <= 20:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(_err("Số bộ hồ sơ phải từ 1 đến 20.", "Number of sets must be 1 to 20.", "sets"))
        sets = 1
    fee: int | None = None
    if data.get("fee_vnd") is not None:
        try:
            fee = int(data["fee_vnd"])
            if fee < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(_err("Lệ phí phải là số đồng không âm.", "Fee must be a non-negative amount.",
                               "fee_vnd"))
    received_at: datetime | None = None
    if data.get("received_at"):
        try:
            received_at = datetime.fromisoformat(str(data["received_at"]))
            if received_at.tzinfo is None:
                raise ValueError
        except ValueError:
            errors.append(_err("Thời điểm tiếp nhận phải có dạng ISO kèm múi giờ, "
                               "ví dụ 2026-11-23T09:15:00+07:00.",
                               "received_at must be ISO with an offset, e.g. 2026-11-23T09:15:00+07:00.",
                               "received_at"))
    ret = str(data.get("return_method") or "at_counter")
    if ret not in RETURN_METHODS:
        errors.append(_err("Hình thức trả kết quả phải là at_counter, post hoặc online.",
                           "Return method must be at_counter, post or online.", "return_method"))
    if errors:
        raise ValidationError(errors)
    return IntakeRequest(
        procedure_code=code,
        applicant=Applicant(name, cid, dob, gender, phone, email, address),
        documents=tuple(docs), channel=channel, sets=sets, fee_vnd=fee, received_at=received_at,
        return_method=ret, note=str(data.get("note") or "").strip(),
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
    stored = [att.store_file(p, counter.settings.attachments_dir,
                             counter.settings.attachment_max_bytes) for p in req.attachments]
    fee = req.fee_vnd if req.fee_vnd is not None else procedure.fee_vnd

    dossier_id = str(uuid6.uuid7())
    event_id = str(uuid6.uuid7())
    recorded_at = iso(now)
    with counter.store.write() as conn:
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
        body = {
            "v": PAYLOAD_VERSION, "id": event_id, "dossier_id": dossier_id, "dossier_code": code,
            "type": EventType.RECEIVED.value, "occurred_at": iso(received_at), "actor": clerk,
            "counter": {"agency_code": counter.agency_code, "counter_no": counter.counter_no},
            "signer": signer_fields(signer),
            "data": data,
        }
        payload = canonical_bytes(body)
        signature = signer.sign(payload)
        repo.insert_dossier(conn, {
            "id": dossier_id, "code": code, "procedure_code": procedure.code,
            "procedure_name": procedure.name, "applicant_name": req.applicant.full_name,
            "citizen_id": req.applicant.citizen_id, "phone": req.applicant.phone,
            "channel": req.channel.value, "received_at": iso(received_at),
            "appointment_at": data["appointment_at"], "status": int(PortalStatus.ACCEPTED),
            "clerk": clerk, "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
            "updated_at": recorded_at,
        })
        repo.insert_event(conn, id=event_id, dossier_id=dossier_id, type=EventType.RECEIVED.value,
                          occurred_at=iso(received_at), origin="counter", actor=clerk,
                          payload=payload, signature=signature, recorded_at=recorded_at)
        repo.insert_attachments(conn, dossier_id, data["attachments"])
        audit.append(conn, at=recorded_at, actor=clerk, counter=counter.label,
                     action="dossier.late_entry" if late else "dossier.receive", subject=code,
                     detail={"dossier_id": dossier_id, "event_id": event_id,
                             "received_at": iso(received_at),
                             "signer_sha256": body["signer"].get("sha256", "")})
        outbox.enqueue(conn, event_id, recorded_at)
    log.info("dossier %s received by %s (late=%s)", code, clerk, late)
    return summary(data, PortalStatus.ACCEPTED)


def signer_fields(signer: EventSigner) -> dict:
    """Who signs, inside the signed bytes: the certificate's subject, serial and fingerprint."""
    info = getattr(signer, "info", None)
    if info is None:
        return {}
    return {"subject": info.subject, "serial": info.serial_hex, "sha256": info.sha256}


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
