"""Real CMS signatures through the gateway: demo PKI, P12 signer, the gateway's own anchors and
CRLs."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import requests
import rfc8785

from signing.demo_pki import make_demo_pki
from signing.signer import P12Signer
from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer, free_port
from sync.gateway.verify import signing_verifier
from tests.gateway_support import (
    AGENCY,
    ROOT,
    make_body,
    push,
    statuses,
    wire_from_body,
)

PASSWORD = "demo"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_demo_pki(tmp_path_factory.mktemp("gwpki"), password=PASSWORD)


@pytest.fixture(scope="module")
def signers(pki):
    return {name: P12Signer.open(pki.clerk(name).p12, PASSWORD)
            for name in ("clerk1", "clerk2", "clerk3", "untrusted")}


@pytest.fixture
def gw(pki, tmp_path):
    # chain.pem = sub-CA + root: the root anchors trust, the sub-CA must be known to accept
    # the CRL it signed.
    verifier = signing_verifier([pki.chain_pem], crl_files=[pki.crl_der])
    app = create_app(GatewayConfig(data_dir=tmp_path, verifier=verifier))
    _, token = app.state.store.enrol(AGENCY, 1)
    with GatewayServer(app) as server:
        yield server.url, token, app.state.store


def test_valid_signatures_rsa_and_ec_are_accepted_and_stored_exactly(gw, signers, pki, tmp_path):
    url, token, store = gw
    e1 = wire_from_body(make_body(), sign=signers["clerk1"].sign)  # RSA
    e2 = wire_from_body(make_body(), sign=signers["clerk2"].sign)  # ECDSA P-256
    assert statuses(push(url, token, [e1, e2])) == [("accepted", None), ("accepted", None)]
    assert statuses(push(url, token, [e1])) == [("duplicate", None)]
    stored = store.get_event(e1["id"])
    assert stored.wire.payload == base64.b64decode(e1["payload"])
    assert stored.wire.signature == base64.b64decode(e1["signature"])
    if shutil.which("openssl"):  # the stored bytes verify with a tool nobody here wrote
        (tmp_path / "data").write_bytes(stored.wire.payload)
        (tmp_path / "sig").write_bytes(stored.wire.signature)
        out = subprocess.run(
            ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
             str(tmp_path / "sig"), "-content", str(tmp_path / "data"), "-CAfile",
             str(pki.root_pem), "-purpose", "any", "-out", os.devnull],
            capture_output=True, text=True)
        assert out.returncode == 0, out.stderr


def test_tampered_payload_is_refused(gw, signers):
    url, token, store = gw
    body = make_body()
    signed = wire_from_body(body, sign=signers["clerk1"].sign)
    changed = dict(body, data=dict(body["data"], note="sửa sau khi ký"))
    ev = dict(signed, payload=base64.b64encode(rfc8785.dumps(changed)).decode())
    [(status, reason)] = statuses(push(url, token, [ev]))
    assert status == "rejected" and reason in ("digest_mismatch", "bad_signature")
    # flipping one byte of the signature itself
    sig = bytearray(base64.b64decode(signed["signature"]))
    sig[-5] ^= 0x01
    ev = dict(signed, signature=base64.b64encode(bytes(sig)).decode())
    [(status, reason)] = statuses(push(url, token, [ev]))
    assert status == "rejected" and reason == "bad_signature"
    # garbage instead of CMS
    ev = dict(signed, signature=base64.b64encode(b"\x30\x03\x02\x01\x00").decode())
    [(status, reason)] = statuses(push(url, token, [ev]))
    assert status == "rejected" and reason == "signature_malformed"
    assert store.event_count() == 0


def test_revoked_clerk_is_refused(gw, signers):
    url, token, _ = gw
    ev = wire_from_body(make_body(), sign=signers["clerk3"].sign)
    assert statuses(push(url, token, [ev])) == [("rejected", "revoked")]


def test_untrusted_root_is_refused(gw, signers):
    url, token, _ = gw
    ev = wire_from_body(make_body(), sign=signers["untrusted"].sign)
    good = wire_from_body(make_body(), sign=signers["clerk1"].sign)
    assert statuses(push(url, token, [ev, good])) == [("rejected", "untrusted"),
                                                      ("accepted", None)]


def test_cli_serve_with_trust_anchors_and_crl(pki, signers, tmp_path):
    """The real command line: enrol, serve with --trust-anchors/--crl, push signed events."""
    db = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_GATEWAY_DATA_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "sync.gateway", "--db", db, "enrol", "--agency-code", AGENCY,
         "--counter", "1", "--json"], env=env, capture_output=True, text=True, check=True)
    token = json.loads(out.stdout)["token"]
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.gateway", "serve", "--db", db, "--port", str(port),
         "--trust-anchors", str(pki.chain_pem), "--crl", str(pki.crl_der)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None
            try:
                requests.get(f"{url}/api/v1/health", timeout=2).close()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        good = wire_from_body(make_body(), sign=signers["clerk1"].sign)
        bad = wire_from_body(make_body(), sign=signers["clerk3"].sign)
        assert statuses(push(url, token, [good, bad])) == [("accepted", None),
                                                           ("rejected", "revoked")]
    finally:
        proc.terminate()
        proc.wait(15)


def test_worker_processes_give_the_same_answers_as_in_process(pki, signers, tmp_path):
    """`serve` checks signatures and issues time-stamp tokens in a pool of processes (one per
    core): the answers to a mixed batch — RSA and ECDSA accepted, tampered, revoked, untrusted,
    a broken envelope, a duplicate — are exactly those of the in-process path, everything
    accepted is stored and carries a token over its own signature."""
    good = [wire_from_body(make_body(), sign=signers[c].sign) for c in ("clerk1", "clerk2") * 10]
    revoked = wire_from_body(make_body(), sign=signers["clerk3"].sign)
    untrusted = wire_from_body(make_body(), sign=signers["untrusted"].sign)
    tampered = dict(wire_from_body(make_body(), sign=signers["clerk1"].sign))
    body = json.loads(base64.b64decode(tampered["payload"]))
    body["data"]["note"] = "đã sửa"
    tampered["payload"] = base64.b64encode(rfc8785.dumps(body)).decode()
    broken = dict(good[0], id="not-a-uuid")
    batch = [*good, revoked, untrusted, tampered, broken]
    # a body with a float somewhere is parsed by the stdlib and its events are pickled to the
    # workers (orjson would write NaN as null); plain bodies travel as orjson bytes
    floaty = [dict(wire_from_body(make_body(), sign=signers["clerk1"].sign), extra=0.5),
              dict(wire_from_body(make_body(), sign=signers["clerk2"].sign), extra=1e300)]
    from signing.tsa import TimeStampAuthority, read_token, signature_value

    answers = {}
    for procs in (0, 2):
        verifier = signing_verifier([pki.chain_pem], crl_files=[pki.crl_der])
        tsa = TimeStampAuthority.from_files(pki.tsa_pem, pki.tsa_key_pem)
        app = create_app(GatewayConfig(data_dir=tmp_path / f"p{procs}", verifier=verifier,
                                       verify_processes=procs, tsa=tsa))
        _, token = app.state.store.enrol(AGENCY, 1)
        with GatewayServer(app) as server:
            resp = push(server.url, token, batch)
            first = statuses(resp)
            again = statuses(push(server.url, token, good[:3]))
            floats = statuses(push(server.url, token, floaty))
            answers[procs] = (first, again, floats, app.state.store.event_count())
        # every accepted event got a token over its own signature value, from the workers too
        for ev, res in zip(batch, resp.json()["results"], strict=True):
            if res["status"] == "accepted":
                sig = base64.b64decode(ev["signature"])
                read_token(base64.b64decode(res["tst"]), signature_value(sig))
            else:
                assert not res.get("tst")
    assert answers[0] == answers[2]
    first, again, floats, stored = answers[2]
    assert first[:20] == [("accepted", None)] * 20 and stored == 22
    assert floats == [("accepted", None)] * 2
    assert first[20:] == [("rejected", "revoked"), ("rejected", "untrusted"),
                          ("rejected", "digest_mismatch"), ("rejected", "malformed")]
    assert again == [("duplicate", None)] * 3
