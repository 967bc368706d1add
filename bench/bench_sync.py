"""Drain of a week's backlog: 10,000 queued, really signed events pushed by the sync engine to a
real gateway on loopback (real CMS verification against the demo PKI's anchors and CRL, durable
SQLite storage), compared in the same run with the bare limit: the bare cost of those events
(bench/bare.py: SHA-256 of each payload + its signature over the signed attributes with the key
parsed + its share of a durable batched insert, single core) plus bare POSTs of the same
batches, with the same HTTP client and the same number in flight, to a do-nothing endpoint.
Target: drain <= 3 s and <= 2x that bare limit.

    python bench/bench_sync.py [--events 10000] [--batch 250] [--parallel 4] [--workers 1]
                               [--verify-processes N] [--repeat 1] [--tsa]

``--workers N`` runs N gateway processes on one port (SO_REUSEPORT) over one SQLite file, as a
province would run several gateway processes over one database. The signed counter store is
generated once into bench/out/ (intake with an RSA-2048 .p12, ~3 ms per dossier) and copied
for each run, so every run drains the same 10,000 events from scratch.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402

from sync.gateway.server import free_port  # noqa: E402

OUT = ROOT / "bench" / "out"
#: events pushed once before the clock starts (see run)
WARM_EVENTS = 32

GATEWAY = """
import socket, sys
from pathlib import Path
import uvicorn
from sync.gateway.app import GatewayConfig, create_app
from sync.gateway.cli import uvicorn_options
from sync.gateway.verify import signing_verifier
port, data, anchors, crls = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3].split(","), sys.argv[4].split(",")
procs = int(sys.argv[5])
tsa = None
if sys.argv[6] != "-":  # the PKI folder: time-stamp every accepted event (RFC 3161)
    from signing.tsa import TimeStampAuthority
    tsa = TimeStampAuthority.from_files(Path(sys.argv[6]) / "tsa.pem", Path(sys.argv[6]) / "tsa.key")
verifier = signing_verifier([Path(a) for a in anchors], [Path(c) for c in crls if c])
app = create_app(GatewayConfig(data_dir=data, verifier=verifier, verify_processes=procs,
                               tsa=tsa, freeze_heap=True))  # as `serve`
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
sock.bind(("127.0.0.1", port))
opts = uvicorn_options("127.0.0.1", port)
server = uvicorn.Server(uvicorn.Config(app, **opts))
server.run(sockets=[sock])
"""

NOTHING = """
import socket, sys
import uvicorn
from sync.gateway.cli import uvicorn_options

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        msg = await receive()
        more = msg.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})

port = int(sys.argv[1])
uvicorn.run(app, **uvicorn_options("127.0.0.1", port))
"""


def wait_up(url: str, path: str = "/api/v1/health", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url + path, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.05)
    raise TimeoutError(url)


def template(n: int) -> Path:
    """A counter data folder with ``n`` signed dossiers (generated once, then reused)."""
    tpl = OUT / f"sync-counter-{n}"
    if (tpl / "done").exists():
        return tpl
    from datetime import timedelta

    from app import intake
    from app.domain import now_vn
    from tests.helpers import demo_signer, dossier_json, make_counter

    if tpl.exists():
        shutil.rmtree(tpl)
    print(f"generating {n} signed dossiers into {tpl} (once) …", flush=True)
    c = make_counter(tpl / "data")
    # a counter numbers at most 9,999 dossiers a day: spread the backlog over a week
    start = now_vn().replace(microsecond=0) - timedelta(days=7)
    with demo_signer() as signer:
        for i in range(n):
            day = start + timedelta(days=i // 2000, seconds=i % 2000)
            req = intake.parse_request(dossier_json(received_at=day.isoformat()))
            intake.receive(c, req, clerk="lan", signer=signer)
    c.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    # the demo PKI of this process is needed to verify: keep it with the template
    from tests.helpers import shared_pki

    pki = shared_pki()
    shutil.copytree(pki.out_dir, tpl / "pki")
    (tpl / "done").write_text("ok")
    return tpl


def run(args: argparse.Namespace) -> dict:
    from app import sync_service
    from app.context import open_counter
    from app.settings import Settings
    from sync.client import GatewayClient, wire_json
    from sync.engine import EngineConfig, SyncEngine, _split
    from sync.gateway.store import open_store

    tpl = template(args.events)
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-sync-"))
    data = work / "counter"
    shutil.copytree(tpl / "data", data)
    pki = tpl / "pki"
    anchors = f"{pki / 'root.pem'},{pki / 'subca.pem'}"
    crl = str(pki / "crl.der") if (pki / "crl.der").exists() else ""
    gw_dir = work / "gw"
    gstore = open_store(None, gw_dir)  # creates the schema before the workers start
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", GATEWAY, str(port), str(gw_dir), anchors,
                               crl, str(args.verify_processes),
                               str(pki) if args.tsa else "-"], env=env, cwd=str(ROOT))
             for _ in range(args.workers)]
    nport = free_port()
    nothing = subprocess.Popen([sys.executable, "-c", NOTHING, str(nport)], env=env,
                               cwd=str(ROOT))
    url, nurl = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{nport}"
    try:
        wait_up(url)
        wait_up(nurl, "/")
        time.sleep(0.5 * args.workers)  # let every worker finish importing
        counter = open_counter(Settings(data_dir=data))
        _, token = gstore.enrol(counter.agency_code, counter.counter_no)
        sync_service.enrol(counter, url, token=token)
        cfg = EngineConfig(batch_max_items=args.batch, parallel_batches=args.parallel,
                           pull=False, catalogue=False)

        # the same batches the engine sends, encoded once, for the bare baseline
        from localdb import outbox

        items = outbox.pending_batch(counter.store.conn, max_items=args.events + 1,
                                     max_bytes=1 << 40)
        assert len(items) == args.events, len(items)
        batches = _split(items, args.batch, cfg.batch_max_bytes)
        bodies = [json.dumps({"events": [wire_json(i) for i in b]}, separators=(",", ":"))
                  .encode() for b in batches]
        mb = sum(map(len, bodies)) / 1e6
        from bare import measure

        bare_ev = measure([(i["payload"], i["signature"]) for i in items], work,
                          batch=args.batch)
        bare_events_s = bare_ev.total_s(len(items))

        client = GatewayClient(url, token, read_timeout=120)
        bare_client = GatewayClient(nurl, token, read_timeout=120)

        def bare_post(body: bytes) -> None:
            r = bare_client._request("POST", "/events:push", data=body,
                                     headers={"Content-Type": "application/json"})
            assert r.status_code == 200

        # warm-up: connections, verifier chain cache (one real event), imports
        for _ in range(args.parallel * 2):
            bare_post(bodies[0][:0] or b"{}")
        w = GatewayClient(url, token)
        w.server_time()
        # a gateway in service is warm: push the first 32 events once, so that each signature
        # worker (or the gateway itself) has validated and cached the clerk's chain; the drain
        # then pushes all the events, those 32 answered "duplicate"
        first = json.dumps({"events": [wire_json(i) for i in items[:WARM_EVENTS]]},
                           separators=(",", ":")).encode()
        r = w._request("POST", "/events:push", data=first,
                       headers={"Content-Type": "application/json"})
        assert r.status_code == 200 and all(
            x["status"] == "accepted" for x in r.json()["results"]), r.text

        bare_times = []
        for _ in range(3):
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.parallel) as ex:
                list(ex.map(bare_post, bodies))
            bare_times.append(time.perf_counter() - t0)
        bare = min(bare_times)

        del bodies, items, first  # the engine reads the outbox itself
        engine = SyncEngine(sync_service.CounterSyncStore(counter), client, cfg)
        from sync.heap import freeze_startup_heap

        freeze_startup_heap("counter")  # as the app (app/gui.py) and `motcua sync run` do
        from bare import descendants_cpu

        t0 = time.perf_counter()
        mains = {p.pid for p in procs}
        cpu0, gw0, m0 = time.process_time(), descendants_cpu(), descendants_cpu(mains)
        result = asyncio.run(engine.run_once())
        drain = time.perf_counter() - t0
        counter_cpu, gateway_cpu = time.process_time() - cpu0, descendants_cpu() - gw0
        main_cpu = descendants_cpu(mains) - m0
        load = os.getloadavg()[0]
        engine.close()
        assert result.ok and result.delivered == args.events and result.pending == 0, \
            result.to_json()
        stored = gstore.event_count()
        assert stored == args.events, stored
        counter.close()
        limit = bare_events_s + bare
        return {
            "events": args.events, "batches": len(batches), "batch": args.batch,
            "parallel": args.parallel, "gateway_workers": args.workers,
            "verify_processes": args.verify_processes, "tsa": args.tsa, "mb": round(mb, 1),
            "drain_s": round(drain, 3), "drain_items_per_s": round(args.events / drain),
            "bare_events_s": round(bare_events_s, 3), "bare_posts_s": round(bare, 3),
            "bare_limit_s": round(limit, 3), "ratio_vs_bare": round(drain / limit, 2),
            "bare_detail": bare_ev.describe(),
            "gateway_cpu_s": round(gateway_cpu, 2), "counter_cpu_s": round(counter_cpu, 2),
            "gateway_main_cpu_s": round(main_cpu, 2),
            "gateway_cpu_vs_bare_events": round(gateway_cpu / bare_events_s, 2),
            "load": round(load, 1),
        }
    finally:
        for p in [*procs, nothing]:
            p.terminate()
        for p in [*procs, nothing]:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        gstore.close()
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--parallel", type=int, default=None,
                    help="batches in flight (default: the engine's, EngineConfig)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--verify-processes", type=int, default=None,
                    help="signature workers per gateway process (default: one per core)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--tsa", action="store_true",
                    help="the gateway time-stamps every accepted event (RFC 3161), as `motcua"
                         " demo` and a province with --tsa-cert do; the counter checks and keeps"
                         " each token")
    args = ap.parse_args()
    if args.parallel is None:
        from sync.engine import EngineConfig

        args.parallel = EngineConfig().parallel_batches
    if args.verify_processes is None:
        from sync.gateway.checks import default_processes

        args.verify_processes = default_processes()
    for _ in range(args.repeat):
        res = run(args)
        print(json.dumps(res))
        print(res["bare_detail"])
        print(f"drain {res['events']} signed events: {res['drain_s']} s = "
              f"{res['drain_items_per_s']} items/s; bare limit = events {res['bare_events_s']} s"
              f" + bare POSTs of the same {res['batches']} batches ({res['mb']} MB) "
              f"{res['bare_posts_s']} s = {res['bare_limit_s']} s; ratio "
              f"{res['ratio_vs_bare']}x (target <= 2x, drain <= 3 s)")
        print(f"CPU: gateway processes {res['gateway_cpu_s']} s (of which the HTTP processes "
              f"{res['gateway_main_cpu_s']} s, their signature workers the rest) = "
              f"{res['gateway_cpu_vs_bare_events']}x the bare cost of the events; counter "
              f"(engine, store, HTTP client) {res['counter_cpu_s']} s; machine load average "
              f"{res['load']} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
