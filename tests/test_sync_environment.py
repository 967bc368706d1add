"""What the counter's sync takes from its environment: a proxy (a commune network may reach the
province only through one), and nothing else that could change what is sent.

A real proxy on loopback that records what reaches it and refuses to relay (502), a real
gateway (thread, real CMS verifier, SQLite) and a real signed counter store for the drains.
"""

from __future__ import annotations

import os
import socket
import threading

import pytest

from app import sync_service
from sync.client import PROXY_VARIABLES, GatewayClient, TransientError
from sync.engine import EngineConfig, SyncEngine
from tests.sync_support import counter_with, enrol, outbox_state, thread_gateway

N = 12
#: a name that never resolves (RFC 2606): reaching it at all takes the proxy
FAR_GATEWAY = "https://gateway.example"


class RefusingProxy:
    """Records the head of every request that reaches it and answers 502."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.heads: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    head += chunk
                self.heads.append(head.partition(b"\r\n\r\n")[0])
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def proxy(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    p = RefusingProxy()
    yield p
    p.close()


def test_the_gateway_is_reached_through_the_proxy_the_environment_names(proxy, monkeypatch):
    """HTTPS_PROXY: the counter's requests go to the proxy (a CONNECT to the gateway), and the
    counter's credential does not (it travels inside the tunnel only)."""
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    client = GatewayClient(FAR_GATEWAY, "the-counter-token")
    with pytest.raises(TransientError):  # this proxy relays nothing
        client.push([])
    assert proxy.heads and all(h.startswith(b"CONNECT gateway.example:443 ") for h in proxy.heads)
    assert not any(b"the-counter-token" in h for h in proxy.heads)


def test_no_proxy_sends_the_gateway_direct(proxy, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "gateway.example")
    client = GatewayClient(FAR_GATEWAY, "the-counter-token")
    with pytest.raises(TransientError):  # direct: the name does not resolve
        client.push([])
    assert proxy.heads == []


async def _drain(counter, client: GatewayClient) -> None:
    engine = SyncEngine(sync_service.CounterSyncStore(counter), client,
                        EngineConfig(batch_max_items=5, parallel_batches=2))
    try:
        r = await engine.run_once()
        assert r.error is None, r.to_json()
        assert r.ok and r.delivered == N and r.pending == 0
    finally:
        engine.close()


def _stored_counter_events(gstore) -> int:
    return sum(1 for i in gstore.all_event_ids() if gstore.get_event(i).wire.origin == "counter")


async def test_a_proxy_set_on_the_pc_does_not_cut_off_a_loopback_gateway(tmp_path, proxy,
                                                                        monkeypatch):
    """An office PC with a proxy configured still syncs with the demo's gateway on loopback
    (a proxy elsewhere cannot reach this PC's loopback)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    counter = counter_with(tmp_path / "c", N)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        token = enrol(counter, gstore, server.url)
        await _drain(counter, GatewayClient(server.url, token))
        assert _stored_counter_events(gstore) == N
        assert outbox_state(counter) == {}
    assert proxy.heads == []
    counter.close()


async def test_a_netrc_entry_does_not_replace_the_counter_credential(tmp_path, proxy,
                                                                     monkeypatch):
    """requests, trusting its environment, would send Basic auth from ~/.netrc for the
    gateway's host instead of the counter's Bearer credential (the gateway answers 401, and
    the clerk is told the counter's credential was refused)."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password something\n")
    os.chmod(netrc, 0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    counter = counter_with(tmp_path / "c", N)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        token = enrol(counter, gstore, server.url)
        await _drain(counter, GatewayClient(server.url, token))
        assert _stored_counter_events(gstore) == N
    counter.close()


async def test_a_proxy_that_refuses_is_named_in_the_sync_status(tmp_path, proxy, monkeypatch):
    """What the clerk and IT read when the proxy lets nothing through: the reason `proxy`, in
    words that say to check the proxy settings, not that the gateway is down."""
    from app import syncstate

    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    counter = counter_with(tmp_path / "c", N)
    engine = SyncEngine(sync_service.CounterSyncStore(counter),
                        GatewayClient(FAR_GATEWAY, "the-counter-token"), EngineConfig())
    try:
        r = await engine.run_once()
    finally:
        engine.close()
    assert r.error is not None and r.error.reason == "proxy" and r.delivered == 0
    st = syncstate.read(counter)
    assert st["online"] is False and st["last_error_reason"] == "proxy"
    assert "proxy" in st["last_error_vi"] and "HTTPS_PROXY" in st["last_error_en"]
    assert st["pending"] == N
    counter.close()
