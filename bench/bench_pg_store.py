"""The PostgreSQL store alone: what one pushed event costs the database server and the store code.

    python bench/bench_pg_store.py [--counters 50] [--batches 8] [--batch 25] [--stores 2]
                                   [--chain] [--pg-stats] [--perf FILE] [--repeat 1]

bench_gateway.py measures the whole gateway (HTTP, signature checks, 50 client threads) on a
machine it shares with them, so a few microseconds per event of the database side drown in its
noise. Here ``--counters`` threads call the store as a push does (``counter_by_token``,
``batch_lookup``, ``insert_events`` of ``--batch`` events), through ``--stores`` store objects
(each with its own connection pool and group commit, as that many gateway processes), into a
throw-away durable cluster (fsync on, the settings of bench_gateway.py). The events are those of
bench_gateway.py: signed bodies of the test helpers, with real CMS signatures from the demo PKI
(one per counter, reused: the store does not verify). ``--chain`` gives each event the counter's
own chain (counter_seq/counter_prev), as the counter application sends, so counter_chain is
written too. Printed per event: the PostgreSQL server's CPU (by kind of process) and this
process's CPU (the store code and psycopg, plus the thread switching of ``--counters`` threads).
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_gateway import bench_cluster, pg_stat_print, pg_stat_reset, server_cpu_by_kind  # noqa: E402

from sync.gateway.store import NewEvent, open_store  # noqa: E402
from sync.wire import WireEvent  # noqa: E402
from tests.gateway_support import AGENCY, make_body, stub_sign, wire_from_body  # noqa: E402


def make_items(counters: int, n: int, signatures: list[bytes], chain: bool
               ) -> list[list[tuple[WireEvent, tuple[int, int, str | None] | None]]]:
    out = []
    for c in range(counters):
        evs = []
        for k in range(n):
            w = wire_from_body(make_body(counter_no=c + 1), sign=stub_sign)
            wire = WireEvent(id=w["id"], dossier_id=w["dossier_id"],
                             dossier_code=w["dossier_code"], type=w["type"],
                             occurred_at=w["occurred_at"], origin=w["origin"], actor=w["actor"],
                             payload=base64.b64decode(w["payload"]),
                             signature=signatures[c % len(signatures)],
                             attachments=tuple(w["attachments"]))
            link = (c + 1, k + 1, evs[-1][0].payload_sha256 if evs else None) if chain else None
            evs.append((wire, link))
        out.append(evs)
    return out


def signatures(tmp: Path) -> list[bytes]:
    try:
        from signing.demo_pki import make_demo_pki
        from signing.signer import P12Signer
    except ImportError:
        return [os.urandom(3000)]
    pki = make_demo_pki(tmp / "pki", password="demo")
    signers = [P12Signer.open(pki.clerk(n).p12, "demo") for n in ("clerk1", "clerk2")]
    return [signers[i % 2].sign(b"payload %d" % i) for i in range(8)]


def run(args: argparse.Namespace, sigs: list[bytes]) -> None:
    cluster = bench_cluster(args.pg_stats)
    try:
        url = cluster.create_database()
        stores = [open_store(url, pg_pool_size=args.pool) for _ in range(args.stores)]
        tokens = [stores[0].enrol(AGENCY, c + 1)[1] for c in range(args.counters)]
        warm = make_items(args.counters, 1, sigs, False)
        work = make_items(args.counters, args.batches * args.batch, sigs, args.chain)
        if args.pg_stats:
            pg_stat_reset(url)
        gate = threading.Barrier(args.counters + 1)
        problems: list[str] = []

        def push(store, token: str, batch) -> None:  # type: ignore[no-untyped-def]
            counter = store.counter_by_token(token)
            store.batch_lookup(sorted(w.id for w, _ in batch), sorted(w.dossier_id for w, _ in batch))
            items = [NewEvent(w, counter.agency_code, counter.id, chain=link) for w, link in batch]
            if store.insert_events(items) != ["accepted"] * len(items):
                problems.append("not all accepted")

        def counter(i: int) -> None:
            store = stores[i % len(stores)]
            push(store, tokens[i], warm[i])  # each store's connections opened before the clock
            gate.wait()
            evs = work[i]
            for k in range(0, len(evs), args.batch):
                push(store, tokens[i], evs[k:k + args.batch])

        threads = [threading.Thread(target=counter, args=(i,)) for i in range(args.counters)]
        for t in threads:
            t.start()
        gate.wait()
        t0, cpu0, kinds0 = time.perf_counter(), time.process_time(), server_cpu_by_kind(cluster.data)
        recorder = subprocess.Popen(["perf", "record", "-a", "-g", "-q", "-o", args.perf],
                                    stdout=subprocess.DEVNULL) if args.perf else None
        load0 = os.getloadavg()[0]
        for t in threads:
            t.join()
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if recorder is not None:
            recorder.send_signal(signal.SIGINT)
            recorder.wait()
        kinds = {k: v - kinds0.get(k, 0.0) for k, v in server_cpu_by_kind(cluster.data).items()}
        n = sum(len(e) for e in work)
        load = max(load0, os.getloadavg()[0])
        server = sum(kinds.values())
        print(f"{n} events in {wall:.2f} s ({n / wall:,.0f}/s); PostgreSQL server "
              f"{server / n * 1e6:.1f} us/event ("
              + ", ".join(f"{k} {v / n * 1e6:.1f}" for k, v in
                          sorted(kinds.items(), key=lambda kv: -kv[1]) if v > 0)
              + f"); store process {cpu / n * 1e6:.1f} us/event; load average {load:.1f}"
              + (f"; PROBLEMS: {len(problems)}" if problems else ""))
        if args.pg_stats:
            pg_stat_print(url)
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                print("table          seq scans  rows read  index scans")
                for r in conn.execute("SELECT relname, seq_scan, seq_tup_read, idx_scan"
                                      " FROM pg_stat_user_tables WHERE seq_scan + idx_scan > 0"
                                      " ORDER BY relname").fetchall():
                    print(f"{r[0]:<15}{r[1]:>9}{r[2]:>11}{r[3] or 0:>13}")
        for s in stores:
            s.close()
    finally:
        cluster.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counters", type=int, default=50)
    ap.add_argument("--batches", type=int, default=8)
    ap.add_argument("--batch", type=int, default=25)
    ap.add_argument("--stores", type=int, default=2, help="store objects (as gateway processes)")
    ap.add_argument("--pool", type=int, default=12, help="connections per store")
    ap.add_argument("--chain", action="store_true", help="events carry the counter's chain")
    ap.add_argument("--pg-stats", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--perf", metavar="FILE",
                    help="record the machine with `perf record -a -g` into FILE while the clock runs")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-pgstore-"))
    try:
        sigs = signatures(tmp)
        for _ in range(args.repeat):
            run(args, sigs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
