"""Signing benchmark: CMS cost as a ratio to the bare signature, measured in the same run.

    python bench/bench_signing.py [--n 300]

Rows:
- P12 (RSA-2048 / ECDSA P-256): detached CMS via cryptography's PKCS7SignatureBuilder and via
  our prepared template (the default) vs the bare signature of the same bytes with the same
  key (target <= 1.3x for RSA; an ECDSA P-256 signature takes ~30 us, so any fixed CMS cost
  shows as a large ratio). `sign()` adds the pre-sign checks (validity, key usage, cached
  chain + CRL verdict).
- SoftHSM (same key types): CMS via signing.cms.CmsTemplate + token signature vs the bare
  token signature (target <= 1.5x).
- Verify (RSA-2048, ECDSA P-256, mixed): verify_many (fast path, chain cache warm), the full
  RFC 5652 parser and the first sight of a chain, each against the bare limit of the same
  events measured in this run (bench/bare.py: SHA-256 of the payload + the signature over
  the signed attributes with the key already parsed). Target: fast path <= 1.5x.
Ratios compare medians of interleaved batches, so machine noise hits both sides alike.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from signing.canonical import canonical_bytes
from signing.demo_pki import SOFTHSM_MODULE, load_into_softhsm, make_demo_pki
from signing.signer import P12Signer, Pkcs11Signer
from signing.trust import TrustStore
from signing.verify import verify_detached, verify_many

PIN = "246810"


def event_bytes(i: int) -> bytes:
    """A realistic ~2 KB signed event body."""
    return canonical_bytes({
        "id": f"0193a0b4-0000-7000-8000-{i:012d}", "type": "received",
        "dossier_code": "000.20.27.H57-261123-010001", "actor": "Nguyễn Văn An",
        "occurred_at": "2026-11-23T09:15:02+07:00",
        "counter": {"agency_code": "000.20.27.H57", "counter_no": 1},
        "data": {"applicant": {"name": "Trần Thị Bình", "citizen_id": "079123456789",
                               "address": "Số 1 đường Lê Lợi, phường Bến Thành"},
                 "documents": [{"name": f"Giấy tờ số {k}", "form": "copy"} for k in range(25)]},
    })


def per_op(fn: Callable[[], object], n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n


def compare(*fns: Callable[[], object], n: int, rounds: int = 7) -> list[float]:
    """Median per-op seconds of each function, measured in alternating batches."""
    for f in fns:
        f()  # warm-up
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for i, f in enumerate(fns):
            times[i].append(per_op(f, n))
    return [statistics.median(t) for t in times]


def bare_round(prepared: list) -> None:  # type: ignore[type-arg]
    """SHA-256 of each payload + its signature over the signed attributes, key parsed."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    sha_alg, pkcs1 = hashes.SHA256(), padding.PKCS1v15()
    ecdsa = ec.ECDSA(hashes.SHA256())
    for payload, tbs, key, algo, sig in prepared:
        hashlib.sha256(payload).digest()
        if algo == "ecdsa":
            key.verify(sig, tbs, ecdsa)
        else:
            key.verify(sig, tbs, pkcs1, sha_alg)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="operations per batch")
    args = ap.parse_args()
    n = args.n
    rows: list[tuple[str, str, str, str, str]] = []
    data = event_bytes(1)

    with tempfile.TemporaryDirectory() as tmp:
        pki = make_demo_pki(Path(tmp) / "pki", password="bench")
        trust = TrustStore.from_paths([pki.root_pem, pki.subca_pem], pki.crl_dir)

        for clerk, kind in (("clerk1", "RSA-2048"), ("clerk2", "ECDSA P-256")):
            target = "<= 1.3x" if kind.startswith("RSA") else "(tiny bare op)"
            b = P12Signer.open(pki.clerk(clerk).p12, "bench", trust=trust, backend="builder")
            s = P12Signer.open(pki.clerk(clerk).p12, "bench", trust=trust)
            bare, built, cms_, full = compare(
                lambda s=s: s.raw_sign(data), lambda b=b: b._sign(data),
                lambda s=s: s._sign(data), lambda s=s: s.sign(data), n=n)
            rows.append((f"P12 {kind}: CMS (builder)", f"{bare * 1e3:.3f}",
                         f"{built * 1e3:.3f}", f"{built / bare:.2f}x", target))
            rows.append((f"P12 {kind}: CMS (template, default)", f"{bare * 1e3:.3f}",
                         f"{cms_ * 1e3:.3f}", f"{cms_ / bare:.2f}x", target))
            rows.append((f"P12 {kind}: sign() incl. checks", f"{bare * 1e3:.3f}",
                         f"{full * 1e3:.3f}", f"{full / bare:.2f}x", target))

        hsm_note = ""
        if Path(SOFTHSM_MODULE).exists():
            for clerk in ("clerk1", "clerk2"):
                load_into_softhsm(pki, clerk, token_label="BENCH", pin=PIN, so_pin=PIN,
                                  softhsm_conf_dir=Path(tmp) / "softhsm")
            for clerk, kind in (("clerk1", "RSA-2048"), ("clerk2", "ECDSA P-256")):
                with Pkcs11Signer.open(SOFTHSM_MODULE, token_label="BENCH", pin=PIN,
                                       key_label=clerk, trust=trust) as s:
                    bare, cms_, full = compare(lambda s=s: s.raw_sign(data),
                                               lambda s=s: s._sign(data),
                                               lambda s=s: s.sign(data), n=n)
                rows.append((f"SoftHSM {kind}: CMS (template)", f"{bare * 1e3:.3f}",
                             f"{cms_ * 1e3:.3f}", f"{cms_ / bare:.2f}x", "<= 1.5x"))
                rows.append((f"SoftHSM {kind}: sign() incl. checks", f"{bare * 1e3:.3f}",
                             f"{full * 1e3:.3f}", f"{full / bare:.2f}x", "<= 1.5x"))
        else:
            hsm_note = f"(SoftHSM rows skipped: {SOFTHSM_MODULE} not installed)"

        # Verification throughput against the bare limit of the same events (bench/bare.py):
        # SHA-256 of the payload + signature over the signed attributes, key already parsed.
        from bare import prepare

        from signing.verify import verify_detached_full

        signers = [P12Signer.open(pki.clerk(c).p12, "bench") for c in ("clerk1", "clerk2")]
        m = max(n, 1000)
        for label, pick in (("RSA-2048", [0]), ("ECDSA P-256", [1]), ("RSA+ECDSA mix", [0, 1])):
            items = [(event_bytes(i), signers[pick[i % len(pick)]].sign(event_bytes(i)))
                     for i in range(m)]
            cold_store = TrustStore.from_paths([pki.root_pem, pki.subca_pem], pki.crl_dir)
            t = time.perf_counter()
            assert verify_detached(*items[0], cold_store).ok
            cold = time.perf_counter() - t
            verify_many(items[:2], trust)  # warm the chain cache for the clerk(s)
            # interleaved rounds: bare, fast path, full parser on the same events, so machine
            # noise hits all three alike; ratios are medians of the per-round ratios
            prepared = prepare(items)

            bare_t, fast_t, full_t = [], [], []
            for _ in range(9):
                t = time.perf_counter()
                bare_round(prepared)
                bare_t.append((time.perf_counter() - t) / m)
                t = time.perf_counter()
                res = verify_many(items, trust)
                fast_t.append((time.perf_counter() - t) / m)
                t = time.perf_counter()
                for d, sg in items[:100]:
                    verify_detached_full(d, sg, trust)
                full_t.append((time.perf_counter() - t) / 100)
            assert all(r.ok for r in res)
            bv = statistics.median(bare_t)
            warm, full = statistics.median(fast_t), statistics.median(full_t)
            fast_ratio = statistics.median(f / b for f, b in zip(fast_t, bare_t, strict=True))
            full_ratio = statistics.median(f / b for f, b in zip(full_t, bare_t, strict=True))
            rows.append((f"Verify {label}: fast path, chain cached", f"{bv * 1e3:.3f}",
                         f"{warm * 1e3:.3f}", f"{fast_ratio:.2f}x",
                         f"<= 1.5x; {1 / warm:,.0f} ev/s/core"))
            rows.append((f"Verify {label}: full RFC 5652 parser", f"{bv * 1e3:.3f}",
                         f"{full * 1e3:.3f}", f"{full_ratio:.2f}x", f"{1 / full:,.0f} ev/s/core"))
            rows.append((f"Verify {label}: first sight of a chain", f"{bv * 1e3:.3f}",
                         f"{cold * 1e3:.3f}", f"{cold / bv:.0f}x", "once per clerk"))
        for s in signers:
            s.close()

    w = max(len(r[0]) for r in rows)
    head = ("case", "bare ms", "ours ms", "ratio", "target/note")
    print(f"{head[0]:<{w}}  {head[1]:>8}  {head[2]:>8}  {head[3]:>7}  {head[4]}")
    for r in rows:
        print(f"{r[0]:<{w}}  {r[1]:>8}  {r[2]:>8}  {r[3]:>7}  {r[4]}")
    if hsm_note:
        print(hsm_note)
    print(f"(n={n} per batch, median of interleaved batches; event body {len(data)} bytes; "
          f"pid {os.getpid()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
