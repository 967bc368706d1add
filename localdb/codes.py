"""The high-water mark of issued dossier numbers, kept OUTSIDE the store file.

A restore (or a store file copied back by hand) rolls the store's `code_sequences` back;
numbers issued after that backup are already printed on citizens' receipts and must never be
issued again. So every number is also written to a small file beside the store
(`<store>.codes`: JSON {"counter": label, "days": {day: highest number}}, mode 0600; created
and rewritten by restore atomically and fsynced, overwritten in place per intake) inside the
write transaction that issues it, and the
next number is above both the store's sequence and that mark. One write per intake rather
than reserved blocks: a block would make a rollback within the block undetectable.

Durability: the per-intake write is not fsynced (two more fsyncs per intake cost more than
the whole durable commit on a busy disk; see bench_store). What it guards against is a
rollback of the store file, which happens long after the page cache reached the disk; a power
cut can only lose the mark's last writes while the store (fsynced) keeps those numbers, and
`restore` raises the mark from the store it replaces, durably, before replacing it. The
mark's other writers (restore, the gateway's figure) fsync. A damaged mark (a crash mid-
write on a file system without ordered renames) is logged and rebuilt from the store.

The gateway also knows this counter's highest code: `learn` takes what it reports, so a
counter whose whole folder was lost still never goes below what it sent.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any, TypedDict

from localdb.files import write_atomic

log = logging.getLogger(__name__)

SUFFIX = ".codes"


def mark_path(store_path: str | os.PathLike[str]) -> Path:
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + SUFFIX)


class MarkDoc(TypedDict):
    """The mark file's content: the counter label and, per day, the highest number issued."""

    counter: str
    days: dict[str, int]


class CodeMark:
    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    @classmethod
    def beside(cls, store_path: str | os.PathLike[str]) -> CodeMark:
        return cls(mark_path(store_path))

    @classmethod
    def of_connection(cls, conn: sqlite3.Connection) -> CodeMark | None:
        """The mark beside the file `conn` has open (None for an in-memory database)."""
        for _, name, file in conn.execute("PRAGMA database_list"):
            if name == "main":
                return cls.beside(file) if file else None
        return None

    # ------------------------------------------------------------------ reading
    def read(self) -> MarkDoc:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {"counter": "", "days": {}}
        try:
            doc = json.loads(raw)
            days = {str(k): int(v) for k, v in dict(doc.get("days", {})).items()}
            return {"counter": str(doc.get("counter", "")), "days": days}
        except (ValueError, TypeError, AttributeError):
            log.error("code high-water file %s is damaged; rebuilt from the store as numbers "
                      "are issued", self.path)
            return {"counter": "", "days": {}}

    def ceiling(self, day: str) -> int:
        return self.read()["days"].get(day, 0)

    def counter(self) -> str:
        return self.read()["counter"]

    # ------------------------------------------------------------------ writing
    def raise_to(self, day: str, ceiling: int, *, counter: str | None = None,
                 durable: bool = True) -> int:
        """Never lowers; returns the ceiling now on disk for `day`."""
        doc = self.read()
        current = doc["days"].get(day, 0)
        changed = False
        if ceiling > current:
            doc["days"][day] = ceiling
            changed = True
        if counter and doc["counter"] != counter:
            doc["counter"] = counter
            changed = True
        if changed:
            data = json.dumps(doc, sort_keys=True).encode()
            if durable or not self.path.exists():
                write_atomic(self.path, data)
            else:
                _overwrite(self.path, data)
        return max(current, ceiling)

    def merge(self, other: dict[str, Any]) -> None:
        """Raise every day to at least `other`'s ceilings (restore: the backup's mark)."""
        doc = self.read()
        changed = False
        for day, value in other.get("days", {}).items():
            if int(value) > doc["days"].get(day, 0):
                doc["days"][day] = int(value)
                changed = True
        if not doc["counter"] and other.get("counter"):
            doc["counter"] = other["counter"]
            changed = True
        if changed:
            write_atomic(self.path, json.dumps(doc, sort_keys=True).encode())


def _overwrite(path: Path, data: bytes) -> None:
    """The per-intake write: in place (no new file, no rename: no file-system journal work on
    a busy disk), not fsynced. A torn write after a crash reads as damaged and is rebuilt."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if os.fstat(fd).st_size > len(data):
            os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def cover(conn: sqlite3.Connection, day: str, n: int) -> int:
    """Inside the write transaction that issues number `n` for `day`: move `n` above the mark
    if the store is behind it, and record it in the mark before the commit. Returns the
    number to issue (≥ n)."""
    mark = CodeMark.of_connection(conn)
    if mark is None:
        return n
    floor = mark.ceiling(day)
    if n <= floor:
        log.warning("store numbering for %s is behind its high-water mark (%s <= %s): "
                    "resuming above it", day, n, floor)
        n = floor + 1
        conn.execute("UPDATE code_sequences SET last = ? WHERE day = ?", (n, day))
    counter = _meta(conn, "counter_label")
    mark.raise_to(day, n, counter=counter, durable=False)
    return n


def raise_from_store(conn: sqlite3.Connection, mark: CodeMark) -> None:
    """Raise the mark (durably) to every number the store at `conn` has issued."""
    days = {str(day): int(last) for day, last in conn.execute(
        "SELECT day, last FROM code_sequences")}
    mark.merge({"counter": _meta(conn, "counter_label") or "", "days": days})


def learn(store_path: str | os.PathLike[str], day: str, number: int) -> None:
    """The gateway says this counter has issued `number` on `day`: never go below it."""
    CodeMark.beside(store_path).raise_to(day, number)


__all__ = ["CodeMark", "cover", "learn", "mark_path"]
