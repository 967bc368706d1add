"""A window that cannot start says why on screen: a message box with the same one line the
command line prints, and where the log is (a clerk starting from the menu sees no stderr)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_window(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MOTCUA_START_FAILURE_AUTOCLOSE": "1",
            "HOME": str(tmp_path), "MOTCUA_LOG_DIR": str(tmp_path / "logs"),
            "MOTCUA_DATA_DIR": str(tmp_path / "data"), "MOTCUA_LANG": "vi",
            "MOTCUA_USER_CONFIG": str(tmp_path / "none.toml"), "PYTHONPATH": str(ROOT), **env}
    full.pop("MOTCUA_SITE_CONFIG", None) if "MOTCUA_SITE_CONFIG" not in env else None
    return subprocess.run([sys.executable, "-m", "app"], env=full, capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)


def box_of(out: str) -> tuple[str, str]:
    line = next(x for x in out.splitlines() if x.startswith("MOTCUA_START_FAILURE_BOX"))
    text, info = line.removeprefix("MOTCUA_START_FAILURE_BOX True ").split(" | ", 1)
    return text, info


def test_bad_site_configuration_opens_a_message_box(tmp_path):
    site = tmp_path / "motcua.toml"
    site.write_text('gateway_url = "ftp://nowhere"\n', encoding="utf-8")
    r = start_window(tmp_path, MOTCUA_SITE_CONFIG=str(site))
    assert r.returncode != 0
    cli_line = next((x for x in r.stderr.splitlines() if x.startswith("Lỗi:")), r.stderr)
    assert "motcua.toml" in cli_line
    text, info = box_of(r.stdout)
    assert text.splitlines()[0] == cli_line.splitlines()[0]  # the same line as the CLI
    log_file = Path(info.rsplit(": ", 1)[1])  # a broken configuration logs to the default place
    assert log_file.name == "motcua.log" and log_file.is_file()


def test_corrupt_store_opens_a_message_box(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    from app.settings import Settings

    Settings(data_dir=data).store_path.write_bytes(b"this is not a database" * 100)
    r = start_window(tmp_path)
    assert r.returncode != 0
    cli_line = next((x for x in r.stderr.splitlines() if x.startswith("Lỗi:")), r.stderr)
    assert cli_line.startswith("Lỗi:"), r.stderr
    assert "dữ liệu" in cli_line or "hỏng" in cli_line, cli_line
    text, info = box_of(r.stdout)
    assert text == cli_line
    assert "Traceback" not in r.stderr
    log_file = Path(info.rsplit(": ", 1)[1])
    assert log_file == tmp_path / "logs" / "motcua.log" and log_file.is_file()
