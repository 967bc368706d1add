"""Signer binding: which certificates (by SHA-256) each account may sign dossiers with.

An administrator binds a clerk's certificate to the clerk's account (confirming with the
administrator's own username and password); every binding and unbinding is an audit entry
and a row of `user_certs`, which is append-only (a binding is ended, never deleted), so the
question "was this certificate bound to this clerk when she signed?" has an answer for any
moment. Intake and every signed action refuse a certificate not bound to the clerk; `verify`
fails a signature whose certificate was not bound to the event's actor at signing time.

Service functions for the window (admin screen): `bind_certificate`, `unbind_certificate`,
`bindings`, `certificate_from_file`, and `check_signer` at key unlock.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.domain import iso, now_vn
from app.errors import UserError
from localdb import audit
from localdb.store import Store

log = logging.getLogger(__name__)


def _sha256(cert: Any) -> str:
    from cryptography.hazmat.primitives import hashes

    return str(cert.fingerprint(hashes.SHA256()).hex())


def certificate_from_file(path: Path, *, p12_password: str | None = None) -> Any:
    """The certificate to bind: a PEM/DER certificate file, or the signing certificate of a
    .p12 file (its password is used to open it and forgotten)."""
    path = Path(path)
    if p12_password is not None or path.suffix.lower() in (".p12", ".pfx"):
        from signing.signer import P12Signer

        with P12Signer.open(path, p12_password or "") as s:
            return s.certificate
    from app.trust import read_certs

    certs = read_certs(path)
    if len(certs) != 1:
        raise UserError(f"Tệp {path.name} phải chứa đúng một chứng thư (có {len(certs)}).",
                        f"{path.name} must hold exactly one certificate ({len(certs)} found).")
    return certs[0]


def _confirm_admin(store: Store, admin: str, admin_password: str) -> str:
    """The administrator's confirmation: a real password check (counted like a login)."""
    from app import accounts

    row = accounts.authenticate(store, admin, admin_password)
    if row.get("role") != "administrator":
        raise UserError(f"Tài khoản '{row['username']}' không phải quản trị viên; cần quản trị "
                        "viên xác nhận.",
                        f"Account '{row['username']}' is not an administrator; an administrator "
                        "must confirm.", field="admin", code="not_admin")
    return str(row["username"])


def _user(conn: sqlite3.Connection, username: str) -> dict[str, Any]:
    row = conn.execute("SELECT username, role FROM users WHERE username = ?",
                       (username.strip().lower(),)).fetchone()
    if row is None:
        raise UserError(f"Không có tài khoản '{username}'.", f"No user '{username}'.",
                        field="username", code="no_user")
    return {"username": row[0], "role": row[1]}


def _insert(conn: sqlite3.Connection, username: str, cert: Any, actor: str, counter: str) -> dict[str, Any]:
    from signing.certs import CertInfo
    from signing.errors import policy_error

    info = CertInfo.from_certificate(cert)
    problem = info.policy_problem
    if problem is not None:  # a CA or a certificate that may not sign is never bound
        raise policy_error(problem, info.common_name or info.subject)
    now = iso(now_vn())
    fp = info.sha256
    active = conn.execute("SELECT 1 FROM user_certs WHERE username = ? AND sha256 = ? "
                          "AND unbound_at IS NULL", (username, fp)).fetchone()
    entry = {"username": username, "sha256": fp, "subject": info.subject,
             "serial": info.serial_hex, "not_after": info.not_after.isoformat(),
             "bound_at": now, "bound_by": actor, "already": active is not None}
    if active is not None:
        return entry
    conn.execute(
        "INSERT INTO user_certs (username, sha256, subject, serial, not_after, bound_at, "
        "bound_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (username, fp, info.subject, info.serial_hex, entry["not_after"], now, actor))
    audit.append(conn, at=now, actor=actor, counter=counter, action="user.bind_cert",
                 subject=username, detail={"sha256": fp, "subject": info.subject,
                                           "serial": info.serial_hex})
    log.info("certificate %s bound to %s by %s", fp[:16], username, actor)
    return entry


def bind_certificate(store: Store, username: str, cert: Any, *, admin: str,
                     admin_password: str) -> dict[str, Any]:
    """Bind `cert` (a cryptography certificate) to `username`, confirmed by an administrator's
    username and password. Audited (`user.bind_cert`). Binding twice changes nothing."""
    who = _confirm_admin(store, admin, admin_password)
    with store.write() as conn:
        user = _user(conn, username)
        return _insert(conn, user["username"], cert, who, store.get_meta("counter_label", "") or "")


def bind_certificate_at_setup(store: Store, username: str, cert: Any, *,
                              actor: str = "setup") -> dict[str, Any]:
    """Bind without a separate confirmation, for set-up code that created the account itself
    in the same run (`motcua demo`, the first-run wizard's own administrator, test fixtures)."""
    with store.write() as conn:
        user = _user(conn, username)
        return _insert(conn, user["username"], cert, actor, store.get_meta("counter_label", "") or "")


def unbind_certificate(store: Store, username: str, fingerprint: str, *, admin: str,
                       admin_password: str) -> dict[str, Any]:
    """End the binding of the certificate whose SHA-256 starts with `fingerprint` (≥ 8 hex
    digits). Signatures made while it was bound stay valid. Audited (`user.unbind_cert`)."""
    who = _confirm_admin(store, admin, admin_password)
    want = fingerprint.strip().lower().replace(":", "")
    if len(want) < 8:
        raise UserError("Cần ít nhất 8 chữ số hex đầu của SHA-256.",
                        "Give at least the first 8 hex digits of the SHA-256.",
                        code="bad_fingerprint")
    with store.write() as conn:
        user = _user(conn, username)
        rows = conn.execute("SELECT seq, sha256, subject FROM user_certs WHERE username = ? "
                            "AND unbound_at IS NULL AND sha256 LIKE ? || '%'",
                            (user["username"], want)).fetchall()
        if len(rows) != 1:
            raise UserError(
                f"Tài khoản '{username}' không có chứng thư đang gắn nào có SHA-256 bắt đầu bằng "
                f"{want}." if not rows else f"Nhiều chứng thư khớp {want}; hãy nhập dài hơn.",
                f"Account '{username}' has no bound certificate whose SHA-256 starts with "
                f"{want}." if not rows else f"Several certificates match {want}; give more digits.",
                code="not_found" if not rows else "ambiguous")
        now = iso(now_vn())
        conn.execute("UPDATE user_certs SET unbound_at = ?, unbound_by = ? WHERE seq = ?",
                     (now, who, rows[0][0]))
        audit.append(conn, at=now, actor=who, counter=store.get_meta("counter_label", "") or "",
                     action="user.unbind_cert", subject=user["username"],
                     detail={"sha256": rows[0][1], "subject": rows[0][2]})
    return {"username": user["username"], "sha256": rows[0][1], "subject": rows[0][2],
            "unbound_at": now, "unbound_by": who}


def bindings(store: Store, username: str | None = None, *, active_only: bool = False) -> list[dict[str, Any]]:
    """Bindings (newest first), for one account or all."""
    sql = ("SELECT username, sha256, subject, serial, not_after, bound_at, bound_by, unbound_at, "
           "unbound_by FROM user_certs")
    where, params = [], []
    if username:
        where.append("username = ?")
        params.append(username.strip().lower())
    if active_only:
        where.append("unbound_at IS NULL")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY seq DESC", tuple(params))


def _signer_sha256(signer: Any) -> str:
    info = getattr(signer, "info", None)
    return str(getattr(info, "sha256", "") or "")


def require_bound(conn: sqlite3.Connection, username: str, signer: Any) -> None:
    """Refuse (UserError `not_bound`) unless the signer's certificate is bound to `username`
    now. Called inside the write transaction of intake and of every signed action. Stores
    from before schema v3 (no binding table) are not checked."""
    fp = _signer_sha256(signer)
    try:
        row = conn.execute("SELECT 1 FROM user_certs WHERE username = ? AND sha256 = ? "
                           "AND unbound_at IS NULL", (username, fp)).fetchone()
        any_row = row or conn.execute("SELECT 1 FROM user_certs WHERE username = ? "
                                      "AND unbound_at IS NULL LIMIT 1", (username,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return
        raise
    if row is not None:
        return
    subject = getattr(getattr(signer, "info", None), "common_name", "") or fp[:16]
    if any_row is None:
        raise UserError(
            f"Tài khoản '{username}' chưa được gắn chứng thư số nào nên chưa được ký hồ sơ. "
            f"Quản trị viên cần chạy 'motcua user bind-cert {username} TỆP_CHỨNG_THƯ' (hoặc gắn "
            "trong màn hình Quản trị).",
            f"Account '{username}' has no certificate bound yet, so it cannot sign dossiers. "
            f"An administrator must run 'motcua user bind-cert {username} CERT_FILE' (or bind it "
            "on the Administration screen).", field="clerk", code="not_bound")
    raise UserError(
        f"Chứng thư số «{subject}» (SHA-256 {fp[:16]}…) không được gắn cho tài khoản "
        f"'{username}'; hãy dùng chứng thư của chính mình hoặc nhờ quản trị viên gắn chứng thư này.",
        f"Certificate «{subject}» (SHA-256 {fp[:16]}…) is not bound to account '{username}'; use "
        "your own certificate or ask an administrator to bind this one.",
        field="clerk", code="not_bound")


def check_signer(store: Store, username: str, signer: Any) -> None:
    """`require_bound` outside a transaction: for key unlock, so the clerk hears it at once."""
    with store.write() as conn:
        require_bound(conn, username, signer)


NEVER_BOUND = "clerk_never_bound"


def never_bound_note(actors: set[str]) -> tuple[str, str]:
    names = ", ".join(sorted(actors))
    return (f"Tài khoản chưa từng được gắn chứng thư số nên chưa đối chiếu được người ký: {names} "
            "('motcua user bind-cert').",
            f"Accounts never bound to a certificate, so their signer could not be checked: "
            f"{names} ('motcua user bind-cert').")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


_Periods = dict[str, list[tuple[datetime, datetime | None]]]  # sha256 -> bound periods
BindingCache = dict[str, _Periods]  # actor -> periods, for one verify run


def _periods_of(conn: sqlite3.Connection, actor: str,
                cache: dict[str, _Periods] | None) -> _Periods:
    """Every certificate ever bound to `actor` with its periods (read once per actor)."""
    if cache is not None and actor in cache:
        return cache[actor]
    out: _Periods = {}
    for sha, bound_at, unbound_at in conn.execute(
            "SELECT sha256, bound_at, unbound_at FROM user_certs WHERE username = ?", (actor,)):
        out.setdefault(sha, []).append(
            (_when(bound_at).replace(microsecond=0),
             _when(unbound_at).replace(microsecond=0) + timedelta(seconds=1)
             if unbound_at else None))
    if cache is not None:
        if len(cache) > 10_000:
            cache.clear()
        cache[actor] = out
    return out


def binding_problem(conn: sqlite3.Connection, body: dict[str, Any], result: Any,
                    cache: dict[str, _Periods] | None = None) -> tuple[str, str, str] | None:
    """For `verify`: (problem code, vi, en) when a counter event's CMS signer is not the
    signer named inside its signed bytes, or (for events of format v2 and later) was not
    bound to the event's actor at signing time (the time-stamp's time when there is one,
    else the CMS signing time). None when all is well."""
    signer = getattr(result, "signer", None)
    if signer is None:
        return None
    named = body.get("signer") if isinstance(body.get("signer"), dict) else None
    if named and named.get("sha256") and named["sha256"] != signer.sha256:
        return ("signer_mismatch",
                f"chữ ký được tạo bằng chứng thư «{signer.common_name}», không phải chứng thư "
                "ghi trong nội dung đã ký",
                f"signed with «{signer.common_name}», not the certificate named in the signed "
                "bytes")
    if int(body.get("v") or 1) < 2:
        return None  # v1 events predate binding; their signer check is the one above
    actor = str(body.get("actor") or "")
    when = getattr(result, "time_proof", None) or getattr(result, "signing_time", None)
    periods = _periods_of(conn, actor, cache)
    if not periods:
        # The account never had a binding (a store upgraded while its clerks had not been
        # bound yet: intake refuses them today). Said as a warning, see NEVER_BOUND.
        return (NEVER_BOUND, actor, actor)
    for start, end in periods.get(signer.sha256, []):
        if when is None:  # no time at all (no signing-time attribute): any binding counts
            return None
        # signing times have whole seconds (UTCTime): a signature in the same second as the
        # binding or the unbinding counts as made while bound (intake refuses after unbinding)
        if start <= when and (end is None or when < end):
            return None
    return ("not_bound",
            f"chứng thư ký «{signer.common_name}» không được gắn cho cán bộ '{actor}' vào thời "
            "điểm ký",
            f"the signing certificate «{signer.common_name}» was not bound to clerk '{actor}' "
            "when it signed")
