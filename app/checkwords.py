"""Words for what the evidence checks (`verify`, `check`, `audit verify`, `repair`) print.

Every line of those commands is wholly Vietnamese or wholly English: event types, audit
actions, origins and protective triggers are said in words (an internal name may follow in
brackets), times are Vietnam time as dd/mm/yyyy HH:MM and days dd/mm/yyyy. Plain functions
and tables, no I/O (imported by app.signatures and app.repair).
"""

from __future__ import annotations

from datetime import date, datetime

from app.domain import VN_TZ

EVENT_WORDS: dict[str, tuple[str, str]] = {
    "submitted_online": ("nộp hồ sơ trực tuyến", "submitted online"),
    "received": ("tiếp nhận hồ sơ", "received at the counter"),
    "refused": ("từ chối tiếp nhận", "refused at the counter"),
    "forwarded": ("chuyển đến cơ quan giải quyết", "forwarded for processing"),
    "processing": ("bắt đầu xử lý", "processing started"),
    "supplement_requested": ("yêu cầu bổ sung hồ sơ", "supplement requested"),
    "supplement_received": ("nhận hồ sơ bổ sung", "supplement received"),
    "fee_requested": ("yêu cầu nộp phí, lệ phí", "fee requested"),
    "fee_paid": ("đã nộp phí, lệ phí", "fee paid"),
    "withdrawn": ("công dân rút hồ sơ", "withdrawn by the citizen"),
    "stopped": ("dừng xử lý", "processing stopped"),
    "result_ready": ("có kết quả", "result ready"),
    "returned": ("trả kết quả", "result returned"),
}

ORIGIN_WORDS: dict[str, tuple[str, str]] = {
    "counter": ("của quầy", "made at a counter"),
    "province": ("của tỉnh", "made at the province"),
}

#: audit actions that name an event (the others are said as "thao tác [action]")
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "dossier.receive": ("tiếp nhận hồ sơ", "dossier received"),
    "dossier.late_entry": ("nhập bù hồ sơ tiếp nhận trên giấy", "paper dossier entered late"),
    "dossier.refused": ("từ chối tiếp nhận", "refusal recorded"),
    "sync.materialised": ("nhận hồ sơ từ nơi khác", "dossier taken in from elsewhere"),
    "sync.refused": ("từ chối sự kiện nhận về", "pulled event refused"),
    "sync.parked": ("sự kiện bị cổng tỉnh từ chối", "event parked after a gateway refusal"),
    "store.repair": ("sửa kho dữ liệu", "store repaired"),
    "store.restore": ("khôi phục kho dữ liệu từ bản sao lưu", "store restored from a backup"),
    "sync.pin_gateway": ("ghim chứng thư cổng tỉnh", "gateway certificate pinned"),
    "gateway.pin_rotated": ("ghim chứng thư mới của cổng tỉnh theo thông báo đã ký",
                            "new gateway certificate pinned from a signed announcement"),
    "gateway.pin_added": ("quản trị viên ghim chứng thư cổng tỉnh",
                          "gateway certificate pinned by an administrator"),
    "trust.anchor_added": ("thêm chứng thư tin cậy", "trust anchor added"),
    "trust.anchor_removed": ("bỏ chứng thư tin cậy", "trust anchor removed"),
}

TRIGGER_WORDS: dict[str, tuple[str, str]] = {
    "events_append_only": ("chặn sửa sự kiện", "blocks editing events"),
    "events_no_delete": ("chặn xoá sự kiện", "blocks deleting events"),
    "audit_no_update": ("chặn sửa nhật ký", "blocks editing the audit log"),
    "audit_no_delete": ("chặn xoá nhật ký", "blocks deleting audit rows"),
    "events_tst_once": ("chặn thay dấu thời gian đã lưu", "blocks replacing a stored time-stamp"),
    "user_certs_fixed": ("chặn sửa việc gắn chứng thư", "blocks editing certificate bindings"),
    "user_certs_unbind_once": ("chặn sửa lần gỡ chứng thư", "blocks editing a certificate unbinding"),
    "user_certs_no_delete": ("chặn xoá việc gắn chứng thư", "blocks deleting certificate bindings"),
    "pulled_refused_fixed": ("chặn sửa sự kiện nhận về đã bị từ chối",
                             "blocks editing refused pulled events"),
    "pulled_refused_final_stays": ("chặn gỡ lời từ chối vĩnh viễn",
                                   "keeps a final refusal final"),
    "pulled_refused_resolve_once": ("chặn sửa lần xử lý sự kiện bị từ chối",
                                    "blocks re-resolving a refused pulled event"),
    "pulled_refused_no_delete": ("chặn xoá sự kiện nhận về đã bị từ chối",
                                 "blocks deleting refused pulled events"),
    "dossiers_fts_insert": ("cập nhật chỉ mục tìm kiếm khi thêm hồ sơ",
                            "updates the search index on a new dossier"),
    "dossiers_fts_update": ("cập nhật chỉ mục tìm kiếm khi sửa hồ sơ",
                            "updates the search index on a changed dossier"),
    "dossiers_fts_delete": ("cập nhật chỉ mục tìm kiếm khi xoá hồ sơ",
                            "updates the search index on a removed dossier"),
}


def _i(lang: str) -> int:
    return 1 if lang == "en" else 0


def event(etype: str, lang: str = "vi") -> str:
    """«received at the counter» — the words of an event type (unknown types: in brackets)."""
    words = EVENT_WORDS.get(str(etype))
    return f"«{words[_i(lang)]}»" if words else (
        f"«loại không rõ [{etype}]»" if lang != "en" else f"«unknown type [{etype}]»")


def origin(value: str, lang: str = "vi") -> str:
    words = ORIGIN_WORDS.get(str(value))
    return words[_i(lang)] if words else (
        f"nguồn không rõ [{value}]" if lang != "en" else f"unknown origin [{value}]")


def action(name: str, lang: str = "vi") -> str:
    """An audit action in words, its name in brackets."""
    name = str(name)
    words = ACTION_WORDS.get(name)
    if words is None and name.startswith("dossier.") and name[8:] in EVENT_WORDS:
        words = EVENT_WORDS[name[8:]]
    if words is None:
        return f"thao tác [{name}]" if lang != "en" else f"action [{name}]"
    return f"«{words[_i(lang)]}» [{name}]"


def trigger(name: str, lang: str = "vi") -> str:
    words = TRIGGER_WORDS.get(str(name))
    text = words[_i(lang)] if words else ("bảo vệ dữ liệu" if lang != "en" else "protects data")
    return f"«{text}» [{name}]"


def when(text: object) -> str:
    """An ISO time as dd/mm/yyyy HH:MM in Vietnam time (anything unreadable: as it is)."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return f"{moment.astimezone(VN_TZ):%d/%m/%Y %H:%M}"


def day(value: object) -> str:
    """A day (date or YYYY-MM-DD) as dd/mm/yyyy."""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    try:
        return f"{date.fromisoformat(str(value)):%d/%m/%Y}"
    except ValueError:
        return str(value)

