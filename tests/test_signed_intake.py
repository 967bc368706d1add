"""Every dossier is signed before it is committed; `verify` finds any changed byte; an outside
party checks the exported evidence with openssl alone."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

import pytest
from signing_fixtures import PIN, TOKEN_LABEL, demo_pki, needs_softhsm, softhsm  # noqa: F401

from app import intake, signatures
from app.domain import VN_TZ
from signing.errors import SigningError
from signing.signer import P12Signer
from tests.helpers import (
    bind_demo_certificates,
    counts,
    demo_signer,
    dossier_json,
    make_counter,
    motcua,
    shared_pki,
)

MON_10 = datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)


def _receive(counter, signer, **over):
    return intake.receive(counter, intake.parse_request(dossier_json(**over)), clerk="lan",
                          signer=signer, now=MON_10)


def _tamper(counter, sql, params=()):
    """Change the store behind the app's back (as with the sqlite3 shell)."""
    c = counter.store.conn
    c.execute("DROP TRIGGER IF EXISTS events_append_only")
    c.execute(sql, params)


def test_signed_dossier_verifies_and_exports_for_openssl(counter, tmp_path):
    with demo_signer("clerk1", counter) as rsa, demo_signer("clerk2", counter) as ec:
        a = _receive(counter, rsa)
        b = _receive(counter, ec)
    body = json.loads(counter.store.query("SELECT payload FROM events LIMIT 1")[0]["payload"])
    assert body["signer"]["subject"] and len(body["signer"]["sha256"]) == 64
    report = signatures.verify_store(counter)
    assert report.problems == [] and report.signatures == 2
    for d in (a, b):
        files = signatures.export_dossier(counter, d["code"], tmp_path)
        folder = files[0].parent
        out = subprocess.run(
            ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "01-received.p7s",
             "-content", "01-received.json", "-CAfile", "root.pem", "-purpose", "any",
             "-out", "/dev/null"], cwd=folder, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert "Verification successful" in out.stderr
        assert "openssl cms -verify" in (folder / "VERIFY.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("what", "sql"), [
    ("payload byte", "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'Hương', 'Huong') AS BLOB)"),
    # the 10th byte from the end becomes another value (00, or 01 when it already was 00)
    ("signature byte", "UPDATE events SET signature = substr(signature, 1, length(signature) - 10) "
                       "|| CASE WHEN substr(signature, length(signature) - 9, 1) = x'00' "
                       "THEN x'01' ELSE x'00' END || substr(signature, length(signature) - 8)"),
    ("dossier name", "UPDATE dossiers SET applicant_name = 'Đặng Thị Hường'"),
    ("appointment", "UPDATE dossiers SET appointment_at = '2026-11-30T10:00:00+07:00'"),
    ("dossier data", "UPDATE dossiers SET data = replace(data, '079190000123', '079190000124')"),
    ("status", "UPDATE dossiers SET status = 10"),
    ("attachment row", "INSERT INTO attachments SELECT id, 'ab' || substr(id, 3), 'x.pdf', "
                       "'application/pdf', 1 FROM dossiers"),
    ("event time", "UPDATE events SET occurred_at = '2026-11-22T10:00:00+07:00'"),
])
def test_any_changed_byte_is_found(counter, what, sql):
    with demo_signer("clerk1", counter) as s:
        good = _receive(counter, s)
        bad = _receive(counter, s)
    _tamper(counter, sql + " WHERE " + ("dossier_id" if "events" in sql.split()[1] else
                                        "id" if "attachments" not in sql else "id") + " = ?"
            if "INSERT" not in sql else sql + " WHERE code = ?",
            (counter.store.query("SELECT id FROM dossiers WHERE code = ?", (bad["code"],))[0]["id"]
             if "INSERT" not in sql else bad["code"],))
    report = signatures.verify_store(counter)
    assert report.bad_dossiers == [bad["code"]], (what, report.problems)
    assert good["code"] not in report.bad_dossiers


def test_swapped_certificate_is_found(counter):
    """Re-sign the exact bytes with a key from outside the trusted hierarchy."""
    with demo_signer("clerk1", counter) as s:
        d = _receive(counter, s)
    payload = counter.store.query("SELECT payload FROM events")[0]["payload"]
    with P12Signer.open(shared_pki().clerk("untrusted").p12, "demo") as other:
        forged = other.sign(bytes(payload))
    _tamper(counter, "UPDATE events SET signature = ?", (forged,))
    report = signatures.verify_store(counter)
    assert report.bad_dossiers == [d["code"]]
    assert report.problems[0]["problem"] == "untrusted"


@pytest.mark.parametrize(("clerk", "code", "vi"), [
    ("expired", "cert_expired", "hết hạn"),
    ("notyet", "cert_not_yet_valid", "chưa"),
    ("wrong_usage", "key_usage", ""),
    ("untrusted", "untrusted_issuer", ""),
    ("clerk3", "revoked", "thu hồi"),
])
def test_signing_failures_write_nothing(counter, clerk, code, vi):
    req = intake.parse_request(dossier_json())
    with pytest.raises(SigningError) as err, demo_signer(clerk, counter) as s:
        intake.receive(counter, req, clerk="lan", signer=s, now=MON_10)
    assert err.value.code == code
    assert vi in err.value.message("vi")
    assert counts(counter) == {"dossiers": 0, "events": 0, "outbox": 0, "attachments": 0}
    assert counter.store.scalar("SELECT count(*) FROM code_sequences") == 0
    # the form data is intact: the same request goes through with a good key, and the refused
    # attempt took no number (the day's first dossier is 0001: no gap for verify to report)
    with demo_signer("clerk1", counter) as s:
        assert intake.receive(counter, req, clerk="lan", signer=s,
                              now=MON_10)["code"].endswith("-010001")


def test_cli_wrong_password_and_expiry_warning(data_dir, tmp_path):
    make_counter(data_dir).close()
    f = tmp_path / "d.json"
    f.write_text(json.dumps(dossier_json(), ensure_ascii=False), encoding="utf-8")
    pki = shared_pki()
    r = motcua("intake", "--file", str(f), "--p12", str(pki.clerk("clerk1").p12), "--secret-env",
               "PW", data_dir=data_dir, env={"PW": "wrong"})
    assert r.returncode == 2 and "mật khẩu" in r.stderr.lower()
    r = motcua("intake", "--file", str(f), data_dir=data_dir)
    assert r.returncode == 2 and "--p12" in r.stderr
    r = motcua("intake", "--file", str(f), "--p12", str(pki.clerk("expiring").p12), "--secret-env",
               "PW", data_dir=data_dir, env={"PW": "demo"})
    assert r.returncode == 0, r.stderr
    assert "hết hạn sau" in r.stderr
    assert motcua("verify", data_dir=data_dir).returncode == 0
    r = motcua("verify", "--json", "--p12", str(pki.clerk("clerk1").p12), "--secret-env", "PW",
               data_dir=data_dir, env={"PW": "demo"})
    assert r.returncode == 0 and json.loads(r.stdout)["key"]["ok"] is True
    r = motcua("verify", "--p12", str(pki.clerk("clerk3").p12), "--secret-env", "PW",
               data_dir=data_dir, env={"PW": "demo"})
    assert r.returncode == 2 and "thu hồi" in r.stderr


@needs_softhsm
def test_token_signed_intake_and_wrong_pin(data_dir, tmp_path, softhsm, demo_pki):  # noqa: F811
    c = make_counter(data_dir)
    bind_demo_certificates(c, "lan", demo_pki)  # the token holds this PKI's clerk1 key
    c.close()
    for pem in (demo_pki.root_pem, demo_pki.subca_pem):  # the hierarchy of the token's key
        assert motcua("trust", "add", str(pem), data_dir=data_dir).returncode == 0
    f = tmp_path / "d.json"
    f.write_text(json.dumps(dossier_json(), ensure_ascii=False), encoding="utf-8")
    args = ("intake", "--file", str(f), "--pkcs11-module", softhsm["module"], "--token-label",
            TOKEN_LABEL, "--key-label", "clerk1", "--secret-env", "PIN")
    r = motcua(*args, data_dir=data_dir, env={"PIN": "000000"})
    assert r.returncode == 2 and "PIN" in r.stderr
    r = motcua(*args, data_dir=data_dir, env={"PIN": PIN})
    assert r.returncode == 0, r.stderr
    code = json.loads(r.stdout)["code"]
    r = motcua("verify", "--json", data_dir=data_dir)
    assert r.returncode == 0 and json.loads(r.stdout)["signatures"] == 1
    r = motcua("export", code, "--out", str(tmp_path / "ev"), data_dir=data_dir)
    folder = tmp_path / "ev" / code
    out = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                          "01-received.p7s", "-content", "01-received.json", "-CAfile", "root.pem",
                          "-purpose", "any", "-out", "/dev/null"], cwd=folder, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr


def test_verify_one_dossier(counter):
    with demo_signer("clerk1", counter) as s:
        good = _receive(counter, s)
        bad = _receive(counter, s)
    _tamper(counter, "UPDATE dossiers SET phone = '0999999999' WHERE code = ?", (bad["code"],))
    assert signatures.verify_dossier(counter, good["code"]).problems == []
    one = signatures.verify_dossier(counter, bad["code"])
    assert one.dossiers == 1 and [p["problem"] for p in one.problems] == ["row_mismatch"]
