"""What proves that the province holds an event (issue 10, attacker variant).

An attacker with the store file deletes a dossier's outbox rows AND sets `events.synced_at` on
its events: the counter would believe the province holds events that never left. `synced_at`
is signed by nobody, so an own event counts as acknowledged only with proof from outside the
file — the gateway's RFC 3161 token over that event's signature value (when the gateway
time-stamps), or the gateway's own answer online (`audit verify`, `GET /api/v1/witness`).

Real parts only: a real SQLite store with really signed dossiers, the real gateway (real CMS
verifier, a real TSA with its own certificate) on 127.0.0.1, the attacker with plain sqlite3.
"""

from __future__ import annotations

import base64
import json
import sqlite3

import pytest

from app import remote, repair, signatures, sync_service
from signing import tsa
from sync.client import GatewayClient
from sync.engine import EngineConfig
from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from sync.gateway.service import ingest
from sync.gateway.store import open_store
from sync.wire import WireEvent
from tests.helpers import gateway_signer, make_counter, motcua, shared_pki
from tests.sync_support import enrol, fill, real_verifier

FAST = dict(backoff_base=0.02, backoff_cap=0.2, poll_interval=0.2)


def _server(store, tmp_path, *, time_stamps: bool = True, port: int | None = None):
    """The real gateway over ``store``, with the demo TSA (or without one)."""
    pki = shared_pki()
    authority = tsa.TimeStampAuthority.from_files(pki.tsa_pem, pki.tsa_key_pem) \
        if time_stamps else None
    app = create_app(GatewayConfig(data_dir=tmp_path / "gw", verifier=real_verifier(),
                                   store=store, tsa=authority, signer=gateway_signer()))
    return GatewayServer(app, port=port)


def _events_of(counter, code):
    return counter.store.query(
        "SELECT e.id, e.synced_at, e.tst FROM events e JOIN dossiers d ON d.id = e.dossier_id "
        "WHERE d.code = ? ORDER BY e.seq", (code,))


def _attacker(counter) -> sqlite3.Connection:
    """A plain sqlite3 connection on the store file, append-only triggers dropped."""
    c = sqlite3.connect(counter.store.path, isolation_level=None)
    for t in ("events_append_only", "events_no_delete", "events_tst_once"):
        c.execute(f"DROP TRIGGER IF EXISTS {t}")
    return c


def _mark_sent(c: sqlite3.Connection, code: str) -> int:
    """Delete the dossier's outbox rows and mark its events sent: nothing left to send."""
    ids = [r[0] for r in c.execute("SELECT e.id FROM events e JOIN dossiers d ON "
                                   "d.id = e.dossier_id WHERE d.code = ?", (code,))]
    c.executemany("DELETE FROM outbox WHERE event_id = ?", [(i,) for i in ids])
    c.executemany("UPDATE events SET synced_at = '2026-11-23T10:00:00+07:00' WHERE id = ?",
                  [(i,) for i in ids])
    return len(ids)


def test_events_marked_sent_without_a_token_are_named_requeued_and_delivered(tmp_path):
    counter = make_counter(tmp_path / "c")
    fill(counter, 2)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        hidden, kept = fill(counter, 2)  # made after the last sync: still queued
        assert repair.findings(counter) == []
        # the attack: outbox rows gone, events marked sent — nothing would ever send them
        c = _attacker(counter)
        assert _mark_sent(c, hidden) == 1
        c.close()
        data = counter.settings.data_dir
        status = json.loads(motcua("sync", "status", "--json", data_dir=data).stdout)
        assert status["pending"] == 1  # only `kept`: the hidden one looks delivered…
        assert status["unacknowledged"] == 1  # …but has no token: said
        words = motcua("sync", "status", data_dir=data, lang="en").stdout
        assert "WARNING: events marked sent but not acknowledged by the gateway (no time-stamp" \
            " token): 1" in words
        found = [f for f in repair.findings(counter) if f["kind"] == "not_acknowledged"]
        assert [f["code"] for f in found] == [hidden]
        out = motcua("check", data_dir=data)
        assert out.returncode == 1 and hidden in out.stdout and kept not in out.stdout
        assert "cổng tỉnh chưa xác nhận" in out.stdout and "không có dấu thời gian" in out.stdout
        out = motcua("check", data_dir=data, lang="en")
        assert "marked sent but not acknowledged by the gateway (no time-stamp token)" \
            in out.stdout
        ver = motcua("verify", data_dir=data, lang="en")
        assert ver.returncode == 1 and f"dossier {hidden}: the «received at the counter» event is "\
            "marked sent but not acknowledged" \
            in ver.stdout
        assert [p["code"] for p in signatures.verify_store(counter).problems
                if p["problem"] == "not_acknowledged"] == [hidden]
        # repair re-queues it (audited), a sync delivers it to the province
        r = motcua("repair", "--json", data_dir=data)
        assert r.returncode == 0 and json.loads(r.stdout)["requeued"] == 1
        last = counter.store.query("SELECT action, detail FROM audit ORDER BY seq DESC LIMIT 1")
        assert last[0]["action"] == "store.repair"
        assert json.loads(last[0]["detail"])["unacknowledged"] == 1
        assert _events_of(counter, hidden)[0]["synced_at"] is None  # shown as not sent
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        held = set(store.all_event_ids())
        assert {e["id"] for e in _events_of(counter, hidden)} <= held
        assert all(e["tst"] is not None for e in _events_of(counter, hidden))
    store.close()
    assert repair.findings(counter) == []
    assert signatures.verify_store(counter).problems == []
    counter.close()


def test_a_token_copied_from_another_event_is_no_proof(tmp_path):
    counter = make_counter(tmp_path / "c")
    first, = fill(counter, 1)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        hidden, = fill(counter, 1)
        c = _attacker(counter)
        _mark_sent(c, hidden)
        genuine = bytes(_events_of(counter, first)[0]["tst"])
        c.execute("UPDATE events SET tst = ? WHERE id = ?",
                  (genuine, _events_of(counter, hidden)[0]["id"]))
        c.close()
        found = [f for f in repair.findings(counter) if f["kind"] == "not_acknowledged"]
        assert [(f["code"], f["why"]) for f in found] == [(hidden, "token_invalid")]
        assert "invalid time-stamp token" in found[0]["en"]
        done = repair.repair(counter)
        assert done["requeued"] == 1
        assert _events_of(counter, hidden)[0]["tst"] is None  # the copy is gone
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        ev = _events_of(counter, hidden)[0]
        assert ev["id"] in store.all_event_ids() and ev["tst"] is not None
        assert bytes(ev["tst"]) != genuine
    store.close()
    assert repair.findings(counter) == []
    with_trigger = counter.store.conn  # the write-once trigger is back after the repair
    try:
        with_trigger.execute("UPDATE events SET tst = x'00'")
        raise AssertionError("the token trigger was not re-created")
    except sqlite3.DatabaseError:
        pass
    counter.close()


def test_stored_without_a_token_gets_one_when_the_retry_is_a_duplicate(tmp_path):
    """The gateway stored the events but stopped before stamping them (here: it stored them
    through the same ingest without its TSA, as a gateway that crashed between the two would
    leave them); the counter never got the answer and pushes again: the answer is
    `duplicate` and now carries a token issued over the signature the gateway stored."""
    counter = make_counter(tmp_path / "c")
    codes = fill(counter, 3)
    store = open_store(None, tmp_path / "gw")
    gcounter, token = store.enrol(counter.agency_code, counter.counter_no)
    batch = sync_service.CounterSyncStore(counter).pending_batch(10, 1 << 20)
    from sync.engine import wire_json

    first = ingest(store, real_verifier(), gcounter, [wire_json(i) for i in batch])
    assert {r.status for r in first} == {"accepted"} and all(r.tst is None for r in first)
    assert store.time_stamps([i["id"] for i in batch]) == {}
    with _server(store, tmp_path) as server:
        again = GatewayClient(server.url, token).push([wire_json(i) for i in batch[:1]])
        assert again[0].status == "duplicate" and again[0].tst
        issued = base64.b64decode(again[0].tst)
        assert store.time_stamps([batch[0]["id"]]) == {batch[0]["id"]: issued}  # kept
        sync_service.enrol(counter, server.url, token=token,
                           gateway_cert_sha256=_demo_pin())
        r = sync_service.sync_once(counter, EngineConfig(**FAST))
        assert r.ok and r.delivered == 3
    store.close()
    stamped = {e["id"]: e["tst"] for code in codes for e in _events_of(counter, code)}
    assert all(t is not None for t in stamped.values())
    assert bytes(stamped[batch[0]["id"]]) == issued  # the same token, issued once
    assert signatures.verify_store(counter).timestamped == 3
    counter.close()


def test_a_pulled_event_waiting_for_its_dossier_keeps_its_token(tmp_path):
    c1 = make_counter(tmp_path / "c1", counter_no=1)
    c2 = make_counter(tmp_path / "c2", counter_no=2)
    code, = fill(c1, 1)
    from app import actions
    from tests.helpers import demo_signer

    with demo_signer("clerk1") as s:
        actions.request_supplement(c1, code, [{"name": "Bản sao CCCD"}], reason="thiếu",
                                   clerk="lan", signer=s)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path) as server:
        enrol(c1, store, server.url)
        t2 = enrol(c2, store, server.url)
        assert sync_service.sync_once(c1, EngineConfig(**FAST)).ok
        page = GatewayClient(server.url, t2).pull(None, 100)
    store.close()
    assert len(page.events) == 2 and set(page.tsts) == {e.id for e in page.events}
    received, follow_up = page.events
    # the follow-up arrives first (another source, a LAN peer, a cursor replay): it waits
    stats = remote.apply_signed_events(c2, [follow_up], tsts=page.tsts)
    assert stats.waiting == 1
    stats = remote.apply_signed_events(c2, [received], tsts={received.id: page.tsts[received.id]})
    assert c2.store.scalar("SELECT count(*) FROM pulled_waiting") == 0
    tokens = {r["id"]: r["tst"] for r in c2.store.query("SELECT id, tst FROM events")}
    assert {k: base64.b64encode(bytes(v)).decode() for k, v in tokens.items()} == page.tsts
    assert signatures.verify_store(c2).problems == []
    assert isinstance(follow_up, WireEvent)
    c1.close()
    c2.close()


def test_a_gateway_without_tsa_is_remembered_and_check_stays_quiet(tmp_path):
    """Without a TSA nothing in the file can prove an acknowledgement: `check` does not
    report every sent event; the online comparison (`audit verify`) is the proof there."""
    from app.timestamps import gateway_time_stamps

    counter = make_counter(tmp_path / "c")
    fill(counter, 1)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path, time_stamps=False) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        assert gateway_time_stamps(counter.store.conn) is None
    port = server.port
    with _server(store, tmp_path, port=port) as server:  # the province adds a TSA
        fill(counter, 1)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        assert gateway_time_stamps(counter.store.conn) is True
        # the event sent before the TSA has no token: reported, re-queued, stamped
        assert [f["kind"] for f in repair.findings(counter)] == ["not_acknowledged"]
        assert repair.repair(counter)["requeued"] == 1
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        assert repair.findings(counter) == []
    with _server(store, tmp_path, time_stamps=False, port=port):  # and removes it again
        fill(counter, 1)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        assert gateway_time_stamps(counter.store.conn) is False
        assert repair.findings(counter) == []
    store.close()
    actions = [r["action"] for r in counter.store.query("SELECT action FROM audit")]
    assert actions.count("sync.time_stamps") == 2
    counter.close()


def _demo_pin() -> str:
    from tests.sync_support import demo_gateway_sha256

    return demo_gateway_sha256()


# ---- the gateway's own answer: what it holds of this counter's chain ------------------------

def test_without_tsa_audit_verify_asks_the_gateway_and_repair_requeues(tmp_path):
    """No TSA: nothing in the file proves an acknowledgement, so `check` cannot tell; online,
    `audit verify` compares with the gateway's copy of the counter chain and names the
    dossier; `repair` (online) re-queues it; a sync delivers it."""
    counter = make_counter(tmp_path / "c")
    fill(counter, 1)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path, time_stamps=False) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        hidden, kept = fill(counter, 2)
        c = _attacker(counter)
        _mark_sent(c, hidden)
        c.close()
        data = counter.settings.data_dir
        assert [f for f in repair.findings(counter) if f["kind"] == "not_acknowledged"] == []
        out = motcua("audit", "verify", data_dir=data, lang="en")
        assert out.returncode == 1, out.stdout + out.stderr
        assert "the gateway does not hold 1 event(s) this counter marks as sent" in out.stdout
        assert hidden in out.stdout and kept not in out.stdout
        vi = motcua("audit", "verify", data_dir=data)
        assert "cổng tỉnh không có 1 sự kiện mà quầy ghi là đã gửi" in vi.stdout
        r = motcua("repair", "--json", data_dir=data)
        assert r.returncode == 0 and json.loads(r.stdout)["requeued"] == 1
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        assert {e["id"] for e in _events_of(counter, hidden)} <= set(store.all_event_ids())
        ok = motcua("audit", "verify", data_dir=data, lang="en")
        assert ok.returncode == 0, ok.stdout
        # the newest dossier deleted here after it reached the province: the gateway has it
        c = _attacker(counter)
        ids = [e["id"] for e in _events_of(counter, kept)]
        c.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in ids])
        c.execute("DELETE FROM dossiers WHERE code = ?", (kept,))
        c.close()
        gone = motcua("audit", "verify", data_dir=data, lang="en")
        assert gone.returncode == 1
        assert "the gateway holds this counter's event(s) #3 that the store no longer has" \
            in gone.stdout
    store.close()
    counter.close()


def test_the_gateway_records_gaps_and_forks_of_a_counter_chain(tmp_path):
    """Events of one counter may arrive out of order (parallel batches): the gateway accepts
    them and reports the gap until it closes. A counter restored from an old copy reuses its
    numbers: both events are accepted and the fork is reported — to the counter (`audit
    verify`) and to the operator (`motcua-gateway chains`)."""
    import shutil
    import subprocess
    import sys

    from app import actions
    from app.context import open_counter
    from app.settings import Settings
    from sync.engine import wire_json
    from tests.helpers import demo_signer

    counter = make_counter(tmp_path / "a")
    codes = fill(counter, 3)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path, time_stamps=False) as server:
        token = enrol(counter, store, server.url)
        batch = sync_service.CounterSyncStore(counter).pending_batch(10, 1 << 20)
        client = GatewayClient(server.url, token)
        assert {r.status for r in client.push([wire_json(batch[0]), wire_json(batch[2])])} \
            == {"accepted"}
        rep = store.counter_chain_report(counter.agency_code, counter.counter_no)
        assert rep["held"] == [[1, 1], [3, 3]] and rep["gaps"] == [[2, 2]]
        assert rep["forks"] == [] and rep["breaks"] == []
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok  # #2 arrives late
        rep = store.counter_chain_report(counter.agency_code, counter.counter_no)
        assert rep["held"] == [[1, 3]] and rep["gaps"] == [] and rep["last"]["seq"] == 3
        assert motcua("audit", "verify", data_dir=counter.settings.data_dir).returncode == 0
        # a copy of this counter (an old backup put back on a second PC) acts on its own
        counter.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counter.close()
        shutil.copytree(tmp_path / "a", tmp_path / "b")
        a = open_counter(Settings(data_dir=tmp_path / "a"))
        b = open_counter(Settings(data_dir=tmp_path / "b"))
        with demo_signer("clerk1") as s:
            for c, why in ((a, "thiếu bản sao"), (b, "thiếu ảnh")):
                actions.request_supplement(c, codes[0], [{"name": "Bản sao CCCD"}], reason=why,
                                           clerk="lan", signer=s)
        assert sync_service.sync_once(a, EngineConfig(**FAST)).ok
        assert sync_service.sync_once(b, EngineConfig(**FAST)).ok
        rep = store.counter_chain_report(a.agency_code, a.counter_no)
        assert rep["forks"] == [4] and rep["held"] == [[1, 4]]
        out = motcua("audit", "verify", data_dir=a.settings.data_dir, lang="en")
        assert out.returncode == 1
        assert "the gateway received two different events numbered #4 from this counter" \
            in out.stdout
        a.close()
        b.close()
    store.close()
    ops = subprocess.run([sys.executable, "-m", "sync.gateway", "chains", "--data-dir",
                          str(tmp_path / "gw"), "--json"], capture_output=True, text=True,
                         timeout=120)
    assert ops.returncode == 1, ops.stderr
    (row,) = json.loads(ops.stdout)
    assert (row["counter_no"], row["forks"], row["gaps"]) == (1, [4], [])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def gstore(request, tmp_path):
    from tests.gateway_support import gateway_store

    store = gateway_store(request.param, tmp_path)
    yield store
    store.close()


def test_chain_report_on_both_stores_and_the_upgrade_backfill(gstore):
    """SQLite and PostgreSQL record and report alike: out-of-order arrival, a gap, a fork, a
    break (an event naming another predecessor); a gateway upgraded from schema v4 rebuilds
    the record from the events it already holds."""
    from tests.gateway_support import make_body, stub_verifier, wire_from_body

    counter, _ = gstore.enrol("000.20.27.H57", 1)

    def ev(seq, prev):
        body = make_body()
        body.update(v=2, counter_seq=seq, counter_prev=prev)
        return wire_from_body(body)

    def digest(w):
        import hashlib

        return hashlib.sha256(base64.b64decode(w["payload"])).hexdigest()

    e1 = ev(1, None)
    e2 = ev(2, digest(e1))
    e3 = ev(3, digest(e2))
    e3_fork = ev(3, digest(e2))
    e6 = ev(6, "0" * 64)
    e7 = ev(7, "f" * 64)  # names something else than #6: a break
    res = ingest(gstore, stub_verifier, counter, [e3, e1, e6])  # out of order: accepted
    assert [r.status for r in res] == ["accepted"] * 3
    res = ingest(gstore, stub_verifier, counter, [e2, e3_fork, e7, e1])
    assert [r.status for r in res] == ["accepted", "accepted", "accepted", "duplicate"]
    expected = {"events": 6, "last_seq": 7, "held": [[1, 3], [6, 7]], "gaps": [[4, 5]],
                "forks": [3], "breaks": [7], "truncated": False}
    rep = gstore.counter_chain_report("000.20.27.H57", 1)
    assert {k: rep[k] for k in expected} == expected
    assert rep["last"] == {"seq": 7, "hash": digest(e7)}
    assert gstore.chain_counters() == [("000.20.27.H57", 1)]
    # an upgrade from v4: the table is rebuilt from the stored events
    with gstore._write(events_lock=True) as tx:
        tx.execute("DROP TABLE counter_chain")
        tx.execute("DROP TABLE audit_witness_breaks")  # (v6, tests/test_witness.py)
        tx.execute("ALTER TABLE audit_witness DROP COLUMN verified")
        tx.execute("UPDATE schema_version SET version = 4")
    gstore.migrate()
    again = gstore.counter_chain_report("000.20.27.H57", 1)
    assert again == rep


def test_the_demo_counter_is_clean_after_its_first_sync(tmp_path):
    """`motcua demo` runs its gateway with a TSA: after a sync every own event carries a token
    the demo counter trusts, so `check` and `verify` say nothing about acknowledgement."""
    from app.context import open_counter
    from app.demo import prepare
    from app.demo_gateway import start_demo_gateway
    from app.settings import Settings
    from app.timestamps import gateway_time_stamps

    demo = prepare(tmp_path / "demo")
    _url, gw = start_demo_gateway(demo)
    try:
        with open_counter(Settings(data_dir=demo.data_dir)) as counter:
            r = sync_service.sync_once(counter, EngineConfig(**FAST))
            assert r.ok and r.delivered >= 1
            assert gateway_time_stamps(counter.store.conn) is True
            assert repair.findings(counter) == []
            report = signatures.verify_store(counter)
            assert [p for p in report.problems if p["problem"] == "not_acknowledged"] == []
            assert report.timestamped >= r.delivered
    finally:
        gw.stop()


def test_sync_status_warns_about_events_dropped_from_the_send_queue(tmp_path):
    """The attack: the outbox rows of events not yet sent are deleted (nothing else touched).
    `sync status` must not show "nothing pending" silently: it counts them, in both languages,
    and the count goes once `repair` queues them again."""
    counter = make_counter(tmp_path / "c")
    dropped, kept = fill(counter, 2)
    c = _attacker(counter)
    c.execute("DELETE FROM outbox WHERE event_id IN (SELECT e.id FROM events e JOIN dossiers d "
              "ON d.id = e.dossier_id WHERE d.code = ?)", (dropped,))
    c.close()
    data = counter.settings.data_dir
    status = json.loads(motcua("sync", "status", "--json", data_dir=data).stdout)
    assert status["pending"] == 1 and status["unqueued"] == 1
    vi = motcua("sync", "status", data_dir=data).stdout
    assert "CẢNH BÁO: sự kiện chưa gửi mà không còn trong hàng đợi gửi (sẽ không bao giờ đến " \
        "tỉnh): 1 — chạy 'motcua check' rồi 'motcua repair'" in vi
    en = motcua("sync", "status", data_dir=data, lang="en").stdout
    assert "WARNING: events not sent and no longer in the send queue (they would never reach " \
        "the province): 1" in en and "CẢNH BÁO" not in en
    out = motcua("check", data_dir=data)
    assert out.returncode == 1 and dropped in out.stdout and kept not in out.stdout
    assert motcua("repair", data_dir=data).returncode == 0
    status = json.loads(motcua("sync", "status", "--json", data_dir=data).stdout)
    assert status["pending"] == 2 and status["unqueued"] == 0
    assert "CẢNH BÁO" not in motcua("sync", "status", data_dir=data).stdout
    counter.close()


def test_bytes_rewritten_after_acknowledgement_are_named_not_called_unacknowledged(tmp_path):
    """The attack: the signed bytes of an event the gateway acknowledged are rewritten (a new
    applicant name), signature and token kept. `verify` names the rewrite; it must not also
    say "marked sent but not acknowledged … run 'motcua repair'": the token does prove that
    the gateway received this signature, and `check`/`repair` (which judge the token the
    same way) find nothing to re-send."""
    counter = make_counter(tmp_path / "c")
    code, = fill(counter, 1)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
    store.close()
    ev = _events_of(counter, code)[0]
    assert ev["tst"] is not None
    payload, = counter.store.conn.execute("SELECT payload FROM events WHERE id = ?",
                                          (ev["id"],)).fetchone()
    body = json.loads(bytes(payload))
    body["data"]["applicant"]["full_name"] = "Kẻ Giả Mạo"
    c = _attacker(counter)
    c.execute("UPDATE events SET payload = ? WHERE id = ?",
              (json.dumps(body, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode(), ev["id"]))
    from localdb.crosscheck import expected_triggers

    for name in ("events_append_only", "events_no_delete", "events_tst_once"):
        c.execute(expected_triggers()[name])  # put back, as a careful attacker does
    c.close()
    data = counter.settings.data_dir
    ver = motcua("verify", data_dir=data)
    assert ver.returncode == 1
    assert f"{code}: sự kiện «tiếp nhận hồ sơ»" in ver.stdout and "thay đổi sau khi ký" in ver.stdout
    assert "chưa xác nhận" not in ver.stdout and "motcua repair" not in ver.stdout
    en = motcua("verify", data_dir=data, lang="en")
    assert en.returncode == 1 and "not acknowledged" not in en.stdout
    assert [p for p in signatures.verify_store(counter).problems
            if p["problem"] == "not_acknowledged"] == []
    assert [f for f in repair.findings(counter) if f["kind"] == "not_acknowledged"] == []
    counter.close()


def test_events_deleted_with_holes_between_them_are_named_one_by_one(tmp_path):
    """Two dossiers deleted after they reached the province, a kept one between them: the
    online `audit verify` names #1 and #3, not "#1–#3 (2)" (which would take in #2)."""
    counter = make_counter(tmp_path / "c")
    first, kept, last = fill(counter, 3)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        c = _attacker(counter)
        for code in (first, last):
            ids = [e["id"] for e in _events_of(counter, code)]
            c.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in ids])
            c.execute("DELETE FROM dossiers WHERE code = ?", (code,))
        c.close()
        data = counter.settings.data_dir
        en = motcua("audit", "verify", data_dir=data, lang="en")
        assert en.returncode == 1
        assert "the gateway holds this counter's event(s) #1, #3 that the store no longer has" \
            in en.stdout
        vi = motcua("audit", "verify", data_dir=data)
        assert vi.returncode == 1 and "cổng tỉnh giữ sự kiện số #1, #3 của quầy này" in vi.stdout
    store.close()
    counter.close()


def test_a_relabelled_origin_is_not_called_deleted_by_the_online_comparison(tmp_path):
    """The attack: an own event that reached the province relabelled `province` in the store
    (its signed body still says counter). The online `audit verify` names the relabel; it
    must not also say the gateway holds an event "the store no longer has"."""
    counter = make_counter(tmp_path / "c")
    code, _ = fill(counter, 2)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        c = _attacker(counter)
        c.execute("UPDATE events SET origin = 'province' WHERE id = ?",
                  (_events_of(counter, code)[0]["id"],))
        from localdb.crosscheck import expected_triggers

        for name in ("events_append_only", "events_no_delete", "events_tst_once"):
            c.execute(expected_triggers()[name])
        c.close()
        data = counter.settings.data_dir
        en = motcua("audit", "verify", data_dir=data, lang="en")
        assert en.returncode == 1 and "its origin label was changed" in en.stdout
        assert "no longer has" not in en.stdout
        vi = motcua("audit", "verify", data_dir=data)
        assert vi.returncode == 1 and "nhãn nguồn đã bị đổi" in vi.stdout
        assert "không còn (bị xoá?)" not in vi.stdout
    store.close()
    counter.close()
