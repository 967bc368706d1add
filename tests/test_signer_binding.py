"""Signer binding: an administrator binds certificates to clerk accounts; intake and actions
refuse any other certificate; verify names a signature made with a certificate that is not the
one in the signed bytes, or that was not bound to the clerk when it signed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from app import accounts, binding, intake
from app.errors import UserError
from app.signatures import verify_store
from signing.cms import CmsTemplate
from signing.verify import verify_detached
from tests.helpers import (
    PASSWORD,
    counts,
    demo_signer,
    dossier_json,
    make_counter,
    motcua,
    shared_pki,
)

ADMIN_PW = "mat-khau-quan-tri"


@pytest.fixture
def counter(tmp_path):
    c = make_counter(tmp_path / "c", clerk="lan")
    accounts.add_user(c.store, "hoa", "Trần Thị Hoa", "clerk", PASSWORD)  # nothing bound yet
    accounts.add_user(c.store, "quantri", "Quản Trị Viên", "administrator", ADMIN_PW)
    yield c
    c.close()


def _receive(counter, signer, clerk):
    return intake.receive(counter, intake.parse_request(dossier_json()), clerk=clerk,
                          signer=signer)


def test_unbound_account_and_foreign_certificate_are_refused(counter):
    before = counts(counter)
    with demo_signer("clerk1", counter) as s, pytest.raises(UserError) as e:
        _receive(counter, s, "hoa")
    assert e.value.code == "not_bound" and "motcua user bind-cert hoa" in e.value.vi
    assert counts(counter) == before  # nothing written, no number used
    pki = shared_pki()
    binding.bind_certificate(counter.store, "hoa", pki.clerk("clerk2").cert, admin="quantri",
                             admin_password=ADMIN_PW)
    with demo_signer("clerk1", counter) as s, pytest.raises(UserError) as e:
        _receive(counter, s, "hoa")  # clerk1's certificate is lan's, not hoa's
    assert e.value.code == "not_bound" and "không được gắn cho tài khoản 'hoa'" in e.value.vi
    assert "is not bound to account 'hoa'" in e.value.en
    with demo_signer("clerk2", counter) as s:
        saved = _receive(counter, s, "hoa")
        binding.check_signer(counter.store, "hoa", s)  # what key unlock calls
    assert saved["clerk"] == "hoa"
    # the two refusals came before any number was taken: the first dossier of the day is 0001,
    # so verify finds no gap in the day's numbering (no false "deleted dossier?" alarm)
    assert saved["code"].endswith("-010001"), saved["code"]


def test_binding_needs_an_administrator_and_is_audited(counter):
    cert = shared_pki().clerk("clerk2").cert
    with pytest.raises(UserError) as e:
        binding.bind_certificate(counter.store, "hoa", cert, admin="quantri",
                                 admin_password="sai-mat-khau")
    assert e.value.code == "bad_login"
    with pytest.raises(UserError) as e:
        binding.bind_certificate(counter.store, "hoa", cert, admin="lan", admin_password=PASSWORD)
    assert e.value.code == "not_admin"
    assert binding.bindings(counter.store, "hoa") == []
    done = binding.bind_certificate(counter.store, "hoa", cert, admin="quantri",
                                    admin_password=ADMIN_PW)
    assert done["sha256"] == cert.fingerprint(hashes.SHA256()).hex() and not done["already"]
    again = binding.bind_certificate(counter.store, "hoa", cert, admin="quantri",
                                     admin_password=ADMIN_PW)
    assert again["already"] and len(binding.bindings(counter.store, "hoa")) == 1
    rows = counter.store.query("SELECT actor, action, subject, detail FROM audit "
                               "WHERE action LIKE 'user.%cert' AND subject = 'hoa' ORDER BY seq")
    assert [(r["actor"], r["action"], r["subject"]) for r in rows] == [
        ("quantri", "user.bind_cert", "hoa")]
    assert json.loads(rows[0]["detail"])["sha256"] == done["sha256"]
    # a CA certificate is never bound
    with pytest.raises(Exception) as e2:
        binding.bind_certificate(counter.store, "hoa", shared_pki().subca, admin="quantri",
                                 admin_password=ADMIN_PW)
    assert getattr(e2.value, "code", "") == "ca_certificate"


def test_unbind_stops_new_signatures_keeps_old_ones(counter):
    pki = shared_pki()
    fp = pki.clerk("clerk2").cert.fingerprint(hashes.SHA256()).hex()
    binding.bind_certificate(counter.store, "hoa", pki.clerk("clerk2").cert, admin="quantri",
                             admin_password=ADMIN_PW)
    with demo_signer("clerk2", counter) as s:
        _receive(counter, s, "hoa")
    ended = binding.unbind_certificate(counter.store, "hoa", fp[:10], admin="quantri",
                                       admin_password=ADMIN_PW)
    assert ended["unbound_by"] == "quantri"
    with demo_signer("clerk2", counter) as s, pytest.raises(UserError):
        _receive(counter, s, "hoa")
    assert verify_store(counter).problems == []
    hist = binding.bindings(counter.store, "hoa")
    assert len(hist) == 1 and hist[0]["unbound_at"] is not None
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError):  # history is append-only
        counter.store.conn.execute("DELETE FROM user_certs")


def test_verify_names_a_signature_swapped_for_another_clerks(counter):
    """clerk2's valid signature over bytes that name clerk1 as the signer."""
    with demo_signer("clerk1", counter) as s:
        d = _receive(counter, s, "lan")
    row = counter.store.query("SELECT id, payload FROM events WHERE dossier_id = ?", (d["id"],))[0]
    with demo_signer("clerk2") as other:
        forged = other.sign(bytes(row["payload"]))
    conn = counter.store.conn
    conn.execute("DROP TRIGGER events_append_only")  # as anyone with the file can
    conn.execute("UPDATE events SET signature = ? WHERE id = ?", (forged, row["id"]))
    problems = [p for p in verify_store(counter).problems if p["problem"] != "trigger_missing"]
    assert [p["problem"] for p in problems] == ["signer_mismatch"]
    assert d["code"] == problems[0]["code"]


def _v2_result(trust, cert, key, signed_at, data=b"v2 body"):
    pki = shared_pki()
    sign = ((lambda t: key.sign(t, ec.ECDSA(hashes.SHA256())))
            if isinstance(key, ec.EllipticCurvePrivateKey)
            else (lambda t: key.sign(t, padding.PKCS1v15(), hashes.SHA256())))
    algo = "ecdsa" if isinstance(key, ec.EllipticCurvePrivateKey) else "rsassa_pkcs1v15"
    sig = CmsTemplate(cert, [pki.subca], algo).sign(data, sign, signing_time=signed_at)
    return verify_detached(data, sig, trust)


def test_v2_events_need_a_binding_at_signing_time(counter):
    from app.trust import load_trust

    trust = load_trust(counter.settings)
    pki = shared_pki()
    c2 = pki.clerk("clerk2")
    body = {"v": 2, "actor": "hoa", "signer": {"sha256": c2.cert.fingerprint(hashes.SHA256()).hex()}}
    now = datetime.now(UTC)
    before = _v2_result(trust, c2.cert, c2.key, now - timedelta(hours=1))
    assert before.ok
    conn = counter.store.conn
    # an account that never had any binding: a warning, not a failure (upgraded stores)
    assert binding.binding_problem(conn, body, before)[0] == "clerk_never_bound"
    binding.bind_certificate(counter.store, "hoa", c2.cert, admin="quantri",
                             admin_password=ADMIN_PW)
    problem = binding.binding_problem(conn, body, before)  # signed before the binding
    assert problem[0] == "not_bound" and "'hoa'" in problem[1]
    after = _v2_result(trust, c2.cert, c2.key, datetime.now(UTC) + timedelta(seconds=1))
    assert binding.binding_problem(conn, body, after) is None
    # another clerk's account, with its own certificate: clerk2's is not bound to *that* clerk
    accounts.add_user(counter.store, "tuan", "Lê Văn Tuấn", "clerk", PASSWORD)
    binding.bind_certificate_at_setup(counter.store, "tuan", pki.clerk("clerk1").cert)
    assert binding.binding_problem(conn, {**body, "actor": "tuan"}, after)[0] == "not_bound"
    # v1 events keep verifying as before (only the signer-in-bytes check applies)
    assert binding.binding_problem(conn, {**body, "v": 1}, before) is None


def test_command_line_bind_list_unbind(tmp_path):
    data = tmp_path / "c"
    c = make_counter(data, clerk="lan")
    accounts.add_user(c.store, "hoa", "Trần Thị Hoa", "clerk", PASSWORD)
    accounts.add_user(c.store, "quantri", "Quản Trị Viên", "administrator", ADMIN_PW)
    c.close()
    p12 = str(shared_pki().clerk("clerk2").p12)
    env = {"ADMIN_PW": ADMIN_PW, "P12": "demo"}
    r = motcua("user", "bind-cert", "hoa", "--p12", p12, "--secret-env", "P12", "--admin",
               "quantri", "--admin-password-env", "ADMIN_PW", data_dir=data, env=env)
    assert r.returncode == 0, r.stderr
    fp = json.loads(r.stdout)["sha256"]
    listed = json.loads(motcua("user", "certs", "hoa", data_dir=data).stdout)
    assert [b["sha256"] for b in listed] == [fp] and listed[0]["bound_by"] == "quantri"
    f = tmp_path / "d.json"
    f.write_text(json.dumps(dossier_json(), ensure_ascii=False), encoding="utf-8")
    r = motcua("intake", "--file", str(f), "--p12", p12, "--secret-env", "P12", "--clerk", "hoa",
               data_dir=data, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["clerk"] == "hoa"
    r = motcua("user", "unbind-cert", "hoa", fp[:12], "--admin", "quantri",
               "--admin-password-env", "ADMIN_PW", data_dir=data, env=env)
    assert r.returncode == 0, r.stderr
    r = motcua("intake", "--file", str(f), "--p12", p12, "--secret-env", "P12", "--clerk", "hoa",
               data_dir=data, env=env)
    assert r.returncode == 2 and "chưa được gắn chứng thư" in r.stderr
    r = motcua("user", "bind-cert", "hoa", str(shared_pki().clerk("clerk2").cert_pem),
               "--admin", "quantri", "--admin-password-env", "ADMIN_PW", data_dir=data,
               env={"ADMIN_PW": "sai"})
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_demo_binds_its_key(tmp_path):
    from app import demo
    from app.context import open_counter
    from app.settings import Settings

    d = demo.prepare(tmp_path / "demo")
    assert len(d.codes) >= 4  # the samples were signed by the bound demo key
    with open_counter(Settings(data_dir=tmp_path / "demo")) as c:
        owners = {b["username"] for b in binding.bindings(c.store)}
        assert owners == {demo.DEMO_USER, "lan"}
        assert verify_store(c).problems == []
    demo.prepare(tmp_path / "demo")  # idempotent on a kept folder


def test_a_binding_written_or_reopened_in_the_file_is_named_by_verify(counter):
    """The attack: who may sign is decided by `user_certs`, a table in the file. A binding
    inserted by hand (no `user.bind_cert` audit row) and an unbinding undone by hand (the
    `user.unbind_cert` row stays) are each named by `verify`, in both languages, exit 1."""
    import sqlite3

    pki = shared_pki()
    with demo_signer("clerk1", counter) as s:
        _receive(counter, s, "lan")
    data = counter.settings.data_dir
    assert motcua("verify", data_dir=data).returncode == 0
    c2 = pki.clerk("clerk2").cert
    fp2 = c2.fingerprint(hashes.SHA256()).hex()
    raw = sqlite3.connect(counter.store.path, isolation_level=None)
    raw.execute("INSERT INTO user_certs (username, sha256, subject, serial, not_after, bound_at, "
                "bound_by) VALUES ('hoa', ?, 'CN=clerk2', '01', '2099-01-01T00:00:00+00:00', "
                "'2026-11-20T08:00:00+07:00', 'quantri')", (fp2,))
    vi = motcua("verify", data_dir=data)
    en = motcua("verify", data_dir=data, lang="en")
    assert vi.returncode == en.returncode == 1
    assert (f"kho dữ liệu: chứng thư gắn với tài khoản khác với nhật ký (bị thêm, gỡ hoặc mở lại "
            f"trong tệp?) — tài khoản 'hoa', chứng thư SHA-256 {fp2[:16]}…") in vi.stdout
    assert vi.stdout.strip().endswith("1 vấn đề của kho: chứng thư gắn với tài khoản không khớp "
                                      "nhật ký.")
    assert f"account 'hoa', certificate SHA-256 {fp2[:16]}…" in en.stdout
    # the honest way: bound and unbound by an administrator (audited) — then re-opened by hand
    from localdb.crosscheck import expected_triggers

    raw.execute("DROP TRIGGER user_certs_no_delete")
    raw.execute("DELETE FROM user_certs WHERE username = 'hoa'")
    raw.execute(expected_triggers()["user_certs_no_delete"])
    raw.close()
    binding.bind_certificate(counter.store, "hoa", c2, admin="quantri", admin_password=ADMIN_PW)
    binding.unbind_certificate(counter.store, "hoa", fp2[:10], admin="quantri",
                               admin_password=ADMIN_PW)
    assert motcua("verify", data_dir=data).returncode == 0
    raw = sqlite3.connect(counter.store.path, isolation_level=None)
    raw.execute("DROP TRIGGER user_certs_unbind_once")
    raw.execute("UPDATE user_certs SET unbound_at = NULL, unbound_by = NULL WHERE username = 'hoa'")
    raw.execute(expected_triggers()["user_certs_unbind_once"])
    raw.close()
    vi = motcua("verify", data_dir=data)
    assert vi.returncode == 1 and f"tài khoản 'hoa', chứng thư SHA-256 {fp2[:16]}…" in vi.stdout
