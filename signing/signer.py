"""Signers: one interface over PKCS#12 files and PKCS#11 tokens, producing detached CMS.

CMS path per key source (chosen for speed and correctness, see bench/bench_signing.py):
- PKCS#11: the key cannot leave the token, so cryptography's builder cannot be used. The
  SignedData is prepared once per signer with asn1crypto's CMS types (signing.cms.CmsTemplate)
  and the token signs the DER of the signed attributes through python-pkcs11 (~1.1x the bare
  token signature). pyHanko's PKCS11Signer does the same job but re-encodes the whole
  structure with asn1crypto on every call (~0.5 ms, about one more token signature).
- PKCS#12: the same template with the in-memory key (measured 1.09x the bare RSA signature vs
  1.17x for cryptography's PKCS7SignatureBuilder, and 1.7x vs 3.0x for ECDSA, whose bare
  signature is tiny). The builder stays available (`backend="builder"`); tests check that
  both verify with openssl and with signing.verify. Either way the signed attributes are
  contentType, signingTime and messageDigest, and signer + chain certificates are embedded.

Every signature is preceded by `check()`: certificate currently valid, keyUsage allows
signing, and — when a TrustStore is given — a chain to a trust anchor that is not revoked in
the cached CRLs. A failed check raises SigningError and nothing is signed.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from signing import errors as E
from signing.attempts import PROCESS_COUNTER, FailureCounter, source_key
from signing.certs import CertInfo, days_left, expires_within, is_self_signed
from signing.cms import CmsTemplate
from signing.errors import SigningError
from signing.trust import TrustStore

log = logging.getLogger("motcua.signing")


def build_chain(cert: x509.Certificate, pool: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """Intermediates to embed, issuer by issuer from `pool`, stopping before a root (the
    verifier must bring its own anchor; embedding it proves nothing)."""
    chain: list[x509.Certificate] = []
    current = cert
    for _ in range(8):
        issuer = None
        for cand in pool:
            if cand.subject == current.issuer and cand != current:
                try:
                    current.verify_directly_issued_by(cand)
                except Exception:  # noqa: S112 - not this one (other key, same name)
                    continue
                issuer = cand
                break
        if issuer is None or is_self_signed(issuer) or issuer in chain:
            break
        chain.append(issuer)
        current = issuer
    return chain


class Signer(ABC):
    """A clerk's signing identity. Use as a context manager or call close()."""

    certificate: x509.Certificate
    chain: list[x509.Certificate]
    info: CertInfo
    trust: TrustStore | None

    def _setup(self, cert: x509.Certificate, pool: Sequence[x509.Certificate],
               trust: TrustStore | None) -> None:
        self.certificate = cert
        self.trust = trust
        self._pool = list(pool)
        #: warnings of the last check in words, {code: (vi, en)} (e.g. "no_crl" naming the CA)
        self.notes: dict[str, tuple[str, str]] = {}
        extra = list(trust.intermediates) if trust is not None else []
        self.chain = build_chain(cert, [*pool, *extra])
        self.info = CertInfo.from_certificate(cert)
        self._chain_outcome: tuple[int, Any] | None = None

    # -- checks ---------------------------------------------------------------------------

    def check(self, now: datetime | None = None) -> None:
        """Raise SigningError unless this certificate may sign right now."""
        now = now or datetime.now(UTC)
        cert = self.certificate
        if now < cert.not_valid_before_utc:
            raise E.cert_not_yet_valid(cert.not_valid_before_utc)
        if now > cert.not_valid_after_utc:
            raise E.cert_expired(cert.not_valid_after_utc)
        problem = self.info.policy_problem
        if problem is not None:  # CA:TRUE, no keyUsage, or keyUsage without a signing bit
            raise E.policy_error(problem, self.info.common_name or self.info.subject)
        if self.trust is not None:
            self._check_trust(now)

    def _check_trust(self, now: datetime) -> None:
        from signing import verify as V

        trust = self.trust
        if trust is None:
            raise RuntimeError("the chain check needs trust anchors")
        cached = self._chain_outcome
        if cached is not None and cached[0] == trust.generation:
            outcome = cached[1]
        else:  # once per trust generation: path validation + CRL lookup
            gen = trust.generation
            outcome = V.validate_chain(self.certificate, self.chain, trust, now)
            if isinstance(outcome, V.ChainOutcome):
                self._chain_outcome = (gen, outcome)
        j = V.judge(outcome, now, trusted_time=True)
        code, detail = j.code, j.detail
        self.notes = dict(j.notes)  # e.g. no CRL from «CA name»: shown at key unlock
        if code == V.OK:
            return
        if code == V.REVOKED:
            revs = outcome.revocations if isinstance(outcome, V.ChainOutcome) else ()
            rev = revs[0] if revs else None
            raise E.revoked(rev.revoked_at if rev else None, rev.reason if rev else None)
        if isinstance(outcome, V.ChainOutcome) and outcome.missing_issuer:
            # The issuer is unknown here. When the key file/token carries it as a root of its
            # own, that root is simply not trusted; otherwise an intermediate is missing.
            own_root = any(is_self_signed(c) and c.subject == self.certificate.issuer
                           for c in self._pool)
            if not own_root:
                raise E.missing_intermediate(outcome.missing_issuer)
            raise E.untrusted_issuer(outcome.missing_issuer)
        if code == V.EXPIRED_AT_SIGNING:
            raise E.untrusted_issuer("chứng thư CA đã hết hạn / a CA certificate expired")
        if code == V.NOT_YET_VALID_AT_SIGNING:
            raise E.untrusted_issuer("chứng thư CA chưa có hiệu lực / a CA certificate is not valid yet")
        log.info("signer chain refused: %s %s", code, detail)
        raise E.untrusted_issuer()

    def expires_within(self, days: int = 30) -> bool:
        """True from `days` before expiry: the UI warns the clerk to renew."""
        return expires_within(self.certificate, days)

    def days_left(self) -> int:
        return days_left(self.certificate)

    # -- signing --------------------------------------------------------------------------

    def sign(self, data: bytes) -> bytes:
        """Detached CMS SignedData (DER) over exactly `data`, SHA-256, with signing-time and
        the signer certificate + chain embedded."""
        self.check()
        return self._sign(data)

    @abstractmethod
    def _sign(self, data: bytes) -> bytes: ...

    @abstractmethod
    def raw_sign(self, data: bytes) -> bytes:
        """The bare signature (no CMS) of `data`: the benchmark's reference point."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    def __enter__(self) -> Signer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# =========================================================================================
# PKCS#12


def _read_p12(path: Path, password: str, attempts: FailureCounter | None = None
              ) -> tuple[Any, x509.Certificate | None, list[x509.Certificate]]:
    attempts = attempts or PROCESS_COUNTER
    try:
        blob = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise E.p12_not_found(str(path)) from exc
    except OSError as exc:
        raise E.p12_not_found(str(path)) from exc
    candidates = [password.encode("utf-8")] if password else [None, b""]
    counted = source_key("p12", blob)
    for pw in candidates:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(blob, pw)
        except ValueError:
            continue
        attempts.succeeded(counted)
        return key, cert, list(extra)
    # Tell a wrong password from a damaged file: does the outer PFX structure parse?
    try:
        from asn1crypto import pkcs12 as a12

        a12.Pfx.load(blob).native  # noqa: B018 - forces a full parse
    except Exception as exc:
        raise E.p12_malformed(str(path)) from exc
    raise E.wrong_p12_password(attempts.failed(counted))


class P12Signer(Signer):
    """Key from a PKCS#12 file, decrypted in memory; the password is not kept."""

    def __init__(self, key: Any, cert: x509.Certificate, pool: Sequence[x509.Certificate],
                 trust: TrustStore | None, backend: str = "template"):
        if isinstance(key, rsa.RSAPrivateKey):
            self._kind = "rsa"
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            self._kind = "ec"
        else:
            raise E.unsupported_key(type(key).__name__)
        self._key = key
        self._setup(cert, pool, trust)
        if backend not in ("template", "builder"):
            raise ValueError(f"unknown CMS backend {backend!r}")
        self.backend = backend
        self._options = [
            pkcs7.PKCS7Options.DetachedSignature,
            pkcs7.PKCS7Options.Binary,
            pkcs7.PKCS7Options.NoCapabilities,
        ]
        algo = "rsassa_pkcs1v15" if self._kind == "rsa" else "ecdsa"
        self._template = CmsTemplate(cert, self.chain, algo)

    @classmethod
    def open(cls, path: Path | str, password: str, *, trust: TrustStore | None = None,
             backend: str = "template", attempts: FailureCounter | None = None) -> P12Signer:
        """`attempts` counts wrong passwords across tries (default: this process)."""
        key, cert, extra = _read_p12(Path(path), password, attempts)
        if key is None or cert is None:
            raise E.no_key(str(path))
        return cls(key, cert, extra, trust, backend)

    def _sign(self, data: bytes) -> bytes:
        if self.backend == "template":
            return self._template.sign(data, self.raw_sign)
        b = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(
            self.certificate, self._key, hashes.SHA256()
        )
        for c in self.chain:
            b = b.add_certificate(c)
        return b.sign(serialization.Encoding.DER, self._options)

    def raw_sign(self, data: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import padding

        sig: bytes
        if self._kind == "rsa":
            sig = self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        else:
            sig = self._key.sign(data, ec.ECDSA(hashes.SHA256()))
        return sig

    def close(self) -> None:
        self._key = None


def list_p12_certificates(path: Path | str, password: str) -> list[CertInfo]:
    """Every certificate in the file; the one with the private key first."""
    _key, cert, extra = _read_p12(Path(path), password)
    out = [CertInfo.from_certificate(cert)] if cert is not None else []
    out += [CertInfo.from_certificate(c) for c in extra]
    return out


# =========================================================================================
# PKCS#11



def _pkcs11() -> ModuleType:
    import pkcs11

    return pkcs11


def _load_lib(module_path: str) -> Any:  # pkcs11.lib: untyped third-party object
    p11 = _pkcs11()
    if not Path(module_path).exists():
        raise E.module_error(module_path)
    try:
        return p11.lib(str(module_path))
    except Exception as exc:
        raise E.module_error(module_path) from exc


def _token_label(tok: Any) -> str:
    return str(tok.label).strip()


def _token_serial(tok: Any) -> str:
    s = tok.serial
    return (s.decode("ascii", "replace") if isinstance(s, bytes) else str(s)).strip()


def _find_token(lib: Any, token_label: str | None, token_serial: str | None) -> Any:
    p11 = _pkcs11()
    try:
        tokens = [t for t in lib.get_tokens()
                  if t.flags & p11.TokenFlag.TOKEN_INITIALIZED]
    except p11.PKCS11Error as exc:
        raise _map_p11(exc) from exc
    if token_label is not None:
        tokens = [t for t in tokens if _token_label(t) == token_label]
    if token_serial is not None:
        tokens = [t for t in tokens if _token_serial(t) == token_serial]
    what = " ".join(filter(None, [f'"{token_label}"' if token_label else None,
                                  f"serial {token_serial}" if token_serial else None]))
    if not tokens:
        raise E.token_not_found(what)
    if len(tokens) > 1:
        raise E.ambiguous("thiết bị ký số (token)", "token")
    return tokens[0]


def _map_p11(exc: Exception) -> SigningError:
    """python-pkcs11 exceptions to clerk-facing errors (PIN errors handled by the caller)."""
    p11 = _pkcs11()
    if isinstance(exc, p11.PinLocked):
        return E.pin_locked()
    if isinstance(exc, p11.PinIncorrect | p11.PinInvalid | p11.PinLenRange):
        return E.wrong_pin(None, None, False)
    if isinstance(exc, p11.TokenNotPresent | p11.DeviceRemoved | p11.SessionHandleInvalid
                  | p11.SessionClosed | p11.TokenNotRecognised | p11.SlotIDInvalid):
        return E.token_removed()
    if isinstance(exc, p11.NoSuchToken):
        return E.token_not_found("")
    if isinstance(exc, p11.UserNotLoggedIn):
        return E.token_removed()
    return E.token_error(type(exc).__name__)


def _open_session(token: Any, module_path: str, pin: str | None,
                  attempts: FailureCounter | None = None) -> Any:
    """Open a session, logging in with `pin`; count failures per token (see signing.attempts)."""
    p11 = _pkcs11()
    attempts = attempts or PROCESS_COUNTER
    key = source_key("pkcs11", str(module_path), _token_serial(token) or _token_label(token))
    if pin is not None and token.flags & p11.TokenFlag.USER_PIN_LOCKED:
        raise E.pin_locked()
    try:
        session = token.open(user_pin=pin) if pin is not None else token.open()
    except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange) as exc:
        count = attempts.failed(key)
        flags = _fresh_flags(token)
        if flags & p11.TokenFlag.USER_PIN_LOCKED:
            raise E.pin_locked() from exc
        final = bool(flags & p11.TokenFlag.USER_PIN_FINAL_TRY)
        raise E.wrong_pin(count, None, final) from exc
    except p11.PKCS11Error as exc:
        raise _map_p11(exc) from exc
    if pin is not None:
        attempts.succeeded(key)
    return session


def _fresh_flags(token: Any) -> int:
    """Token flags re-read after a failed login (the count-low/final-try bits change)."""
    p11 = _pkcs11()
    try:
        return int(token.slot.get_token().flags)
    except p11.PKCS11Error:
        return int(token.flags)


def _cert_objects(session: Any) -> list[tuple[x509.Certificate, bytes | None, str | None]]:
    p11 = _pkcs11()
    A = p11.Attribute
    out = []
    for obj in session.get_objects({A.CLASS: p11.ObjectClass.CERTIFICATE}):
        try:
            der = obj[A.VALUE]
            cert = x509.load_der_x509_certificate(bytes(der))
        except (p11.PKCS11Error, ValueError):
            continue
        try:
            oid = bytes(obj[A.ID])
        except p11.PKCS11Error:
            oid = None
        try:
            label = obj[A.LABEL]
        except p11.PKCS11Error:
            label = None
        out.append((cert, oid, label))
    return out


class Pkcs11Signer(Signer):
    """Key on a PKCS#11 token (USB token, HSM, SoftHSM); the key never leaves it."""

    def __init__(self, session: Any, key: Any, cert: x509.Certificate,
                 pool: Sequence[x509.Certificate], trust: TrustStore | None):
        p11 = _pkcs11()
        self._session = session
        self._key = key
        self._lock = threading.Lock()
        self._setup(cert, pool, trust)
        pub = cert.public_key()
        mechs = set(session.token.slot.get_mechanisms())
        M = p11.Mechanism
        if isinstance(pub, rsa.RSAPublicKey):
            self._kind = "rsa"
            self._mech = M.SHA256_RSA_PKCS if M.SHA256_RSA_PKCS in mechs else M.RSA_PKCS
            algo = "rsassa_pkcs1v15"
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            self._kind = "ec"
            self._mech = M.ECDSA_SHA256 if M.ECDSA_SHA256 in mechs else M.ECDSA
            algo = "ecdsa"
        else:
            raise E.unsupported_key(type(pub).__name__)
        self._template = CmsTemplate(cert, self.chain, algo)

    @classmethod
    def open(
        cls,
        module_path: str,
        *,
        token_label: str | None = None,
        token_serial: str | None = None,
        pin: str,
        key_label: str | None = None,
        key_id: bytes | None = None,
        cert_sha256: str | None = None,
        trust: TrustStore | None = None,
        attempts: FailureCounter | None = None,
    ) -> Pkcs11Signer:
        """Log in to the token and select the signing certificate + its private key.

        Selection: by key_label / key_id / cert_sha256 when given; otherwise the token must hold
        exactly one certificate with a matching private key that can sign (else `ambiguous`).
        """
        p11 = _pkcs11()
        lib = _load_lib(module_path)
        token = _find_token(lib, token_label, token_serial)
        session = _open_session(token, module_path, pin, attempts)
        try:
            certs = _cert_objects(session)
            pool = [c for c, _i, _l in certs]
            chosen = []
            for cert, oid, label in certs:
                if key_label is not None and label != key_label:
                    continue
                if key_id is not None and oid != key_id:
                    continue
                if cert_sha256 is not None and \
                        cert.fingerprint(hashes.SHA256()).hex() != cert_sha256.lower():
                    continue
                key = _find_key(session, oid, label)
                if key is not None:
                    chosen.append((cert, key))
            if len(chosen) > 1:
                signing = [(c, k) for c, k in chosen if CertInfo.from_certificate(c).can_sign]
                chosen = signing or chosen
            if not chosen:
                raise E.no_key(f'token "{_token_label(token)}"')
            if len(chosen) > 1:
                raise E.ambiguous("chứng thư số", "certificate")
            cert, key = chosen[0]
            return cls(session, key, cert, pool, trust)
        except SigningError:
            session.close()
            raise
        except p11.PKCS11Error as exc:
            session.close()
            raise _map_p11(exc) from exc

    def raw_sign(self, data: bytes) -> bytes:
        """Token signature of `data` (SHA-256; PKCS#1 v1.5 or DER ECDSA)."""
        p11 = _pkcs11()
        M = p11.Mechanism
        try:
            with self._lock:
                if self._mech in (M.SHA256_RSA_PKCS, M.ECDSA_SHA256):
                    sig = self._key.sign(data, mechanism=self._mech)
                else:
                    digest = hashes.Hash(hashes.SHA256())
                    digest.update(data)
                    d = digest.finalize()
                    if self._mech == M.RSA_PKCS:  # DigestInfo for SHA-256, RFC 8017 §9.2
                        d = bytes.fromhex("3031300d060960864801650304020105000420") + d
                    sig = self._key.sign(d, mechanism=self._mech)
        except p11.PKCS11Error as exc:
            raise _map_p11(exc) from exc
        if self._kind == "ec":
            from pkcs11.util.ec import encode_ecdsa_signature

            sig = encode_ecdsa_signature(sig)
        return bytes(sig)

    def _sign(self, data: bytes) -> bytes:
        return self._template.sign(data, self.raw_sign)

    def close(self) -> None:
        s, self._session = self._session, None
        if s is not None:
            try:
                s.close()
            except Exception:
                log.info("token session close failed", exc_info=True)


def _find_key(session: Any, oid: bytes | None, label: str | None) -> Any:
    p11 = _pkcs11()
    A = p11.Attribute
    attrs: dict[Any, Any] = {A.CLASS: p11.ObjectClass.PRIVATE_KEY}
    if oid:
        attrs[A.ID] = oid
    elif label:
        attrs[A.LABEL] = label
    else:
        return None
    keys = list(session.get_objects(attrs))
    return keys[0] if len(keys) == 1 else None


def list_tokens(module: str) -> list[dict[str, Any]]:
    """Initialised tokens visible through `module`: label, serial, manufacturer, model, flags."""
    p11 = _pkcs11()
    lib = _load_lib(module)
    out = []
    try:
        for t in lib.get_tokens():
            if not t.flags & p11.TokenFlag.TOKEN_INITIALIZED:
                continue
            flags = [f.name for f in p11.TokenFlag if f.value and t.flags & f and f.name]
            out.append({
                "label": _token_label(t),
                "serial": _token_serial(t),
                "manufacturer": str(t.manufacturer_id).strip(),
                "model": str(t.model).strip(),
                "flags": flags,
            })
    except p11.PKCS11Error as exc:
        raise _map_p11(exc) from exc
    return out


def list_token_certificates(
    module: str,
    *,
    token_label: str | None = None,
    token_serial: str | None = None,
    pin: str | None = None,
) -> list[CertInfo]:
    """Certificates on the token (public objects; `pin` logs in for tokens that hide them).
    `CertInfo.label` carries the object label to pass as key_label."""
    p11 = _pkcs11()
    lib = _load_lib(module)
    token = _find_token(lib, token_label, token_serial)
    session = _open_session(token, module, pin)
    try:
        return [CertInfo.from_certificate(c, label=label) for c, _i, label in _cert_objects(session)]
    except p11.PKCS11Error as exc:
        raise _map_p11(exc) from exc
    finally:
        session.close()
