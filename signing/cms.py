"""Detached CMS SignedData for keys that cannot leave a PKCS#11 token (and .p12 keys alike).

asn1crypto's CMS types encode every structure once per signer certificate (certificate set,
signer identifier, algorithm identifiers, signed attributes with placeholders). Per signature we
then splice DER by hand: the two fixed-size fields of the signed attributes (signingTime,
messageDigest) are overwritten in place and the SignerInfo/SignedData/ContentInfo lengths are
written by `_tlv`. That splice is checked at construction to produce byte-for-byte what
asn1crypto itself encodes for the same values, so it cannot drift from the library.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from asn1crypto import algos, cms
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import serialization


def to_asn1(cert: x509.Certificate) -> ax509.Certificate:
    return ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _der_len(len(content)) + content


_MARK_TIME = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)  # placeholder, found by its UTCTime
_UTC_FMT = "%y%m%d%H%M%SZ"


class CmsTemplate:
    """Detached SHA-256 SignedData for one signer certificate, prepared once.

    asn1crypto's CMS types build every structure (certificate set, signer identifier,
    algorithm identifiers, signed attributes) once, at construction. A signature then only
    fills the two fixed-size fields of the signed attributes (signingTime as UTCTime and the
    SHA-256 messageDigest) and wraps the token's signature: asn1crypto re-encoding the whole
    SignedData per call costs ~0.5 ms, as much as the token signature itself. Construction
    checks that this path produces byte-for-byte what asn1crypto produces, so the shortcut
    cannot drift from the library's encoding.

    `sig_algo` is "rsassa_pkcs1v15" or "ecdsa"; the signature algorithm identifier uses the
    combined sha256WithRSAEncryption / ecdsa-with-SHA256 OIDs that OpenSSL itself writes.
    """

    def __init__(self, cert: x509.Certificate, chain: Sequence[x509.Certificate], sig_algo: str):
        self.cert = to_asn1(cert)
        certs = [self.cert] + [to_asn1(c) for c in chain]
        sid = cms.SignerIdentifier(
            name="issuer_and_serial_number",
            value=cms.IssuerAndSerialNumber(
                {"issuer": self.cert.issuer, "serial_number": self.cert.serial_number}
            ),
        )
        digest_algo = algos.DigestAlgorithm({"algorithm": "sha256"})
        sig_name = {"rsassa_pkcs1v15": "sha256_rsa", "ecdsa": "sha256_ecdsa"}[sig_algo]
        sig_algo_id = algos.SignedDigestAlgorithm({"algorithm": sig_name})

        def signer_info(attrs: cms.CMSAttributes, signature: bytes) -> cms.SignerInfo:
            return cms.SignerInfo(
                {
                    "version": "v1",
                    "sid": sid,
                    "digest_algorithm": digest_algo,
                    "signed_attrs": attrs,
                    "signature_algorithm": sig_algo_id,
                    "signature": signature,
                }
            )

        def content_info(signers: list[cms.SignerInfo]) -> bytes:
            sd = cms.SignedData(
                {
                    "version": "v1",
                    "digest_algorithms": [digest_algo],
                    "encap_content_info": {"content_type": "data"},  # detached: no eContent
                    "certificates": certs,
                    "signer_infos": signers,
                }
            )
            der: bytes = cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()
            return der

        # Signed attributes with placeholders; remember where time and digest sit.
        mark_digest = hashlib.sha256(b"motcua-placeholder").digest()
        attrs_der: bytes = self._attrs(mark_digest, _MARK_TIME).dump()
        self._attrs_der = attrs_der
        self._t_off = attrs_der.index(_MARK_TIME.strftime(_UTC_FMT).encode())
        self._d_off = attrs_der.index(mark_digest)
        # SignerInfo pieces around the signed attributes and the signature.
        si = signer_info(self._attrs(mark_digest, _MARK_TIME), b"")
        si_body = si.contents
        attrs_implicit = b"\xa0" + attrs_der[1:]  # [0] IMPLICIT SET OF Attribute
        cut = si_body.index(attrs_implicit)
        self._si_head = si_body[:cut]
        self._si_tail = sig_algo_id.dump()
        # SignedData without its SignerInfos (the last field, an empty SET here).
        empty = cms.ContentInfo.load(content_info([]))
        sd_body = empty["content"].contents
        if not sd_body.endswith(b"\x31\x00"):  # pragma: no cover - asn1crypto changed
            raise RuntimeError("unexpected SignedData encoding")
        self._sd_head = sd_body[:-2]
        self._ct_oid = cms.ContentType("signed_data").dump()
        # Self-check against asn1crypto's own encoding of the complete structure.
        probe_sig = b"\x01" * 300
        when = datetime(2030, 6, 7, 8, 9, 10, tzinfo=UTC)
        digest = hashlib.sha256(b"probe").digest()
        expected = content_info([signer_info(self._attrs(digest, when), probe_sig)])
        if self._assemble(self._fill(digest, when), probe_sig) != expected:  # pragma: no cover
            raise RuntimeError("CMS template self-check failed")

    @staticmethod
    def _attrs(digest: bytes, when: datetime) -> cms.CMSAttributes:
        """contentType, signingTime (UTCTime) and messageDigest, as OpenSSL writes them."""
        return cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
                cms.CMSAttribute(
                    {"type": "signing_time", "values": [cms.Time({"utc_time": when})]}
                ),
                cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
            ]
        )

    def _fill(self, digest: bytes, when: datetime) -> bytes:
        """DER of the signed attributes (SET OF) for this digest and time."""
        a, t, d = self._attrs_der, self._t_off, self._d_off
        ts = when.astimezone(UTC).strftime(_UTC_FMT).encode()
        return a[:t] + ts + a[t + 13 : d] + digest + a[d + 32 :]

    def _assemble(self, attrs_der: bytes, signature: bytes) -> bytes:
        si = _tlv(0x30, self._si_head + b"\xa0" + attrs_der[1:] + self._si_tail
                  + _tlv(0x04, signature))
        sd = _tlv(0x30, self._sd_head + _tlv(0x31, si))
        return _tlv(0x30, self._ct_oid + _tlv(0xA0, sd))

    def tbs(self, data: bytes, signing_time: datetime | None = None) -> bytes:
        """The bytes the private key signs: DER SET OF the signed attributes for `data`."""
        when = signing_time or datetime.now(UTC)
        if not 1950 <= when.year < 2050:  # UTCTime range; GeneralizedTime is not templated
            raise ValueError("signing time outside the UTCTime range")
        return self._fill(hashlib.sha256(data).digest(), when)

    def sign(
        self, data: bytes, raw_sign: Callable[[bytes], bytes], signing_time: datetime | None = None
    ) -> bytes:
        """`raw_sign(tbs)` hashes and signs the signed attributes (PKCS#1 v1.5, or ECDSA as a
        DER Ecdsa-Sig-Value) — the only step that needs the private key."""
        tbs = self.tbs(data, signing_time)
        return self._assemble(tbs, raw_sign(tbs))


def signed_attrs_tbs(signer_info: cms.SignerInfo) -> bytes:
    """DER of the signed attributes as signed: an explicit SET OF, not the [0] IMPLICIT tag."""
    attrs = signer_info["signed_attrs"]
    der: bytes = attrs.dump()
    return b"\x31" + der[1:]
