"""The outbox: events made at this counter that the province has not yet acknowledged.

A row is added in the same transaction as its event, removed (and the event stamped
`synced_at`) when the gateway says accepted or duplicate, parked with a reason when the
gateway rejects it. Parked rows never block the ones behind them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any


def enqueue(conn: sqlite3.Connection, event_id: str, at: str) -> None:
    conn.execute(
        "INSERT INTO outbox (event_id, created_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING",
        (event_id, at),
    )


def pending_batch(conn: sqlite3.Connection, *, max_items: int, max_bytes: int,
                  after_seq: int = 0) -> list[dict[str, Any]]:
    """Oldest pending events after outbox position `after_seq` (a sender with batches still in
    flight reads on past them), bounded by count and by payload+signature bytes (always ≥1)."""
    rows = conn.execute(
        "SELECT o.seq, e.id, e.dossier_id, d.code, e.type, e.occurred_at, e.origin, e.actor, "
        "CAST(e.payload AS BLOB), CAST(e.signature AS BLOB), o.attempts, o.last_error "
        "FROM outbox o JOIN events e ON e.id = o.event_id "
        "JOIN dossiers d ON d.id = e.dossier_id "
        "WHERE o.state = 'pending' AND o.seq > ? ORDER BY o.seq LIMIT ?",
        (after_seq, max_items),
    ).fetchall()
    batch: list[dict[str, Any]] = []
    total = 0
    for seq, eid, did, code, typ, occurred, origin, actor, payload, sig, attempts, error in rows:
        size = len(payload) + len(sig or b"")
        if batch and total + size > max_bytes:
            break
        total += size
        batch.append(
            {
                "outbox_seq": seq, "id": eid, "dossier_id": did, "dossier_code": code,
                "type": typ, "occurred_at": occurred, "origin": origin, "actor": actor,
                "payload": bytes(payload), "signature": bytes(sig) if sig is not None else None,
                "attempts": attempts, "last_error": error,
            }
        )
    if batch:
        ids = [b["dossier_id"] for b in batch]
        marks = ",".join("?" * len(ids))
        att: dict[str, list[str]] = {}
        for did, sha in conn.execute(
            f"SELECT dossier_id, sha256 FROM attachments WHERE dossier_id IN ({marks})",  # noqa: S608
            ids,
        ):
            att.setdefault(did, []).append(sha)
        for b in batch:
            b["attachments"] = sorted(att.get(b["dossier_id"], [])) if b["type"] == "received" else []
    return batch


def mark_delivered(conn: sqlite3.Connection, event_ids: Iterable[str], at: str,
                   tokens: Mapping[str, bytes] | None = None) -> int:
    """Remove delivered events from the outbox and stamp them synced (first delivery only):
    two statements per answered batch, whatever its size (the ids travel as one JSON array).
    `tokens` (event id -> checked RFC 3161 token DER, see `app.timestamps.checked_tokens`) of
    delivered events without one are written by the same UPDATE as the stamp: SQLite rewrites
    the whole event row (payload and signature, ~5 KB) for any change, so one write, not two."""
    id_list = list(event_ids)
    ids = json.dumps(id_list)
    before = conn.total_changes
    conn.execute("DELETE FROM outbox WHERE event_id IN (SELECT value FROM json_each(?))", (ids,))
    n = conn.total_changes - before
    if tokens:
        conn.executemany(
            "UPDATE events SET tst = ?, synced_at = coalesce(synced_at, ?) WHERE id = ?"
            " AND tst IS NULL", [(tokens[e], at, e) for e in id_list if e in tokens])
    conn.execute("UPDATE events SET synced_at = ? WHERE id IN (SELECT value FROM json_each(?))"
                 " AND synced_at IS NULL", (at, ids))
    return n


def park(conn: sqlite3.Connection, event_id: str, reason: str, at: str) -> None:
    conn.execute(
        "UPDATE outbox SET state = 'parked', parked_reason = ?, attempts = attempts + 1, "
        "updated_at = ? WHERE event_id = ?",
        (reason, at, event_id),
    )


def note_attempt(conn: sqlite3.Connection, event_ids: Iterable[str], error: str, at: str) -> None:
    for eid in event_ids:
        conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ? "
            "WHERE event_id = ?",
            (error, at, eid),
        )


def retry_parked(conn: sqlite3.Connection, at: str) -> int:
    return conn.execute(
        "UPDATE outbox SET state = 'pending', updated_at = ? WHERE state = 'parked'", (at,)
    ).rowcount


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    out = {"pending": 0, "parked": 0}
    for state, n in conn.execute("SELECT state, count(*) FROM outbox GROUP BY state"):
        out[state] = n
    return out


def parked(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT o.event_id, d.code AS dossier_code, e.type, o.parked_reason, o.updated_at "
        "FROM outbox o JOIN events e ON e.id = o.event_id JOIN dossiers d ON d.id = e.dossier_id "
        "WHERE o.state = 'parked' ORDER BY o.seq"
    )
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
