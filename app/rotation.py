"""The counter's half of a gateway signing-certificate rotation (format: sync/rotation.py).

During sync (`sync.engine` asks when the pull answer names an announced certificate this
counter does not pin) each announcement is judged here, oldest first:

* its CMS signature verifies against this counter's trust anchors (signing.verify, as every
  signature), and its signer is the certificate it says it replaces;
* that signer is the certificate this counter pins **now** (the newest pin): an older, replaced
  gateway key cannot announce anything any more, and an announcement not later than the last
  rotation applied here is a replay;
* the new certificate passes the same policy as any signer: path to the anchors, valid now,
  end-entity with keyUsage digitalSignature/nonRepudiation, not revoked in the cached CRLs.

Then the new certificate is pinned (older pins stay, so earlier province events keep
verifying), the replaced one is recorded as retired from the effective time, and the audit log
gets ``gateway.pin_rotated`` with both fingerprints. A bad announcement changes nothing: it is
logged, audited once (``gateway.rotation_refused``) and counted in ``sync status`` with words.

For a compromised key the province sends a letter with the new fingerprint: an administrator
pins it at the counter (``motcua gateway-pin add SHA256 --admin A``, password checked, audited
``gateway.pin_added``); the previous pin is retired from that moment.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.context import Counter
from app.domain import iso, now_vn
from app.errors import UserError
from localdb import audit

log = logging.getLogger(__name__)

ROTATED = "gateway.pin_rotated"
ADDED = "gateway.pin_added"
REFUSED = "gateway.rotation_refused"
PIN_ACTIONS = ("sync.pin_gateway", ROTATED, ADDED)
META_ROTATIONS = "gateway_rotations"  # JSON list of the rotations applied here (display)


@dataclass
class RotationOutcome:
    applied: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)  # {digest, code, detail}

    def to_dict(self) -> dict[str, Any]:
        return {"applied": self.applied, "refused": self.refused}


def _pins(conn: sqlite3.Connection) -> list[str]:
    from app import evidence

    row = conn.execute("SELECT value FROM meta WHERE key = ?",
                       (evidence.META_GATEWAY_PIN,)).fetchone()
    return [p for p in str(row[0] if row else "").split(",") if p]


def _meta_json(conn: sqlite3.Connection, key: str, default: Any) -> Any:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    try:
        return json.loads(row[0]) if row else default
    except ValueError:
        return default


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def retirements(conn: sqlite3.Connection, *, from_audit: bool = False) -> dict[str, datetime]:
    """Pinned gateway certificates that were replaced: SHA-256 -> the moment from which they no
    longer sign. From meta (fast: every pulled event) or, for `verify`, from the audit log as
    well (its rows are anchored by signatures and the gateway's witness)."""
    from app import evidence

    out: dict[str, datetime] = {}

    def note(sha: object, when: object) -> None:
        if not isinstance(sha, str) or not isinstance(when, str):
            return
        try:
            t = datetime.fromisoformat(when)
        except ValueError:
            return
        if t.tzinfo is not None and (sha not in out or t < out[sha]):
            out[sha] = t

    for sha, when in (_meta_json(conn, evidence.META_GATEWAY_RETIRED, {}) or {}).items():
        note(sha, when)
    if from_audit:
        for (detail,) in conn.execute(  # sync.pin_gateway: enrolment history (replaced ones)
                "SELECT detail FROM audit WHERE action IN (?, ?, ?)", PIN_ACTIONS):
            try:
                d = json.loads(detail)
            except ValueError:
                continue
            if isinstance(d, dict):
                note(d.get("previous"), d.get("effective_at"))
    return out


def certificate_problem(cert: Any, chain: tuple[Any, ...], trust: Any,
                        now: datetime | None = None) -> tuple[str, str] | None:
    """Why this certificate may not sign province events here (None: it may): the same policy
    as any signer (signing.certs policy, path to the anchors, validity, CRLs)."""
    from signing import verify as V
    from signing.certs import CertInfo

    now = now or datetime.now(UTC)
    info = CertInfo.from_certificate(cert)
    problem = info.policy_problem
    if problem is not None:
        return problem, f"«{info.common_name or info.subject}»"
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        return "not_valid_now", f"valid {cert.not_valid_before_utc} – {cert.not_valid_after_utc}"
    outcome = V.validate_chain(cert, chain, trust, now)
    j = V.judge(outcome, now, trusted_time=True)
    if j.code != V.OK:
        return j.code, j.message_en or j.detail or j.code
    return None


def judge(conn: sqlite3.Connection, trust: Any, ann: Any,
          now: datetime | None = None) -> tuple[str, str] | None:
    """Why this (parsed) announcement must not be applied; None: apply it."""
    from signing.verify import verify_detached

    pins = _pins(conn)
    res = verify_detached(ann.payload, ann.signature, trust)
    if not res.ok:
        return "rotation_bad_signature", f"{res.code}: {res.message_en}"
    actual = res.signer.sha256 if res.signer is not None else ""
    if actual != ann.previous_sha256:
        return "rotation_bad_signature", (f"signed by {actual[:16]}…, not by the certificate it "
                                          f"names ({ann.previous_sha256[:16]}…)")
    if actual not in pins:
        return "rotation_unpinned_signer", f"signer {actual[:16]}… is not a pinned gateway " \
                                           "certificate"
    applied = _meta_json(conn, META_ROTATIONS, []) or []
    times = []
    for a in applied if isinstance(applied, list) else []:
        try:
            times.append(datetime.fromisoformat(str(a.get("effective_at"))))
        except (AttributeError, ValueError):
            continue  # an unreadable entry (edited by hand) gives no later bound
    latest = max((t for t in times if t.tzinfo is not None), default=None)
    if actual != pins[-1]:
        return "rotation_replay", (f"signed by {actual[:16]}…, which is no longer the gateway's "
                                   f"current certificate ({pins[-1][:16]}…)")
    if latest is not None and ann.effective_at <= latest:
        return "rotation_replay", (f"effective {ann.effective_at.isoformat()}, not after the "
                                   f"rotation already applied ({latest.isoformat()})")
    late = _signed_from(conn, trust, ann.previous_sha256, ann.effective_at)
    if late is not None:
        return "rotation_conflict", (f"province event {late} signed by {actual[:16]}… at or after"
                                     f" {ann.effective_at.isoformat()} is already accepted here:"
                                     " the rotation would invalidate it")
    problem = certificate_problem(ann.next_certificate, ann.next_chain, trust, now)
    if problem is not None:
        return "rotation_untrusted_certificate", f"{problem[0]}: {problem[1]}"
    return None


def _signed_from(conn: sqlite3.Connection, trust: Any, sha256: str,
                 effective_at: datetime) -> str | None:
    """A stored province event that `sha256` signed at or after `effective_at` (the rule
    `verify` applies to a replaced certificate), named by dossier code and type; None when
    there is none. An announcement with an effective time in the past must not turn events
    this counter already accepted into failures."""
    from app import evidence
    from signing.verify import verify_detached

    for code, etype, payload, signature, tst in conn.execute(
            "SELECT coalesce(d.code, e.dossier_id), e.type, CAST(e.payload AS BLOB), "
            "CAST(e.signature AS BLOB), CAST(e.tst AS BLOB) FROM events e "
            "LEFT JOIN dossiers d ON d.id = e.dossier_id "
            "WHERE e.origin = 'province' AND e.signature IS NOT NULL"):
        try:
            named = (json.loads(payload).get("signer") or {}).get("sha256")
        except (ValueError, AttributeError):
            continue
        if named != sha256:
            continue
        res = verify_detached(bytes(payload), bytes(signature), trust, tst=tst)
        if res.signer is not None and res.signer.sha256 == sha256 \
                and evidence.signed_after_retirement(res, effective_at):
            return f"{code} {etype}"
    return None


def apply_announcements(counter: Counter, items: list[object], *,
                        source: str = "gateway") -> RotationOutcome:
    """Judge and apply announcements (oldest first), each in its own transaction."""
    from app.trust import load_trust
    from sync.rotation import read_announcement
    from sync.wire import WireError

    outcome = RotationOutcome()
    trust = load_trust(counter.settings)
    parsed: list[Any] = []
    for obj in items:
        try:
            parsed.append(read_announcement(obj))
        except WireError as exc:
            raw = json.dumps(obj, sort_keys=True, default=str)[:4096]
            _refuse(counter, outcome, hashlib.sha256(raw.encode()).hexdigest(), exc.code,
                    exc.detail, None, source)
    for ann in sorted(parsed, key=lambda a: a.effective_at):
        with counter.store.write() as conn:
            if ann.next_sha256 in _pins(conn):
                continue  # already pinned (applied earlier, or pinned at enrolment)
            why = judge(conn, trust, ann)
            if why is None:
                _pin(conn, counter, ann, source)
                outcome.applied.append({"previous": ann.previous_sha256,
                                        "next": ann.next_sha256,
                                        "effective_at": ann.effective_at.isoformat()})
                continue
        _refuse(counter, outcome, ann.digest, why[0], why[1], ann, source)
    return outcome


def _pin(conn: sqlite3.Connection, counter: Counter, ann: Any, source: str) -> None:
    from app import evidence
    from signing.certs import CertInfo

    info = CertInfo.from_certificate(ann.next_certificate)
    pins = _pins(conn)
    pins.append(ann.next_sha256)
    _set_meta(conn, evidence.META_GATEWAY_PIN, ",".join(pins))
    retired = _meta_json(conn, evidence.META_GATEWAY_RETIRED, {}) or {}
    retired[ann.previous_sha256] = ann.effective_at.isoformat()
    _set_meta(conn, evidence.META_GATEWAY_RETIRED, json.dumps(retired, sort_keys=True))
    applied = _meta_json(conn, META_ROTATIONS, []) or []
    applied.append({"previous": ann.previous_sha256, "next": ann.next_sha256,
                    "effective_at": ann.effective_at.isoformat(), "subject": info.subject,
                    "not_after": info.not_after.isoformat(), "announcement": ann.digest,
                    "applied_at": iso(now_vn()), "via": "announcement"})
    _set_meta(conn, META_ROTATIONS, json.dumps(applied, ensure_ascii=False))
    audit.append(conn, at=iso(now_vn()), actor="sync", counter=counter.label, action=ROTATED,
                 subject=ann.next_sha256,
                 detail={"previous": ann.previous_sha256, "next": ann.next_sha256,
                         "effective_at": ann.effective_at.isoformat(),
                         "announcement": ann.digest, "source": source,
                         "subject": info.subject[:200]})
    log.info("gateway signing certificate rotated: %s… replaces %s… from %s (announcement %s…)",
             ann.next_sha256[:16], ann.previous_sha256[:16], ann.effective_at.isoformat(),
             ann.digest[:16])


def _refuse(counter: Counter, outcome: RotationOutcome, digest: str, code: str, detail: str,
            ann: Any, source: str) -> None:
    """Log, audit (once per announcement) and count a refused announcement; nothing else."""
    from app import syncstate

    facts = {"announcement": digest, "reason": code, "detail": detail[:300], "source": source,
             "previous": getattr(ann, "previous_sha256", None),
             "next": getattr(ann, "next_sha256", None),
             "effective_at": ann.effective_at.isoformat() if ann is not None else None}
    outcome.refused.append({"digest": digest, "code": code, "detail": detail})
    state = syncstate.read(counter).get("rotation_refused") or {}
    seen = list(state.get("announcements") or [])
    if digest in seen:  # served again every round: said once, counted once
        log.debug("rotation announcement %s… still refused: %s", digest[:16], code)
        return
    log.warning("gateway rotation announcement %s… from %s refused (%s): %s; previous %s, next "
                "%s, effective %s", digest[:16], source, code, detail,
                (facts["previous"] or "?")[:16], (facts["next"] or "?")[:16],
                facts["effective_at"])
    reasons = dict(state.get("reasons") or {})
    reasons[code] = int(reasons.get(code, 0)) + 1
    now = iso(now_vn())
    with counter.store.write() as conn:
        audit.append(conn, at=now, actor="sync", counter=counter.label, action=REFUSED,
                     subject=digest, detail=facts)
        syncstate.write(counter, rotation_refused={
            "at": now, "count": int(state.get("count") or 0) + 1, "reasons": reasons,
            "last": {"reason": code, "detail": detail[:300], "next": facts["next"]},
            "announcements": (seen + [digest])[-50:]})


def rotation_needed(counter: Counter, sha256: str) -> bool:
    """True when the gateway announces a signing certificate this counter does not pin."""
    with counter.store._lock:
        return sha256 not in _pins(counter.store.conn)


_SHA_RE = re.compile(r"[0-9a-f]{64}")


def admin_add_pin(counter: Counter, sha256: str, *, admin: str, admin_password: str,
                  cert: Any = None, effective_at: datetime | None = None) -> dict[str, Any]:
    """The compromise path: an administrator pins the fingerprint read from the province's
    letter (password checked like a login). With the certificate file, it must have that
    SHA-256 and pass the signer policy here. The pin in use until now is retired from
    `effective_at` (default now): what its key signs from then on fails `verify`."""
    from app import evidence
    from app.binding import _confirm_admin

    sha = sha256.strip().lower()
    if not _SHA_RE.fullmatch(sha):
        raise UserError("Dấu vân tay chứng thư của cổng tỉnh không hợp lệ (cần 64 chữ số hex "
                        "SHA-256).", "The gateway certificate fingerprint is invalid (64 hex "
                        "digits of SHA-256 expected).", field="sha256", code="bad_gateway_pin")
    subject = None
    if cert is not None:
        from sync.rotation import sha256_of

        if sha256_of(cert) != sha:
            raise UserError("Tệp chứng thư không có dấu vân tay SHA-256 đã nhập.",
                            "The certificate file does not have the SHA-256 given.",
                            field="cert", code="pin_cert_mismatch")
        from app.trust import load_trust

        problem = certificate_problem(cert, (), load_trust(counter.settings))
        if problem is not None:
            raise UserError(f"Chứng thư này không được phép ký sự kiện của tỉnh ({problem[0]}: "
                            f"{problem[1]}); không ghim.",
                            f"This certificate may not sign province events ({problem[0]}: "
                            f"{problem[1]}); not pinned.", field="cert", code="pin_untrusted")
        from signing.certs import CertInfo

        subject = CertInfo.from_certificate(cert).subject
    who = _confirm_admin(counter.store, admin, admin_password)
    when = (effective_at or now_vn()).replace(microsecond=0)
    with counter.store.write() as conn:
        pins = _pins(conn)
        if sha in pins:
            raise UserError("Chứng thư này đã được ghim; không thay đổi gì.",
                            "This certificate is already pinned; nothing changed.",
                            field="sha256", code="already_pinned")
        previous = pins[-1] if pins else None
        pins.append(sha)
        _set_meta(conn, evidence.META_GATEWAY_PIN, ",".join(pins))
        if previous is not None:
            retired = _meta_json(conn, evidence.META_GATEWAY_RETIRED, {}) or {}
            retired[previous] = when.isoformat()
            _set_meta(conn, evidence.META_GATEWAY_RETIRED, json.dumps(retired, sort_keys=True))
        applied = _meta_json(conn, META_ROTATIONS, []) or []
        applied.append({"previous": previous, "next": sha, "effective_at": when.isoformat(),
                        "subject": subject, "applied_at": iso(now_vn()), "via": "admin",
                        "admin": who})
        _set_meta(conn, META_ROTATIONS, json.dumps(applied, ensure_ascii=False))
        audit.append(conn, at=iso(now_vn()), actor=who, counter=counter.label, action=ADDED,
                     subject=sha, detail={"sha256": sha, "previous": previous,
                                          "effective_at": when.isoformat(), "admin": who,
                                          "certificate_checked": cert is not None})
    log.warning("gateway signing certificate %s… pinned by administrator %s (previous %s…)",
                sha[:16], who, (previous or "none")[:16])
    from app import pullretry

    # province events refused because this certificate was not pinned are checked again
    retried = pullretry.retry(counter, trigger="gateway-pin add")
    return {"pinned": sha, "previous": previous, "retired_from": when.isoformat()
            if previous else None, "admin": who, "refused_rechecked": retried.to_dict()}


def pinned_certificates(counter: Counter) -> list[dict[str, Any]]:
    """Every pinned gateway signing certificate, oldest first: SHA-256, whether it is the
    current one, when it was replaced, and how it was pinned (for `trust list`/`sync status`)."""
    with counter.store._lock:
        conn = counter.store.conn
        pins = _pins(conn)
        retired = retirements(conn)
        applied = _meta_json(conn, META_ROTATIONS, []) or []
        audited = {str(r[0]) for r in conn.execute(  # meta is in the file; the log is anchored
            "SELECT DISTINCT subject FROM audit WHERE action IN ('sync.pin_gateway', "
            "'gateway.pin_rotated', 'gateway.pin_added')")}
    by_next = {a.get("next"): a for a in applied if isinstance(a, dict)}
    out = []
    for i, sha in enumerate(pins):
        a = by_next.get(sha) or {}
        out.append({"sha256": sha, "current": i == len(pins) - 1,
                    "retired_from": retired[sha].isoformat() if sha in retired else None,
                    # a pin no audit row records was added to the file by hand (`verify`:
                    # pin_unaudited): never shown as pinned at enrolment
                    "via": (a.get("via") or "enrolment") if sha in audited else "unaudited",
                    "subject": a.get("subject"),
                    "pinned_at": a.get("applied_at"), "effective_at": a.get("effective_at")})
    return out
