"""Verification policy: revocation, stale/missing CRLs, trusted time, caching, CRL fetching."""

from __future__ import annotations

import http.server
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import signing_fixtures as fx
from cryptography.hazmat.primitives import serialization
from signing_fixtures import PASSWORD

from signing.demo_pki import issue_crl, make_demo_pki
from signing.errors import SigningError
from signing.signer import P12Signer
from signing.trust import TrustStore
from signing.verify import verify_detached, verify_many

demo_pki, trust = fx.demo_pki, fx.trust  # shared fixtures (pytest finds them by name)


def _sign(pki, clerk: str, data: bytes) -> bytes:
    return P12Signer.open(pki.clerk(clerk).p12, PASSWORD).sign(data)


def test_revoked_clerk_signature_is_revoked(demo_pki, trust):
    from tests.signing_fixtures import _raw_cms

    r = verify_detached(b"d", _raw_cms(demo_pki.clerk("clerk3"), b"d"), trust)
    assert r.code == "revoked" and not r.ok
    assert "thu hồi" in r.message_vi


def test_revoked_later_than_trusted_time(demo_pki, trust):
    """With a trusted time before the revocation (e.g. the gateway's receipt time), the
    signature stands but says so; without it, a revoked certificate always fails."""
    from tests.signing_fixtures import _raw_cms

    sig = _raw_cms(demo_pki.clerk("clerk3"), b"d")
    before = datetime.now(UTC) - timedelta(hours=2)
    r = verify_detached(b"d", sig, trust, at=before)
    assert r.ok and "revoked_later" in r.warnings
    assert verify_detached(b"d", sig, trust).code == "revoked"


def test_no_crl_is_a_warning_or_failure_on_request(demo_pki):
    bare = TrustStore.from_paths([demo_pki.root_pem, demo_pki.subca_pem], None)
    sig = _sign(demo_pki, "clerk1", b"d")
    r = verify_detached(b"d", sig, bare)
    assert r.ok and r.warnings == ["no_crl"]
    r = verify_detached(b"d", sig, bare, require_crl=True)
    assert not r.ok and r.code == "no_crl"


def test_stale_crl_is_reported_and_still_applied(demo_pki):
    now = datetime.now(UTC)
    stale = issue_crl(
        demo_pki.subca, demo_pki.subca_key,
        [(demo_pki.clerk("clerk3").cert.serial_number, now - timedelta(days=20))],
        this_update=now - timedelta(days=15), next_update=now - timedelta(days=1),
    )
    t = TrustStore.from_paths([demo_pki.chain_pem], None)  # chain.pem: root + intermediate
    assert len(t.anchors) == 1 and len(t.intermediates) == 1
    t.add_crl(stale.public_bytes(serialization.Encoding.PEM))
    t.add_crl((demo_pki.crl_dir / "root.crl").read_bytes())
    st = {s.issuer.split(",")[0]: s for s in t.crl_status()}
    assert any(s.stale for s in st.values()) and not all(s.stale for s in st.values())
    ok = verify_detached(b"d", _sign(demo_pki, "clerk1", b"d"), t)
    assert ok.ok and "crl_stale" in ok.warnings
    from tests.signing_fixtures import _raw_cms

    bad = verify_detached(b"d", _raw_cms(demo_pki.clerk("clerk3"), b"d"), t)
    assert bad.code == "revoked" and "crl_stale" not in bad.warnings


def test_older_crl_cannot_replace_newer(demo_pki, trust):
    empty_old = issue_crl(demo_pki.subca, demo_pki.subca_key, [], number=0,
                          this_update=datetime.now(UTC) - timedelta(days=3))
    trust.add_crl(empty_old.public_bytes(serialization.Encoding.DER))
    from tests.signing_fixtures import _raw_cms

    assert verify_detached(b"d", _raw_cms(demo_pki.clerk("clerk3"), b"d"), trust).code == "revoked"


def test_forged_crl_rejected(demo_pki, trust, tmp_path):
    other = make_demo_pki(tmp_path / "other", clerks=("x",), revoked=())
    # same subject name as our sub-CA, but signed by a different key
    forged = issue_crl(demo_pki.subca, other.subca_key, [])
    with pytest.raises(SigningError) as e:
        trust.add_crl(forged.public_bytes(serialization.Encoding.DER))
    assert e.value.code == "untrusted_issuer"
    with pytest.raises(SigningError) as e:
        trust.add_crl(b"garbage")
    assert e.value.code == "malformed"


def test_trust_generation_invalidates_cache(demo_pki):
    t = TrustStore.from_paths([demo_pki.root_pem, demo_pki.subca_pem], None)
    from tests.signing_fixtures import _raw_cms

    sig = _raw_cms(demo_pki.clerk("clerk3"), b"d")
    assert verify_detached(b"d", sig, t).ok  # no CRL yet: passes with a warning
    t.add_crl(demo_pki.crl_der.read_bytes())
    assert verify_detached(b"d", sig, t).code == "revoked"


def test_verify_many_uses_chain_cache(demo_pki, trust):
    s = P12Signer.open(demo_pki.clerk("clerk2").p12, PASSWORD)
    items = [(f"event {i}".encode(), s.sign(f"event {i}".encode())) for i in range(200)]
    first = verify_detached(*items[0], trust)
    results = verify_many(items[1:], trust)
    assert first.ok and all(r.ok for r in results)
    assert len(trust.chain_cache) == 1  # one path validation for 200 events of one signer
    bad = list(items[5])
    bad[0] = b"event X"
    assert verify_many([tuple(bad)], trust)[0].code == "digest_mismatch"


def test_verify_inside_running_event_loop(demo_pki, trust):
    import asyncio

    sig = _sign(demo_pki, "clerk1", b"d")

    async def main():
        return verify_detached(b"d", sig, trust)

    assert asyncio.run(main()).ok


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


def test_refresh_crls_downloads_and_caches(tmp_path):
    handler_dir = tmp_path / "www"
    (handler_dir / "crl").mkdir(parents=True)
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: _Quiet(*a, directory=str(handler_dir), **k))
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        pki = make_demo_pki(tmp_path / "pki", password=PASSWORD,
                            crl_url=f"http://127.0.0.1:{port}/crl/subca.crl")
        (handler_dir / "crl" / "subca.crl").write_bytes(pki.crl_der.read_bytes())
        (handler_dir / "crl" / "root.crl").write_bytes((pki.crl_dir / "root.crl").read_bytes())
        cache = tmp_path / "crlcache"
        t = TrustStore.from_paths([pki.root_pem, pki.subca_pem], cache)
        assert t.crl_status() == []
        report = t.refresh_crls(timeout=5)
        assert {r["url"].rsplit("/", 1)[1] for r in report} == {"root.crl"}  # CAs' CDPs
        sig = P12Signer.open(pki.clerk("clerk1").p12, PASSWORD).sign(b"d")
        verify_detached(b"d", sig, t)  # remembers clerk1's certificate and its CDP
        report = t.refresh_crls(timeout=5)
        assert all(r["ok"] for r in report), report
        assert len(t.crl_status()) == 2
        # offline: a new store reads the cache only
        srv.shutdown()
        t2 = TrustStore.from_paths([pki.root_pem, pki.subca_pem], cache)
        assert len(t2.crl_status()) == 2
        from tests.signing_fixtures import _raw_cms

        assert verify_detached(b"d", _raw_cms(pki.clerk("clerk3"), b"d"), t2).code == "revoked"
        failed = t2.refresh_crls(timeout=1)
        assert failed and not any(r["ok"] for r in failed) and failed[0]["error"]
    finally:
        srv.shutdown()
        srv.server_close()


def test_manifest_marks_test_only(demo_pki):
    import json

    m = json.loads(Path(demo_pki.manifest).read_text(encoding="utf-8"))
    assert m["test_only"] is True
    assert PASSWORD not in demo_pki.manifest.read_text(encoding="utf-8")
    assert {"clerk1", "clerk2", "clerk3", "expired", "notyet", "wrong_usage", "untrusted"} <= set(m["clerks"])
    assert m["clerks"]["clerk2"]["key_type"] == "ECDSA P-256"
    for c in [demo_pki.root, demo_pki.subca, *(k.cert for k in demo_pki.clerks.values())]:
        assert "test only" in c.subject.rfc4514_string().lower()
