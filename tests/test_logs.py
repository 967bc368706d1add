"""Log redaction and rotation: dossier codes stay, citizen IDs and secrets go."""

from __future__ import annotations

import logging

import pytest

from app.logs import LOG_FILE, log_files, redact, setup_logging

CODE = "000.20.27.H57-261123-010001"
CID = "079190000123"


@pytest.mark.parametrize("text, gone, kept", [
    (f"dossier {CODE} received for {CID}", [CID], [CODE]),
    (f"citizen_id={CID} phone=0912345678", [CID, "0912345678"], ["citizen_id=", "phone="]),
    ("gọi 0912 345 678 hoặc +84 912.345.678, (028) không", ["345 678", "912.345.678"], ["gọi"]),
    ("email=huong.dang+hs@example.vn sent", ["huong.dang", "example.vn"], ["email=", "sent"]),
    ("applicant Đặng Thị Hương and NGUYỄN VĂN AN, Le Van Tam", ["Hương", "NGUYỄN", "Tam"],
     ["applicant", "and"]),
    ('{"full_name": "Ông Ba Mươi", "display_name": "Lan"}', ["Ba Mươi", '"Lan"'],
     ['"full_name"']),
    (f'{{"citizen_id": "{CID}", "code": "{CODE}"}}', [CID], [CODE]),
    (f"QR {CID}|012345678|Đặng Thị Hương|12051990", [CID, "012345678", "Hương"], ["QR"]),
    ("CCCD 079 190 000 123 ok", ["079 190 000 123"], ["CCCD"]),
    ("password=hunter2 ok", ["hunter2"], ["password=", "ok"]),
    ("PIN: 123456; user_pin='9999'", ["123456", "9999"], ["PIN:"]),
    ('{"password": "s3cr3t", "username": "lan"}', ["s3cr3t"], ['"username": "lan"']),
    ("so_pin=87654321 pin_count=3", ["87654321"], ["pin_count=3"]),
    ("Authorization: Bearer abcdefghijklmnop", ["abcdefghijklmnop"], ["Authorization"]),
    ("GET https://gw.vn/api/v1/pull?cursor=17&token=tk-123", ["tk-123"], ["cursor=17"]),
    ("https://lan:matkhau99@gw.vn/x", ["matkhau99"], ["https://lan:", "@gw.vn/x"]),
    ("Mật khẩu: abc123 sai", ["abc123"], ["Mật khẩu"]),
    ("credential=eyJhbGciOi.xyz", ["eyJhbGciOi.xyz"], ["credential="]),
    ("-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----", ["MIIEv"], ["PRIVATE KEY"]),
])
def test_redact(text, gone, kept):
    out = redact(text)
    for g in gone:
        assert g not in out, out
    for k in kept:
        assert k in out, out


@pytest.mark.parametrize("text", [
    f"code {CODE} and 000.20.27.H57-261123-990001",
    "event 0190b5a2-7c1e-7aaa-8bbb-123456789012 received",  # UUID groups are not IDs
    "received_at 2026-11-23T09:15:02+07:00 appointment 2026-11-27T16:00:00+07:00",
    "mapping=abc spinner=1 pin_count=3 counter 01",  # not secrets
    "1234567890123 is 13 digits, 12345678901 is 11",
    "GET /api/v1/pull?cursor=12 -> 200 in 0.012 s",
])
def test_redact_keeps_what_support_needs(text):
    assert redact(text) == text


def test_file_handler_redacts_messages_args_and_tracebacks(tmp_path):
    path = setup_logging(tmp_path / "logs")
    assert path == tmp_path / "logs" / LOG_FILE
    log = logging.getLogger("motcua.test")
    log.info("intake %s for %s with pin=%s", CODE, CID, "1234")
    try:
        raise ValueError(f"bad citizen id {CID} password=hunter2")
    except ValueError:
        log.exception("failed on %s", CODE)
    logging.getLogger("some.library").warning("token=%s", "abcdef")
    for h in logging.getLogger().handlers:
        h.flush()
    text = path.read_text(encoding="utf-8")
    assert text.count(CODE) == 2
    for secret in (CID, "1234", "hunter2", "abcdef"):
        assert secret not in text
    assert "ValueError" in text and "Traceback" in text


def test_rotation_and_idempotent_setup(tmp_path, monkeypatch):
    monkeypatch.setattr("app.logs.MAX_BYTES", 2000)
    monkeypatch.setattr("app.logs.BACKUP_COUNT", 2)
    setup_logging(tmp_path)
    setup_logging(tmp_path)  # second call replaces, does not duplicate
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_motcua_handler", False)]
    assert len(ours) == 1  # the file only: no English log lines on the clerk's terminal
    log = logging.getLogger("motcua.rot")
    for i in range(200):
        log.info("line %03d dossier %s", i, CODE)
    files = log_files(tmp_path)
    assert [f.name for f in files] == [LOG_FILE, LOG_FILE + ".1", LOG_FILE + ".2"]
    assert all(f.stat().st_size <= 2200 for f in files)


def test_stderr_gets_log_records_only_with_verbose(tmp_path, capsys):
    setup_logging(tmp_path)
    logging.getLogger("motcua.quiet").warning("leftover scans removed")
    assert "leftover scans removed" not in capsys.readouterr().err
    assert "leftover scans removed" in (tmp_path / LOG_FILE).read_text(encoding="utf-8")
    setup_logging(tmp_path, verbose=True)
    logging.getLogger("motcua.loud").warning("clock skew")
    assert "clock skew" in capsys.readouterr().err


def test_unwritable_log_folder_falls_back_to_stderr(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert setup_logging(blocker / "logs") is None
    logging.getLogger("motcua.test").warning("still works")


@pytest.fixture(autouse=True)
def _restore_logging():
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        if h not in before:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)
