"""The bare limit of ingesting signed events, measured in the same run as the benchmark.

Per event, what no gateway can avoid (issue 13):
- one SHA-256 over the payload (the event hash, and the messageDigest check),
- one signature verification over the signed attributes, with the public key already parsed
  (RSA-2048 PKCS#1 v1.5 or ECDSA P-256, whatever the events carry),
- its share of one durable batched insert (SQLite WAL + synchronous=FULL, one transaction per
  batch, the payload and signature bytes stored).

Everything a real path adds — parsing CMS and JSON, checking the envelope, the chain, the
authorization table, HTTP — shows as the ratio to this. The extraction of the signed
attributes and the key parsing happen before the clock starts. Each part is timed several
times and the fastest round kept: a limit is the best the machine did, not an average.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Bare:
    """Seconds per event of each unavoidable part, single core."""

    events: int
    sha256_s: float
    verify_s: float
    insert_s: float
    batch: int

    @property
    def per_event_s(self) -> float:
        return self.sha256_s + self.verify_s + self.insert_s

    @property
    def events_per_s(self) -> float:
        return 1.0 / self.per_event_s

    def total_s(self, n: int | None = None) -> float:
        return self.per_event_s * (self.events if n is None else n)

    def describe(self) -> str:
        return (f"bare limit per event: sha256 {self.sha256_s * 1e6:.1f} us + signature "
                f"{self.verify_s * 1e6:.1f} us + durable insert share {self.insert_s * 1e6:.1f} us"
                f" (batches of {self.batch}) = {self.per_event_s * 1e6:.1f} us "
                f"= {self.events_per_s:,.0f} events/s per core")


def prepare(events: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes, object, str, bytes]]:
    """(payload, tbs, parsed public key, algorithm, signature value) for each event: the work
    done before the bare clock starts."""
    from asn1crypto import cms
    from cryptography import x509

    from signing.verify import _parse_full

    keys: dict[bytes, object] = {}
    out = []
    for payload, cms_der in events:
        parsed = _parse_full(payload, cms_der)
        if not hasattr(parsed, "signer_der") or parsed.signer_der is None:  # type: ignore[union-attr]
            raise ValueError("benchmark event without a readable signer")
        der = parsed.signer_der  # type: ignore[union-attr]
        if der not in keys:
            keys[der] = x509.load_der_x509_certificate(der).public_key()
        si = cms.ContentInfo.load(cms_der)["content"]["signer_infos"][0]
        tbs = b"\x31" + si["signed_attrs"].dump()[1:]
        out.append((payload, tbs, keys[der], si["signature_algorithm"].signature_algo,
                    si["signature"].native))
    return out


def _time(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    best = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return min(best)


def measure(events: Sequence[tuple[bytes, bytes]], workdir: Path, *, batch: int = 250,
            rounds: int = 5, sample: int | None = 2000) -> Bare:
    """Bare cost per event over `events` (or an evenly spread sample of them)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    if sample and len(events) > sample:
        step = len(events) / sample
        events = [events[int(i * step)] for i in range(sample)]
    prepared = prepare(events)
    n = len(prepared)
    sha = hashes.SHA256()
    pkcs1 = padding.PKCS1v15()
    ecdsa = ec.ECDSA(sha)

    def hashes_only() -> None:
        for p in prepared:
            hashlib.sha256(p[0]).digest()

    def verify_only() -> None:
        for _payload, tbs, key, algo, sig in prepared:
            if algo == "ecdsa":
                key.verify(sig, tbs, ecdsa)  # type: ignore[attr-defined]
            else:
                key.verify(sig, tbs, pkcs1, sha)  # type: ignore[attr-defined]

    db = Path(workdir) / "bare-insert.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    # the gateway's page size: a ~5 KB event fits a 16 KB page, where 4 KB pages put it in an
    # overflow chain (~1.6x the insert CPU); the limit is the best layout, as the gateway's
    from sync.gateway.store import SQLITE_PAGE_SIZE

    conn.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, payload BLOB NOT NULL,"
                 " sha TEXT NOT NULL, sig BLOB NOT NULL)")
    rows = [(hashlib.sha256(p[0]).hexdigest(), p[0], e[1]) for p, e in
            zip(prepared, events, strict=True)]
    counter = [0]

    def inserts() -> None:
        for k in range(0, n, batch):
            conn.execute("BEGIN")
            base = counter[0]
            conn.executemany("INSERT INTO ev (id, payload, sha, sig) VALUES (?, ?, ?, ?)",
                             [(base + j, r[1], r[0], r[2]) for j, r in enumerate(rows[k:k + batch])])
            counter[0] += len(rows[k:k + batch])
            conn.execute("COMMIT")

    try:
        verify_only()  # warm-up (and a check that the events really verify)
        h = _time(hashes_only, rounds) / n
        v = _time(verify_only, rounds) / n
        i = _time(inserts, rounds) / n
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    return Bare(n, h, v, i, batch)


def descendants_cpu(only: set[int] | None = None) -> float:
    """CPU seconds (user + system) used so far by every live descendant process (the gateway
    processes and their signature workers), or by the processes ``only`` among them, read from
    /proc (Linux); 0 elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        stats = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat", "rb") as f:
                        parts = f.read().rsplit(b")", 1)[1].split()
                    stats[int(d)] = (int(parts[1]), int(parts[11]) + int(parts[12]))
                except (OSError, IndexError, ValueError):
                    continue
    except OSError:
        return 0.0
    mine, frontier = set(), {os.getpid()}
    while frontier:
        kids = {p for p, (ppid, _) in stats.items() if ppid in frontier and p not in mine}
        mine |= kids
        frontier = kids
    if only is not None:
        mine &= only
    return sum(stats[p][1] for p in mine) / tick


def ratio(value: float, bare: float) -> str:
    return f"{value / bare:.2f}x" if bare > 0 else "n/a"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
