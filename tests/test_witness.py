"""The gateway's audit witness is computed by the gateway from the rows a counter sends.

Each sync round sends the audit rows after the head the gateway witnesses; the gateway
recomputes the chain from the (seq, hash) it holds and keeps the head *it* computed. Rows that
do not continue the witnessed chain (a witnessed row rewritten, deleted or inserted in the
store file) move nothing and are recorded; online `motcua audit verify` names them (exit 1),
`motcua-gateway chains` / `witness` list them. Honest paths (many rounds, a long first log in
pieces, parallel batches, a restore followed by `sync recover`) record no break.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import storeops, sync_service
from app.context import open_counter
from localdb import audit
from sync.engine import EngineConfig
from sync.gateway.store import AUDIT_GENESIS, audit_row_hash
from tests.helpers import make_counter, motcua
from tests.sync_support import enrol, fill, thread_gateway

FAST = dict(backoff_base=0.02, backoff_cap=0.2, poll_interval=0.2)


def _rewrite(counter, seq: int) -> None:
    """The attacker: plain sqlite3 on the store file, triggers dropped, row ``seq`` rewritten,
    the whole chain and the meta head recomputed (the triggers put back)."""
    c = sqlite3.connect(counter.store.path, isolation_level=None)
    c.execute("DROP TRIGGER IF EXISTS audit_no_update")
    c.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    rows = c.execute("SELECT seq, at, actor, counter, action, subject, detail FROM audit "
                     "ORDER BY seq").fetchall()
    c.execute("DELETE FROM audit")
    prev = audit.GENESIS
    for s, at, actor, ctr, action, subject, detail in rows:
        if s == seq:
            actor = "someone-else"
        digest = audit._row_hash(prev, s, at, actor, ctr, action, subject, detail)
        c.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (s, at, actor, ctr, action, subject, detail, prev, digest))
        prev = digest
    c.execute("UPDATE meta SET value = ? WHERE key = ?", (f"{rows[-1][0]}:{prev}", audit.HEAD_KEY))
    c.close()


def _head(counter) -> tuple[int, str]:
    r = counter.store.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")[0]
    return int(r["seq"]), str(r["hash"])


def test_the_row_hash_is_the_counters():
    rows = [[1, "2026-12-01T09:00:00+07:00", "lan", "01", "dossier.receive", "X-1",
             '{"event_id":"e1","note":"Nguyễn Văn Ánh"}'],
            [2, "2026-12-01T09:01:00+07:00", "sync", "01", "sync.time_stamps", "", "{}"]]
    prev = AUDIT_GENESIS
    for r in rows:
        mine = audit._row_hash(prev, *r)
        assert audit_row_hash(prev, r) == mine
        prev = mine


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 2**62 - 1), st.lists(st.text(), min_size=6, max_size=6))
def test_the_row_hash_is_the_counters_for_any_text(seq, texts):
    """The gateway hashes a row through orjson when it can (an integer and strings); the bytes
    are those of the counter's json.dumps for any text: control characters, quotes,
    backslashes, U+2028, characters beyond the BMP. A lone surrogate (which the counter cannot
    write as UTF-8 either) goes the stdlib way and fails the same."""
    row = [seq, *texts]
    try:
        mine: object = audit._row_hash(AUDIT_GENESIS, *row)
    except UnicodeEncodeError:
        mine = UnicodeEncodeError
    try:
        theirs: object = audit_row_hash(AUDIT_GENESIS, row)
    except UnicodeEncodeError:
        theirs = UnicodeEncodeError
    assert theirs == mine


def test_a_rewritten_witnessed_row_stays_named_after_the_next_push(tmp_path):
    """QA's attack: rewrite a row the gateway witnessed, recompute chain and head, then work
    on: an ordinary intake and sync. The events still reach the province; the witness does not
    move; online `audit verify` names the break (vi and en); the operator sees it."""
    counter = make_counter(tmp_path / "c")
    fill(counter, 2)
    data = counter.settings.data_dir
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        enrol(counter, gstore, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        gid = gstore.list_counters()[0].id
        w = gstore.witness(gid)
        assert w is not None and w["verified"]
        assert w["seq"] == _head(counter)[0] and w["hash"] == _head(counter)[1]
        assert motcua("audit", "verify", data_dir=data).returncode == 0
        _rewrite(counter, w["seq"] - 1)  # a witnessed row, not the newest
        assert audit.verify(counter.store.conn)[1] == []
        code = fill(counter, 1)[0]  # ordinary work goes on
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok  # twice: recorded once
        held = {r["id"] for r in counter.store.query(
            "SELECT e.id FROM events e JOIN dossiers d ON d.id = e.dossier_id WHERE d.code = ?",
            (code,))}
        assert held <= set(gstore.all_event_ids())  # the citizens' data is not held back
        assert gstore.witness(gid)["seq"] == w["seq"]  # not moved
        assert gstore.witness(gid)["hash"] == w["hash"]
        (brk,) = gstore.witness_breaks(gid)
        assert (brk["kind"], brk["witnessed_seq"], brk["first_seq"]) == \
            ("break", w["seq"], w["seq"] + 1)
        out = motcua("audit", "verify", data_dir=data)
        assert out.returncode == 1, out.stdout
        assert f"#{w['seq'] + 1}: cổng tỉnh ghi nhận lúc" in out.stdout
        assert f"nhật ký không còn nối tiếp chuỗi cổng tỉnh đã chứng kiến đến dòng #{w['seq']}" \
            in out.stdout
        out = motcua("audit", "verify", data_dir=data, lang="en")
        assert out.returncode == 1
        assert f"no longer continues the chain it witnessed up to row #{w['seq']}" in out.stdout
        ops = subprocess.run([sys.executable, "-m", "sync.gateway", "chains", "--data-dir",
                              str(tmp_path / "gw")], capture_output=True, text=True, timeout=120)
        assert ops.returncode == 1 and "audit witness BREAK" in ops.stdout, ops.stderr
        ops = subprocess.run([sys.executable, "-m", "sync.gateway", "witness", "--json",
                              "--data-dir", str(tmp_path / "gw")], capture_output=True,
                             text=True, timeout=120)
        assert ops.returncode == 1
        (row,) = json.loads(ops.stdout)
        assert (row["counter_no"], row["kind"], row["witnessed_seq"]) == (1, "break", w["seq"])
    counter.close()


def test_a_pulled_province_events_audit_row_deleted_after_the_sync_is_a_break(tmp_path):
    """The pulled event's `sync.<type>` row is written by the pull, after the round's event
    pushes: the witness push that ends the round covers it, so deleting the event and its row
    (chain and head recomputed) is a break once the counter syncs again."""
    from tests.sync_support import signed_act

    counter = make_counter(tmp_path / "c")
    code = fill(counter, 1)[0]
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        enrol(counter, gstore, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        signed_act(gstore, code, "processing", "Đang xử lý")
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).applied == 1
        gid = gstore.list_counters()[0].id
        (row,) = counter.store.query("SELECT seq, subject FROM audit WHERE action LIKE 'sync.%'"
                                     " AND detail LIKE '%event_id%' ORDER BY seq DESC LIMIT 1")
        assert gstore.witness(gid)["seq"] >= row["seq"]  # witnessed in the same round
        c = sqlite3.connect(counter.store.path, isolation_level=None)
        for t in ("audit_no_update", "audit_no_delete", "events_no_delete"):
            c.execute(f"DROP TRIGGER IF EXISTS {t}")
        c.execute("DELETE FROM events WHERE origin = 'province'")
        c.execute("DELETE FROM audit WHERE seq = ?", (row["seq"],))
        c.execute("UPDATE audit SET seq = seq - 1 WHERE seq > ?", (row["seq"],))
        c.close()
        _rewrite(counter, 0)  # recompute the chain and the head (no row changed)
        fill(counter, 1)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        assert [b["kind"] for b in gstore.witness_breaks(gid)] == ["break"]
        out = motcua("audit", "verify", data_dir=counter.settings.data_dir, lang="en")
        assert out.returncode == 1 and "no longer continues the chain it witnessed" in out.stdout
    counter.close()


def test_honest_counter_many_rounds_in_pieces_and_parallel_batches(tmp_path):
    """Many rounds, a first log longer than one round's rows (pieces of 7 rows, 2 pushes a
    round), batches of 2 events 4 in flight: the witness follows the log, no break."""
    counter = make_counter(tmp_path / "c")
    fill(counter, 12)
    cfg = EngineConfig(**FAST, batch_max_items=2, parallel_batches=4, audit_rows_per_push=7,
                       audit_pushes=2)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        enrol(counter, gstore, server.url)
        gid = gstore.list_counters()[0].id
        seen = []
        for _ in range(12):
            assert sync_service.sync_once(counter, cfg).ok
            w = gstore.witness(gid)
            seen.append(w["seq"])
            if w["seq"] == _head(counter)[0]:
                break
        assert seen == sorted(seen) and len(seen) > 1  # caught up in pieces, never back
        assert gstore.witness(gid)["hash"] == _head(counter)[1]
        for _ in range(3):  # more work, more rounds
            fill(counter, 3)
            assert sync_service.sync_once(counter, EngineConfig(**FAST, batch_max_items=1,
                                                                parallel_batches=4)).ok
        assert (gstore.witness(gid)["seq"], gstore.witness(gid)["hash"]) == _head(counter)
        assert gstore.witness_breaks(gid) == []
        out = motcua("audit", "verify", data_dir=counter.settings.data_dir, lang="en")
        assert out.returncode == 0, out.stdout
        assert "the head the gateway witnessed" in out.stdout
    counter.close()


def test_restore_and_sync_recover_is_a_restore_not_a_break(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        counter = make_counter(tmp_path / "c")
        fill(counter, 2)
        enrol(counter, gstore, server.url)
        settings = counter.settings
        backup = tmp_path / "b.sqlite3"
        storeops.backup_store(counter.store, settings, backup)
        fill(counter, 3)  # pushed and witnessed, then rolled back by the restore
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
        gid = gstore.list_counters()[0].id
        witnessed = gstore.witness(gid)["seq"]
        counter.close()
        storeops.restore_store(settings, backup)
        r = motcua("sync", "recover", data_dir=settings.data_dir)
        assert r.returncode == 0, r.stderr
        with open_counter(settings, create=False) as c:
            for _ in range(20):  # work on until the restored log is longer than the witness
                assert sync_service.sync_once(c, EngineConfig(**FAST)).ok
                if _head(c)[0] > witnessed:
                    break
                fill(c, 1)
            assert sync_service.sync_once(c, EngineConfig(**FAST)).ok
            assert (gstore.witness(gid)["seq"], gstore.witness(gid)["hash"]) == _head(c)
        kinds = [b["kind"] for b in gstore.witness_breaks(gid)]
        assert kinds == ["restore"]
        out = motcua("audit", "verify", data_dir=settings.data_dir)
        assert out.returncode == 0, out.stdout
        assert "nhật ký của quầy được khôi phục từ bản sao lưu" in out.stdout


# ---- the gateway's rule, on SQLite and PostgreSQL ----------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def gstore(request, tmp_path):
    from tests.gateway_support import gateway_store

    store = gateway_store(request.param, tmp_path)
    yield store
    store.close()


def _log(n: int, *, edit: int | None = None, restore_at: int | None = None,
         base: list[list] | None = None) -> list[list]:
    """Audit rows 1..n with their hashes (row ``edit`` rewritten; row ``restore_at`` a
    store.restore row; rows before ``restore_at`` taken from ``base``)."""
    rows: list[list] = []
    prev = AUDIT_GENESIS
    for s in range(1, n + 1):
        if base is not None and restore_at is not None and s < restore_at:
            rows.append(base[s - 1])
            prev = base[s - 1][7]
            continue
        action = "store.restore" if s == restore_at else "dossier.receive"
        r = [s, f"2026-12-01T09:{s % 60:02d}:00+07:00", "someone" if s == edit else "lan", "01",
             action, f"X-{s}", json.dumps({"n": s, "tên": "Ánh"}, ensure_ascii=False)]
        prev = audit_row_hash(prev, r)
        rows.append([*r, prev])
    return rows


def test_the_gateway_computes_the_witness_and_records_breaks(gstore):
    counter, _ = gstore.enrol("000.20.27.H57", 1)
    cid = counter.id
    log = _log(30)
    gstore.record_witness(cid, 3, log[2][7])  # an older counter's claim: kept until rows come
    assert gstore.advance_witness(cid, log[5:10])["status"] == "behind"  # must start at #4
    assert gstore.advance_witness(cid, log[0:10]) == {"seq": 10, "hash": log[9][7],
                                                      "status": "ok"}
    gstore.record_witness(cid, 29, log[28][7])  # a claim no longer moves a computed witness
    assert gstore.witness(cid)["seq"] == 10
    assert gstore.advance_witness(cid, log[2:8])["status"] == "unchanged"
    assert gstore.advance_witness(cid, log[8:20])["seq"] == 20  # overlapping rows: skipped
    # rows that do not continue the witnessed chain: row 7 rewritten, chain recomputed
    forged = _log(30, edit=7)
    assert gstore.advance_witness(cid, forged[0:25]) == {"seq": 20, "hash": log[19][7],
                                                         "status": "break"}
    assert gstore.advance_witness(cid, forged[20:25])["status"] == "break"  # row 21 over H
    assert gstore.advance_witness(cid, forged[20:25])["status"] == "break"
    got = [(b["kind"], b["witnessed_seq"], b["first_seq"]) for b in gstore.witness_breaks(cid)]
    assert got == [("break", 20, 20), ("break", 20, 21)]  # each break once
    # a stated hash that is not the row's (edited without recomputing): a break at that row
    bad = [list(r) for r in log[20:25]]
    bad[2][2] = "edited"
    assert gstore.advance_witness(cid, bad)["status"] == "break"
    assert gstore.witness_breaks(cid)[-1]["first_seq"] == 23
    assert gstore.witness(cid)["seq"] == 20
    # an audited restore at or before the row after the witness: continued from it, recorded
    other, _ = gstore.enrol("000.20.27.H57", 2)
    gstore.advance_witness(other.id, log[0:20])
    restored = _log(26, restore_at=15, base=log)
    assert gstore.advance_witness(other.id, restored[10:18])["status"] == "unchanged"
    assert gstore.advance_witness(other.id, restored[10:26]) == {
        "seq": 26, "hash": restored[25][7], "status": "restore"}
    assert [(b["kind"], b["first_seq"]) for b in gstore.witness_breaks(other.id)] == \
        [("restore", 15)]
    assert gstore.advance_witness(other.id, restored[26:] or restored[25:26])["status"] == \
        "unchanged"


def test_the_witness_upgrade_from_v5(gstore):
    counter, _ = gstore.enrol("000.20.27.H57", 1)
    log = _log(5)
    with gstore._write() as tx:
        tx.execute("DROP TABLE audit_witness_breaks")
        tx.execute("ALTER TABLE audit_witness DROP COLUMN verified")
        tx.execute("UPDATE schema_version SET version = 5")
        tx.execute("INSERT INTO audit_witness (counter_id, seq, hash, at) VALUES (?, ?, ?, ?)",
                   (counter.id, 2, log[1][7], "2026-12-01T00:00:00+00:00"))  # v5: a claim
    gstore.migrate()
    assert gstore.witness(counter.id)["verified"] is False
    assert gstore.advance_witness(counter.id, log)["seq"] == 5
    assert gstore.witness(counter.id)["verified"] is True


def test_push_bounds_the_audit_rows(tmp_path):
    import requests

    from tests.gateway_support import auth

    with thread_gateway(tmp_path / "gw") as (server, gstore):
        _, token = gstore.enrol("000.20.27.H57", 1)
        url = server.url + "/api/v1/events:push"
        log = _log(2001)
        r = requests.post(url, json={"events": [], "audit_rows": log}, headers=auth(token),
                          timeout=30)
        assert r.status_code == 413 and r.json()["reason"] == "too_many_audit_rows"
        r = requests.post(url, json={"events": [], "audit_rows": [log[0], log[2]]},
                          headers=auth(token), timeout=30)
        assert r.status_code == 422
        r = requests.post(url, json={"events": [], "audit_rows": log[:2000]},
                          headers=auth(token), timeout=30)
        assert r.status_code == 200
        assert r.json()["audit_witness"] == {"seq": 2000, "hash": log[1999][7], "status": "ok"}
        w = requests.get(server.url + "/api/v1/witness", headers=auth(token), timeout=30).json()
        assert w["audit_head"] == {"seq": 2000, "hash": log[1999][7]} and w["computed"]
        assert w["breaks"] == []
