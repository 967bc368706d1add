"""Crash tests: kill -9 the counter's sync process, and the gateway process, at random moments
during a 1,000-event sync; restart; finish. Exactly once at the gateway, outbox empty, province
events pulled once, and the counter's `check` and `verify` still pass."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app import sync_service, syncstate
from app.domain import PortalStatus
from sync.client import GatewayClient
from sync.engine import EngineConfig, SyncEngine
from sync.gateway.store import StoreError, open_store
from tests.helpers import motcua
from tests.sync_support import (
    ROOT,
    GatewayProcess,
    counter_with,
    enrol,
    outbox_state,
    signed_act,
    thread_gateway,
    wait_for,
)

pytestmark = pytest.mark.slow

N = 1000
KILLS = 20

CHILD = """
import sys
from pathlib import Path
from app.context import open_counter
from app.settings import Settings
from app import sync_service
from sync.engine import EngineConfig
c = open_counter(Settings(data_dir=Path(sys.argv[1])))
print("ready", flush=True)
sync_service.run_forever(c, None, EngineConfig(batch_max_items=5, parallel_batches=1,
                         poll_interval=0.05, backoff_base=0.02, backoff_cap=0.2))
"""


def counter_origin_ids(gstore) -> list[str]:
    return [i for i in gstore.all_event_ids() if gstore.get_event(i).wire.origin == "counter"]


def local_ids(counter) -> list[str]:
    return sorted(r["id"] for r in counter.store.query(
        "SELECT id FROM events WHERE origin = 'counter'"))


def test_kill9_counter_sync_process(tmp_path):
    rng = random.Random(int(os.environ.get("MOTCUA_CRASH_SEED", "4")))
    data = tmp_path / "c"
    counter = counter_with(data, N)
    codes = [r["code"] for r in counter.store.query("SELECT code FROM dossiers ORDER BY rowid")]
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        enrol(counter, gstore, server.url)
        counter.close()
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        kills, mid_drain, acted = 0, 0, 0
        while True:
            before = gstore.event_count()
            proc = subprocess.Popen([sys.executable, "-c", CHILD, str(data)], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            assert proc.stdout is not None
            proc.stdout.readline()  # store open: from here on it syncs
            # wait for progress (or the pull phase once everything is pushed), then kill at a
            # random moment: mid-request, mid-commit, between batches, mid-pull
            wait_for(lambda b=before: gstore.event_count() > b, timeout=5, step=0.005)
            time.sleep(rng.uniform(0.0, 0.06))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            kills += 1
            count = gstore.event_count()
            if 0 < count - acted < N:
                mid_drain += 1
            # the province acts on dossiers it has, so pulls happen (and get killed) too
            if acted < 50:
                for code in codes[acted:acted + 10]:
                    try:
                        signed_act(gstore, code, "result-ready", None)
                        acted += 1
                    except StoreError:
                        break
            if kills >= KILLS and gstore.event_count() - acted >= N:
                break
            assert kills < 200, "sync made no progress"
        # restart, let it finish
        from app.context import open_counter
        from app.settings import Settings

        counter = open_counter(Settings(data_dir=data))
        for _ in range(20):
            r = sync_service.sync_once(counter, EngineConfig(backoff_cap=0.2))
            if r.ok and r.pending == 0:
                break
        assert r.ok and r.pending == 0 and r.parked_total == 0, r.to_json()
        assert kills >= KILLS and mid_drain >= KILLS, (kills, mid_drain)
        stored = counter_origin_ids(gstore)
        assert len(stored) == len(set(stored)) == N
        assert sorted(stored) == local_ids(counter)
        assert outbox_state(counter) == {}
        province = counter.store.query(
            "SELECT count(*) AS n, count(DISTINCT id) AS d FROM events WHERE origin='province'")
        assert province[0]["n"] == province[0]["d"] == acted
        ready = counter.store.scalar("SELECT count(*) FROM dossiers WHERE status = ?",
                                     (int(PortalStatus.RESULT_READY),))
        st = syncstate.read(counter)
        counter.close()
        assert st["pending"] == 0 and st["parked"] == 0 and st["cursor"]
        assert ready == acted  # every province result-ready event was applied
    check = motcua("check", data_dir=data)
    assert check.returncode == 0, check.stdout + check.stderr
    verify = motcua("verify", data_dir=data)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    print(f"counter kills: {kills} ({mid_drain} mid-drain), province events pulled: {acted}")


def test_kill9_gateway_process(tmp_path):
    rng = random.Random(int(os.environ.get("MOTCUA_CRASH_SEED", "5")))
    counter = counter_with(tmp_path / "c", N)
    gw = GatewayProcess(tmp_path / "gw").start()
    gstore = open_store(None, tmp_path / "gw")
    token = enrol(counter, gstore, gw.url)
    client = GatewayClient(gw.url, token, connect_timeout=1, read_timeout=5)
    engine = SyncEngine(sync_service.CounterSyncStore(counter), client,
                        EngineConfig(batch_max_items=5, parallel_batches=1, poll_interval=0.1,
                                     backoff_base=0.02, backoff_cap=0.2))
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    runner = threading.Thread(target=loop.run_until_complete, args=(engine.run_forever(stop),),
                              daemon=True)
    runner.start()
    kills, mid = 0, 0
    try:
        while kills < KILLS:
            before = gstore.event_count()
            if not wait_for(lambda b=before: gstore.event_count() > b, timeout=10, step=0.005):
                break  # everything delivered
            time.sleep(rng.uniform(0.0, 0.05))
            gw.kill9()
            kills += 1
            if 0 < gstore.event_count() < N:
                mid += 1
            gw.start()
        assert wait_for(lambda: counter.store.scalar(
            "SELECT count(*) FROM outbox") == 0, timeout=120)
    finally:
        loop.call_soon_threadsafe(stop.set)
        runner.join(15)
        engine.close()
        gw.stop()
    assert kills >= KILLS and mid >= KILLS, (kills, mid)
    stored = counter_origin_ids(gstore)
    assert len(stored) == len(set(stored)) == N
    assert sorted(stored) == local_ids(counter)
    gstore.close()
    with sqlite3.connect(Path(tmp_path / "gw" / "gateway.sqlite3")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] == N
    assert syncstate.read(counter)["parked"] == 0
    counter.close()
    print(f"gateway kills: {kills} ({mid} mid-drain)")
