"""The fast verification path (our own CMS template, read without asn1crypto) gives exactly the
verdict of the full RFC 5652 path, on our signatures and on mutated ones: flipped bytes,
reordered or missing signed attributes, extra or swapped certificates, other algorithms,
unsigned attributes, second signers, truncation and trailing bytes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import signing_fixtures as fx
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signing import verify as V
from signing.cms import CmsTemplate
from signing.trust import TrustStore

demo_pki = fx.demo_pki

DATA = '{"dossier_code":"000.20.27.H57-261201-010001","v":2,"ý":"Nguyễn"}'.encode()
CLERKS = ("clerk1", "clerk2", "clerk3", "expired", "wrong_usage", "untrusted")


@pytest.fixture(scope="module")
def world(demo_pki):
    trust = TrustStore.from_paths([demo_pki.root_pem, demo_pki.subca_pem], demo_pki.crl_dir)
    clerks = {}
    for name in CLERKS:
        c = demo_pki.clerk(name)
        algo = "rsassa_pkcs1v15" if isinstance(c.key, rsa.RSAPrivateKey) else "ecdsa"
        chain = [demo_pki.subca] if name != "untrusted" else []
        tpl = CmsTemplate(c.cert, chain, algo)
        when = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        sig = tpl.sign(DATA, lambda tbs, k=c.key: _raw(k, tbs, hashes.SHA256()), when)
        clerks[name] = (c, sig)
    return trust, clerks, demo_pki


def _raw(key, tbs: bytes, h) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(tbs, padding.PKCS1v15(), h)
    return key.sign(tbs, ec.ECDSA(h))


def _verdict(r: V.VerifyResult) -> tuple:
    return (r.ok, r.code, tuple(r.warnings), r.signing_time,
            r.signer.sha256 if r.signer else None)


def _same(trust, data: bytes, sig: bytes) -> None:
    full = V.verify_detached_full(data, sig, trust)
    first = V.verify_detached(data, sig, trust)  # may go through the full parser and learn
    again = V.verify_detached(data, sig, trust)  # the fast path when the layout is ours
    assert _verdict(first) == _verdict(full)
    assert _verdict(again) == _verdict(full)
    fast = V._parse_fast(sig)
    if fast is not None:  # whatever the fast parser reads, the full parser reads the same
        assert fast == V._parse_full(data, sig)


def test_our_signatures_take_the_fast_path_with_the_full_verdict(world):
    trust, clerks, _ = world
    for name, (_c, sig) in clerks.items():
        _same(trust, DATA, sig)
        assert V._parse_fast(sig) is not None, name  # learnt from the first full parse
    verdicts = {n: V.verify_detached(DATA, s, trust).code for n, (_c, s) in clerks.items()}
    assert verdicts == {"clerk1": "ok", "clerk2": "ok", "clerk3": "revoked",
                        "expired": "expired_at_signing", "wrong_usage": "key_usage", "untrusted": "untrusted"}
    # changed data: same refusal on both paths
    for _c, sig in clerks.values():
        _same(trust, DATA + b" ", sig)


def test_cache_follows_the_trust_store(world):
    """A new CRL generation invalidates cached chain verdicts: a fresh store without CRLs
    warns no_crl on both paths."""
    _trust, clerks, pki = world
    bare = TrustStore.from_paths([pki.root_pem, pki.subca_pem], None)
    sig = clerks["clerk1"][1]
    _same(bare, DATA, sig)
    assert V.verify_detached(DATA, sig, bare).warnings == ["no_crl"]


# ---- structural mutations (asn1crypto re-encodes; some are re-signed so they can pass) ----

def _load(sig: bytes) -> tuple[cms.ContentInfo, cms.SignerInfo]:
    ci = cms.ContentInfo.load(sig)
    return ci, ci["content"]["signer_infos"][0]


def _resign(si: cms.SignerInfo, key, h) -> None:
    tbs = b"\x31" + si["signed_attrs"].dump(force=True)[1:]
    si["signature"] = _raw(key, tbs, h)


def _mutate(kind: str, sig: bytes, clerk, pki, resign: bool, pick: int) -> bytes:
    ci, si = _load(sig)
    sd = ci["content"]
    attrs = list(si["signed_attrs"])
    h = hashes.SHA256()
    if kind == "reorder":
        attrs = attrs[pick % len(attrs):] + attrs[:pick % len(attrs)]
        si["signed_attrs"] = cms.CMSAttributes(attrs)
    elif kind == "drop_attr":
        del attrs[pick % len(attrs)]
        si["signed_attrs"] = cms.CMSAttributes(attrs)
    elif kind == "extra_attr":
        attrs.append(cms.CMSAttribute({"type": "signing_time",
                                       "values": [cms.Time({"utc_time": datetime.now(UTC)})]}))
        si["signed_attrs"] = cms.CMSAttributes(attrs)
    elif kind == "two_digests":
        md = next(a for a in attrs if a["type"].native == "message_digest")
        md["values"] = [hashlib.sha256(DATA).digest(), b"\x00" * 32]
        si["signed_attrs"] = cms.CMSAttributes(attrs)
    elif kind == "generalized_time":
        st_ = next(a for a in attrs if a["type"].native == "signing_time")
        st_["values"] = [cms.Time({"generalized_time": datetime.now(UTC)})]
        si["signed_attrs"] = cms.CMSAttributes(attrs)
    elif kind == "extra_cert":
        certs = list(sd["certificates"])
        extra = [pki.root_pem, pki.subca_pem][pick % 2]
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        der = x509.load_pem_x509_certificate(extra.read_bytes()).public_bytes(Encoding.DER)
        certs.insert(pick % (len(certs) + 1), cms.CertificateChoices.load(der))
        sd["certificates"] = cms.CertificateSet(certs)
        return ci.dump(force=True)
    elif kind == "swap_cert":
        from cryptography.hazmat.primitives.serialization import Encoding

        other = pki.clerk("clerk2" if pick % 2 else "clerk1").cert.public_bytes(Encoding.DER)
        certs = list(sd["certificates"])
        certs[0] = cms.CertificateChoices.load(other)
        sd["certificates"] = cms.CertificateSet(certs)
        return ci.dump(force=True)
    elif kind == "no_certs":
        sd["certificates"] = None
        return ci.dump(force=True)
    elif kind in ("sha384", "sha512"):
        h = hashes.SHA384() if kind == "sha384" else hashes.SHA512()
        si["digest_algorithm"] = {"algorithm": kind}
        md = next(a for a in attrs if a["type"].native == "message_digest")
        md["values"] = [hashlib.new(kind, DATA).digest()]
        si["signed_attrs"] = cms.CMSAttributes(attrs)
        name = "rsa" if isinstance(clerk.key, rsa.RSAPrivateKey) else "ecdsa"
        si["signature_algorithm"] = {"algorithm": f"{kind}_{name}"}
    elif kind == "plain_rsa_oid":
        if isinstance(clerk.key, rsa.RSAPrivateKey):
            si["signature_algorithm"] = {"algorithm": "rsassa_pkcs1v15"}
    elif kind == "pss":
        si["signature_algorithm"] = {"algorithm": "rsassa_pss"}
    elif kind == "unsigned_attr":
        si["unsigned_attrs"] = cms.CMSAttributes([cms.CMSAttribute(
            {"type": "counter_signature", "values": [si.copy()]})])
        return ci.dump(force=True)
    elif kind == "second_signer":
        sd["signer_infos"] = cms.SignerInfos([si.copy(), si.copy()])
        return ci.dump(force=True)
    elif kind == "embedded_content":
        sd["encap_content_info"] = {"content_type": "data", "content": DATA}
        return ci.dump(force=True)
    elif kind == "no_attrs":
        si["signed_attrs"] = None
        if resign:
            si["signature"] = _raw(clerk.key, DATA, h)
        return ci.dump(force=True)
    if resign:
        _resign(si, clerk.key, h)
    return ci.dump(force=True)


KINDS = ["reorder", "drop_attr", "extra_attr", "two_digests", "generalized_time", "extra_cert",
         "swap_cert", "no_certs", "sha384", "sha512", "plain_rsa_oid", "pss", "unsigned_attr",
         "second_signer", "embedded_content", "no_attrs"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), clerk=st.sampled_from(["clerk1", "clerk2", "clerk3"]),
       resign=st.booleans(), pick=st.integers(0, 7))
def test_structural_mutations_same_verdict(world, kind, clerk, resign, pick):
    trust, clerks, pki = world
    c, sig = clerks[clerk]
    V.verify_detached(DATA, sig, trust)  # the original's signer profile is learnt
    mutated = _mutate(kind, sig, c, pki, resign, pick)
    _same(trust, DATA, mutated)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clerk=st.sampled_from(["clerk1", "clerk2"]), data=st.data())
def test_flipped_truncated_extended_bytes_same_verdict(world, clerk, data):
    trust, clerks, _ = world
    sig = bytearray(clerks[clerk][1])
    V.verify_detached(DATA, bytes(sig), trust)
    op = data.draw(st.sampled_from(["flip", "flip", "flip", "truncate", "append", "insert"]))
    if op == "flip":
        for _ in range(data.draw(st.integers(1, 3))):
            i = data.draw(st.integers(0, len(sig) - 1))
            sig[i] ^= data.draw(st.integers(1, 255))
    elif op == "truncate":
        del sig[data.draw(st.integers(0, len(sig) - 1)):]
    elif op == "append":
        sig += data.draw(st.binary(min_size=1, max_size=8))
    else:
        i = data.draw(st.integers(0, len(sig)))
        sig[i:i] = data.draw(st.binary(min_size=1, max_size=4))
    _same(trust, DATA, bytes(sig))


def test_verify_many_and_iter_verify_match_one_by_one(world):
    trust, clerks, _ = world
    items = [(DATA, s) for _c, s in clerks.values()] + [(DATA + b"x", clerks["clerk1"][1])]
    one = [_verdict(V.verify_detached(d, s, trust)) for d, s in items]
    assert [_verdict(r) for r in V.verify_many(items, trust)] == one
    assert [_verdict(r) for r in V.iter_verify(iter(items), trust)] == one
