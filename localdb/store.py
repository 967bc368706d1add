"""The counter's SQLite store: one file, one writer, versioned schema.

All writes go through `Store.write()`, a BEGIN IMMEDIATE transaction under a lock, so every
use case (dossier + event + signature + audit + outbox) commits together or not at all, and
concurrent processes on the same file serialise on SQLite's write lock.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from localdb.engine import DATABASE_ERRORS, DB_ERRORS, connect, file_kind
from localdb.errors import StoreError
from localdb.files import create_private, fsync_dir, private_dir, tighten
from localdb.lock import StoreLock
from localdb.schema import MIGRATIONS

log = logging.getLogger(__name__)


class _ReadonlyFallback(Exception):
    """The read-only open gives way to the ordinary one (which explains or upgrades)."""

BUSY_TIMEOUT_MS = 30_000
APPLICATION_ID = 0x4D435455  # "MCTU": marks a MotCua store file
_MIGRATION_ERRORS: tuple[type[BaseException], ...] = (*DB_ERRORS, StoreError)


def store_missing(path: Path) -> StoreError:
    err = StoreError(
        f"Không có dữ liệu quầy tại {path}. Hãy kiểm tra --data-dir (hoặc MOTCUA_DATA_DIR); "
        "quầy mới: motcua init, khôi phục: motcua restore.",
        f"There is no counter store at {path}. Check --data-dir (or MOTCUA_DATA_DIR); a new "
        "counter: motcua init; recovery: motcua restore.", code="store_missing")
    err.exit_code = 1
    return err


def _create_empty(path: Path, key: bytes | None) -> None:
    """Make a new store file, private from its first byte and never zero-length: it is built
    beside the target and linked into place (a concurrent creator wins cleanly)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    tmp.unlink(missing_ok=True)
    os.close(create_private(tmp))
    try:
        conn = connect(tmp, key)
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # writes the header
        finally:
            conn.close()
        with Path(tmp).open("rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        except OSError:  # a file system without hard links
            if not path.exists():
                Path(tmp).replace(path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _translate(exc: BaseException) -> StoreError:
    """Turn SQLite's failures into messages a clerk and an IT officer can act on."""
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return StoreError(
            "Ổ đĩa đã đầy, không lưu được. Hãy giải phóng dung lượng rồi thử lại; dữ liệu cũ vẫn an toàn.",
            "The disk is full; nothing was saved. Free some space and retry; existing data is safe.",
            code="disk_full",
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(
            "Tệp dữ liệu bị hỏng. Hãy báo bộ phận CNTT khôi phục từ bản sao lưu (motcua restore).",
            "The data file is corrupt. Ask IT to restore it from a backup (motcua restore).",
            code="corrupt",
        )
    if "locked" in text or "busy" in text:
        return StoreError(
            "Dữ liệu đang bận (một chương trình khác đang ghi). Hãy thử lại sau giây lát.",
            "The store is busy (another program is writing). Try again in a moment.",
            code="busy",
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError(
            "Không mở được tệp dữ liệu để ghi (quyền truy cập hoặc đường dẫn).",
            "Cannot open the data file for writing (permissions or path).",
            code="cannot_open",
        )
    return StoreError(f"Lỗi cơ sở dữ liệu: {exc}", f"Database error: {exc}", code="sqlite")


class Store:
    """An open store. Create with `Store.open(path)`; close when done.

    Thread use: the connection is shared under a lock, so the GUI hands store work to one
    worker thread and the CLI calls it directly.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self._lock = threading.RLock()
        self._in_tx = False
        self._proc_lock: StoreLock | None = None
        self.key: bytes | None = None
        self.readonly = False  # opened read-only (see Store.open): write() only reads

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        backups_dir: str | Path | None = None,
        target_version: int | None = None,
        migrations: list[tuple[int, str, str]] | None = None,
        create: bool = True,
        key: bytes | None = None,
        lock: bool = True,
        lock_wait_s: float = 600.0,
        readonly: bool = False,
    ) -> Store:
        """Open and migrate. An older store is copied to `backups_dir` before it is upgraded;
        a store from a newer version is refused before anything touches the file.

        `create=False` (commands that only read) refuses a folder without a store instead of
        creating an empty one. A zero-length file is never taken for a new store. With `key`
        a new store is created encrypted (SQLCipher) and an encrypted one is opened; a
        plaintext store opens as it is (``motcua store encrypt`` converts it). `lock` holds
        the store's process lock shared while open, so `restore` cannot swap the file under
        this process (and waits for, or refuses while, it is open). `migrations` replaces the
        shipped list (tests of a failing upgrade).

        `readonly` (commands that only read): the store is opened read-only and works on a
        read-only file or disk — the process lock is taken when its files can be opened,
        skipped when the folder cannot be written (no restore can run there either); a store
        that needs an upgrade is opened the ordinary way (which a read-only disk refuses)."""
        migrations = MIGRATIONS if migrations is None else migrations
        latest = migrations[-1][0]
        target_version = latest if target_version is None else target_version
        path = Path(path)
        if readonly:
            store = cls._open_readonly(path, key, latest, target_version,
                                       lock=lock, lock_wait_s=lock_wait_s)
            if store is not None:
                return store
        kind = file_kind(path)
        if kind == "missing" and not create:
            raise store_missing(path)
        private_dir(path.parent)
        proc_lock = StoreLock.shared(path, wait_s=lock_wait_s) if lock else None
        try:
            kind = file_kind(path)  # again: a restore may have run while we waited
            if kind == "missing":
                if not create:
                    raise store_missing(path)
                _create_empty(path, key)
                kind = "encrypted" if key else "plain"
            if kind == "empty":
                raise StoreError(
                    f"Tệp dữ liệu {path} rỗng (0 byte). Hãy khôi phục từ bản sao lưu: "
                    "motcua restore TỆP_SAO_LƯU.",
                    f"The data file {path} is empty (0 bytes). Restore it from a backup: "
                    "motcua restore BACKUP_FILE.", code="store_empty")
            if kind == "encrypted" and key is None:
                raise StoreError(
                    f"Tệp dữ liệu {path} bị hỏng, hoặc đã được mã hoá mà máy này không có khoá. "
                    "Nếu đơn vị dùng mã hoá, hãy cấu hình khoá; nếu không, hãy báo CNTT khôi phục "
                    "từ bản sao lưu (motcua restore).",
                    f"The data file {path} is corrupt, or encrypted and this machine has no key. "
                    "If the site encrypts stores, configure the key; otherwise ask IT to restore "
                    "it from a backup (motcua restore).", code="corrupt")
            for suffix in ("", "-wal", "-shm"):
                tighten(f"{path}{suffix}")
            store = cls._connect(path, key if kind == "encrypted" else None, latest)
        except BaseException:
            if proc_lock is not None:
                proc_lock.release()
            raise
        store._proc_lock = proc_lock
        version = store.version
        if version < target_version:
            try:
                if version > 0:
                    store._backup_before_upgrade(version, target_version, backups_dir)
                store._migrate(version, target_version, migrations)
            except BaseException:
                store.close()
                raise
        return store

    @classmethod
    def _open_readonly(cls, path: Path, key: bytes | None, latest: int, target_version: int,
                       *, lock: bool, lock_wait_s: float) -> Store | None:
        """A read-only store, or None when it needs an upgrade (the caller opens it to write)."""
        if file_kind(path) == "missing":
            raise store_missing(path)
        proc_lock = None
        if lock:
            try:
                proc_lock = StoreLock.shared(path, wait_s=lock_wait_s)
            except OSError as exc:
                if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                    raise
                log.info("store folder of %s cannot be written: reading without the process"
                         " lock", path)
        conn = None
        try:
            kind = file_kind(path)
            if kind in ("empty", "missing") or (kind == "encrypted" and key is None):
                raise _ReadonlyFallback
            cipher_key = key if kind == "encrypted" else None
            try:
                conn = connect(path, cipher_key, readonly=True, timeout=BUSY_TIMEOUT_MS / 1000)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            except DB_ERRORS:
                if conn is not None:
                    conn.close()
                    conn = None
                if Path(f"{path}-wal").exists():
                    raise
                # read-only media: SQLite cannot create the -shm file; with no -wal file
                # the main file holds everything, so it is read as immutable
                conn = connect(path, cipher_key, readonly=True, immutable=True,
                               timeout=BUSY_TIMEOUT_MS / 1000)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > latest:
                raise StoreError(
                    f"Tệp dữ liệu được tạo bởi phiên bản mới hơn (lược đồ v{version}, phiên bản "
                    f"này hiểu tới v{latest}). Hãy cài phiên bản mới nhất của MotCua.",
                    f"The store was written by a newer version (schema v{version}; this "
                    f"version knows up to v{latest}). Install the latest MotCua.",
                    code="store_too_new")
            if version < target_version:
                raise _ReadonlyFallback
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            register_functions(conn)
        except _ReadonlyFallback:
            if conn is not None:
                conn.close()
            if proc_lock is not None:
                proc_lock.release()
            return None  # the ordinary open says what is wrong (or upgrades)
        except DB_ERRORS as exc:
            if conn is not None:
                conn.close()
            if proc_lock is not None:
                proc_lock.release()
            log.error("cannot open store %s read-only: %s", path, exc)
            raise _translate(exc) from exc
        except BaseException:
            if conn is not None:
                conn.close()
            if proc_lock is not None:
                proc_lock.release()
            raise
        store = cls(conn, path)
        store.key = cipher_key
        store.readonly = True
        store._proc_lock = proc_lock
        return store

    @classmethod
    def _connect(cls, path: Path, key: bytes | None, latest: int) -> Store:
        conn = None
        try:
            conn = connect(path, key, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Read the version BEFORE anything that writes (journal mode): a store from a
            # newer version must stay byte-identical.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > latest:
                raise StoreError(
                    f"Tệp dữ liệu được tạo bởi phiên bản mới hơn (lược đồ v{version}, phiên bản "
                    f"này hiểu tới v{latest}). Hãy cài phiên bản mới nhất của MotCua.",
                    f"The store was written by a newer version (schema v{version}; this "
                    f"version knows up to v{latest}). Install the latest MotCua.",
                    code="store_too_new",
                )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            register_functions(conn)
        except DB_ERRORS as exc:
            if conn is not None:
                conn.close()
            log.error("cannot open store %s: %s", path, exc)
            if key is not None and "not a database" in str(exc).lower():
                raise StoreError(
                    f"Không mở được tệp dữ liệu mã hoá {path}: sai khoá hoặc tệp bị hỏng.",
                    f"Cannot open the encrypted store {path}: wrong key or damaged file.",
                    code="store_key_wrong") from exc
            raise _translate(exc) from exc
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        store = cls(conn, path)
        store.key = key
        return store

    def _backup_before_upgrade(self, old: int, new: int, backups_dir: str | Path | None) -> None:
        from localdb.safecopy import folder_error, write_copy

        folder = Path(backups_dir) if backups_dir else self.path.parent / "backups"
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"{self.path.stem}-v{old}-before-v{new}-{stamp}.sqlite3"
        try:
            private_dir(folder)
        except OSError as exc:  # an unwritable backups folder is named, not the store blamed
            raise folder_error(folder, exc) from exc

        def fill(tmp: Path) -> None:
            os.close(create_private(tmp, exclusive=False))
            dest = connect(tmp, self.key)
            try:
                self.conn.backup(dest)
            finally:
                dest.close()

        page_size, pages = (self.conn.execute(f"PRAGMA {p}").fetchone()[0]
                            for p in ("page_size", "page_count"))
        # temporary name, fsync, rename, after a free-space check: never a 0-byte "backup"
        write_copy(target, fill, needed_bytes=page_size * pages)
        log.warning("store %s upgraded from v%s to v%s; copy kept at %s", self.path, old, new, target)
        self.upgrade_backup = target

    def _migrate(self, current: int, target: int,
                 migrations: list[tuple[int, str, str]] = MIGRATIONS) -> None:
        backup = getattr(self, "upgrade_backup", None)
        where_vi = f"bản sao {backup}" if backup else "thư mục backups"
        where_en = f"the copy {backup}" if backup else "the backups folder"
        pending = [m for m in migrations if current < m[0] <= target]
        version = current
        try:
            # All pending steps in ONE transaction (executescript would commit implicitly):
            # a failure at any step leaves the file exactly as the old version wrote it.
            with self.write() as conn:
                for version, description, script in pending:
                    for statement in _split_sql(script):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {version}")
                    log.info("store %s migrating to v%s: %s", self.path, version, description)
        except _MIGRATION_ERRORS as exc:
            log.error("migration to v%s failed: %s", version, exc)
            raise StoreError(
                f"Nâng cấp dữ liệu lên v{version} thất bại; dữ liệu cũ không bị thay đổi "
                f"(thư mục backups: {where_vi}). Để quay lại, hãy cài lại phiên bản trước "
                f"của MotCua; nó mở tệp dữ liệu như cũ. Chi tiết: {exc}",
                f"Upgrading the store to v{version} failed; the old data is untouched "
                f"(backups folder: {where_en}). To roll back, reinstall the previous "
                f"version of MotCua; it opens the store as before. Details: {exc}",
                code="migration_failed",
            ) from exc

    @property
    def version(self) -> int:
        version: int = self.conn.execute("PRAGMA user_version").fetchone()[0]
        return version

    def close(self) -> None:
        with self._lock:
            self.conn.close()
            proc_lock, self._proc_lock = self._proc_lock, None
            if proc_lock is not None:
                proc_lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ transactions
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One durable write transaction (BEGIN IMMEDIATE … COMMIT); rolls back on any error."""
        with self._lock:
            if self._in_tx:  # nested use joins the outer transaction
                yield self.conn
                return
            try:
                # read-only: a snapshot for a serialised read; an actual write is refused by
                # SQLite ("readonly database": the one-line read-only message)
                self.conn.execute("BEGIN" if self.readonly else "BEGIN IMMEDIATE")
            except DB_ERRORS as exc:
                raise _translate(exc) from exc
            self._in_tx = True
            try:
                yield self.conn
            except BaseException:
                self._in_tx = False
                try:
                    self.conn.execute("ROLLBACK")
                except DB_ERRORS:
                    log.exception("rollback failed on %s", self.path)
                raise
            self._in_tx = False
            try:
                self.conn.execute("COMMIT")
            except DB_ERRORS as exc:
                log.error("commit failed on %s: %s", self.path, exc)
                try:
                    self.conn.execute("ROLLBACK")
                except DB_ERRORS:
                    log.exception("rollback after failed commit on %s", self.path)
                raise _translate(exc) from exc

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Read rows as dicts (parameterised SQL only)."""
        with self._lock:
            try:
                cur = self.conn.execute(sql, params)
            except DATABASE_ERRORS as exc:
                raise _translate(exc) from exc
            cols = [c[0] for c in cur.description or ()]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> object:
        with self._lock:
            try:
                row = self.conn.execute(sql, params).fetchone()
            except DATABASE_ERRORS as exc:
                raise _translate(exc) from exc
            return row[0] if row else None

    # -------------------------------------------------------------------- meta
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return default if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions migrations may call: `motcua_search_text(name, citizen_id, phone, code)`
    recomputes a dossier's indexed text with today's rules (localdb.search.search_text)."""
    from localdb.search import search_text

    conn.create_function(
        "motcua_search_text", 4,
        lambda name, cid, phone, code: search_text(
            applicant_name=name or "", citizen_id=cid or "", phone=phone or "", code=code or ""),
        deterministic=True)


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (triggers contain ';' inside BEGIN…END)."""
    statements: list[str] = []
    buf: list[str] = []
    for line in script.splitlines():
        buf.append(line)
        candidate = "\n".join(buf).strip()
        if candidate and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        statements.append(rest)
    return statements
