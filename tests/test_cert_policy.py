"""Certificate policy (RFC 5280) and revocation with a proof of time (RFC 3161).

Real certificates made with `cryptography`, real CRLs, real time-stamp tokens from the demo
TSA, and `openssl cms -verify` / `openssl ts -verify` as the outside party.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import signing_fixtures as fx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from signing_fixtures import PASSWORD, openssl_verify

from signing import tsa
from signing.cms import CmsTemplate
from signing.demo_pki import issue_crl
from signing.errors import SigningError
from signing.signer import P12Signer
from signing.trust import TrustStore
from signing.verify import verify_detached

demo_pki, trust = fx.demo_pki, fx.trust


def _cert(pki, *, ca: bool = False, key_usage: bool = True, sign_bits: bool = True,
          cn: str = "Cán bộ thử chính sách") -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """An end-entity (or CA:TRUE) certificate issued by the demo sub-CA."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
         .issuer_name(pki.subca.subject).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if key_usage:
        b = b.add_extension(x509.KeyUsage(
            digital_signature=sign_bits, content_commitment=sign_bits, key_encipherment=not sign_bits,
            data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
            encipher_only=False, decipher_only=False), critical=True)
    return b.sign(pki.subca_key, hashes.SHA256()), key


def _p12(tmp_path, cert, key, extra=()) -> object:
    path = tmp_path / "k.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"k", key, cert, list(extra), serialization.BestAvailableEncryption(b"pw")))
    return path


def _cms(cert, key, chain, data: bytes) -> bytes:
    """A CMS made outside our signer's checks (as another tool would)."""
    return CmsTemplate(cert, chain, "rsassa_pkcs1v15").sign(
        data, lambda tbs: key.sign(tbs, padding.PKCS1v15(), hashes.SHA256()))


@pytest.mark.parametrize("kind,code,vi,en", [
    ("ca", "ca_certificate", "CA:TRUE", "CA:TRUE"),
    ("no_ku", "no_key_usage", "không có phần mở rộng keyUsage", "no keyUsage extension"),
    ("enc_only", "key_usage", "digitalSignature", "digitalSignature"),
])
def test_policy_refused_at_unlock_and_failed_by_verify(demo_pki, trust, tmp_path, kind, code,
                                                       vi, en):
    cert, key = _cert(demo_pki, ca=kind == "ca", key_usage=kind != "no_ku",
                      sign_bits=kind != "enc_only")
    signer = P12Signer.open(_p12(tmp_path, cert, key, [demo_pki.subca]), "pw", trust=trust)
    with pytest.raises(SigningError) as e:  # what key unlock and intake call
        signer.check()
    assert e.value.code == code and vi in e.value.vi and en in e.value.en
    with pytest.raises(SigningError):
        signer.sign(b"x")
    r = verify_detached(b"data", _cms(cert, key, [demo_pki.subca], b"data"), trust)
    assert not r.ok and r.code == code
    assert vi.split()[0] in r.message_vi


def test_end_entity_with_signing_usage_passes(demo_pki, trust, tmp_path):
    cert, key = _cert(demo_pki)
    with P12Signer.open(_p12(tmp_path, cert, key, [demo_pki.subca]), "pw", trust=trust) as s:
        sig = s.sign(b"data")
    assert verify_detached(b"data", sig, trust).ok


# -- revocation -----------------------------------------------------------------------------


def _revoke(pki, trust: TrustStore, cert, when, reason, invalidity=None, number=10) -> None:
    crl = issue_crl(pki.subca, pki.subca_key, [(cert.serial_number, when, reason, invalidity)],
                    number=number)
    trust.add_crl(crl.public_bytes(serialization.Encoding.DER))


def _stamped(pki, data: bytes, clerk: str = "clerk1") -> tuple[bytes, bytes]:
    """A clerk's signature and the demo TSA's token over its signature value (stamped now)."""
    sig = P12Signer.open(pki.clerk(clerk).p12, PASSWORD).sign(data)
    authority = tsa.TimeStampAuthority(pki.tsa, pki.tsa_key, [pki.subca])
    return sig, authority.stamp_signature(sig)


def test_superseded_after_signing_with_time_stamp_stays_valid(demo_pki, trust):
    sig, token = _stamped(demo_pki, b"ho so")
    later = datetime.now(UTC) + timedelta(minutes=1)
    _revoke(demo_pki, trust, demo_pki.clerk("clerk1").cert, later, x509.ReasonFlags.superseded)
    r = verify_detached(b"ho so", sig, trust, tst=token)
    assert r.ok and "revoked_later" in r.warnings and r.time_proof is not None
    vi, en = r.notes["revoked_later"]
    vn = later.astimezone(tsa_vn()).strftime("%d/%m/%Y %H:%M")
    assert vn in vi and "đã được thay bằng chứng thư mới" in vi
    assert vn in en and "superseded" in en


def tsa_vn():
    from signing.errors import VN_TZ

    return VN_TZ


def test_without_time_stamp_revocation_fails_and_says_why(demo_pki, trust):
    sig, _token = _stamped(demo_pki, b"ho so")
    when = datetime.now(UTC) + timedelta(minutes=1)
    _revoke(demo_pki, trust, demo_pki.clerk("clerk1").cert, when, x509.ReasonFlags.superseded)
    r = verify_detached(b"ho so", sig, trust)
    assert r.code == "revoked" and not r.ok
    assert when.astimezone(tsa_vn()).strftime("%d/%m/%Y %H:%M") in r.message_vi
    assert "giờ Việt Nam" in r.message_vi and "Vietnam time" in r.message_en
    assert "đã được thay bằng chứng thư mới" in r.message_vi
    assert "không có dấu thời gian" in r.message_vi and "no RFC 3161 time-stamp" in r.message_en


def test_key_compromise_invalidity_date_decides(demo_pki, trust):
    sig, token = _stamped(demo_pki, b"ho so")
    now = datetime.now(UTC)
    _revoke(demo_pki, trust, demo_pki.clerk("clerk1").cert, now + timedelta(minutes=5),
            x509.ReasonFlags.key_compromise, invalidity=now - timedelta(days=2))
    r = verify_detached(b"ho so", sig, trust, tst=token)
    assert r.code == "revoked"
    assert "khóa bí mật bị lộ" in r.message_vi and "key compromise" in r.message_en
    assert (now - timedelta(days=2)).astimezone(tsa_vn()).strftime("%d/%m/%Y") in r.message_vi


def test_key_compromise_without_invalidity_date_uses_revocation_date(demo_pki, trust):
    sig, token = _stamped(demo_pki, b"ho so")
    _revoke(demo_pki, trust, demo_pki.clerk("clerk1").cert,
            datetime.now(UTC) + timedelta(minutes=5), x509.ReasonFlags.key_compromise)
    assert verify_detached(b"ho so", sig, trust, tst=token).ok


def test_revoked_before_the_time_stamp_fails(demo_pki, trust):
    sig, token = _stamped(demo_pki, b"ho so")
    _revoke(demo_pki, trust, demo_pki.clerk("clerk1").cert,
            datetime.now(UTC) - timedelta(hours=1), x509.ReasonFlags.affiliation_changed)
    r = verify_detached(b"ho so", sig, trust, tst=token)
    assert r.code == "revoked" and "thay đổi đơn vị công tác" in r.message_vi


def test_signing_refused_with_revocation_date_and_reason(demo_pki, trust):
    when = datetime.now(UTC) - timedelta(minutes=3)
    _revoke(demo_pki, trust, demo_pki.clerk("clerk1").cert, when, x509.ReasonFlags.superseded)
    s = P12Signer.open(demo_pki.clerk("clerk1").p12, PASSWORD, trust=trust)
    with pytest.raises(SigningError) as e:
        s.sign(b"x")
    assert e.value.code == "revoked"
    assert when.astimezone(tsa_vn()).strftime("%d/%m/%Y %H:%M") in e.value.vi
    assert "đã được thay bằng chứng thư mới" in e.value.vi and "superseded" in e.value.en


# -- time-stamp tokens ----------------------------------------------------------------------


def test_token_is_accepted_by_openssl_ts_and_cms_still_verifies(demo_pki, trust, tmp_path):
    data = b'{"v":2,"type":"received"}'
    sig, token = _stamped(demo_pki, data)
    (tmp_path / "token.tst").write_bytes(token)
    (tmp_path / "sigvalue.bin").write_bytes(tsa.signature_value(sig))
    r = subprocess.run(
        ["openssl", "ts", "-verify", "-in", str(tmp_path / "token.tst"), "-token_in",
         "-data", str(tmp_path / "sigvalue.bin"), "-CAfile", str(demo_pki.root_pem),
         "-untrusted", str(demo_pki.tsa_pem)],
        capture_output=True, text=True)
    assert r.returncode == 0 and "Verification: OK" in r.stdout, r.stderr
    stamped = tsa.with_timestamp(sig, token)
    assert tsa.timestamp_of(stamped) == token
    assert tsa.signature_value(stamped) == tsa.signature_value(sig)
    assert openssl_verify(stamped, data, demo_pki, tmp_path).returncode == 0
    # the embedded token is what verify uses when no separate token is given
    r2 = verify_detached(data, stamped, trust, tst=tsa.timestamp_of(stamped))
    assert r2.ok and r2.time_proof is not None
    # openssl prints the attribute back
    out = subprocess.run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in",
                          str(tmp_path / "sig.p7s")], capture_output=True, text=True)
    assert "id-smime-aa-timeStampToken" in out.stdout


def test_token_over_another_signature_is_refused(demo_pki, trust):
    sig, _ = _stamped(demo_pki, b"one")
    _, other_token = _stamped(demo_pki, b"two")
    r = verify_detached(b"one", sig, trust, tst=other_token)
    assert r.code == "timestamp_invalid" and not r.ok
    r = verify_detached(b"one", sig, trust, tst=b"\x30\x03garbage")
    assert r.code == "timestamp_invalid"


def test_token_from_a_non_tsa_certificate_is_refused(demo_pki, trust):
    """A clerk's key cannot mint proofs of time: the TSA certificate needs EKU timeStamping."""
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    clerk = demo_pki.clerk("clerk1")
    with pytest.raises(ValueError):
        tsa.TimeStampAuthority(clerk.cert, clerk.key)
    der = serialization.Encoding.DER
    forger = DummyTimeStamper(
        ax509.Certificate.load(clerk.cert.public_bytes(der)),
        akeys.PrivateKeyInfo.load(clerk.key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        include_nonce=False, fixed_dt=datetime.now(UTC) - timedelta(days=300))
    sig = P12Signer.open(demo_pki.clerk("clerk1").p12, PASSWORD).sign(b"x")
    import hashlib

    _n, req = forger.request_cms(hashlib.sha256(tsa.signature_value(sig)).digest(), "sha256")
    token = forger.request_tsa_response(req)["time_stamp_token"].dump()
    r = verify_detached(b"x", sig, trust, tst=token)
    assert r.code == "timestamp_invalid"


def test_tsa_certificate_has_critical_time_stamping_eku(demo_pki):
    ext = demo_pki.tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert ext.critical and list(ext.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert oct(os.stat(demo_pki.tsa_key_pem).st_mode & 0o777) == "0o600"
    loaded = tsa.TimeStampAuthority.from_files(demo_pki.tsa_pem, demo_pki.tsa_key_pem)
    assert loaded.certificate == demo_pki.tsa


def test_stamping_works_whatever_was_imported_first(demo_pki, tmp_path):
    """asn1crypto.tsp registers its names in cms's OID maps; a process that used those maps
    before importing it (the demo gateway did) must still build tokens."""
    import sys

    code = (
        "from asn1crypto import cms\n"
        "cms.ContentType('data'); cms.CMSAttributeType('content_type')\n"
        "from signing import tsa\n"
        "from pathlib import Path\n"
        f"a = tsa.TimeStampAuthority.from_files(Path({str(demo_pki.tsa_pem)!r}),"
        f" Path({str(demo_pki.tsa_key_pem)!r}))\n"
        "token = a.stamp(b'x')\n"
        "print(len(tsa.read_token(token, b'x').tsa_cert.public_bytes(__import__("
        "'cryptography.hazmat.primitives.serialization', fromlist=['Encoding']).Encoding.DER)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": os.getcwd()}, cwd=os.getcwd())
    assert r.returncode == 0, r.stderr


def test_spliced_tokens_equal_the_librarys(demo_pki):
    """Tokens are made from a template (five fixed-width fields spliced): byte for byte what
    pyHanko/asn1crypto build for the same values."""
    a = tsa.TimeStampAuthority(demo_pki.tsa, demo_pki.tsa_key, [demo_pki.subca])
    for when in (datetime(2026, 12, 1, 9, 15, 0, tzinfo=UTC), datetime(2049, 12, 31, 23, 59, 59,
                                                                        tzinfo=UTC)):
        serial = tsa._serial()
        data = os.urandom(40)
        assert a._template.token(__import__("hashlib").sha256(data).digest(), when, serial) == \
            a.stamp_with_library(data, when=when, serial=serial)
    token = a.stamp(b"x")
    facts = tsa.read_token(token, b"x")
    assert abs((facts.gen_time - datetime.now(UTC)).total_seconds()) < 60
    assert facts.gen_time.microsecond == 0


def _outcome(fn, token, imprinted):
    try:
        f = fn(token, imprinted)
        return ("ok", f.gen_time, f.serial)
    except (tsa.TimeStampError, ValueError, TypeError, KeyError, IndexError) as exc:
        return ("refused", getattr(exc, "code", "malformed") != "", None)


def test_fast_token_reading_agrees_with_the_full_parser(demo_pki):
    """Tokens of a known layout skip the ASN.1 parse; every single-byte change of a token
    gets the same verdict from both readers (accepted with the same time, or refused)."""
    a = tsa.TimeStampAuthority(demo_pki.tsa, demo_pki.tsa_key, [demo_pki.subca])
    sig = P12Signer.open(demo_pki.clerk("clerk1").p12, PASSWORD).sign(b"x")
    value = tsa.signature_value(sig)
    first = a.stamp(value)
    tsa.read_token(first, value)  # learns the layout
    token = a.stamp(value)
    assert tsa._read_fast(token, value) is not None  # the fast path is really taken
    assert _outcome(tsa.read_token, token, value) == _outcome(tsa.read_token_full, token, value)
    assert _outcome(tsa.read_token, token, b"other") == ("refused", True, None)
    for i in range(0, len(token), 3):
        bad = bytearray(token)
        bad[i] ^= 0x01
        fast, full = (_outcome(tsa.read_token, bytes(bad), value),
                      _outcome(tsa.read_token_full, bytes(bad), value))
        assert fast[0] == full[0] and fast[1:] == full[1:] or fast[0] == full[0] == "refused", i
