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

    code: str  # ok | untrusted (path could not be built/validated)
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
        return ChainOutcome(UNTRUSTED, f"{type(exc).__name__}: {exc}",
                            missing_issuer=_missing_issuer(cert, other_ders, trust))
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
    assert outcome.not_before is not None and outcome.not_after is not None
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
        facts = tsa.read_token(token, tsa.signature_value(signature_der))
    except (ValueError, TypeError, KeyError) as exc:
        code = getattr(exc, "code", "timestamp_malformed")
        return _result(TIMESTAMP_INVALID, detail=f"{code}: {exc}")
    gen = facts.gen_time
    other_ders = tuple(_der(c) for c in facts.other_certs)
    outcome = validate_chain(facts.tsa_cert, facts.other_certs, trust, gen,
                             other_ders=other_ders)
    j = judge(outcome, gen, trusted_time=True)
    if j.code != OK:
        return _result(TIMESTAMP_INVALID, detail=f"TSA certificate: {j.code} {j.detail}")
    return gen


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
    tst: bytes | None = None,
) -> VerifyResult:
    """Verify a detached CMS signature over exactly `data` (see module docstring for policy).

    `at` is a *trusted* validation time (e.g. the gateway's first receipt of the event); when
    omitted, the CMS signing-time attribute is used for validity, and revocation is strict.
    `tst` is an RFC 3161 signatureTimeStampToken over this signature (stored next to it, or
    carried as the CMS unsigned attribute): once verified, its genTime is the proven time.
    """
    proven: datetime | None = None
    if tst is not None:
        proof = time_proof(tst, signature_der, trust)
        if isinstance(proof, VerifyResult):
            return proof
        proven = at = proof
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
    problem = info.policy_problem
    if problem is not None:
        return _result(problem, signer=info, signing_time=signing_time)
    other_ders = tuple(d for d in certs if d != signer_der)
    outcome = validate_chain(cert, [_x509(d) for d in other_ders] if other_ders else [], trust,
                             moment, cert_der=signer_der, other_ders=other_ders)
    j = judge(outcome, moment, trusted_time=at is not None, require_crl=require_crl)
    res = _result(j.code, signer=info, signing_time=signing_time, warnings=warnings + j.warnings,
                  detail=j.detail)
    res.time_proof = proven
    return _apply(res, j)


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
