"""Backup, restore and integrity checks.

A backup is ONE self-contained SQLite file: the store copied with SQLite's online backup API
(safe while the app runs) plus a `backup_attachments` table holding every scanned document the
store references, so a single file on a USB stick restores a counter completely.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from localdb import audit
from localdb.errors import StoreError
from localdb.schema import LATEST_VERSION
from localdb.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    dossiers: int
    events: int
    attachments: int
    bytes: int


def attachment_path(attachments_dir: Path, sha256: str) -> Path:
    """Content-addressed location of a scanned document."""
    return attachments_dir / sha256[:2] / sha256


def backup(store: Store, dest: Path, attachments_dir: Path | None = None) -> BackupInfo:
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        with store._lock:  # noqa: SLF001 - the backup shares the store's connection
            store.conn.backup(target)
        target.execute("CREATE TABLE backup_attachments (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)")
        shas = [r[0] for r in target.execute("SELECT DISTINCT sha256 FROM attachments")]
        copied = 0
        if attachments_dir is not None:
            for sha in shas:
                src = attachment_path(attachments_dir, sha)
                if src.exists():
                    target.execute("INSERT INTO backup_attachments VALUES (?, ?)", (sha, src.read_bytes()))
                    copied += 1
                else:
                    log.warning("backup: attachment %s missing from %s", sha, attachments_dir)
        target.execute("PRAGMA journal_mode = DELETE")
        target.commit()
        ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise StoreError(f"Bản sao lưu lỗi: {ok}", f"Backup copy failed its check: {ok}",
                             code="backup_failed")
        dossiers = target.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        events = target.execute("SELECT count(*) FROM events").fetchone()[0]
    except sqlite3.Error as exc:
        target.close()
        partial.unlink(missing_ok=True)
        raise StoreError(f"Không sao lưu được: {exc}", f"Backup failed: {exc}",
                         code="backup_failed") from exc
    target.close()
    with open(partial, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, dest)
    return BackupInfo(dest, dossiers, events, copied, dest.stat().st_size)


def check_backup_file(src: Path) -> int:
    """Refuse anything that is not a healthy MotCua backup; returns its schema version."""
    if not Path(src).is_file():
        raise StoreError(f"Không tìm thấy tệp sao lưu {src}.", f"Backup file {src} not found.",
                         code="backup_missing")
    try:
        conn = sqlite3.connect(f"file:{Path(src).resolve()}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Tệp {src} không phải bản sao lưu MotCua hợp lệ ({exc}).",
                         f"{src} is not a valid MotCua backup ({exc}).", code="backup_invalid") from exc
    if ok != "ok" or "dossiers" not in tables or "backup_attachments" not in tables:
        raise StoreError(f"Tệp {src} không phải bản sao lưu MotCua hợp lệ.",
                         f"{src} is not a valid MotCua backup.", code="backup_invalid")
    if version > LATEST_VERSION:
        raise StoreError("Bản sao lưu được tạo bởi phiên bản mới hơn; hãy cập nhật MotCua.",
                         "The backup was made by a newer version; update MotCua.",
                         code="store_too_new")
    return version


def restore(store: Store, src: Path, attachments_dir: Path, safety_dir: Path) -> BackupInfo:
    """Replace the store's content with a backup, after keeping a copy of the current one."""
    check_backup_file(src)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safety = backup(store, Path(safety_dir) / f"before-restore-{stamp}.sqlite3", attachments_dir)
    log.warning("restore from %s; previous store kept at %s", src, safety.path)
    source = sqlite3.connect(f"file:{Path(src).resolve()}?mode=ro", uri=True)
    try:
        blobs = source.execute("SELECT sha256, data FROM backup_attachments").fetchall()
        for sha, data in blobs:
            if hashlib.sha256(data).hexdigest() != sha:
                raise StoreError(f"Tệp đính kèm {sha[:12]}… trong bản sao lưu bị hỏng.",
                                 f"Attachment {sha[:12]}… in the backup is corrupt.",
                                 code="backup_invalid")
        for sha, data in blobs:
            path = attachment_path(attachments_dir, sha)
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(data)
                os.replace(tmp, path)
        with store._lock:  # noqa: SLF001
            source.backup(store.conn)
            store.conn.execute("DROP TABLE IF EXISTS backup_attachments")
            store.conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as exc:
        raise StoreError(f"Khôi phục thất bại: {exc}. Bản trước khi khôi phục: {safety.path}",
                         f"Restore failed: {exc}. The previous store is at {safety.path}",
                         code="restore_failed") from exc
    finally:
        source.close()
    dossiers = int(store.scalar("SELECT count(*) FROM dossiers") or 0)
    events = int(store.scalar("SELECT count(*) FROM events") or 0)
    return BackupInfo(Path(src), dossiers, events, len(blobs), Path(src).stat().st_size)


def integrity_problems(store: Store, attachments_dir: Path | None = None) -> list[str]:
    """Everything `motcua check` reports, in English keys with details (empty = healthy)."""
    problems: list[str] = []
    with store._lock:  # noqa: SLF001
        conn = store.conn
        for (row,) in conn.execute("PRAGMA integrity_check"):
            if row != "ok":
                problems.append(f"sqlite: {row}")
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"foreign_key: {table} row {rowid} -> {parent}")
        try:
            conn.execute("INSERT INTO dossier_fts (dossier_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            problems.append(f"search_index: {exc}")
        _, audit_problems = audit.verify(conn)
        problems.extend(f"audit: {p.describe('en')}" for p in audit_problems)
        if attachments_dir is not None:
            for sha, name, size, code in conn.execute(
                "SELECT a.sha256, a.name, a.size, d.code FROM attachments a "
                "JOIN dossiers d ON d.id = a.dossier_id"
            ):
                path = attachment_path(attachments_dir, sha)
                if not path.exists():
                    problems.append(f"attachment_missing: {code} {name} ({sha[:12]}…)")
                    continue
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                if digest != sha or path.stat().st_size != size:
                    problems.append(f"attachment_altered: {code} {name} ({sha[:12]}…)")
    return problems
