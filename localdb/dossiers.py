"""Dossier, event and attachment rows. Called inside `Store.write()` for writes.

The dossiers table is a projection for listing and searching; the signed event payloads are
the record. `verify` (signing) compares the two, so an edited row is found.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from localdb import codes
from localdb.errors import StoreError
from localdb.search import search_text

MAX_DAILY_SEQUENCE = 9999


def next_sequence(conn: sqlite3.Connection, day: str) -> int:
    """Next per-day dossier number of this counter (1, 2, …), inside the caller's transaction,
    so concurrent processes on one store serialise on the write lock and never share a number."""
    row = conn.execute(
        "INSERT INTO code_sequences (day, last) VALUES (?, 1) "
        "ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last",
        (day,),
    ).fetchone()
    # never below the high-water mark kept outside the store (a restore cannot roll it back)
    n = codes.cover(conn, day, int(row[0]))
    if n > MAX_DAILY_SEQUENCE:
        raise StoreError(
            f"Đã hết số thứ tự hồ sơ trong ngày {day} của quầy này ({MAX_DAILY_SEQUENCE}).",
            f"This counter has used all dossier numbers for {day} ({MAX_DAILY_SEQUENCE}).",
            code="sequence_exhausted",
        )
    return n


def insert_dossier(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Insert the projection row; returns its rowid (search order)."""
    text = search_text(
        applicant_name=row["applicant_name"], citizen_id=row.get("citizen_id", ""),
        phone=row.get("phone", ""), code=row["code"],
    )
    cur = conn.execute(
        "INSERT INTO dossiers (id, code, procedure_code, procedure_name, applicant_name, "
        "citizen_id, phone, channel, received_at, appointment_at, status, clerk, data, "
        "search_text, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row["id"], row["code"], row["procedure_code"], row["procedure_name"],
            row["applicant_name"], row.get("citizen_id", ""), row.get("phone", ""),
            row["channel"], row["received_at"], row.get("appointment_at"), row["status"],
            row["clerk"], row["data"], text, row["updated_at"],
        ),
    )
    return int(cur.lastrowid or 0)


def insert_event(conn: sqlite3.Connection, *, id: str, dossier_id: str, type: str,
                 occurred_at: str, origin: str, actor: str, payload: bytes,
                 signature: bytes | None, recorded_at: str, synced_at: str | None = None) -> bool:
    """Append an event; returns False when the id is already stored with the same payload
    (idempotent re-delivery) and raises when the same id carries different bytes."""
    existing = conn.execute("SELECT payload FROM events WHERE id = ?", (id,)).fetchone()
    if existing is not None:
        if bytes(existing[0]) != payload:
            raise StoreError(
                "Sự kiện trùng mã nhưng khác nội dung — đã bỏ qua và ghi nhật ký.",
                "An event arrived with a known id but different content; ignored and logged.",
                code="event_conflict",
            )
        return False
    conn.execute(
        "INSERT INTO events (id, dossier_id, type, occurred_at, origin, actor, payload, "
        "signature, recorded_at, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (id, dossier_id, type, occurred_at, origin, actor, payload, signature, recorded_at,
         synced_at),
    )
    return True


def insert_attachments(conn: sqlite3.Connection, dossier_id: str,
                       items: Iterable[dict[str, Any]]) -> None:
    conn.executemany(
        "INSERT INTO attachments (dossier_id, sha256, name, media_type, size) "
        "VALUES (?, ?, ?, ?, ?)",
        [(dossier_id, a["sha256"], a["name"], a["media_type"], a["size"]) for a in items],
    )


def set_status(conn: sqlite3.Connection, dossier_id: str, status: int, at: str) -> None:
    conn.execute(
        "UPDATE dossiers SET status = ?, updated_at = ? WHERE id = ?", (status, at, dossier_id)
    )


def _rows(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def get(conn: sqlite3.Connection, *, code: str | None = None, id: str | None = None) -> dict[str, Any] | None:
    if code is not None:
        rows = _rows(conn.execute("SELECT * FROM dossiers WHERE code = ?", (code.upper(),)))
    else:
        rows = _rows(conn.execute("SELECT * FROM dossiers WHERE id = ?", (id,)))
    return rows[0] if rows else None


def events_of(conn: sqlite3.Connection, dossier_id: str) -> list[dict[str, Any]]:
    return _rows(conn.execute(
        # CAST: bytes stay bytes even if someone stored them as TEXT behind our back
        "SELECT seq, id, type, occurred_at, origin, actor, CAST(payload AS BLOB) AS payload, "
        "CAST(signature AS BLOB) AS signature, recorded_at, synced_at FROM events "
        "WHERE dossier_id = ? ORDER BY occurred_at, seq",
        (dossier_id,),
    ))


def time_stamps_of(conn: sqlite3.Connection, dossier_id: str) -> dict[str, bytes]:
    """RFC 3161 tokens (events.tst, schema v3+) of a dossier's events, by event id."""
    return {r[0]: bytes(r[1]) for r in conn.execute(
        "SELECT id, CAST(tst AS BLOB) FROM events WHERE dossier_id = ? AND tst IS NOT NULL",
        (dossier_id,))}


def attachments_of(conn: sqlite3.Connection, dossier_id: str) -> list[dict[str, Any]]:
    return _rows(conn.execute(
        "SELECT sha256, name, media_type, size FROM attachments WHERE dossier_id = ? "
        "ORDER BY name", (dossier_id,),
    ))


def list_dossiers(conn: sqlite3.Connection, *, status: int | None = None,
                  received_from: str | None = None, received_to: str | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
    clauses: list[str] = []
    params: list[int | str] = []
    if status is not None:
        clauses.append("status = ?")
        params.append(status)
    if received_from:
        clauses.append("received_at >= ?")
        params.append(received_from)
    if received_to:
        clauses.append("received_at < ?")
        params.append(received_to)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return _rows(conn.execute(
        "SELECT rowid, id, code, procedure_code, procedure_name, applicant_name, citizen_id, "  # noqa: S608
        f"phone, channel, received_at, appointment_at, status, clerk FROM dossiers {where} "
        "ORDER BY rowid DESC LIMIT ?",
        [*params, limit],
    ))
