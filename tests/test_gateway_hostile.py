"""Hostile bodies: deep nesting, huge numbers and out-of-range cursors get a 4xx with a reason,
never a 5xx; a poisonous event in a counter's queue is isolated and parked while the rest of its
batch is delivered."""

from __future__ import annotations

import json

import pytest
import requests

from app import sync_service, syncstate
from app.domain import iso, now_vn
from localdb import outbox
from sync.engine import EngineConfig
from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from tests.gateway_support import (
    ADMIN_TOKEN,
    AGENCY,
    auth,
    gateway_store,
    make_body,
    push,
    statuses,
    wire_from_body,
)
from tests.helpers import demo_signer
from tests.sync_support import (
    FaultProxy,
    counter_with,
    enrol,
    outbox_state,
    real_verifier,
    thread_gateway,
)

API = "/api/v1"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def gw(request, tmp_path):
    store = gateway_store(request.param, tmp_path)
    _, token = store.enrol(AGENCY, 1)
    app = create_app(GatewayConfig(store=store, verifier=real_verifier(),
                                   admin_token=ADMIN_TOKEN))
    with GatewayServer(app) as server:
        yield server.url, token, store
    store.close()


DEEP = b"[" * 990 + b'"\xc4\x91\xc3\xa1y"' + b"]" * 990  # a note nested 990 levels


def _raw_payload(body: dict, **inserts: bytes) -> bytes:
    """The body's sorted compact JSON with ``"@name@"`` placeholders replaced by raw JSON text
    (no encoder can be asked to write what we want to refuse)."""
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    for name, text in inserts.items():
        raw = raw.replace(f'"@{name}@"'.encode(), text)
    return raw


def _raw_wire(body: dict, sign, **inserts: bytes) -> dict:
    import base64

    ev = wire_from_body(body, sign=sign)
    raw = _raw_payload(body, **inserts)
    ev["payload"] = base64.b64encode(raw).decode()
    ev["signature"] = base64.b64encode(sign(raw)).decode()
    return ev


def test_hostile_bodies_get_4xx_with_a_reason(gw):
    url, token, _ = gw
    h = {**auth(token), "Content-Type": "application/json"}
    cases = [
        (b"[" * 1000 + b"]" * 1000, "too_deep"),
        (b'{"events": ' + b"[" * 1000 + b"]" * 1000 + b"}", "too_deep"),
        (b'{"events": [], "n": ' + b"7" * 5000 + b"}", "number_too_large"),
        (b'{"events": [' + b"1" * 5000 + b"]}", "number_too_large"),
        (b"[" * 200_000, "too_deep"),
        (b'{"events": [{"id": "\\"[[[["}]', "bad_json"),
    ]
    for body, reason in cases:
        r = requests.post(f"{url}{API}/events:push", data=body, headers=h, timeout=30)
        assert r.status_code == 400, (reason, r.status_code, r.text[:200])
        assert r.json()["reason"] == reason and r.json()["detail"]
    for since in ("9999999999999999999", "9223372036854775808", "١٢٣", "-1", "1e5"):
        r = requests.get(f"{url}{API}/events", params={"since": since}, headers=auth(token),
                         timeout=10)
        assert r.status_code == 400 and r.json()["reason"] == "bad_cursor", (since, r.text)
    r = requests.get(f"{url}{API}/events", params={"since": str(2**63 - 1)}, headers=auth(token),
                     timeout=10)
    assert r.status_code == 200 and r.json()["events"] == []
    for params in ({"limit": str(10**30)}, {"limit": "0"}):
        r = requests.get(f"{url}{API}/events", params=params, headers=auth(token), timeout=10)
        assert 400 <= r.status_code < 500 and r.json()["reason"]
    r = requests.put(f"{url}{API}/attachments/{'a' * 64}",
                     params={"offset": str(10**30), "total": "1"}, data=b"x",
                     headers=auth(token), timeout=10)
    assert 400 <= r.status_code < 500 and r.json()["reason"]
    r = requests.get(f"{url}{API}/catalogue", params={"since_version": "9" * 5000},
                     headers=auth(token), timeout=10)
    assert 400 <= r.status_code < 500 and r.json()["reason"]


def test_deep_payload_refused_alone_with_real_signature(gw):
    url, token, store = gw
    with demo_signer("clerk1") as clerk:
        deep = make_body(note="@deep@")
        number = make_body()
        number["data"]["n"] = "@n@"
        honest = make_body()
        batch = [_raw_wire(deep, clerk.sign, deep=DEEP),
                 wire_from_body(honest, sign=clerk.sign),
                 _raw_wire(number, clerk.sign, n=b"1" * 61)]
    assert statuses(push(url, token, batch)) == [
        ("rejected", "too_deep"), ("accepted", None), ("rejected", "number_too_large")]
    assert store.event_count() == 1


def _poison(counter, clerk_signer) -> str:
    """What someone with write access to the store file could queue: a signed event whose
    payload is nested 990 levels deep, on an existing dossier."""
    row = counter.store.query("SELECT id, code FROM dossiers ORDER BY rowid LIMIT 1")[0]
    body = make_body(dossier_id=row["id"], dossier_code=row["code"], event_type="withdrawn",
                     note="@deep@")
    body["occurred_at"] = iso(now_vn())
    payload = _raw_payload(body, deep=DEEP)
    with counter.store.write() as conn:
        conn.execute(
            "INSERT INTO events (id, dossier_id, type, occurred_at, origin, actor, payload,"
            " signature, recorded_at) VALUES (?, ?, 'withdrawn', ?, 'counter', ?, ?, ?, ?)",
            (body["id"], row["id"], body["occurred_at"], body["actor"], payload,
             clerk_signer.sign(payload), body["occurred_at"]))
        outbox.enqueue(conn, body["id"], body["occurred_at"])
    return body["id"]


def test_batch_with_a_990_level_payload_delivers_the_rest(tmp_path):
    counter = counter_with(tmp_path / "c", 6)
    with demo_signer("clerk1") as clerk:
        bad = _poison(counter, clerk)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        enrol(counter, gstore, server.url)
        r = sync_service.sync_once(counter, EngineConfig(backoff_base=0.01))
        assert r.delivered == 6 and r.parked == 1
        [parked] = syncstate.parked_events(counter)
        assert parked["event_id"] == bad and parked["reason_code"] == "too_deep"
        assert "sâu" in parked["reason_vi"]
        assert bad not in gstore.all_event_ids() and gstore.event_count() == 6
    counter.close()


def test_client_bisects_a_batch_the_gateway_keeps_failing_on(tmp_path):
    """A gateway that answers 500 to any batch holding one event (a bug, an old version): the
    batch fails twice, is halved until that event is alone, which is parked; the rest arrive."""
    counter = counter_with(tmp_path / "c", 9)
    with demo_signer("clerk1") as clerk:
        bad = _poison(counter, clerk)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        token = enrol(counter, gstore, server.url)
        proxy = FaultProxy(server.port).start()
        proxy.add("fail_if_body_has", method="POST", path="events:push", times=10**6,
                  marker=bad.encode())
        from sync.client import GatewayClient

        client = GatewayClient(proxy.url, token, connect_timeout=2, read_timeout=30)
        cfg = EngineConfig(backoff_base=0.01, batch_max_items=50, parallel_batches=1)
        try:
            first = sync_service.sync_once(counter, cfg, client=client)
            assert first.error is not None and first.error.reason == "internal_error"
            assert first.delivered == 0 and outbox_state(counter) == {"pending": 10}
            second = sync_service.sync_once(counter, cfg, client=client)
            assert second.delivered == 9 and second.parked == 1
            [parked] = syncstate.parked_events(counter)
            assert parked["event_id"] == bad and parked["reason_code"] == "gateway_error"
            assert gstore.event_count() == 9
        finally:
            proxy.stop()
    counter.close()


def test_nul_and_control_characters_are_refused_not_500(gw):
    """PostgreSQL cannot store NUL in a text column: such input is refused before any query."""
    url, token, store = gw
    with demo_signer("clerk1") as clerk:
        body = make_body()
        body["actor"] = "lan\x00"
        ev = wire_from_body(body, sign=clerk.sign)
    junk = {"id": "\x00" * 10, "payload": "", "signature": None}
    assert statuses(push(url, token, [ev, junk])) == [("rejected", "malformed"),
                                                      ("rejected", "malformed")]
    r = requests.post(f"{url}{API}/province/act", headers=auth(ADMIN_TOKEN), timeout=10,
                      json={"dossier_code": "X\x00", "action": "fee"})
    assert r.status_code == 422 and r.json()["reason"] == "bad_request"
    assert store.event_count() == 0
