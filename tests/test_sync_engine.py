"""Client sync against a real gateway (real CMS verification, SQLite) on loopback: drain in
bounded batches, park what the gateway rejects without blocking the rest, attachments first,
pull + cursor, catalogue, clock skew, state, wake-up, enrolment secrets, TLS."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import time
from pathlib import Path

import pytest
import requests

from app import intake, queries, sync_service, syncstate
from sync.backoff import Backoff, parse_retry_after
from sync.client import GatewayClient, TlsError, check_gateway_url, server_time_of
from sync.engine import EngineConfig, SyncEngine
from tests.helpers import (
    demo_signer,
    dossier_json,
    gateway_signer,
    make_counter,
    make_pdf,
    pin_demo_gateway,
    until,
)
from tests.sync_support import (
    FaultProxy,
    counter_with,
    enrol,
    fill,
    outbox_state,
    signed_act,
    thread_gateway,
)

FAST = dict(backoff_base=0.02, backoff_cap=0.2, poll_interval=0.2)


# ---- backoff ---------------------------------------------------------------------------------


def test_backoff_full_jitter_capped_and_retry_after():
    import random

    b = Backoff(base=0.5, cap=4.0, rng=random.Random(7))
    ceilings = []
    for _ in range(10):
        d = b.next_delay()
        ceilings.append(b.ceiling())
        assert 0 <= d <= b.ceiling() <= 4.0
    assert ceilings[:4] == [0.5, 1.0, 2.0, 4.0] and max(ceilings) == 4.0
    assert b.next_delay(retry_after=30) >= 30  # the server's wish wins over a short jitter
    assert b.next_delay(retry_after=10_000) == b.max_retry_after  # but bounded
    b.reset()
    assert b.failures == 0 and b.ceiling() == 0
    b.failures = 10_000
    assert b.ceiling() == 4.0  # no overflow


def test_parse_retry_after_seconds_and_http_date():
    assert parse_retry_after("7") == 7
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = 1_800_000_000.0
    import email.utils

    date = email.utils.formatdate(now + 42, usegmt=True)
    assert abs(parse_retry_after(date, now=now) - 42) < 1
    assert parse_retry_after(email.utils.formatdate(now - 5, usegmt=True), now=now) == 0


def test_gateway_url_rules_and_server_time_headers():
    assert check_gateway_url("https://gw.example.vn/api/v1/") == "https://gw.example.vn"
    assert check_gateway_url("http://127.0.0.1:8443") == "http://127.0.0.1:8443"
    with pytest.raises(ValueError, match="loopback"):
        check_gateway_url("http://gw.example.vn")  # a token must never travel in clear
    with pytest.raises(ValueError):
        check_gateway_url("ftp://x")
    assert server_time_of({"X-Server-Time": "2026-11-23T02:00:00.500+00:00"}) == pytest.approx(
        1795399200.5)
    assert server_time_of({"Date": "Mon, 23 Nov 2026 02:00:00 GMT"}) == 1795399200
    assert server_time_of({}) is None


# ---- engine against a real gateway -----------------------------------------------------------


@pytest.fixture
def gw(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, store):
        yield server, store


def event_ids(counter) -> set[str]:
    return {r["id"] for r in counter.store.query("SELECT id FROM events WHERE origin='counter'")}


async def test_drain_in_bounded_batches_then_pull_province_status(tmp_path, gw):
    server, gstore = gw
    counter = counter_with(tmp_path / "c", 30)
    enrol(counter, gstore, server.url)
    proxy = FaultProxy(server.port).start()  # only to count the requests
    client = GatewayClient(proxy.url, (counter.settings.data_dir / "gateway-credential")
                           .read_text())
    # 30 events, at most 7 per batch and 2 in flight, 20 KB of payload+signature per batch
    cfg = EngineConfig(batch_max_items=7, batch_max_bytes=20_000, parallel_batches=2, **FAST)
    engine = SyncEngine(sync_service.CounterSyncStore(counter), client, cfg)
    try:
        r = await engine.run_once()
        assert r.ok and r.delivered == 30 and r.pending == 0, r.to_json()
        pushes = [p for m, p, _ in proxy.seen if p.endswith("events:push")]
        assert len(pushes) >= 5  # 30 / 7 -> at least 5 batches
        assert sorted(gstore.all_event_ids()) == sorted(event_ids(counter))
        assert counter.store.scalar("SELECT count(*) FROM events WHERE synced_at IS NULL") == 0

        code = counter.store.query("SELECT code FROM dossiers ORDER BY rowid LIMIT 1")[0]["code"]
        signed_act(gstore, code, "processing", None)
        signed_act(gstore, code, "result-ready", "Sở Tư pháp đã ký")
        r = await engine.run_once()
        assert r.ok and r.pulled == 2 and r.applied == 2
        assert queries.show(counter, code)["status"] == "result_ready"
        cursor = syncstate.read(counter)["cursor"]
        r = await engine.run_once()  # nothing new: the cursor holds
        assert r.pulled == 0 and syncstate.read(counter)["cursor"] == cursor
        st = syncstate.read(counter)
        assert st["online"] is True and st["last_success"] and st["offline_since"] is None
    finally:
        engine.close()
        proxy.stop()
        counter.close()


def test_rejected_events_are_parked_and_never_block_the_rest(tmp_path, gw):
    """An untrusted signer and a revoked one: both parked with the gateway's reason, the
    events queued behind them still go through; retry-parked re-queues them."""
    server, gstore = gw
    counter = make_counter(tmp_path / "c")
    fill(counter, 2)
    fill(counter, 1, clerk="untrusted")
    fill(counter, 2)
    fill(counter, 1, clerk="clerk3")  # revoked in the gateway's CRL
    fill(counter, 2)
    enrol(counter, gstore, server.url)
    r = sync_service.sync_once(counter, EngineConfig(batch_max_items=3, **FAST))
    assert r.ok and r.delivered == 6 and r.parked == 2, r.to_json()
    parked = syncstate.parked_events(counter)
    reasons = sorted(p["parked_reason"].split(":")[0] for p in parked)
    assert reasons == ["revoked", "untrusted"]
    assert len(gstore.all_event_ids()) == 6
    assert syncstate.read(counter)["parked"] == 2
    # parked, not lost: a clerk can re-queue them (they are refused again here)
    assert sync_service.retry_parked(counter) == 2
    r = sync_service.sync_once(counter, EngineConfig(**FAST))
    assert r.parked == 2 and r.delivered == 0
    counter.close()


def test_attachment_uploaded_before_its_event(tmp_path, gw):
    server, gstore = gw
    counter = make_counter(tmp_path / "c")
    scan = make_pdf(tmp_path / "scan.pdf", pad=300_000)
    with demo_signer() as signer:
        d = intake.receive(counter, intake.parse_request(dossier_json(), [scan]), clerk="lan",
                           signer=signer)
    sha = d["attachments"][0]["sha256"]
    enrol(counter, gstore, server.url)
    r = sync_service.sync_once(counter, EngineConfig(chunk_size=64 * 1024, **FAST))
    assert r.ok and r.delivered == 1 and r.uploaded_bytes == scan.stat().st_size
    assert gstore.read_attachment(sha) == scan.read_bytes()
    # a scan altered on disk is caught before upload: that event parks, others go on
    counter2 = make_counter(tmp_path / "c2", counter_no=2)
    scan2 = make_pdf(tmp_path / "scan2.pdf", pad=1000)
    with demo_signer() as signer:
        d2 = intake.receive(counter2, intake.parse_request(dossier_json(), [scan2]),
                            clerk="lan", signer=signer)
    fill(counter2, 1)
    from localdb.backup import attachment_path

    p = attachment_path(counter2.settings.attachments_dir, d2["attachments"][0]["sha256"])
    os.chmod(p, 0o644)
    p.write_bytes(b"%PDF-1.4\nchanged")
    enrol(counter2, gstore, server.url)
    r = sync_service.sync_once(counter2, EngineConfig(**FAST))
    assert r.delivered == 1 and r.parked == 1
    assert syncstate.parked_events(counter2)[0]["parked_reason"].startswith("attachment_altered")
    counter.close()
    counter2.close()


def test_catalogue_update_from_gateway(tmp_path, gw):
    server, gstore = gw
    counter = counter_with(tmp_path / "c", 1)
    enrol(counter, gstore, server.url)
    shipped = counter.catalogue()
    doc = json.loads(shipped.to_json())
    parts = [int(x) for x in shipped.version.split(".")]
    parts[-1] += 1
    doc["version"] = ".".join(map(str, parts))
    gstore.publish_catalogue(json.dumps(doc, ensure_ascii=False))
    r = sync_service.sync_once(counter, EngineConfig(**FAST))
    assert r.ok and r.catalogue_version == doc["version"], r.to_json()
    assert counter.catalogue().version == doc["version"]
    r = sync_service.sync_once(counter, EngineConfig(**FAST))
    assert r.catalogue_version is None  # 204: nothing newer
    # a broken catalogue is refused (logged, reported) and changes nothing
    parts[-1] += 1
    bad = dict(doc, version=".".join(map(str, parts)), procedures=[{"code": "x"}])
    gstore.publish_catalogue(json.dumps(bad))
    r = sync_service.sync_once(counter, EngineConfig(**FAST))
    assert r.ok and r.catalogue_error and counter.catalogue().version == doc["version"]
    counter.close()


def test_clock_skew_reported_to_state_and_log(tmp_path, gw, caplog):
    server, gstore = gw
    counter = counter_with(tmp_path / "c", 1)
    token = enrol(counter, gstore, server.url)
    # this counter's clock runs 10 minutes late
    client = GatewayClient(server.url, token, clock=lambda: time.time() - 600)
    engine = SyncEngine(sync_service.CounterSyncStore(counter), client, EngineConfig(**FAST))
    with caplog.at_level(logging.WARNING, logger="sync.engine"):
        r = asyncio.run(engine.run_once())
    assert r.ok and 590 < r.clock_skew_seconds < 610
    assert 590 < syncstate.read(counter)["clock_skew_seconds"] < 610
    assert any("this PC's clock is 10 minutes slow" in m for m in caplog.messages)
    engine.close()
    # a right clock clears the warning (small skews are not reported)
    r = sync_service.sync_once(counter, EngineConfig(**FAST))
    assert abs(r.clock_skew_seconds) < 5 and syncstate.read(counter)["clock_skew_seconds"] is None
    counter.close()


async def test_offline_state_then_back_within_seconds_and_wake(tmp_path, gw):
    """Gateway unreachable: state offline since the first failure, nothing parked; when it
    comes back the engine sends again within the backoff cap, and wake() cuts a long wait."""
    server, gstore = gw
    counter = counter_with(tmp_path / "c", 10)
    token = enrol(counter, gstore, server.url)
    proxy = FaultProxy(server.port)  # not started: connection refused
    client = GatewayClient(proxy.url, token, connect_timeout=1, read_timeout=5)
    cfg = EngineConfig(backoff_base=0.2, backoff_cap=1.0, poll_interval=3600)
    engine = SyncEngine(sync_service.CounterSyncStore(counter), client, cfg)
    stop, wake = asyncio.Event(), asyncio.Event()
    rounds = []
    task = asyncio.create_task(engine.run_forever(stop, wake, on_round=rounds.append))
    try:
        assert await until(lambda: len(rounds) >= 3, timeout=60), rounds
        st = syncstate.read(counter)
        assert st["online"] is False and st["last_error_reason"] == "connection"
        since = st["offline_since"]
        assert since and st["pending"] == 10 and st["parked"] == 0
        await asyncio.sleep(0.3)
        assert syncstate.read(counter)["offline_since"] == since  # since the FIRST failure
        proxy.start()
        # the backoff is capped at 1 s, so the engine comes back by itself (no wake needed)
        assert await until(lambda: (lambda st: st["pending"] == 0 and st["online"] is True)(
            syncstate.read(counter)), timeout=60), syncstate.read(counter)
        # now it sleeps for the poll interval (an hour); wake() makes it sync at once
        n = len(rounds)
        fill(counter, 1)
        wake.set()
        assert await until(lambda: len(rounds) > n and syncstate.read(counter)["pending"] == 0,
                           timeout=60), syncstate.read(counter)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        engine.close()
        proxy.stop()
        counter.close()


async def test_start_background_handle(tmp_path, gw):
    server, gstore = gw
    counter = counter_with(tmp_path / "c", 3)
    enrol(counter, gstore, server.url)
    handle = sync_service.start_background(counter, asyncio.get_running_loop(),
                                           EngineConfig(poll_interval=3600))
    for _ in range(100):
        if syncstate.read(counter)["pending"] == 0:
            break
        await asyncio.sleep(0.05)
    assert syncstate.read(counter)["pending"] == 0
    fill(counter, 2)
    handle.wake()
    for _ in range(100):
        if syncstate.read(counter)["pending"] == 0:
            break
        await asyncio.sleep(0.05)
    assert syncstate.read(counter)["pending"] == 0 and len(gstore.all_event_ids()) == 5
    handle.stop()
    await asyncio.wait_for(handle.stopped(), 10)
    assert handle.task.done()
    counter.close()


def test_enrolment_keeps_the_token_out_of_db_and_logs(tmp_path, gw, caplog):
    from sync.gateway.cli import enrolment_string

    server, gstore = gw
    counter = make_counter(tmp_path / "c")
    c, token = gstore.enrol(counter.agency_code, counter.counter_no)
    line = enrolment_string(server.url, c, token)
    with caplog.at_level(logging.DEBUG):
        info = sync_service.enrol(counter, line)
        fill(counter, 1)
        r = sync_service.sync_once(counter, EngineConfig(**FAST))
    assert r.ok and r.delivered == 1
    cred = Path(info["credential_file"])
    assert cred.read_text() == token
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600
    counter.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert token.encode() not in counter.settings.store_path.read_bytes()
    assert token not in caplog.text
    assert token not in repr(sync_service.make_client(counter))
    assert counter.store.get_meta("gateway_url") == server.url
    # a line for another counter is refused, and nothing changes
    other, tok2 = gstore.enrol(counter.agency_code, 7)
    from app.errors import UserError

    with pytest.raises(UserError) as err:
        sync_service.enrol(counter, enrolment_string(server.url, other, tok2))
    assert err.value.code == "wrong_counter"
    assert cred.read_text() == token
    counter.close()


def test_revoked_credential_is_an_auth_error_nothing_parked(tmp_path, gw):
    server, gstore = gw
    counter = counter_with(tmp_path / "c", 2)
    enrol(counter, gstore, server.url)
    gstore.revoke(gstore.list_counters()[-1].id)
    r = sync_service.sync_once(counter, EngineConfig(**FAST))
    assert r.error is not None and r.error.reason == "counter_revoked" and not r.offline
    assert outbox_state(counter) == {"pending": 2}
    assert syncstate.read(counter)["last_error_reason"] == "counter_revoked"
    counter.close()


# ---- TLS -------------------------------------------------------------------------------------


def test_tls_right_ca_works_wrong_ca_fails_clearly(tmp_path, monkeypatch):
    from sync.gateway import GatewayConfig, create_app
    from sync.gateway.server import GatewayServer
    from sync.gateway.store import open_store
    from tests.sync_support import ADMIN_TOKEN, real_verifier
    from tests.tls_support import make_ca, make_server_cert

    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    ca_key, ca = make_ca("MotCua Test Province CA")
    _, other_ca = make_ca("Some Other CA")
    key, cert = make_server_cert(ca_key, ca)
    files = {n: tmp_path / f"{n}.pem" for n in ("ca", "other", "cert", "key")}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["other"].write_bytes(other_ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    # the machine-wide bundle must not override the configured one
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(files["other"]))
    store = open_store(None, tmp_path / "gw")
    app = create_app(GatewayConfig(data_dir=tmp_path / "gw", verifier=real_verifier(),
                                   admin_token=ADMIN_TOKEN, store=store))
    counter = counter_with(tmp_path / "c", 3)
    with GatewayServer(app, tls_cert=files["cert"], tls_key=files["key"]) as server:
        assert server.url.startswith("https://")
        token = enrol(counter, store, server.url, ca_bundle=files["other"])
        r = sync_service.sync_once(counter, EngineConfig(**FAST))
        assert r.error is not None and r.error.reason == "tls_untrusted" and r.offline
        assert "CA bundle" in r.error.detail and str(files["other"]) in r.error.detail
        assert outbox_state(counter) == {"pending": 3}  # nothing parked, nothing lost
        with pytest.raises(TlsError):
            GatewayClient(server.url, token, ca_bundle=files["other"]).server_time()
        sync_service.enrol(counter, server.url, token=token, ca_bundle=files["ca"])
        r = sync_service.sync_once(counter, EngineConfig(**FAST))
        assert r.ok and r.delivered == 3
        with pytest.raises(requests.exceptions.SSLError):  # sanity: the listener is real TLS
            requests.get(f"{server.url}/api/v1/health", timeout=5, verify=str(files["other"]))
    store.close()
    counter.close()


def test_apply_pulled_cursor_and_events_commit_together(tmp_path):
    """A failure while applying a page leaves neither the events nor the cursor."""
    counter = counter_with(tmp_path / "c", 1)
    d = counter.store.query("SELECT id, code FROM dossiers")[0]
    from sync.wire import province_event

    pin_demo_gateway(counter)
    with gateway_signer() as gw:
        ev = province_event(dossier_id=d["id"], dossier_code=d["code"], event_type="result_ready",
                            signer=gw)
        bad = province_event(dossier_id=d["id"], dossier_code=d["code"],
                             event_type="result_ready", event_id=ev.id,
                             note="other bytes under the same id", signer=gw)
        later = province_event(dossier_id=d["id"], dossier_code=d["code"],
                               event_type="processing", signer=gw)
    st = sync_service.CounterSyncStore(counter)
    st.apply_pulled([ev], "0000000000000005")
    assert st.cursor() == "0000000000000005"
    from app import remote

    orig = remote.apply_signed_events

    def boom(c, events, **kw):
        orig(c, events, **kw)
        raise RuntimeError("crash after applying, before commit")

    remote.apply_signed_events = boom
    try:
        with pytest.raises(RuntimeError):
            st.apply_pulled([later], "0000000000000009")
    finally:
        remote.apply_signed_events = orig
    assert st.cursor() == "0000000000000005"
    assert counter.store.scalar("SELECT count(*) FROM events WHERE origin='province'") == 1
    stats = st.apply_pulled([ev, bad], "0000000000000010")  # repeat + conflicting bytes
    assert stats["duplicate"] == 1 and stats["conflict"] == 1
    counter.close()


async def test_pipelined_drain_holds_a_bounded_number_of_events(tmp_path, gw):
    """However long the outbox, the engine holds at most `parallel_batches` batches, and at
    most `max_inflight_bytes` (plus the batch that crossed it) of events read but not yet
    answered; every event is delivered exactly once, in outbox order per batch."""
    server, gstore = gw
    counter = counter_with(tmp_path / "c", 30)
    enrol(counter, gstore, server.url)
    held = {"items": 0, "bytes": 0, "max_items": 0, "max_bytes": 0, "batches": 0,
            "max_batches": 0}
    sizes: dict[str, int] = {}

    class Watched(sync_service.CounterSyncStore):
        def pending_batch(self, max_items, max_bytes, after_seq=0):
            items = super().pending_batch(max_items, max_bytes, after_seq)
            if items:
                held["batches"] += 1
                for i in items:
                    sizes[i["id"]] = len(i["payload"]) + len(i["signature"] or b"")
                    held["items"] += 1
                    held["bytes"] += sizes[i["id"]]
                for k in ("items", "bytes", "batches"):
                    held[f"max_{k}"] = max(held[f"max_{k}"], held[k])
            return items

        def record_results(self, delivered, parked, tsts=None):
            super().record_results(delivered, parked, tsts)
            for eid in [*delivered, *(p[0] for p in parked)]:
                held["items"] -= 1
                held["bytes"] -= sizes.pop(eid)
            held["batches"] -= 1

    one = max(len(p) + len(s) for p, s in counter.store.conn.execute(
        "SELECT payload, signature FROM events"))
    cfg = EngineConfig(batch_max_items=4, batch_max_bytes=10 * one, parallel_batches=3,
                       max_inflight_bytes=6 * one, pull=False, catalogue=False, **FAST)
    client = GatewayClient(server.url, (counter.settings.data_dir / "gateway-credential")
                           .read_text())
    engine = SyncEngine(Watched(counter), client, cfg)
    try:
        r = await engine.run_once()
        assert r.ok and r.delivered == 30 and r.pending == 0, r.to_json()
        assert sorted(gstore.all_event_ids()) == sorted(event_ids(counter))
        assert held["items"] == 0 and held["bytes"] == 0
        assert held["max_batches"] <= 3
        assert held["max_items"] <= 3 * 4
        assert held["max_bytes"] <= 6 * one + 4 * one  # the budget plus the batch crossing it
    finally:
        engine.close()
        counter.close()


async def test_a_follow_up_waits_for_its_receipt_in_flight(tmp_path, gw):
    """Receipt and follow-up of one dossier sit next to each other in the outbox; with one
    event per batch and three batches in flight, the follow-up is never sent while its
    receipt's batch is unanswered (the gateway would refuse it as an unknown dossier), and
    everything is delivered, nothing parked."""
    from app import actions

    server, gstore = gw
    counter = make_counter(tmp_path / "c")
    with demo_signer("clerk1", counter) as signer:
        for _ in range(4):
            d = intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan",
                               signer=signer)
            actions.request_supplement(counter, d["code"], [{"name": "Giấy chứng sinh",
                                                             "form": "original"}],
                                       reason="Thiếu bản chính", clerk="lan", signer=signer)
    enrol(counter, gstore, server.url)
    in_flight: dict[str, int] = {}
    overlaps: list[str] = []

    real_push = SyncEngine._push

    async def watched_push(self, batch, isolating=False):
        for i in batch:
            if in_flight.get(i["dossier_id"]):
                overlaps.append(i["id"])
            in_flight[i["dossier_id"]] = in_flight.get(i["dossier_id"], 0) + 1
        try:
            return await real_push(self, batch, isolating)
        finally:
            for i in batch:
                in_flight[i["dossier_id"]] -= 1

    cfg = EngineConfig(batch_max_items=1, parallel_batches=3, pull=False, catalogue=False,
                       **FAST)
    client = GatewayClient(server.url, (counter.settings.data_dir / "gateway-credential")
                           .read_text())
    engine = SyncEngine(sync_service.CounterSyncStore(counter), client, cfg)
    engine._push = watched_push.__get__(engine)  # type: ignore[method-assign]
    try:
        r = await engine.run_once()
        assert r.ok and r.delivered == 8 and r.parked == 0 and r.pending == 0, r.to_json()
        assert overlaps == []
        assert sorted(gstore.all_event_ids()) == sorted(event_ids(counter))
    finally:
        engine.close()
        counter.close()
