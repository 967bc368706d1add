"""The counter's SQLite store: one file, one writer, versioned schema.

All writes go through `Store.write()`, a BEGIN IMMEDIATE transaction under a lock, so every
use case (dossier + event + signature + audit + outbox) commits together or not at all, and
concurrent processes on the same file serialise on SQLite's write lock.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from localdb.errors import StoreError
from localdb.schema import MIGRATIONS

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000


def _translate(exc: sqlite3.Error) -> StoreError:
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
        self._db = None
        self._lock = threading.RLock()
        self._in_tx = False

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        backups_dir: str | Path | None = None,
        target_version: int | None = None,
        migrations: list[tuple[int, str, str]] | None = None,
    ) -> Store:
        """Open (creating if needed) and migrate. An older store is copied to `backups_dir`
        before it is upgraded; a store from a newer version is refused. `migrations` replaces
        the shipped list (tests of a failing upgrade)."""
        migrations = MIGRATIONS if migrations is None else migrations
        latest = migrations[-1][0]
        target_version = latest if target_version is None else target_version
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            register_functions(conn)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            log.error("cannot open store %s: %s", path, exc)
            raise _translate(exc) from exc
        store = cls(conn, path)
        if version > latest:
            conn.close()
            raise StoreError(
                f"Tệp dữ liệu được tạo bởi phiên bản mới hơn (lược đồ v{version}, phiên bản này "
                f"hiểu tới v{latest}). Hãy cài phiên bản mới nhất của MotCua.",
                f"The store was written by a newer version (schema v{version}; this version "
                f"knows up to v{latest}). Install the latest MotCua.",
                code="store_too_new",
            )
        if version < target_version:
            if version > 0:
                try:
                    store._backup_before_upgrade(version, target_version, backups_dir)
                except BaseException:
                    conn.close()  # nothing changed: no copy, no upgrade
                    raise
            try:
                store._migrate(version, target_version, migrations)
            except StoreError:
                conn.close()
                raise
        return store

    def _backup_before_upgrade(self, old: int, new: int, backups_dir: str | Path | None) -> None:
        from localdb.safecopy import write_copy

        folder = Path(backups_dir) if backups_dir else self.path.parent / "backups"
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"{self.path.stem}-v{old}-before-v{new}-{stamp}.sqlite3"

        def fill(tmp: Path) -> None:
            dest = sqlite3.connect(tmp)
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
        except (sqlite3.Error, StoreError) as exc:
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
    def db(self):  # noqa: ANN201 - sqlite_utils.Database
        """sqlite-utils view of the same connection (imported lazily: it costs ~50 ms at
        start-up, and only IT tooling — diagnostics, statistics — needs it)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self.conn.close()

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
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _translate(exc) from exc
            self._in_tx = True
            try:
                yield self.conn
            except BaseException:
                self._in_tx = False
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("rollback failed on %s", self.path)
                raise
            self._in_tx = False
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                log.error("commit failed on %s: %s", self.path, exc)
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("rollback after failed commit on %s", self.path)
                raise _translate(exc) from exc

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        """Read rows as dicts (parameterised SQL only)."""
        with self._lock:
            try:
                cur = self.conn.execute(sql, params)
            except sqlite3.DatabaseError as exc:
                raise _translate(exc) from exc
            cols = [c[0] for c in cur.description or ()]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: tuple | dict = ()) -> object:
        with self._lock:
            try:
                row = self.conn.execute(sql, params).fetchone()
            except sqlite3.DatabaseError as exc:
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
