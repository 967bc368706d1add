"""Trust anchors, known intermediates and cached CRLs: what a signature is judged against.

CRLs are fetched from the certificates' CRL distribution points when online and cached on disk
so verification works offline. A CRL is only accepted when its signature verifies with the
certificate of the CA named as its issuer (an anchor or a known intermediate), so a forged CRL
can neither revoke nor "un-revoke" anything. Staleness (past nextUpdate) is never hidden: it is
reported by `crl_status()` and as a `crl_stale` warning on every verification that relies on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from signing.certs import is_self_signed
from signing.errors import MALFORMED, UNTRUSTED_ISSUER, SigningError

log = logging.getLogger("motcua.signing.trust")


class CrlStatus(NamedTuple):
    """One cached CRL as shown to IT staff (a plain tuple for callers that unpack it)."""

    issuer: str
    this_update: datetime
    next_update: datetime | None
    stale: bool


#: Reasons that mean the key itself was (or may have been) in other hands: then the
#: invalidity date, not the revocation date, ends the signatures we can trust.
COMPROMISE_REASONS = frozenset({"keyCompromise", "cACompromise", "aACompromise"})


@dataclass(frozen=True)
class Revocation:
    """One CRL entry for a certificate on a signer's path."""

    subject: str  # the revoked certificate's common name (or full subject), for messages
    revoked_at: datetime
    reason: str | None = None  # RFC 5280 CRLReason name (cryptography spelling), None = absent
    invalidity_date: datetime | None = None

    @property
    def compromise(self) -> bool:
        return self.reason in COMPROMISE_REASONS

    @property
    def cutoff(self) -> datetime:
        """Signatures proven (by a trusted time) earlier than this stay valid: the revocation
        date, or for a key compromise the invalidity date when the CRL gives one."""
        if self.compromise and self.invalidity_date is not None:
            return min(self.invalidity_date, self.revoked_at)
        return self.revoked_at


def _display_name(name: x509.Name) -> str:
    from cryptography.x509.oid import NameOID

    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(cns[0].value) if cns else name.rfc4514_string()


@dataclass
class _Crl:
    crl: x509.CertificateRevocationList
    der: bytes
    issuer_cert: x509.Certificate
    number: int | None

    @property
    def next_update(self) -> datetime | None:
        return self.crl.next_update_utc

    def stale(self, now: datetime) -> bool:
        nu = self.next_update
        return nu is not None and now > nu


def load_certificates(blob: bytes) -> list[x509.Certificate]:
    """All certificates in a PEM bundle, or one DER certificate."""
    if b"-----BEGIN" in blob:
        return x509.load_pem_x509_certificates(blob)
    return [x509.load_der_x509_certificate(blob)]


def _load_crl(blob: bytes) -> x509.CertificateRevocationList:
    if b"-----BEGIN" in blob:
        return x509.load_pem_x509_crl(blob)
    return x509.load_der_x509_crl(blob)


def crl_older(given: _Crl, current: _Crl) -> SigningError:
    from signing.errors import vn_time

    who = _display_name(current.crl.issuer)

    def desc(c: _Crl, lang: str) -> str:
        num = (f"số {c.number}, " if lang == "vi" else f"number {c.number}, ") \
            if c.number is not None else ""
        upd = "cập nhật" if lang == "vi" else "issued"
        return f"{num}{upd} {vn_time(c.crl.last_update_utc, lang)}"

    return SigningError(
        f"CRL này của «{who}» ({desc(given, 'vi')}) cũ hơn CRL đang dùng ({desc(current, 'vi')}); "
        "đã bỏ qua, không thay đổi gì.",
        f"This CRL from «{who}» ({desc(given, 'en')}) is older than the one in use "
        f"({desc(current, 'en')}); it was ignored, nothing changed.",
        code="crl_older",
    )


def _name_key(name: x509.Name) -> str:
    return hashlib.sha256(name.public_bytes()).hexdigest()[:24]


class TrustStore:
    """Trust anchors (roots), intermediates and the newest valid CRL per issuing CA.

    `generation` changes whenever anything that affects a verdict changes, so verification
    caches keyed by it never serve an answer computed against older anchors or CRLs.
    """

    def __init__(
        self,
        anchors: Iterable[x509.Certificate],
        intermediates: Iterable[x509.Certificate] = (),
        *,
        crl_dir: Path | None = None,
    ):
        self._lock = threading.RLock()
        self.anchors: list[x509.Certificate] = []
        self.intermediates: list[x509.Certificate] = []
        self._fps: set[bytes] = set()
        self._crls: dict[str, _Crl] = {}  # issuer name key -> newest CRL
        self._seen_certs: dict[bytes, x509.Certificate] = {}  # end-entity certs, for CRL URLs
        self.crl_dir = Path(crl_dir) if crl_dir else None
        self.generation = 0
        self.chain_cache: dict[Any, Any] = {}  # used by signing.verify, keyed incl. generation
        for c in anchors:
            self.add_anchor(c)
        for c in intermediates:
            self.add_intermediate(c)

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_paths(
        cls,
        anchors: Sequence[Path],
        crl_dir: Path | None = None,
        *,
        intermediates: Sequence[Path] = (),
    ) -> TrustStore:
        """Load anchors (PEM bundles or DER files) and every CRL found in `crl_dir`.

        A non-self-signed certificate in an anchor file (e.g. a chain.pem) is taken as a known
        intermediate, never as an anchor: only roots anchor trust.
        """
        store = cls([], crl_dir=crl_dir)
        for p in anchors:
            for c in load_certificates(Path(p).read_bytes()):
                if is_self_signed(c):
                    store.add_anchor(c)
                else:
                    store.add_intermediate(c)
        for p in intermediates:
            for c in load_certificates(Path(p).read_bytes()):
                store.add_intermediate(c)
        if crl_dir is not None and Path(crl_dir).is_dir():
            for f in sorted(Path(crl_dir).iterdir()):
                if not f.is_file():
                    continue
                try:
                    store.add_crl(f.read_bytes())
                except (SigningError, ValueError) as exc:
                    log.warning("ignoring %s in CRL folder: %s", f.name, exc)
        return store

    def _bump(self) -> None:
        self.generation += 1
        self.chain_cache.clear()

    def add_anchor(self, cert: x509.Certificate) -> None:
        with self._lock:
            fp = cert.fingerprint(hashes.SHA256())
            if fp in self._fps:
                return
            self._fps.add(fp)
            self.anchors.append(cert)
            self._bump()

    def add_intermediate(self, cert: x509.Certificate) -> None:
        with self._lock:
            fp = cert.fingerprint(hashes.SHA256())
            if fp in self._fps:
                return
            self._fps.add(fp)
            self.intermediates.append(cert)
            self._bump()

    def remember_certificate(self, cert: x509.Certificate) -> None:
        """Note an end-entity certificate seen in use, so refresh_crls() fetches its CRL."""
        fp = cert.fingerprint(hashes.SHA256())
        if fp not in self._seen_certs and len(self._seen_certs) < 10_000:
            self._seen_certs[fp] = cert

    # -- CRLs -----------------------------------------------------------------------------

    def _ca_certs(self) -> list[x509.Certificate]:
        return self.anchors + self.intermediates

    def add_crl(self, der_or_pem: bytes, *, save: bool = False,
                refuse_older: bool = False) -> CrlStatus:
        """Accept a CRL whose signature verifies with a known CA of the same name.

        Keeps only the newest CRL per issuer (by CRL number, else thisUpdate): an attacker
        replaying an old CRL cannot hide a later revocation. `save` also writes it to crl_dir.
        `refuse_older` raises SigningError(code="crl_older") when an older CRL than the one
        in use is given (a person adding a file by hand must hear that it was ignored).
        """
        try:
            crl = _load_crl(der_or_pem)
        except ValueError as exc:
            raise SigningError(
                "Tệp danh sách chứng thư bị thu hồi (CRL) không hợp lệ.",
                "The certificate revocation list (CRL) file is not valid.",
                code=MALFORMED,
            ) from exc
        issuer_cert = None
        for ca in self._ca_certs():
            if ca.subject == crl.issuer:
                try:
                    if crl.is_signature_valid(ca.public_key()):  # type: ignore[arg-type]
                        issuer_cert = ca
                        break
                except (TypeError, ValueError):
                    continue
        if issuer_cert is None:
            raise SigningError(
                "CRL không do tổ chức chứng thực tin cậy đã cấu hình ký (hoặc chữ ký CRL sai).",
                "The CRL was not signed by a configured trusted CA (or its signature is bad).",
                code=UNTRUSTED_ISSUER,
            )
        try:
            number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
        except x509.ExtensionNotFound:
            number = None
        der = crl.public_bytes(serialization.Encoding.DER)
        entry = _Crl(crl, der, issuer_cert, number)
        key = _name_key(crl.issuer)
        with self._lock:
            old = self._crls.get(key)
            if (refuse_older and old is not None and old.der != der
                    and not self._newer(entry, old)):
                raise crl_older(entry, old)
            if old is None or self._newer(entry, old):
                self._crls[key] = entry
                self._bump()
                if save and self.crl_dir is not None:
                    self.crl_dir.mkdir(parents=True, exist_ok=True)
                    tmp = self.crl_dir / f".{key}.crl.tmp"
                    tmp.write_bytes(der)
                    tmp.replace(self.crl_dir / f"{key}.crl")
        return self._status(self._crls[key], datetime.now(UTC))

    @staticmethod
    def _newer(a: _Crl, b: _Crl) -> bool:
        if a.number is not None and b.number is not None and a.number != b.number:
            return a.number > b.number
        return a.crl.last_update_utc > b.crl.last_update_utc

    @staticmethod
    def _status(c: _Crl, now: datetime) -> CrlStatus:
        return CrlStatus(
            c.crl.issuer.rfc4514_string(), c.crl.last_update_utc, c.next_update, c.stale(now)
        )

    def crl_status(self) -> list[CrlStatus]:
        now = datetime.now(UTC)
        return [self._status(c, now) for c in self._crls.values()]

    def crl_for(self, issuer: x509.Name) -> _Crl | None:
        return self._crls.get(_name_key(issuer))

    def crls_der(self) -> list[bytes]:
        return [c.der for c in self._crls.values()]

    def revocation_of(self, cert: x509.Certificate) -> tuple[bool, datetime | None, bool]:
        """(crl_present, revocation date or None, stale) from the cached CRL of cert's issuer.

        Only CRLs whose issuer key is also the one that signed `cert` count.
        """
        c = self.crl_for(cert.issuer)
        if c is None:
            return False, None, False
        try:
            cert.verify_directly_issued_by(c.issuer_cert)
        except (ValueError, TypeError, Exception):
            return False, None, False
        entry = c.crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        when = entry.revocation_date_utc if entry is not None else None
        return True, when, c.stale(datetime.now(UTC))

    def revocation_entry(self, cert: x509.Certificate) -> Revocation | None:
        """The cached CRL entry for `cert` (date, reason, invalidity date), or None.

        Only a CRL whose issuer key also signed `cert` counts. An entry with reason
        removeFromCRL (delta CRLs) means "no longer revoked".
        """
        c = self.crl_for(cert.issuer)
        if c is None:
            return None
        try:
            cert.verify_directly_issued_by(c.issuer_cert)
        except Exception:
            return None
        entry = c.crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is None:
            return None
        reason: str | None = None
        invalidity: datetime | None = None
        with contextlib.suppress(x509.ExtensionNotFound):
            reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.value
        try:
            inv = entry.extensions.get_extension_for_class(x509.InvalidityDate).value
            invalidity = inv.invalidity_date_utc
        except x509.ExtensionNotFound:
            pass
        if reason == "removeFromCRL":
            return None
        return Revocation(_display_name(cert.subject), entry.revocation_date_utc, reason,
                          invalidity)

    # -- fetching -------------------------------------------------------------------------

    def crl_urls(self) -> list[str]:
        """HTTP(S) CRL distribution points of every CA and remembered certificate."""
        urls: list[str] = []
        for cert in [*self._ca_certs(), *self._seen_certs.values()]:
            try:
                cdp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
            except x509.ExtensionNotFound:
                continue
            for dp in cdp:
                for gn in dp.full_name or []:
                    if isinstance(gn, x509.UniformResourceIdentifier):
                        u = gn.value
                        if u.lower().startswith(("http://", "https://")) and u not in urls:
                            urls.append(u)
        return urls

    def refresh_crls(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Download every known CRL URL (TLS verification always on), keep valid ones, cache
        them in crl_dir. Returns one report per URL: {url, ok, error, issuer, stale}."""
        import requests

        report: list[dict[str, Any]] = []
        for url in self.crl_urls():
            item: dict[str, Any] = {"url": url, "ok": False, "error": None}
            try:
                r = requests.get(url, timeout=timeout)
                r.raise_for_status()
                st = self.add_crl(r.content, save=True)
                item.update(ok=True, issuer=st.issuer, stale=st.stale,
                            next_update=st.next_update.isoformat() if st.next_update else None)
            except SigningError as exc:
                item["error"] = exc.en
            except requests.RequestException as exc:
                item["error"] = f"{type(exc).__name__}: {exc}"
            report.append(item)
        return report
