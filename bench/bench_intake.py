"""Intake save latency against a bare durable SQLite commit of the same rows, same store.

    python bench/bench_intake.py [--n 2000] [--p12 FILE --password-env VAR]

Target (issue 2): intake p99 ≤ 5× the bare commit (dossier + event + outbox rows in one
BEGIN IMMEDIATE … COMMIT with synchronous=FULL). With --p12 (or the demo PKI, when
signing/demo_pki.py is available) it also measures signed intake against a bare commit plus a
bare CMS signature (target ≤ 5×).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import intake  # noqa: E402
from app.domain import VN_TZ  # noqa: E402
from tests.helpers import dossier_json, make_counter  # noqa: E402


def pct(v: list[float], p: float) -> float:
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def bare_commit(store, i: int, payload: bytes, signature: bytes | None) -> None:
    conn = store.conn
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO dossiers (id, code, procedure_code, procedure_name, applicant_name, citizen_id,"
        " phone, channel, received_at, status, clerk, data, search_text, updated_at) "
        "VALUES (?, ?, '1.001193', 'Đăng ký khai sinh', 'Đặng Thị Hương', '079190000123', "
        "'0912345678', 'in_person', '2026-11-23T10:00:00+07:00', 2, 'lan', ?, "
        "'dang thi huong 079190000123 0912345678', '2026-11-23T10:00:00+07:00')",
        (f"bare-{i}", f"BARE-{i}", payload.decode()),
    )
    conn.execute(
        "INSERT INTO events (id, dossier_id, type, occurred_at, origin, actor, payload, signature,"
        " recorded_at) VALUES (?, ?, 'received', 't', 'counter', 'lan', ?, ?, 't')",
        (f"bare-e-{i}", f"bare-{i}", payload, signature),
    )
    conn.execute("INSERT INTO outbox (event_id, created_at) VALUES (?, 't')", (f"bare-e-{i}",))
    conn.execute("COMMIT")


def run(n: int, signer=None) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        counter = make_counter(Path(tmp))
        req = intake.parse_request(dossier_json())
        now = datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)
        for _ in range(20):  # warm-up: imports, catalogue, holidays tables
            intake.receive(counter, req, clerk="lan", now=now, signer=signer)
        payload = counter.store.query("SELECT payload FROM events LIMIT 1")[0]["payload"]
        ours, bare = [], []
        for i in range(n):  # interleave so both see the same disk and cache state
            t = time.perf_counter()
            intake.receive(counter, req, clerk="lan", now=now, signer=signer)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            sig = signer.sign(payload) if signer is not None else None
            bare_commit(counter.store, i, payload, sig)
            bare.append((time.perf_counter() - t) * 1000)
        counter.close()
    return ours, bare


def report(title: str, ours: list[float], bare: list[float], target: float) -> None:
    r = pct(ours, 99) / pct(bare, 99)
    print(f"{title}\n  intake  p50 {statistics.median(ours):7.3f} ms  p99 {pct(ours, 99):7.3f} ms\n"
          f"  bare    p50 {statistics.median(bare):7.3f} ms  p99 {pct(bare, 99):7.3f} ms\n"
          f"  ratio p99 {r:.2f}x (target ≤ {target}x) -> {'OK' if r <= target else 'MISSED'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    ours, bare = run(args.n)
    report(f"unsigned intake, {args.n} dossiers (bare = durable commit of dossier+event+outbox)",
           ours, bare, 5)
    try:
        from signing.demo_pki import make_demo_pki
        from signing.signer import P12Signer
    except ImportError as exc:
        print(f"signed intake skipped: {exc}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        pki = make_demo_pki(Path(tmp) / "pki")
        manifest = json.loads((Path(tmp) / "pki" / "manifest.json").read_text())
        del manifest
        signer = P12Signer.open(pki.clerk_p12("clerk1"), "demo")
        ours, bare = run(args.n, signer)
    report(f"signed intake (RSA-2048 PKCS#12), {args.n} dossiers (bare = commit + bare CMS signature)",
           ours, bare, 5)


if __name__ == "__main__":
    main()
