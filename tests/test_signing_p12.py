"""PKCS#12 signing: real demo PKI, real CMS, real `openssl cms -verify`, no mocks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import signing_fixtures as fx
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes, serialization
from signing_fixtures import PASSWORD, openssl_verify

from signing.canonical import canonical_bytes
from signing.certs import CertInfo, expires_within
from signing.errors import SigningError
from signing.signer import P12Signer, list_p12_certificates
from signing.verify import verify_detached
from tests.signing_fixtures import _raw_cms

demo_pki, trust = fx.demo_pki, fx.trust  # shared fixtures (pytest finds them by name)

EVENT = {"id": "0193a0b4-0000-7000-8000-000000000001", "type": "received",
         "actor": "Nguyễn Văn An", "data": {"fee": 50000, "docs": ["Tờ khai", "CCCD"]}}


def test_canonical_bytes_is_rfc8785():
    assert canonical_bytes({"b": 1, "a": [True, None, 1.5], "é": "ư"}) == (
        '{"a":[true,null,1.5],"b":1,"é":"ư"}'.encode()
    )
    with pytest.raises(SigningError) as e:
        canonical_bytes({"x": float("nan")})
    assert e.value.code == "malformed"


@pytest.mark.parametrize("backend", ["template", "builder"])
@pytest.mark.parametrize("clerk,key", [("clerk1", "RSA-2048"), ("clerk2", "EC-secp256r1")])
def test_sign_and_openssl_verifies(demo_pki, trust, tmp_path, clerk, key, backend):
    data = canonical_bytes(EVENT)
    with P12Signer.open(demo_pki.clerk(clerk).p12, PASSWORD, trust=trust, backend=backend) as s:
        assert s.info.key_type == key
        assert [c.subject for c in s.chain] == [demo_pki.subca.subject]
        sig = s.sign(data)
    r = openssl_verify(sig, data, demo_pki, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Verification successful" in r.stderr
    res = verify_detached(data, sig, trust)
    assert res.ok and res.code == "ok", res
    assert res.signer is not None and res.signer.common_name.startswith(clerk)
    assert res.warnings == []
    assert abs((res.signing_time - datetime.now(UTC)).total_seconds()) < 120


@pytest.mark.parametrize("backend", ["template", "builder"])
def test_cms_has_signing_time_and_chain(demo_pki, backend):
    sig = P12Signer.open(demo_pki.clerk("clerk1").p12, PASSWORD, backend=backend).sign(b"abc")
    sd = cms.ContentInfo.load(sig)["content"]
    assert sd["encap_content_info"]["content"].native is None  # detached
    attrs = {a["type"].native for a in sd["signer_infos"][0]["signed_attrs"]}
    assert {"content_type", "signing_time", "message_digest"} <= attrs
    assert sd["signer_infos"][0]["digest_algorithm"]["algorithm"].native == "sha256"
    subjects = {c.chosen.subject.native["common_name"] for c in sd["certificates"]}
    assert any(s.startswith("clerk1") for s in subjects)
    assert demo_pki.subca.subject.rfc4514_string().split(",")[0].removeprefix("CN=") in subjects


def test_tampered_data_byte(demo_pki, trust, tmp_path):
    data = canonical_bytes(EVENT)
    sig = P12Signer.open(demo_pki.clerk("clerk1").p12, PASSWORD).sign(data)
    bad = bytearray(data)
    bad[10] ^= 0x01
    assert verify_detached(bytes(bad), sig, trust).code == "digest_mismatch"
    assert openssl_verify(sig, bytes(bad), demo_pki, tmp_path).returncode != 0


@pytest.mark.parametrize("clerk", ["clerk1", "clerk2"])
def test_tampered_signature_byte(demo_pki, trust, tmp_path, clerk):
    data = canonical_bytes(EVENT)
    sig = bytearray(P12Signer.open(demo_pki.clerk(clerk).p12, PASSWORD).sign(data))
    sig[-3] ^= 0x01  # inside the signature value (the last field)
    r = verify_detached(data, bytes(sig), trust)
    assert not r.ok and r.code == "bad_signature"
    assert "không hợp lệ" in r.message_vi
    assert openssl_verify(bytes(sig), data, demo_pki, tmp_path).returncode != 0


def test_garbage_signature_is_malformed(trust):
    r = verify_detached(b"x", b"\x30\x03\x02\x01\x01", trust)
    assert r.code == "malformed" and not r.ok


def _swap_signer_cert(sig: bytes, other_der: bytes, *, fix_sid: bool) -> bytes:
    """Replace the signer certificate by another clerk's (optionally also pointing the signer
    identifier at it), as someone trying to re-attribute an event would."""
    from asn1crypto import x509 as ax509

    ci = cms.ContentInfo.load(sig)
    sd = ci["content"]
    other = ax509.Certificate.load(other_der)
    si = sd["signer_infos"][0]
    old_serial = si["sid"].chosen["serial_number"].native
    certs = [c.chosen for c in sd["certificates"]]
    new = [other if c.serial_number == old_serial else c for c in certs]
    sd["certificates"] = cms.CertificateSet([cms.CertificateChoices(name="certificate", value=c)
                                             for c in new])
    if fix_sid:
        si["sid"] = cms.SignerIdentifier(
            name="issuer_and_serial_number",
            value=cms.IssuerAndSerialNumber({"issuer": other.issuer,
                                             "serial_number": other.serial_number}))
    return ci.dump(force=True)


@pytest.mark.parametrize("fix_sid", [True, False])
def test_swapped_certificate(demo_pki, trust, tmp_path, fix_sid):
    data = canonical_bytes(EVENT)
    sig = P12Signer.open(demo_pki.clerk("clerk1").p12, PASSWORD).sign(data)
    other = demo_pki.clerk("expiring").cert.public_bytes(serialization.Encoding.DER)
    forged = _swap_signer_cert(sig, other, fix_sid=fix_sid)
    r = verify_detached(data, forged, trust)
    assert r.code == "bad_signature", r
    assert openssl_verify(forged, data, demo_pki, tmp_path).returncode != 0


@pytest.mark.parametrize("clerk,code,vi_part", [
    ("expired", "cert_expired", "đã hết hạn"),
    ("notyet", "cert_not_yet_valid", "chưa có hiệu lực"),
    ("wrong_usage", "key_usage", "không được phép dùng để ký số"),
    ("untrusted", "untrusted_issuer", "không do tổ chức cung cấp dịch vụ chứng thực tin cậy"),
    ("clerk3", "revoked", "đã bị thu hồi"),
])
def test_refused_at_sign_time(demo_pki, trust, clerk, code, vi_part):
    s = P12Signer.open(demo_pki.clerk(clerk).p12, PASSWORD, trust=trust)
    with pytest.raises(SigningError) as e:
        s.sign(b"data")
    assert e.value.code == code
    assert vi_part in e.value.message("vi")
    assert e.value.message("en") and e.value.message("en") != e.value.message("vi")


def test_without_trust_store_only_local_checks(demo_pki):
    # untrusted issuer is only detectable with anchors; validity/usage always are
    P12Signer.open(demo_pki.clerk("untrusted").p12, PASSWORD).sign(b"x")
    with pytest.raises(SigningError) as e:
        P12Signer.open(demo_pki.clerk("expired").p12, PASSWORD).sign(b"x")
    assert e.value.code == "cert_expired"




@pytest.mark.parametrize("clerk,code", [
    ("expired", "expired_at_signing"),
    ("notyet", "not_yet_valid_at_signing"),
    ("wrong_usage", "key_usage"),
    ("untrusted", "untrusted"),
    ("clerk3", "revoked"),
])
def test_verify_refuses(demo_pki, trust, clerk, code):
    r = verify_detached(b"payload", _raw_cms(demo_pki.clerk(clerk), b"payload"), trust)
    assert not r.ok and r.code == code, r
    assert r.message_vi and r.message_en


def test_wrong_password_and_bad_files(demo_pki, tmp_path):
    with pytest.raises(SigningError) as e:
        P12Signer.open(demo_pki.clerk("clerk1").p12, "sai mật khẩu")
    assert e.value.code == "wrong_secret"
    msg = e.value.message("vi")  # counted within the process (the CLI counts across runs)
    assert msg.startswith("Sai mật khẩu tệp chứng thư số (.p12). Đây là lần sai thứ ")
    assert msg.endswith("Vui lòng nhập lại.")
    assert "sai mật khẩu" not in repr(e.value)  # the password never shows up
    with pytest.raises(SigningError) as e:
        P12Signer.open(tmp_path / "none.p12", "x")
    assert e.value.code == "file_not_found"
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"not a pkcs12 file")
    with pytest.raises(SigningError) as e:
        P12Signer.open(junk, "x")
    assert e.value.code == "malformed"


def test_list_p12_and_expiry_warning(demo_pki):
    infos = list_p12_certificates(demo_pki.clerk("clerk2").p12, PASSWORD)
    assert infos[0].common_name.startswith("clerk2")
    assert infos[0].key_usage == ["digital_signature", "non_repudiation"]
    assert "emailProtection" in infos[0].extended_key_usage
    assert len(infos[0].sha256) == 64 and infos[0].serial_hex
    assert all("test only" in i.subject for i in infos)  # every subject marked TEST ONLY
    assert {i.is_ca for i in infos[1:]} == {True}
    assert isinstance(infos[0], CertInfo) and infos[0].to_dict()["not_after"]
    assert expires_within(demo_pki.clerk("expiring").cert, 30)
    assert not expires_within(demo_pki.clerk("clerk1").cert, 30)
    assert P12Signer.open(demo_pki.clerk("expiring").p12, PASSWORD).days_left() in (9, 10)


def test_raw_sign_matches_key(demo_pki):
    from cryptography.hazmat.primitives.asymmetric import padding

    s = P12Signer.open(demo_pki.clerk("clerk1").p12, PASSWORD)
    s.certificate.public_key().verify(s.raw_sign(b"abc"), b"abc", padding.PKCS1v15(),
                                      hashes.SHA256())
