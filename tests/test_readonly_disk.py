"""Commands that only read work on a read-only disk (no gate file can be made, SQLite cannot
create its -shm file); commands that write keep their one-line refusal, nothing changed."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest

from tests.helpers import motcua
from tests.sync_support import counter_with


def _immutable(path, on: bool) -> bool:
    """chattr -R +i: even root cannot create or write a file there (a read-only disk)."""
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", "-R", "+i" if on else "-i", str(path)],
                          capture_output=True).returncode == 0


@pytest.fixture
def readonly_data(tmp_path):
    data = tmp_path / "c"
    counter = counter_with(data, 2)
    codes = [r["code"] for r in counter.store.query("SELECT code FROM dossiers ORDER BY code")]
    counter.close()
    db = sqlite3.connect(data / "motcua.sqlite3")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    if not _immutable(data, True):
        pytest.skip("chattr +i not available here")
    try:
        yield data, codes
    finally:
        _immutable(data, False)


def test_read_only_commands_work_on_a_read_only_disk(readonly_data):
    data, codes = readonly_data
    before = sorted((p.name, p.stat().st_size) for p in data.rglob("*") if p.is_file())
    out = motcua("list", data_dir=data)
    assert out.returncode == 0, out.stderr
    assert all(code in out.stdout for code in codes), out.stdout
    assert "chỉ cho đọc" not in out.stderr, out.stderr
    out = motcua("show", codes[0], data_dir=data)
    assert out.returncode == 0 and codes[0] in out.stdout, out.stderr
    out = motcua("search", codes[1], data_dir=data)
    assert out.returncode == 0 and codes[1] in out.stdout, out.stderr
    out = motcua("sync", "status", data_dir=data)
    assert out.returncode == 0, out.stderr
    for cmd in (("user", "list"), ("user", "certs", "lan"), ("catalogue", "list"),
                ("catalogue", "versions"), ("calendar", "list")):
        out = motcua(*cmd, data_dir=data)
        assert out.returncode == 0 and out.stdout and out.stderr == "", (cmd, out.stderr)
    # a writing command: one line in the clerk's language, nothing changed
    out = motcua("sync", "retry-parked", data_dir=data)
    assert out.returncode == 1, out.stdout + out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert out.stderr.startswith("Lỗi:") and "Traceback" not in out.stderr, out.stderr
    assert sorted((p.name, p.stat().st_size) for p in data.rglob("*") if p.is_file()) == before
