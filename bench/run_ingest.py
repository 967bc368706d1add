"""One command for the ingest benchmarks of issue 13, each printing its figures as ratios to the
bare limit measured in the same run (bench/bare.py):

    python bench/run_ingest.py [--quick] [--repeat 2] [--backends sqlite,postgres]

1. bench_signing.py — signing, and verification (fast path, full RFC 5652 parser, cold chain)
   against SHA-256 + the bare signature verification of the same events.
2. bench_verify.py  — `motcua verify` dossiers/s on a store of really signed dossiers.
3. bench_sync.py    — 10,000 signed events drained end to end from one counter to a SQLite
   gateway, against (bare cost of those events + bare POSTs of the same batches).
4. bench_gateway.py — 50 concurrent counters into SQLite and into PostgreSQL (two gateway
   processes on one database), events/s and p99 batch latency.

Each benchmark runs `--repeat` times (the machine is shared: look at the spread). `--quick`
uses smaller sizes for a smoke run. The signed counter store is generated once into bench/out/.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--backends", default="sqlite,postgres")
    args = ap.parse_args()
    r = str(args.repeat)
    n = "2000" if args.quick else "10000"
    runs = [
        ["bench_signing.py", "--n", "100" if args.quick else "300"],
        ["bench_verify.py", "--dossiers", n, "--repeat", r],
        ["bench_sync.py", "--events", n, "--repeat", r],
        ["bench_gateway.py", "--counters", "10" if args.quick else "50", "--repeat", r,
         "--backends", "sqlite" if args.quick else args.backends],
    ]
    if not args.quick and "postgres" in args.backends:
        runs.append(["bench_gateway.py", "--counters", "50", "--repeat", r, "--backends",
                     "postgres", "--processes", "2"])
    failed = 0
    for cmd in runs:
        print(f"\n=== {' '.join(cmd)} ===", flush=True)
        t = time.perf_counter()
        rc = subprocess.call([sys.executable, str(HERE / cmd[0]), *cmd[1:]])
        print(f"(exit {rc}, {time.perf_counter() - t:.0f} s)", flush=True)
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
