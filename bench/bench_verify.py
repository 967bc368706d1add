"""`motcua verify` on a counter holding many signed dossiers, against the bare limit of the same
events measured in the same run.

    python bench/bench_verify.py [--dossiers 10000] [--repeat 2]

The store is bench_sync's template (really signed intake with an RSA-2048 .p12, generated
once into bench/out/). Reported: dossiers/s of `app.signatures.verify_store` (every signature,
every chain and cross-check, one core) and, per event, its ratio to the bare signature work of
the same events (bench/bare.py: SHA-256 of the payload + signature over the signed attributes
with the key parsed; verify stores nothing, so the insert share is left out). Target:
>= 5,000 dossiers/s per core.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dossiers", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()

    from bare import measure
    from bench_sync import template

    from app import signatures
    from app.context import open_counter
    from app.settings import Settings

    tpl = template(args.dossiers)
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-verify-"))
    try:
        shutil.copytree(tpl / "data", work / "counter")
        counter = open_counter(Settings(data_dir=work / "counter"))
        rows = counter.store.conn.execute(
            "SELECT CAST(payload AS BLOB), CAST(signature AS BLOB) FROM events"
            " WHERE signature IS NOT NULL").fetchall()
        events = [(bytes(p), bytes(s)) for p, s in rows]
        bare = measure(events, work)
        bare_verify = bare.sha256_s + bare.verify_s
        print(bare.describe())
        for _ in range(args.repeat):
            t = time.perf_counter()
            report = signatures.verify_store(counter)
            dt = time.perf_counter() - t
            assert not report.problems, report.problems[:3]
            per_event = dt / max(1, report.signatures)
            print(f"motcua verify: {report.dossiers} dossiers, {report.signatures} signatures in"
                  f" {dt:.2f} s = {report.dossiers / dt:,.0f} dossiers/s (target >= 5,000/s per"
                  f" core); per event {per_event * 1e6:.0f} us = {per_event / bare_verify:.2f}x"
                  f" the bare SHA-256 + signature ({bare_verify * 1e6:.0f} us)")
        counter.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
