"""RFC 3161 time-stamps end to end: a real gateway (TSA with its own certificate) stamps every
event it accepts, the counter keeps the token, `verify` uses it as the proof of time, and the
export carries it so `openssl cms -verify` and `openssl ts -verify` both accept the files."""

from __future__ import annotations

import shlex
import subprocess
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from app import sync_service
from app.context import open_counter
from app.settings import Settings
from app.signatures import export_dossier, verify_store
from app.trust import crls_dir
from signing import tsa
from signing.demo_pki import issue_crl
from sync.client import GatewayClient
from sync.engine import EngineConfig, wire_json
from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from sync.gateway.store import open_store
from tests.helpers import make_counter, motcua, shared_pki
from tests.sync_support import enrol, fill, real_verifier

FAST = dict(backoff_base=0.02, backoff_cap=0.2, poll_interval=0.2)


def _gateway(tmp_path):
    pki = shared_pki()
    store = open_store(None, tmp_path / "gw")
    authority = tsa.TimeStampAuthority.from_files(pki.tsa_pem, pki.tsa_key_pem)
    app = create_app(GatewayConfig(data_dir=tmp_path / "gw", verifier=real_verifier(),
                                   store=store, tsa=authority))
    return store, GatewayServer(app)


def _tokens(counter) -> dict[str, bytes | None]:
    return {r["id"]: r["tst"] for r in counter.store.query("SELECT id, tst FROM events")}


def test_gateway_stamps_counter_keeps_verify_uses_export_carries(tmp_path):
    counter = make_counter(tmp_path / "c")
    codes = fill(counter, 2)
    sent = [wire_json(i) for i in sync_service.CounterSyncStore(counter).pending_batch(10, 1 << 20)]
    store, server = _gateway(tmp_path)
    with server:
        token = enrol(counter, store, server.url)
        r = sync_service.sync_once(counter, EngineConfig(**FAST))
        assert r.ok and r.delivered == 2
        tokens = _tokens(counter)
        assert all(t is not None for t in tokens.values())
        # the gateway keeps what it issued; a retried push gets the same token back
        assert store.time_stamps(list(tokens)) == {k: bytes(v) for k, v in tokens.items()}
        again = GatewayClient(server.url, token).push(sent)
        assert {x.status for x in again} == {"duplicate"}
        import base64

        assert {x.id: base64.b64decode(x.tst) for x in again} == tokens
    store.close()

    # a token is written once: the trigger refuses to replace it
    import sqlite3

    import pytest

    with pytest.raises(sqlite3.DatabaseError):
        counter.store.conn.execute("UPDATE events SET tst = x'00'")

    report = verify_store(counter)
    assert report.problems == [], [p["detail"] for p in report.problems]
    assert report.timestamped == 2 and report.not_timestamped == []

    # export: the .p7s carries the token; both openssl checks from VERIFY.txt pass
    out = tmp_path / "export"
    export_dossier(counter, codes[0], out)
    folder = out / codes[0]
    assert (folder / "01-received.tst").read_bytes() in tokens.values()
    p7s = (folder / "01-received.p7s").read_bytes()
    assert tsa.timestamp_of(p7s) == (folder / "01-received.tst").read_bytes()
    commands = [ln.strip() for ln in (folder / "VERIFY.txt").read_text().splitlines()
                if ln.strip().startswith("openssl")]
    assert any(c.startswith("openssl ts -verify") for c in commands)
    for cmd in commands:
        res = subprocess.run(shlex.split(cmd), cwd=folder, capture_output=True, text=True)
        assert res.returncode == 0, (cmd, res.stdout, res.stderr)
        if " ts " in cmd:
            assert "Verification: OK" in res.stdout

    # the clerk's certificate is revoked (superseded) after the stamped dossiers were signed;
    # one more dossier signed before the revocation never reached the gateway (no token)
    late = fill(counter, 1)[0]
    pki = shared_pki()
    when = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)
    crl = issue_crl(pki.subca, pki.subca_key, [
        (pki.clerk("clerk3").cert.serial_number, when),
        (pki.clerk("clerk1").cert.serial_number, when, x509.ReasonFlags.superseded),
    ], number=50)
    (crls_dir(counter.settings) / "subca.crl").write_bytes(
        crl.public_bytes(serialization.Encoding.DER))
    report = verify_store(counter)
    assert report.bad_dossiers == [late]  # the stamped ones stay valid
    assert "revoked_later" in report.warnings
    (problem,) = report.problems
    assert problem["problem"] == "revoked"
    assert "không có dấu thời gian" in problem["message_vi"]
    assert when.astimezone(tsa_vn()).strftime("%d/%m/%Y %H:%M") in problem["message_vi"]
    assert "đã được thay bằng chứng thư mới" in problem["message_vi"]
    assert report.not_timestamped == [late]
    counter.close()

    # the command line says it in words, and names the dossier waiting for a time-stamp
    res = motcua("verify", data_dir=tmp_path / "c")
    assert res.returncode == 1
    assert "đã được thay bằng chứng thư mới" in res.stdout and late in res.stdout
    assert "chưa có dấu thời gian" in res.stdout
    res = motcua("verify", data_dir=tmp_path / "c", lang="en")
    assert "superseded" in res.stdout and "not time-stamped yet" in res.stdout


def tsa_vn():
    from signing.errors import VN_TZ

    return VN_TZ


def test_events_not_yet_stamped_are_reported_not_invalid(tmp_path):
    counter = make_counter(tmp_path / "c")
    codes = fill(counter, 1)
    report = verify_store(counter)
    assert report.problems == [] and report.not_timestamped == codes
    counter.close()
    with open_counter(Settings(data_dir=tmp_path / "c")) as c:
        assert verify_store(c).timestamped == 0


def test_gateway_serve_refuses_a_bad_tsa_configuration(tmp_path):
    """`motcua-gateway serve --tsa-cert/--tsa-key`: both or neither, and the certificate must
    be a time-stamping one; refused in one line before anything listens."""
    import os
    import sys

    pki = shared_pki()
    env = {**os.environ, "MOTCUA_GATEWAY_DATA_DIR": str(tmp_path / "gw")}

    def serve(*args):
        return subprocess.run([sys.executable, "-m", "sync.gateway", "serve", "--port", "0",
                               *args], env=env, capture_output=True, text=True, timeout=60)

    r = serve("--tsa-cert", str(pki.tsa_pem))
    assert r.returncode == 2 and "--tsa-cert and --tsa-key go together" in r.stderr
    r = serve("--tsa-cert", str(pki.clerk("clerk1").cert_pem), "--tsa-key", str(pki.tsa_key_pem))
    assert r.returncode == 2 and "timeStamping" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_tokens_travel_to_the_centres_other_counters(tmp_path):
    """Counter 2 of the same centre pulls counter 1's dossiers with their tokens, so a later
    revocation of counter 1's clerk leaves them valid at counter 2 too."""
    c1 = make_counter(tmp_path / "c1", counter_no=1)
    c2 = make_counter(tmp_path / "c2", counter_no=2)
    codes = fill(c1, 2)
    store, server = _gateway(tmp_path)
    with server:
        enrol(c1, store, server.url)
        enrol(c2, store, server.url)
        assert sync_service.sync_once(c1, EngineConfig(**FAST)).ok
        r = sync_service.sync_once(c2, EngineConfig(**FAST))
        assert r.ok and r.pulled == 2
    store.close()
    assert {k: bytes(v) for k, v in _tokens(c2).items()} == \
        {k: bytes(v) for k, v in _tokens(c1).items()}
    pki = shared_pki()
    when = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)
    crl = issue_crl(pki.subca, pki.subca_key, [
        (pki.clerk("clerk3").cert.serial_number, when),
        (pki.clerk("clerk1").cert.serial_number, when, x509.ReasonFlags.superseded),
    ], number=51)
    (crls_dir(c2.settings) / "subca.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))
    report = verify_store(c2)
    assert report.problems == [] and report.timestamped == 2
    assert sorted({p for p in codes}) == sorted(r["code"] for r in c2.store.query(
        "SELECT code FROM dossiers"))
    c1.close()
    c2.close()
