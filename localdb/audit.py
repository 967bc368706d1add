"""Append-only, hash-chained audit log: who did what, when, from which counter.

Each row's hash covers the previous row's hash and its own fields, and the newest (seq, hash)
is also kept in `meta`, so an edited, inserted or deleted row — even the last one — breaks
the chain. Triggers refuse UPDATE/DELETE; the chain catches edits made behind SQLite's back.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def _row_hash(prev_hash: str, seq: int, at: str, actor: str, counter: str, action: str,
              subject: str, detail: str) -> str:
    body = json.dumps(
        [seq, at, actor, counter, action, subject, detail], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(conn: sqlite3.Connection, *, at: str, actor: str, counter: str, action: str,
           subject: str = "", detail: dict[str, Any] | None = None) -> int:
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
    problem: str  # edited | gap | broken_link | head_mismatch | anchor_* | witness_*
    event_id: str | None = None
    label: str = ""
    after: int | None = None  # last row known good (anchor problems)

    def describe(self, lang: str = "vi") -> str:
        vi = {
            "edited": "dòng nhật ký đã bị sửa",
            "gap": "thiếu dòng nhật ký (bị xoá)",
            "broken_link": "chuỗi băm của nhật ký bị đứt (dòng bị chèn hoặc xoá)",
            "head_mismatch": "dòng cuối nhật ký không khớp (dòng cuối bị xoá hoặc sửa)",
            "anchor_mismatch": "dòng nhật ký khác giá trị đã được ký trong sự kiện",
            "anchor_missing": "dòng nhật ký được ký xác nhận nhưng không còn",
            "anchor_row_moved": "dòng nhật ký của thao tác đã ký không đúng vị trí",
            "witness_mismatch": "dòng nhật ký khác giá trị cổng tỉnh đã chứng kiến",
            "witness_missing": "dòng nhật ký cổng tỉnh đã chứng kiến không còn",
        }
        en = {
            "edited": "audit row was edited",
            "gap": "audit rows are missing (deleted)",
            "broken_link": "audit hash chain broken (row inserted or deleted)",
            "head_mismatch": "newest audit row does not match the recorded head (deleted or edited)",
            "anchor_mismatch": "audit row differs from the head signed into an event",
            "anchor_missing": "audit row anchored by a signature is gone",
            "anchor_row_moved": "the signed action's own audit row is not where it was",
            "witness_mismatch": "audit row differs from the head the gateway witnessed",
            "witness_missing": "audit row witnessed by the gateway is gone",
        }
        text = (en if lang == "en" else vi)[self.problem]
        if self.label:  # the dossier says more to a person than the event's id
            text += f" (dossier {self.label})" if lang == "en" else f" (hồ sơ {self.label})"
        elif self.event_id:
            text += f" (event {self.event_id})" if lang == "en" else f" (sự kiện {self.event_id})"
        if self.after == 0:  # no row before it holds: rewritten from the first row on
            text += ("; the log was rewritten from its first row" if lang == "en"
                     else "; nhật ký đã bị viết lại từ dòng đầu tiên")
        elif self.after is not None:
            text += (f"; rows after #{self.after} were rewritten" if lang == "en"
                     else f"; các dòng sau #{self.after} đã bị viết lại")
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


def _recomputed(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """(seq, digest recomputed from the row's own fields over the stored chain, detail)."""
    for seq, at, actor, counter, action, subject, detail, prev_hash, _ in conn.execute(
        "SELECT seq, at, actor, counter, action, subject, detail, prev_hash, hash "
        "FROM audit ORDER BY seq"
    ):
        yield seq, _row_hash(prev_hash, seq, at, actor, counter, action, subject, detail), detail


def check_anchors(conn: sqlite3.Connection,
                  anchors: Iterable[tuple[int, str, str, str]]) -> list[AuditProblem]:
    """Compare the chain with heads signed elsewhere: each anchor (seq, hash, event id, label)
    says "row `seq` hashed to `hash` when event `event id` was signed, and that event's own
    audit row is `seq + 1`". Streams both sides (anchors sorted by seq). Reports the first
    anchor the log no longer matches, naming the last row still known good."""
    problems: list[AuditProblem] = []
    rows = _recomputed(conn)
    current: tuple[int, str, str] | None = next(rows, None)
    good = 0
    pending_own: tuple[int, str, str] | None = None  # (seq, event id, label)
    for seq, digest, event_id, label in anchors:
        if seq == 0:
            if digest != GENESIS:
                problems.append(AuditProblem(0, "anchor_mismatch", event_id, label, good))
                return problems
            pending_own = (1, event_id, label)
        while current is not None and current[0] < seq:
            if pending_own and current[0] == pending_own[0]:
                if not _names_event(current[2], pending_own[1]):
                    problems.append(AuditProblem(current[0], "anchor_row_moved", pending_own[1],
                                                 pending_own[2], good))
                    return problems
                pending_own = None
            current = next(rows, None)
        if seq == 0:
            continue
        if current is None or current[0] != seq:
            problems.append(AuditProblem(seq, "anchor_missing", event_id, label, good))
            return problems
        if current[1] != digest:
            problems.append(AuditProblem(seq, "anchor_mismatch", event_id, label, good))
            return problems
        good = seq
        pending_own = (seq + 1, event_id, label)
    while current is not None and pending_own is not None:
        if current[0] == pending_own[0]:
            if not _names_event(current[2], pending_own[1]):
                problems.append(AuditProblem(current[0], "anchor_row_moved", pending_own[1],
                                             pending_own[2], good))
            pending_own = None
        current = next(rows, None)
    if pending_own is not None:
        problems.append(AuditProblem(pending_own[0], "anchor_missing", pending_own[1],
                                     pending_own[2], good))
    return problems


def _names_event(detail: str, event_id: str) -> bool:
    try:
        named: object = json.loads(detail).get("event_id")
        return named == event_id
    except (ValueError, AttributeError):
        return False


def row_hash_at(conn: sqlite3.Connection, seq: int) -> str | None:
    """The recomputed hash of row `seq` (None when there is no such row), for the witness."""
    for s, digest, _ in _recomputed(conn):
        if s == seq:
            return digest
        if s > seq:
            return None
    return None
