"""The domain of administrative dossiers: plain data, no I/O.

A dossier is identified by a time-ordered UUID (idempotency key everywhere) and shown to people
by its dossier code. Everything that happens to it is an Event; its status is derived from them.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "ICT")


def now_vn() -> datetime:
    return datetime.now(VN_TZ)


def iso(dt: datetime) -> str:
    """Times are stored and printed with the Vietnam offset (+07:00), to the second."""
    return dt.astimezone(VN_TZ).isoformat(timespec="seconds")


class Channel(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    POST = "post"


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class PortalStatus(enum.IntEnum):
    """Status codes of the National Public Service Portal (Cổng DVC quốc gia)."""

    NEW = 1  # Mới đăng ký
    ACCEPTED = 2  # Được tiếp nhận
    NOT_ACCEPTED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5  # Yêu cầu bổ sung giấy tờ
    FEE_REQUESTED = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    RESULT_READY = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả

    @property
    def label_vi(self) -> str:
        return _STATUS_VI[self]

    @property
    def label_en(self) -> str:
        return _STATUS_EN[self]

    @property
    def slug(self) -> str:
        return self.name.lower()


_STATUS_VI = {
    PortalStatus.NEW: "Mới đăng ký",
    PortalStatus.ACCEPTED: "Được tiếp nhận",
    PortalStatus.NOT_ACCEPTED: "Không được tiếp nhận",
    PortalStatus.PROCESSING: "Đang xử lý",
    PortalStatus.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    PortalStatus.FEE_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    PortalStatus.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    PortalStatus.STOPPED: "Dừng xử lý",
    PortalStatus.RESULT_READY: "Đã xử lý xong",
    PortalStatus.RETURNED: "Đã trả kết quả",
}
_STATUS_EN = {
    PortalStatus.NEW: "Newly registered",
    PortalStatus.ACCEPTED: "Accepted",
    PortalStatus.NOT_ACCEPTED: "Not accepted",
    PortalStatus.PROCESSING: "Processing",
    PortalStatus.SUPPLEMENT_REQUESTED: "Supplement requested",
    PortalStatus.FEE_REQUESTED: "Fee payment requested",
    PortalStatus.WITHDRAWN: "Withdrawn by the citizen",
    PortalStatus.STOPPED: "Processing stopped",
    PortalStatus.RESULT_READY: "Result ready",
    PortalStatus.RETURNED: "Result returned",
}


class EventType(enum.StrEnum):
    SUBMITTED_ONLINE = "submitted_online"  # registered online, not yet received at a counter
    RECEIVED = "received"  # received at the counter (the receipt is printed)
    REFUSED = "refused"  # not accepted at the counter (refusal slip)
    FORWARDED = "forwarded"  # sent on for processing
    PROCESSING = "processing"  # province: processing started
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_RECEIVED = "supplement_received"
    FEE_REQUESTED = "fee_requested"
    FEE_PAID = "fee_paid"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"  # province: processing stopped / rejected
    RESULT_READY = "result_ready"
    RETURNED = "returned"  # result handed to the citizen


# Status an event moves the dossier to.
EVENT_STATUS: dict[EventType, PortalStatus] = {
    EventType.SUBMITTED_ONLINE: PortalStatus.NEW,
    EventType.RECEIVED: PortalStatus.ACCEPTED,
    EventType.REFUSED: PortalStatus.NOT_ACCEPTED,
    EventType.FORWARDED: PortalStatus.PROCESSING,
    EventType.PROCESSING: PortalStatus.PROCESSING,
    EventType.SUPPLEMENT_REQUESTED: PortalStatus.SUPPLEMENT_REQUESTED,
    EventType.SUPPLEMENT_RECEIVED: PortalStatus.PROCESSING,
    EventType.FEE_REQUESTED: PortalStatus.FEE_REQUESTED,
    EventType.FEE_PAID: PortalStatus.PROCESSING,
    EventType.WITHDRAWN: PortalStatus.WITHDRAWN,
    EventType.STOPPED: PortalStatus.STOPPED,
    EventType.RESULT_READY: PortalStatus.RESULT_READY,
    EventType.RETURNED: PortalStatus.RETURNED,
}

# Statuses after which nothing but a contradiction can follow; every other one is still open
# (can be due or overdue, counts as work in progress).
FINAL_STATUSES = frozenset({
    PortalStatus.NOT_ACCEPTED,
    PortalStatus.WITHDRAWN,
    PortalStatus.STOPPED,
    PortalStatus.RETURNED,
})
OPEN_STATUSES = frozenset(s for s in PortalStatus if s not in FINAL_STATUSES)

# Which events may follow which status; anything else is a contradiction shown to a clerk.
ALLOWED_AFTER: dict[PortalStatus, set[EventType]] = {
    PortalStatus.NEW: {EventType.RECEIVED, EventType.REFUSED, EventType.WITHDRAWN},
    PortalStatus.ACCEPTED: {
        EventType.FORWARDED, EventType.PROCESSING, EventType.SUPPLEMENT_REQUESTED,
        EventType.FEE_REQUESTED, EventType.WITHDRAWN, EventType.STOPPED, EventType.RESULT_READY,
    },
    PortalStatus.PROCESSING: {
        EventType.FORWARDED, EventType.PROCESSING, EventType.SUPPLEMENT_REQUESTED,
        EventType.FEE_REQUESTED, EventType.WITHDRAWN, EventType.STOPPED, EventType.RESULT_READY,
    },
    PortalStatus.SUPPLEMENT_REQUESTED: {
        EventType.SUPPLEMENT_RECEIVED, EventType.WITHDRAWN, EventType.STOPPED,
        EventType.SUPPLEMENT_REQUESTED,
    },
    PortalStatus.FEE_REQUESTED: {EventType.FEE_PAID, EventType.WITHDRAWN, EventType.STOPPED},
    PortalStatus.RESULT_READY: {EventType.RETURNED},
}


@dataclass(frozen=True)
class ProcessingTime:
    """Legal processing time of a procedure ("thời hạn giải quyết").

    kind: working_days | calendar_days | working_hours | same_day | none
      - same_day: result the same working day; received after `cutoff` (HH:MM, usually 15:00)
        -> the next working day.
      - none: the law sets no specific return date ("Không có ngày hẹn trả cụ thể").
    value: the number of days/hours (None for same_day/none).
    """

    kind: str
    value: float | None = None
    cutoff: str | None = None
    note: str = ""

    KINDS = ("working_days", "calendar_days", "working_hours", "same_day", "none")


@dataclass(frozen=True)
class Address:
    province_code: str = ""
    commune_code: str = ""
    detail: str = ""
    province_name: str = ""
    commune_name: str = ""

    def one_line(self) -> str:
        return ", ".join(p for p in (self.detail, self.commune_name, self.province_name) if p)


@dataclass(frozen=True)
class Applicant:
    full_name: str
    citizen_id: str = ""
    date_of_birth: date | None = None
    gender: Gender | None = None
    phone: str = ""
    email: str = ""
    address: Address = field(default_factory=Address)


@dataclass(frozen=True)
class DocumentItem:
    """One line of the checklist of documents received."""

    name: str
    form: str = "original"  # original | copy | certified_copy | shown
    count: int = 1


@dataclass(frozen=True)
class Attachment:
    sha256: str
    name: str
    media_type: str
    size: int


def to_plain(obj: object) -> object:
    """Dataclass/enum/date tree -> JSON-ready plain data (for payloads and the CLI)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_plain(v) for k, v in asdict(obj).items()}  # type: ignore[arg-type]
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, datetime):
        return iso(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    return obj
