"""The counter's trust configuration: anchors, known intermediates and cached CRLs.

`<data>/trust/anchors/` holds the CA certificates this counter accepts for clerks' signatures
(and for the gateway's time-stamping authority): self-signed roots are trust anchors, other CA
certificates are known intermediates that help build paths. Files are content-addressed —
`<sha256 of the certificate>.pem`, one certificate each — so installing can never replace a
certificate already trusted (a second root with the same file name once silently replaced an
anchor and every older dossier then failed). Files installed by older versions under their
own names keep working and are listed, and `remove` splits them when needed.
`<data>/trust/crls/` caches CRLs fetched when online, used offline.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import UserError
from app.settings import Settings

if TYPE_CHECKING:
    from signing.attempts import FileCounter
    from signing.trust import TrustStore

log = logging.getLogger(__name__)

_SUFFIXES = (".pem", ".crt", ".cer", ".der")


def anchors_dir(settings: Settings) -> Path:
    return settings.data_dir / "trust" / "anchors"


def crls_dir(settings: Settings) -> Path:
    return settings.data_dir / "trust" / "crls"


def anchor_files(settings: Settings) -> list[Path]:
    d = anchors_dir(settings)
    return sorted(p for p in d.glob("*") if p.suffix.lower() in _SUFFIXES) if d.is_dir() else []


def load_trust(settings: Settings) -> TrustStore:
    """A TrustStore of this counter's anchors and cached CRLs (empty if none configured)."""
    from signing.trust import TrustStore

    crl_dir = crls_dir(settings)
    crl_dir.mkdir(parents=True, exist_ok=True)
    return TrustStore.from_paths(anchor_files(settings), crl_dir)


def key_attempts(settings: Settings) -> FileCounter:
    """Wrong password/PIN counts kept across processes (each CLI command is one try), so the
    message can say "wrong attempt N". No secret is stored: keys are digests of the source."""
    from signing.attempts import FileCounter

    return FileCounter(settings.data_dir / "key-attempts.json")


def read_certs(source: Path) -> list[Any]:
    """Every certificate in a PEM/DER file, or one line saying why not (missing, unreadable,
    empty)."""
    from signing.trust import load_certificates

    try:
        certs = load_certificates(source.read_bytes())
    except FileNotFoundError:
        raise UserError(f"Không tìm thấy tệp {source}.", f"File {source} not found.",
                        code="file_not_found") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"Tệp {source.name} không phải chứng thư số hợp lệ ({exc}).",
                        f"{source.name} is not a valid certificate file ({exc}).") from None
    if not certs:
        raise UserError(f"Tệp {source.name} không chứa chứng thư nào.",
                        f"{source.name} contains no certificate.")
    return certs


def _role(cert: Any) -> str:
    from signing.certs import CertInfo, is_self_signed

    if not CertInfo.from_certificate(cert).is_ca:
        return "leaf"
    return "anchor" if is_self_signed(cert) else "intermediate"


def _name(cert: Any) -> str:
    from signing.trust import _display_name

    return _display_name(cert.subject)


def install(settings: Settings, source: Path, *, counter: Any = None,
            actor: str = "system") -> list[dict[str, Any]]:
    """Install every CA certificate of a PEM/DER file; never replaces anything.

    A self-signed CA becomes a trust anchor, another CA a known intermediate. A certificate
    that is not a CA (a clerk's, a server's) is refused with nothing installed: trusting a
    leaf would let anything it "issued" pass. Returns one entry per certificate, with
    `already` set when it was trusted before (same content, same file)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding

    source = Path(source)
    certs = read_certs(source)
    for cert in certs:
        if _role(cert) == "leaf":
            name = _name(cert)
            raise UserError(
                f"«{name}» là chứng thư của người dùng cuối (không phải CA), không thể làm chứng "
                "thư tin cậy. Hãy cài chứng thư gốc (root) hoặc chứng thư trung gian của tổ chức "
                "cấp chứng thư số; không có gì được cài.",
                f"«{name}» is an end-entity certificate (not a CA) and cannot be a trust anchor. "
                "Install the root or intermediate certificate of the issuing CA; nothing was "
                "installed.", code="leaf_anchor")
    folder = anchors_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    known = {e["sha256"] for e in list_anchors(settings, with_crls=False)}
    out = []
    for cert in certs:
        fp = cert.fingerprint(hashes.SHA256()).hex()
        target = folder / f"{fp}.pem"
        already = fp in known
        if not already:
            try:
                with Path(target).open("xb") as f:  # exclusive create: never overwrite
                    f.write(cert.public_bytes(Encoding.PEM))
                    f.flush()
                    os.fsync(f.fileno())
            except FileExistsError:
                already = True
        out.append({"sha256": fp, "subject": cert.subject.rfc4514_string(), "name": _name(cert),
                    "role": _role(cert), "path": str(target), "already": already})
        log.info("trust %s %s: %s", "kept" if already else "installed", _role(cert), fp)
    # audited: every certificate newly installed, and one already in the folder that the log
    # does not record as trusted (put there by hand or by an older version: `trust add` of
    # the same file is how an administrator adopts it)
    _audit(settings, counter, ADDED, out, actor,
           lambda e, trusted: not e["already"] or e["sha256"] not in trusted)
    return out


def add_anchor(settings: Settings, source: Path, *, counter: Any = None,
               actor: str = "system") -> Path:
    """Install a CA certificate file (see `install`, audited); returns the first
    certificate's file."""
    return Path(install(settings, source, counter=counter, actor=actor)[0]["path"])


# ---- the trust folder is evidence too -------------------------------------------------------
#
# Whoever can write `<data>/trust/anchors/` decides whose signatures verify, so each change is
# recorded in the audit log (a hash chain anchored by the clerks' signatures and the gateway's
# witness): `trust.anchor_added` / `trust.anchor_removed`, subject the certificate's SHA-256.
# `verify` and `check` name a certificate in the folder whose newest row is not "added"
# (`anchor_unaudited`). A store from before this (no `trust.*` row at all) gets a warning
# instead, until its administrator records the anchors with `motcua trust add FILE`; the first
# audited change of such a store also records what was in the folder then (detail "found").

ADDED, REMOVED = "trust.anchor_added", "trust.anchor_removed"


def audited_anchors(conn: Any) -> tuple[set[str], bool]:
    """(SHA-256 of the certificates the audit log records as trusted now, whether the log has
    any trust row at all)."""
    state: dict[str, str] = {}
    for action, subject in conn.execute("SELECT action, subject FROM audit WHERE action IN "
                                        "(?, ?) ORDER BY seq", (ADDED, REMOVED)):
        state[str(subject)] = str(action)
    return {k for k, v in state.items() if v == ADDED}, bool(state)


def unaudited_anchors(settings: Settings, conn: Any) -> tuple[list[dict[str, Any]], bool]:
    """(certificates in the anchors folder the audit log does not record as trusted, whether
    this is a store from before audited trust — no `trust.*` row at all: a warning then)."""
    trusted, any_row = audited_anchors(conn)
    missing = [e for e in list_anchors(settings, with_crls=False)
               if e["role"] != "leaf" and e["sha256"] not in trusted]
    return missing, not any_row


def _audit(settings: Settings, counter: Any, action: str, entries: list[dict[str, Any]],
           actor: str, wanted: Any) -> None:
    """Append one audit row per entry `wanted(entry, trusted)` selects, in the open counter's
    store. Without one nothing is written (no store yet, or a caller that has none open — it is
    never opened a second time here: a second connection in the same process would upgrade an
    old store under its owner); `verify` then names the certificate as unaudited."""
    if counter is None:
        if settings.store_path.is_file():
            log.warning("trust %s not audited: the caller passed no open store", action)
        return
    from app.domain import iso, now_vn
    from localdb import audit

    with counter.store.write() as conn:
        trusted, any_row = audited_anchors(conn)
        if not any_row:  # the first audited change of a store from before: what was there
            named = {e["sha256"] for e in entries}
            for old in list_anchors(settings, with_crls=False):
                if old["role"] != "leaf" and old["sha256"] not in named:
                    audit.append(conn, at=iso(now_vn()), actor=actor, counter=counter.label,
                                 action=ADDED, subject=old["sha256"],
                                 detail={"sha256": old["sha256"], "subject": old["subject"],
                                         "role": old["role"], "found": True})
                    trusted.add(old["sha256"])
        for e in entries:
            if wanted(e, trusted):
                audit.append(conn, at=iso(now_vn()), actor=actor, counter=counter.label,
                             action=action, subject=e["sha256"],
                             detail={"sha256": e["sha256"], "subject": e["subject"],
                                     "role": e["role"]})


def list_anchors(settings: Settings, *, with_crls: bool = True) -> list[dict[str, Any]]:
    """Every certificate in the anchors folder: name, subject, issuer, SHA-256, validity
    (UTC ISO and Vietnam time), role (anchor / intermediate / leaf — ignored) and, for CAs,
    the cached CRL they issued (or None)."""
    from cryptography.hazmat.primitives import hashes

    from signing.errors import vn_time
    from signing.trust import load_certificates

    trust = load_trust(settings) if with_crls else None
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in anchor_files(settings):
        try:
            certs = load_certificates(path.read_bytes())
        except (OSError, ValueError) as exc:
            log.warning("unreadable trust file %s: %s", path.name, exc)
            continue
        for cert in certs:
            fp = cert.fingerprint(hashes.SHA256()).hex()
            if fp in seen:
                continue
            seen.add(fp)
            entry: dict[str, Any] = {
                "name": _name(cert), "subject": cert.subject.rfc4514_string(),
                "issuer": cert.issuer.rfc4514_string(), "sha256": fp, "role": _role(cert),
                "not_before": cert.not_valid_before_utc.isoformat(),
                "not_after": cert.not_valid_after_utc.isoformat(),
                "valid_vn": f"{vn_time(cert.not_valid_before_utc)} – "
                            f"{vn_time(cert.not_valid_after_utc)}",
                "file": path.name,
            }
            if trust is not None and entry["role"] != "leaf":
                crl = trust.crl_for(cert.subject)
                entry["crl"] = None if crl is None else {
                    "this_update_vn": vn_time(crl.crl.last_update_utc),
                    "next_update_vn": vn_time(crl.next_update) if crl.next_update else None,
                    "number": crl.number,
                }
            out.append(entry)
    return out


def remove(settings: Settings, fingerprint: str, *, counter: Any = None,
           actor: str = "system") -> dict[str, Any]:
    """Stop trusting the certificate whose SHA-256 starts with `fingerprint` (≥ 8 hex digits).
    A legacy file holding several certificates is split so the others stay trusted."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding

    from signing.trust import load_certificates

    want = fingerprint.strip().lower().replace(":", "")
    if len(want) < 8 or any(c not in "0123456789abcdef" for c in want):
        raise UserError("Cần ít nhất 8 chữ số hex đầu của SHA-256 (xem 'motcua trust list').",
                        "Give at least the first 8 hex digits of the SHA-256 "
                        "(see 'motcua trust list').", code="bad_fingerprint")
    matches = [e for e in list_anchors(settings, with_crls=False) if e["sha256"].startswith(want)]
    if not matches:
        raise UserError(f"Không có chứng thư tin cậy nào có SHA-256 bắt đầu bằng {want}.",
                        f"No trusted certificate has a SHA-256 starting with {want}.",
                        code="not_found")
    if len({m["sha256"] for m in matches}) > 1:
        raise UserError(f"Nhiều chứng thư có SHA-256 bắt đầu bằng {want}; hãy nhập dài hơn.",
                        f"Several certificates have a SHA-256 starting with {want}; give more "
                        "digits.", code="ambiguous")
    target = matches[0]
    folder = anchors_dir(settings)
    for path in anchor_files(settings):
        try:
            certs = load_certificates(path.read_bytes())
        except (OSError, ValueError):
            continue
        fps = [c.fingerprint(hashes.SHA256()).hex() for c in certs]
        if target["sha256"] not in fps:
            continue
        for cert, fp in zip(certs, fps, strict=True):  # keep the others, content-addressed
            if fp != target["sha256"] and not (folder / f"{fp}.pem").exists():
                with Path(folder / f"{fp}.pem").open("xb") as f:
                    f.write(cert.public_bytes(Encoding.PEM))
        path.unlink()
    log.info("trust removed: %s", target["sha256"])
    _audit(settings, counter, REMOVED, [target], actor, lambda e, trusted: True)
    return target
