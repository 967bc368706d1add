"""Gateway ingestion with many concurrent counters, on SQLite and on PostgreSQL.

    python bench/bench_gateway.py [--counters 50] [--batches 8] [--batch 25]
                                  [--backends sqlite,postgres] [--processes 1]
                                  [--verify-processes N] [--verifier real|stub] [--repeat 1]
                                  [--pg-set NAME=VALUE ...] [--pg-stats]

Each counter is a thread with its own HTTP session and credential, pushing pre-signed batches
one after the other to a real uvicorn gateway in separate process(es) on loopback. Reported:
events stored per second (wall clock, first request to last answer) and p50/p99 batch latency.
With ``--verifier real`` (default when ``signing`` is importable) every event carries a real
detached CMS signature from the demo PKI and the gateway verifies it against its anchors and
CRL; ``stub`` measures the HTTP + storage path alone. PostgreSQL is a throw-away cluster with
fsync on (durable commits), like SQLite's WAL + synchronous=FULL. Each gateway process checks
signatures in ``--verify-processes`` worker processes (default: one per core, as ``serve``).

The bare limit of the same events is measured in the same run (bench/bare.py: SHA-256 of the
payload + the signature over the signed attributes with the key parsed + a durable batched
insert share, single core) and every rate is printed as a ratio to it. The CPU time of the gateway
processes and of the PostgreSQL server (its backends included) is printed per event: the run is
CPU-bound on this machine, so those two say where a change helps. ``--pg-stats`` also prints the
busiest statements (pg_stat_statements).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402
from bare import descendants_cpu  # noqa: E402

from sync.gateway.store import open_store  # noqa: E402
from tests.gateway_support import (  # noqa: E402
    AGENCY,
    auth,
    gateway_process,
    make_body,
    push,
    stub_sign,
    wire_from_body,
)


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def make_events(n_counters: int, n_events: int, sign) -> list[list[dict]]:  # type: ignore[no-untyped-def]
    return [[wire_from_body(make_body(counter_no=c + 1), sign=sign) for _ in range(n_events)]
            for c in range(n_counters)]


def bench_cluster(pg_stats: bool = False, pg_set: list[str] | tuple[str, ...] = ()) -> object:
    """A throw-away durable PostgreSQL cluster with the bench settings (PG_SETTINGS, then each
    NAME=VALUE of ``pg_set``; pg_stat_statements loaded when ``pg_stats``)."""
    import pg_fixture

    settings = dict(PG_SETTINGS)
    settings.update(kv.split("=", 1) for kv in pg_set)
    if pg_stats:
        settings["shared_preload_libraries"] = "pg_stat_statements"
        settings["pg_stat_statements.track_planning"] = "on"
    return pg_fixture.start_cluster(durable=True, settings=settings)


def server_cpu_by_kind(data: Path | None) -> dict[str, float]:
    """CPU seconds used so far by the PostgreSQL server of the cluster in ``data``, by kind of
    process (see pg_fixture.PgCluster.server_cpu_by_kind)."""
    import pg_fixture

    return pg_fixture.PgCluster("", data=data).server_cpu_by_kind()


def run_backend(name: str, db_url: str, data_dir: Path, events: list[list[dict]], batch: int,
                processes: int, verifier: dict, verify_processes: int = 0,
                server_cpu=lambda: 0.0, pool: int = 12, pg_data: Path | None = None,
                perf: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    store = open_store(db_url, data_dir)
    tokens = [store.enrol(AGENCY, c + 1)[1] for c in range(len(events))]
    latencies: list[float] = []
    problems: list[str] = []
    lock = threading.Lock()
    with ExitStack() as stack:
        urls = [stack.enter_context(gateway_process(
            db_url, data_dir, real_verifier=verifier["real"], anchors=verifier["anchors"],
            crls=verifier["crls"], pool=pool, verify_processes=verify_processes))
            for _ in range(processes)]
        # warm-up, before the clock: every counter pushes one event, all at once, as in the
        # run, so each gateway has its imports, chain cache and database connections (a pool
        # of `pool` per process, each a PostgreSQL backend that must fault in the shared
        # buffers it touches) ready, as a gateway that has been up for a while has
        warm = [wire_from_body(make_body(counter_no=c + 1), sign=verifier["sign"])
                for c in range(len(events))]
        start_gate = threading.Barrier(len(events) + 1)

        def counter(i: int) -> None:
            s = requests.Session()
            s.trust_env = False  # as the counter's client (sync/client.py): no per-request
            # scan of the environment for proxies, ~35 % of a push's client CPU
            url = urls[i % len(urls)]
            evs = events[i]
            try:
                r = push(url, tokens[i], [warm[i]], session=s)
                if r.status_code != 200:
                    raise RuntimeError(r.text[:200])
            except Exception as exc:  # reported below; the run must still start and end
                with lock:
                    problems.append(f"warm-up: {exc}")
            # each batch serialised before the clock, as the counter's own client sends the
            # bytes it prepared: this machine runs the 50 counters too, and their JSON encoding
            # is not the gateway's cost
            headers = {**auth(tokens[i]), "Content-Type": "application/json"}
            bodies = [json.dumps({"events": evs[k:k + batch]}, separators=(",", ":")).encode()
                      for k in range(0, len(evs), batch)]
            start_gate.wait()
            for body in bodies:
                t0 = time.perf_counter()
                r = s.post(f"{url}/api/v1/events:push", data=body, headers=headers, timeout=60)
                dt = time.perf_counter() - t0
                ok = r.status_code == 200 and all(
                    x["status"] == "accepted" for x in r.json()["results"])
                with lock:
                    latencies.append(dt)
                    if not ok:
                        problems.append(r.text[:200])

        threads = [threading.Thread(target=counter, args=(i,)) for i in range(len(events))]
        for t in threads:
            t.start()
        start_gate.wait()
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        gw0 = descendants_cpu()
        db0 = server_cpu()
        kinds0 = server_cpu_by_kind(pg_data)
        recorder = subprocess.Popen(["perf", "record", "-a", "-g", "-q", "-o", perf],
                                    stdout=subprocess.DEVNULL) if perf else None
        load0 = os.getloadavg()[0]
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        client_cpu = time.process_time() - cpu0
        gateway_cpu = descendants_cpu() - gw0
        db_cpu = server_cpu() - db0
        kinds1 = server_cpu_by_kind(pg_data)
        if recorder is not None:
            recorder.send_signal(signal.SIGINT)
            recorder.wait()
    total = sum(len(e) for e in events)
    stored = store.event_count() - len(events)  # minus the warm-up events
    store.close()
    if problems:
        print(f"{name}: {len(problems)} batches not fully accepted, e.g. {problems[0]}")
    return {
        "backend": name, "processes": processes, "events": total, "stored": stored,
        "wall_s": wall, "events_per_s": total / wall, "p50_ms": statistics.median(latencies) * 1e3,
        "p99_ms": pct(latencies, 99) * 1e3, "batches": len(latencies),
        "client_cpu_s": client_cpu, "gateway_cpu_s": gateway_cpu, "db_cpu_s": db_cpu,
        "load": max(load0, os.getloadavg()[0]),
        "db_kinds": {k: v - kinds0.get(k, 0.0) for k, v in kinds1.items()},
    }


#: the bench cluster's settings beyond the defaults (durability untouched: fsync,
#: synchronous_commit and full_page_writes stay on). random_page_cost 1.1 is the usual setting
#: for SSD storage (the default 4 assumes spinning disks): with it the planner looks dossiers up
#: by index instead of scanning the whole (young, growing) table for every batch.
PG_SETTINGS: dict[str, str] = {"random_page_cost": "1.1"}


def pg_stat_reset(db_url: str) -> None:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("SELECT pg_stat_statements_reset()")


def pg_stat_print(db_url: str) -> None:
    """The busiest statements; the texts that differ only in their number of parameters (an
    ``IN ($1, …)`` list per group size) are summed as one."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT sum(calls), sum(rows), sum(total_exec_time), sum(total_plan_time), count(*),"
            " q FROM (SELECT calls, rows, total_exec_time, total_plan_time,"
            " left(regexp_replace(regexp_replace(query, '\\s+', ' ', 'g'),"
            " '\\$[0-9]+(, ?\\$[0-9]+)+', '$n…', 'g'), 100) AS q FROM pg_stat_statements) s"
            " GROUP BY q ORDER BY sum(total_exec_time + total_plan_time) DESC LIMIT 20"
        ).fetchall()
    print(f"{'calls':>8}{'rows':>8}{'exec ms':>9}{'plan ms':>9}{'texts':>6}  statement")
    for calls, nrows, ms, plan_ms, texts, q in rows:
        print(f"{calls:>8}{nrows:>8}{ms:>9.0f}{plan_ms:>9.0f}{texts:>6}  {q}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counters", type=int, default=50)
    ap.add_argument("--batches", type=int, default=8, help="batches per counter")
    ap.add_argument("--batch", type=int, default=25, help="events per batch")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--processes", type=int, default=1, help="gateway processes per backend")
    ap.add_argument("--verifier", choices=["real", "stub"], default=None)
    ap.add_argument("--verify-processes", type=int, default=None,
                    help="signature workers per gateway process (default: one per core)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per backend")
    ap.add_argument("--pool", type=int, default=12,
                    help="database connections per gateway process (PostgreSQL)")
    ap.add_argument("--pg-set", action="append", default=[], metavar="NAME=VALUE",
                    help="one more PostgreSQL server setting for the bench cluster (repeatable)")
    ap.add_argument("--pg-stats", action="store_true",
                    help="load pg_stat_statements and print the busiest statements of each run")
    ap.add_argument("--perf", metavar="FILE",
                    help="record the whole machine with `perf record -a -g` into FILE while the"
                         " clock runs (PostgreSQL runs: see `perf report --comm postgres`)")
    args = ap.parse_args()
    if args.verify_processes is None:
        from sync.gateway.checks import default_processes

        args.verify_processes = default_processes()

    tmp = Path(tempfile.mkdtemp(prefix="bench-gw-"))
    atexit.register(shutil.rmtree, tmp, True)  # PKI, databases, logs: ~0.3 GB a run
    mode = args.verifier
    if mode is None:
        try:
            import signing.verify  # noqa: F401

            mode = "real"
        except ImportError:
            mode = "stub"
    verifier = {"real": mode == "real", "anchors": [], "crls": [], "sign": stub_sign}
    if mode == "real":
        from signing.demo_pki import make_demo_pki
        from signing.signer import P12Signer

        pki = make_demo_pki(tmp / "pki", password="demo")
        signers = [P12Signer.open(pki.clerk(n).p12, "demo") for n in ("clerk1", "clerk2")]
        verifier.update(anchors=[str(pki.chain_pem)], crls=[str(pki.crl_der)])
        # alternate RSA-2048 and ECDSA P-256 clerks, as a real centre would
        counter_box = {"n": 0}

        def sign(payload: bytes) -> bytes:
            counter_box["n"] += 1
            return signers[counter_box["n"] % 2].sign(payload)

        verifier["sign"] = sign

    n_events = args.batches * args.batch
    t0 = time.perf_counter()
    rows = []
    bare = None
    for backend in args.backends.split(","):
        for _ in range(args.repeat):
            events = make_events(args.counters, n_events, verifier["sign"])
            if bare is None and mode == "real":
                import base64

                from bare import measure

                flat = [(base64.b64decode(e["payload"]), base64.b64decode(e["signature"]))
                        for evs in events for e in evs]
                bare = measure(flat, tmp, batch=max(args.batch, 250))  # group commit
            if backend == "sqlite":
                data = tmp / f"sqlite-{len(rows)}"
                rows.append(run_backend("sqlite", f"sqlite:///{data / 'gw.sqlite3'}", data,
                                        events, args.batch, args.processes, verifier,
                                        args.verify_processes))
            elif backend == "postgres":
                cluster = bench_cluster(args.pg_stats, args.pg_set)
                try:
                    db_url = cluster.create_database()
                    if args.pg_stats:
                        pg_stat_reset(db_url)
                    rows.append(run_backend("postgres", db_url, tmp / f"pg-{len(rows)}", events,
                                            args.batch, args.processes, verifier,
                                            args.verify_processes, cluster.server_cpu,
                                            args.pool, cluster.data, args.perf))
                    if args.pg_stats:
                        pg_stat_print(db_url)
                finally:
                    cluster.stop()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\ngateway ingestion: {args.counters} concurrent counters x {args.batches} batches x "
          f"{args.batch} events, verifier={mode}, {args.processes} gateway process(es) x "
          f"{args.verify_processes} signature worker(s), {cores} core(s) shared with the "
          f"clients (setup+run {time.perf_counter() - t0:.0f} s)")
    if bare is not None:
        print(bare.describe())
    print(f"{'backend':<10}{'events':>8}{'stored':>8}{'wall s':>9}{'events/s':>10}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'vs bare 1 core':>16}{'target':>22}")
    for r in rows:
        vs = f"{r['events_per_s'] / bare.events_per_s:.2f}x" if bare else "n/a"
        print(f"{r['backend']:<10}{r['events']:>8}{r['stored']:>8}{r['wall_s']:>9.2f}"
              f"{r['events_per_s']:>10.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{vs:>16}"
              f"{'>=5000/s, p99<=500ms':>22}")
    for r in rows:
        per_cpu = r["events"] / r["gateway_cpu_s"] if r["gateway_cpu_s"] else 0.0
        vs = f" = {per_cpu / bare.events_per_s:.2f}x the bare rate" if bare and per_cpu else ""
        db = (f"; the PostgreSQL server {r['db_cpu_s']:.1f} CPU-s = "
              f"{r['db_cpu_s'] / r['events'] * 1e6:.0f} us/event" if r["db_cpu_s"] else "")
        print(f"  {r['backend']}: gateway processes (and their workers) used "
              f"{r['gateway_cpu_s']:.1f} CPU-s = {per_cpu:,.0f} events per gateway CPU-second "
              f"({r['gateway_cpu_s'] / r['events'] * 1e6:.0f} us/event){vs}{db}; the client "
              f"threads {r['client_cpu_s']:.1f} CPU-s; "
              f"{r['wall_s']:.1f} s wall; machine load average {r['load']:.1f} on {cores} cores")
        kinds = {k: v for k, v in r.get("db_kinds", {}).items() if v > 0}
        if kinds:
            print("    PostgreSQL server CPU by process: " + ", ".join(
                f"{k} {v / r['events'] * 1e6:.0f} us/event"
                for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
    ok = all(r["stored"] == r["events"] for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
