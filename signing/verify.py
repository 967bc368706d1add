"""Verification of detached CMS signatures, the way an inspector or a court would check them.

1. The signature covers exactly these bytes (messageDigest) and verifies with the embedded
   signer certificate's key.
2. The certificate chains to a configured trust anchor — path validation by
   pyhanko-certvalidator (RFC 5280), never by hand — and every certificate on the path was
   valid at the validation time: `at` when the caller has a trusted time (e.g. when the gateway
   first received the event), else the CMS signing-time attribute, else now.
3. keyUsage of the signer allows digitalSignature or nonRepudiation.
   Only end-entity certificates (not CA:TRUE) whose keyUsage is present and has
   digitalSignature or nonRepudiation sign dossiers (codes `ca_certificate`, `no_key_usage`,
   `key_usage`).
4. Revocation against the cached CRLs (see TrustStore), RFC 5280 §5.3:
   - a CRL covering the issuer lists the certificate. Without a proof of time (an RFC 3161
     time-stamp token, `tst`, or a caller's trusted `at`), a revocation at *any* date fails
     (code `revoked`): the signing-time attribute is asserted by the signer and could be
     back-dated with a stolen key; the message says so. With a proven time earlier than the
     revocation the signature stands (warning `revoked_later`) unless the reason is
     keyCompromise (or cACompromise/aACompromise): then the CRL's invalidity date, when it
     gives one, decides instead of the revocation date. Messages give the revocation date
     (Vietnam time) and the reason in words.
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
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from asn1crypto import algos, cms
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
from signing.errors import reason_words, vn_time
from signing.trust import Revocation, TrustStore, _display_name

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
CA_CERTIFICATE = "ca_certificate"
NO_KEY_USAGE = "no_key_usage"
TIMESTAMP_INVALID = "timestamp_invalid"
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
        "Chứng thư số không được phép dùng để ký số (keyUsage không có digitalSignature hay "
        "nonRepudiation).",
        "The certificate's keyUsage does not allow signing (neither digitalSignature nor "
        "nonRepudiation).",
    ),
    MALFORMED: (
        "Dữ liệu chữ ký số bị hỏng hoặc không đúng định dạng CMS.",
        "The signature data is damaged or not a CMS signature.",
    ),
    NO_CRL: (
        "Không có danh sách thu hồi (CRL) để kiểm tra chứng thư số.",
        "No revocation list (CRL) is available to check the certificate.",
    ),
    CA_CERTIFICATE: (
        "Chữ ký được tạo bằng chứng thư của tổ chức chứng thực (CA:TRUE), không phải chứng thư "
        "ký của cán bộ; chứng thư CA không được ký hồ sơ.",
        "The signature was made with a certification authority certificate (CA:TRUE), not a "
        "clerk's signing certificate; CA certificates may not sign dossiers.",
    ),
    NO_KEY_USAGE: (
        "Chứng thư số ký không có phần mở rộng keyUsage (không nêu mục đích ký số); chỉ chứng "
        "thư có digitalSignature hoặc nonRepudiation mới được ký hồ sơ.",
        "The signing certificate has no keyUsage extension (no signing purpose stated); only "
        "certificates with digitalSignature or nonRepudiation may sign dossiers.",
    ),
    TIMESTAMP_INVALID: (
        "Dấu thời gian (RFC 3161) kèm chữ ký không hợp lệ hoặc không thuộc chữ ký này.",
        "The RFC 3161 time-stamp attached to the signature is invalid or belongs to another "
        "signature.",
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
    time_proof: datetime | None = None  # genTime of a verified RFC 3161 token over the signature
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)  # warning -> (vi, en)

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

    code: str  # ok | untrusted (path could not be built/validated) | malformed
    detail: str = ""
    not_before: datetime | None = None  # latest notBefore on the path
    not_after: datetime | None = None  # earliest notAfter on the path
    revoked_at: datetime | None = None  # earliest revocation of a path certificate
    crl_missing: bool = False
    crl_next_updates: tuple[datetime, ...] = ()
    revocations: tuple[Revocation, ...] = ()  # every revoked certificate on the path
    crl_missing_for: tuple[str, ...] = ()  # names of the CAs whose CRL is missing
    missing_issuer: str = ""  # untrusted because this issuing CA is unknown here


_REV_POLICY = CertRevTrustPolicy(
    # Revocation is judged by us (judge) from the CRL entries of every path certificate,
    # because the decision depends on the reason, the invalidity date and whether the
    # signature's time is proven, which certvalidator's single "moment" cannot express.
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.NO_CHECK,
        intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK,
    ),
    freshness=timedelta(days=365 * 100),
    freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
)

_R = TypeVar("_R")

_pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="certvalidator")


def _run(coro_factory: Callable[[], Coroutine[Any, Any, _R]]) -> _R:
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
    if isinstance(hit, ChainOutcome):  # the cache only ever holds ChainOutcome values
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
    try:
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
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        # an embedded certificate that cannot be read (e.g. a damaged name): the same bytes
        # always fail the same way, so this outcome is cached like any other
        return ChainOutcome(MALFORMED, f"certificate unreadable: {type(exc).__name__}: {exc}")
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
        try:
            missing_issuer = _missing_issuer(cert, other_ders, trust)
        except Exception:
            missing_issuer = ""
        return ChainOutcome(UNTRUSTED, f"{type(exc).__name__}: {exc}",
                            missing_issuer=missing_issuer)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        return ChainOutcome(MALFORMED, f"certificate unreadable: {type(exc).__name__}: {exc}")
    path_certs = [_x509(c.dump()) for c in path.iter_certs(include_root=False)]
    nb = max(c.not_valid_before_utc for c in path_certs)
    na = min(c.not_valid_after_utc for c in path_certs)
    # Include the root's own validity window too.
    root = path.first
    if isinstance(root, ax509.Certificate):
        rc = _x509(root.dump())
        nb, na = max(nb, rc.not_valid_before_utc), min(na, rc.not_valid_after_utc)
    revoked_at: datetime | None = None
    missing: list[str] = []
    next_updates: list[datetime] = []
    revocations: list[Revocation] = []
    for c in path_certs:
        present, _when, _stale = trust.revocation_of(c)
        if not present:
            name = _display_name(c.issuer)
            if name not in missing:
                missing.append(name)
            continue
        crl = trust.crl_for(c.issuer)
        if crl is not None and crl.next_update is not None:
            next_updates.append(crl.next_update)
        rev = trust.revocation_entry(c)
        if rev is not None:
            revocations.append(rev)
            if revoked_at is None or rev.revoked_at < revoked_at:
                revoked_at = rev.revoked_at
    return ChainOutcome(OK, "", nb, na, revoked_at, bool(missing), tuple(next_updates),
                        tuple(revocations), tuple(missing))


def _missing_issuer(cert: x509.Certificate, other_ders: tuple[bytes, ...],
                    trust: TrustStore) -> str:
    """When no path could be built: the name of the first CA up the chain that nobody here
    knows (neither an anchor, a known intermediate nor embedded), else ""."""
    known = [*trust.anchors, *trust.intermediates, *(_x509(d) for d in other_ders)]
    current = cert
    for _ in range(8):
        issuer = next((k for k in known if k.subject == current.issuer and k != current), None)
        if issuer is None:
            return _display_name(current.issuer)
        if issuer.subject == issuer.issuer:  # reached a root we know: the path broke elsewhere
            return ""
        current = issuer
    return ""


@dataclass
class Judgement:
    """judge()'s verdict with the words a clerk or an inspector reads."""

    code: str
    warnings: list[str]
    detail: str
    message_vi: str | None = None  # None: the code's standard message
    message_en: str | None = None
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)


def _revocation_words(rev: Revocation, lang: str) -> str:
    when = vn_time(rev.revoked_at, lang)
    why = reason_words(rev.reason, lang)
    if lang == "en":
        text = f"«{rev.subject}» was revoked on {when}, reason: {why}"
        if rev.compromise and rev.invalidity_date is not None:
            text += f" (key invalid since {vn_time(rev.invalidity_date, lang)})"
        return text
    text = f"«{rev.subject}» đã bị thu hồi lúc {when}, lý do: {why}"
    if rev.compromise and rev.invalidity_date is not None:
        text += f" (khóa mất hiệu lực từ {vn_time(rev.invalidity_date, lang)})"
    return text


def judge(
    outcome: ChainOutcome | tuple[str, str],
    moment: datetime,
    *,
    trusted_time: bool,
    require_crl: bool = False,
    now: datetime | None = None,
) -> Judgement:
    """The verdict on a chain outcome for a signature made at `moment`.

    `trusted_time` says whether `moment` is proven (an RFC 3161 token, or a time the caller
    witnessed itself) rather than asserted by the signer.
    """
    if isinstance(outcome, tuple):
        return Judgement(outcome[0], [], outcome[1])
    if outcome.code != OK:
        j = Judgement(outcome.code, [], outcome.detail)
        if outcome.code == UNTRUSTED and outcome.missing_issuer:
            name = outcome.missing_issuer
            j.message_vi = (f"Chứng thư số ký do «{name}» cấp, nhưng máy này không có chứng thư "
                            "của tổ chức đó: thiếu chứng thư trung gian (CNTT cài bằng 'motcua "
                            "trust add TỆP') hoặc đó là một CA không được tin cậy.")
            j.message_en = (f"The signing certificate was issued by «{name}», whose certificate "
                            "is not known here: an intermediate certificate is missing (IT "
                            "installs it with 'motcua trust add FILE') or that CA is not "
                            "trusted.")
        return j
    warnings: list[str] = []
    notes: dict[str, tuple[str, str]] = {}
    if outcome.not_before is None or outcome.not_after is None:
        raise RuntimeError("a validated chain always has validity times")
    if moment < outcome.not_before:
        return Judgement(NOT_YET_VALID_AT_SIGNING, [],
                         f"valid from {outcome.not_before.isoformat()}")
    if moment > outcome.not_after:
        return Judgement(EXPIRED_AT_SIGNING, [], f"path expired {outcome.not_after.isoformat()}")
    for rev in sorted(outcome.revocations, key=lambda r: r.cutoff):
        words_vi, words_en = _revocation_words(rev, "vi"), _revocation_words(rev, "en")
        detail = f"revoked {rev.revoked_at.isoformat()} reason {rev.reason}"
        if not trusted_time:
            return Judgement(
                REVOKED, [], detail,
                f"Chứng thư số ký {words_vi}. Chữ ký không có dấu thời gian (RFC 3161) chứng "
                "minh nó được tạo trước thời điểm đó, nên không được công nhận.",
                f"The signing certificate {words_en}. The signature has no RFC 3161 time-stamp "
                "proving it was made before that, so it is not accepted.")
        if moment >= rev.cutoff:
            at_vi, at_en = vn_time(moment, "vi"), vn_time(moment, "en")
            return Judgement(
                REVOKED, [], detail,
                f"Chứng thư số ký {words_vi}; chữ ký được chứng minh có lúc {at_vi}, không "
                "sớm hơn thời điểm đó.",
                f"The signing certificate {words_en}; the signature is proven to exist at "
                f"{at_en}, not earlier than that.")
        warnings.append(W_REVOKED_LATER)
        notes[W_REVOKED_LATER] = (
            f"Chứng thư số ký {words_vi}; chữ ký vẫn hợp lệ vì đã có lúc {vn_time(moment)}, "
            "trước thời điểm đó.",
            f"The signing certificate {words_en}; the signature stays valid because it existed "
            f"at {vn_time(moment, 'en')}, before that.")
    now = now or datetime.now(UTC)
    if any(now > nu for nu in outcome.crl_next_updates):
        warnings.append(W_CRL_STALE)
    if outcome.crl_missing:
        names = ", ".join(f"«{n}»" for n in outcome.crl_missing_for) or "?"
        if require_crl:
            return Judgement(NO_CRL, warnings, "no CRL for an issuer on the path",
                             f"Không có danh sách thu hồi (CRL) của {names} để kiểm tra chứng "
                             "thư số.",
                             f"No revocation list (CRL) from {names} is available to check the "
                             "certificate.", notes)
        warnings.append(W_NO_CRL)
        notes[W_NO_CRL] = (
            f"Chưa có danh sách thu hồi (CRL) của {names}: chưa kiểm tra được chứng thư có bị "
            "thu hồi không ('motcua trust refresh' khi có mạng, hoặc 'motcua trust add-crl TỆP').",
            f"No revocation list (CRL) from {names} yet: revocation could not be checked "
            "('motcua trust refresh' when online, or 'motcua trust add-crl FILE').")
    return Judgement(OK, warnings, "", notes=notes)


def judge_chain(
    outcome: ChainOutcome | tuple[str, str],
    moment: datetime,
    *,
    trusted_time: bool,
    require_crl: bool = False,
    now: datetime | None = None,
) -> tuple[str, list[str], str]:
    """(code, warnings, detail) for a chain outcome at `moment` (see `judge`)."""
    j = judge(outcome, moment, trusted_time=trusted_time, require_crl=require_crl, now=now)
    return j.code, j.warnings, j.detail


def _apply(res: VerifyResult, j: Judgement) -> VerifyResult:
    """Put a judgement's own words on a result."""
    if j.message_vi:
        res.message_vi = j.message_vi
    if j.message_en:
        res.message_en = j.message_en
    res.notes.update(j.notes)
    return res


def time_proof(token: bytes, signature_der: bytes, trust: TrustStore) -> datetime | VerifyResult:
    """The proven time of a signature from its RFC 3161 signatureTimeStampToken: the token
    must time-stamp this CMS's signature value and be signed by a time-stamping authority
    (EKU timeStamping, critical) whose certificate chains to this trust store's anchors and
    was valid (and not revoked) at the token's time. A VerifyResult when it does not."""
    from signing import tsa

    try:
        fast = _parse_fast(signature_der)  # our template: the signature value without asn1crypto
        value = fast.sig if fast is not None else tsa.signature_value(signature_der)
        facts = tsa.read_token(token, value)
    except (ValueError, TypeError, KeyError) as exc:
        code = getattr(exc, "code", "timestamp_malformed")
        return _result(TIMESTAMP_INVALID, detail=f"{code}: {exc}")
    gen = facts.gen_time
    other_ders = facts.other_ders or tuple(_der(c) for c in facts.other_certs)
    outcome = validate_chain(facts.tsa_cert, facts.other_certs, trust, gen,
                             cert_der=facts.tsa_der or None, other_ders=other_ders)
    j = judge(outcome, gen, trusted_time=True)
    if j.code != OK:
        return _result(TIMESTAMP_INVALID, detail=f"TSA certificate: {j.code} {j.detail}")
    return gen


# -- CMS ----------------------------------------------------------------------------------
#
# Two parsers feed one judgement. `_parse_full` reads any CMS SignedData with asn1crypto (the
# general RFC 5652 path). `_parse_fast` recognises the exact layout that signing.cms.CmsTemplate
# writes (our own signatures) with a strict DER walk and a per-signer profile learnt from the
# full parser; anything it does not recognise byte for byte goes to the full parser. Both
# produce the same `_Parsed` facts, and `_judge` (digest, signature, key usage, chain and
# policy) is shared, so the fast path cannot accept what the full path refuses: it only skips
# re-parsing what is byte-identical to something the full parser has already read.

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512
}
_HASH_OBJ: dict[str, hashes.HashAlgorithm] = {name: cls() for name, cls in _HASHES.items()}
_HASH_FN = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
_PKCS1 = padding.PKCS1v15()


class _Parsed(NamedTuple):
    """What verification needs from a CMS, whichever parser read it (a tuple: built once per
    event, it must be cheap)."""

    hash_name: str
    sig_algo: str
    sig: bytes
    signer_der: bytes | None
    other_ders: tuple[bytes, ...]
    has_attrs: bool
    tbs: bytes | None = None  # DER SET OF the signed attributes (None: no signed attributes)
    md_bytes: bytes | None = None
    ct_name: str | None = None
    signing_time: datetime | None = None


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


@functools.lru_cache(maxsize=1024)
def _public_key(der: bytes) -> tuple[Any, str]:
    """(parsed public key, the one CMS signature algorithm it can verify) of a certificate."""
    key = _x509(der).public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key, "rsassa_pkcs1v15"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key, "ecdsa"
    return key, ""


_ECDSA = {name: ec.ECDSA(h) for name, h in _HASH_OBJ.items()}


def _check_signature(key: tuple[Any, str], algo: str, hash_name: str, sig: bytes,
                     tbs: bytes) -> bool:
    pub, kind = key
    if algo != kind:
        return False
    try:
        if kind == "rsassa_pkcs1v15":
            pub.verify(sig, tbs, _PKCS1, _HASH_OBJ[hash_name])
        else:
            pub.verify(sig, tbs, _ECDSA[hash_name])
    except InvalidSignature:
        return False
    return True


def _parse_full(data: bytes, signature_der: bytes) -> _Parsed | VerifyResult:
    """RFC 5652 SignedData of any layout, read with asn1crypto (a VerifyResult on failure)."""
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
        tbs = md_bytes = ct_name = signing_time = None
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
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        return _result(MALFORMED, detail=f"{type(exc).__name__}: {exc}")
    other_ders = tuple(d for d in certs if d != signer_der)
    return _Parsed(hash_name, sig_algo, sig, signer_der, other_ders, has_attrs, tbs, md_bytes,
                   ct_name, signing_time)


# ---- the template layout (signing.cms.CmsTemplate), recognised byte for byte --------------


class _NotTemplate(Exception):
    """The CMS is not (exactly) our template layout: use the full parser."""


def _tlv(buf: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag byte, content start, content end) of the DER element at `pos`; strict DER lengths
    (definite, minimal), single-byte tags; anything else is not our template."""
    if pos + 2 > end:
        raise _NotTemplate
    tag = buf[pos]
    n = buf[pos + 1]
    pos += 2
    if n < 0x80:
        length = n
    elif n == 0x81:
        if pos >= end:
            raise _NotTemplate
        length = buf[pos]
        pos += 1
        if length < 0x80:
            raise _NotTemplate
    elif n in (0x82, 0x83):
        k = n - 0x80
        if pos + k > end or buf[pos] == 0:
            raise _NotTemplate
        length = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
        if length < (0x100 if k == 2 else 0x10000):
            raise _NotTemplate
    else:
        raise _NotTemplate
    if pos + length > end:
        raise _NotTemplate
    return tag, pos, pos + length


def _template_constants() -> dict[str, Any]:
    # asn1crypto builds a name->OID map the first time a named OID is constructed; modules
    # that register names later (asn1crypto.tsp adds "tst_info") must be imported before
    from asn1crypto import tsp  # noqa: F401

    from signing.cms import CmsTemplate

    digest_algo = algos.DigestAlgorithm({"algorithm": "sha256"})
    digest = digest_algo.dump()
    mark_digest = hashlib.sha256(b"motcua-fast-path-marker").digest()
    mark_time = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
    attrs = CmsTemplate._attrs(mark_digest, mark_time).dump()
    _, start, end = _tlv(attrs, 0, len(attrs))
    body = attrs[start:end]
    t = body.index(mark_time.strftime("%y%m%d%H%M%SZ").encode())
    d = body.index(mark_digest)
    return {
        "signed_data": cms.ContentType("signed_data").dump(),
        "v1": cms.CMSVersion("v1").dump(),
        "digest_set": cms.DigestAlgorithms([digest_algo]).dump(),
        "digest": digest,
        "eci": cms.EncapsulatedContentInfo({"content_type": "data"}).dump(),
        "sig_algs": {
            algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}).dump(): "rsassa_pkcs1v15",
            algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}).dump(): "ecdsa",
        },
        "attrs_len": len(body),
        "attrs_head": body[:t],
        "attrs_mid": body[t + 13:d],
        "attrs_tail": body[d + 32:],
        "t_off": t,
        "d_off": d,
    }


_T = _template_constants()
_T_SD, _T_V1, _T_DSET, _T_DIG, _T_ECI = (_T["signed_data"], _T["v1"], _T["digest_set"],
                                         _T["digest"], _T["eci"])
_T_SIGALGS: dict[bytes, str] = _T["sig_algs"]
_T_ALEN, _T_AHEAD, _T_AMID, _T_ATAIL = (_T["attrs_len"], _T["attrs_head"], _T["attrs_mid"],
                                        _T["attrs_tail"])
_T_TOFF, _T_DOFF = _T["t_off"], _T["d_off"]


@dataclass(frozen=True)
class _Profile:
    """What the full parser found for one (certificate set, signer identifier): the same
    bytes always give the same answer, so later CMS with these bytes skip asn1crypto."""

    signer_der: bytes | None
    other_ders: tuple[bytes, ...]


_profiles: dict[tuple[bytes, bytes], _Profile] = {}
_PROFILES_MAX = 4096


@functools.lru_cache(maxsize=4096)
def _utc_time(raw: bytes) -> datetime:
    """UTCTime YYMMDDHHMMSSZ exactly as asn1crypto reads it (years 1950–2049)."""
    if len(raw) != 13 or raw[12:] != b"Z" or not raw[:12].isdigit():
        raise _NotTemplate
    v = [int(raw[i:i + 2]) for i in range(0, 12, 2)]
    year = v[0] + (2000 if v[0] < 50 else 1900)
    try:
        return datetime(year, v[1], v[2], v[3], v[4], v[5], tzinfo=UTC)
    except ValueError:
        raise _NotTemplate from None


def _split_template(b: bytes) -> tuple[bytes, bytes, bytes, bytes, str, bytes, int, int, int]:
    """(certificate set content, signer identifier, signed attribute content, signed attribute
    element, signature algorithm, signature, offsets of the attribute content's start and end
    and of the signature value) of a CMS in exactly our template's layout."""
    tag, s, e = _tlv(b, 0, len(b))
    if tag != 0x30 or e != len(b) or not b.startswith(_T_SD, s):
        raise _NotTemplate
    tag, s, e2 = _tlv(b, s + len(_T_SD), e)  # [0] EXPLICIT content
    if tag != 0xA0 or e2 != e:
        raise _NotTemplate
    tag, p, e = _tlv(b, s, e2)  # SignedData
    if tag != 0x30 or e != e2:
        raise _NotTemplate
    for const in (_T_V1, _T_DSET, _T_ECI):
        if not b.startswith(const, p):
            raise _NotTemplate
        p += len(const)
    tag, cs, ce = _tlv(b, p, e)  # [0] IMPLICIT CertificateSet (required here)
    if tag != 0xA0:
        raise _NotTemplate
    tag, ss, se = _tlv(b, ce, e)  # SignerInfos: exactly one, and nothing after it
    if tag != 0x31 or se != e:
        raise _NotTemplate
    tag, p, si_end = _tlv(b, ss, se)
    if tag != 0x30 or si_end != se or not b.startswith(_T_V1, p):
        raise _NotTemplate
    p += len(_T_V1)
    tag, _, sid_end = _tlv(b, p, si_end)  # IssuerAndSerialNumber
    if tag != 0x30:
        raise _NotTemplate
    sid = b[p:sid_end]
    if not b.startswith(_T_DIG, sid_end):
        raise _NotTemplate
    p = sid_end + len(_T_DIG)
    tag, a_s, a_e = _tlv(b, p, si_end)  # [0] IMPLICIT signed attributes
    if tag != 0xA0 or a_e - a_s != _T_ALEN:
        raise _NotTemplate
    attrs_el = b[p:a_e]
    attrs = b[a_s:a_e]
    algo = None
    for der, name in _T_SIGALGS.items():
        if b.startswith(der, a_e):
            algo, p = name, a_e + len(der)
            break
    if algo is None:
        raise _NotTemplate
    tag, g_s, g_e = _tlv(b, p, si_end)  # signature; no unsigned attributes after it
    if tag != 0x04 or g_e != si_end:
        raise _NotTemplate
    return b[cs:ce], sid, attrs, attrs_el, algo, b[g_s:g_e], a_s, a_e, g_s


@dataclass(frozen=True)
class _Shape:
    """A learnt byte layout of one signer's template CMS of one total length: everything up to
    the signed attributes (`prefix`, certificates and signer identifier included) and between
    them and the signature value (`mid`: signature algorithm + OCTET STRING header) is fixed,
    so a CMS of that length starting with `prefix` and carrying `mid` after the attributes
    parses exactly as the one the DER walk read."""

    prefix: bytes
    attrs_hdr: int  # length of the signed attributes' tag + length bytes
    mid: bytes
    algo: str
    profile: _Profile


_shapes: dict[int, list[_Shape]] = {}
_SHAPES_PER_LENGTH = 8


def _attrs_facts(attrs: bytes) -> tuple[bytes, datetime]:
    """(messageDigest, signingTime) of signed attributes in the template's exact layout."""
    t, d = _T_TOFF, _T_DOFF
    if attrs[:t] != _T_AHEAD or attrs[t + 13:d] != _T_AMID or attrs[d + 32:] != _T_ATAIL:
        raise _NotTemplate
    return attrs[d:d + 32], _utc_time(attrs[t:t + 13])


def _parse_fast(signature_der: bytes) -> _Parsed | None:
    """Our template's layout with a signer profile already learnt, else None."""
    b = signature_der
    try:
        for shape in _shapes.get(len(b), ()):
            if b.startswith(shape.prefix):
                a = len(shape.prefix)
                ae = a + _T_ALEN
                if not b.startswith(shape.mid, ae):
                    break
                md, when = _attrs_facts(b[a:ae])
                prof = shape.profile
                return _Parsed("sha256", shape.algo, b[ae + len(shape.mid):], prof.signer_der,
                               prof.other_ders, True, b"\x31" + b[a - shape.attrs_hdr + 1:ae],
                               md, "data", when)
        certs, sid, attrs, attrs_el, algo, sig, a_s, a_e, g_s = _split_template(b)
        profile = _profiles.get((certs, sid))
        if profile is None:
            return None
        md, when = _attrs_facts(attrs)
    except _NotTemplate:
        return None
    _learn_shape(b, a_s, a_e, g_s, len(attrs_el) - len(attrs), algo, profile)
    return _Parsed("sha256", algo, sig, profile.signer_der, profile.other_ders, True,
                   b"\x31" + attrs_el[1:], md, "data", when)


def _learn_shape(b: bytes, a_s: int, a_e: int, g_s: int, hdr: int, algo: str,
                 profile: _Profile) -> None:
    """Remember the fixed bytes of a CMS the DER walk accepted (see `_Shape`)."""
    shapes = _shapes.setdefault(len(b), [])
    if len(shapes) >= _SHAPES_PER_LENGTH:
        shapes.pop(0)
    shapes.append(_Shape(b[:a_s], hdr, b[a_e:g_s], algo, profile))
    if len(_shapes) > _PROFILES_MAX:
        _shapes.clear()


def _learn_profile(signature_der: bytes, parsed: _Parsed) -> None:
    """After a successful full parse, remember the signer of a template-shaped CMS."""
    try:
        certs, sid, *_ = _split_template(signature_der)
    except _NotTemplate:
        return
    if len(_profiles) >= _PROFILES_MAX:
        _profiles.clear()
        _shapes.clear()
    _profiles[(certs, sid)] = _Profile(parsed.signer_der, parsed.other_ders)


# ---- judgement (shared by both parsers) ---------------------------------------------------


def _judge(p: _Parsed, data: bytes, trust: TrustStore, at: datetime | None,
           require_crl: bool, proven: datetime | None = None) -> VerifyResult:
    hash_name, signing_time = p.hash_name, p.signing_time
    if hash_name not in _HASHES:
        return _result(MALFORMED, detail=f"digest {hash_name} not accepted")
    if p.has_attrs:
        if p.md_bytes is None or p.ct_name != "data":
            return _result(MALFORMED, detail="signed attributes incomplete")
        if _HASH_FN[hash_name](data).digest() != p.md_bytes:
            return _result(DIGEST_MISMATCH, signing_time=signing_time)
        tbs = p.tbs
        if tbs is None:
            raise RuntimeError("a parsed signature always has its signed attributes")
    else:
        signing_time = None
        tbs = data
    signer_der = p.signer_der
    if signer_der is None:
        return _result(BAD_SIGNATURE, signing_time=signing_time,
                       detail="signer certificate missing or replaced")
    try:
        cert = _x509(signer_der)
        info = _info(signer_der)
        key = _public_key(signer_der)
    except Exception as exc:
        return _result(MALFORMED, detail=f"signer certificate unreadable: {type(exc).__name__}:"
                       f" {exc}")
    if not _check_signature(key, p.sig_algo, hash_name, p.sig, tbs):
        return _result(BAD_SIGNATURE, signer=info, signing_time=signing_time)
    warnings: list[str] = []
    if signing_time is None and at is None:
        warnings.append(W_NO_SIGNING_TIME)
    moment = at or signing_time or datetime.now(UTC)
    problem = info.policy_problem
    if problem is not None:
        return _result(problem, signer=info, signing_time=signing_time)
    outcome = validate_chain(cert, (), trust, moment, cert_der=signer_der,
                             other_ders=p.other_ders)
    j = judge(outcome, moment, trusted_time=at is not None, require_crl=require_crl)
    res = _result(j.code, signer=info, signing_time=signing_time, warnings=warnings + j.warnings,
                  detail=j.detail)
    res.time_proof = proven
    return _apply(res, j)


def _proven_time(tst: bytes | None, signature_der: bytes,
                 trust: TrustStore) -> datetime | VerifyResult | None:
    """The time an RFC 3161 token proves for this signature (None without a token; the
    failing result when the token does not hold)."""
    return None if tst is None else time_proof(tst, signature_der, trust)


def verify_detached_full(
    data: bytes,
    signature_der: bytes,
    trust: TrustStore,
    *,
    at: datetime | None = None,
    require_crl: bool = False,
    tst: bytes | None = None,
) -> VerifyResult:
    """`verify_detached` through the general RFC 5652 parser only (the reference the fast path
    is tested against; also what any CMS not in our template's layout goes through)."""
    proven = _proven_time(tst, signature_der, trust)
    if isinstance(proven, VerifyResult):
        return proven
    if proven is not None:
        at = proven
    parsed = _parse_full(data, signature_der)
    if isinstance(parsed, VerifyResult):
        return parsed
    return _judge(parsed, data, trust, at, require_crl, proven)


def verify_detached(
    data: bytes,
    signature_der: bytes,
    trust: TrustStore,
    *,
    at: datetime | None = None,
    require_crl: bool = False,
    tst: bytes | None = None,
) -> VerifyResult:
    """Verify a detached CMS signature over exactly `data` (see module docstring for policy).

    `at` is a *trusted* validation time (e.g. the gateway's first receipt of the event); when
    omitted, the CMS signing-time attribute is used for validity, and revocation is strict.
    `tst` is an RFC 3161 signatureTimeStampToken over this signature (stored next to it, or
    carried as the CMS unsigned attribute): once verified, its genTime is the proven time.

    A CMS in our own template's layout whose signer was already seen is read without
    asn1crypto (see `_parse_fast`); any other goes through the full parser and, when it is in
    the template's layout, teaches the fast path its signer.
    """
    proven = _proven_time(tst, signature_der, trust)
    if isinstance(proven, VerifyResult):
        return proven
    if proven is not None:
        at = proven
    parsed = _parse_fast(signature_der)
    if parsed is None:
        full = _parse_full(data, signature_der)
        if isinstance(full, VerifyResult):
            return full
        _learn_profile(signature_der, full)
        parsed = full
    return _judge(parsed, data, trust, at, require_crl, proven)


#: (data, signature) or (data, signature, RFC 3161 token or None)
VerifyItem = tuple[bytes, bytes] | tuple[bytes, bytes, bytes | None]


def verify_many(
    items: Iterable[VerifyItem],
    trust: TrustStore,
    *,
    at: datetime | None = None,
    require_crl: bool = False,
) -> list[VerifyResult]:
    """Verify many (data, signature[, tst]) items with the fast path; chains are validated
    once per certificate (cached per trust generation), so a batch from one clerk costs one
    path validation plus, per event, one SHA-256 and one public-key operation."""
    return list(iter_verify(items, trust, at=at, require_crl=require_crl))


def iter_verify(
    items: Iterable[VerifyItem],
    trust: TrustStore,
    *,
    at: datetime | None = None,
    require_crl: bool = False,
) -> Iterator[VerifyResult]:
    """Streaming `verify_many` (one result per item, in order; memory independent of the
    number of items), for `motcua verify` over a store of any size."""
    for item in items:
        tst = item[2] if len(item) > 2 else None
        yield verify_detached(item[0], item[1], trust, at=at, require_crl=require_crl, tst=tst)
