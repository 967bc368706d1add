"""Clerk accounts: memory-hard hashes, lockout, manual lock, no secret in the store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import accounts
from app.domain import now_vn
from app.errors import UserError
from localdb.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "s.sqlite3")
    accounts.add_user(s, "lan", "Nguyễn Thị Lan", "clerk", "dung-mat-khau")
    yield s
    s.close()


def test_password_is_stored_as_argon2id_only(store, tmp_path):
    h = store.scalar("SELECT password_hash FROM users WHERE username = 'lan'")
    assert str(h).startswith("$argon2id$")
    assert b"dung-mat-khau" not in (tmp_path / "s.sqlite3").read_bytes()
    assert accounts.authenticate(store, "lan", "dung-mat-khau")["display_name"] == "Nguyễn Thị Lan"


def test_lockout_after_repeated_failures_then_expiry(store):
    now = now_vn()
    for _ in range(5):
        with pytest.raises(UserError) as err:
            accounts.authenticate(store, "lan", "sai", now=now)
        assert err.value.code == "bad_login"
    with pytest.raises(UserError) as err:
        accounts.authenticate(store, "lan", "dung-mat-khau", now=now)
    assert err.value.code == "locked" and "tạm khoá" in err.value.message("vi")
    later = now + timedelta(minutes=16)
    assert accounts.authenticate(store, "lan", "dung-mat-khau", now=later)["username"] == "lan"


def test_unknown_user_gets_the_same_message_as_a_wrong_password(store):
    with pytest.raises(UserError) as a:
        accounts.authenticate(store, "nobody", "x")
    with pytest.raises(UserError) as b:
        accounts.authenticate(store, "lan", "x")
    assert a.value.message("vi") == b.value.message("vi")


def test_admin_lock_unlock_and_password_change(store):
    accounts.set_locked(store, "lan", True)
    with pytest.raises(UserError) as err:
        accounts.authenticate(store, "lan", "dung-mat-khau")
    assert "khoá" in err.value.message("vi")
    accounts.set_locked(store, "lan", False)
    accounts.set_password(store, "lan", "mat-khau-moi-2")
    with pytest.raises(UserError):
        accounts.authenticate(store, "lan", "dung-mat-khau")
    assert accounts.authenticate(store, "lan", "mat-khau-moi-2")


@pytest.mark.parametrize(("username", "role", "pw", "field"), [
    ("Lan Anh", "clerk", "12345678", "username"),
    ("lan2", "boss", "12345678", "role"),
    ("lan3", "clerk", "short", "password"),
    ("lan", "clerk", "12345678", "username"),  # exists
])
def test_bad_accounts_are_refused(store, username, role, pw, field):
    with pytest.raises(UserError) as err:
        accounts.add_user(store, username, "Tên", role, pw)
    assert err.value.field == field
    assert store.scalar("SELECT count(*) FROM users") == 1
