"""PostgreSQL specifics of the gateway store: multi-row inserts sent as one statement over arrays
(same rows, same order, same ON CONFLICT answer as row by row), one-round-trip read
transactions, per-execution plans, the v7 storage setting of the events table, v8 (no
foreign key from events to counters) and v9 (text keys compared byte by byte)."""

from __future__ import annotations

import uuid

import pg_fixture
import psycopg
import pytest

import sync.gateway.store as store_module
from sync.gateway.store import NewEvent, PostgresStore, open_store
from sync.wire import WireEvent
from tests.gateway_support import AGENCY

pytestmark = pytest.mark.postgres


@pytest.fixture
def store():
    s = open_store(pg_fixture.fresh_database_url())
    assert isinstance(s, PostgresStore)
    yield s
    s.close()


def _event(i: int, *, signature: bytes | None = b"sig", dossier: str | None = None) -> WireEvent:
    d = dossier or str(uuid.uuid4())
    return WireEvent(id=str(uuid.uuid4()), dossier_id=d, dossier_code=f"{AGENCY}-C-{d[:8]}",
                     type="received", occurred_at="2026-01-05T08:00:00+07:00", origin="counter",
                     actor="clerk1", payload=b'{"n":%d}' % i, signature=signature,
                     attachments=())


def test_executemany_is_one_statement_with_row_semantics(store):
    rows = [("a", b"\x00\x01", None), ("b", None, 7), ("a", b"again", 8), ("c", b"", None)]
    with store._write() as tx:
        tx.execute("CREATE TABLE t (seq BIGINT GENERATED ALWAYS AS IDENTITY, k TEXT PRIMARY KEY,"
                   " v BYTEA, n BIGINT)")
    with store._write() as tx:
        tx.executemany("INSERT INTO t (k, v, n) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", rows)
        # a column of NULLs only, and a row that conflicts with a committed one
        tx.executemany("INSERT INTO t (k, v, n) VALUES (?, ?, ?) ON CONFLICT (k) DO NOTHING",
                       [("d", None, None), ("b", None, None)])
    with store._read() as tx:
        got = tx.all("SELECT k, v, n FROM t ORDER BY seq")
    # the first "a" wins (a later repeat in the same call is skipped, as row by row), NULLs
    # stay NULL, the order of the rows is the order of the sequence
    assert [(k, None if v is None else bytes(v), n) for k, v, n in got] == [
        ("a", b"\x00\x01", None), ("b", None, 7), ("c", b"", None), ("d", None, None)]


def test_executemany_falls_back_for_other_statements(store):
    with store._write() as tx:
        tx.execute("CREATE TABLE u (k TEXT PRIMARY KEY, n BIGINT NOT NULL)")
        tx.executemany("INSERT INTO u (k, n) VALUES (?, ?)", [("x", 1), ("y", 2)])
        tx.executemany("UPDATE u SET n = n + ? WHERE k = ?", [(10, "x"), (20, "y")])
    with store._read() as tx:
        assert tx.all("SELECT k, n FROM u ORDER BY k") == [("x", 11), ("y", 22)]


def test_insert_events_province_and_counter_rows_keep_order_and_outcomes(store):
    cid = store.enrol(AGENCY, 1)[0].id
    shared = str(uuid.uuid4())
    evs = [_event(i, dossier=shared if i < 3 else None) for i in range(30)]
    items = [NewEvent(ev, AGENCY, None if i % 2 else cid, chain=(1, i + 1, None))
             for i, ev in enumerate(evs)]
    items[7] = NewEvent(_event(7, signature=None), AGENCY, None)  # no signature, no chain
    dup = NewEvent(evs[4], AGENCY, cid)
    assert store.insert_events([*items, dup]) == ["accepted"] * 30 + ["duplicate"]
    pulled = store.pull(AGENCY, 0, 100, None)
    assert [p.wire.id for p in pulled] == [it.wire.id for it in items]
    assert [p.counter_id for p in pulled] == [it.counter_id for it in items]
    assert pulled[7].wire.signature is None and pulled[0].wire.signature == b"sig"
    assert store.insert_events(items[:2]) == ["duplicate", "duplicate"]


def test_read_transactions_are_repeatable_read_and_leave_defaults(store):
    with store._read() as tx:
        assert tx.one("SHOW transaction_isolation")[0] == "repeatable read"
        assert tx.one("SHOW transaction_read_only")[0] == "on"
        assert tx.one("SHOW plan_cache_mode")[0] == "force_custom_plan"
    with store._write() as tx:  # the same pooled connection, back to the server defaults
        assert tx.one("SHOW transaction_isolation")[0] == "read committed"
        assert tx.one("SHOW transaction_read_only")[0] == "off"


def test_events_rows_storage(store):
    with store._read() as tx:
        opts = tx.one("SELECT reloptions FROM pg_class WHERE relname = 'events'")[0]
        tst_opts = tx.one("SELECT reloptions FROM pg_class WHERE relname = 'event_tsts'")[0]
        lz4 = tx.one("SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
                     " WHERE name = 'default_toast_compression'")
        methods = dict(tx.all("SELECT attname, attcompression FROM pg_attribute WHERE attrelid"
                              " = 'events'::regclass AND attname IN ('payload', 'signature')"))
    if lz4 and lz4[0]:
        assert "toast_tuple_target=4080" in opts and methods == {"payload": "l", "signature": "l"}
        assert "toast_tuple_target=4080" in tst_opts
    else:
        assert "toast_tuple_target=8160" in opts and "toast_tuple_target=8160" in tst_opts
    cid = store.enrol(AGENCY, 1)[0].id
    big = _event(1, signature=bytes(range(256)) * 16)  # 4 KB: compressed, read back whole
    assert store.insert_events([NewEvent(big, AGENCY, cid)]) == ["accepted"]
    assert store.get_event(big.id).wire.signature == big.signature
    token = bytes(range(256)) * 15
    store.save_time_stamps({big.id: token})
    assert store.time_stamps([big.id]) == {big.id: token}


def _counter_fks(tx) -> list:
    return tx.all("SELECT conname FROM pg_constraint WHERE conrelid = 'events'::regclass"
                  " AND contype = 'f'")


def test_events_have_no_counter_foreign_key(store):
    # v8: counter_id is the authenticated counter's id (counters are never deleted); the key
    # cost a query per inserted row and never fired
    with store._read() as tx:
        assert tx.one("SELECT version FROM schema_version")[0] == len(store._migrations())
        assert _counter_fks(tx) == []


_C_KEYS = {("events", "id"), ("events", "dossier_id"), ("events", "agency_code"),
           ("dossiers", "dossier_id"), ("dossiers", "dossier_code"), ("counters", "token_sha256"),
           ("counter_chain", "agency_code"), ("counter_chain", "event_id"),
           ("event_tsts", "event_id")}


def _c_collated(tx) -> set:
    return {(r[0], r[1]) for r in tx.all(
        "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " JOIN pg_collation l ON l.oid = a.attcollation WHERE l.collname = 'C'"
        " AND c.relname IN ('events', 'dossiers', 'counters', 'counter_chain', 'event_tsts')")}


def test_text_keys_compare_bytes(store):
    # v9: the keys every push probes and inserts compare byte by byte, not by the locale
    with store._read() as tx:
        assert _c_collated(tx) == _C_KEYS
    cid = store.enrol(AGENCY, 1)[0].id
    evs = [_event(i) for i in range(3)]
    items = [NewEvent(ev, AGENCY, cid, chain=(1, i + 1, None)) for i, ev in enumerate(evs)]
    assert store.insert_events(items) == ["accepted"] * 3
    known, dossiers = store.batch_lookup([evs[0].id], [evs[1].dossier_id])
    assert known == {evs[0].id: evs[0].payload_sha256}
    assert {k: (d.dossier_code, d.agency_code) for k, d in dossiers.items()} == {
        evs[1].dossier_id: (evs[1].dossier_code, AGENCY)}
    assert store.dossier_by_code(evs[2].dossier_code) == (evs[2].dossier_id, AGENCY)
    assert store.counter_chain_report(AGENCY, 1)["held"] == [[1, 3]]


def test_v8_migration_drops_the_key_and_keeps_the_rows():
    url = pg_fixture.fresh_database_url()
    old = PostgresStore(url)  # not migrated: bring it to v7 by hand, as a v7 gateway left it
    try:
        with old._write() as tx:
            tx.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            tx.execute("INSERT INTO schema_version (version) VALUES (7)")
            for stmts in old._migrations()[:7]:
                for stmt in stmts:
                    tx.execute(stmt)
            assert len(_counter_fks(tx)) == 1
        cid = old.enrol(AGENCY, 1)[0].id
        ev = _event(1)
        assert old.insert_events([NewEvent(ev, AGENCY, cid)]) == ["accepted"]
    finally:
        old.close()
    with psycopg.connect(url) as conn:
        heap = conn.execute("SELECT pg_relation_filenode('events')").fetchone()[0]
    new = open_store(url)  # migrates to v8, v9
    try:
        with new._read() as tx:
            assert tx.one("SELECT version FROM schema_version")[0] == 9
            assert _counter_fks(tx) == []
            assert _c_collated(tx) == _C_KEYS
            # v9 rebuilt indexes only: the events table itself was not rewritten
            assert tx.one("SELECT pg_relation_filenode('events')")[0] == heap
        assert new.get_event(ev.id).counter_id == cid
        ev2 = _event(2)
        assert new.insert_events([NewEvent(ev2, AGENCY, cid), NewEvent(ev, AGENCY, cid)]) == [
            "accepted", "duplicate"]
        assert [e.wire.id for e in new.pull(AGENCY, 0, 10, None)] == [ev.id, ev2.id]
    finally:
        new.close()
    again = open_store(url)  # another process starting: nothing left to do
    try:
        assert again.migrate() == 9
        with again._read() as tx:
            assert tx.one("SELECT version FROM schema_version")[0] == 9
    finally:
        again.close()


def test_event_writer_connection_plans_once_and_probes_the_indexes(store):
    with store._write(events_lock=True) as tx:
        assert tx.one("SHOW plan_cache_mode")[0] == "force_generic_plan"
        assert tx.one("SHOW enable_seqscan")[0] == "off"
        plan = "\n".join(r[0] for r in tx.pg_all(
            "EXPLAIN " + store_module._PG_LOCKED_LOOKUP, (["a"] * 300, ["b"] * 300, ["c"] * 300)))
    assert "Seq Scan" not in plan and "events_id_key" in plan and "dossiers_pkey" in plan
    assert "dossiers_dossier_code_key" in plan
    with store._one_read() as tx:  # the look-ups by unique keys of every push, likewise
        assert tx.one("SHOW plan_cache_mode")[0] == "force_generic_plan"
        assert tx.one("SHOW enable_seqscan")[0] == "off"
        plan = "\n".join(r[0] for r in tx.pg_all("EXPLAIN " + store_module._PG_LOOKUP,
                                                 (["a"] * 300, ["b"] * 300)))
        assert "Seq Scan" not in plan and "events_id_key" in plan and "dossiers_pkey" in plan
    with store._write() as tx:  # the other connections: plans with the values
        assert tx.one("SHOW plan_cache_mode")[0] == "force_custom_plan"
        assert tx.one("SHOW enable_seqscan")[0] == "on"
