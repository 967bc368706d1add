"""Upgrades: a store made by the oldest schema opens in this version, is backed up first, keeps
every row and signature, and searches; a failing migration leaves the file byte-identical.

`tests/data/store-v1.sqlite3` was written by `tests/data/make_store_v1.py` at schema v1 and is
kept as is, so every future version is tested against a store an old version really wrote.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.context import open_counter
from app.settings import Settings
from localdb.errors import StoreError
from localdb.schema import LATEST_VERSION, MIGRATIONS
from localdb.store import Store
from tests.helpers import ANCHORS, DATA, FIXTURE, install_fixture  # noqa: F401

FIXTURE_NAMES = ("Đặng Thị Hương", "Nguyễn Văn An", "Trần Đức Đông", "Lê Thị Mai")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every v1 table, read-only (the fixture is never opened for writing)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'dossier_fts%' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()  # noqa: S608
                for t in tables}
    finally:
        conn.close()




def check_upgraded(data_dir: Path, before: dict[str, list[tuple]], names: tuple[str, ...]) -> None:
    """Open with this version; everything the old version wrote is still there and works."""
    from app import queries
    from app.signatures import verify_store
    from localdb import audit
    from localdb.backup import integrity_problems

    with open_counter(Settings(data_dir=data_dir)) as counter:
        store = counter.store
        assert store.version == LATEST_VERSION
        # backup first, kept, and it is the old version's store
        backup = Path(store.upgrade_backup)
        assert backup.parent == data_dir / "backups" and backup.exists()
        assert f"-v1-before-v{LATEST_VERSION}-" in backup.name
        with closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as b:
            assert b.execute("PRAGMA user_version").fetchone()[0] == 1
        assert snapshot(backup) == before
        # data intact: every row of every old table, byte for byte (payloads, signatures)
        after = snapshot(store.path)
        for table, rows in before.items():  # columns added by later migrations come last
            width = len(rows[0]) if rows else 0
            assert [r[:width] for r in after[table]] == rows, table
        # the new version's features work on old data
        for name in names:
            folded = {"Đặng Thị Hương": "dang thi huong", "Nguyễn Văn An": "nguyen van an",
                      "Trần Đức Đông": "tran duc dong", "Lê Thị Mai": "le thi mai"}[name]
            hits = queries.search(counter, folded)["results"]
            assert [h["applicant_name"] for h in hits] == [name], folded
        code = before["dossiers"][0][2]
        assert queries.search(counter, code)["results"][0]["code"] == code
        assert queries.show(counter, code)["code"] == code
        n, problems = audit.verify(store.conn)
        assert n == len(before["audit"]) and not problems
        assert integrity_problems(store, counter.settings.attachments_dir) == []
        report = verify_store(counter)
        assert report.signatures == len(before["events"]) and not report.problems
    # a second open does not back up again
    with open_counter(Settings(data_dir=data_dir)) as counter:
        assert not hasattr(counter.store, "upgrade_backup")
    assert len(list((data_dir / "backups").glob("*.sqlite3"))) == 1


def test_committed_v1_fixture_is_v1_with_real_rows(tmp_path):
    copy = tmp_path / "copy.sqlite3"  # never open the committed file itself (WAL side files)
    shutil.copyfile(FIXTURE, copy)
    snap = snapshot(copy)
    head = FIXTURE.read_bytes()[:100]
    assert int.from_bytes(head[60:64], "big") == 1  # PRAGMA user_version
    assert len(snap["dossiers"]) == 4 and len(snap["events"]) == 5 and len(snap["users"]) == 2
    assert {r[0] for r in snap["outbox"]} and any("parked" in r for r in snap["outbox"])
    assert all(r[7] for r in snap["events"])  # every counter event carries its CMS signature


def test_upgrade_committed_v1_store(tmp_path):
    data = tmp_path / "data"
    store_file = install_fixture(data)
    before = snapshot(store_file)
    check_upgraded(data, before, FIXTURE_NAMES)


def test_upgrade_v1_store_built_with_todays_services(tmp_path):
    from tests.data.make_store_v1 import build_v1_store

    data = tmp_path / "data"
    made = build_v1_store(data, tmp_path / "pki")
    before = snapshot(made["store"])
    assert not (data / "backups").exists()
    check_upgraded(data, before, FIXTURE_NAMES)


def test_cli_opens_old_store_and_says_nothing_alarming(tmp_path):
    """The command line on an old store: works, exit 0, backup made."""
    import os
    import subprocess
    import sys

    data = tmp_path / "data"
    install_fixture(data)
    out = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), "search", "dang thi huong",
                          "--json"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert out.returncode == 0, out.stderr
    assert "Đặng Thị Hương" in out.stdout
    assert len(list((data / "backups").glob("motcua-v1-before-*.sqlite3"))) == 1


def _conflicting_v1_store(tmp_path: Path) -> Path:
    """The committed v1 store plus an object that makes the real v2 migration fail half-way
    (a stray table named like the one v2 creates: e.g. left by a support tool). No monkeypatch:
    the real migration code path fails on a real store."""
    data = tmp_path / "data"
    store_file = install_fixture(data)
    conn = sqlite3.connect(store_file)
    conn.execute("CREATE TABLE dossier_fts (x)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return store_file


def _assert_untouched_after_failure(store_file: Path, digest: str, exc: StoreError) -> None:
    assert exc.code == "migration_failed"
    gc.collect()  # the failed Store's connection must not hold the file
    assert sha256(store_file) == digest
    assert not Path(str(store_file) + "-wal").exists() or Path(str(store_file) + "-wal").stat().st_size == 0
    # the old version still reads it exactly as before
    with closing(sqlite3.connect(f"{store_file.resolve().as_uri()}?mode=ro", uri=True)) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for msg in (exc.vi, exc.en):
        assert f"v{LATEST_VERSION}" in msg


def test_failed_real_migration_leaves_store_byte_identical(tmp_path):
    store_file = _conflicting_v1_store(tmp_path)
    digest = sha256(store_file)
    before = snapshot(store_file)
    with pytest.raises(StoreError) as e:
        open_counter(Settings(data_dir=store_file.parent))
    _assert_untouched_after_failure(store_file, digest, e.value)
    assert snapshot(store_file) == before
    assert "backups" in e.value.en and "backups" in e.value.vi
    backups = list((store_file.parent / "backups").glob("*.sqlite3"))
    assert len(backups) == 1 and snapshot(backups[0]) == before  # the copy is kept too


def test_failed_migration_from_a_broken_migration_list(tmp_path):
    """`Store.open(..., migrations=…)`: a copy of MIGRATIONS whose last step has a broken
    statement after a good one (no monkeypatching)."""
    broken = [*MIGRATIONS[:-1], (MIGRATIONS[-1][0], "broken",
                                 MIGRATIONS[-1][2] + "\nCREATE TABLE oops (;\n")]
    data = tmp_path / "data"
    store_file = install_fixture(data)
    digest = sha256(store_file)
    with pytest.raises(StoreError) as e:
        Store.open(store_file, backups_dir=data / "backups", migrations=broken)
    _assert_untouched_after_failure(store_file, digest, e.value)


def test_failed_migration_message_says_how_to_roll_back(tmp_path):
    store_file = _conflicting_v1_store(tmp_path)
    with pytest.raises(StoreError) as e:
        open_counter(Settings(data_dir=store_file.parent))
    backup = next((store_file.parent / "backups").glob("*.sqlite3"))
    assert backup.name in e.value.en and backup.name in e.value.vi
    assert "previous version" in e.value.en and "phiên bản trước" in e.value.vi
