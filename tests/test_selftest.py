"""`motcua --self-test` and `motcua diagnostics`: what IT runs after an install and sends to
support. The self-test runs for real in a subprocess with an empty HOME, offscreen."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK_KEYS = ("config", "data_dir", "live_store", "log_dir", "store", "intake", "search", "demo_gateway", "catalogue", "units",
              "trust", "qt", "print", "fonts", "receipt", "gui")


def _cli_has_flag() -> bool:
    from app.cli import build_parser

    return "--self-test" in build_parser()._option_string_actions


def fresh_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: empty HOME, no MOTCUA_* from the test runner, offscreen Qt."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8",
           "PYTHONIOENCODING": "utf-8", "TMPDIR": str(home.parent)}
    env.update(extra)
    return env


def self_test(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`motcua --self-test` from source (the module directly until the CLI flag is wired)."""
    cmd = [sys.executable, "-m", "app", *args, "--self-test"] if _cli_has_flag() else \
        [sys.executable, "-m", "app.selftest", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=env["HOME"])


def lines_by_mark(stdout: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"✔": [], "⚠": [], "✘": []}
    for line in stdout.splitlines():
        if line[:1] in out:
            out[line[:1]].append(line)
    return out


def test_self_test_passes_in_a_fresh_home(tmp_path):
    env = fresh_env(tmp_path / "home")
    out = self_test(env)
    assert out.returncode == 0, out.stdout + out.stderr
    marks = lines_by_mark(out.stdout)
    assert not marks["✘"], out.stdout
    assert len(marks["✔"]) + len(marks["⚠"]) == len(CHECK_KEYS)
    text = out.stdout
    assert "tự kiểm tra" in text and "sẵn sàng" in text
    assert "34 tỉnh/thành phố, 3321 xã" in text
    assert "ĐđƯưƠơẠạỹ" in text and "FTS5" in text and "PKI demo" in text
    # a new PC has no trust anchor yet: a warning, not a failure
    assert any("Chứng thư tin cậy" in w for w in marks["⚠"])
    # the real data folder is only looked at: no store was created there
    assert not list((tmp_path / "home").rglob("motcua.sqlite3"))


def test_self_test_in_english_with_json(tmp_path):
    env = fresh_env(tmp_path / "home", MOTCUA_LANG="en")
    out = self_test(env, "--lang", "en")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All 16 checks passed" in out.stdout and "Vietnamese fonts" in out.stdout


def test_self_test_fails_on_a_corrupt_site_configuration(tmp_path):
    site = tmp_path / "motcua.toml"
    site.write_text('gateway_url = "https://gw.vn\nreceipt_layout = a5\n', encoding="utf-8")
    out = self_test(fresh_env(tmp_path / "home", MOTCUA_SITE_CONFIG=str(site)))
    assert out.returncode == 1, out.stdout + out.stderr
    failed = lines_by_mark(out.stdout)["✘"]
    assert len(failed) == 1 and "Cấu hình" in failed[0] and str(site) in failed[0]
    assert "KHÔNG ĐẠT" in out.stdout
    # the other checks still ran with the defaults
    assert "Đơn vị hành chính" in out.stdout and "Giấy tiếp nhận" in out.stdout


def test_self_test_fails_when_data_folder_cannot_be_written_and_ca_bundle_is_garbage(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    bad_ca = tmp_path / "gateway-ca.pem"
    bad_ca.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    env = fresh_env(tmp_path / "home", MOTCUA_DATA_DIR=str(blocker / "data"),
                    MOTCUA_CA_BUNDLE=str(bad_ca))
    out = self_test(env)
    assert out.returncode == 1, out.stdout
    failed = lines_by_mark(out.stdout)["✘"]
    assert any("Thư mục dữ liệu" in f and "not-a-folder" in f for f in failed), out.stdout
    assert any("Chứng thư tin cậy" in f and "gateway-ca.pem" in f for f in failed), out.stdout
    assert len(failed) == 2


def test_data_folder_check_reads_the_store_version_without_opening_it(tmp_path):
    from app.config import default_config
    from app.selftest import FAIL, OK, Check, _check_data_dir
    from localdb.schema import LATEST_VERSION

    config = default_config()
    config.values["data_dir"] = config.values["data_dir"].__class__(
        "data_dir", str(tmp_path), "cli", "--data-dir")
    store = tmp_path / "motcua.sqlite3"
    conn = sqlite3.connect(store)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.close()
    before = store.read_bytes()
    c = Check("data_dir", "", "")
    _check_data_dir(c, config)
    assert c.status == FAIL and f"v{LATEST_VERSION + 5}" in c.detail_en
    assert store.read_bytes() == before
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    c = Check("data_dir", "", "")
    _check_data_dir(c, config)
    assert c.status == OK and "upgraded" in c.detail_en


def test_report_falls_back_to_ascii_marks():
    from app.selftest import FAIL, OK, WARN, Check, format_report

    checks = [Check("a", "Một", "One", OK, "tốt", "good"), Check("b", "Hai", "Two", WARN, "?", "?"),
              Check("c", "Ba", "Three", FAIL, "hỏng", "broken")]
    text = format_report(checks, "en", ascii_only=True)
    assert "[OK] One" in text and "[!!] Two" in text and "[XX] Three" in text
    assert "1 check(s) FAILED" in text


# ---------------------------------------------------------------------------- diagnostics


CITIZEN_IDS = ("079190000123", "001090000456", "001085000789", "079195001234")


@pytest.fixture
def demo_counter_dir(tmp_path, monkeypatch):
    from app import demo

    for var in list(os.environ):
        if var.startswith("MOTCUA_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    data = tmp_path / "data"
    demo.prepare(data)
    return data


def test_diagnostics_zip_has_statistics_but_no_citizen_data_or_secrets(demo_counter_dir, tmp_path,
                                                                        monkeypatch):
    import logging

    from app.cli.ops import cmd_diagnostics
    from app.logs import setup_logging

    logs = tmp_path / "logs"
    monkeypatch.setenv("MOTCUA_LOG_DIR", str(logs))
    monkeypatch.setenv("MOTCUA_GATEWAY_URL", "https://lan:gw-pass-1@gw.example.vn/?token=tk-secret-9")
    from sync.client import CA_BUNDLE_VARIABLES, PROXY_VARIABLES

    for var in (*PROXY_VARIABLES, *CA_BUNDLE_VARIABLES):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://px-user:px-pass-3@proxy.example:3128")
    monkeypatch.setenv("HTTP_PROXY", "px-user:px-pass-4@proxy.example:3129")  # no scheme
    monkeypatch.setenv("NO_PROXY", "localhost")
    (demo_counter_dir / "gateway-credential").write_text("cred-secret-7")
    root_before = list(logging.getLogger().handlers)
    try:
        setup_logging(logs)
        logging.getLogger("motcua.test").warning("intake for %s code 000.20.27.H57-261123-010001",
                                                 CITIZEN_IDS[0])
        # what a careless line could carry: a name, a phone, an e-mail, a refused value
        logging.getLogger("motcua.test").warning(
            "applicant Đặng Thị Hương phone 0912 345 678 mail huong.dang@example.vn")
        from app.errors import UserError

        bad = UserError("Email 'an.nguyen@example.vn' không hợp lệ; ngày sinh 12/05/1990.",
                        "Email 'an.nguyen@example.vn' is invalid; born 12/05/1990.",
                        field="applicant.email", code="invalid_email")
        logging.getLogger("motcua.test").info("intake refused: %r", bad)
        try:
            raise bad
        except UserError:
            logging.getLogger("motcua.test").exception("refused")
    finally:
        for h in list(logging.getLogger().handlers):
            if h not in root_before:
                logging.getLogger().removeHandler(h)
                h.close()
    # a log written by an older version, without redaction
    (logs / "motcua.log.1").write_text(f"old line citizen {CITIZEN_IDS[1]} pin=4321 Nguyễn Văn An "
                                       "+84 912 345 679 an.nguyen@example.vn\n", encoding="utf-8")

    out = tmp_path / "diag.zip"
    args = argparse.Namespace(data_dir=str(demo_counter_dir), lang="en", out=str(out))
    assert cmd_diagnostics(args) == 0
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        blob = b"".join(z.read(n) for n in names).decode("utf-8")
        report = json.loads(z.read("diagnostics.json"))
    assert names == ["diagnostics.json", "logs/motcua.log", "logs/motcua.log.1"]
    for secret in (*CITIZEN_IDS, "gw-pass-1", "tk-secret-9", "cred-secret-7", "4321",
                   "px-pass-3", "px-pass-4",
                   "Đặng Thị Hương", "Nguyễn Văn An", "0912345678", "BEGIN PRIVATE KEY",
                   "BEGIN ENCRYPTED PRIVATE KEY", "Hương", "345 678", "345 679", "huong.dang",
                   "an.nguyen@", "12/05/1990", "Trần Đức Đông", "Lê Thị Mai"):
        assert secret not in blob, secret
    assert "code=invalid_email, field=applicant.email" in blob  # the refusal, without its value
    assert "000.20.27.H57-261123-010001" in blob  # dossier codes are what support needs
    store = report["store"]
    assert store["schema_version"] >= 2 and store["integrity_check"] == "ok"
    assert store["tables"]["dossiers"] == 4 and store["tables"]["events"] == 4
    assert store["outbox"] == {"pending": 4, "parked": 0}
    assert store["audit_chain"]["problems"] == 0
    assert store["meta"]["agency_code"] == "000.20.27.H57"
    assert report["data_dir"]["gateway_credential"]["present"] is True
    assert report["versions"]["python"].startswith(sys.version.split()[0])
    assert "qt" in report["versions"] and report["versions"]["libraries"]["motcua"]
    assert report["configuration"]["values"]["gateway_url"]["source"] == "env"
    assert report["configuration"]["values"]["data_dir"]["origin"] == "--data-dir"
    # how this PC reaches the gateway: through the HTTPS proxy, its password removed
    assert report["network"]["gateway_proxy"] == "http://px-user:***@proxy.example:3128"
    assert report["network"]["variables"]["HTTP_PROXY"] == "px-user:***@proxy.example:3129"
    assert report["network"]["variables"]["NO_PROXY"] == "localhost"


def test_diagnostics_says_a_loopback_gateway_is_reached_direct(monkeypatch):
    from app.cli.ops import network_report
    from sync.client import CA_BUNDLE_VARIABLES, PROXY_VARIABLES

    for var in (*PROXY_VARIABLES, *CA_BUNDLE_VARIABLES):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("ALL_PROXY", "http://proxy.example:3128")
    assert network_report("http://127.0.0.1:8443")["gateway_proxy"] is None
    assert network_report("https://gw.example.vn")["gateway_proxy"] == "http://proxy.example:3128"
    monkeypatch.setenv("NO_PROXY", ".example.vn")
    assert network_report("https://gw.example.vn")["gateway_proxy"] is None


def test_diagnostics_store_is_opened_read_only(demo_counter_dir, tmp_path):
    from app.cli.ops import store_statistics

    store = demo_counter_dir / "motcua.sqlite3"
    os.chmod(store, 0o444)
    before = store.read_bytes()
    stats = store_statistics(store)
    assert stats["tables"]["dossiers"] == 4 and store.read_bytes() == before


def test_diagnostics_with_a_broken_configuration_still_writes_the_archive(tmp_path, monkeypatch):
    from app.cli.ops import cmd_diagnostics

    site = tmp_path / "site.toml"
    site.write_text("receipt_layout = 'a3'\n")
    monkeypatch.setenv("MOTCUA_SITE_CONFIG", str(site))
    monkeypatch.setenv("MOTCUA_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    out = tmp_path / "d.zip"
    args = argparse.Namespace(data_dir=str(tmp_path / "data"), lang="vi", out=str(out))
    assert cmd_diagnostics(args) == 0
    with zipfile.ZipFile(out) as z:
        report = json.loads(z.read("diagnostics.json"))
    assert "receipt_layout" in report["configuration_error"]["en"]
    assert report["store"] == {"path": str(tmp_path / "data" / "motcua.sqlite3"), "exists": False}
    with pytest.raises(Exception) as e:
        cmd_diagnostics(argparse.Namespace(data_dir=None, lang="vi", out=str(tmp_path / "d.txt")))
    assert ".zip" in str(e.value)


# ------------------------------------------------------------- the real store, read-only

def _immutable(path: Path, on: bool) -> bool:
    """chattr +i: even root cannot write the file (how a read-only store looks to SQLite)."""
    import shutil

    if shutil.which("chattr") is None:
        return False
    out = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True)
    return out.returncode == 0


@pytest.fixture
def real_store(tmp_path):
    """A counter's real store in a data folder, made by the CLI (WAL, schema current)."""
    data = tmp_path / "data"
    env = fresh_env(tmp_path / "home", MOTCUA_DATA_DIR=str(data))
    out = subprocess.run([sys.executable, "-m", "app", "init", "--agency-code", "000.20.27.H57",
                          "--counter", "1"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    locked: list[Path] = []
    yield data / "motcua.sqlite3", env, locked
    for p in locked:
        _immutable(p, False)


def _live_line(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if "Kho dữ liệu của quầy" in line)


def test_self_test_fails_on_a_read_only_store_and_intake_says_so_in_one_line(real_store):
    store, env, locked = real_store
    sqlite3.connect(store).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    if not _immutable(store, True):
        pytest.skip("chattr +i not available here")
    locked.append(store)
    out = self_test(env)
    assert out.returncode == 1, out.stdout
    line = _live_line(out.stdout)
    assert line.startswith("✘") and str(store) in line and "readonly" in line
    # the command a clerk would run: one line, in Vietnamese, no traceback, no English log line
    p = subprocess.run([sys.executable, "-m", "app", "user", "add", "lan", "--name", "Lan",
                        "--password-env", "PW"], env={**env, "PW": "mat-khau-dai-du-1"},
                       capture_output=True, text=True, timeout=120)
    assert p.returncode != 0
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert p.stderr.startswith("Lỗi:") and "Traceback" not in p.stderr and "chỉ cho đọc" in p.stderr


def test_self_test_names_a_stale_read_only_shm(real_store):
    store, env, locked = real_store
    shm = Path(str(store) + "-shm")
    # a process killed while writing leaves -wal/-shm behind (never mapped in this process:
    # a file made immutable under a live mapping would crash it)
    crash = ("import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
             "c.execute(\"INSERT INTO meta (key, value) VALUES ('x', 'y')\"); c.commit(); "
             "os._exit(9)")
    subprocess.run([sys.executable, "-c", crash, str(store)], timeout=60)
    assert shm.exists()
    if not _immutable(shm, True):
        pytest.skip("chattr +i not available here")
    locked.append(shm)
    out = self_test(env)
    assert out.returncode == 1, out.stdout
    line = _live_line(out.stdout)
    assert line.startswith("✘") and str(shm) in line, line


def test_self_test_probe_leaves_the_real_store_unchanged(real_store):
    store, env, _ = real_store
    out = self_test(env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert _live_line(out.stdout).startswith("✔")
    conn = sqlite3.connect(store)
    assert not conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'selftest.%'").fetchone()[0]
    conn.close()
