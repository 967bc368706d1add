"""Verification of detached CMS signatures, the way an inspector or a court would check them.

1. The signature covers exactly these bytes (messageDigest) and verifies with the embedded
   signer certificate's key.
2. The certificate chains to a configured trust anchor — path validation by
   pyhanko-certvalidator (RFC 5280), never by hand — and every certificate on the path was
   valid at the validation time: `at` when the caller has a trusted time (e.g. when the gateway
   first received the event), else the CMS signing-time attribute, else now.
3. keyUsage of the signer allows digitalSignature or nonRepudiation.
4. Revocation against the cached CRLs (see TrustStore). Policy:
   - a CRL covering the issuer lists the certificate -> code `revoked` (hard fail). Without a
     trusted `at`, a revocation at *any* date fails: the signing-time attribute is asserted by
     the signer and could be back-dated with a stolen key. With a trusted `at` before the
     revocation date the signature stands, with a `revoked_later` warning.
   - no CRL for some issuer on the path -> verification passes with warning `no_crl` (a commune
     is often offline; the warning makes the gap visible). `require_crl=True` turns it into
     the failure code `no_crl`.
   - the CRL used is past its nextUpdate -> warning `crl_stale`; it is still applied, since a
     certificate listed in an old CRL is still revoked.

Chain results are cached per (certificate, embedded certificates, trust generation): a clerk's
chain is validated once, later events only pay for parsing and one public-key operation.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from asn1crypto import cms
from asn1crypto import crl as acrl
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    FreshnessReqType,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from signing.certs import CertInfo
from signing.cms import signed_attrs_tbs
from signing.trust import TrustStore

OK = "ok"
DIGEST_MISMATCH = "digest_mismatch"
BAD_SIGNATURE = "bad_signature"
UNTRUSTED = "untrusted"
EXPIRED_AT_SIGNING = "expired_at_signing"
NOT_YET_VALID_AT_SIGNING = "not_yet_valid_at_signing"
REVOKED = "revoked"
KEY_USAGE = "key_usage"
MALFORMED = "malformed"
NO_CRL = "no_crl"
# warnings
W_NO_CRL = "no_crl"
W_CRL_STALE = "crl_stale"
W_REVOKED_LATER = "revoked_later"
W_NO_SIGNING_TIME = "no_signing_time"

_MESSAGES: dict[str, tuple[str, str]] = {
    OK: ("Chữ ký số hợp lệ.", "The signature is valid."),
    DIGEST_MISMATCH: (
        "Dữ liệu đã bị thay đổi sau khi ký (không khớp giá trị băm đã ký).",
        "The data was changed after signing (digest does not match).",
    ),
    BAD_SIGNATURE: (
        "Chữ ký số không hợp lệ (chữ ký hoặc chứng thư số trong chữ ký đã bị thay đổi).",
        "The signature is invalid (the signature or its certificate was altered).",
    ),
    UNTRUSTED: (
        "Chứng thư số ký không thuộc chuỗi tin cậy đã cấu hình.",
        "The signing certificate does not chain to a configured trust anchor.",
    ),
    EXPIRED_AT_SIGNING: (
        "Chứng thư số (hoặc chứng thư của CA) đã hết hạn tại thời điểm ký.",
        "The certificate (or a CA certificate) had expired at signing time.",
    ),
    NOT_YET_VALID_AT_SIGNING: (
        "Chứng thư số chưa có hiệu lực tại thời điểm ký.",
        "The certificate was not yet valid at signing time.",
    ),
    REVOKED: ("Chứng thư số ký đã bị thu hồi.", "The signing certificate has been revoked."),
    KEY_USAGE: (
        "Chứng thư số không được phép dùng để ký số (key usage).",
        "The certificate's key usage does not allow signing.",
    ),
    MALFORMED: (
        "Dữ liệu chữ ký số bị hỏng hoặc không đúng định dạng CMS.",
        "The signature data is damaged or not a CMS signature.",
    ),
    NO_CRL: (
        "Không có danh sách thu hồi (CRL) để kiểm tra chứng thư số.",
        "No revocation list (CRL) is available to check the certificate.",
    ),
}


@dataclass
class VerifyResult:
    ok: bool
    code: str
    message_vi: str
    message_en: str
    signer: CertInfo | None = None
    signing_time: datetime | None = None
    warnings: list[str] = field(default_factory=list)
    detail: str = ""  # technical detail for logs (never shown as the clerk message)

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi


def _result(code: str, *, signer: CertInfo | None = None, signing_time: datetime | None = None,
            warnings: Sequence[str] = (), detail: str = "") -> VerifyResult:
    vi, en = _MESSAGES[code]
    return VerifyResult(code == OK, code, vi, en, signer, signing_time, list(warnings), detail)


# -- chain validation (cached) ------------------------------------------------------------


@dataclass(frozen=True)
class ChainOutcome:
    """Time-independent outcome of validating one certificate's path, cached per trust
    generation. Time-dependent parts (validity window, revocation date) are evaluated per call."""

    code: str  # ok | untrusted (path could not be built/validated)
    detail: str = ""
    not_before: datetime | None = None  # latest notBefore on the path
    not_after: datetime | None = None  # earliest notAfter on the path
    revoked_at: datetime | None = None  # earliest revocation of a path certificate
    crl_missing: bool = False
    crl_next_updates: tuple[datetime, ...] = ()


_REV_POLICY = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
        intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
    ),
    # Use cached CRLs whatever their age: staleness is reported as a warning by us, and a
    # certificate listed on an old CRL is still revoked.
    freshness=timedelta(days=365 * 100),
    freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
)

_pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="certvalidator")


def _run(coro_factory):  # type: ignore[no-untyped-def]
    """Run pyhanko-certvalidator's coroutine from sync code, even inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    return _pool.submit(lambda: asyncio.run(coro_factory())).result()


@functools.lru_cache(maxsize=4096)
def _x509(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


@functools.lru_cache(maxsize=1024)
def _info(der: bytes) -> CertInfo:
    return CertInfo.from_certificate(_x509(der))


def _der(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def validate_chain(
    cert: x509.Certificate,
    others: Iterable[x509.Certificate],
    trust: TrustStore,
    moment: datetime,
    *,
    cert_der: bytes | None = None,
    other_ders: tuple[bytes, ...] | None = None,
) -> ChainOutcome | tuple[str, str]:
    """Path-validate `cert` at `moment`; cached when the outcome does not depend on time.

    Returns a ChainOutcome, or (code, detail) for a time-dependent failure (expired / not yet
    valid / revoked before `moment` as judged by certvalidator) that must not be cached.
    """
    if cert_der is None:
        cert_der = _der(cert)
    if other_ders is None:
        other_ders = tuple(_der(o) for o in others)
    key = (cert_der, other_ders, trust.generation)
    hit = trust.chain_cache.get(key)
    if hit is not None:
        return hit
    trust.remember_certificate(cert)  # its CRL distribution point, for refresh_crls()
    out = _validate_uncached(cert, cert_der, other_ders, trust, moment)
    if isinstance(out, ChainOutcome):
        if len(trust.chain_cache) > 20_000:
            trust.chain_cache.clear()
        trust.chain_cache[key] = out
    return out


def _validate_uncached(
    cert: x509.Certificate,
    cert_der: bytes,
    other_ders: tuple[bytes, ...],
    trust: TrustStore,
    moment: datetime,
) -> ChainOutcome | tuple[str, str]:
    if not trust.anchors:
        return ChainOutcome(UNTRUSTED, "no trust anchors configured")
    others = [ax509.Certificate.load(d) for d in other_ders]
    others += [ax509.Certificate.load(_der(c)) for c in trust.intermediates]
    vc = ValidationContext(
        trust_roots=[ax509.Certificate.load(_der(c)) for c in trust.anchors],
        other_certs=others,
        crls=[acrl.CertificateList.load(d) for d in trust.crls_der()],
        moment=moment,
        allow_fetching=False,
        revinfo_policy=_REV_POLICY,
    )
    validator = CertificateValidator(
        ax509.Certificate.load(cert_der), intermediate_certs=others, validation_context=vc
    )
    try:
        path = _run(validator.async_validate_path)
    except cv_errors.RevokedError as exc:
        return (REVOKED, str(exc))
    except cv_errors.ExpiredError as exc:
        return (EXPIRED_AT_SIGNING, str(exc))
    except cv_errors.NotYetValidError as exc:
        return (NOT_YET_VALID_AT_SIGNING, str(exc))
    except (cv_errors.PathBuildingError, cv_errors.PathValidationError,
            cv_errors.ValidationError) as exc:
        return ChainOutcome(UNTRUSTED, f"{type(exc).__name__}: {exc}")
    path_certs = [_x509(c.dump()) for c in path.iter_certs(include_root=False)]
    nb = max(c.not_valid_before_utc for c in path_certs)
    na = min(c.not_valid_after_utc for c in path_certs)
    # Include the root's own validity window too.
    root = path.first
    if isinstance(root, ax509.Certificate):
        rc = _x509(root.dump())
        nb, na = max(nb, rc.not_valid_before_utc), min(na, rc.not_valid_after_utc)
    revoked_at: datetime | None = None
    missing = False
    next_updates: list[datetime] = []
    for c in path_certs:
        present, when, _stale = trust.revocation_of(c)
        if not present:
            missing = True
            continue
        crl = trust.crl_for(c.issuer)
        if crl is not None and crl.next_update is not None:
            next_updates.append(crl.next_update)
        if when is not None and (revoked_at is None or when < revoked_at):
            revoked_at = when
    return ChainOutcome(OK, "", nb, na, revoked_at, missing, tuple(next_updates))


def judge_chain(
    outcome: ChainOutcome | tuple[str, str],
    moment: datetime,
    *,
    trusted_time: bool,
    require_crl: bool = False,
    now: datetime | None = None,
) -> tuple[str, list[str], str]:
    """(code, warnings, detail) for a chain outcome at `moment`."""
    if isinstance(outcome, tuple):
        return outcome[0], [], outcome[1]
    if outcome.code != OK:
        return outcome.code, [], outcome.detail
    warnings: list[str] = []
    assert outcome.not_before is not None and outcome.not_after is not None
    if moment < outcome.not_before:
        return NOT_YET_VALID_AT_SIGNING, [], f"valid from {outcome.not_before.isoformat()}"
    if moment > outcome.not_after:
        return EXPIRED_AT_SIGNING, [], f"path expired {outcome.not_after.isoformat()}"
    if outcome.revoked_at is not None:
        if not trusted_time or outcome.revoked_at <= moment:
            return REVOKED, [], f"revoked {outcome.revoked_at.isoformat()}"
        warnings.append(W_REVOKED_LATER)
    now = now or datetime.now(UTC)
    if any(now > nu for nu in outcome.crl_next_updates):
        warnings.append(W_CRL_STALE)
    if outcome.crl_missing:
        if require_crl:
            return NO_CRL, warnings, "no CRL for an issuer on the path"
        warnings.append(W_NO_CRL)
    return OK, warnings, ""


# -- CMS ----------------------------------------------------------------------------------

_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


@functools.lru_cache(maxsize=4096)
def _cert_ids(der: bytes) -> tuple[bytes, int, bytes | None]:
    """(issuer name DER, serial, subject key identifier) of an embedded certificate."""
    c = ax509.Certificate.load(der)
    return c.issuer.dump(), c.serial_number, c.key_identifier


def _find_signer(signer_info: cms.SignerInfo, certs: list[bytes]) -> bytes | None:
    sid = signer_info["sid"]
    if sid.name == "issuer_and_serial_number":
        want_issuer = sid.chosen["issuer"]
        want_issuer_der = want_issuer.dump()
        want_serial = sid.chosen["serial_number"].native
        for der in certs:
            issuer_der, serial, _ski = _cert_ids(der)
            if serial != want_serial:
                continue
            # Byte-equal names first: asn1crypto's semantic Name comparison runs LDAP
            # stringprep and costs more than the signature check itself.
            if issuer_der == want_issuer_der or ax509.Certificate.load(der).issuer == want_issuer:
                return der
    else:  # subject_key_identifier
        ski = sid.chosen.native
        for der in certs:
            if _cert_ids(der)[2] == ski:
                return der
    return None


def _check_signature(cert: x509.Certificate, algo: str, hash_name: str, sig: bytes,
                     tbs: bytes) -> bool:
    h = _HASHES[hash_name]()
    key = cert.public_key()
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


def verify_detached(
    data: bytes,
    signature_der: bytes,
    trust: TrustStore,
    *,
    at: datetime | None = None,
    require_crl: bool = False,
) -> VerifyResult:
    """Verify a detached CMS signature over exactly `data` (see module docstring for policy).

    `at` is a *trusted* validation time (e.g. the gateway's first receipt of the event); when
    omitted, the CMS signing-time attribute is used for validity, and revocation is strict.
    """
    try:
        ci = cms.ContentInfo.load(signature_der)
        if ci["content_type"].native != "signed_data":
            return _result(MALFORMED, detail="not SignedData")
        sd = ci["content"]
        signer_infos = sd["signer_infos"]
        if len(signer_infos) != 1:
            return _result(MALFORMED, detail=f"{len(signer_infos)} signers")
        si = signer_infos[0]
        certs = [c.chosen.dump() for c in (sd["certificates"] or [])
                 if c.name == "certificate"]
        econtent = sd["encap_content_info"]["content"]
        if econtent.native is not None and econtent.native != data:
            return _result(DIGEST_MISMATCH, detail="embedded content differs")
        hash_name = si["digest_algorithm"]["algorithm"].native
        sig_algo = si["signature_algorithm"].signature_algo
        sig = si["signature"].native
        signer_der = _find_signer(si, certs)
        has_attrs = bool(si["signed_attrs"])
        if has_attrs:
            tbs = signed_attrs_tbs(si)
            found = {}
            for a in si["signed_attrs"]:  # one pass; attribute order is DER-sorted
                name = a["type"].native
                if name in ("message_digest", "content_type", "signing_time"):
                    values = a["values"]
                    if len(values) != 1:
                        return _result(MALFORMED, detail=f"{name}: {len(values)} values")
                    found[name] = values[0].native
            md_bytes = found.get("message_digest")
            ct_name = found.get("content_type")
            signing_time = found.get("signing_time")
        else:
            tbs = data
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        return _result(MALFORMED, detail=f"{type(exc).__name__}: {exc}")
    if hash_name not in _HASHES:
        return _result(MALFORMED, detail=f"digest {hash_name} not accepted")
    if has_attrs:
        if md_bytes is None or ct_name != "data":
            return _result(MALFORMED, detail="signed attributes incomplete")
        if hashlib.new(hash_name, data).digest() != md_bytes:
            return _result(DIGEST_MISMATCH, signing_time=signing_time)
    else:
        signing_time = None
    if signer_der is None:
        return _result(BAD_SIGNATURE, signing_time=signing_time,
                       detail="signer certificate missing or replaced")
    try:
        cert = _x509(signer_der)
        info = _info(signer_der)
    except ValueError as exc:
        return _result(MALFORMED, detail=str(exc))
    if not _check_signature(cert, sig_algo, hash_name, sig, tbs):
        return _result(BAD_SIGNATURE, signer=info, signing_time=signing_time)
    warnings: list[str] = []
    if signing_time is None and at is None:
        warnings.append(W_NO_SIGNING_TIME)
    moment = at or signing_time or datetime.now(UTC)
    if not info.can_sign:
        return _result(KEY_USAGE, signer=info, signing_time=signing_time)
    other_ders = tuple(d for d in certs if d != signer_der)
    outcome = validate_chain(cert, [_x509(d) for d in other_ders] if other_ders else [], trust,
                             moment, cert_der=signer_der, other_ders=other_ders)
    code, w, detail = judge_chain(outcome, moment, trusted_time=at is not None,
                                  require_crl=require_crl)
    return _result(code, signer=info, signing_time=signing_time, warnings=warnings + w,
                   detail=detail)


def verify_many(
    items: Iterable[tuple[bytes, bytes]],
    trust: TrustStore,
    *,
    at: datetime | None = None,
    require_crl: bool = False,
) -> list[VerifyResult]:
    """Verify many (data, signature) pairs; chains are validated once per certificate thanks
    to the trust store's cache, so a batch from one clerk costs one path validation."""
    return [verify_detached(d, s, trust, at=at, require_crl=require_crl) for d, s in items]
