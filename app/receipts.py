"""What the printed one-stop documents say: the receipt (form 01), the supplement request slip
(form 02), the refusal slip (form 03), the processing-control slip (form 04) and the tracking
book (form 05 "sổ theo dõi hồ sơ").

Pure data, no Qt: every line is decided here so the GUI preview, the PDF/printer layouts in
`ui/receipts.py` and the tests all read the same text. Layout (fonts, columns, page sizes) is
ui's job. Wording follows the forms of the one-stop rules (Thông tư 01/2018/TT-VPCP).

Decisions recorded here:
* Tracking-book number ("Vào Sổ theo dõi hồ sơ, Quyển số … Số thứ tự …"): one book per counter
  per calendar year, volume "<yyyy>/<counter 2 digits>", entries numbered in the order dossiers
  were entered into this counter's store (rowid). A late entry takes the next free line, as on
  paper, so a number once printed never changes. The tracking-book slip uses the same numbers.
* QR payload: the lookup URL template with `{code}` replaced by the URL-quoted dossier code.
  Default `DEFAULT_LOOKUP_URL`; a province sets `lookup_url` in the site file (or the meta key
  `receipt.lookup_url`, the counter layer); the configuration refuses a template without
  `{code}` (an old stored one gets the code appended).
* Place in "Phường Sài Gòn, ngày …": meta `receipt.place`, else the commune named in the centre
  name ("… phường Sài Gòn (DEMO)" -> "Phường Sài Gòn"). The authority line above the centre
  name: meta `receipt.authority`, else "ỦY BAN NHÂN DÂN <PLACE>".
* The receipt is dated on the day it was received (a reprint keeps that date and adds the
  reprint line); slips are dated when they are issued.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from app.context import Counter
from app.domain import VN_TZ, PortalStatus, iso, now_vn
from app.errors import UserError
from app.workcalendar import NO_APPOINTMENT_VI, words_vi
from localdb import audit

log = logging.getLogger(__name__)

DEFAULT_LOOKUP_URL = "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma_ho_so={code}"
META_LOOKUP_URL = "receipt.lookup_url"
META_PLACE = "receipt.place"
META_AUTHORITY = "receipt.authority"
META_CONTACT_PHONE = "receipt.contact_phone"
REPRINT_ACTION = "receipt.reprint"
MAX_REASON = 500
MAX_BOOK_DAYS = 366

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
COPY_ARCHIVE = "Liên 1: lưu"
COPY_CITIZEN = "Liên 2: giao người nộp"
SIGN_HINT = "(Ký và ghi rõ họ tên)"

RECEIPT_TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
SUPPLEMENT_TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REFUSAL_TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
CONTROL_TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
BOOK_TITLE = "SỔ THEO DÕI HỒ SƠ"

FORM_LABELS_VI = {
    "original": "Bản chính",
    "copy": "Bản sao (photocopy)",
    "certified_copy": "Bản sao có chứng thực",
    "shown": "Bản chính để đối chiếu",
}

EVENT_LABELS_VI = {
    "submitted_online": "Nộp hồ sơ trực tuyến",
    "received": "Bộ phận Một cửa tiếp nhận hồ sơ",
    "refused": "Từ chối tiếp nhận hồ sơ",
    "forwarded": "Chuyển hồ sơ đến cơ quan giải quyết",
    "processing": "Cơ quan giải quyết xử lý hồ sơ",
    "supplement_requested": "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    "supplement_received": "Nhận hồ sơ bổ sung",
    "fee_requested": "Yêu cầu thực hiện nghĩa vụ tài chính",
    "fee_paid": "Đã thực hiện nghĩa vụ tài chính",
    "withdrawn": "Công dân rút hồ sơ",
    "stopped": "Dừng giải quyết hồ sơ",
    "result_ready": "Có kết quả giải quyết",
    "returned": "Trả kết quả cho người nộp",
}


# ============================================================================ data shapes


@dataclass(frozen=True)
class Header:
    """Top of every form: issuing body on the left, national motto on the right, then the
    place and date line."""

    authority: str  # "ỦY BAN NHÂN DÂN PHƯỜNG SÀI GÒN" (may be empty)
    office: str  # "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG …" (bold, underlined)
    place_date: str  # "Phường Sài Gòn, ngày 23 tháng 11 năm 2026"
    nation: str = NATION
    motto: str = MOTTO

    def lines(self) -> list[str]:
        return [x for x in (self.authority, self.office, self.nation, self.motto,
                            self.place_date) if x]


@dataclass(frozen=True)
class Field:
    """"Label: value" line; `strong` values print bold."""

    label: str
    value: str
    strong: bool = False

    @property
    def text(self) -> str:
        return f"{self.label}: {self.value}" if self.label else self.value


@dataclass(frozen=True)
class DocumentLine:
    index: int
    name: str
    form: str  # original | copy | certified_copy | shown
    form_label: str
    count: int
    note: str = ""

    @property
    def text(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.index}) {self.name} — {self.form_label}: {self.count:02d} bản{note}"


@dataclass(frozen=True)
class SignatureBlock:
    title: str  # "NGƯỜI TIẾP NHẬN HỒ SƠ"
    hint: str = SIGN_HINT
    name: str = ""  # printed under the space for the signature

    def lines(self) -> list[str]:
        return [x for x in (self.title, self.hint, self.name) if x]


@dataclass(frozen=True)
class Reprint:
    """A reprint of a receipt: printed on it, logged in the audit chain."""

    number: int
    at: datetime
    reason: str
    clerk: str = ""

    @property
    def text(self) -> str:
        at = self.at.astimezone(VN_TZ)
        return f"Bản in lại lần {self.number} ngày {at:%d/%m/%Y %H:%M} — lý do: {self.reason}"


@dataclass(frozen=True)
class ReceiptModel:
    """Form 01: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"."""

    header: Header
    title: str
    code: str
    copy_label: str
    intro: str  # "<centre> tiếp nhận hồ sơ của:"
    applicant: tuple[Field, ...]  # name, address, phone, e-mail
    procedure: Field  # "Nội dung yêu cầu giải quyết"
    documents_heading: str  # "1. Thành phần hồ sơ nộp gồm:"
    documents: tuple[DocumentLine, ...]
    items: tuple[Field, ...]  # 2. sets … 6. return; then fee
    book: str  # "Vào Sổ theo dõi hồ sơ, Quyển số: 2026/01, Số thứ tự: 12"
    book_volume: str
    book_number: int
    signatures: tuple[SignatureBlock, SignatureBlock]
    qr_payload: str
    qr_caption: str
    received_at: datetime
    appointment_at: datetime | None
    reprint: Reprint | None = None
    kind: str = "receipt"

    @property
    def code_line(self) -> str:
        return f"Mã hồ sơ: {self.code}"

    def lines(self) -> list[str]:
        """Every printed line in reading order (plain-text preview, tests, text printers)."""
        out = [*self.header.lines(), self.title, self.code_line, f"({self.copy_label})",
               self.intro, *(f.text for f in self.applicant), self.procedure.text,
               self.documents_heading, *(d.text for d in self.documents),
               *(f.text for f in self.items), self.book]
        for s in self.signatures:
            out += s.lines()
        out.append(self.qr_caption)
        if self.reprint:
            out.append(self.reprint.text)
        return out


@dataclass(frozen=True)
class MissingItem:
    """One thing the citizen must still bring (form 02)."""

    name: str
    form: str = "original"
    count: int = 1
    note: str = ""


@dataclass(frozen=True)
class SlipModel:
    """Forms 02 (supplement) and 03 (refusal): header, fields, a numbered list, paragraphs."""

    kind: str  # supplement | refusal
    header: Header
    title: str
    code: str
    fields: tuple[Field, ...]
    list_heading: str
    items: tuple[str, ...]
    paragraphs: tuple[str, ...]
    signatures: tuple[SignatureBlock, ...]

    def lines(self) -> list[str]:
        out = [*self.header.lines(), self.title]
        if self.code:
            out.append(f"Mã hồ sơ: {self.code}")
        out += [f.text for f in self.fields]
        if self.list_heading:
            out.append(self.list_heading)
        out += [*self.items, *self.paragraphs]
        for s in self.signatures:
            out += s.lines()
        return out


@dataclass(frozen=True)
class TableModel:
    """Forms 04 (control slip) and 05 (tracking book): header, fields, then one table."""

    kind: str  # control | book
    header: Header
    title: str
    subtitle: str
    fields: tuple[Field, ...]
    columns: tuple[str, ...]
    widths: tuple[int, ...]  # relative column widths (percent of the table)
    rows: tuple[tuple[str, ...], ...]
    footer: tuple[str, ...] = ()
    signatures: tuple[SignatureBlock, ...] = ()
    code: str = ""

    def lines(self) -> list[str]:
        out = [*self.header.lines(), self.title]
        if self.subtitle:
            out.append(self.subtitle)
        out += [f.text for f in self.fields]
        out.append(" | ".join(self.columns))
        out += [" | ".join(r) for r in self.rows]
        out += list(self.footer)
        for s in self.signatures:
            out += s.lines()
        return out


Model = ReceiptModel | SlipModel | TableModel


# ============================================================================ helpers


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(VN_TZ) if text else None


def _num(value: float | int | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):02d}"
    return f"{value:g}".replace(".", ",")


def processing_time_vi(pt: dict | None) -> str:
    """The legal processing time in words, as item 3 of the receipt prints it."""
    pt = pt or {}
    kind, value = pt.get("kind"), pt.get("value")
    if kind == "working_days":
        return f"{_num(value)} ngày làm việc"
    if kind == "calendar_days":
        return f"{_num(value)} ngày"
    if kind == "working_hours":
        return f"{_num(value)} giờ làm việc"
    if kind == "same_day":
        hh, _, mm = str(pt.get("cutoff") or "15:00").partition(":")
        return (f"Trong ngày (hồ sơ nhận sau {hh} giờ {mm} trả kết quả trong ngày làm việc "
                "tiếp theo)")
    return "Không quy định thời hạn cụ thể"


def fee_vi(fee: int | None) -> str:
    if fee is None:
        return "Theo quy định hiện hành"
    if fee == 0:
        return "Không thu"
    return f"{fee:,} đồng".replace(",", ".")


def return_method_vi(method: str, centre_name: str, address: str, email: str) -> str:
    if method == "post":
        return f"Qua dịch vụ bưu chính công ích, gửi đến: {address}" if address else \
            "Qua dịch vụ bưu chính công ích"
    if method == "online":
        text = "Trực tuyến, trên Cổng Dịch vụ công quốc gia"
        return text + (f" và thư điện tử {email}" if email else "")
    return f"Trực tiếp tại {centre_name}" if centre_name else "Trực tiếp tại Bộ phận Một cửa"


def _address_line(addr: dict | None) -> str:
    addr = addr or {}
    return ", ".join(p for p in (addr.get("detail"), addr.get("commune_name"),
                                  addr.get("province_name")) if p)


_PLACE_RE = re.compile(r"\b(xã|phường|đặc khu|thị trấn)\s+(.+)$", re.IGNORECASE)


def place_of(counter: Counter) -> str:
    """The place printed before the date: meta `receipt.place`, else the commune in the
    centre name ("… phường Sài Gòn (DEMO)" -> "Phường Sài Gòn")."""
    configured = (counter.store.get_meta(META_PLACE) or "").strip()
    if configured:
        return configured
    name = re.sub(r"\([^)]*\)", "", counter.centre_name).strip()
    m = _PLACE_RE.search(name)
    if not m:
        return ""
    text = f"{m.group(1)} {m.group(2)}".strip()
    return text[:1].upper() + text[1:]


def header_of(counter: Counter, day: date) -> Header:
    place = place_of(counter)
    authority = (counter.store.get_meta(META_AUTHORITY) or "").strip()
    if not authority and place:
        authority = f"ỦY BAN NHÂN DÂN {place.upper()}"
    office = (counter.centre_name or "Bộ phận tiếp nhận và trả kết quả").upper()
    when = f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year:04d}"
    place_date = f"{place}, {when}" if place else when[:1].upper() + when[1:]
    return Header(authority=authority, office=office, place_date=place_date)


def lookup_url(counter: Counter) -> str:
    """The configured `lookup_url` (site file, store meta `receipt.lookup_url`, …; see
    app/config.py), else the national portal's."""
    return str(counter.setting("lookup_url") or "").strip() or DEFAULT_LOOKUP_URL


def qr_payload(counter: Counter, code: str) -> str:
    """What the receipt's QR code carries: the lookup URL with the dossier code in it."""
    template = lookup_url(counter)
    quoted = quote(code, safe="")
    return template.replace("{code}", quoted) if "{code}" in template else template + quoted


def _require_clerk(counter: Counter, username: str) -> str:
    rows = counter.store.query("SELECT display_name FROM users WHERE username = ?",
                               (username or "",))
    if not rows:
        raise UserError(f"Không có cán bộ '{username}'.", f"No clerk account '{username}'.",
                        field="clerk", code="no_user")
    return rows[0]["display_name"]


def _dossier(counter: Counter, code: str) -> dict:
    """The dossier as its verified signed events say (refuses, naming `motcua verify`, when
    the row and the signed events disagree): what is printed or signed is never unverified."""
    from app.signatures import signed_view

    return signed_view(counter, code)


def _own_code_pattern(counter: Counter) -> str:
    return f"{counter.agency_code}-%-{counter.counter_no:02d}____"


def book_numbers(counter: Counter, year: int) -> dict[int, int]:
    """rowid -> line number in this counter's tracking book of `year` (see module doc)."""
    rows = counter.store.query(
        "SELECT rowid FROM dossiers WHERE received_at >= ? AND received_at < ? AND code LIKE ? "
        "ORDER BY rowid", (f"{year:04d}-01-01", f"{year + 1:04d}-01-01", _own_code_pattern(counter)))
    return {r["rowid"]: i for i, r in enumerate(rows, start=1)}


def book_volume(counter: Counter, year: int) -> str:
    return f"{year:04d}/{counter.counter_no:02d}"


def _book_entry(counter: Counter, code: str, received: datetime) -> tuple[str, int]:
    rowid = counter.store.scalar("SELECT rowid FROM dossiers WHERE code = ?", (code,))
    number = book_numbers(counter, received.year).get(int(rowid or 0), 0)
    return book_volume(counter, received.year), number


def _applicant_fields(d: dict) -> tuple[Field, ...]:
    a = d.get("applicant") or {}
    return (
        Field("Họ và tên", a.get("full_name", ""), strong=True),
        Field("Địa chỉ", _address_line(a.get("address"))),
        Field("Số điện thoại", a.get("phone") or "—"),
        Field("Thư điện tử", a.get("email") or "—"),
    )


# ============================================================================ receipt


def receipt_model(counter: Counter, code: str, *, copy_label: str | int = COPY_CITIZEN,
                  reprint: Reprint | None = None) -> ReceiptModel:
    """Everything form 01 prints for one dossier. `copy_label` is a label or 1/2."""
    counter.require_initialised()
    if copy_label in (1, "1"):
        copy_label = COPY_ARCHIVE
    elif copy_label in (2, "2"):
        copy_label = COPY_CITIZEN
    d = _dossier(counter, code)
    received = _dt(d["received_at"])
    if received is None:  # every signed dossier has one; a row without it is not ours
        raise ValueError(f"dossier {code} has no receipt time")
    appointment = _dt(d.get("appointment_at"))
    centre = ((d.get("centre") or {}).get("name") or counter.centre_name
              or f"Bộ phận tiếp nhận và trả kết quả ({counter.agency_code})")  # never "" before ':'
    proc = d.get("procedure") or {}
    docs = tuple(
        DocumentLine(i, doc.get("name", ""), doc.get("form", "original"),
                     FORM_LABELS_VI.get(doc.get("form", ""), doc.get("form", "")),
                     int(doc.get("count") or 1))
        for i, doc in enumerate(d.get("documents") or [], start=1)
    )
    applicant = d.get("applicant") or {}
    volume, number = _book_entry(counter, d["code"], received)
    items = (
        Field("2. Số lượng hồ sơ", f"{int(d.get('sets') or 1):02d} bộ"),
        Field("3. Thời gian giải quyết hồ sơ theo quy định là",
              processing_time_vi(proc.get("processing_time"))),
        Field("4. Thời gian nhận hồ sơ", words_vi(received), strong=True),
        Field("5. Thời gian trả kết quả giải quyết hồ sơ",
              words_vi(appointment) if appointment else NO_APPOINTMENT_VI, strong=True),
        Field("6. Đăng ký nhận kết quả tại",
              return_method_vi(d.get("return_method") or "at_counter", centre,
                               _address_line(applicant.get("address")),
                               applicant.get("email") or "")),
        Field("Phí, lệ phí", fee_vi(d.get("fee_vnd"))),
    )
    clerk = d.get("clerk") or {}
    return ReceiptModel(
        header=header_of(counter, received.date()),
        title=RECEIPT_TITLE,
        code=d["code"],
        copy_label=str(copy_label),
        intro=f"{centre} tiếp nhận hồ sơ của:",
        applicant=_applicant_fields(d),
        procedure=Field("Nội dung yêu cầu giải quyết", proc.get("name", ""), strong=True),
        documents_heading="1. Thành phần hồ sơ nộp gồm:",
        documents=docs,
        items=items,
        book=f"Vào Sổ theo dõi hồ sơ, Quyển số: {volume}, Số thứ tự: {number}",
        book_volume=volume,
        book_number=number,
        signatures=(SignatureBlock("NGƯỜI NỘP HỒ SƠ", name=applicant.get("full_name", "")),
                    SignatureBlock("NGƯỜI TIẾP NHẬN HỒ SƠ",
                                   name=clerk.get("display_name") or clerk.get("username", ""))),
        qr_payload=qr_payload(counter, d["code"]),
        qr_caption="Quét mã QR để tra cứu tình trạng hồ sơ",
        received_at=received,
        appointment_at=appointment,
        reprint=reprint,
    )


def record_reprint(counter: Counter, code: str, reason: str, clerk: str,
                   *, now: datetime | None = None) -> int:
    """Log a reprint (audit action "receipt.reprint") and return its number (1, 2, …).
    Reprints are legal evidence that a second paper exists, so a reason is mandatory."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserError("Phải nhập lý do in lại giấy tiếp nhận.",
                        "A reason is required to reprint a receipt.",
                        field="reason", code="reprint_reason")
    if len(reason) > MAX_REASON:
        raise UserError(f"Lý do in lại dài quá {MAX_REASON} ký tự.",
                        f"The reprint reason is longer than {MAX_REASON} characters.",
                        field="reason", code="reprint_reason")
    _require_clerk(counter, clerk)
    at = iso(now or now_vn())
    with counter.store.write() as conn:
        row = conn.execute("SELECT id FROM dossiers WHERE code = ?", (code.strip(),)).fetchone()
        if row is None:
            raise UserError(f"Không tìm thấy hồ sơ '{code}'.", f"Dossier '{code}' not found.",
                            field="code", code="not_found")
        done = conn.execute("SELECT count(*) FROM audit WHERE action = ? AND subject = ?",
                            (REPRINT_ACTION, code.strip())).fetchone()[0]
        number = int(done) + 1
        audit.append(conn, at=at, actor=clerk, counter=counter.label, action=REPRINT_ACTION,
                     subject=code.strip(),
                     detail={"dossier_id": row[0], "reprint": number, "reason": reason})
    log.info("receipt %s reprint %d by %s", code, number, clerk)
    return number


def reprints(counter: Counter, code: str) -> list[Reprint]:
    """Every logged reprint of a receipt, oldest first."""
    rows = counter.store.query(
        "SELECT at, actor, detail FROM audit WHERE action = ? AND subject = ? ORDER BY seq",
        (REPRINT_ACTION, code.strip()))
    out = []
    for r in rows:
        detail = json.loads(r["detail"] or "{}")
        out.append(Reprint(int(detail.get("reprint") or len(out) + 1), _dt(r["at"]) or now_vn(),
                           str(detail.get("reason") or ""), r["actor"]))
    return out


def last_reprint(counter: Counter, code: str) -> Reprint | None:
    found = reprints(counter, code)
    return found[-1] if found else None


# ============================================================================ slips


def parse_missing_item(text: str) -> MissingItem:
    """"NAME[|FORM[|COUNT[|NOTE]]]" (the CLI's --item) -> MissingItem."""
    parts = [p.strip() for p in text.split("|")]
    name = parts[0] if parts else ""
    form = parts[1] if len(parts) > 1 and parts[1] else "original"
    if not name:
        raise UserError("Tên giấy tờ cần bổ sung đang trống.", "A missing item has no name.",
                        field="items")
    if form not in FORM_LABELS_VI:
        raise UserError(
            f"Hình thức '{form}' không hợp lệ; dùng original, certified_copy, copy hoặc shown.",
            f"Form '{form}' is invalid; use original, certified_copy, copy or shown.",
            field="items")
    try:
        count = int(parts[2]) if len(parts) > 2 and parts[2] else 1
        if count < 1:
            raise ValueError
    except ValueError:
        raise UserError(f"Số bản '{parts[2]}' không hợp lệ.", f"Count '{parts[2]}' is invalid.",
                        field="items") from None
    return MissingItem(name, form, count, parts[3] if len(parts) > 3 else "")


def _issued(at: datetime | None) -> datetime:
    return (at or now_vn()).astimezone(VN_TZ)


def supplement_model(counter: Counter, code: str, items: Sequence[MissingItem], reason: str,
                     *, clerk: str | None = None, contact_phone: str | None = None,
                     at: datetime | None = None) -> SlipModel:
    """Form 02: what the citizen must add or redo, with the reason and whom to call."""
    counter.require_initialised()
    reason = " ".join((reason or "").split())
    if not items:
        raise UserError("Cần ít nhất một nội dung yêu cầu bổ sung.",
                        "At least one missing item is required.", field="items")
    if not reason:
        raise UserError("Phải nêu lý do yêu cầu bổ sung.", "A reason is required.",
                        field="reason")
    d = _dossier(counter, code)
    guide = _require_clerk(counter, clerk) if clerk else \
        (d.get("clerk") or {}).get("display_name", "")
    phone = (contact_phone if contact_phone is not None
             else counter.store.get_meta(META_CONTACT_PHONE) or "").strip()
    lines = tuple(
        f"{i}) {it.name} — {FORM_LABELS_VI.get(it.form, it.form)}: {it.count:02d} bản"
        + (f" ({it.note})" if it.note else "")
        for i, it in enumerate(items, start=1))
    contact = f"Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ với {guide}"
    contact += f", số điện thoại {phone}" if phone else ""
    contact += " để được hướng dẫn."
    return SlipModel(
        kind="supplement",
        header=header_of(counter, _issued(at).date()),
        title=SUPPLEMENT_TITLE,
        code=d["code"],
        fields=(Field("Hồ sơ của", (d.get("applicant") or {}).get("full_name", ""), strong=True),
                Field("Nội dung yêu cầu giải quyết", (d.get("procedure") or {}).get("name", "")),
                *_applicant_fields(d)[1:],
                Field("Ngày tiếp nhận", words_vi(_dt(d["received_at"]) or now_vn()))),
        list_heading="Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
        items=lines,
        paragraphs=(f"Lý do: {reason}", contact),
        signatures=(SignatureBlock("NGƯỜI HƯỚNG DẪN", name=guide),),
    )


def refusal_model(counter: Counter, *, reason: str, code: str | None = None,
                  applicant_name: str = "", address: str = "", phone: str = "", email: str = "",
                  procedure_name: str = "", clerk: str | None = None,
                  at: datetime | None = None) -> SlipModel:
    """Form 03: refusing a dossier, usually one never entered (so no code): the applicant and
    procedure are then given directly."""
    counter.require_initialised()
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserError("Phải nêu lý do từ chối tiếp nhận.", "A refusal reason is required.",
                        field="reason")
    clerk_name = _require_clerk(counter, clerk) if clerk else ""
    dossier_code = ""
    if code:
        d = _dossier(counter, code)
        a = d.get("applicant") or {}
        dossier_code = d["code"]
        applicant_name = applicant_name or a.get("full_name", "")
        address = address or _address_line(a.get("address"))
        phone = phone or a.get("phone", "")
        email = email or a.get("email", "")
        procedure_name = procedure_name or (d.get("procedure") or {}).get("name", "")
        clerk_name = clerk_name or (d.get("clerk") or {}).get("display_name", "")
    if not applicant_name.strip():
        raise UserError("Thiếu họ tên người nộp hồ sơ.", "The applicant's name is missing.",
                        field="applicant_name")
    office = counter.centre_name or "Bộ phận tiếp nhận và trả kết quả"
    return SlipModel(
        kind="refusal",
        header=header_of(counter, _issued(at).date()),
        title=REFUSAL_TITLE,
        code=dossier_code,
        fields=(Field("Tiếp nhận hồ sơ của", applicant_name.strip(), strong=True),
                Field("Địa chỉ", address or "—"), Field("Số điện thoại", phone or "—"),
                Field("Thư điện tử", email or "—"),
                Field("Nội dung yêu cầu giải quyết", procedure_name or "—")),
        list_heading="",
        items=(),
        paragraphs=(f"Sau khi xem xét, đối chiếu với quy định, {office} từ chối tiếp nhận, "
                    "giải quyết hồ sơ này với lý do sau:",
                    reason,
                    "Xin thông báo cho ông/bà được biết và thực hiện./."),
        signatures=(SignatureBlock("NGƯỜI TIẾP NHẬN HỒ SƠ", name=clerk_name),),
    )


def _short(dt: datetime | None) -> str:
    return f"{dt:%H:%M %d/%m/%Y}" if dt else ""


def control_model(counter: Counter, code: str, *, blank_rows: int = 3,
                  at: datetime | None = None) -> TableModel:
    """Form 04: the dossier's hand-overs so far (from its events) and blank rows for the
    steps still to be signed on paper."""
    counter.require_initialised()
    d = _dossier(counter, code)
    appointment = _dt(d.get("appointment_at"))
    clerk = (d.get("clerk") or {}).get("display_name", "")
    rows: list[tuple[str, ...]] = []
    for i, e in enumerate(d.get("events") or [], start=1):
        when = _dt(e["occurred_at"])
        result = ""
        if e["type"] in ("result_ready", "returned") and appointment and when:
            result = ("Trước hạn" if when.date() < appointment.date()
                      else "Đúng hạn" if when <= appointment else "Quá hạn")
        actor = clerk if e["type"] == "received" and clerk else e.get("actor", "")
        where = "Cơ quan giải quyết" if e.get("origin") == "province" else "Bộ phận Một cửa"
        step = f"{i}. {EVENT_LABELS_VI.get(e['type'], e['type'])}\n{where}: {actor}"
        rows.append((step, words_vi(when) if when else "", result, e.get("note") or ""))
    n = len(rows)
    for j in range(blank_rows):
        rows.append((f"{n + j + 1}. Giao: …………………\n    Nhận: …………………",
                     "…… giờ …… phút, ngày …… tháng …… năm ……", "", ""))
    return TableModel(
        kind="control",
        header=header_of(counter, _issued(at).date()),
        title=CONTROL_TITLE,
        subtitle="(Kèm theo hồ sơ của khách hàng)",
        fields=(Field("Mã hồ sơ", d["code"], strong=True),
                Field("Người nộp hồ sơ", (d.get("applicant") or {}).get("full_name", "")),
                Field("Thủ tục", (d.get("procedure") or {}).get("name", "")),
                Field("Ngày hẹn trả kết quả",
                      words_vi(appointment) if appointment else NO_APPOINTMENT_VI)),
        columns=("TÊN CƠ QUAN, BƯỚC GIẢI QUYẾT", "THỜI GIAN GIAO, NHẬN HỒ SƠ",
                 "KẾT QUẢ GIẢI QUYẾT (trước hạn / đúng hạn / quá hạn)", "GHI CHÚ"),
        widths=(36, 28, 20, 16),
        rows=tuple(rows),
        footer=("Người giao và người nhận ký, ghi rõ họ tên tại mỗi bước chuyển hồ sơ.",),
        code=d["code"],
    )


def tracking_book_model(counter: Counter, date_from: date, date_to: date) -> TableModel:
    """Form 05: the dossiers this counter received between two dates (inclusive), numbered
    as in the yearly book printed on each receipt."""
    counter.require_initialised()
    if date_to < date_from:
        raise UserError("Ngày kết thúc phải sau ngày bắt đầu.", "--to must not be before --from.",
                        field="to")
    if (date_to - date_from).days >= MAX_BOOK_DAYS:
        raise UserError(f"Mỗi lần in tối đa {MAX_BOOK_DAYS} ngày.",
                        f"At most {MAX_BOOK_DAYS} days per book.", field="to")
    rows = counter.store.query(
        "SELECT rowid, code, procedure_name, applicant_name, phone, received_at, appointment_at, "
        "status, data FROM dossiers WHERE received_at >= ? AND received_at < ? AND code LIKE ? "
        "ORDER BY received_at, rowid",
        (date_from.isoformat(), (date_to + timedelta(days=1)).isoformat(),
         _own_code_pattern(counter)))
    returned = {r["dossier_id"]: r["at"] for r in counter.store.query(
        "SELECT e.dossier_id, max(e.occurred_at) AS at FROM events e JOIN dossiers d "
        "ON d.id = e.dossier_id WHERE e.type = 'returned' AND d.received_at >= ? "
        "AND d.received_at < ? GROUP BY e.dossier_id",
        (date_from.isoformat(), (date_to + timedelta(days=1)).isoformat()))}
    numbers: dict[int, dict[int, int]] = {}
    out: list[tuple[str, ...]] = []
    for r in rows:
        data = json.loads(r["data"])
        received = _dt(r["received_at"])
        if received is None:
            raise ValueError(f"dossier {r['code']} has no receipt time")
        year_numbers = numbers.setdefault(received.year, book_numbers(counter, received.year))
        addr = _address_line((data.get("applicant") or {}).get("address"))
        who = ", ".join(p for p in (addr, r["phone"]) if p)
        appointment = _dt(r["appointment_at"])
        try:
            status = PortalStatus(int(r["status"])).label_vi
        except ValueError:
            status = str(r["status"])
        out.append((
            str(year_numbers.get(r["rowid"], "")), r["code"], r["procedure_name"],
            f"{int(data.get('sets') or 1):02d}", r["applicant_name"], who, _short(received),
            _short(appointment) if appointment else "Không có ngày hẹn",
            _short(_dt(returned.get(data.get("id")))), status,
        ))
    years = sorted({date_from.year, date_to.year})
    span = (f"ngày {date_from:%d/%m/%Y}" if date_from == date_to
            else f"từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}")
    return TableModel(
        kind="book",
        header=header_of(counter, now_vn().date()),
        title=BOOK_TITLE,
        subtitle=f"Quyển số: {', '.join(book_volume(counter, y) for y in years)} — {span}",
        fields=(Field("Quầy", f"{counter.counter_no:02d} — {counter.agency_code}"),
                Field("Số hồ sơ", str(len(out)))),
        columns=("Số TT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số bộ", "Người nộp",
                 "Địa chỉ, số điện thoại", "Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả",
                 "Trạng thái"),
        widths=(4, 20, 18, 4, 11, 13, 9, 9, 6, 6),
        rows=tuple(out),
    )


# ============================================================================ preferences


__all__ = [
    "DEFAULT_LOOKUP_URL", "COPY_ARCHIVE", "COPY_CITIZEN", "Header", "Field", "DocumentLine",
    "SignatureBlock", "Reprint", "ReceiptModel", "MissingItem", "SlipModel", "TableModel",
    "Model", "receipt_model", "record_reprint", "reprints", "last_reprint", "supplement_model",
    "refusal_model", "control_model", "tracking_book_model", "parse_missing_item",
    "qr_payload", "processing_time_vi",
]
