"""Memory of a drain whatever the backlog (issue 13 (c)): a counter holding 100,000 pending,
really signed events plus dossiers with scans drains them to a real gateway on loopback; the
peak resident memory (Linux /proc VmHWM) of the counter's sync process and of the gateway
process (and of each of its signature workers) is printed against each process's own floor
(after imports, store open and the first exchange), so a figure that grows with the backlog
shows.

    python bench/bench_sync_memory.py [--dossiers 100000] [--scans 100] [--scan-kb 256]
                                      [--verify-processes N]

The backlog is bench/signed_store.py's store (generated once into bench/out/signed-N/),
copied, plus `--scans` dossiers received through the real intake, each with its own scan (a
real PDF of about `--scan-kb` KiB), so they are uploaded in chunks before their events. The
sync process is a child of its own (`motcua sync once` does the same work): its VmHWM is the
drain's, not the generator's. RSS is sampled every 0.5 s as well, so the print also says how
large each process was when 10 % of the backlog had drained (bounded means: no growth after).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DRAIN = """
import asyncio, json, sys, time
from pathlib import Path
def vm(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
from app import sync_service
from app.context import open_counter
from app.settings import Settings
from sync.client import GatewayClient
from sync.engine import EngineConfig, SyncEngine
counter = open_counter(Settings(data_dir=Path(sys.argv[1])))
client = GatewayClient(sys.argv[2], sys.argv[3], read_timeout=120)
client.server_time()
floor = vm("VmRSS")
print(json.dumps({"ready": True, "floor": floor}), flush=True)
engine = SyncEngine(sync_service.CounterSyncStore(counter), client,
                    EngineConfig(pull=False, catalogue=False))
t0 = time.perf_counter()
result = asyncio.run(engine.run_once())
took = time.perf_counter() - t0
engine.close()
counter.close()
print(json.dumps({"result": result.to_json(), "drain_s": took, "floor": floor,
                  "peak": vm("VmHWM"), "cpu_s": time.process_time()}), flush=True)
"""


def status(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as fh:
                    if int(fh.read().rsplit(b")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except (OSError, IndexError, ValueError):
                continue
    return out


def add_scanned_dossiers(data: Path, pki: Path, n: int, kb: int, work: Path) -> int:
    """`n` dossiers received through the real intake (by the store's own clerk, whose .p12 is
    in the generated store's PKI), each with its own scan; returns the scan bytes."""
    from app import intake
    from app.context import open_counter
    from app.domain import now_vn
    from app.settings import Settings
    from signing.signer import P12Signer
    from tests.helpers import P12_PASSWORD, dossier_json, make_pdf

    counter = open_counter(Settings(data_dir=data))
    total = 0
    try:
        with P12Signer.open(pki / "clerk1.p12", P12_PASSWORD) as signer:
            for k in range(n):
                pdf = make_pdf(work / f"scan-{k}.pdf", pad=kb * 1024)
                total += pdf.stat().st_size
                req = intake.parse_request(dossier_json(received_at=now_vn().isoformat()),
                                           attach=[pdf])
                intake.receive(counter, req, clerk="lan", signer=signer)
                pdf.unlink()
    finally:
        counter.close()
    return total


def run(args: argparse.Namespace) -> dict:
    from signed_store import generate

    tpl = generate(args.dossiers)
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-mem-", dir=ROOT / "bench" / "out"))
    try:
        return _drain(args, tpl, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _drain(args: argparse.Namespace, tpl: Path, work: Path) -> dict:
    from bench_sync import GATEWAY, wait_up

    from app import sync_service
    from app.context import open_counter
    from app.settings import Settings
    from sync.gateway.server import free_port
    from sync.gateway.store import open_store

    data = work / "counter"
    shutil.copytree(tpl / "data", data)
    pki = tpl / "pki"
    scan_bytes = add_scanned_dossiers(data, pki, args.scans, args.scan_kb, work)
    gw_dir = work / "gw"
    gstore = open_store(None, gw_dir)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    crl = str(pki / "crl.der") if (pki / "crl.der").exists() else ""
    gw = subprocess.Popen([sys.executable, "-c", GATEWAY, str(port), str(gw_dir),
                           f"{pki / 'root.pem'},{pki / 'subca.pem'}", crl,
                           str(args.verify_processes), "-"], env=env, cwd=str(ROOT))
    url = f"http://127.0.0.1:{port}"
    samples: list[tuple[float, int, int]] = []  # (events stored, gateway RSS, sync RSS)
    try:
        wait_up(url)
        counter = open_counter(Settings(data_dir=data))
        _, token = gstore.enrol(counter.agency_code, counter.counter_no)
        sync_service.enrol(counter, url, token=token)
        pending = counter.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        counter.close()
        time.sleep(1.0)  # the gateway's signature workers finish starting
        gw_floor = status(gw.pid, "VmRSS") or 0
        child = subprocess.Popen([sys.executable, "-c", DRAIN, str(data), url, token],
                                 env=env, cwd=str(ROOT), stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        first = json.loads(child.stdout.readline())
        stop = threading.Event()

        db = sqlite3.connect(f"file:{gw_dir / 'gateway.sqlite3'}?mode=ro", uri=True,
                             check_same_thread=False)

        def sample() -> None:  # the newest seq is an index probe (a count would scan)
            while not stop.wait(0.5):
                seq = db.execute("SELECT max(seq) FROM events").fetchone()[0] or 0
                samples.append((seq, status(gw.pid, "VmRSS") or 0,
                                status(child.pid, "VmRSS") or 0))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        last = json.loads(child.stdout.read().strip().splitlines()[-1])
        child.wait()
        stop.set()
        sampler.join()
        db.close()
        result = last["result"]
        assert result["ok"] and result["pending"] == 0, result
        assert result["delivered"] == pending, (result, pending)
        assert gstore.event_count() == pending
        gw_peak = status(gw.pid, "VmHWM") or 0
        workers = [(status(p, "VmHWM") or 0) for p in children(gw.pid)]
        tenth = next((s for s in samples if s[0] >= pending / 10), None)
        return {
            "events": pending, "scans": args.scans, "scan_mb": round(scan_bytes / 1e6, 1),
            "drain_s": round(last["drain_s"], 1), "sync_cpu_s": round(last["cpu_s"], 1),
            "sync_floor_mb": round(first["floor"] / 1e6, 1),
            "sync_peak_mb": round(last["peak"] / 1e6, 1),
            "sync_rss_at_10pct_mb": round(tenth[2] / 1e6, 1) if tenth else None,
            "gateway_floor_mb": round(gw_floor / 1e6, 1),
            "gateway_peak_mb": round(gw_peak / 1e6, 1),
            "gateway_rss_at_10pct_mb": round(tenth[1] / 1e6, 1) if tenth else None,
            "gateway_workers_peak_mb": [round(w / 1e6, 1) for w in workers],
            "verify_processes": args.verify_processes, "load": round(os.getloadavg()[0], 1),
        }
    finally:
        gw.terminate()
        try:
            gw.wait(10)
        except subprocess.TimeoutExpired:
            gw.kill()
        gstore.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--scans", type=int, default=100)
    ap.add_argument("--scan-kb", type=int, default=256)
    ap.add_argument("--verify-processes", type=int, default=None,
                    help="signature workers of the gateway (default: one per core)")
    args = ap.parse_args()
    if args.verify_processes is None:
        from sync.gateway.checks import default_processes

        args.verify_processes = default_processes()
    res = run(args)
    print(json.dumps(res))
    print(f"drained {res['events']:,} pending events ({res['scans']} with a scan, "
          f"{res['scan_mb']} MB of scans) in {res['drain_s']} s; machine load {res['load']}")
    print(f"peak RSS (VmHWM): counter sync process {res['sync_peak_mb']} MB (floor "
          f"{res['sync_floor_mb']} MB, {res['sync_rss_at_10pct_mb']} MB at 10 % drained); "
          f"gateway {res['gateway_peak_mb']} MB (floor {res['gateway_floor_mb']} MB, "
          f"{res['gateway_rss_at_10pct_mb']} MB at 10 %); its child processes (signature "
          f"workers, multiprocessing resource tracker) "
          f"{res['gateway_workers_peak_mb']} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
