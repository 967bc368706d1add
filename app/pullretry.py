"""Pulled events refused here because of trust, kept signed and checked again later.

A province event (or an event of another counter of the centre) that the counter refuses when
it is pulled — signed by a gateway certificate not pinned yet, a certificate whose chain needs
an intermediate or CRL this counter lacks, a revoked or unknown signer — used to be counted,
logged and audited while the pull cursor moved past it: the dossier here missed the
province's decision for good. Now ``app.remote`` records every refused pulled event here,
with its exact signed envelope, in the append-only table ``pulled_refused`` (store schema 6),
in the same transaction as the pull cursor.

:func:`retry` hands the ones refused for a trust reason back to
``app.remote.apply_signed_events`` — the one way events made elsewhere enter the store,
trusting nothing — oldest first (the gateway's order, so each dossier's events stay in their
order). It runs after every trust change (``trust add``, ``trust add-crl``, ``trust refresh``,
``gateway-pin add``, enrolment) and at each sync round (after a rotation announcement was
judged, before the new page is applied; skipped when neither the trust configuration nor the
hour changed since the last check). An event that now passes is applied (audited
``sync.refusal_lifted``) and leaves the list; the others stay listed in ``sync status`` and in
the window with the reason in words. Events refused for tampering (bad signature, body or
envelope mismatch, relabelled origin, wrong signer) or for a rule no trust change can alter
(another centre, a type the sender may not record, a certificate not allowed to sign, a
replaced gateway key after its retirement) are final: never retried, still listed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.context import Counter
from app.domain import iso, now_vn
from localdb import audit

log = logging.getLogger(__name__)

LIFTED = "sync.refusal_lifted"
META_TRUST_STATE = "pullretry.trust_state"  # {"state": hash, "at": ISO} of the last re-check
RECHECK_EVERY = timedelta(hours=1)  # validity and CRL freshness move with time too

#: reasons that a change of trust can lift: retried
TRUST = frozenset({"untrusted", "revoked", "no_crl", "not_gateway", "no_gateway_pin",
                   "timestamp_invalid"})
#: altered or wrongly signed: refused for good
TAMPERED = frozenset({"malformed", "not_canonical", "envelope_mismatch", "signature_missing",
                      "unsigned", "payload_unreadable", "body_mismatch", "origin_mismatch",
                      "digest_mismatch", "bad_signature", "signature_malformed",
                      "signer_mismatch", "gateway_as_counter", "province_v1", "bad_code",
                      "event_conflict"})
#: everything else known (who may say what; what the signer's own certificate allows; a
#: replaced gateway key) is final as well, but not called tampering
NOT_ALLOWED = frozenset({"type_not_allowed", "province_only", "not_your_centre",
                         "not_your_code", "key_usage", "ca_certificate", "no_key_usage",
                         "expired_at_signing", "not_yet_valid_at_signing", "gateway_retired"})

STATE_WORDS = {
    "trust": ("chờ thay đổi tin cậy: tự kiểm tra lại sau 'trust add', 'trust add-crl', "
              "'gateway-pin add', khi cổng tỉnh đổi chứng thư và mỗi lần đồng bộ",
              "waiting for a trust change: checked again after 'trust add', 'trust add-crl', "
              "'gateway-pin add', a gateway certificate rotation and each sync"),
    "tampered": ("bị sửa đổi hoặc chữ ký sai: không bao giờ áp dụng",
                 "altered or wrongly signed: never applied"),
    "not_allowed": ("không được phép: không áp dụng", "not allowed: never applied"),
}


def kind_of(code: str) -> str:
    """'trust' (retried), 'tampered' or 'not_allowed' (final). Unknown codes are retried:
    the apply path judges every event again, so a retry can never let a bad one in."""
    if code in TAMPERED:
        return "tampered"
    if code in NOT_ALLOWED:
        return "not_allowed"
    return "trust"


@dataclass
class RetryOutcome:
    checked: int = 0
    applied: list[str] = field(default_factory=list)  # event ids now in the store
    waiting: list[str] = field(default_factory=list)  # now waiting for their dossier
    still: int = 0  # still refused (retriable)
    final: int = 0  # became final on this check
    codes: list[str] = field(default_factory=list)  # dossier codes changed
    skipped: bool = False  # nothing changed since the last check
    deferred: bool = False  # the store could not be opened now: the next sync round checks

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "applied": len(self.applied),
                "waiting": len(self.waiting), "still_refused": self.still,
                "became_final": self.final, "skipped": self.skipped}


# ---- recording (called by app.remote inside the apply transaction) -------------------------


def _words_of(code: str, ev: Any, trust: Any) -> dict[str, str]:
    """The refusal in words, vi and en; for a signature that does not verify here, the
    verifier's own sentence (it names a missing intermediate, a revocation date…)."""
    from sync.reasons import reason_words

    out = {"vi": reason_words(code, "vi"), "en": reason_words(code, "en")}
    if trust is not None and code in TRUST | NOT_ALLOWED and getattr(ev, "signature", None):
        try:
            from signing.verify import verify_detached

            res = verify_detached(bytes(ev.payload), bytes(ev.signature), trust)
            if not res.ok and res.code == code:
                out = {"vi": res.message_vi, "en": res.message_en}
        except Exception:  # the words only; the refusal itself stands
            log.exception("could not describe the refusal of pulled event %s", ev.id)
    return out


def record(conn: sqlite3.Connection, ev: Any, code: str, detail: str, *, source: str,
           now: str, trust: Any = None, tst: str | None = None) -> bool:
    """Keep a refused pulled event (its exact signed envelope) or, when it is kept already,
    note the new check. True when it was refused for the first time (the caller audits it)."""
    words = json.dumps({**_words_of(code, ev, trust), "detail": detail[:300]},
                       ensure_ascii=False)
    final = 0 if kind_of(code) == "trust" else 1
    envelope = json.dumps(ev.to_json())
    row = conn.execute("SELECT final, resolved_at, event FROM pulled_refused WHERE event_id = ?",
                       (ev.id,)).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO pulled_refused (event_id, dossier_id, dossier_code, type, origin, "
            "event, tst, source, reason, detail, refused_at, final, last_reason, last_detail, "
            "checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ev.id, ev.dossier_id, ev.dossier_code, ev.type, ev.origin,
             envelope, tst, source, code, words, now, final, code, words, now))
        return True
    if row[1] is None:  # checked again (a retry, or the gateway served it again)
        conn.execute("UPDATE pulled_refused SET last_reason = ?, last_detail = ?, "
                     "checked_at = ?, checks = checks + 1, final = max(final, ?) "
                     "WHERE event_id = ?", (code, words, now, final, ev.id))
    # another envelope under an id already kept (a forged variant served after the first):
    # not the same event checked again, so the caller audits this refusal too
    return bool(row[2] != envelope)


def resolve(conn: sqlite3.Connection, event_id: str, how: str, now: str) -> bool:
    """The event entered the store (or waits for its dossier) after all: no longer listed."""
    return conn.execute("UPDATE pulled_refused SET resolved_at = ?, resolution = ? "
                        "WHERE event_id = ? AND resolved_at IS NULL",
                        (now, how, event_id)).rowcount > 0


# ---- re-checking ---------------------------------------------------------------------------


def trust_state(counter: Counter, conn: sqlite3.Connection) -> str:
    """A fingerprint of everything a pulled event's judgement depends on besides the event:
    the anchor and CRL files, the pinned and the retired gateway certificates."""
    from app import evidence
    from app.trust import anchors_dir, crls_dir

    h = hashlib.sha256()
    for folder in (anchors_dir(counter.settings), crls_dir(counter.settings)):
        if folder.is_dir():
            for p in sorted(folder.iterdir()):
                try:
                    st = p.stat()
                except OSError:
                    continue
                h.update(f"{folder.name}/{p.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    for key in (evidence.META_GATEWAY_PIN, evidence.META_GATEWAY_RETIRED):
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        h.update(f"{key}={row[0] if row else ''}\n".encode())
    return h.hexdigest()


def open_count(counter: Counter) -> int:
    with counter.store._lock:
        return int(counter.store.conn.execute(
            "SELECT count(*) FROM pulled_refused r WHERE r.resolved_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = r.event_id)").fetchone()[0])


def retry(counter: Counter, *, trigger: str, only_if_changed: bool = False) -> RetryOutcome:
    """Check every event refused for a trust reason again, through the one apply path, in
    the order they were pulled; apply those that pass. ``only_if_changed`` (each sync round):
    skip when the trust configuration did not change and the last check is under an hour."""
    from sync.wire import WireError, WireEvent

    out = RetryOutcome()
    with counter.store._lock:  # most stores hold none: no write transaction for nothing
        if not counter.store.conn.execute(
                "SELECT 1 FROM pulled_refused WHERE resolved_at IS NULL AND final = 0 "
                "LIMIT 1").fetchone():
            return out
    with counter.store.write() as conn:
        rows = conn.execute(
            "SELECT event_id, event, tst, source, reason FROM pulled_refused "
            "WHERE resolved_at IS NULL AND final = 0 ORDER BY seq").fetchall()
        state = trust_state(counter, conn)
        if not rows:
            return out
        if only_if_changed:
            prev = conn.execute("SELECT value FROM meta WHERE key = ?",
                                (META_TRUST_STATE,)).fetchone()
            try:
                last = json.loads(prev[0]) if prev else {}
                recent = now_vn() - datetime.fromisoformat(str(last.get("at"))) < RECHECK_EVERY
            except (ValueError, TypeError, AttributeError):
                last, recent = {}, False
            if last.get("state") == state and recent:
                out.skipped = True
                return out
        now = iso(now_vn())
        by_source: dict[str, list[tuple[WireEvent, str | None]]] = {}
        first_reason: dict[str, str] = {}
        for event_id, text, tst, source, reason in rows:
            first_reason[event_id] = reason
            try:
                ev = WireEvent.from_json(json.loads(text))
            except (ValueError, WireError) as exc:  # kept by us: cannot happen unless edited
                log.error("refused pulled event %s cannot be read back: %s", event_id, exc)
                conn.execute("UPDATE pulled_refused SET last_reason = 'malformed', "
                             "checked_at = ?, checks = checks + 1, final = 1 "
                             "WHERE event_id = ?", (now, event_id))
                out.final += 1
                continue
            by_source.setdefault(source, []).append((ev, tst))
        for source, items in by_source.items():
            events = [ev for ev, _ in items]
            tsts = {ev.id: t for ev, t in items if t}
            out.checked += len(events)
            stored_before = {ev.id for ev in events if conn.execute(
                "SELECT 1 FROM events WHERE id = ?", (ev.id,)).fetchone()}
            _apply(counter, events, source, tsts)
            for ev in events:
                if conn.execute("SELECT 1 FROM events WHERE id = ?", (ev.id,)).fetchone():
                    how = "duplicate" if ev.id in stored_before else "applied"
                    out.applied.append(ev.id)
                elif conn.execute("SELECT 1 FROM pulled_waiting WHERE event_id = ?",
                                  (ev.id,)).fetchone():
                    how = "waiting"
                    out.waiting.append(ev.id)
                else:
                    final, last = conn.execute(
                        "SELECT final, last_reason FROM pulled_refused WHERE event_id = ?",
                        (ev.id,)).fetchone()
                    if final:
                        out.final += 1
                        log.warning("refused pulled event %s is now refused for good (%s)",
                                    ev.id, last)
                    else:
                        out.still += 1
                    continue
                resolve(conn, ev.id, how, now)
                out.codes.append(ev.dossier_code)
                audit.append(conn, at=now, actor="sync", counter=counter.label, action=LIFTED,
                             subject=ev.dossier_code[:100],
                             detail={"refused_event": ev.id, "type": ev.type,
                                     "origin": ev.origin, "first_reason": first_reason[ev.id],
                                     "outcome": how, "trigger": trigger[:60],
                                     "source": source})
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                     "SET value = excluded.value",
                     (META_TRUST_STATE, json.dumps({"state": state, "at": now})))
        if out.applied or out.waiting:
            _restate_round(counter, conn)
    if out.applied or out.waiting:
        log.info("%d pulled event(s) refused earlier now applied (%d waiting for their dossier) "
                 "after %s; %d still refused", len(out.applied), len(out.waiting), trigger,
                 out.still)
    return out


def _restate_round(counter: Counter, conn: sqlite3.Connection) -> None:
    """`sync status` repeats the last round's refusals (``pull_refused``); once some of them
    are applied it counts only those still refused (none: the warning goes)."""
    from app import syncstate

    row = conn.execute("SELECT value FROM sync_state WHERE key = 'pull_refused'").fetchone()
    if row is None:
        return
    try:
        said = json.loads(row[0]) or {}
    except ValueError:
        said = {}
    reasons: dict[str, int] = {}
    for (code,) in conn.execute(
            "SELECT r.last_reason FROM pulled_refused r WHERE r.resolved_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = r.event_id)"):
        reasons[code] = reasons.get(code, 0) + 1
    syncstate.write(counter, pull_refused={"at": said.get("at"), "count": sum(reasons.values()),
                                           "reasons": reasons} if reasons else None)


def _apply(counter: Counter, events: list[Any], source: str, tsts: dict[str, str]) -> None:
    """app.remote.apply_signed_events, with the gateway's time-stamp tokens kept with them."""
    from app import remote

    remote.apply_signed_events(counter, events, source=source, tsts=tsts or None)


def after_trust_change(settings: Any, trigger: str, counter: Counter | None = None,
                       ) -> RetryOutcome | None:
    """Re-check the refused pulled events after ``trigger`` changed this counter's trust
    (anchors, CRLs, pins). Opens the store when the caller has none open; None when this
    data folder has no store yet. A store that cannot be opened or written now is logged
    and left for the next sync round (which checks again because the trust changed)."""
    if counter is not None:
        return retry(counter, trigger=trigger)
    if not settings.store_path.is_file():
        return None
    from app.context import open_counter

    try:
        opened = open_counter(settings, create=False)
    except Exception as exc:
        log.warning("refused pulled events not re-checked after %s (store not opened: %s); "
                    "the next sync round checks them", trigger, exc)
        return RetryOutcome(deferred=True)
    try:
        return retry(opened, trigger=trigger)
    except Exception:  # the trust change itself is done; say so, and sync checks again
        log.exception("refused pulled events not re-checked after %s", trigger)
        return RetryOutcome(deferred=True)
    finally:
        opened.close()


def outcome_line(out: RetryOutcome | None, lang: str = "vi") -> str | None:
    """One line for the command that changed trust (None when nothing was re-checked)."""
    if out is not None and out.deferred:
        return ("Pulled events refused earlier were not checked again now (the store could not "
                "be opened); the next sync checks them." if lang == "en" else
                "Chưa kiểm tra lại các sự kiện nhận về bị từ chối trước đây (không mở được kho "
                "dữ liệu); lần đồng bộ tới sẽ kiểm tra.")
    if out is None or not out.checked:
        return None
    n = len(out.applied) + len(out.waiting)
    if lang == "en":
        return (f"Pulled events refused earlier, checked again: {out.checked}; now applied: {n}"
                f"; still refused: {out.still + out.final} (see 'motcua sync status').")
    return (f"Sự kiện nhận về bị từ chối trước đây đã kiểm tra lại: {out.checked}; nay đã áp "
            f"dụng: {n}; vẫn bị từ chối: {out.still + out.final} (xem 'motcua sync status').")


# ---- what sync status and the window show ---------------------------------------------------


def listing(counter: Counter, limit: int = 200) -> list[dict[str, Any]]:
    """The refused pulled events still listed (oldest first): dossier, type, origin, when,
    the reason (machine code and words, vi/en), whether it is retried, who signed it (as the
    signed bytes claim: subject and SHA-256)."""
    with counter.store._lock:
        rows = counter.store.conn.execute(
            "SELECT r.event_id, r.dossier_code, r.type, r.origin, r.refused_at, r.reason, "
            "r.last_reason, r.last_detail, r.final, r.checks, r.checked_at, r.event "
            "FROM pulled_refused r WHERE r.resolved_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = r.event_id) "
            "ORDER BY r.seq LIMIT ?", (int(limit),)).fetchall()
    from app.checkwords import EVENT_WORDS
    from sync.reasons import reason_words

    out = []
    for (event_id, code, etype, origin, refused_at, first, last, detail, final, checks,
         checked_at, text) in rows:
        try:
            words = json.loads(detail) if detail else {}
        except ValueError:
            words = {}
        kind = "trust" if not final else ("tampered" if last in TAMPERED else "not_allowed")
        signer: dict[str, Any] = {}
        try:
            import base64

            body = json.loads(base64.b64decode(json.loads(text)["payload"]))
            if isinstance(body, dict) and isinstance(body.get("signer"), dict):
                signer = {k: str(body["signer"].get(k) or "")[:300]
                          for k in ("subject", "sha256")}
        except (ValueError, KeyError, TypeError):
            pass
        out.append({
            "event_id": event_id, "dossier_code": code, "type": etype, "origin": origin,
            "refused_at": refused_at, "first_reason": first, "reason": last,
            "reason_vi": words.get("vi") or reason_words(last, "vi"),
            "reason_en": words.get("en") or reason_words(last, "en"),
            "final": bool(final), "kind": kind, "kind_vi": STATE_WORDS[kind][0],
            "kind_en": STATE_WORDS[kind][1], "checks": int(checks), "checked_at": checked_at,
            "signer_subject": signer.get("subject") or None,
            "signer_name": common_name(signer.get("subject")),
            "signer_sha256": signer.get("sha256") or None,
            "type_vi": EVENT_WORDS.get(etype, (etype, etype))[0],
            "type_en": EVENT_WORDS.get(etype, (etype, etype))[1],
        })
    return out


def common_name(subject: object) -> str | None:
    """The CN of an RFC 4514 subject ("CN=Cổng tỉnh\\, 2027,O=…" -> "Cổng tỉnh, 2027"), else
    the subject itself; None when empty."""
    if not isinstance(subject, str) or not subject:
        return None
    for part in _split_dn(subject):
        key, _, value = part.partition("=")
        if key.strip().upper() == "CN" and value:
            return value
    return subject


def _split_dn(dn: str) -> list[str]:
    parts, buf, i = [], [], 0
    while i < len(dn):
        ch = dn[i]
        if ch == "\\" and i + 1 < len(dn):
            buf.append(dn[i + 1])
            i += 2
            continue
        if ch in ",+":
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts
