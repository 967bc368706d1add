"""Read-side services: show, search, list. The GUI and the CLI call these, never the store."""

from __future__ import annotations

import json
from typing import Any

from app.context import Counter
from app.domain import PortalStatus
from app.errors import UserError
from app.status import derive_status
from localdb import dossiers as repo
from localdb import search as fts


def _status(code: int) -> dict[str, Any]:
    s = PortalStatus(code)
    return {"status": s.slug, "status_code": int(s), "status_label": s.label_vi,
            "status_label_en": s.label_en}


def show(counter: Counter, code: str) -> dict[str, Any]:
    """Everything about one dossier: data, status, events (timeline), sync state."""
    with counter.store.write() as conn:  # serialised read of several tables
        row = repo.get(conn, code=code.strip())
        if row is None:
            raise UserError(f"Không tìm thấy hồ sơ '{code}'.", f"Dossier '{code}' not found.",
                            field="code", code="not_found")
        events = repo.events_of(conn, row["id"])
        pending = conn.execute(
            "SELECT count(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.dossier_id = ?",
            (row["id"],)).fetchone()[0]
    derived = derive_status(events)
    data = json.loads(row["data"])
    from app.remote import owner_of

    owner = owner_of(row["code"])
    return {
        **data,
        "owner_counter": owner,  # the counter that received it (its digits are in the code)
        "own": owner == counter.counter_no,
        "appointment_at": row["appointment_at"],  # current: moves when a supplement arrives
        "first_appointment_at": data.get("appointment_at"),
        **_status(row["status"]),
        "derived_status": derived.status.slug,
        "contradictions": derived.contradictions,
        "events": [
            {"id": e["id"], "type": e["type"], "occurred_at": e["occurred_at"], "origin": e["origin"],
             "actor": e["actor"], "signed": e["signature"] is not None, "synced_at": e["synced_at"],
             "note": (json.loads(e["payload"]).get("data") or {}).get("note", "")
             if e["type"] != "received" else ""}
            for e in events
        ],
        "sync": {"pending_events": pending},
    }


def _public(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in ("id", "code", "procedure_code", "procedure_name", "applicant_name",
                               "citizen_id", "phone", "channel", "received_at", "appointment_at",
                               "clerk")}
    out.update(_status(row["status"]))
    return out


MAX_LIMIT = fts.MAX_LIMIT
MAX_QUERY = 200  # characters: more than any name, ID, phone and code typed together

NO_TERMS = {
    "code": "no_terms",
    "vi": "Từ khoá không có chữ cái hay chữ số nào để tìm; hãy gõ tên, số định danh, "
          "số điện thoại hoặc mã hồ sơ.",
    "en": "The query has no letter or digit to search for; type a name, citizen ID, phone "
          "number or dossier code.",
}


def check_limit(limit: object) -> int:
    """A page size within 1–1,000, or a one-line refusal naming the limit."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise UserError("Số kết quả (--limit) phải là số nguyên từ 1 đến "
                        f"{MAX_LIMIT:,}.".replace(",", "."),
                        f"The number of results (--limit) must be a whole number from 1 to "
                        f"{MAX_LIMIT:,}.", field="limit", code="bad_limit")
    return limit


def search(counter: Counter, text: str, *, limit: int = 50, before: int | None = None,
           status: int | None = None) -> dict[str, Any]:
    """One page of search results, newest first. A query with no letter or digit finds
    nothing; the answer then carries `notice` (code, vi, en) saying why."""
    check_limit(limit)
    if len(text) > MAX_QUERY:
        raise UserError(f"Từ khoá tìm kiếm: tối đa {MAX_QUERY} ký tự.",
                        f"Search text: at most {MAX_QUERY} characters.", field="text",
                        code="too_long")
    with counter.store._lock:
        page = fts.search(counter.store.conn, text, limit=limit, before=before, status=status)
    out: dict[str, Any] = {"results": [_public(r) | {"rowid": r["rowid"]} for r in page.rows],
                 "next_before": page.next_before}
    if page.reason == "no_terms":
        out["notice"] = dict(NO_TERMS)
    return out


def list_dossiers(counter: Counter, *, status: str | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
    check_limit(limit)
    code = None
    if status:
        try:
            code = int(status) if status.isdigit() else int(PortalStatus[status.upper()])
            PortalStatus(code)
        except (KeyError, ValueError):
            names = ", ".join(s.slug for s in PortalStatus)
            raise UserError(f"Trạng thái '{status}' không hợp lệ; chọn một trong: {names}.",
                            f"Unknown status '{status}'; use one of: {names}.", field="status") from None
    with counter.store._lock:
        rows = repo.list_dossiers(counter.store.conn, status=code, limit=limit)
    return [_public(r) for r in rows]
