"""Backup, restore and integrity checks.

A backup is ONE self-contained SQLite file (SQLCipher-encrypted with the store's key when the
store is encrypted): the store copied with SQLite's online backup API (safe while the app
runs), plus

- `backup_info`: format, when, which counter (identity), the code high-water mark;
- `backup_files` + `backup_chunks`: every scanned document the store references and the
  files named by `extra_dirs` (trust anchors, CRLs), each in 1 MiB chunks, so neither making
  nor restoring a backup ever holds a whole file in memory.

Restore is one exclusive operation (see `localdb.lock`): it closes the gate to new openers,
waits briefly for the current ones, and refuses if they stay; while it runs, intake in other
processes waits. Under that lock it keeps a safety copy of the current store (or moves a
broken one aside, named in the answer), builds the new store beside the old one, swaps it in
atomically, puts scans and extra files back file by file, and raises the code high-water mark
to at least the backup's. A plain store copy (format 0: the pre-upgrade copy an upgrade keeps in
`backups/`) restores too, its scans being those still in `attachments/`. Format-1 backups
(`backup_attachments`, one blob per scan) restore
too, streamed with incremental blob I/O.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from localdb import audit
from localdb.codes import CodeMark, mark_path, raise_from_store
from localdb.engine import DB_ERRORS, connect, file_kind
from localdb.errors import StoreError
from localdb.files import create_private, fsync_dir, private_dir, tighten
from localdb.lock import StoreLock
from localdb.schema import LATEST_VERSION
from localdb.store import Store

log = logging.getLogger(__name__)

FORMAT = 2
CHUNK = 1 << 20
COMMIT_EVERY = 64  # chunks per transaction while writing a backup
BACKUP_TABLES = ("backup_info", "backup_files", "backup_chunks", "backup_attachments")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    dossiers: int
    events: int
    attachments: int
    bytes: int
    files: int = 0
    counter: str = ""


@dataclass
class RestoreInfo:
    path: Path
    dossiers: int
    events: int
    attachments: int
    files: int
    counter: str
    safety_copy: Path | None = None
    moved_aside: list[Path] = field(default_factory=list)
    previous_counter: str = ""
    hardware_replacement: bool = False
    previous_audit_head: dict[str, Any] | None = None  # the replaced store's newest audit row


def attachment_path(attachments_dir: Path, sha256: str) -> Path:
    """Content-addressed location of a scanned document."""
    return attachments_dir / sha256[:2] / sha256


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


# ==================================================================================== backup
def backup(store: Store, dest: Path, attachments_dir: Path | None = None, *,
           extra_dirs: dict[str, Path] | None = None, include_scans: bool = True) -> BackupInfo:
    """Write a complete backup of `store` to `dest` (replaced atomically when done)."""
    dest = Path(dest)
    private_dir(dest.parent)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(create_private(partial))
    target = connect(partial, store.key)
    copied = files = 0
    try:
        with store._lock:
            store.conn.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        mark = CodeMark.beside(store.path).read()
        counter = str(_meta(target, "counter_label") or mark["counter"] or "")
        target.execute("BEGIN")
        target.execute("CREATE TABLE backup_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        target.execute("CREATE TABLE backup_files (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
                       "name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, "
                       "UNIQUE (kind, name))")
        target.execute("CREATE TABLE backup_chunks (file_id INTEGER NOT NULL, n INTEGER NOT NULL,"
                       " data BLOB NOT NULL, PRIMARY KEY (file_id, n))")
        target.executemany("INSERT INTO backup_info VALUES (?, ?)", [
            ("format", str(FORMAT)), ("created_at", datetime.now().astimezone().isoformat()),
            ("counter", counter), ("codes", json.dumps(mark, sort_keys=True)),
        ])
        target.execute("COMMIT")
        if include_scans and attachments_dir is not None:
            for (sha,) in _cursor(target, "SELECT DISTINCT sha256 FROM attachments ORDER BY 1"):
                src = attachment_path(Path(attachments_dir), sha)
                if src.exists():
                    _add_file(target, "scan", sha, src)
                    copied += 1
                else:
                    log.warning("backup: attachment %s missing from %s", sha, attachments_dir)
        for kind, folder in (extra_dirs or {}).items():
            folder = Path(folder)
            if not folder.is_dir():
                continue
            for src in sorted(p for p in folder.iterdir() if p.is_file()):
                _add_file(target, kind, src.name, src)
                files += 1
        ok = target.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise StoreError(f"Bản sao lưu lỗi: {ok}", f"Backup copy failed its check: {ok}",
                             code="backup_failed")
        dossiers = target.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        events = target.execute("SELECT count(*) FROM events").fetchone()[0]
    except DB_ERRORS as exc:
        target.close()
        partial.unlink(missing_ok=True)
        raise StoreError(f"Không sao lưu được: {exc}", f"Backup failed: {exc}",
                         code="backup_failed") from exc
    except BaseException:
        target.close()
        partial.unlink(missing_ok=True)
        raise
    target.close()
    with Path(partial).open("rb+") as fh:
        os.fsync(fh.fileno())
    Path(partial).replace(dest)
    fsync_dir(dest.parent)
    return BackupInfo(dest, dossiers, events, copied, dest.stat().st_size, files, counter)


def _cursor(conn: sqlite3.Connection, sql: str,
            params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Rows one at a time (never the whole result in memory)."""
    cur = conn.execute(sql, params)
    while True:
        row = cur.fetchone()
        if row is None:
            return
        yield row


def _add_file(target: sqlite3.Connection, kind: str, name: str, src: Path) -> None:
    digest = hashlib.sha256()
    size = 0
    target.execute("BEGIN")
    file_id = target.execute("INSERT INTO backup_files (kind, name, sha256, size) "
                             "VALUES (?, ?, '', 0)", (kind, name)).lastrowid
    with Path(src).open("rb") as fh:
        n = 0
        while True:
            data = fh.read(CHUNK)
            if not data:
                break
            digest.update(data)
            size += len(data)
            target.execute("INSERT INTO backup_chunks VALUES (?, ?, ?)", (file_id, n, data))
            n += 1
            if n % COMMIT_EVERY == 0:
                target.execute("COMMIT")
                target.execute("BEGIN")
    target.execute("UPDATE backup_files SET sha256 = ?, size = ? WHERE id = ?",
                   (digest.hexdigest(), size, file_id))
    target.execute("COMMIT")


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except DB_ERRORS:
        return None
    return None if row is None else str(row[0])


# ============================================================================ reading backups
@dataclass(frozen=True)
class BackupFile:
    path: Path
    version: int
    format: int
    counter: str
    codes: dict[str, Any]
    encrypted: bool


def _invalid(src: Path, exc: object | None = None) -> StoreError:
    tail_vi = f" ({exc})" if exc else ""
    return StoreError(f"Tệp {src} không phải bản sao lưu MotCua hợp lệ{tail_vi}.",
                      f"{src} is not a valid MotCua backup{tail_vi}.", code="backup_invalid")


def _open_backup(src: Path, key: bytes | None) -> tuple[sqlite3.Connection, bool]:
    kind = file_kind(src)
    if kind in ("missing",):
        raise StoreError(f"Không tìm thấy tệp sao lưu {src}.", f"Backup file {src} not found.",
                         code="backup_missing")
    if kind == "empty":
        raise _invalid(src, "0 byte")
    if kind == "encrypted" and key is None:
        raise StoreError(
            f"Tệp {src} không phải bản sao lưu MotCua hợp lệ, hoặc đã mã hoá mà máy này không có "
            "khoá của nó (--key-file).",
            f"{src} is not a valid MotCua backup, or it is encrypted and this machine does not "
            "have its key (--key-file).", code="backup_invalid")
    conn = connect(src, key if kind == "encrypted" else None, readonly=True)
    return conn, kind == "encrypted"


def check_backup_file(src: Path, key: bytes | None = None) -> BackupFile:
    """Refuse anything that is not a healthy MotCua backup; returns what it says about itself."""
    src = Path(src)
    conn, encrypted = _open_backup(src, key)
    try:
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            info = dict(conn.execute("SELECT key, value FROM backup_info").fetchall()) \
                if "backup_info" in tables else {}
            counter = info.get("counter") or _meta(conn, "counter_label") or ""
        except DB_ERRORS as exc:
            raise _invalid(src, exc) from exc
    finally:
        conn.close()
    fmt = int(info.get("format", 1))
    if not tables & set(BACKUP_TABLES) and "meta" in tables:
        # format 0: a plain copy of a store, as the pre-upgrade copy in backups/ is (issue 15).
        # Its scans were never out of attachments/ (an upgrade does not touch them).
        fmt = 0
    needed = {"backup_files", "backup_chunks"} if fmt >= 2 else \
        {"backup_attachments"} if fmt == 1 else set()
    if ok != "ok" or "dossiers" not in tables or not needed <= tables:
        raise _invalid(src)
    if version > LATEST_VERSION:
        raise StoreError("Bản sao lưu được tạo bởi phiên bản mới hơn; hãy cập nhật MotCua.",
                         "The backup was made by a newer version; update MotCua.",
                         code="store_too_new")
    try:
        codes = json.loads(info.get("codes") or "{}")
    except ValueError as exc:
        raise _invalid(src, exc) from exc
    return BackupFile(src, version, fmt, counter, codes, encrypted)


# =================================================================================== restore
def restore(store_path: Path, src: Path, *, attachments_dir: Path, safety_dir: Path,
            key: bytes | None = None, backup_key: bytes | None = None,
            extra_dirs: dict[str, Path] | None = None, hardware_replacement: bool = False, lock_wait_s: float = 10.0,
            on_restored: Callable[[Store, RestoreInfo], None] | None = None) -> RestoreInfo:
    """Replace the store at `store_path` with backup `src` (see the module doc)."""
    store_path = Path(store_path)
    backup_key = key if backup_key is None else backup_key
    info = check_backup_file(src, backup_key)
    private_dir(store_path.parent)
    with StoreLock.exclusive(store_path, wait_s=lock_wait_s):
        mark = CodeMark.beside(store_path)
        current = ""
        previous_head: dict[str, Any] | None = None
        safety: Path | None = None
        moved: list[Path] = []
        kind = file_kind(store_path)
        healthy = None
        if kind != "missing":
            try:
                healthy = Store.open(store_path, create=False, key=key, lock=False,
                                     backups_dir=safety_dir)
            except StoreError as exc:
                log.error("restore: current store %s cannot be opened (%s); moving it aside",
                          store_path, exc.en)
        if healthy is not None:
            try:
                current = healthy.get_meta("counter_label") or ""
                _refuse_other_counter(current, info, hardware_replacement)
                with healthy._lock:
                    raise_from_store(healthy.conn, mark)
                    head = healthy.conn.execute(
                        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                previous_head = {"seq": int(head[0]), "hash": str(head[1])} if head else None
                safety = Path(safety_dir) / f"before-restore-{_stamp()}.sqlite3"
                backup(healthy, safety, None, extra_dirs=extra_dirs, include_scans=False)
            except StoreError as exc:
                if exc.code in ("other_counter",):
                    raise
                log.error("restore: safety copy of %s failed (%s); moving it aside",
                          store_path, exc.en)
                safety = None
            finally:
                healthy.close()
        if kind != "missing" and safety is None:
            if not current:
                _refuse_other_counter(mark.counter(), info, hardware_replacement)
            moved = _move_aside(store_path)
        elif kind == "missing":
            _refuse_other_counter(mark.counter(), info, hardware_replacement)
        log.warning("restore from %s; previous store kept at %s", src,
                    safety or (moved[0] if moved else "(none)"))
        restoring = store_path.with_name(store_path.name + ".restoring")
        try:
            counts = _build_store(info, restoring, backup_key)
            scans, files = _extract_files(info, backup_key, Path(attachments_dir),
                                          extra_dirs or {})
            if safety is not None:
                for suffix in ("-wal", "-shm"):
                    Path(f"{store_path}{suffix}").unlink(missing_ok=True)
            Path(restoring).replace(store_path)
            fsync_dir(store_path.parent)
        except DB_ERRORS as exc:
            restoring.unlink(missing_ok=True)
            where = safety or (moved[0] if moved else "")
            raise StoreError(f"Khôi phục thất bại: {exc}. Bản trước khi khôi phục: {where}",
                             f"Restore failed: {exc}. The previous store is at {where}",
                             code="restore_failed") from exc
        except BaseException:
            restoring.unlink(missing_ok=True)
            raise
        # the mark: never below the backup's, nor below what this folder had already issued
        if hardware_replacement and mark.path.exists() and mark.counter() != info.counter:
            Path(mark.path).replace(mark.path.with_name(mark.path.name + f".replaced-{_stamp()}"))
        mark.merge(info.codes if info.codes else {"counter": info.counter, "days": {}})
        result = RestoreInfo(Path(src), counts[0], counts[1], scans, files, info.counter, safety,
                             moved, current or mark.counter(), hardware_replacement,
                             previous_head)
        if on_restored is not None:
            with Store.open(store_path, create=False,
                            key=backup_key if info.encrypted else None,
                            lock=False, backups_dir=safety_dir) as restored:
                on_restored(restored, result)
    return result


def _refuse_other_counter(current: str, info: BackupFile, hardware_replacement: bool) -> None:
    if not current or not info.counter or current == info.counter or hardware_replacement:
        return
    raise StoreError(
        f"Bản sao lưu là của quầy {info.counter}, còn máy này là quầy {current}: không khôi phục "
        "(sẽ đổi danh tính quầy và trùng mã hồ sơ). Nếu đây là máy thay thế phần cứng, quản trị "
        "viên chạy lại với --hardware-replacement.",
        f"The backup belongs to counter {info.counter} but this machine is counter {current}: "
        "not restored (it would switch the counter's identity and reuse dossier codes). If this "
        "machine replaces that counter's hardware, an administrator reruns with "
        "--hardware-replacement.", code="other_counter")


def _move_aside(store_path: Path) -> list[Path]:
    """Keep a broken store (and its WAL) under a name that says so; return the new names."""
    stamp = _stamp()
    moved = []
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{store_path}{suffix}")
        if p.exists():
            target = store_path.with_name(f"{store_path.name}.broken-{stamp}{suffix}")
            Path(p).replace(target)
            tighten(target)
            moved.append(target)
    fsync_dir(store_path.parent)
    return moved


def _build_store(info: BackupFile, restoring: Path, key: bytes | None) -> tuple[int, int]:
    """Copy the backup's store pages into `restoring`, without the backup's own tables (and
    without their pages: VACUUM), in WAL mode, durable."""
    restoring.unlink(missing_ok=True)
    os.close(create_private(restoring))
    use_key = key if info.encrypted else None
    source = connect(info.path, use_key, readonly=True)
    dest = connect(restoring, use_key)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
        dest.execute("BEGIN")
        for table in BACKUP_TABLES:
            dest.execute(f"DROP TABLE IF EXISTS {table}")
        dest.execute("COMMIT")
        # VACUUM rebuilds the file through a temporary database. SQLCipher builds default to
        # keeping temporaries in memory (the whole store: 1.7 GB RSS at 1M dossiers); on disk
        # VACUUM's temporary is keyed like the store (checked: no plaintext in it), so use one.
        dest.execute("PRAGMA temp_store = FILE")
        dest.execute("VACUUM")
        dest.execute("PRAGMA journal_mode = WAL")
        counts = (dest.execute("SELECT count(*) FROM dossiers").fetchone()[0],
                  dest.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        dest.close()
        source.close()
    with Path(restoring).open("rb+") as fh:
        os.fsync(fh.fileno())
    return counts


def _extract_files(info: BackupFile, key: bytes | None, attachments_dir: Path,
                   extra_dirs: dict[str, Path]) -> tuple[int, int]:
    """Write every file of the backup back, one chunk at a time, checking its SHA-256."""
    source = connect(info.path, key if info.encrypted else None, readonly=True)
    scans = files = 0
    try:
        if info.format == 0:  # a store copy: the scans are still in attachments/
            return scans, files
        if info.format < 2:
            for rowid, sha in _cursor(source, "SELECT rowid, sha256 FROM backup_attachments"):
                _write_file(attachment_path(attachments_dir, sha), sha,
                            _legacy_chunks(source, rowid), skip_existing=True)
                scans += 1
            return scans, files
        for file_id, kind, name, sha, size in (_cursor(
                source, "SELECT id, kind, name, sha256, size FROM backup_files ORDER BY id")):
            chunks = (row[0] for row in _cursor(
                source, "SELECT data FROM backup_chunks WHERE file_id = ? ORDER BY n", (file_id,)))
            if kind == "scan":
                _write_file(attachment_path(attachments_dir, name), sha, chunks, size=size,
                            skip_existing=True)
                scans += 1
            elif kind in extra_dirs and _safe_name(name):
                folder = private_dir(extra_dirs[kind])
                _write_file(folder / name, sha, chunks, size=size)
                files += 1
            else:
                log.warning("restore: file %s of kind %s not restored", name, kind)
    finally:
        source.close()
    return scans, files


def _safe_name(name: str) -> bool:
    return bool(name) and Path(name).name == name and name not in (".", "..")


def _legacy_chunks(source: sqlite3.Connection, rowid: int) -> Iterator[bytes]:
    with source.blobopen("backup_attachments", "data", rowid, readonly=True) as blob:
        while True:
            data = blob.read(CHUNK)
            if not data:
                return
            yield data


def _write_file(path: Path, sha: str, chunks: Iterable[bytes], *, size: int | None = None,
                skip_existing: bool = False) -> None:
    if skip_existing and path.exists():
        return
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    written = 0
    fd = create_private(tmp, exclusive=False)
    try:
        with os.fdopen(fd, "wb") as fh:
            for data in chunks:
                digest.update(data)
                written += len(data)
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if digest.hexdigest() != sha or (size is not None and written != size):
            raise StoreError(f"Tệp {path.name[:16]}… trong bản sao lưu bị hỏng.",
                             f"File {path.name[:16]}… in the backup is corrupt.",
                             code="backup_invalid")
        Path(tmp).replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def store_files(store_path: Path) -> list[Path]:
    """The files that make up a store on disk (for modes and for IT)."""
    return [store_path, Path(f"{store_path}-wal"), Path(f"{store_path}-shm"),
            mark_path(store_path)]


# ============================================================================ integrity check
def integrity_problems(store: Store, attachments_dir: Path | None = None) -> list[str]:
    """Everything `motcua check` reports, in English keys with details (empty = healthy)."""
    return [f"{kind}: {en}" for kind, _vi, en in integrity_findings(store, attachments_dir)]


#: tables in words (foreign-key findings)
_TABLE_WORDS = {"dossiers": ("hồ sơ", "dossiers"), "events": ("sự kiện", "events"),
                "attachments": ("tệp đính kèm", "attachments"),
                "outbox": ("hàng đợi gửi", "send queue"), "audit": ("nhật ký", "audit log"),
                "users": ("tài khoản", "accounts"),
                "user_certs": ("gắn chứng thư", "certificate bindings")}


def _table(name: str, lang: int) -> str:
    words = _TABLE_WORDS.get(name)
    return f"«{words[lang]}» [{name}]" if words else f"[{name}]"


def integrity_findings(store: Store, attachments_dir: Path | None = None
                       ) -> list[tuple[str, str, str]]:
    """(kind, vi, en) for everything `motcua check` finds in the file itself: SQLite's own
    check, foreign keys, the search index, the audit chain, each scan present and unaltered."""
    out: list[tuple[str, str, str]] = []
    with store._lock:
        conn = store.conn
        for (row,) in conn.execute("PRAGMA integrity_check"):
            if row != "ok":
                out.append(("sqlite", f"tệp dữ liệu hỏng (SQLite báo: {row})",
                            f"the store file is damaged (SQLite says: {row})"))
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            out.append(("foreign_key",
                        f"dòng {rowid} của bảng {_table(table, 0)} trỏ tới một dòng không còn "
                        f"trong bảng {_table(parent, 0)}",
                        f"row {rowid} of table {_table(table, 1)} points to a row no longer in "
                        f"table {_table(parent, 1)}"))
        try:
            conn.execute("INSERT INTO dossier_fts (dossier_fts, rank) VALUES ('integrity-check', 1)")
        except DB_ERRORS as exc:
            out.append(("search_index", f"chỉ mục tìm kiếm hỏng (SQLite báo: {exc})",
                        f"the search index is damaged (SQLite says: {exc})"))
        _, audit_problems = audit.verify(conn)
        out.extend(("audit", p.describe("vi"), p.describe("en")) for p in audit_problems)
        if attachments_dir is not None:
            for sha, name, size, code in conn.execute(
                "SELECT a.sha256, a.name, a.size, d.code FROM attachments a "
                "JOIN dossiers d ON d.id = a.dossier_id"
            ):
                path = attachment_path(attachments_dir, sha)
                if not path.exists():
                    out.append(("attachment_missing",
                                f"hồ sơ {code}: thiếu tệp quét «{name}» ({sha[:12]}…)",
                                f"dossier {code}: scan «{name}» is missing ({sha[:12]}…)"))
                    continue
                digest = _file_sha256(path)
                if digest != sha or path.stat().st_size != size:
                    out.append(("attachment_altered",
                                f"hồ sơ {code}: tệp quét «{name}» đã bị thay đổi ({sha[:12]}…)",
                                f"dossier {code}: scan «{name}» was altered ({sha[:12]}…)"))
    return out


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for data in iter(lambda: fh.read(CHUNK), b""):
            digest.update(data)
    return digest.hexdigest()
