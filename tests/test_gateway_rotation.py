"""Rotating the gateway's signing certificate by a signed announcement (issue 10, item 1).

Real parts: the real gateway on 127.0.0.1 (real CMS verifier, SQLite, its TSA), a second
gateway certificate made under the demo PKI's sub-CA, real counters (SQLite files), the real
`motcua` command line for the administrator's path."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app import accounts, intake, signatures, sync_service
from app.rotation import pinned_certificates
from signing.demo_pki import issue_gateway_signer
from signing.signer import P12Signer
from signing.tsa import TimeStampAuthority
from sync.engine import EngineConfig
from sync.gateway import GatewayConfig, create_app
from sync.gateway.rotation import ROTATIONS_DIR
from sync.gateway.server import GatewayServer
from sync.gateway.store import open_store
from sync.rotation import make_announcement, sha256_of
from tests.helpers import (
    P12_PASSWORD,
    demo_signer,
    dossier_json,
    gateway_signer,
    make_counter,
    motcua,
    shared_pki,
)
from tests.sync_support import ADMIN_TOKEN, enrol, real_verifier

FAST = EngineConfig(backoff_base=0.01, backoff_cap=0.1)
ADMIN_PW = "quan-tri-Mật-khẩu-1"


def _gateway(data_dir: Path, *, next_signer=None, next_from=None, store=None):
    """The reference gateway in a thread: real verifier, the demo gateway certificate as the
    current signing key, its TSA, optionally a rotation."""
    pki = shared_pki()
    store = store or open_store(None, data_dir)
    app = create_app(GatewayConfig(
        data_dir=data_dir, verifier=real_verifier(), admin_token=ADMIN_TOKEN, store=store,
        signer=gateway_signer(), next_signer=next_signer, next_signing_from=next_from,
        tsa=TimeStampAuthority.from_files(pki.tsa_pem, pki.tsa_key_pem)))
    return GatewayServer(app).start(), store


def _act(url: str, code: str, action: str) -> dict:
    import requests

    resp = requests.post(f"{url}/api/v1/province/act", json={"dossier_code": code,
                                                             "action": action},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)
    assert resp.status_code == 201, resp.text
    return resp.json()["event"]


def _signer_sha(event: dict) -> str:
    return json.loads(base64.b64decode(event["payload"]))["signer"]["sha256"]


def _sync(counter):
    r = sync_service.sync_once(counter, FAST)
    assert r.error is None, r.error
    return r


def _receive(counter) -> str:
    with demo_signer("clerk1") as s:
        return intake.receive(counter, intake.parse_request(dossier_json(), ()), clerk="lan",
                              signer=s)["code"]


def _meta(counter, key: str):
    return counter.store.scalar("SELECT value FROM meta WHERE key = ?", (key,))


def _audit(counter, action: str) -> list[dict]:
    return [json.loads(d) for (d,) in counter.store.conn.execute(
        "SELECT detail FROM audit WHERE action = ? ORDER BY seq", (action,))]


def _wait_until(moment: datetime) -> None:
    deadline = time.monotonic() + 30
    while datetime.now(UTC) < moment:
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.fixture(scope="module")
def new_gateway(tmp_path_factory):
    """A second gateway signing certificate under the demo sub-CA (the new one)."""
    pki = shared_pki()
    made = issue_gateway_signer(pki, tmp_path_factory.mktemp("gw2"), name="gateway2",
                                password=P12_PASSWORD)
    return made


def _open(made) -> P12Signer:
    return P12Signer.open(made.p12, P12_PASSWORD)


def test_rotation_end_to_end(tmp_path, new_gateway):
    """Announced ahead, pinned during sync because the OLD pinned key signed it; province
    events before the effective time (old key) and after it (new key) both verify, both carry
    the gateway's RFC 3161 time-stamp, and `verify` is clean."""
    old_sha = shared_pki().gateway.cert.fingerprint(hashes.SHA256()).hex()
    new_sha = sha256_of(new_gateway.cert)
    counter = make_counter(tmp_path / "c1")
    code = _receive(counter)
    # room for the steps before the switch on a busy machine (the test waits for it below)
    effective = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    server, gstore = _gateway(tmp_path / "gw", next_signer=_open(new_gateway),
                              next_from=effective)
    try:
        enrol(counter, gstore, server.url)  # pins the OLD certificate (enrolment line)
        r = _sync(counter)  # the pull answer names the announced certificate: learnt ahead
        assert r.rotations_applied == 1 and r.refused == 0, r.to_json()
        before = _act(server.url, code, "processing")
        assert _signer_sha(before) == old_sha  # the new key does not sign before its time
        r = _sync(counter)
        assert r.applied == 1 and r.refused == 0 and r.rotations_applied == 0, r.to_json()
        pins = _meta(counter, "gateway_signing_sha256").split(",")
        assert pins == [old_sha, new_sha]  # the old pin stays: earlier events keep verifying
        [row] = _audit(counter, "gateway.pin_rotated")
        assert row["previous"] == old_sha and row["next"] == new_sha
        assert row["effective_at"] == effective.astimezone(
            datetime.fromisoformat(row["effective_at"]).tzinfo).isoformat()

        _wait_until(effective)
        after = _act(server.url, code, "result-ready")
        assert _signer_sha(after) == new_sha
        r = _sync(counter)
        assert r.applied == 1 and r.refused == 0 and r.rotations_applied == 0, r.to_json()
        # both province events are stored with the gateway's time-stamp token
        tsts = dict(counter.store.conn.execute(
            "SELECT id, tst FROM events WHERE origin = 'province'").fetchall())
        assert set(tsts) == {before["id"], after["id"]} and all(tsts.values())
        report = signatures.verify_store(counter)
        assert report.problems == [], report.problems
        assert report.timestamped >= 3  # the clerk's event and both province events

        # a second round changes nothing (the gateway keeps serving the announcement)
        audit_rows = counter.store.scalar("SELECT count(*) FROM audit")
        r = _sync(counter)
        assert r.rotations_applied == 0 and not r.rotations_refused
        assert counter.store.scalar("SELECT count(*) FROM audit") == audit_rows

        # sync status and trust list say which certificate is in use
        out = motcua("sync", "status", data_dir=tmp_path / "c1")
        assert out.returncode == 0, out.stderr
        assert f"{new_sha[:16]}… (đang dùng; ghim theo thông báo có chữ ký" in out.stdout
        assert f"{old_sha[:16]}… (đã thay thế từ" in out.stdout
        out = motcua("trust", "list", "--json", data_dir=tmp_path / "c1")
        pins_json = json.loads(out.stdout)["gateway_pins"]
        assert [(p["sha256"], p["current"], p["via"]) for p in pins_json] == [
            (old_sha, False, "enrolment"), (new_sha, True, "announcement")]

        # a counter enrolled later pins the gateway's current certificate directly
        late = make_counter(tmp_path / "c2", counter_no=2)
        enrol(late, gstore, server.url, gateway_cert_sha256=new_sha)
        _sync(late)
        assert _meta(late, "gateway_signing_sha256") == new_sha
    finally:
        server.stop()
        gstore.close()


def _self_signed_signer(tmp_path: Path) -> P12Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cổng tỉnh GIẢ (self-signed)")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(key, hashes.SHA256()))
    path = tmp_path / "fake.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"fake", key, cert, None, serialization.BestAvailableEncryption(b"demo")))
    return P12Signer.open(path, "demo")


def _publish(data_dir: Path, ann, name: str) -> None:
    folder = data_dir / ROTATIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(ann.to_json()), encoding="utf-8")


@pytest.mark.parametrize("kind", ["clerk_key", "clerk_names_gateway", "self_signed",
                                  "unpinned_gateway", "untrusted_next"])
def test_forged_announcement_is_refused_and_changes_nothing(tmp_path, new_gateway, kind):
    """Served by the gateway itself (as a compromised or misconfigured one would): refused,
    logged, audited once, counted in `sync status` in words; pins and meta unchanged."""
    pki = shared_pki()
    old_sha = pki.gateway.cert.fingerprint(hashes.SHA256()).hex()
    later = datetime.now(UTC) + timedelta(hours=1)
    third = issue_gateway_signer(pki, tmp_path / "gw3", name="gateway3", password=P12_PASSWORD)
    with demo_signer("clerk1") as clerk, _open(new_gateway) as new, _open(third) as other, \
            gateway_signer() as old:
        if kind == "clerk_key":  # a clerk's valid key announces itself as the replaced one
            ann, code = make_announcement(clerk, new.certificate, later), \
                "rotation_unpinned_signer"
        elif kind == "clerk_names_gateway":  # a clerk signs bytes that name the gateway
            good = make_announcement(old, new.certificate, later)
            ann = make_announcement(clerk, new.certificate, later)
            ann = type(ann)(good.payload, clerk.sign(good.payload), *list(vars(good).values())[2:])
            code = "rotation_bad_signature"
        elif kind == "self_signed":
            ann, code = make_announcement(_self_signed_signer(tmp_path), new.certificate,
                                          later), "rotation_bad_signature"
        elif kind == "unpinned_gateway":  # a genuine gateway-like certificate, never pinned
            ann, code = make_announcement(other, new.certificate, later), \
                "rotation_unpinned_signer"
        else:  # the pinned key announces a certificate from another hierarchy
            ann, code = make_announcement(old, pki.clerk("untrusted").cert, later), \
                "rotation_untrusted_certificate"
    _publish(tmp_path / "gw", ann, "forged")
    server, gstore = _gateway(tmp_path / "gw")
    try:
        counter = make_counter(tmp_path / "c1")
        enrol(counter, gstore, server.url)
        meta_before = dict(counter.store.conn.execute("SELECT key, value FROM meta "
                                                      "WHERE key LIKE 'gateway%'").fetchall())
        r = _sync(counter)
        assert r.rotations_refused == {code: 1} and r.rotations_applied == 0, r.to_json()
        meta_after = dict(counter.store.conn.execute("SELECT key, value FROM meta "
                                                     "WHERE key LIKE 'gateway%'").fetchall())
        assert meta_after == meta_before
        assert _meta(counter, "gateway_signing_sha256") == old_sha
        [row] = _audit(counter, "gateway.rotation_refused")
        assert row["reason"] == code and row["announcement"] == ann.digest
        # served again next round: still refused, not audited again
        r = _sync(counter)
        assert r.rotations_refused == {code: 1}
        assert len(_audit(counter, "gateway.rotation_refused")) == 1
        out = motcua("sync", "once", data_dir=tmp_path / "c1")
        assert "Thông báo đổi chứng thư ký của cổng tỉnh bị từ chối (không ghim): 1" in \
            out.stderr, out.stderr
        out = motcua("sync", "status", data_dir=tmp_path / "c1")
        assert "thông báo đổi chứng thư ký của cổng tỉnh bị từ chối" in out.stdout, out.stdout
        assert f"({code})" in out.stdout
        out = motcua("sync", "status", data_dir=tmp_path / "c1", lang="en")
        assert "gateway signing-certificate announcements refused" in out.stdout, out.stdout
        assert signatures.verify_store(counter).problems == []
    finally:
        server.stop()
        gstore.close()


def test_replayed_announcement_is_refused(tmp_path, new_gateway):
    """After A -> B, an announcement signed by A (the replaced key: stolen, or an old file
    served again) cannot move the counter anywhere else."""
    from app.rotation import apply_announcements

    pki = shared_pki()
    old_sha = pki.gateway.cert.fingerprint(hashes.SHA256()).hex()
    new_sha = sha256_of(new_gateway.cert)
    third = issue_gateway_signer(pki, tmp_path / "gw3", name="gateway3", password=P12_PASSWORD)
    now = datetime.now(UTC).replace(microsecond=0)
    with gateway_signer() as old:
        earlier = make_announcement(old, third.cert, now - timedelta(hours=2))
        rotation = make_announcement(old, new_gateway.cert, now - timedelta(hours=1))
        later = make_announcement(old, third.cert, now + timedelta(hours=1))
    counter = make_counter(tmp_path / "c1")
    sync_service.pin_gateway_certificate(counter, old_sha)
    out = apply_announcements(counter, [rotation.to_json()])
    assert [a["next"] for a in out.applied] == [new_sha] and not out.refused
    for replay in (earlier, later):
        out = apply_announcements(counter, [replay.to_json()])
        assert [r["code"] for r in out.refused] == ["rotation_replay"] and not out.applied
    assert _meta(counter, "gateway_signing_sha256") == f"{old_sha},{new_sha}"
    # the same announcement again: already applied, nothing said, nothing changed
    rows = counter.store.scalar("SELECT count(*) FROM audit")
    out = apply_announcements(counter, [rotation.to_json()])
    assert not out.applied and not out.refused
    assert counter.store.scalar("SELECT count(*) FROM audit") == rows
    # garbage is refused in words, not a crash
    out = apply_announcements(counter, [{"payload": "!!", "signature": ""}])
    assert [r["code"] for r in out.refused] == ["rotation_malformed"]


def test_announcement_that_would_invalidate_accepted_events_is_refused(tmp_path, new_gateway):
    """An effective time in the past, before province events the old key signed and this
    counter accepted, would turn them into `verify` failures: refused, nothing changed."""
    from app import evidence, remote
    from app.rotation import apply_announcements
    from sync.wire import province_event

    old_sha = shared_pki().gateway.cert.fingerprint(hashes.SHA256()).hex()
    counter = make_counter(tmp_path / "c1")
    sync_service.pin_gateway_certificate(counter, old_sha)
    code = _receive(counter)
    did = counter.store.scalar("SELECT id FROM dossiers WHERE code = ?", (code,))
    with gateway_signer() as old:
        ev = province_event(dossier_id=did, dossier_code=code, event_type="processing",
                            dossier_prev=evidence.dossier_head(counter.store.conn, did),
                            signer=old)
        assert remote.apply_signed_events(counter, [ev]).applied == 1
        ann = make_announcement(old, new_gateway.cert, datetime.now(UTC) - timedelta(hours=1))
    out = apply_announcements(counter, [ann.to_json()])
    assert [r["code"] for r in out.refused] == ["rotation_conflict"] and not out.applied
    assert code in out.refused[0]["detail"]
    assert _meta(counter, "gateway_signing_sha256") == old_sha
    assert signatures.verify_store(counter).problems == []


def test_administrator_pins_a_new_certificate_after_a_compromise(tmp_path, new_gateway):
    """The province's letter gives the new fingerprint: only an administrator (password
    checked) pins it; from then on the old key's signatures fail `verify` and are refused at
    pull, while its earlier events stay valid."""
    from app import evidence, remote
    from sync.wire import WireEvent, province_event

    pki = shared_pki()
    old_sha = pki.gateway.cert.fingerprint(hashes.SHA256()).hex()
    new_sha = sha256_of(new_gateway.cert)
    data = tmp_path / "c1"
    counter = make_counter(data)
    accounts.add_user(counter.store, "quantri", "Trần Văn Quản", "administrator", ADMIN_PW)
    sync_service.pin_gateway_certificate(counter, old_sha)
    code = _receive(counter)
    d = counter.store.conn.execute("SELECT id FROM dossiers WHERE code = ?", (code,)).fetchone()

    def gateway_event(signer, etype: str) -> WireEvent:
        with counter.store._lock:
            prev = evidence.dossier_head(counter.store.conn, d[0])
        return province_event(dossier_id=d[0], dossier_code=code, event_type=etype, note="",
                              dossier_prev=prev, signer=signer)

    with gateway_signer() as old:
        stats = remote.apply_signed_events(counter, [gateway_event(old, "processing")])
    assert stats.applied == 1
    counter.close()

    env = {"ADMIN_PW": ADMIN_PW, "WRONG": "sai-mat-khau"}
    pem = tmp_path / "new.pem"
    pem.write_bytes(new_gateway.cert.public_bytes(serialization.Encoding.PEM))
    refused = [
        (["--admin", "quantri", "--admin-password-env", "WRONG"], "Sai tên đăng nhập"),
        (["--admin", "lan", "--admin-password-env", "ADMIN_PW"], "Sai tên đăng nhập"),
        (["--admin", "quantri", "--admin-password-env", "ADMIN_PW", "--cert",
          str(pki.clerk("clerk1").cert_pem)], "không có dấu vân tay"),
    ]
    for extra, words in refused:
        out = motcua("gateway-pin", "add", new_sha, *extra, data_dir=data, env=env)
        assert out.returncode != 0 and words in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    out = motcua("gateway-pin", "add", "abc", "--admin", "quantri", "--admin-password-env",
                 "ADMIN_PW", data_dir=data, env=env, lang="en")
    assert out.returncode == 2 and "fingerprint is invalid" in out.stderr
    counter = make_counter(data)
    assert _meta(counter, "gateway_signing_sha256") == old_sha  # nothing changed
    assert _audit(counter, "gateway.pin_added") == []
    counter.close()

    out = motcua("gateway-pin", "add", new_sha, "--cert", str(pem), "--admin", "quantri",
                 "--admin-password-env", "ADMIN_PW", data_dir=data, env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["previous"] == old_sha
    counter = make_counter(data)
    assert _meta(counter, "gateway_signing_sha256") == f"{old_sha},{new_sha}"
    [row] = _audit(counter, "gateway.pin_added")
    assert row["previous"] == old_sha and row["sha256"] == new_sha and row["admin"] == "quantri"
    out = motcua("gateway-pin", "list", data_dir=data)
    assert f"{new_sha[:16]}… (đang dùng; ghim do quản trị viên" in out.stdout, out.stdout

    retired_at = datetime.fromisoformat(row["effective_at"])
    _wait_until(retired_at + timedelta(seconds=1))
    with _open(new_gateway) as new:  # the new key's events are accepted
        assert remote.apply_signed_events(counter, [gateway_event(new, "processing")]
                                          ).applied == 1
    with gateway_signer() as old:  # the stolen old key: refused at pull …
        late = gateway_event(old, "result_ready")
        stats = remote.apply_signed_events(counter, [late])
    assert stats.refused == 1 and stats.refusals[0][1].startswith("gateway_retired")
    assert signatures.verify_store(counter).problems == []  # the old key's early event is fine
    # … and failed by `verify` when someone writes it into the file anyway
    with counter.store.write() as conn:
        from localdb import dossiers as repo

        repo.insert_event(conn, id=late.id, dossier_id=late.dossier_id, type=late.type,
                          occurred_at=late.occurred_at, origin="province", actor="province",
                          payload=late.payload, signature=late.signature,
                          recorded_at=late.occurred_at, synced_at=late.occurred_at)
    problems = signatures.verify_store(counter).problems
    assert "gateway_retired" in {p["problem"] for p in problems}, problems
    out = motcua("verify", data_dir=data)
    assert out.returncode == 1 and "chứng thư cũ của cổng tỉnh sau thời điểm" in out.stdout
    assert pinned_certificates(counter)[0]["retired_from"] == row["effective_at"]


def test_gateway_cli_rotation_and_a_counter_enrolled_after_it(tmp_path, new_gateway):
    """The IT officer's commands: `motcua-gateway act/enrol` with --next-signing-* sign with
    the key in effect and publish the announcement; the password never shows. A counter
    enrolled after the rotation gets the replaced certificate in its enrolment line, so the
    centre's older province events (old key, before the effective time) verify there too,
    while the counter enrolled before follows the announcement."""
    import os
    import subprocess
    import sys

    from tests.sync_support import GATEWAY_SIGNING_ENV, install_gateway_signing

    pki = shared_pki()
    old_sha = pki.gateway.cert.fingerprint(hashes.SHA256()).hex()
    new_sha = sha256_of(new_gateway.cert)
    gw_dir = tmp_path / "gw"
    install_gateway_signing(gw_dir)
    c1 = make_counter(tmp_path / "c1")
    code = _receive(c1)
    server, gstore = _gateway(gw_dir)
    port = server.port
    try:
        enrol(c1, gstore, server.url)
        _sync(c1)
        first = _act(server.url, code, "processing")
        assert _signer_sha(first) == old_sha
    finally:
        server.stop()
        gstore.close()

    effective = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    _wait_until(effective)
    secret = "next-" + P12_PASSWORD
    next_p12 = tmp_path / "next.p12"
    next_p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"gw2", new_gateway.key, new_gateway.cert, [pki.subca, pki.root],
        serialization.BestAvailableEncryption(secret.encode())))
    flags = ["--next-signing-p12", str(next_p12), "--next-signing-from", effective.isoformat(),
             "--next-signing-password-env", "NEXT_PW"]
    env = dict(os.environ, **GATEWAY_SIGNING_ENV, NEXT_PW=secret, PYTHONPATH=str(Path.cwd()))

    def gateway_cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sync.gateway", "--data-dir", str(gw_dir),
                               *args], env=env, capture_output=True, text=True, timeout=120)

    out = gateway_cli("act", code, "result-ready", *flags, "--tsa-cert", str(pki.tsa_pem),
                      "--tsa-key", str(pki.tsa_key_pem))
    assert out.returncode == 0, out.stderr
    assert secret not in out.stdout + out.stderr
    second_id = json.loads(out.stdout)["id"]
    assert [p.name for p in (gw_dir / ROTATIONS_DIR).iterdir()] == [
        f"{old_sha[:16]}-to-{new_sha[:16]}.json"]
    out = gateway_cli("enrol", "--agency-code", c1.agency_code, "--counter", "2", "--json",
                      "--gateway-url", f"http://127.0.0.1:{port}", *flags)
    assert out.returncode == 0, out.stderr
    line = json.loads(out.stdout)["enrolment"]
    bad = gateway_cli("act", code, "processing", "--next-signing-p12", str(next_p12))
    assert bad.returncode == 1 and "go together" in bad.stderr

    store = open_store(None, gw_dir)  # restarted with the rotation, on the same port
    app = create_app(GatewayConfig(
        data_dir=gw_dir, verifier=real_verifier(), admin_token=ADMIN_TOKEN, store=store,
        signer=gateway_signer(), next_signer=_open(new_gateway), next_signing_from=effective,
        tsa=TimeStampAuthority.from_files(pki.tsa_pem, pki.tsa_key_pem)))
    server = GatewayServer(app, port=port).start()
    try:
        stored = store.get_event(second_id)
        assert json.loads(stored.wire.payload)["signer"]["sha256"] == new_sha
        c2 = make_counter(tmp_path / "c2", counter_no=2)
        info = sync_service.enrol(c2, line)
        assert info["gateway_cert_sha256"] == new_sha
        r = _sync(c2)
        assert r.refused == 0 and r.applied == 3, r.to_json()  # received + both decisions
        assert [(p["sha256"], p["current"]) for p in pinned_certificates(c2)] == [
            (old_sha, False), (new_sha, True)]
        assert signatures.verify_store(c2).problems == []
        r = _sync(c1)
        assert r.rotations_applied == 1 and r.refused == 0 and r.applied == 2, r.to_json()
        report = signatures.verify_store(c1)
        assert report.problems == []
        tst = c1.store.scalar("SELECT tst FROM events WHERE id = ?", (second_id,))
        assert tst is not None  # `act --tsa-cert` time-stamped the province event
    finally:
        server.stop()
        store.close()


def test_serve_publishes_the_announcement_and_never_shows_the_passwords(tmp_path, new_gateway):
    """`motcua-gateway serve` with the rotation flags: the announcement is served, the current
    certificate answers until the effective time, no password reaches the output; a wrong
    configuration stops the start with one line."""
    import os
    import subprocess
    import sys

    import requests

    from sync.gateway.server import free_port
    from tests.sync_support import install_gateway_signing

    pki = shared_pki()
    old_sha = pki.gateway.cert.fingerprint(hashes.SHA256()).hex()
    gw_dir = tmp_path / "gw"
    install_gateway_signing(gw_dir)
    secret, current = "next-Mật-khẩu-" + P12_PASSWORD, "cur-" + P12_PASSWORD
    (gw_dir / "gateway-signing.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"gw", pki.gateway.key, pki.gateway.cert, [pki.subca, pki.root],
        serialization.BestAvailableEncryption(current.encode())))
    next_p12 = tmp_path / "next.p12"
    next_p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"gw2", new_gateway.key, new_gateway.cert, [pki.subca, pki.root],
        serialization.BestAvailableEncryption(secret.encode())))
    env = dict(os.environ, PYTHONPATH=str(Path.cwd()),
               MOTCUA_GATEWAY_SIGNING_PASSWORD=current,
               MOTCUA_GATEWAY_NEXT_SIGNING_PASSWORD=secret)
    when = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    base = [sys.executable, "-m", "sync.gateway", "--data-dir", str(gw_dir), "serve",
            "--trust-anchors", str(pki.chain_pem), "--verify-processes", "0",
            "--next-signing-p12", str(next_p12)]

    bad = subprocess.run([*base, "--next-signing-from", "2027-01-05T00:00:00", "--port",
                          str(free_port())], env=env, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "with its offset" in bad.stderr, bad.stderr
    assert not (gw_dir / ROTATIONS_DIR).exists()  # nothing published

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([*base, "--next-signing-from", when.isoformat(), "--port",
                                 str(port), "-v"], env=env, stdout=err, stderr=err)
    url = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.1)
        rotations = requests.get(f"{url}/gateway-rotations", timeout=10).json()["rotations"]
        from sync.rotation import read_announcement

        [ann] = [read_announcement(r) for r in rotations]
        assert (ann.previous_sha256, ann.next_sha256) == (old_sha, sha256_of(new_gateway.cert))
        assert ann.effective_at == when
        assert requests.get(f"{url}/gateway-certificate", timeout=10).json()["sha256"] == old_sha
    finally:
        proc.terminate()
        proc.wait(30)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert secret not in text and current not in text
