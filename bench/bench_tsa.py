"""RFC 3161 time-stamps: issuing a token at the gateway vs a bare RSA signature of the TSA key,
and verifying a signature with its token vs without (same run, same machine).

    .venv/bin/python bench/bench_tsa.py
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from signing import tsa
from signing.demo_pki import make_demo_pki
from signing.signer import P12Signer
from signing.trust import TrustStore
from signing.verify import verify_detached


def per_call(fn, n: int) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n


def main(n: int = 2000) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-tsa-") as d:
        pki = make_demo_pki(Path(d))
        authority = tsa.TimeStampAuthority(pki.tsa, pki.tsa_key, [pki.subca])
        sig = P12Signer.open(pki.clerk("clerk1").p12, "demo").sign(b"event")
        value = tsa.signature_value(sig)
        digest = hashlib.sha256(value).digest()
        stamp = per_call(lambda: authority.stamp(value), n)
        bare = per_call(lambda: pki.tsa_key.sign(digest, padding.PKCS1v15(), hashes.SHA256()), n)
        library = per_call(lambda: authority.stamp_with_library(
            value, when=__import__("datetime").datetime.now(tsa.UTC).replace(microsecond=0),
            serial=tsa._serial()), max(20, n // 50))
        trust = TrustStore.from_paths([pki.root_pem, pki.subca_pem], pki.crl_dir)
        tokens = [authority.stamp(value) for _ in range(200)]
        it = iter(tokens * (n // 200 + 1))
        with_tst = per_call(lambda: verify_detached(b"event", sig, trust, tst=next(it)), n)
        without = per_call(lambda: verify_detached(b"event", sig, trust), n)
    print(f"issue a token           {stamp * 1e3:7.3f} ms  = {stamp / bare:5.2f}x bare RSA-2048 "
          f"signature ({bare * 1e3:.3f} ms); pyHanko/asn1crypto alone {library * 1e3:.2f} ms")
    print(f"verify with its token   {with_tst * 1e3:7.3f} ms  vs without {without * 1e3:.3f} ms "
          f"({with_tst / without:.1f}x: a second RSA verification)")


if __name__ == "__main__":
    main()
