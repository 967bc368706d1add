"""What the counter's sync takes from its environment: a proxy (a commune network may reach the
province only through one), and nothing else that could change what is sent.

A real gateway (thread, real CMS verifier, SQLite), a real proxy on loopback between them, a
real signed counter store; the engine drains as in the field.
"""

from __future__ import annotations

import os

import pytest

from app import sync_service
from sync.client import GatewayClient
from sync.engine import EngineConfig, SyncEngine
from tests.sync_support import FaultProxy, counter_with, enrol, outbox_state, thread_gateway

N = 12
PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY",
              "all_proxy", "NO_PROXY", "no_proxy")


def _clean_proxy_env(monkeypatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


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


@pytest.mark.parametrize("no_proxy", [None, "127.0.0.1"], ids=["via_proxy", "no_proxy"])
async def test_a_counter_behind_a_proxy_reaches_the_gateway(tmp_path, monkeypatch, no_proxy):
    """HTTP_PROXY set: every push goes through the proxy; NO_PROXY naming the gateway's host:
    none does. Either way every event is stored once and the outbox is empty."""
    _clean_proxy_env(monkeypatch)
    counter = counter_with(tmp_path / "c", N)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        token = enrol(counter, gstore, server.url)
        proxy = FaultProxy(server.port).start()
        try:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            if no_proxy is not None:
                monkeypatch.setenv("NO_PROXY", no_proxy)
            # the client is given the gateway's own address, as in the counter's settings
            await _drain(counter, GatewayClient(server.url, token))
            pushes = [p for m, p, _ in proxy.seen if m == "POST" and "events:push" in p]
            if no_proxy is None:  # in the absolute form a forward proxy gets
                assert pushes and all(p.startswith(f"{server.url}/api/v1/") for p in pushes)
            else:
                assert proxy.seen == []
            assert _stored_counter_events(gstore) == N
            assert outbox_state(counter) == {}
        finally:
            proxy.stop()
    counter.close()


async def test_a_netrc_entry_does_not_replace_the_counter_credential(tmp_path, monkeypatch):
    """requests, trusting its environment, would send Basic auth from ~/.netrc for the
    gateway's host instead of the counter's Bearer credential (and the gateway answer 401)."""
    _clean_proxy_env(monkeypatch)
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
