"""Rotating the gateway's signing certificate by a signed announcement.

Province events are signed by the gateway's own certificate, which every counter pins (by
SHA-256) at enrolment. When the province gives the gateway a new signing certificate, the
gateway publishes an **announcement**: the new certificate (DER, with its intermediates), its
SHA-256, the SHA-256 of the certificate it replaces and the moment from which the new one signs
(``effective_at``), as RFC 8785 canonical JSON, signed (detached CMS, the same
``signing.signer`` classes and ``signing.cms`` template as every other signature) by the OLD
key. A counter pins the new certificate only when the announcement verifies under the
certificate it currently pins and the new certificate passes the same policy as any signer
(app/rotation.py).

On the wire (``GET /api/v1/gateway-rotations``): ``{"rotations": [{"payload": b64,
"signature": b64}, ...]}``, oldest first. The signed body::

    {"v": 1, "kind": "motcua.gateway-rotation",
     "previous": {"sha256", "subject", "serial"},
     "next": {"sha256", "subject", "serial", "certificate": b64 DER, "chain": [b64 DER, ...]},
     "effective_at": "2026-12-15T00:00:00+07:00"}

This module only builds and reads announcements (no trust decision): a bad one raises
:class:`sync.wire.WireError` with a ``rotation_*`` code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from signing.certs import CertInfo
from sync.wire import VN_TZ, WireError, canonical_bytes, check_json_shape, is_sha256_hex

KIND = "motcua.gateway-rotation"
VERSION = 1
#: an honest announcement is a few kilobytes (one certificate and its intermediates)
MAX_ANNOUNCEMENT_BYTES = 64 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _cert_fields(cert: x509.Certificate) -> dict[str, str]:
    info = CertInfo.from_certificate(cert)
    return {"sha256": info.sha256, "subject": info.subject, "serial": info.serial_hex}


def sha256_of(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


@dataclass(frozen=True)
class Announcement:
    """One read (not yet trusted) announcement."""

    payload: bytes
    signature: bytes
    previous_sha256: str
    next_sha256: str
    next_certificate: x509.Certificate
    next_chain: tuple[x509.Certificate, ...]
    effective_at: datetime
    body: dict[str, Any]

    @property
    def digest(self) -> str:
        """SHA-256 of the signed bytes: names this announcement in logs, audit and state."""
        return hashlib.sha256(self.payload).hexdigest()

    def to_json(self) -> dict[str, str]:
        return {"payload": _b64(self.payload), "signature": _b64(self.signature)}


def make_announcement(old_signer: Any, new_certificate: x509.Certificate,
                      effective_at: datetime,
                      new_chain: list[x509.Certificate] | tuple[x509.Certificate, ...] = ()
                      ) -> Announcement:
    """The announcement that ``new_certificate`` signs province events from ``effective_at``,
    signed by ``old_signer`` (a signing.signer.Signer: the certificate counters pin today)."""
    if effective_at.tzinfo is None:
        raise ValueError("effective_at needs a time zone")
    when = effective_at.astimezone(VN_TZ).replace(microsecond=0)
    chain = [c for c in new_chain if c.subject != c.issuer]  # intermediates; roots are anchors
    body = {
        "v": VERSION,
        "kind": KIND,
        "previous": _cert_fields(old_signer.certificate),
        "next": {**_cert_fields(new_certificate),
                 "certificate": _b64(new_certificate.public_bytes(Encoding.DER)),
                 "chain": [_b64(c.public_bytes(Encoding.DER)) for c in chain]},
        "effective_at": when.isoformat(),
    }
    payload = canonical_bytes(body)
    return read_announcement({"payload": _b64(payload),
                              "signature": _b64(old_signer.sign(payload))})


def _bad(detail: str) -> WireError:
    return WireError("rotation_malformed", detail)


def _der(value: object, what: str) -> bytes:
    if not isinstance(value, str) or len(value) > MAX_ANNOUNCEMENT_BYTES:
        raise _bad(f"{what} is not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad(f"{what} is not base64") from exc


def _cert(value: object, what: str) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(_der(value, what))
    except ValueError as exc:
        raise _bad(f"{what} is not a DER certificate") from exc


def read_announcement(obj: object) -> Announcement:
    """Parse one announcement as served (``{"payload", "signature"}``, base64); checks its
    shape and that the named SHA-256 is the enclosed certificate's. No signature or trust
    check here (see app/rotation.py). Raises WireError ``rotation_malformed`` /
    ``rotation_mismatch``."""
    if not isinstance(obj, dict):
        raise _bad("an announcement is an object {payload, signature}")
    payload = _der(obj.get("payload"), "payload")
    signature = _der(obj.get("signature"), "signature")
    try:
        check_json_shape(payload)
        body = json.loads(payload)
    except WireError as exc:
        raise _bad(f"payload: {exc.detail}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad("payload is not JSON") from exc
    if not isinstance(body, dict) or body.get("kind") != KIND or body.get("v") != VERSION:
        raise _bad(f"payload is not a {KIND} v{VERSION} document")
    if canonical_bytes(body) != payload:
        raise _bad("payload is not RFC 8785 canonical JSON")
    prev, nxt = body.get("previous"), body.get("next")
    if not isinstance(prev, dict) or not isinstance(nxt, dict) \
            or not is_sha256_hex(prev.get("sha256")) or not is_sha256_hex(nxt.get("sha256")):
        raise _bad("previous/next must name certificates by SHA-256")
    cert = _cert(nxt.get("certificate"), "next certificate")
    chain_raw = nxt.get("chain", [])
    if not isinstance(chain_raw, list) or len(chain_raw) > 8:
        raise _bad("next chain must be a short list")
    chain = tuple(_cert(c, "chain certificate") for c in chain_raw)
    if sha256_of(cert) != nxt["sha256"]:
        raise WireError("rotation_mismatch",
                        "the announced SHA-256 is not the enclosed certificate's")
    if nxt["sha256"] == prev["sha256"]:
        raise _bad("previous and next are the same certificate")
    raw_when = body.get("effective_at")
    try:
        if not isinstance(raw_when, str):
            raise ValueError
        when = datetime.fromisoformat(raw_when)
        if when.tzinfo is None:
            raise ValueError
    except ValueError as exc:
        raise _bad("effective_at must be an ISO 8601 time with its offset") from exc
    return Announcement(payload, signature, str(prev["sha256"]), str(nxt["sha256"]), cert,
                        chain, when, body)


def read_announcements(doc: object) -> list[object]:
    """The list inside a ``/gateway-rotations`` answer (items unparsed: each is judged alone)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("rotations"), list):
        raise _bad('answer must be {"rotations": [...]}')
    items: list[object] = doc["rotations"]
    return items
