"""The SQLite store: pragmas, migrations, refusal of newer stores, corrupt files, rollback."""

from __future__ import annotations

import sqlite3

import pytest

from localdb.errors import StoreError
from localdb.schema import LATEST_VERSION
from localdb.store import Store


def test_new_store_is_durable_and_current(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as s:
        assert s.version == LATEST_VERSION
        assert s.scalar("PRAGMA journal_mode") == "wal"
        assert s.scalar("PRAGMA synchronous") == 2  # FULL
        assert s.scalar("PRAGMA foreign_keys") == 1


def test_store_from_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert err.value.code == "store_too_new"
    assert "phiên bản mới hơn" in err.value.message("vi")
    assert path.read_bytes() == before


def _insert_v1_dossier(conn, code="000.20.27.H57-261123-010001", name="Đặng Thị Hương"):
    conn.execute(
        "INSERT INTO dossiers (id, code, procedure_code, procedure_name, applicant_name, citizen_id,"
        " phone, channel, received_at, status, clerk, data, search_text, updated_at) "
        "VALUES (?, ?, '1.001193', 'Đăng ký khai sinh', ?, '001190000001', '0912345678', "
        "'in_person', '2026-11-23T09:00:00+07:00', 2, 'lan', '{}', ?, '2026-11-23T09:00:00+07:00')",
        (code, code, name, "dang thi huong 001190000001 0912345678"),
    )


def test_older_store_is_copied_then_upgraded(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store.open(path, target_version=1) as s:
        assert s.version == 1
        with s.write() as conn:
            _insert_v1_dossier(conn)
    backups = tmp_path / "backups"
    with Store.open(path, backups_dir=backups) as s:
        assert s.version == LATEST_VERSION
        # the search index added by v2 was built from the rows v1 already had
        hits = s.query("SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH 'huong'")
        assert len(hits) == 1
        copies = list(backups.glob("s-v1-before-v*.sqlite3"))
        assert len(copies) == 1
    old = sqlite3.connect(copies[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 1
    old.close()


def test_corrupt_file_gets_a_clear_message(tmp_path):
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert err.value.code == "corrupt"
    assert "bản sao lưu" in err.value.message("vi")


def test_failed_write_leaves_nothing(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as s:
        with pytest.raises(RuntimeError), s.write() as conn:
            _insert_v1_dossier(conn)
            raise RuntimeError("boom")
        assert s.scalar("SELECT count(*) FROM dossiers") == 0
        assert s.scalar("SELECT count(*) FROM dossier_fts WHERE dossier_fts MATCH 'huong'") == 0


def test_events_and_audit_refuse_edits(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as s:
        with s.write() as conn:
            _insert_v1_dossier(conn)
            conn.execute(
                "INSERT INTO events (id, dossier_id, type, occurred_at, origin, actor, payload, "
                "recorded_at) VALUES ('e1', '000.20.27.H57-261123-010001', 'received', 't', "
                "'counter', 'lan', x'7b7d', 't')"
            )
        with pytest.raises(sqlite3.IntegrityError), s.write() as conn:
            conn.execute("UPDATE events SET payload = x'00' WHERE id = 'e1'")
        with pytest.raises(sqlite3.IntegrityError), s.write() as conn:
            conn.execute("DELETE FROM events")
