"""Append-only, hash-chained audit log: who did what, when, from which counter.

Each row's hash covers the previous row's hash and its own fields, and the newest (seq, hash)
is also kept in `meta`, so an edited, inserted or deleted row — even the last one — breaks
the chain. Triggers refuse UPDATE/DELETE; the chain catches edits made behind SQLite's back.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def _row_hash(prev_hash: str, seq: int, at: str, actor: str, counter: str, action: str,
              subject: str, detail: str) -> str:
    body = json.dumps(
        [seq, at, actor, counter, action, subject, detail], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(conn: sqlite3.Connection, *, at: str, actor: str, counter: str, action: str,
           subject: str = "", detail: dict | None = None) -> int:
    """Add one entry inside the caller's transaction; returns its seq."""
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = _row_hash(prev, seq, at, actor, counter, action, subject, detail_text)
    conn.execute(
        "INSERT INTO audit (seq, at, actor, counter, action, subject, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, counter, action, subject, detail_text, prev, digest),
    )
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (HEAD_KEY, f"{seq}:{digest}"),
    )
    return seq


@dataclass(frozen=True)
class AuditProblem:
    seq: int | None
    problem: str  # edited | gap | broken_link | head_mismatch

    def describe(self, lang: str = "vi") -> str:
        vi = {
            "edited": "dòng nhật ký đã bị sửa",
            "gap": "thiếu dòng nhật ký (bị xoá)",
            "broken_link": "chuỗi băm bị đứt (dòng bị chèn hoặc xoá)",
            "head_mismatch": "dòng cuối nhật ký không khớp (dòng cuối bị xoá hoặc sửa)",
        }
        en = {
            "edited": "audit row was edited",
            "gap": "audit rows are missing (deleted)",
            "broken_link": "hash chain broken (row inserted or deleted)",
            "head_mismatch": "newest audit row does not match the recorded head (deleted or edited)",
        }
        text = (en if lang == "en" else vi)[self.problem]
        return f"#{self.seq}: {text}" if self.seq is not None else text


def verify(conn: sqlite3.Connection) -> tuple[int, list[AuditProblem]]:
    """Walk the whole chain; returns (rows checked, problems found)."""
    problems: list[AuditProblem] = []
    prev = GENESIS
    expected_seq = 1
    last: tuple[int, str] | None = None
    count = 0
    for seq, at, actor, counter, action, subject, detail, prev_hash, digest in conn.execute(
        "SELECT seq, at, actor, counter, action, subject, detail, prev_hash, hash "
        "FROM audit ORDER BY seq"
    ):
        count += 1
        if seq != expected_seq:
            problems.append(AuditProblem(seq, "gap"))
        if prev_hash != prev:
            problems.append(AuditProblem(seq, "broken_link"))
        if _row_hash(prev_hash, seq, at, actor, counter, action, subject, detail) != digest:
            problems.append(AuditProblem(seq, "edited"))
        prev = digest
        expected_seq = seq + 1
        last = (seq, digest)
    head = conn.execute("SELECT value FROM meta WHERE key = ?", (HEAD_KEY,)).fetchone()
    recorded = head[0] if head else None
    actual = f"{last[0]}:{last[1]}" if last else None
    if recorded != actual:
        problems.append(AuditProblem(None, "head_mismatch"))
    return count, problems
