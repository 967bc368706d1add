"""One way to open a SQLite file, plain or encrypted at rest (SQLCipher).

An encrypted store is a SQLCipher 4 database keyed with a raw 256-bit key (no passphrase
derivation: the key comes from the OS key store or a site key file, never from a person).
Both drivers share the DB-API, so the rest of localdb works on either connection; catch
`DB_ERRORS` (or `DatabaseErrors`), not `sqlite3.Error`, where either can occur.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import ModuleType

_cipher: ModuleType | None
try:  # the binding is a dependency, but a store without a key must never need it
    from sqlcipher3 import dbapi2 as _cipher_dbapi2

    _cipher = _cipher_dbapi2
except ImportError:  # pragma: no cover - packaging error, reported when a key is used
    _cipher = None

SQLITE_HEADER = b"SQLite format 3\x00"
KEY_BYTES = 32

DB_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error,) + (
    (_cipher.Error,) if _cipher is not None else ())
DATABASE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,) + (
    (_cipher.DatabaseError,) if _cipher is not None else ())
INTEGRITY_ERRORS: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,) + (
    (_cipher.IntegrityError,) if _cipher is not None else ())


def file_kind(path: str | Path) -> str:
    """'missing', 'empty', 'plain' (a SQLite header) or 'encrypted' (anything else: SQLCipher
    files start with random salt; a damaged file also lands here and fails on open)."""
    path = Path(path)
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "missing"
    if not head:
        return "empty"
    return "plain" if head == SQLITE_HEADER else "encrypted"


def _key_pragma(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("store key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def cipher_module() -> ModuleType:
    if _cipher is None:  # pragma: no cover
        raise RuntimeError("sqlcipher3 (package sqlcipher3-wheels) is not installed")
    return _cipher


def connect(path: str | Path, key: bytes | None = None, *, readonly: bool = False,
            timeout: float = 30.0, check_same_thread: bool = False,
            immutable: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN/COMMIT ourselves). With `key`, a
    SQLCipher connection keyed before anything else touches the file."""
    target: str | Path = path
    uri = False
    if readonly:  # immutable: read-only media, where SQLite cannot even create the -shm file
        target = f"{Path(path).resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}"
        uri = True
    if key is None:
        return sqlite3.connect(target, isolation_level=None, uri=uri, timeout=timeout,
                               check_same_thread=check_same_thread)
    mod = cipher_module()
    # sqlcipher3 is pysqlite built against SQLCipher: the same Connection API (untyped)
    conn: sqlite3.Connection = mod.connect(str(target), isolation_level=None, uri=uri, timeout=timeout,
                       check_same_thread=check_same_thread)
    conn.execute(_key_pragma(key))
    return conn


def attach_sql(alias: str, key: bytes | None) -> str:
    """`ATTACH DATABASE ? AS alias KEY …` for sqlcipher_export (plain: KEY '')."""
    k = f"x'{key.hex()}'" if key else ""
    return f"ATTACH DATABASE ? AS {alias} KEY \"{k}\""
