"""Small truths: a relative --data-dir is relative to the current folder; TLS failures say which
(host name, untrusted issuer, expired); clock skew in words; a counter that refuses the gateway's
catalogue says so in `sync status` and in the exit code of `sync once`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import subprocess
import sys
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app import sync_service, syncstate
from sync.client import GatewayClient, TlsError
from sync.engine import EngineConfig
from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from sync.gateway.store import open_store
from sync.reasons import clock_skew_words
from tests.gateway_support import AGENCY, ROOT, stub_verifier
from tests.helpers import make_counter, motcua
from tests.sync_support import enrol, thread_gateway
from tests.tls_support import _name, make_ca


def test_relative_data_dir_is_relative_to_the_current_folder(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MOTCUA_GATEWAY_DATA_DIR", None)
    out = subprocess.run([sys.executable, "-m", "sync.gateway", "--data-dir", "gw", "enrol",
                          "--agency-code", AGENCY, "--counter", "1", "--json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "gw" / "gateway.sqlite3").is_file()
    store = open_store(None, tmp_path / "gw")
    assert [c.counter_no for c in store.list_counters()] == [1]
    store.close()


def _server_cert(ca_key, ca_cert, *, names: list[str], days: tuple[int, int] = (-1, 1)):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    sans: list[x509.GeneralName] = []
    for n in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            sans.append(x509.DNSName(n))
    cert = (
        x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now + dt.timedelta(days=days[0]))
        .not_valid_after(now + dt.timedelta(days=days[1]))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _write(tmp_path, stem, key, cert):
    c, k = tmp_path / f"{stem}.pem", tmp_path / f"{stem}.key"
    c.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    k.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return c, k


@pytest.mark.parametrize("case, reason", [
    ("hostname", "tls_hostname"), ("expired", "tls_expired"), ("untrusted", "tls_untrusted")])
def test_tls_failures_say_which(tmp_path, case, reason):
    ca_key, ca = make_ca("MotCua Test Province CA")
    _, other_ca = make_ca("Some Other CA")
    names = ["gateway.other.example"] if case == "hostname" else ["127.0.0.1", "localhost"]
    days = (-10, -2) if case == "expired" else (-1, 1)
    key, cert = _server_cert(ca_key, ca, names=names, days=days)
    cert_path, key_path = _write(tmp_path, "server", key, cert)
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes((other_ca if case == "untrusted" else ca).public_bytes(
        serialization.Encoding.PEM))
    store = open_store(f"sqlite:///{tmp_path / 'gw.sqlite3'}", tmp_path)
    app = create_app(GatewayConfig(store=store, verifier=stub_verifier))
    with GatewayServer(app, tls_cert=cert_path, tls_key=key_path) as server:
        client = GatewayClient(server.url, "mct_x", ca_bundle=bundle, connect_timeout=5)
        with pytest.raises(TlsError) as err:
            client.server_time()
        client.close()
    store.close()
    assert err.value.reason == reason, err.value
    from sync.reasons import REASONS

    assert REASONS[reason][0] and REASONS[reason][1]


def test_clock_skew_in_words(tmp_path):
    assert clock_skew_words(-600) == "đồng hồ máy này nhanh 10 phút"
    assert clock_skew_words(-600, "en") == "this PC's clock is 10 minutes fast"
    assert clock_skew_words(2 * 86400 + 30) == "đồng hồ máy này chậm 2 ngày"
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        counter = make_counter(tmp_path / "c")
        token = enrol(counter, gstore, server.url)
        # a PC whose clock runs 10 minutes ahead of the gateway's
        client = GatewayClient(server.url, token, clock=lambda: time.time() + 600)
        r = sync_service.sync_once(counter, EngineConfig(backoff_base=0.01), client=client)
        assert r.error is None and -610 < r.clock_skew_seconds < -590
        st = syncstate.read(counter)
        assert st["clock_skew_vi"] == "đồng hồ máy này nhanh 10 phút"
        assert st["clock_skew_en"] == "this PC's clock is 10 minutes fast"
        counter.close()
    out = motcua("sync", "status", data_dir=tmp_path / "c")
    assert "đồng hồ máy này nhanh 10 phút" in out.stdout, out.stdout + out.stderr


def test_a_refused_catalogue_shows_in_status_and_exit_code(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        counter = make_counter(tmp_path / "c")
        enrol(counter, gstore, server.url)
        counter.close()
        # an older gateway (or a hand-edited database) serves what counters refuse
        gstore.publish_catalogue(json.dumps({"version": "2099.1", "procedures": []}))
        out = motcua("sync", "once", data_dir=tmp_path / "c")
        assert out.returncode == 6, out.stdout + out.stderr
        assert "2099.1" in out.stderr
        status = motcua("sync", "status", data_dir=tmp_path / "c")
        assert "danh mục thủ tục" in status.stdout and "2099.1" in status.stdout
        st = json.loads(motcua("sync", "status", "--json", data_dir=tmp_path / "c").stdout)
        assert st["catalogue_error"].startswith("2099.1")


def test_sync_once_says_the_failure_in_the_users_language(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        counter = make_counter(tmp_path / "c")
        enrol(counter, gstore, server.url)
        counter.close()
    # the gateway is gone: the line is the clerk's sentence, not the client's English detail
    out = motcua("sync", "once", data_dir=tmp_path / "c")
    assert out.returncode == 4, out.stdout + out.stderr
    line = out.stderr.strip().splitlines()[-1]
    assert line == "Lỗi đồng bộ (connection): Không kết nối được cổng tỉnh.", out.stderr
    out = motcua("--lang", "en", "sync", "once", data_dir=tmp_path / "c")
    assert out.stderr.strip().splitlines()[-1] == \
        "Sync error (connection): Cannot reach the gateway.", out.stderr
