"""`motcua verify` on a counter holding many signed dossiers, against the bare limit of the same
events measured in the same run.

    python bench/bench_verify.py [--dossiers 100000] [--repeat 1]

The store is bench/signed_store.py's (one real intake, then every further dossier with its own
payload, chains and audit row, each signed separately by the real RSA-2048 .p12 signer in a
process pool; generated once into bench/out/signed-N/). Reported: dossiers/s of `app.signatures.verify_store` (every signature,
every chain and cross-check, one core) and, per event, its ratio to the bare signature work of
the same events (bench/bare.py: SHA-256 of the payload + signature over the signed attributes
with the key parsed; verify stores nothing, so the insert share is left out). Target:
>= 5,000 dossiers/s per core; and the peak RSS of the process (target <= 200 MB at 1,000,000
dossiers): the bare measurement holds every event in memory, so it runs in a child process and
the peak reported is the verifying process's own (/proc VmHWM, ru_maxrss as fallback).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--bare-sample", type=int, default=20_000,
                    help="events the bare limit is measured on (a sample of the store's)")
    ap.add_argument("--bare-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    from signed_store import generate

    from app import signatures
    from app.context import open_counter
    from app.settings import Settings

    tpl = generate(args.dossiers)
    if args.bare_only:
        return _bare(tpl, args.bare_sample)
    out = subprocess.run([sys.executable, __file__, "--dossiers", str(args.dossiers),
                          "--bare-sample", str(args.bare_sample), "--bare-only"],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    print(out[0])
    bare_verify = float(out[1])
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-verify-", dir=ROOT / "bench" / "out"))
    try:
        shutil.copytree(tpl / "data", work / "counter")
        counter = open_counter(Settings(data_dir=work / "counter"))
        print(f"before verify: peak RSS {_peak_rss_mb():.0f} MB")
        for _ in range(args.repeat):
            t, cpu = time.perf_counter(), time.process_time()
            report = signatures.verify_store(counter)
            dt, cpu = time.perf_counter() - t, time.process_time() - cpu
            assert not report.problems, report.problems[:3]
            per_event = dt / max(1, report.signatures)
            print(f"motcua verify: {report.dossiers} dossiers, {report.signatures} signatures in"
                  f" {dt:.2f} s = {report.dossiers / dt:,.0f} dossiers/s (target >= 5,000/s per"
                  f" core); per event {per_event * 1e6:.0f} us = {per_event / bare_verify:.2f}x"
                  f" the bare SHA-256 + signature ({bare_verify * 1e6:.0f} us)")
            print(f"  CPU time of the verifying process {cpu:.2f} s = {report.dossiers / cpu:,.0f}"
                  f" dossiers per CPU-second, {cpu / max(1, report.signatures) * 1e6:.0f} us CPU"
                  f" per event = {cpu / max(1, report.signatures) / bare_verify:.2f}x the bare"
                  f" (what one idle core would do; wall time follows the machine's load)")
            print(f"peak RSS {_peak_rss_mb():.0f} MB (target <= 200 MB at 1,000,000 dossiers);"
                  f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        counter.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _bare(tpl: Path, sample: int) -> int:
    """Child process: the bare limit on the first `sample` signed events of the store."""
    import sqlite3

    from bare import measure

    conn = sqlite3.connect(tpl / "data" / "motcua.sqlite3")
    rows = conn.execute("SELECT CAST(payload AS BLOB), CAST(signature AS BLOB) FROM events"
                        " WHERE signature IS NOT NULL ORDER BY seq LIMIT ?", (sample,)).fetchall()
    conn.close()
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-bare-", dir=ROOT / "bench" / "out"))
    try:
        bare = measure([(bytes(p), bytes(s)) for p, s in rows], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(bare.describe())
    print(repr(bare.sha256_s + bare.verify_s))
    return 0


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    raise SystemExit(main())
