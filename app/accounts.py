"""Local clerk accounts: Argon2id password hashes (memory-hard), lockout after failures."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.domain import iso, now_vn
from app.errors import UserError
from localdb import audit
from localdb import users as repo
from localdb.store import Store

log = logging.getLogger(__name__)

ROLES = ("clerk", "supervisor", "administrator")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 8
_hasher = PasswordHasher()  # Argon2id, library defaults (64 MiB, t=3)


def _counter(store: Store) -> str:
    return store.get_meta("counter_label", "") or ""


def add_user(store: Store, username: str, display_name: str, role: str, password: str,
             *, actor: str = "system") -> None:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise UserError("Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_' hoặc '-' (2–32 ký tự).",
                        "Username: 2–32 lowercase letters, digits, '.', '_' or '-'.", field="username")
    if role not in ROLES:
        raise UserError(f"Vai trò phải là một trong {', '.join(ROLES)}.",
                        f"Role must be one of {', '.join(ROLES)}.", field="role")
    from app import inputs

    display_name = inputs.clean_text(display_name, "display_name", inputs.NAME_MAX,
                                     required=True, collapse=True)
    _check_password(password)
    hashed = _hasher.hash(password)
    with store.write() as conn:
        if repo.get(conn, username):
            raise UserError(f"Tài khoản '{username}' đã tồn tại.", f"User '{username}' already exists.",
                            field="username")
        now = iso(now_vn())
        repo.insert(conn, username=username, display_name=display_name, role=role,
                    password_hash=hashed, created_at=now)
        audit.append(conn, at=now, actor=actor, counter=_counter(store), action="user.add",
                     subject=username, detail={"role": role})


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.",
                        f"The password needs at least {MIN_PASSWORD} characters.", field="password")


def _require(conn, username: str) -> dict:
    row = repo.get(conn, username)
    if row is None:
        raise UserError(f"Không có tài khoản '{username}'.", f"No user '{username}'.", field="username",
                        code="no_user")
    return row


def list_users(store: Store) -> list[dict]:
    with store.write() as conn:  # serialised read
        return repo.all_users(conn)


def get_user(store: Store, username: str) -> dict:
    with store.write() as conn:
        row = _require(conn, username)
    row.pop("password_hash", None)
    return row


def set_locked(store: Store, username: str, locked: bool, *, actor: str = "system") -> None:
    with store.write() as conn:
        _require(conn, username)
        repo.update(conn, username, locked=int(locked), failed_attempts=0, locked_until=None)
        audit.append(conn, at=iso(now_vn()), actor=actor, counter=_counter(store),
                     action="user.lock" if locked else "user.unlock", subject=username)


def set_password(store: Store, username: str, password: str, *, actor: str = "system") -> None:
    _check_password(password)
    hashed = _hasher.hash(password)
    with store.write() as conn:
        _require(conn, username)
        repo.update(conn, username, password_hash=hashed, failed_attempts=0, locked_until=None)
        audit.append(conn, at=iso(now_vn()), actor=actor, counter=_counter(store),
                     action="user.passwd", subject=username)


def authenticate(store: Store, username: str, password: str, *, max_failures: int = 5,
                 lockout_minutes: int = 15, now: datetime | None = None) -> dict:
    """Check a password; after `max_failures` wrong tries the account locks for a while."""
    now = now or now_vn()
    username = username.strip().lower()
    wrong = UserError("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.",
                      field="password", code="bad_login")
    failed = False
    with store.write() as conn:
        row = repo.get(conn, username)
        if row is None:
            _hasher.hash(password)  # same cost as a real check: no user enumeration by timing
            raise wrong
        if row["locked"]:
            raise UserError("Tài khoản đã bị khoá; hãy nhờ quản trị viên mở khoá.",
                            "The account is locked; ask an administrator to unlock it.",
                            field="username", code="locked")
        if row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > now:
            until = datetime.fromisoformat(row["locked_until"])
            raise UserError(f"Tài khoản tạm khoá do nhập sai nhiều lần, thử lại sau {until:%H:%M}.",
                            f"Too many wrong passwords; try again after {until:%H:%M}.",
                            field="password", code="locked")
        try:
            _hasher.verify(row["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            failures = row["failed_attempts"] + 1
            fields: dict[str, object] = {"failed_attempts": failures}
            if failures >= max_failures:
                fields = {"failed_attempts": 0,
                          "locked_until": iso(now + timedelta(minutes=lockout_minutes))}
            repo.update(conn, username, **fields)
            audit.append(conn, at=iso(now), actor=username, counter=_counter(store),
                         action="login.failed", subject=username, detail={"failures": failures})
            failed = True  # raised after the commit, so the failure count is kept
        else:
            if row["failed_attempts"] or row["locked_until"]:
                repo.update(conn, username, failed_attempts=0, locked_until=None)
            audit.append(conn, at=iso(now), actor=username, counter=_counter(store),
                         action="login", subject=username)
    if failed:
        raise wrong
    row.pop("password_hash", None)
    return row
