"""Failures in one line, as IT and clerks meet them: a closed pipe, a console that is not UTF-8,
a full disk, no display. Tracebacks only with -v, always in the log."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen",
               MOTCUA_DATA_DIR=str(tmp_path / "data"), MOTCUA_LOG_DIR=str(tmp_path / "logs"),
               MOTCUA_LANG="vi", MOTCUA_SITE_CONFIG=str(tmp_path / "no-site.toml"))
    (tmp_path / "no-site.toml").write_text("", encoding="utf-8")
    env.pop("PYTHONIOENCODING", None)
    env.update(extra)
    return env


def motcua(env: dict[str, str], *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True,
                          timeout=180, **kw)


def test_piping_into_head_is_quiet(tmp_path):
    env = env_for(tmp_path)
    assert motcua(env, "init", "--agency-code", "000.20.27.H57", "--counter", "1").returncode == 0
    cmd = f"{sys.executable} -m app catalogue list --json | head -n 1; echo rc=${{PIPESTATUS[0]}}"
    out = subprocess.run(["bash", "-c", cmd], env=env, capture_output=True, text=True, timeout=180)
    assert out.stdout.splitlines() == ["{", "rc=141"], out.stdout
    assert out.stderr == ""


def test_output_is_utf8_whatever_pythonioencoding_says(tmp_path):
    from app import demo

    demo.prepare(tmp_path / "data")
    env = env_for(tmp_path, PYTHONIOENCODING="cp1258")
    target = tmp_path / "list.txt"
    with target.open("wb") as f:
        out = subprocess.run([sys.executable, "-m", "app", "list"], env=env, stdout=f,
                             stderr=subprocess.PIPE, timeout=180)
    assert out.returncode == 0, out.stderr.decode()
    text = target.read_bytes().decode("utf-8")
    assert "Đặng Thị Hương" in text and "Được tiếp nhận" in text
    # and an error message too (stderr), in Vietnamese, not mojibake or a crash
    out = motcua(env, "show", "000.20.27.H57-261201-019999")
    assert out.returncode == 2
    assert out.stderr.decode("utf-8").startswith("Lỗi:")


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (root and mount needed; CI runs as root)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    out = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {out.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(folder: Path) -> None:
    with (folder / "filler").open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass


def test_disk_full_is_one_line_and_the_traceback_is_in_the_log(tmp_path, small_disk):
    env = env_for(tmp_path, MOTCUA_DATA_DIR=str(small_disk / "data"))
    assert motcua(env, "init", "--agency-code", "000.20.27.H57", "--counter", "1").returncode == 0
    fill(small_disk)
    out = motcua(env, "catalogue", "import", str(ROOT / "app" / "data" / "procedures.json"))
    err = out.stderr.decode("utf-8")
    assert out.returncode != 0
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("Lỗi:") and "đầy" in err
    log = (tmp_path / "logs" / "motcua.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "command failed" in log
    out = motcua(env, "-v", "catalogue", "import", str(ROOT / "app" / "data" / "procedures.json"))
    err = out.stderr.decode("utf-8")
    assert "đầy" in err and "Traceback" in err


def test_a_start_without_a_display_says_so_in_one_line(tmp_path):
    env = env_for(tmp_path)
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(var, None)
    out = motcua(env)
    err = out.stderr.decode("utf-8")
    assert out.returncode == 3, err
    assert err.strip().splitlines() == [err.strip()] and "màn hình" in err and "DISPLAY" in err
    out = motcua(env, "--lang", "en")
    assert out.returncode == 3 and "No display" in out.stderr.decode()


def test_unexpected_errors_name_the_log_and_show_a_traceback_only_with_v(tmp_path):
    """A store file that is a folder: SQLite cannot open it (an environment failure)."""
    env = env_for(tmp_path)
    (tmp_path / "data" / "motcua.sqlite3").mkdir(parents=True)
    out = motcua(env, "list")
    err = out.stderr.decode("utf-8")
    assert out.returncode != 0 and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert "Traceback" in (tmp_path / "logs" / "motcua.log").read_text(encoding="utf-8")
    out = motcua(env, "-v", "list")
    assert "Traceback" in out.stderr.decode("utf-8")


def test_start_failure_message_for_the_window():
    import errno
    import sqlite3

    from app.failures import start_failure_message

    assert "đầy" in start_failure_message(OSError(errno.ENOSPC, "No space left on device"))
    assert "read-only" in start_failure_message(
        sqlite3.OperationalError("attempt to write a readonly database"), "en")
    line = start_failure_message(RuntimeError("boom"), "en")
    assert "\n" not in line and "RuntimeError" in line


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash")
def test_help_into_a_closed_pipe_is_quiet(tmp_path):
    env = env_for(tmp_path)
    out = subprocess.run(["bash", "-c", f"{sys.executable} -m app --help | head -c 10 >/dev/null"],
                         env=env, capture_output=True, text=True, timeout=180)
    assert out.stderr == ""


def test_a_refused_intake_is_logged_without_the_values_typed(tmp_path):
    import json

    from tests.helpers import dossier_json

    env = env_for(tmp_path)
    assert motcua(env, "init", "--agency-code", "000.20.27.H57", "--counter", "1").returncode == 0
    bad = dossier_json()
    bad["applicant"].update(date_of_birth="2090-05-12", email="huong@@example")
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    out = motcua(env, "intake", "--file", str(tmp_path / "bad.json"))
    assert out.returncode == 2
    assert "huong@@example" in out.stderr.decode("utf-8")  # the clerk sees what is wrong…
    log = (tmp_path / "logs" / "motcua.log").read_text(encoding="utf-8")
    assert "command refused" in log and "date_of_birth" in log
    for value in ("huong@@example", "2090-05-12", "Đặng Thị Hương", "079190000123"):
        assert value not in log  # …the log keeps only which fields were refused


def test_a_broken_store_is_the_machine_not_refused_input(tmp_path):
    """Exit 1 (the machine: disk, permissions, SQLite), as documented, not 2 (refused input),
    so a script or IT tells "fix the PC / restore" from "fix what was typed"."""
    env = env_for(tmp_path)
    assert motcua(env, "init", "--agency-code", "000.20.27.H57", "--counter", "1").returncode == 0
    store = tmp_path / "data" / "motcua.sqlite3"
    with store.open("r+b") as f:  # the header stays, the schema pages are garbage
        f.seek(100)
        f.write(b"\xff" * 3900)
    for p in tmp_path.joinpath("data").glob("motcua.sqlite3-*"):
        p.unlink()
    out = motcua(env, "list")
    err = out.stderr.decode("utf-8")
    assert out.returncode == 1, (out.returncode, err)
    assert len(err.strip().splitlines()) == 1 and "hỏng" in err, err
