"""Read-side services for the GUI's lists, home queue and reports.

SQL is allowed here (through `counter.store.query`, parameterised only) because these are
aggregate/filter reads that app.queries does not offer: a filtered keyset page (status,
procedure, date range), today's work queue, and counts per day / per procedure with on-time
rates. Nothing here writes.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.context import Counter
from app.domain import OPEN_STATUSES, PortalStatus, iso, now_vn

_COLUMNS = ("rowid, id, code, procedure_code, procedure_name, applicant_name, citizen_id, phone, "
            "channel, received_at, appointment_at, status, clerk")
_OPEN_SQL = ",".join(str(int(s)) for s in sorted(OPEN_STATUSES))  # constants only
_READY = int(PortalStatus.RESULT_READY)
MAX_SCANNED_PAGES = 20  # a text search post-filtered by procedure/date reads at most this many


def _row(r: dict[str, Any]) -> dict[str, Any]:
    s = PortalStatus(r["status"])
    out = {k: r[k] for k in ("rowid", "id", "code", "procedure_code", "procedure_name",
                             "applicant_name", "citizen_id", "phone", "channel", "received_at",
                             "appointment_at", "clerk")}
    out.update(status=s.slug, status_code=int(s), status_label=s.label_vi,
               status_label_en=s.label_en)
    return out


def _next_day(d: date) -> str:
    return (d + timedelta(days=1)).isoformat()


def dossier_page(counter: Counter, text: str = "", *, before: int | None = None,
                 status: int | None = None, procedure_code: str = "",
                 date_from: date | None = None, date_to: date | None = None,
                 limit: int = 100) -> dict[str, Any]:
    """Newest-first keyset page: {"results": [...], "next_before": rowid | None}.

    With text, the full-text search of app.queries does the matching and procedure/date are
    filtered on its pages; without text a plain indexed query applies every filter. `limit`
    must be within 1–1,000; a text with no letter or digit finds nothing and the answer
    carries `notice` (as app.queries.search)."""
    from app import queries

    queries.check_limit(limit)
    if text.strip():
        out: list[dict[str, Any]] = []
        cursor = before
        for _ in range(MAX_SCANNED_PAGES):
            page = queries.search(counter, text, limit=limit, before=cursor, status=status)
            if "notice" in page:
                return {"results": [], "next_before": None, "notice": page["notice"]}
            for r in page["results"]:
                if procedure_code and r["procedure_code"] != procedure_code:
                    continue
                day = r["received_at"][:10]
                if date_from and day < date_from.isoformat():
                    continue
                if date_to and day > date_to.isoformat():
                    continue
                out.append(r)
            cursor = page["next_before"]
            if cursor is None or len(out) >= limit:
                break
        return {"results": out, "next_before": cursor}
    where, params = ["1"], []
    if before:
        where.append("rowid < ?")
        params.append(before)
    if status is not None:
        where.append("status = ?")
        params.append(int(status))
    if procedure_code:
        where.append("procedure_code = ?")
        params.append(procedure_code)
    if date_from:
        where.append("received_at >= ?")
        params.append(date_from.isoformat())
    if date_to:
        where.append("received_at < ?")
        params.append(_next_day(date_to))
    rows = counter.store.query(
        f"SELECT {_COLUMNS} FROM dossiers WHERE {' AND '.join(where)} "  # noqa: S608
        "ORDER BY rowid DESC LIMIT ?", (*params, limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"results": [_row(r) for r in rows],
            "next_before": rows[-1]["rowid"] if more and rows else None}


def work_queue(counter: Counter, now: datetime | None = None, limit: int = 200) -> dict[str, Any]:
    """Today's work at the counter: results waiting to be handed over, dossiers due today or
    overdue (open only), and today's counts."""
    now = now or now_vn()
    today = now.date()
    tomorrow = _next_day(today)
    rows = counter.store.query(
        f"SELECT {_COLUMNS} FROM dossiers "  # noqa: S608 - constants only
        f"WHERE status = {_READY} OR (status IN ({_OPEN_SQL}) AND appointment_at IS NOT NULL "
        "AND appointment_at < ?) ORDER BY appointment_at LIMIT ?", (tomorrow, limit))
    received_today = int(counter.store.scalar(
        "SELECT count(*) FROM dossiers WHERE received_at >= ? AND received_at < ?",
        (today.isoformat(), tomorrow)) or 0)
    now_s = iso(now)
    items = [_row(r) for r in rows]
    overdue = sum(1 for r in items if r["appointment_at"] and r["appointment_at"] < now_s
                  and r["status_code"] != _READY)
    return {"items": items, "received_today": received_today, "overdue": overdue,
            "result_ready": sum(1 for r in items if r["status_code"] == _READY),
            "due_today": sum(1 for r in items if due_state(r, now) == "due_today")}


def due_state(row: dict[str, Any], now: datetime | None = None) -> str:
    """"overdue", "due_today" (still on time) or "" for one list row. Only dossiers still being
    processed can be late: a result that is ready is waiting for the citizen, not for us."""
    if row.get("status_code") not in OPEN_STATUSES or row.get("status_code") == _READY \
            or not row.get("appointment_at"):
        return ""
    now = now or now_vn()
    if row["appointment_at"] < iso(now):
        return "overdue"
    if row["appointment_at"][:10] == now.date().isoformat():
        return "due_today"
    return ""


# ----------------------------------------------------------------------------- reports
@dataclass
class ProcedureLine:
    code: str
    name: str
    received: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open_overdue: int = 0


@dataclass
class Report:
    date_from: date
    date_to: date
    per_day: dict[str, int] = field(default_factory=dict)  # YYYY-MM-DD -> received
    per_procedure: dict[str, ProcedureLine] = field(default_factory=dict)

    @property
    def received(self) -> int:
        return sum(self.per_day.values())

    @property
    def on_time(self) -> int:
        return sum(p.done_on_time for p in self.per_procedure.values())

    @property
    def late(self) -> int:
        return sum(p.done_late for p in self.per_procedure.values())

    @property
    def overdue(self) -> int:
        return sum(p.open_overdue for p in self.per_procedure.values())

    @property
    def on_time_rate(self) -> float | None:
        done = self.on_time + self.late
        return self.on_time / done if done else None


def _months(a: date, b: date) -> list[tuple[date, date]]:
    out, start = [], a
    while start <= b:
        nxt = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        out.append((start, min(b, nxt - timedelta(days=1))))
        start = nxt
    return out


def build_report(counter: Counter, date_from: date, date_to: date, *,
                 progress: Callable[[int, int], None] | None = None,
                 now: datetime | None = None) -> Report:
    """Counts of dossiers received in [date_from, date_to] per day and per procedure, and how
    many were done (result ready or returned) on time / late, or are open and overdue.

    Worked month by month so a year's report reports progress and never holds the store long."""
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    now_s = iso(now or now_vn())
    report = Report(date_from, date_to)
    d = date_from
    while d <= date_to:
        report.per_day[d.isoformat()] = 0
        d += timedelta(days=1)
    chunks = _months(date_from, date_to)
    for i, (a, b) in enumerate(chunks):
        rows = counter.store.query(
            "SELECT d.procedure_code, d.procedure_name, substr(d.received_at, 1, 10) AS day, "
            "d.appointment_at, d.status, "
            "(SELECT min(e.occurred_at) FROM events e WHERE e.dossier_id = d.id "
            " AND e.type IN ('result_ready', 'returned')) AS done_at "
            "FROM dossiers d WHERE d.received_at >= ? AND d.received_at < ?",
            (a.isoformat(), _next_day(b)))
        for r in rows:
            report.per_day[r["day"]] = report.per_day.get(r["day"], 0) + 1
            line = report.per_procedure.setdefault(
                r["procedure_code"], ProcedureLine(r["procedure_code"], r["procedure_name"]))
            line.received += 1
            due = r["appointment_at"]
            if r["done_at"]:
                if due is None or r["done_at"] <= due:
                    line.done_on_time += 1
                else:
                    line.done_late += 1
            elif r["status"] in OPEN_STATUSES and due and due < now_s:
                line.open_overdue += 1
        if progress:
            progress(i + 1, len(chunks))
    return report


CSV_HEADERS = {
    "vi": ("Mã thủ tục", "Tên thủ tục", "Tiếp nhận", "Đúng hạn", "Trễ hạn", "Đang quá hạn"),
    "en": ("Procedure code", "Procedure", "Received", "On time", "Late", "Open overdue"),
}


def write_csv(report: Report, path: Path, lang: str = "vi") -> Path:
    """Per-procedure lines, then per-day counts; UTF-8 with BOM so Excel reads Vietnamese."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_HEADERS.get(lang, CSV_HEADERS["vi"]))
        for p in sorted(report.per_procedure.values(), key=lambda p: (-p.received, p.code)):
            w.writerow((p.code, p.name, p.received, p.done_on_time, p.done_late, p.open_overdue))
        w.writerow(())
        w.writerow(("Ngày", "Tiếp nhận") if lang != "en" else ("Day", "Received"))
        for day, n in report.per_day.items():
            w.writerow((f"{day[8:10]}/{day[5:7]}/{day[:4]}", n))
    return path


def citizen_history(counter: Counter, citizen_id: str, limit: int = 50) -> dict[str, Any]:
    """A citizen's dossiers at this centre, newest first (scan = lookup): {"open": [...],
    "closed": [...]} by the exact 12-digit ID (indexed)."""
    cid = (citizen_id or "").strip()
    if not cid:
        return {"open": [], "closed": []}
    rows = [_row(r) for r in counter.store.query(
        f"SELECT {_COLUMNS} FROM dossiers WHERE citizen_id = ? "  # noqa: S608 - constants only
        "ORDER BY rowid DESC LIMIT ?", (cid, limit))]
    return {"open": [r for r in rows if r["status_code"] in OPEN_STATUSES],
            "closed": [r for r in rows if r["status_code"] not in OPEN_STATUSES]}


def open_duplicate(history: dict[str, Any], procedure_code: str) -> dict[str, Any] | None:
    """The citizen's open dossier of the same procedure, if any (warn before a second one)."""
    for r in history.get("open", []):
        if procedure_code and r["procedure_code"] == procedure_code:
            return r
    return None


def clerk_day(counter: Counter, clerk: str, day: date) -> dict[str, Any]:
    """End of day for one clerk, for the cash reconciliation: dossiers received (with the fee
    each), results handed back, and the fees collected at intake."""
    start, end = day.isoformat(), _next_day(day)
    received = counter.store.query(
        "SELECT code, procedure_name, applicant_name, received_at, "
        "CAST(json_extract(data, '$.fee_vnd') AS INTEGER) AS fee "
        "FROM dossiers WHERE clerk = ? AND received_at >= ? AND received_at < ? "
        "AND json_extract(data, '$.late_entry') IS NOT 1 ORDER BY received_at",
        (clerk, start, end))
    returned = counter.store.query(
        "SELECT d.code, d.procedure_name, d.applicant_name, e.occurred_at "
        "FROM events e JOIN dossiers d ON d.id = e.dossier_id "
        "WHERE e.type = 'returned' AND e.actor = ? AND e.occurred_at >= ? "
        "AND e.occurred_at < ? ORDER BY e.occurred_at", (clerk, start, end))
    rows = [{"kind": "received", "code": r["code"], "procedure": r["procedure_name"],
             "applicant": r["applicant_name"], "at": r["received_at"], "fee_vnd": r["fee"] or 0}
            for r in received]
    rows += [{"kind": "returned", "code": r["code"], "procedure": r["procedure_name"],
              "applicant": r["applicant_name"], "at": r["occurred_at"], "fee_vnd": 0}
             for r in returned]
    rows.sort(key=lambda r: r["at"])
    return {"clerk": clerk, "day": day.isoformat(), "received": len(received),
            "returned": len(returned), "fees_vnd": sum(r["fee"] or 0 for r in received),
            "rows": rows}


def clerk_day_csv(report: dict[str, Any], path: Path, lang: str = "vi") -> Path:
    """The end-of-day report as CSV (UTF-8 with BOM: opens in Excel with the diacritics)."""
    en = lang == "en"
    head = (["Time", "Kind", "Dossier code", "Procedure", "Applicant", "Fee (VND)"] if en else
            ["Thời điểm", "Loại", "Mã hồ sơ", "Thủ tục", "Người nộp", "Lệ phí (đồng)"])
    kinds = {"received": "received" if en else "tiếp nhận",
             "returned": "result returned" if en else "trả kết quả"}
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        for r in report["rows"]:
            w.writerow([r["at"], kinds[r["kind"]], r["code"], r["procedure"], r["applicant"],
                        r["fee_vnd"]])
        w.writerow([])
        w.writerow(["Total" if en else "Tổng", f"{report['received']} / {report['returned']}",
                    "", "", "", report["fees_vnd"]])
    return path


def clerk_day_model(counter: Counter, report: dict[str, Any], display_name: str):
    """The end-of-day report as a printable table (the receipts layout engine)."""
    from app.receipts import Field, SignatureBlock, TableModel, header_of

    day = date.fromisoformat(report["day"])
    kinds = {"received": "Tiếp nhận", "returned": "Trả kết quả"}
    rows = tuple((f"{i}", r["at"][11:16], kinds[r["kind"]], r["code"], r["procedure"],
                  r["applicant"], f"{r['fee_vnd']:,}".replace(",", ".") if r["fee_vnd"] else "")
                 for i, r in enumerate(report["rows"], 1))
    return TableModel(
        kind="book", header=header_of(counter, day),
        title="BÁO CÁO CUỐI NGÀY CỦA CÁN BỘ TIẾP NHẬN",
        subtitle=f"Ngày {day:%d/%m/%Y} — {display_name} ({report['clerk']})",
        fields=(Field("Hồ sơ tiếp nhận", str(report["received"])),
                Field("Kết quả đã trả", str(report["returned"])),
                Field("Lệ phí đã thu", f"{report['fees_vnd']:,} đồng".replace(",", "."), True)),
        columns=("STT", "Giờ", "Việc", "Mã hồ sơ", "Thủ tục", "Người nộp / nhận", "Lệ phí"),
        widths=(5, 7, 11, 22, 25, 18, 12), rows=rows,
        signatures=(SignatureBlock("NGƯỜI LẬP"), SignatureBlock("NGƯỜI KIỂM TRA")))


def frequent_procedures(counter: Counter, clerk: str, limit: int = 5) -> list[str]:
    """The procedures this clerk received most in the last 90 days (favourites' first guess)."""
    since = (now_vn().date() - timedelta(days=90)).isoformat()
    rows = counter.store.query(
        "SELECT procedure_code, count(*) AS n FROM dossiers WHERE clerk = ? AND received_at >= ? "
        "GROUP BY procedure_code ORDER BY n DESC, procedure_code LIMIT ?", (clerk, since, limit))
    return [r["procedure_code"] for r in rows]
