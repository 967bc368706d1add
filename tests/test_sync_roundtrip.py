"""Province round trip through the real command lines: intake offline (no gateway) → enrol →
`motcua sync once` → `motcua-gateway act CODE result-ready` → the counter pulls → status shows
result ready → the clerk records the result returned → synced. Plus exit codes and the demo
gateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app import actions, queries, sync_service, syncstate
from app.demo import prepare
from app.demo_gateway import start_demo_gateway
from sync.engine import EngineConfig
from tests.helpers import demo_signer
from tests.sync_support import ROOT, GatewayProcess, counter_with

CLI = ("import sys, app.cli as c\n"
       "if 'app.cli.sync' not in c.COMMAND_MODULES: c.COMMAND_MODULES.append('app.cli.sync')\n"
       "raise SystemExit(c.main(sys.argv[1:]))\n")


def motcua(*args: str, data_dir: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "MOTCUA_DATA_DIR": str(data_dir), "MOTCUA_LANG": "en",
            "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True,
                          env=full, timeout=120)


def gateway_cli(*args: str, gw_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sync.gateway", "--data-dir", str(gw_dir),
                           *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "MOTCUA_GATEWAY_SIGNING_PASSWORD": "demo"}, cwd=str(ROOT))


def test_province_round_trip_through_the_clis(tmp_path):
    data = tmp_path / "c"
    counter = counter_with(data, 3)  # received offline: no gateway anywhere yet
    code = counter.store.query("SELECT code FROM dossiers ORDER BY rowid LIMIT 1")[0]["code"]
    counter.close()
    r = motcua("sync", "once", data_dir=data)
    assert r.returncode == 2 and "not enrolled" in r.stderr  # refused, clear

    gw_dir = tmp_path / "gw"
    gw = GatewayProcess(gw_dir).start()
    try:
        out = gateway_cli("enrol", "--agency-code", "000.20.27.H57", "--counter", "1",
                          "--gateway-url", gw.url, "--json", gw_dir=gw_dir)
        assert out.returncode == 0, out.stderr
        line = json.loads(out.stdout)["enrolment"]
        r = motcua("enrol", line, data_dir=data)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["check"]["ok"] is True
        assert json.loads(out.stdout)["token"] not in r.stdout + r.stderr

        r = motcua("sync", "once", data_dir=data)
        assert r.returncode == 0, r.stdout + r.stderr
        act = gateway_cli("act", code, "result-ready", "--note", "Đã có kết quả", gw_dir=gw_dir)
        assert act.returncode == 0, act.stderr
        r = motcua("sync", "once", "--json", data_dir=data)
        assert r.returncode == 0 and json.loads(r.stdout)["applied"] == 1, r.stdout
        shown = motcua("show", code, data_dir=data)
        assert "result" in shown.stdout.lower() or "Có kết quả" in shown.stdout, shown.stdout

        from app.context import open_counter
        from app.settings import Settings

        counter = open_counter(Settings(data_dir=data))
        assert queries.show(counter, code)["status"] == "result_ready"
        with demo_signer("clerk1", counter) as signer:
            actions.return_result(counter, code, recipient_name="Đặng Thị Hương",
                                  recipient_id="079190000123", clerk="lan", signer=signer)
        assert syncstate.read(counter)["pending"] == 1
        counter.close()
        r = motcua("sync", "once", data_dir=data)
        assert r.returncode == 0, r.stdout + r.stderr
        status = json.loads(motcua("sync", "status", "--json", data_dir=data).stdout)
        assert status["online"] is True and status["pending"] == 0 and status["parked"] == 0
        from sync.gateway.store import open_store

        gstore = open_store(None, gw_dir)
        types = [gstore.get_event(i).wire.type for i in gstore.all_event_ids()]
        gstore.close()
        assert sorted(types) == ["received"] * 3 + ["result_ready", "returned"]
    finally:
        gw.stop()
    # offline: exit 4; events wait, nothing parked
    counter = open_counter(Settings(data_dir=data))
    from tests.sync_support import fill

    fill(counter, 1)
    counter.close()
    r = motcua("sync", "once", data_dir=data)
    assert r.returncode == 4, r.stdout + r.stderr
    text = motcua("sync", "status", data_dir=data).stdout
    assert "offline since" in text and "Pending: 1" in text
    assert motcua("sync", "retry-parked", data_dir=data).returncode == 0


def test_exit_code_3_when_events_are_parked(tmp_path):
    from sync.gateway.store import open_store
    from tests.helpers import make_counter
    from tests.sync_support import fill, thread_gateway

    data = tmp_path / "c"
    counter = make_counter(data)
    fill(counter, 1, clerk="untrusted")
    fill(counter, 1)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        _, token = gstore.enrol(counter.agency_code, counter.counter_no)
        counter.close()
        r = motcua("enrol", server.url, "--token-env", "GW_TOKEN", "--no-check", data_dir=data,
                   env={"GW_TOKEN": token})
        assert r.returncode == 0, r.stderr
        r = motcua("sync", "once", data_dir=data)
        assert r.returncode == 3, r.stdout + r.stderr
        st = json.loads(motcua("sync", "status", "--json", data_dir=data).stdout)
        assert st["parked"] == 1 and st["pending"] == 0
        assert st["parked_events"][0]["parked_reason"].startswith("untrusted")
    del open_store


def test_demo_gateway_whole_flow(tmp_path):
    demo = prepare(tmp_path / "demo")
    url, handle = start_demo_gateway(demo)
    try:
        from app.context import open_counter
        from app.settings import Settings

        counter = open_counter(Settings(data_dir=demo.data_dir))
        r = sync_service.sync_once(counter, EngineConfig(backoff_cap=0.2))
        assert r.ok and r.delivered == 4 and r.pending == 0, r.to_json()
        handle.act(demo.codes[0], "result-ready", "Kết quả đã ký")
        r = sync_service.sync_once(counter)
        assert r.applied == 1
        assert queries.show(counter, demo.codes[0])["status"] == "result_ready"
        assert syncstate.read(counter)["gateway_url"] == url
        counter.close()
    finally:
        handle.stop()
    # a kept demo folder starts again (re-enrols on a new port)
    url2, handle2 = start_demo_gateway(demo)
    try:
        counter = open_counter(Settings(data_dir=demo.data_dir))
        assert sync_service.sync_once(counter).ok
        counter.close()
    finally:
        handle2.stop()
