"""A forged restore or a forged "off" row must not turn the evidence checks off (QA pass, issue 10).

The attacker has the store file: turns the `sync.time_stamps` audit row into a `store.restore`
row naming a large rolled-back head, appends `sync.*` rows with source "recover" for this
counter's own events anchored after it (so their signed audit heads would be "taken back after
a restore" and not used as anchors), hides events that never left (outbox rows deleted,
`synced_at` set) and recomputes the unkeyed audit chain. Real store, real gateway with a real
TSA on 127.0.0.1, the real CLI.
"""

from __future__ import annotations

import json
import sqlite3

from app import sync_service
from localdb import audit
from sync.engine import EngineConfig
from sync.gateway.store import open_store
from tests.helpers import motcua
from tests.sync_support import counter_with, enrol, fill
from tests.test_acknowledgement import FAST, _mark_sent, _server


class _Attacker:
    """Plain sqlite3 on the store file with the protective triggers dropped, put back at the
    end (as the attacker does, so `trigger_missing` gives nothing away)."""

    def __init__(self, counter):
        self.c = sqlite3.connect(counter.store.path, isolation_level=None)
        self.triggers = self.c.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name NOT LIKE 'dossiers_fts%'").fetchall()
        for name, _ in self.triggers:
            self.c.execute(f"DROP TRIGGER {name}")

    def __enter__(self) -> sqlite3.Connection:
        return self.c

    def __exit__(self, *exc) -> None:
        for _, sql in self.triggers:
            self.c.execute(sql)
        self.c.close()


def _rechain(c: sqlite3.Connection) -> None:
    rows = c.execute("SELECT seq, at, actor, counter, action, subject, detail FROM audit "
                     "ORDER BY seq").fetchall()
    c.execute("DELETE FROM audit")
    prev = audit.GENESIS
    for seq, (_, at, actor, ctr, action, subject, detail) in enumerate(rows, 1):
        digest = audit._row_hash(prev, seq, at, actor, ctr, action, subject, detail)
        c.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (seq, at, actor, ctr, action, subject, detail, prev, digest))
        prev = digest
    c.execute("UPDATE meta SET value = ? WHERE key = ?", (f"{len(rows)}:{prev}", audit.HEAD_KEY))


def _synced_counter(tmp_path):
    """A counter that pushed to a gateway with a TSA (tokens stored), then received 2 more."""
    counter = counter_with(tmp_path / "c", 0)
    fill(counter, 2)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
    store.close()
    assert counter.store.scalar("SELECT count(*) FROM events WHERE tst IS NOT NULL") == 2
    return counter, fill(counter, 2)


def _forge_restore(c: sqlite3.Connection) -> None:
    at, ctr = c.execute("SELECT at, counter FROM audit WHERE action = 'sync.time_stamps'"
                        ).fetchone()
    detail = json.dumps({"hardware_replacement": False,
                         "rolled_back_audit_head": {"hash": "0" * 64, "seq": 1000}},
                        sort_keys=True, separators=(",", ":"))
    c.execute("UPDATE audit SET action = 'store.restore', subject = ?, detail = ? "
              "WHERE action = 'sync.time_stamps'", (ctr, detail))
    seq = c.execute("SELECT seq FROM audit WHERE action = 'store.restore'").fetchone()[0]
    last = c.execute("SELECT max(seq) FROM audit").fetchone()[0]
    for eid, etype, code, head in c.execute(
            "SELECT e.id, e.type, d.code, json_extract(e.payload, '$.audit_head.seq') "
            "FROM events e JOIN dossiers d ON d.id = e.dossier_id "
            "WHERE e.origin = 'counter' ORDER BY e.seq").fetchall():
        if head is not None and head >= seq - 1:
            last += 1
            c.execute("INSERT INTO audit VALUES (?, ?, 'sync', ?, ?, ?, ?, '', '')",
                      (last, at, ctr, f"sync.{etype}", code, json.dumps(
                          {"event_id": eid, "origin": "counter", "source": "recover"},
                          sort_keys=True, separators=(",", ":"))))
    _rechain(c)


def test_a_forged_restore_does_not_hide_anchors_nor_unacknowledged_events(tmp_path):
    counter, hidden = _synced_counter(tmp_path)
    data = counter.settings.data_dir
    counter.close()
    for cmd in (("verify",), ("check",), ("audit", "verify", "--offline")):
        assert motcua(*cmd, data_dir=data).returncode == 0, cmd  # honest store: clean
    with _Attacker(counter) as c:
        for code in hidden:
            _mark_sent(c, code)
        _forge_restore(c)
    out = motcua("audit", "verify", "--offline", data_dir=data, lang="en")
    assert out.returncode == 1 and "rewritten" in out.stdout, out.stdout
    assert "taken back" not in out.stdout  # the events' own action rows are still there
    out = motcua("check", data_dir=data, lang="en")
    assert out.returncode == 1
    assert all(f"{code}" in out.stdout for code in hidden)
    assert "marked sent but not acknowledged by the gateway (no time-stamp token)" in out.stdout
    out = motcua("verify", data_dir=data, lang="en")
    assert out.returncode == 1
    assert "marked sent but not acknowledged" in out.stdout and "taken back" not in out.stdout
    status = json.loads(motcua("sync", "status", "--json", data_dir=data).stdout)
    assert status["unacknowledged"] == 2


def test_an_off_row_older_than_a_valid_token_does_not_turn_the_token_check_off(tmp_path):
    """A forged "off" row dated before a token the gateway issued is contradicted by that token
    (an "off" row newer than every token is believed: a province that removed its TSA)."""
    counter, hidden = _synced_counter(tmp_path)
    data = counter.settings.data_dir
    counter.close()
    with _Attacker(counter) as c:
        _mark_sent(c, hidden[1])  # the newest: no later signature anchors the forged tail
        ctr = c.execute("SELECT counter FROM audit WHERE seq = 1").fetchone()[0]
        # dated (by the attacker) before the push that brought the tokens
        audit.append(c, at="2026-01-02T08:00:00+07:00", actor="sync", counter=ctr,
                     action="sync.time_stamps",
                     detail={"on": False})
    for cmd in (("check",), ("verify",)):
        out = motcua(*cmd, data_dir=data, lang="en")
        assert out.returncode == 1, (cmd, out.stdout)
        assert hidden[1] in out.stdout and "not acknowledged by the gateway" in out.stdout
    status = json.loads(motcua("sync", "status", "--json", data_dir=data).stdout)
    assert status["unacknowledged"] == 1

