"""TLS: a real listener on 127.0.0.1 with a certificate from a CA made here; the client verifies
against that CA bundle, and a client trusting another CA must fail. Verification is never off."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization

from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer, free_port
from tests.gateway_support import ROOT, auth, make_event, push, statuses, stub_verifier
from tests.tls_support import _name, make_ca, make_server_cert  # noqa: F401


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Path]:
    ca_key, ca = make_ca("MotCua Test Province CA")
    _, other_ca = make_ca("Some Other CA")
    key, cert = make_server_cert(ca_key, ca)
    out = {
        "ca": tmp_path / "ca.pem", "other_ca": tmp_path / "other-ca.pem",
        "cert": tmp_path / "server.pem", "key": tmp_path / "server.key",
    }
    out["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out["other_ca"].write_bytes(other_ca.public_bytes(serialization.Encoding.PEM))
    out["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    out["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    return out


def test_tls_listener_good_ca_and_wrong_ca(tmp_path, pki):
    app = create_app(GatewayConfig(data_dir=tmp_path, verifier=stub_verifier))
    _, token = app.state.store.enrol("000.20.27.H57", 1)
    with GatewayServer(app, tls_cert=pki["cert"], tls_key=pki["key"]) as server:
        assert server.url.startswith("https://127.0.0.1:")
        r = requests.get(f"{server.url}/api/v1/health", verify=str(pki["ca"]), timeout=10)
        assert r.status_code == 200
        assert statuses(push(server.url, token, [make_event()], verify=str(pki["ca"]))) == [
            ("accepted", None)]
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{server.url}/api/v1/health", verify=str(pki["other_ca"]), timeout=10)
        with pytest.raises(requests.exceptions.SSLError):  # system CAs do not know it either
            requests.get(f"{server.url}/api/v1/health", timeout=10)
        with pytest.raises(requests.exceptions.ConnectionError):  # no plain HTTP on that port
            requests.get(f"http://127.0.0.1:{server.port}/api/v1/health", timeout=10)


def test_cli_serve_with_tls_and_no_db(tmp_path, pki):
    """One command starts it on loopback: no --db, SQLite in the data folder, TLS on."""
    port = free_port()
    data = tmp_path / "gwdata"
    env = dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_GATEWAY_DATA_DIR=str(data))
    proc = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "sync.gateway", "serve", "--port", str(port),
         "--tls-cert", str(pki["cert"]), "--tls-key", str(pki["key"])],
        env=env, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    session = requests.Session()  # verify per request: REQUESTS_CA_BUNDLE beats session.verify
    ca = str(pki["ca"])
    try:
        url = f"https://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()
            try:
                r = session.get(f"{url}/api/v1/health", verify=ca, timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "gateway did not start"
                time.sleep(0.1)
        assert r.status_code == 200
        assert (data / "gateway.sqlite3").exists()
        r = session.get(f"{url}/api/v1/events", headers=auth("x"), verify=ca, timeout=5)
        assert r.status_code == 401
    finally:
        session.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            import signal
            proc.send_signal(signal.SIGABRT)
            print(proc.communicate(timeout=10)[0].decode())
            raise
