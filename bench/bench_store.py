"""Store safety costs: encryption at rest on intake, and memory of backup / restore / list.

    python bench/bench_store.py intake [--n 500] [--prefill 1000000]
    python bench/bench_store.py memory [--dossiers 1000000] [--scans 200] [--scan-mb 1]
                                       [--encrypted] [--keep DIR]

intake: signed intake (RSA-2048 PKCS#12, demo PKI) on a plaintext store and on a SQLCipher
store, each against the bare durable commit of the same rows on the same store and against
bare commit + bare signature, interleaved so all see the same disk. Targets (issue 12):
intake p99 ≤ 1.5× (bare commit + bare signature) plaintext, ≤ 2× encrypted.

memory: a store of N synthetic dossiers (rows generated with plain SQL in bulk: each dossier
has its projection row + FTS entry, one event with a random 600-byte payload and a 300-byte
"signature", an outbox row; real signed payloads are ~2–3 KB, so this is a smaller file than a
real counter's at N), plus S scan files of M MiB. Peak RSS (ru_maxrss of the child, via
wait4) and wall time of `motcua backup`, `motcua restore` (into a fresh folder) and
`motcua list --json --limit 1000`, against a bare `python -c 'import app.cli'` child as the
floor. Target: no command above 200 MB. Also: the restored store's size vs the original (the
scans must not end up inside it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import accounts, intake  # noqa: E402
from app.context import init_counter, open_counter  # noqa: E402
from app.domain import VN_TZ  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.trust import add_anchor  # noqa: E402
from tests.helpers import (  # noqa: E402
    bind_demo_certificates,
    demo_signer,
    dossier_json,
    shared_pki,
)


def pct(v: list[float], p: float) -> float:
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def _settings(folder: Path, encrypted: bool) -> Settings:
    if encrypted:
        return Settings(data_dir=folder / "data", store_encryption="keyfile",
                        store_key_file=str(folder / "site" / "store.key"))
    return Settings(data_dir=folder / "data", store_encryption="off")


def _counter(settings: Settings):
    c = open_counter(settings)
    init_counter(c, agency_code="000.20.27.H57", counter_no=1)
    accounts.add_user(c.store, "lan", "Nguyễn Thị Lan", "clerk", "mat-khau-demo-1")
    for pem in (shared_pki().root_pem, shared_pki().subca_pem):
        add_anchor(c.settings, pem, counter=c)
    bind_demo_certificates(c, "lan")  # only a clerk's bound certificate signs
    return c


# ==================================================================================== intake
def bare_commit(conn, i: int, payload: bytes, signature: bytes | None) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO dossiers (id, code, procedure_code, procedure_name, applicant_name, citizen_id,"
        " phone, channel, received_at, status, clerk, data, search_text, updated_at) "
        "VALUES (?, ?, '1.001193', 'Đăng ký khai sinh', 'Đặng Thị Hương', '079190000123', "
        "'0912345678', 'in_person', '2026-11-23T10:00:00+07:00', 2, 'lan', ?, "
        "'dang thi huong 079190000123 0912345678', '2026-11-23T10:00:00+07:00')",
        (f"bare-{i}", f"BARE-{i}", payload.decode()))
    conn.execute(
        "INSERT INTO events (id, dossier_id, type, occurred_at, origin, actor, payload, signature,"
        " recorded_at) VALUES (?, ?, 'received', 't', 'counter', 'lan', ?, ?, 't')",
        (f"bare-e-{i}", f"bare-{i}", payload, signature))
    conn.execute("INSERT INTO outbox (event_id, created_at) VALUES (?, 't')", (f"bare-e-{i}",))
    conn.execute("COMMIT")


def _fill(c, dossiers: int) -> None:
    conn = c.store.conn
    for lo in range(1, dossiers + 1, 50_000):
        hi = min(dossiers, lo + 50_000 - 1)
        with c.store.write():
            conn.execute(FILL_SQL, (lo, hi))
            conn.execute(FILL_EVENTS, (lo, hi))
            conn.execute(FILL_OUTBOX, (lo, hi))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def run_intake(n: int, encrypted: bool, prefill: int = 0) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp, demo_signer("clerk1") as signer:
        counter = _counter(_settings(Path(tmp), encrypted))
        assert (counter.store.key is not None) == encrypted
        if prefill:
            _fill(counter, prefill)
        req = intake.parse_request(dossier_json())
        now = datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)
        for _ in range(20):
            intake.receive(counter, req, clerk="lan", now=now, signer=signer)
        payload = bytes(counter.store.query(
            "SELECT payload FROM events ORDER BY seq DESC LIMIT 1")[0]["payload"])
        out: dict[str, list[float]] = {"intake": [], "bare": [], "bare_signed": []}
        for i in range(n):
            t = time.perf_counter()
            intake.receive(counter, req, clerk="lan", now=now, signer=signer)
            out["intake"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            bare_commit(counter.store.conn, 2 * i, payload, None)
            out["bare"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            sig = signer.raw_sign(payload)
            bare_commit(counter.store.conn, 2 * i + 1, payload, sig)
            out["bare_signed"].append((time.perf_counter() - t) * 1000)
        counter.close()
    return out


def cmd_intake(args: argparse.Namespace) -> None:
    results = {}
    for encrypted in (False, True):
        results[encrypted] = r = run_intake(args.n, encrypted, args.prefill)
        label = "SQLCipher" if encrypted else "plaintext"
        print(f"== {label} store holding {args.prefill:,} synthetic dossiers, {args.n} signed "
              "intakes (RSA-2048 PKCS#12)")
        for k in ("intake", "bare", "bare_signed"):
            print(f"  {k:<12} p50 {statistics.median(r[k]):7.3f} ms  p99 {pct(r[k], 99):7.3f} ms")
        ratio = pct(r["intake"], 99) / pct(r["bare_signed"], 99)
        target = 2.0 if encrypted else 1.5
        print(f"  intake p99 / (bare commit + bare signature) p99 = {ratio:.2f}x "
              f"(target ≤ {target}x) -> {'OK' if ratio <= target else 'MISSED'}")
    plain, enc = results[False], results[True]
    print("== encryption overhead (same run)")
    for k in ("intake", "bare"):
        print(f"  {k:<7} p50 {statistics.median(enc[k]) / statistics.median(plain[k]):.2f}x  "
              f"p99 {pct(enc[k], 99) / pct(plain[k], 99):.2f}x  (SQLCipher / plaintext)")


# ==================================================================================== memory
FILL_SQL = """
WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
INSERT INTO dossiers (id, code, procedure_code, procedure_name, applicant_name, citizen_id, phone,
  channel, received_at, status, clerk, data, search_text, updated_at)
SELECT printf('d-%09d', i), printf('000.20.27.H57-%s-01%04d', substr(strftime('%Y%m%d', '2024-01-01',
  printf('+%d days', i / 9000)), 3), i % 9000 + 1), '1.001193', 'Đăng ký khai sinh',
  printf('Nguyễn Văn %d', i), printf('079%09d', i), printf('09%08d', i), 'in_person',
  '2026-11-23T10:00:00+07:00', 2, 'lan', '{"synthetic": true}',
  printf('nguyen van %d 079%09d 09%08d', i, i, i), '2026-11-23T10:00:00+07:00' FROM n
"""
FILL_EVENTS = """
WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
INSERT INTO events (id, dossier_id, type, occurred_at, origin, actor, payload, signature,
  recorded_at) SELECT printf('e-%09d', i), printf('d-%09d', i), 'received',
  '2026-11-23T10:00:00+07:00', 'counter', 'lan', randomblob(600), randomblob(300), 't' FROM n
"""
FILL_OUTBOX = """
WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
INSERT INTO outbox (event_id, created_at) SELECT printf('e-%09d', i), 't' FROM n
"""


def build_large(folder: Path, dossiers: int, scans: int, scan_mb: int, encrypted: bool) -> Settings:
    settings = _settings(folder, encrypted)
    c = _counter(settings)
    t0 = time.perf_counter()
    conn = c.store.conn
    _fill(c, dossiers)
    import hashlib

    from localdb.backup import attachment_path

    with c.store.write():
        for k in range(scans):
            data = os.urandom(scan_mb * 1024 * 1024)
            sha = hashlib.sha256(data).hexdigest()
            p = attachment_path(settings.attachments_dir, sha)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
            conn.execute("INSERT INTO attachments VALUES (?, ?, ?, 'application/pdf', ?)",
                         (f"d-{k + 1:09d}", sha, f"scan-{k}.pdf", len(data)))
    c.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    print(f"built {dossiers:,} dossiers + {scans} × {scan_mb} MiB scans in "
          f"{time.perf_counter() - t0:.0f} s; store {settings.store_path.stat().st_size / 1e6:.0f} MB"
          f" ({'SQLCipher' if encrypted else 'plaintext'})")
    return settings


# A tiny launcher: a child forked from this (large) process would count the parent's pages in
# its ru_maxrss; forked from the launcher it starts from ~10 MB.
LAUNCH = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(p.pid, 0)
err = p.stderr.read().decode(errors="replace").strip().splitlines()
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status), err[-1] if err else "", sep="\t")
"""


def measured(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(peak RSS MB, seconds, exit code) of one child process."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", LAUNCH, *argv], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    rss, rc, err = out.rstrip("\n").split("\t", 2)
    if int(rc):
        print("   ", err)
    return int(rss) / 1024, time.perf_counter() - t, int(rc)


def cmd_memory(args: argparse.Namespace) -> None:
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="motcua-bench-store-"))
    try:
        settings = build_large(folder, args.dossiers, args.scans, args.scan_mb, args.encrypted)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MOTCUA_LOG_DIR": str(folder / "logs")}
        if args.encrypted:
            env["MOTCUA_STORE_KEY_FILE"] = settings.store_key_file
        base = [sys.executable, "-m", "app", "--data-dir"]
        floor, _, _ = measured([sys.executable, "-c", "import app.cli, localdb.backup"], env)
        print(f"floor (interpreter + app imports): {floor:.0f} MB")
        backup = folder / "backup.sqlite3"
        fresh = folder / "fresh"
        rows = [
            ("backup", base + [str(settings.data_dir), "backup", str(backup)]),
            ("restore (fresh folder)", base + [str(fresh), "restore", str(backup),
                                               *(["--key-file", settings.store_key_file]
                                                 if args.encrypted else [])]),
            ("list --json --limit 1000", base + [str(settings.data_dir), "list", "--json",
                                                 "--limit", "1000"]),
        ]
        if args.encrypted:  # the restored copy keeps its key in the fresh folder's key file
            env_fresh = {**env, "MOTCUA_STORE_KEY_FILE": str(folder / "fresh-site" / "k")}
        else:
            env_fresh = env
        for name, argv in rows:
            rss, secs, rc = measured(argv, env_fresh if "fresh" in name else env)
            verdict = "OK" if rss <= 200 and rc == 0 else "MISSED"
            print(f"  {name:<26} peak RSS {rss:6.0f} MB  {secs:7.1f} s  exit {rc}  "
                  f"(target ≤ 200 MB) -> {verdict}")
        if backup.exists():
            print(f"  backup file {backup.stat().st_size / 1e6:.0f} MB")
        restored = fresh / "motcua.sqlite3"
        if restored.exists():
            print(f"  store {settings.store_path.stat().st_size / 1e6:.0f} MB, restored store "
                  f"{restored.stat().st_size / 1e6:.0f} MB (scans "
                  f"{args.scans * args.scan_mb} MiB stay files)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    p = sub.add_parser("intake")
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--prefill", type=int, default=0,
                   help="synthetic dossiers in the store before timing (e.g. 1000000)")
    p.set_defaults(func=cmd_intake)
    p = sub.add_parser("memory")
    p.add_argument("--dossiers", type=int, default=1_000_000)
    p.add_argument("--scans", type=int, default=200)
    p.add_argument("--scan-mb", type=int, default=1)
    p.add_argument("--encrypted", action="store_true")
    p.add_argument("--keep", help="build in this folder and keep it")
    p.set_defaults(func=cmd_memory)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
