"""RFC 3161 time-stamps over event signatures: issuing (at the gateway) and checking.

The gateway acts as a time-stamping authority (TSA) with its own certificate (extendedKeyUsage
timeStamping, critical — RFC 3161 §2.3). For every event it accepts it time-stamps the event's
*signature value* (the SignerInfo's signature octets), exactly what RFC 3161 Appendix A calls a
signatureTimeStampToken: the token proves the signature existed at the token's genTime, which is
what a revocation decision needs (RFC 5280 §6.3 / signing.verify). Tokens are built by pyHanko's
`DummyTimeStamper` (a real RFC 3161 TSA implementation over asn1crypto, no hand-written DER) and
read back with asn1crypto; the TSA's signature is checked with `cryptography`, its certificate
path with pyhanko-certvalidator (signing.verify.validate_chain), never by hand.

`with_timestamp` adds the token to a CMS as the unsigned attribute signatureTimeStampToken
(id-aa-signatureTimeStampToken, 1.2.840.113549.1.9.16.2.14): unsigned attributes are outside
the signed bytes, so the clerk's signature is unchanged and `openssl cms -verify` still accepts
the file, while `openssl ts -verify` accepts the token.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import algos, cms, tsp
from asn1crypto import keys as akeys
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}

# asn1crypto.tsp (imported above) adds "tst_info", "signing_certificate" … to cms's OID maps;
# a reverse (name -> OID) index built before that import in this process would not know them,
# and building a token by name would then fail: complete such an index from the map.
for _oid_type in (cms.ContentType, cms.CMSAttributeType):
    if _oid_type._reverse_map is not None:
        for _oid, _name in _oid_type._map.items():
            _oid_type._reverse_map.setdefault(_name, _oid)


class TimeStampError(ValueError):
    """A token that does not prove anything (malformed, wrong imprint, bad TSA signature,
    TSA certificate not fit for time-stamping). `.code` is machine-readable."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def signature_value(cms_der: bytes) -> bytes:
    """The signature octets of the (single) SignerInfo of a CMS SignedData. A CMS in exactly
    the layout our signer writes (every event signed here) is read by the strict DER walk of
    `signing.verify` (~3 us; an asn1crypto parse costs ~50 us, which was half the counter's
    cost of checking a gateway time-stamp token); any other layout goes to asn1crypto."""
    from signing.verify import _NotTemplate, _split_template

    try:
        return _split_template(cms_der)[5]
    except _NotTemplate:
        return signature_value_full(cms_der)


def signature_value_full(cms_der: bytes) -> bytes:
    """`signature_value` by the general (asn1crypto) parser, for any CMS SignedData."""
    ci = cms.ContentInfo.load(cms_der)
    if ci["content_type"].native != "signed_data":
        raise ValueError("not a CMS SignedData")
    infos = ci["content"]["signer_infos"]
    if len(infos) != 1:
        raise ValueError(f"{len(infos)} signers")
    return bytes(infos[0]["signature"].native)


def is_tsa_certificate(cert: x509.Certificate) -> bool:
    """extendedKeyUsage is exactly present, critical, and contains id-kp-timeStamping."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return False
    return ext.critical and ExtendedKeyUsageOID.TIME_STAMPING in ext.value


# -- issuing ------------------------------------------------------------------------------


class TimeStampAuthority:
    """A TSA from a certificate (EKU timeStamping, critical) and its RSA key.

    `stamp(signature_value)` returns a DER TimeStampToken (a CMS ContentInfo) whose
    messageImprint is SHA-256 of the given bytes and whose genTime is now.
    """

    def __init__(self, cert: x509.Certificate, key: PrivateKeyTypes,
                 chain: list[x509.Certificate] | tuple[x509.Certificate, ...] = ()):
        if not is_tsa_certificate(cert):
            raise ValueError("the TSA certificate needs extendedKeyUsage timeStamping (critical)")
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the TSA key must be RSA")
        der = serialization.Encoding.DER
        self.certificate = cert
        self._stamper = _Stamper(
            key,
            tsa_cert=ax509.Certificate.load(cert.public_bytes(der)),
            tsa_key=akeys.PrivateKeyInfo.load(key.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            certs_to_embed=[ax509.Certificate.load(c.public_bytes(der)) for c in chain],
            include_nonce=False,
        )
        self._template = _TokenTemplate(self._stamper)

    def __reduce__(self) -> tuple[Any, tuple[bytes, bytes, tuple[bytes, ...]]]:
        """Pickles as its certificate, key and chain (DER), so the gateway's worker processes
        can issue tokens too; only ever sent to our own child processes over a local pipe."""
        st = self._stamper
        return (_rebuild_authority, (self.certificate.public_bytes(serialization.Encoding.DER),
                                     st.tsa_key.dump(), tuple(c.dump() for c in st.certs_to_embed)))

    @classmethod
    def from_files(cls, cert_pem: Path, key_pem: Path,
                   chain_pem: Path | None = None) -> TimeStampAuthority:
        """Certificate (PEM; further certificates in the same file are its chain) and an
        unencrypted PEM/DER private key file (keep it mode 0600, like the TLS key)."""
        certs = x509.load_pem_x509_certificates(Path(cert_pem).read_bytes())
        blob = Path(key_pem).read_bytes()
        key = (serialization.load_pem_private_key(blob, None) if b"-----BEGIN" in blob
               else serialization.load_der_private_key(blob, None))
        chain = list(certs[1:])
        if chain_pem is not None:
            chain += x509.load_pem_x509_certificates(Path(chain_pem).read_bytes())
        return cls(certs[0], key, [c for c in chain if c.subject != c.issuer])

    def stamp(self, data: bytes, *, when: datetime | None = None) -> bytes:
        """A TimeStampToken (DER) over SHA-256 of `data`, genTime now (whole seconds)."""
        when = (when or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        return self._template.token(hashlib.sha256(data).digest(), when, _serial())

    def stamp_with_library(self, data: bytes, *, when: datetime, serial: int) -> bytes:
        """The same token built entirely by pyHanko/asn1crypto (the reference `stamp` is
        checked against at construction)."""
        return self._template.reference(hashlib.sha256(data).digest(), when, serial)

    def stamp_signature(self, cms_der: bytes) -> bytes:
        """The signatureTimeStampToken for a CMS: a token over its signature value."""
        return self.stamp(signature_value(cms_der))


def _stamper_class() -> Any:
    from pyhanko.sign import general
    from pyhanko.sign.general import simple_cms_attribute
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    class Stamper(DummyTimeStamper):
        """pyHanko's TSA with the private key loaded once: its `_sign_tst_info` re-loads the
        key from DER for every token, and loading an RSA key (with its consistency checks)
        costs ~100 times the signature itself. Same attributes, same encoding otherwise."""

        def __init__(self, key: rsa.RSAPrivateKey, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._key = key
            # parsed back from its DER: asn1crypto re-encodes a constructed SET OF on every
            # dump (~3 ms here), a parsed one returns its bytes
            # (by OID: asn1crypto.tsp adds the name to a map whose reverse index may already
            # have been built in this process, and then the name is unknown)
            self._signing_cert_attr = cms.CMSAttribute.load(simple_cms_attribute(  # type: ignore[no-untyped-call]
                "1.2.840.113549.1.9.16.2.12", general.as_signing_certificate(self.tsa_cert)).dump())
            certs = [self.tsa_cert, *(c for c in self.certs_to_embed if c != self.tsa_cert)]
            self._cert_set_der = cms.CertificateSet(certs).dump()

        def _build_signed_data(self, tst_info_data: bytes, md_algorithm: str, signature: bytes,
                               signed_attrs: cms.CMSAttributes) -> dict[str, Any]:
            # As pyHanko's, except that the certificate set, which never changes, is given
            # already encoded: pyHanko puts the certificates in a Python set (hashing them
            # re-encodes every certificate) and asn1crypto then re-sorts them, per token.
            digest_algorithm = algos.DigestAlgorithm({"algorithm": md_algorithm})
            sig_info = cms.SignerInfo({
                "version": "v1",
                "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
                    {"issuer": self.tsa_cert.issuer,
                     "serial_number": self.tsa_cert.serial_number})}),
                "digest_algorithm": digest_algorithm,
                "signature_algorithm": algos.SignedDigestAlgorithm(
                    {"algorithm": "rsassa_pkcs1v15"}),
                "signed_attrs": signed_attrs,
                "signature": signature,
            })
            return {
                "version": "v3",
                "digest_algorithms": cms.DigestAlgorithms((digest_algorithm,)),
                "encap_content_info": cms.EncapsulatedContentInfo({
                    "content_type": cms.ContentType("tst_info"),
                    "content": cms.ParsableOctetString(tst_info_data),
                }),
                "certificates": cms.CertificateSet.load(self._cert_set_der),
                "signer_infos": [sig_info],
            }

        _next_serial: int | None = None

        def _build_tst_info(self, message_imprint: tsp.MessageImprint, dt: datetime,
                            req: tsp.TimeStampReq) -> tsp.TSTInfo:
            info = super()._build_tst_info(message_imprint, dt, req)
            info["serial_number"] = self._next_serial if self._next_serial else _serial()
            return info

        def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str,
                           dt: datetime) -> tuple[bytes, cms.CMSAttributes]:
            from asn1crypto import core

            h = _HASHES[md_algorithm]
            digest = hashes.Hash(h())
            digest.update(tst_info_data)
            signed_attrs = cms.CMSAttributes([
                simple_cms_attribute("content_type", "tst_info"),  # type: ignore[no-untyped-call]
                simple_cms_attribute(  # type: ignore[no-untyped-call]
                    "signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                self._signing_cert_attr,
                simple_cms_attribute("message_digest", digest.finalize()),  # type: ignore[no-untyped-call]
            ])
            signature = self._key.sign(signed_attrs.dump(), padding.PKCS1v15(), h())
            return signature, signed_attrs

    return Stamper


def _Stamper(key: rsa.RSAPrivateKey, **kwargs: Any) -> Any:
    from signing.pdf import _resync_oid_maps

    # a CMS attribute used before pyHanko named its OIDs leaves asn1crypto's reverse maps
    # stale ('signing_certificate' then parses as a dotted OID and fails): refresh them first
    _resync_oid_maps()
    return _stamper_class()(key, **kwargs)


def _serial() -> int:
    """A random token serial number of fixed DER width (16 content bytes, positive)."""
    return (0x40 << 120) | int.from_bytes(os.urandom(15), "big")


class _TokenTemplate:
    """Tokens from one reference token built by pyHanko/asn1crypto, like signing.cms.CmsTemplate.

    Only five fixed-width fields change between two tokens of one TSA: the serial number, the
    genTime, the message imprint (all inside TSTInfo), then the signed attributes' signingTime
    and messageDigest (SHA-256 of the TSTInfo), then the TSA's RSA signature over the signed
    attributes. Building the whole structure with asn1crypto costs ~5 RSA signatures per token;
    splicing costs next to nothing. Construction builds a second token both ways and requires
    the bytes to be identical, so the shortcut cannot drift from the library's encoding.
    """

    def __init__(self, stamper: Any) -> None:  # a Stamper: pyHanko ships no type information
        from asn1crypto import core

        self._stamper = stamper
        t1 = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
        s1 = _serial()
        i1 = hashlib.sha256(b"motcua-imprint-marker").digest()
        ref = self.reference(i1, t1, s1)

        def at(marker: bytes) -> int:
            if ref.count(marker) != 1:
                raise RuntimeError("time-stamp template: marker not unique")
            return ref.index(marker)

        self._ref = ref
        ci = cms.ContentInfo.load(ref)
        sd = ci["content"]
        tst_der = sd["encap_content_info"]["content"].contents
        si = sd["signer_infos"][0]
        attrs_el = si["signed_attrs"].dump()  # [0] IMPLICIT SET OF Attribute, as in the token
        sig = si["signature"].native
        self._tst = (at(tst_der), len(tst_der))
        self._attrs = (at(attrs_el), len(attrs_el))
        self._sig = (at(sig), len(sig))
        self._serial_at = at(b"\x02\x10" + s1.to_bytes(16, "big")) + 2
        self._gen_at = at(b"\x18\x0f" + core.GeneralizedTime(t1).contents) + 2
        self._imprint_at = at(i1)
        self._utc_at = at(b"\x17\x0d" + core.UTCTime(t1).contents) + 2
        self._digest_at = at(hashlib.sha256(tst_der).digest())
        tst0, tstn = self._tst
        a0, an = self._attrs
        if not (tst0 <= self._serial_at and self._imprint_at + 32 <= tst0 + tstn
                and tst0 <= self._gen_at < tst0 + tstn
                and a0 <= self._utc_at and self._digest_at + 32 <= a0 + an):
            raise RuntimeError("time-stamp template: unexpected layout")
        # self-check against the library's own encoding
        t2 = datetime(2030, 6, 7, 8, 9, 10, tzinfo=UTC)
        s2 = _serial()
        i2 = hashlib.sha256(b"probe").digest()
        if self.token(i2, t2, s2) != self.reference(i2, t2, s2):  # pragma: no cover
            raise RuntimeError("time-stamp template self-check failed")

    def reference(self, imprint: bytes, when: datetime, serial: int) -> bytes:
        """A token built entirely by pyHanko's TSA and asn1crypto."""
        st = self._stamper
        st.fixed_dt, st._next_serial = when, serial
        try:
            _nonce, req = st.request_cms(imprint, "sha256")
            return bytes(st.request_tsa_response(req)["time_stamp_token"].dump())
        finally:
            st.fixed_dt, st._next_serial = None, None

    def token(self, imprint: bytes, when: datetime, serial: int) -> bytes:
        from asn1crypto import core

        gen = core.GeneralizedTime(when).contents
        utc = core.UTCTime(when).contents
        if len(gen) != 15 or len(utc) != 13 or serial.bit_length() != 127 or len(imprint) != 32:
            return self.reference(imprint, when, serial)  # not the template's widths
        b = bytearray(self._ref)
        b[self._serial_at:self._serial_at + 16] = serial.to_bytes(16, "big")
        b[self._gen_at:self._gen_at + 15] = gen
        b[self._imprint_at:self._imprint_at + 32] = imprint
        tst0, tstn = self._tst
        b[self._digest_at:self._digest_at + 32] = hashlib.sha256(b[tst0:tst0 + tstn]).digest()
        b[self._utc_at:self._utc_at + 13] = utc
        a0, an = self._attrs
        tbs = b"\x31" + bytes(b[a0 + 1:a0 + an])  # signed as an explicit SET OF
        signature = self._stamper._key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
        s0, sn = self._sig
        if len(signature) != sn:  # pragma: no cover - RSA signatures have the modulus' width
            raise RuntimeError("unexpected TSA signature length")
        b[s0:s0 + sn] = signature
        return bytes(b)


# -- reading and checking -----------------------------------------------------------------


@dataclass(frozen=True)
class TokenFacts:
    """What a token says, once its TSA signature and imprint have been checked."""

    gen_time: datetime
    tsa_cert: x509.Certificate
    other_certs: tuple[x509.Certificate, ...]
    serial: int
    tsa_der: bytes = b""  # DER of tsa_cert / other_certs, when already at hand
    other_ders: tuple[bytes, ...] = ()


def _check_sig(cert: x509.Certificate, algo: str, hash_name: str, sig: bytes, tbs: bytes) -> bool:
    key = cert.public_key()
    h = _HASHES[hash_name]()
    try:
        if isinstance(key, rsa.RSAPublicKey) and algo == "rsassa_pkcs1v15":
            key.verify(sig, tbs, padding.PKCS1v15(), h)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algo == "ecdsa":
            key.verify(sig, tbs, ec.ECDSA(h))
        else:
            return False
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class _Shape:
    """A token layout learnt from a fully parsed and checked token: the bytes that are the
    same in every token of that TSA, and where the five per-token fields sit."""

    ref: bytes
    constant: tuple[tuple[int, int], ...]  # byte ranges equal in every token of the shape
    tst: tuple[int, int]
    attrs: tuple[int, int]
    sig: tuple[int, int]
    imprint_at: int
    gen_at: int
    digest_at: int
    serial_at: int
    facts: TokenFacts  # certificates (same for the shape)


_shapes: dict[tuple[int, bytes], _Shape] = {}


def _shape_key(token: bytes) -> tuple[int, bytes]:
    return len(token), token[-300:-260] if len(token) > 300 else token


def _read_fast(token: bytes, imprinted: bytes) -> TokenFacts | None:
    """A token in a shape already read by the full parser: only the five per-token fields are
    read, and every check (imprint, TSTInfo digest, TSA signature) is done again."""
    sh = _shapes.get(_shape_key(token))
    if sh is None or any(token[a:b] != sh.ref[a:b] for a, b in sh.constant):
        return None
    t0, tn = sh.tst
    if token[sh.imprint_at:sh.imprint_at + 32] != hashlib.sha256(imprinted).digest():
        raise TimeStampError("timestamp_mismatch", "the token time-stamps another signature")
    if token[sh.digest_at:sh.digest_at + 32] != hashlib.sha256(token[t0:t0 + tn]).digest():
        raise TimeStampError("timestamp_invalid", "TSTInfo was changed after signing")
    a0, an = sh.attrs
    s0, sn = sh.sig
    if not _check_sig(sh.facts.tsa_cert, "rsassa_pkcs1v15", "sha256", token[s0:s0 + sn],
                      b"\x31" + token[a0 + 1:a0 + an]):
        raise TimeStampError("timestamp_invalid", "the TSA signature does not verify")
    raw = token[sh.gen_at:sh.gen_at + 15]
    if not raw[:14].isdigit() or raw[14:] != b"Z":
        return None
    try:
        gen = datetime(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]), int(raw[8:10]),
                       int(raw[10:12]), int(raw[12:14]), tzinfo=UTC)
    except ValueError:
        return None
    serial = int.from_bytes(token[sh.serial_at:sh.serial_at + 16], "big")
    f = sh.facts
    return TokenFacts(gen, f.tsa_cert, f.other_certs, serial, f.tsa_der, f.other_ders)


def _learn_shape(token: bytes, facts: TokenFacts, imprinted: bytes) -> None:
    """Remember the layout of a token the full parser accepted, when its variable fields have
    the fixed widths our TSA writes (a 16-byte serial, whole-second genTime, SHA-256)."""
    from asn1crypto import core

    try:
        ci = cms.ContentInfo.load(token)
        sd = ci["content"]
        tst_der = sd["encap_content_info"]["content"].contents
        si = sd["signer_infos"][0]
        if si["digest_algorithm"]["algorithm"].native != "sha256" or \
                si["signature_algorithm"].signature_algo != "rsassa_pkcs1v15":
            return
        attrs_el = si["signed_attrs"].dump()
        sig = si["signature"].native
        serial_el = b"\x02\x10" + facts.serial.to_bytes(16, "big") \
            if facts.serial.bit_length() == 127 else None
        gen = core.GeneralizedTime(facts.gen_time).contents
        imprint = hashlib.sha256(imprinted).digest()
        digest = hashlib.sha256(tst_der).digest()
        marks = [tst_der, attrs_el, sig, imprint, b"\x18\x0f" + gen, digest]
        if serial_el is None or len(gen) != 15 or any(token.count(m) != 1 for m in
                                                       [*marks, serial_el]):
            return
    except (ValueError, TypeError, KeyError, IndexError):
        return
    t0, a0, s0 = token.index(tst_der), token.index(attrs_el), token.index(sig)
    imp, gen_at = token.index(imprint), token.index(b"\x18\x0f" + gen) + 2
    dig, ser = token.index(digest), token.index(serial_el) + 2
    utc_at = token.find(b"\x17\x0d", a0, a0 + len(attrs_el))
    variable = sorted([(imp, imp + 32), (gen_at, gen_at + 15), (dig, dig + 32),
                       (ser, ser + 16), (s0, s0 + len(sig))]
                      + ([(utc_at + 2, utc_at + 15)] if utc_at >= 0 else []))
    constant, pos = [], 0
    for a, b in variable:
        if a < pos:
            return  # overlapping fields: not a layout we read by offsets
        constant.append((pos, a))
        pos = b
    constant.append((pos, len(token)))
    if len(_shapes) >= 64:
        _shapes.clear()
    der = serialization.Encoding.DER
    facts = TokenFacts(facts.gen_time, facts.tsa_cert, facts.other_certs, facts.serial,
                       facts.tsa_cert.public_bytes(der),
                       tuple(c.public_bytes(der) for c in facts.other_certs))
    _shapes[_shape_key(token)] = _Shape(token, tuple(constant), (t0, len(tst_der)),
                                        (a0, len(attrs_el)), (s0, len(sig)), imp, gen_at, dig,
                                        ser, facts)


def read_token(token_der: bytes, imprinted: bytes) -> TokenFacts:
    """A TimeStampToken's facts, checked (see `read_token_full`). A token in a layout already
    read in full (every token of one TSA) skips the ASN.1 parse but not a single check."""
    fast = _read_fast(token_der, imprinted)
    if fast is not None:
        return fast
    facts = read_token_full(token_der, imprinted)
    _learn_shape(token_der, facts, imprinted)
    return facts


def read_token_full(token_der: bytes, imprinted: bytes) -> TokenFacts:
    """Parse a TimeStampToken and check everything that does not need the trust store: the
    messageImprint is the hash of `imprinted`, the TSA's CMS signature verifies with the
    embedded TSA certificate, and that certificate is a TSA certificate (EKU timeStamping,
    critical). Raises TimeStampError otherwise."""
    try:
        ci = cms.ContentInfo.load(token_der)
        if ci["content_type"].native != "signed_data":
            raise TimeStampError("timestamp_malformed", "token is not a SignedData")
        sd = ci["content"]
        eci = sd["encap_content_info"]
        if eci["content_type"].native != "tst_info":
            raise TimeStampError("timestamp_malformed", "token content is not a TSTInfo")
        tst_bytes = eci["content"].contents
        info = tsp.TSTInfo.load(tst_bytes)
        imprint = info["message_imprint"]
        imprint_algo = imprint["hash_algorithm"]["algorithm"].native
        if imprint_algo not in _HASHES:
            raise TimeStampError("timestamp_malformed", f"imprint hash {imprint_algo}")
        if hashlib.new(imprint_algo, imprinted).digest() != imprint["hashed_message"].native:
            raise TimeStampError("timestamp_mismatch",
                                 "the token time-stamps another signature")
        gen_time = info["gen_time"].native
        serial = int(info["serial_number"].native)
        infos = sd["signer_infos"]
        if len(infos) != 1:
            raise TimeStampError("timestamp_malformed", f"{len(infos)} TSA signers")
        si = infos[0]
        certs = [c.chosen for c in (sd["certificates"] or []) if c.name == "certificate"]
        sid = si["sid"]
        signer = None
        for c in certs:
            if sid.name == "issuer_and_serial_number":
                # byte-equal names first: asn1crypto's semantic comparison runs LDAP
                # stringprep and costs more than the signature check itself
                want = sid.chosen["issuer"]
                if c.serial_number == sid.chosen["serial_number"].native and (
                        c.issuer.dump() == want.dump() or c.issuer == want):
                    signer = c
                    break
            elif c.key_identifier == sid.chosen.native:
                signer = c
                break
        if signer is None:
            raise TimeStampError("timestamp_invalid", "the TSA certificate is not in the token")
        hash_name = si["digest_algorithm"]["algorithm"].native
        if hash_name not in _HASHES or not si["signed_attrs"]:
            raise TimeStampError("timestamp_malformed", "unsupported TSA signature layout")
        attrs = {a["type"].native: a["values"][0].native for a in si["signed_attrs"]}
        if attrs.get("content_type") != "tst_info":
            raise TimeStampError("timestamp_malformed", "signed contentType is not tst_info")
        if attrs.get("message_digest") != hashlib.new(hash_name, tst_bytes).digest():
            raise TimeStampError("timestamp_invalid", "TSTInfo was changed after signing")
        tbs = b"\x31" + si["signed_attrs"].dump()[1:]
        algo = si["signature_algorithm"].signature_algo
        tsa_cert = x509.load_der_x509_certificate(signer.dump())
        others = tuple(x509.load_der_x509_certificate(c.dump()) for c in certs if c is not signer)
    except TimeStampError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise TimeStampError("timestamp_malformed", f"{type(exc).__name__}: {exc}") from exc
    try:
        sig_ok = _check_sig(tsa_cert, algo, hash_name, si["signature"].native, tbs)
        is_tsa = is_tsa_certificate(tsa_cert)
    except Exception as exc:
        raise TimeStampError("timestamp_malformed", f"{type(exc).__name__}: {exc}") from exc
    if not sig_ok:
        raise TimeStampError("timestamp_invalid", "the TSA signature does not verify")
    if not is_tsa:
        raise TimeStampError("timestamp_invalid",
                             "the token's signer is not a time-stamping authority "
                             "(extendedKeyUsage timeStamping, critical, is missing)")
    return TokenFacts(gen_time, tsa_cert, others, serial)


def timestamp_of(cms_der: bytes) -> bytes | None:
    """The signatureTimeStampToken unsigned attribute of a CMS, when it carries one."""
    ci = cms.ContentInfo.load(cms_der)
    infos = ci["content"]["signer_infos"]
    if len(infos) != 1:
        return None
    unsigned = infos[0]["unsigned_attrs"]
    if not unsigned:
        return None
    for a in unsigned:
        if a["type"].native == "signature_time_stamp_token":
            return bytes(a["values"][0].dump())
    return None


def with_timestamp(cms_der: bytes, token_der: bytes) -> bytes:
    """The same CMS with `token_der` as its signatureTimeStampToken unsigned attribute (any
    earlier one replaced). The signed part is byte-identical."""
    ci = cms.ContentInfo.load(cms_der)
    si = ci["content"]["signer_infos"][0]
    kept = [a for a in (si["unsigned_attrs"] or [])
            if a["type"].native != "signature_time_stamp_token"]
    token = cms.ContentInfo.load(token_der)
    si["unsigned_attrs"] = cms.CMSAttributes(
        [*kept, cms.CMSAttribute({"type": "signature_time_stamp_token", "values": [token]})])
    return bytes(ci.dump(force=False))


def _rebuild_authority(cert_der: bytes, key_der: bytes,
                       chain: tuple[bytes, ...]) -> TimeStampAuthority:
    key = serialization.load_der_private_key(key_der, None)
    return TimeStampAuthority(x509.load_der_x509_certificate(cert_der), key,
                              [x509.load_der_x509_certificate(c) for c in chain])
