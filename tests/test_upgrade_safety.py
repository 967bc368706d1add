"""The pre-upgrade copy on a full disk and in an unwritable folder: never a 0-byte file named
like a backup, a message that says what to do, the store untouched; the copy that is written is
complete (temporary name, fsync, rename)."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from localdb.errors import StoreError
from localdb.safecopy import TMP_PREFIX, write_copy
from localdb.schema import LATEST_VERSION
from localdb.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "store-v1.sqlite3"


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs a little larger than the v1 store (root and mount needed; CI runs as root)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    size = FIXTURE.stat().st_size * 2 + 2 * 1024 * 1024
    out = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {out.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill_leaving(folder: Path, leave: int) -> Path:
    free = shutil.disk_usage(folder).free
    filler = folder / "filler"
    with filler.open("wb") as f:
        remaining = max(0, free - leave)
        while remaining > 0:
            chunk = min(remaining, 1 << 20)
            try:
                f.write(b"\0" * chunk)
            except OSError:
                break
            remaining -= chunk
    return filler


def test_full_disk_leaves_no_backup_file_and_the_store_untouched(small_disk):
    data = small_disk / "data"
    data.mkdir()
    store = data / "motcua.sqlite3"
    shutil.copyfile(FIXTURE, store)
    before = store.read_bytes()
    filler = fill_leaving(small_disk, FIXTURE.stat().st_size // 2)
    with pytest.raises(StoreError) as e:
        Store.open(store, backups_dir=data / "backups")
    assert e.value.code == "upgrade_backup_no_space"
    assert "free" in e.value.en and "Nothing was changed" in e.value.en and "đủ chỗ" in e.value.vi
    assert not list((data / "backups").glob("*")) if (data / "backups").exists() else True
    assert store.read_bytes() == before
    # room again: the copy is complete and the upgrade goes through
    filler.unlink()
    with Store.open(store, backups_dir=data / "backups") as s:
        assert s.version == LATEST_VERSION
    (copy,) = (data / "backups").glob("motcua-v1-before-*.sqlite3")
    assert copy.stat().st_size > 0
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] > 0
    conn.close()


def test_a_copy_cut_by_a_full_disk_leaves_nothing(small_disk):
    """The check passed but the disk filled meanwhile: the partial file is removed."""
    target = small_disk / "backups" / "copy.sqlite3"

    def fill(tmp: Path) -> None:
        with tmp.open("wb") as f:
            while True:
                f.write(b"x" * 65536)  # until ENOSPC

    with pytest.raises(StoreError) as e:
        write_copy(target, fill, needed_bytes=0)
    assert e.value.code == "upgrade_backup_no_space"
    assert list(target.parent.iterdir()) == []


def test_an_unwritable_backups_folder_is_named_not_blamed_on_the_store(tmp_path):
    data = tmp_path / "data"
    (data / "backups").mkdir(parents=True)
    store = data / "motcua.sqlite3"
    shutil.copyfile(FIXTURE, store)
    before = store.read_bytes()
    if subprocess.run(["chattr", "+i", str(data / "backups")], capture_output=True).returncode:
        pytest.skip("chattr +i not available here")
    try:
        with pytest.raises(StoreError) as e:
            Store.open(store, backups_dir=data / "backups")
    finally:
        subprocess.run(["chattr", "-i", str(data / "backups")], capture_output=True)
    assert e.value.code == "upgrade_backup_unwritable"
    assert str(data / "backups") in e.value.en and "writable" in e.value.en
    assert "unable to open database file" not in e.value.en
    assert store.read_bytes() == before
    # and the command line says it in one line
    subprocess.run(["chattr", "+i", str(data / "backups")], capture_output=True)
    try:
        out = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), "list"],
                             capture_output=True, text=True, timeout=120, cwd=ROOT,
                             env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                  "PYTHONPATH": str(ROOT), "MOTCUA_LOG_DIR": str(tmp_path / "l"),
                                  "MOTCUA_LANG": "vi"})
    finally:
        subprocess.run(["chattr", "-i", str(data / "backups")], capture_output=True)
    assert out.returncode != 0
    assert out.stderr.count("\n") == 1 and "backups" in out.stderr and "Lỗi:" in out.stderr


def test_interrupted_fill_is_cleaned_and_errors_pass_through(tmp_path):
    target = tmp_path / "b" / "copy.sqlite3"

    def boom(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(StoreError):
        write_copy(target, boom, needed_bytes=10)
    assert not target.exists() and not (target.parent / (TMP_PREFIX + target.name)).exists()
    write_copy(target, lambda tmp: tmp.write_bytes(b"whole"), needed_bytes=10)
    assert target.read_bytes() == b"whole"


def test_restore_accepts_the_pre_upgrade_copy(tmp_path):
    """The rollback path: the copy an upgrade kept in backups/ is a valid `motcua restore`
    source (a plain store copy; the scans never left attachments/)."""
    import json

    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(FIXTURE, data / "motcua.sqlite3")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
           "MOTCUA_LOG_DIR": str(tmp_path / "logs"), "MOTCUA_LANG": "en",
           "MOTCUA_SITE_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("")

    def motcua(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args],
                              capture_output=True, text=True, timeout=180, env=env, cwd=ROOT)

    first = motcua("list", "--json")
    assert first.returncode == 0, first.stderr
    (copy,) = (data / "backups").glob("motcua-v1-before-*.sqlite3")
    out = motcua("restore", str(copy))
    assert out.returncode == 0, out.stderr
    restored = json.loads(out.stdout)
    assert restored["dossiers"] == len(json.loads(first.stdout)) > 0
    again = motcua("list", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(first.stdout)
