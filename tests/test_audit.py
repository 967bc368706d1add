"""The audit log is hash-chained: any edited, deleted or inserted row is found."""

from __future__ import annotations

import pytest

from localdb import audit
from localdb.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "s.sqlite3")
    with s.write() as conn:
        for i in range(5):
            audit.append(conn, at=f"2026-11-23T09:0{i}:00+07:00", actor="lan", counter="X#01",
                         action="dossier.receive", subject=f"CODE-{i}", detail={"n": i, "tên": "Hương"})
    yield s
    s.close()


def _tamper(store, sql, params=()):
    """Edit behind the app's back, as someone with the sqlite3 shell would."""
    c = store.conn
    c.execute("DROP TRIGGER audit_no_update")
    c.execute("DROP TRIGGER audit_no_delete")
    c.execute(sql, params)


def test_intact_chain_verifies(store):
    count, problems = audit.verify(store.conn)
    assert (count, problems) == (5, [])


def test_edited_detail_is_found(store):
    _tamper(store, "UPDATE audit SET detail = replace(detail, 'Hương', 'Huong') WHERE seq = 3")
    _, problems = audit.verify(store.conn)
    assert [(p.seq, p.problem) for p in problems] == [(3, "edited")]
    assert "bị sửa" in problems[0].describe("vi")


def test_deleted_middle_row_is_found(store):
    _tamper(store, "DELETE FROM audit WHERE seq = 2")
    _, problems = audit.verify(store.conn)
    assert {p.problem for p in problems} >= {"gap", "broken_link"}


def test_deleted_last_row_is_found(store):
    _tamper(store, "DELETE FROM audit WHERE seq = 5")
    _, problems = audit.verify(store.conn)
    assert [p.problem for p in problems] == ["head_mismatch"]


def test_rewritten_chain_without_head_is_found(store):
    # Someone re-computes hashes for an edited row but cannot know to fix meta's head too.
    _tamper(store, "DELETE FROM meta WHERE key = 'audit_head'")
    _, problems = audit.verify(store.conn)
    assert [p.problem for p in problems] == ["head_mismatch"]
