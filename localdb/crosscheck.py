"""Cross-checks between the store's tables and the scan folder, and their repairs.

What someone with the file can break without touching a signature, and `check`/`verify` name:

* an own event the gateway never acknowledged (``synced_at`` empty) and no longer queued in the
  outbox — it would never reach the province (`repair` queues it again);
* an audit row that names an event which is gone;
* a missing append-only / search trigger (`repair` re-creates it from the schema);
* a scan file no dossier references (`repair --remove-unreferenced-scans` deletes it).

Pure SQL over the caller's connection; nothing of ours is imported but the schema text.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from localdb.schema import MIGRATIONS

_TRIGGER_RE = re.compile(r"CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
_DROP_RE = re.compile(r"DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?(\w+)", re.IGNORECASE)

#: actions whose detail names an event that is not (necessarily) stored
_NOT_STORED = ("sync.refused", "sync.parked")


def _statements(script: str) -> list[str]:
    out, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text and sqlite3.complete_statement(text):
            out.append(text)
            buf = []
    return out


def expected_triggers() -> dict[str, str]:
    """Trigger name -> the CREATE statement the schema ends with."""
    found: dict[str, str] = {}
    for _version, _desc, script in MIGRATIONS:
        for stmt in _statements(script):
            m = _TRIGGER_RE.search(stmt)
            if m and stmt.lstrip().upper().startswith("CREATE"):
                found[m.group(1)] = stmt
                continue
            d = _DROP_RE.search(stmt)
            if d and stmt.lstrip().upper().startswith("DROP"):
                found.pop(d.group(1), None)
    return found


def missing_triggers(conn: sqlite3.Connection) -> list[str]:
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    out = []
    for name, stmt in expected_triggers().items():
        m = re.search(r"\bON\s+(\w+)", stmt, re.IGNORECASE)
        if name not in have and (m is None or m.group(1) in tables):
            out.append(name)
    return sorted(out)


def recreate_triggers(conn: sqlite3.Connection, names: list[str]) -> None:
    ddl = expected_triggers()
    for name in names:
        conn.execute(ddl[name])


def unqueued_events(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str, str]]:
    """(event id, type, dossier code, occurred_at) of counter events neither acknowledged nor
    queued. Events pulled from elsewhere are stored acknowledged, so only this counter's own
    show."""
    yield from conn.execute(
        "SELECT e.id, e.type, coalesce(d.code, ''), e.occurred_at FROM events e "
        "LEFT JOIN outbox o ON o.event_id = e.id LEFT JOIN dossiers d ON d.id = e.dossier_id "
        "WHERE e.origin = 'counter' AND e.synced_at IS NULL AND o.event_id IS NULL "
        "ORDER BY e.seq")


def unqueued_count(conn: sqlite3.Connection) -> int:
    """How many counter events are neither acknowledged nor queued (the quick count `sync
    status` shows; `check` names them and `repair` queues them again)."""
    row = conn.execute(
        "SELECT count(*) FROM events e LEFT JOIN outbox o ON o.event_id = e.id "
        "WHERE e.origin = 'counter' AND e.synced_at IS NULL AND o.event_id IS NULL").fetchone()
    return int(row[0]) if row else 0


def sent_events(conn: sqlite3.Connection, agency_code: str, counter_no: int
                ) -> Iterator[tuple[str, str, str, bytes | None, bytes | None]]:
    """(event id, type, dossier code, signature, token) of this counter's own events marked
    sent (``synced_at`` set) and not queued: whether the gateway really acknowledged them is
    the caller's judgement of the token (localdb does not verify signatures). ``synced_at``
    is not signed — anyone with the file can set it — so it is never proof by itself."""
    yield from conn.execute(
        "SELECT e.id, e.type, coalesce(d.code, ''), CAST(e.signature AS BLOB), "
        "CAST(e.tst AS BLOB) FROM events e "
        "LEFT JOIN outbox o ON o.event_id = e.id LEFT JOIN dossiers d ON d.id = e.dossier_id "
        "WHERE e.origin = 'counter' AND e.synced_at IS NOT NULL AND o.event_id IS NULL "
        "AND json_valid(CAST(e.payload AS TEXT)) "
        "AND json_extract(CAST(e.payload AS TEXT), '$.counter.agency_code') = ? "
        "AND CAST(json_extract(CAST(e.payload AS TEXT), '$.counter.counter_no') AS INTEGER) = ? "
        "ORDER BY e.seq", (agency_code, int(counter_no)))


def sent_without_token(conn: sqlite3.Connection, agency_code: str, counter_no: int) -> int:
    """How many own events are marked sent, not queued, with no token at all (the quick count
    `sync status` shows; `check` also judges the tokens that are there)."""
    row = conn.execute(
        "SELECT count(*) FROM events e LEFT JOIN outbox o ON o.event_id = e.id "
        "WHERE e.tst IS NULL AND e.synced_at IS NOT NULL AND e.origin = 'counter' "
        "AND o.event_id IS NULL AND json_valid(CAST(e.payload AS TEXT)) "
        "AND json_extract(CAST(e.payload AS TEXT), '$.counter.agency_code') = ? "
        "AND CAST(json_extract(CAST(e.payload AS TEXT), '$.counter.counter_no') AS INTEGER) = ?",
        (agency_code, int(counter_no))).fetchone()
    return int(row[0]) if row else 0


def own_chain(conn: sqlite3.Connection, agency_code: str, counter_no: int
              ) -> Iterator[tuple[int, str, str, bool, bool, bytes]]:
    """(counter_seq, event id, dossier code, marked sent, queued, payload) of this counter's
    own chained (v2) events, by counter_seq — to compare with what the gateway holds. Own by
    the origin inside the body, not the column: a relabelled column is not a deleted event."""
    yield from conn.execute(
        "SELECT CAST(json_extract(CAST(e.payload AS TEXT), '$.counter_seq') AS INTEGER) AS cs, "
        "e.id, coalesce(d.code, ''), e.synced_at IS NOT NULL, o.event_id IS NOT NULL, "
        "CAST(e.payload AS BLOB) FROM events e "
        "LEFT JOIN outbox o ON o.event_id = e.id LEFT JOIN dossiers d ON d.id = e.dossier_id "
        "WHERE json_valid(CAST(e.payload AS TEXT)) "
        "AND json_extract(CAST(e.payload AS TEXT), '$.origin') = 'counter' "
        "AND json_type(CAST(e.payload AS TEXT), '$.counter_seq') = 'integer' "
        "AND json_extract(CAST(e.payload AS TEXT), '$.counter.agency_code') = ? "
        "AND CAST(json_extract(CAST(e.payload AS TEXT), '$.counter.counter_no') AS INTEGER) = ? "
        "ORDER BY cs, e.seq", (agency_code, int(counter_no)))


def requeue_sent(conn: sqlite3.Connection, event_ids: list[str], at: str) -> int:
    """Queue events marked sent again (their acknowledgement was not proven): back in the
    outbox, ``synced_at`` cleared so every screen shows them as not sent."""
    n = requeue(conn, event_ids, at)
    conn.executemany("UPDATE events SET synced_at = NULL WHERE id = ?",
                     [(eid,) for eid in event_ids])
    return n


def requeue(conn: sqlite3.Connection, event_ids: list[str], at: str) -> int:
    n = 0
    for eid in event_ids:
        n += conn.execute("INSERT INTO outbox (event_id, created_at) VALUES (?, ?) "
                          "ON CONFLICT (event_id) DO NOTHING", (eid, at)).rowcount
    return n


def audit_orphans(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str, str, str]]:
    """(audit seq, action, event id, subject, at) of audit rows naming an event that is not
    stored."""
    marks = ",".join("?" * len(_NOT_STORED))
    yield from conn.execute(
        "SELECT a.seq, a.action, json_extract(a.detail, '$.event_id') AS eid, a.subject, a.at "  # noqa: S608
        "FROM audit a "
        "LEFT JOIN events e ON e.id = json_extract(a.detail, '$.event_id') "
        f"WHERE json_valid(a.detail) AND json_extract(a.detail, '$.event_id') IS NOT NULL "
        f"AND e.id IS NULL AND a.action NOT IN ({marks}) ORDER BY a.seq", _NOT_STORED)


def unaudited_bindings(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(username, certificate SHA-256) whose rows in ``user_certs`` disagree with the audit
    log: every binding is written with a ``user.bind_cert`` row and every unbinding with a
    ``user.unbind_cert`` row (app.binding), so a binding added, re-opened or removed in the
    file by hand shows as a different count. The table is in the file; the log is anchored."""
    logged: dict[tuple[str, str], list[int]] = {}
    for action, user, sha in conn.execute(
            "SELECT action, subject, json_extract(detail, '$.sha256') FROM audit "
            "WHERE action IN ('user.bind_cert', 'user.unbind_cert') AND json_valid(detail)"):
        n = logged.setdefault((str(user), str(sha)), [0, 0])
        n[0 if action == "user.bind_cert" else 1] += 1
    stored: dict[tuple[str, str], list[int]] = {}
    for user, sha, rows, ended in conn.execute(
            "SELECT username, sha256, count(*), sum(unbound_at IS NOT NULL) FROM user_certs "
            "GROUP BY username, sha256"):
        stored[(str(user), str(sha))] = [int(rows), int(ended or 0)]
    return sorted(k for k in set(logged) | set(stored)
                  if logged.get(k, [0, 0]) != stored.get(k, [0, 0]))


def unreferenced_scans(conn: sqlite3.Connection, attachments_dir: Path) -> Iterator[Path]:
    """Files in the scan folder that no dossier's attachment list names (content-addressed:
    ``<dir>/<sha[:2]>/<sha>``). Streams the folder; lookups go through a TEMP index."""
    if not Path(attachments_dir).is_dir():
        return
    conn.execute("DROP TABLE IF EXISTS temp.known_scans")
    conn.execute("CREATE TEMP TABLE known_scans (sha TEXT PRIMARY KEY) WITHOUT ROWID")
    try:
        conn.execute("INSERT OR IGNORE INTO temp.known_scans SELECT sha256 FROM attachments")
        for sub in sorted(Path(attachments_dir).iterdir()):
            if not sub.is_dir() or sub.name.startswith("."):
                continue  # .incoming/: scans of intakes in progress (app.attachments)
            for f in sorted(sub.iterdir()):
                if not f.is_file():
                    continue
                known = conn.execute("SELECT 1 FROM temp.known_scans WHERE sha = ?",
                                     (f.name,)).fetchone()
                if known is None:
                    yield f
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.known_scans")
