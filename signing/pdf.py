"""PAdES signatures on PDFs (e-receipts sent by e-mail or Zalo), made with the clerk's key.

pyHanko builds the PDF signature (detached CMS over the byte ranges, subfilter
ETSI.CAdES.detached); the raw signature comes from our own Signer (`raw_sign`), so the same
code serves a PKCS#12 file and a PKCS#11 token and the key never leaves where it lives.
Any PDF reader can then check that the receipt was not altered and who signed it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from asn1crypto import algos, core
from asn1crypto import tsp as _tsp  # noqa: F401 - registers signing_certificate_v2 & co.
from asn1crypto import x509 as a509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.errors import SigningError

DEFAULT_FIELD = "MotCuaSignature"


def _resync_oid_maps() -> None:
    """asn1crypto builds each OID name table's reverse map on first use, and asn1crypto.tsp
    and pyHanko add names later without refreshing it. When signing.cms has used CMS
    attributes first (opening a Signer does), names like 'signing_certificate_v2' are then
    unknown and pyHanko fails; rebuild any reverse map that misses a name."""
    stack: list[type] = [core.ObjectIdentifier]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        forward = getattr(cls, "_map", None)
        reverse = cls.__dict__.get("_reverse_map")
        if forward and reverse is not None and any(v not in reverse for v in forward.values()):
            setattr(cls, "_reverse_map", {v: k for k, v in forward.items()})  # noqa: B010


def _a509(cert: Any) -> a509.Certificate:
    return a509.Certificate.load(cert.public_bytes(Encoding.DER))


class OurSigner(signers.Signer):
    """pyHanko Signer that delegates the one private-key operation to our Signer."""

    def __init__(self, ours: Any):
        pub = ours.certificate.public_key()
        if isinstance(pub, rsa.RSAPublicKey):
            mech, self._max_sig = "sha256_rsa", pub.key_size // 8
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            n = (pub.curve.key_size + 7) // 8
            mech, self._max_sig = "sha256_ecdsa", 2 * (n + 1) + 8  # DER SEQUENCE of 2 INTEGERs
        else:
            raise SigningError("Loại khoá không được hỗ trợ để ký PDF.",
                               "This key type cannot sign PDFs.", code="unsupported_key")
        cert = _a509(ours.certificate)
        chain = [_a509(c) for c in getattr(ours, "chain", [])]
        super().__init__(
            signing_cert=cert,
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [cert, *chain]  # pyhanko: from_certs is unannotated
            ),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mech}),
            embed_roots=False,
        )
        self._ours = ours

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if digest_algorithm.lower() != "sha256":
            raise SigningError("Chỉ ký PDF với SHA-256.", "PDFs are signed with SHA-256 only.",
                               code="digest")
        if dry_run:  # size estimate only: no token round trip
            return bytes(self._max_sig)
        return bytes(self._ours.raw_sign(data))


def sign_pdf(in_path: str | Path, out_path: str | Path, signer: Any, *,
             reason: str = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
             location: str = "", field_name: str = DEFAULT_FIELD) -> Path:
    """Sign `in_path` into `out_path` (may be the same file) with an invisible PAdES
    signature by `signer` (signing.signer.Signer). The certificate is checked first
    (validity, key usage, trust when the signer has a trust store); on any failure the
    output is not written."""
    check = getattr(signer, "check", None)
    if callable(check):
        check()
    _resync_oid_maps()
    in_path, out_path = Path(in_path), Path(out_path)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    pdf_signer = signers.PdfSigner(meta, signer=OurSigner(signer))
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.sig.tmp")
    try:
        with in_path.open("rb") as src, tmp.open("wb") as dst:
            writer = IncrementalPdfFileWriter(src, strict=False)
            pdf_signer.sign_pdf(writer, output=dst)
            dst.flush()
            os.fsync(dst.fileno())
        Path(tmp).replace(out_path)
    except SigningError:
        tmp.unlink(missing_ok=True)
        raise
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        if hasattr(exc, "message") and hasattr(exc, "vi"):
            raise
        raise SigningError(f"Không ký được tệp PDF: {exc}", f"Could not sign the PDF: {exc}",
                           code="pdf_sign_failed") from exc
    return out_path
