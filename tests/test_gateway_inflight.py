"""The gateway holds at most `max_inflight_pushes` pushes in flight; the others wait for a slot
BEFORE their body is read, so a morning drain of hundreds of counters cannot make one gateway
process hold hundreds of batches in memory (issue 13). A real server on 127.0.0.1, real HTTP
connections sending their bodies in two halves; every wait is on a condition with a deadline."""

from __future__ import annotations

import http.client
import json

from sync.gateway.app import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from sync.gateway.store import open_store
from tests.gateway_support import AGENCY, make_event, stub_verifier
from tests.sync_support import wait_for

LIMIT = 2
PUSHES = 5


def _start(port: int, token: str, body: bytes) -> http.client.HTTPConnection:
    """A push whose headers and first half of the body are sent; the rest is held back."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.putrequest("POST", "/api/v1/events:push")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    conn.send(body[:len(body) // 2])
    return conn


def test_pushes_beyond_the_limit_wait_for_a_slot_before_their_body_is_read(tmp_path):
    store = open_store(None, tmp_path / "gw")
    tokens = [store.enrol(AGENCY, n + 1)[1] for n in range(PUSHES)]
    events = [[make_event(counter_no=n + 1) for _ in range(3)] for n in range(PUSHES)]
    bodies = [json.dumps({"events": evs}).encode() for evs in events]
    app = create_app(GatewayConfig(store=store, verifier=stub_verifier,
                                   max_inflight_pushes=LIMIT))
    gauge = app.state.pushes
    conns: list[http.client.HTTPConnection] = []
    try:
        with GatewayServer(app) as server:
            for token, body in zip(tokens, bodies, strict=True):
                conns.append(_start(server.port, token, body))
            # LIMIT pushes are reading their (unfinished) bodies; the rest wait for a slot and
            # have not started reading theirs
            assert wait_for(lambda: gauge.in_flight == LIMIT
                            and gauge.waiting == PUSHES - LIMIT, timeout=30), gauge
            assert store.event_count() == 0

            # every body is now complete: the pushes go through, never more than LIMIT at once
            for conn, body in zip(conns, bodies, strict=True):
                conn.send(body[len(body) // 2:])
            answers = []
            for conn in conns:
                resp = conn.getresponse()
                answers.append((resp.status, json.loads(resp.read())))
            assert wait_for(lambda: gauge.in_flight == 0 and gauge.waiting == 0, timeout=30), \
                gauge
    finally:
        for conn in conns:
            conn.close()
    for (status, doc), evs in zip(answers, events, strict=True):
        assert status == 200, doc
        assert [(r["id"], r["status"]) for r in doc["results"]] == \
            [(e["id"], "accepted") for e in evs]
    assert gauge.peak == LIMIT
    assert store.event_count() == 3 * PUSHES
    store.close()
