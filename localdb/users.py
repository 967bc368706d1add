"""Clerk account rows. Password hashing lives in app/accounts.py; only hashes are stored."""

from __future__ import annotations

import sqlite3
from typing import Any


def insert(conn: sqlite3.Connection, *, username: str, display_name: str, role: str,
           password_hash: str, created_at: str) -> None:
    conn.execute(
        "INSERT INTO users (username, display_name, role, password_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (username, display_name, role, password_hash, created_at),
    )


def get(conn: sqlite3.Connection, username: str) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM users WHERE username = ?", (username,))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cur.description], row, strict=True))


def all_users(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT username, display_name, role, failed_attempts, locked_until, locked, created_at "
        "FROM users ORDER BY username"
    )
    return [dict(zip([c[0] for c in cur.description], r, strict=True)) for r in cur.fetchall()]


def update(conn: sqlite3.Connection, username: str, **fields: object) -> None:
    allowed = {"display_name", "role", "password_hash", "failed_attempts", "locked_until", "locked"}
    bad = set(fields) - allowed
    if bad:
        raise ValueError(f"not updatable: {sorted(bad)}")
    assignments = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(
        f"UPDATE users SET {assignments} WHERE username = ?",  # noqa: S608 - names whitelisted
        [*fields.values(), username],
    )
