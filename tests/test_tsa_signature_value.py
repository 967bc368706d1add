"""`signing.tsa.signature_value` reads our own CMS layout with the strict DER walk of
`signing.verify` and everything else with asn1crypto: both give the same octets, or both
refuse, on our signatures and on mutated ones (flipped bytes, truncation, trailing bytes, an
unsigned time-stamp attribute)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import signing_fixtures as fx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signing import tsa
from signing import verify as V
from signing.cms import CmsTemplate

demo_pki = fx.demo_pki

DATA = b'{"dossier_code":"000.20.27.H57-261201-010001","v":2}'


def _raw(key, tbs: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(tbs, ec.ECDSA(hashes.SHA256()))


@pytest.fixture(scope="module")
def sigs(demo_pki) -> list[bytes]:
    out = []
    for name in ("clerk1", "clerk2"):  # an RSA and an ECDSA clerk in the demo PKI
        c = demo_pki.clerk(name)
        algo = "rsassa_pkcs1v15" if isinstance(c.key, rsa.RSAPrivateKey) else "ecdsa"
        when = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        out.append(CmsTemplate(c.cert, [demo_pki.subca], algo).sign(
            DATA, lambda tbs, k=c.key: _raw(k, tbs), when))
    authority = tsa.TimeStampAuthority.from_files(demo_pki.tsa_pem, demo_pki.tsa_key_pem)
    out.append(tsa.with_timestamp(out[0], authority.stamp_signature(out[0])))
    return out


def _outcome(fn, der: bytes) -> bytes | str:
    try:
        return fn(der)
    except (ValueError, TypeError, KeyError, IndexError):
        return "refused"


def test_our_layout_takes_the_walk_and_reads_what_asn1crypto_reads(sigs):
    plain_rsa, plain_ec, stamped = sigs
    for der in (plain_rsa, plain_ec):
        assert V._split_template(der)[5] == tsa.signature_value_full(der)
        assert tsa.signature_value(der) == tsa.signature_value_full(der)
    with pytest.raises(V._NotTemplate):  # an unsigned attribute: not our layout
        V._split_template(stamped)
    assert tsa.signature_value(stamped) == tsa.signature_value_full(stamped) \
        == tsa.signature_value(plain_rsa)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 2), pos=st.integers(0, 1 << 20), value=st.integers(0, 255),
       cut=st.integers(0, 64), tail=st.binary(max_size=4))
def test_mutated_cms_same_octets_or_both_refuse(sigs, which, pos, value, cut, tail):
    der = sigs[which]
    flipped = bytearray(der)
    flipped[pos % len(der)] = value
    for variant in (bytes(flipped), der[:len(der) - cut], der + tail):
        assert _outcome(tsa.signature_value, variant) == \
            _outcome(tsa.signature_value_full, variant)
