"""The database going away under a running gateway: transient 503 with Retry-After (so counters
retry), nothing half-stored, and service resumes by itself when the database is back."""

from __future__ import annotations

import pg_fixture
import pytest
import requests

from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from sync.gateway.store import open_store
from tests.gateway_support import AGENCY, auth, make_event, push, statuses, stub_verifier


@pytest.mark.postgres
def test_postgres_down_gives_503_then_recovers():
    try:
        cluster = pg_fixture.start_cluster(durable=True)  # a crash must not lose commits
    except FileNotFoundError as exc:
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        store = open_store(cluster.create_database(), pg_pool_size=4)
        _, token = store.enrol(AGENCY, 1)
        app = create_app(GatewayConfig(store=store, verifier=stub_verifier))
        with GatewayServer(app) as gw:
            first = make_event()
            assert statuses(push(gw.url, token, [first])) == [("accepted", None)]
            cluster.pause()
            ev = make_event()
            for _ in range(3):  # pooled connections are dead now: each attempt fails cleanly
                r = push(gw.url, token, [ev])
                assert r.status_code == 503, r.text
                assert r.json()["reason"] == "store_unavailable"
                assert r.headers["Retry-After"]
            r = requests.get(f"{gw.url}/api/v1/health", timeout=10)
            assert r.status_code == 503 and r.json()["reason"] == "store_unavailable"
            cluster.resume()
            assert requests.get(f"{gw.url}/api/v1/health", timeout=10).status_code == 200
            assert statuses(push(gw.url, token, [ev, first])) == [
                ("accepted", None), ("duplicate", None)]
            r = requests.get(f"{gw.url}/api/v1/events", params={"include_own": 1},
                             headers=auth(token), timeout=10)
            assert [e["id"] for e in r.json()["events"]] == [first["id"], ev["id"]]
        store.close()
    finally:
        cluster.stop()
