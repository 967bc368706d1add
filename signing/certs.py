"""Certificate facts a clerk needs to pick a certificate, and checks done before signing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

# keyUsage bit names as in RFC 5280 (cryptography attribute names).
_KU_BITS = (
    "digital_signature",
    "content_commitment",  # nonRepudiation
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)
_KU_NAMES = {"content_commitment": "non_repudiation"}
SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})
# Reasons a certificate may not sign dossiers (also the verify / SigningError codes).
POLICY_CA = "ca_certificate"
POLICY_NO_KEY_USAGE = "no_key_usage"
POLICY_KEY_USAGE = "key_usage"


@dataclass(frozen=True)
class CertInfo:
    """Display and policy facts of one certificate (JSON-friendly via `to_dict`)."""

    subject: str
    issuer: str
    serial_hex: str
    not_before: datetime
    not_after: datetime
    key_usage: list[str] = field(default_factory=list)
    extended_key_usage: list[str] = field(default_factory=list)
    sha256: str = ""
    common_name: str = ""
    key_type: str = ""
    is_ca: bool = False
    label: str | None = None  # token object label, when listed from a token

    @classmethod
    def from_certificate(cls, cert: x509.Certificate, *, label: str | None = None) -> CertInfo:
        ku: list[str] = []
        try:
            kuv = cert.extensions.get_extension_for_class(x509.KeyUsage).value
            for bit in _KU_BITS:
                if getattr(kuv, bit):
                    ku.append(_KU_NAMES.get(bit, bit))
        except x509.ExtensionNotFound:
            pass
        eku: list[str] = []
        try:
            ekuv = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            for oid in ekuv:
                name = getattr(oid, "_name", "Unknown OID")
                eku.append(oid.dotted_string if name == "Unknown OID" else name)
        except x509.ExtensionNotFound:
            pass
        try:
            is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            is_ca = False
        cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        key = cert.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            key_type = f"RSA-{key.key_size}"
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key_type = f"EC-{key.curve.name}"
        else:
            key_type = type(key).__name__
        return cls(
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            serial_hex=format(cert.serial_number, "x"),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            key_usage=ku,
            extended_key_usage=eku,
            sha256=cert.fingerprint(hashes.SHA256()).hex(),
            common_name=str(cns[0].value) if cns else "",
            key_type=key_type,
            is_ca=is_ca,
            label=label,
        )

    @property
    def policy_problem(self) -> str | None:
        """Why this certificate may not sign dossiers (RFC 5280 policy), or None.

        Only end-entity certificates (not CA:TRUE) whose keyUsage extension is present and
        has digitalSignature or nonRepudiation sign dossiers: a CA key signs certificates, and
        a certificate without keyUsage states no purpose at all.
        """
        if self.is_ca:
            return POLICY_CA
        if not self.key_usage:
            return POLICY_NO_KEY_USAGE
        if not SIGNING_USAGES & set(self.key_usage):
            return POLICY_KEY_USAGE
        return None

    @property
    def can_sign(self) -> bool:
        """This certificate may sign dossiers (see `policy_problem`)."""
        return self.policy_problem is None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["not_before"] = self.not_before.isoformat()
        d["not_after"] = self.not_after.isoformat()
        return d


def expires_within(cert: x509.Certificate, days: int = 30, *, now: datetime | None = None) -> bool:
    """True when the certificate expires within `days` (or already has): warn the clerk early."""
    now = now or datetime.now(UTC)
    return cert.not_valid_after_utc <= now + timedelta(days=days)


def days_left(cert: x509.Certificate, *, now: datetime | None = None) -> int:
    """Whole days until expiry (negative once expired)."""
    now = now or datetime.now(UTC)
    return (cert.not_valid_after_utc - now).days


def is_self_signed(cert: x509.Certificate) -> bool:
    """Subject == issuer and the signature verifies with its own key (a root, not a chain cert)."""
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:
        return False
    return True
