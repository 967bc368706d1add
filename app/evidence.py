"""The signed event format v2: what goes inside the signed bytes, and how chains are built.

Every event the counter makes is written through :func:`append_counter_event`, inside the
caller's write transaction. The body (RFC 8785 canonical JSON, see docs/ARCHITECTURE.md) adds,
to the v1 fields, the facts an attacker who can write the store file would want to change:

* ``origin`` — counter events and province events need different keys (a relabelled origin
  no longer verifies);
* ``dossier_prev`` — hash of the dossier's previous event (``null`` only for its first);
* ``counter_seq`` / ``counter_prev`` — the counter's own running chain, so a deleted event or a
  whole deleted dossier leaves a hole that ``verify`` names;
* ``audit_head`` — the audit chain head just before this action's own audit row, so the
  clerk's signature anchors the audit log outside the file's own (unkeyed) hashes.

The **event hash** is SHA-256 of the exact payload bytes. The counter's running head is kept in
meta (``evidence.counter_head``) for speed only: verify recomputes everything from payloads.
Stores that already hold v1 events start their chains at the first v2 event; that moment is
recorded in the audit log (``evidence.chain_start``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any, Protocol

from localdb import audit
from localdb import dossiers as repo
from signing.canonical import canonical_bytes

PAYLOAD_VERSION = 2
ORIGIN_COUNTER = "counter"
ORIGIN_PROVINCE = "province"
META_COUNTER_HEAD = "evidence.counter_head"
META_GATEWAY_PIN = "gateway_signing_sha256"
#: pinned gateway certificates replaced by a rotation: {sha256: ISO time from which they no
#: longer sign} (app/rotation.py writes it with its audit row)
META_GATEWAY_RETIRED = "gateway_signing_retired"
#: an old gateway key's signature time-stamped this long after its retirement is refused even
#: when the signer claims an earlier time (a back-dated signature by a replaced key)
RETIRED_GRACE = timedelta(minutes=10)
CHAIN_START_ACTION = "evidence.chain_start"


class EventSigner(Protocol):
    def sign(self, data: bytes) -> bytes: ...


def event_hash(payload: bytes) -> str:
    """SHA-256 (lowercase hex) of an event's exact signed bytes."""
    return hashlib.sha256(bytes(payload)).hexdigest()


def signer_fields(signer: object) -> dict[str, Any]:
    """Who signs, inside the signed bytes: the certificate's subject, serial and fingerprint."""
    info = getattr(signer, "info", None)
    if info is None:
        return {}
    return {"subject": info.subject, "serial": info.serial_hex, "sha256": info.sha256}


def audit_head(conn: sqlite3.Connection) -> dict[str, Any]:
    """The audit chain's newest row (from the table itself, not from meta)."""
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return {"seq": int(row[0]), "hash": str(row[1])} if row else {"seq": 0, "hash": audit.GENESIS}


def counter_head(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """(last counter_seq, its event hash) of this counter's own chain; (0, None) before the
    first v2 event."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_COUNTER_HEAD,)).fetchone()
    if not row:
        return 0, None
    try:
        doc = json.loads(row[0])
        return int(doc["seq"]), str(doc["hash"])
    except (ValueError, KeyError, TypeError):
        return 0, None


def dossier_head(conn: sqlite3.Connection, dossier_id: str) -> str | None:
    """Hash of the dossier's latest event (time order, then arrival), None when it has none."""
    row = conn.execute(
        "SELECT CAST(payload AS BLOB) FROM events WHERE dossier_id = ? "
        "ORDER BY occurred_at DESC, seq DESC LIMIT 1", (dossier_id,)).fetchone()
    return event_hash(row[0]) if row else None


def _start_chain_if_upgraded(conn: sqlite3.Connection, *, at: str, actor: str,
                             counter_label: str) -> None:
    """First v2 event of a store that already holds (v1) events: say so in the audit log."""
    if conn.execute("SELECT 1 FROM audit WHERE action = ? LIMIT 1",
                    (CHAIN_START_ACTION,)).fetchone():
        return
    old = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    if not old:
        return
    audit.append(conn, at=at, actor=actor, counter=counter_label, action=CHAIN_START_ACTION,
                 subject=f"v{PAYLOAD_VERSION}",
                 detail={"format": PAYLOAD_VERSION, "earlier_events": int(old),
                         "note": "events before this row are v1 (no chains)"})


def append_counter_event(conn: sqlite3.Connection, *, counter: Any, event_id: str,
                         dossier_id: str, dossier_code: str, etype: str, occurred_at: str,
                         actor: str, data: dict[str, Any], signer: EventSigner,
                         recorded_at: str) -> dict[str, Any]:
    """Build the v2 body, sign it, store the event and advance the counter's head, inside the
    caller's transaction. Returns {"body", "payload", "hash"}. The caller appends the
    action's audit row right after (the signed ``audit_head`` is the row before it)."""
    _start_chain_if_upgraded(conn, at=recorded_at, actor=actor, counter_label=counter.label)
    seq, prev = counter_head(conn)
    body = {
        "v": PAYLOAD_VERSION, "id": event_id, "dossier_id": dossier_id,
        "dossier_code": dossier_code, "type": etype, "occurred_at": occurred_at,
        "actor": actor, "origin": ORIGIN_COUNTER,
        "counter": {"agency_code": counter.agency_code, "counter_no": counter.counter_no},
        "signer": signer_fields(signer),
        "dossier_prev": dossier_head(conn, dossier_id),
        "counter_seq": seq + 1,
        "counter_prev": prev,
        "audit_head": audit_head(conn),
        "data": data,
    }
    payload = canonical_bytes(body)
    signature = signer.sign(payload)
    from app.binding import require_bound

    require_bound(conn, actor, signer)  # only the clerk's own bound certificate signs
    repo.insert_event(conn, id=event_id, dossier_id=dossier_id, type=etype,
                      occurred_at=occurred_at, origin=ORIGIN_COUNTER, actor=actor,
                      payload=payload, signature=signature, recorded_at=recorded_at)
    digest = event_hash(payload)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (META_COUNTER_HEAD, json.dumps({"seq": seq + 1, "hash": digest})))
    return {"body": body, "payload": payload, "hash": digest, "signature": signature}


def pulled_event_problem(ev: dict[str, Any], trust: Any,
                         pins: set[str] | frozenset[str]) -> str | None:
    """Why a pulled event must not be applied (None: it may). Province events must be v2 and
    signed by a pinned gateway certificate; other counters' events by a clerk certificate
    under this counter's anchors; every event's CMS signer must be the one its body names."""
    from signing.verify import verify_detached

    if ev.get("signature") is None:
        return "unsigned"
    try:
        body = json.loads(bytes(ev["payload"]))
        if not isinstance(body, dict):
            raise ValueError
    except (ValueError, UnicodeDecodeError, TypeError):
        return "payload_unreadable"
    for key in ("id", "dossier_id", "type", "occurred_at", "actor"):
        if body.get(key) != ev.get(key):
            return "body_mismatch"
    declared = body.get("origin") or ("counter" if isinstance(body.get("counter"), dict)
                                      else "province")
    if declared != ev.get("origin"):
        return "origin_mismatch"
    res = verify_detached(bytes(ev["payload"]), bytes(ev["signature"]), trust)
    if not res.ok:
        return res.code or "bad_signature"
    actual = res.signer.sha256 if res.signer is not None else None
    named = body.get("signer", {}).get("sha256") if isinstance(body.get("signer"), dict) else None
    if named != actual:
        return "signer_mismatch"
    if declared == ORIGIN_PROVINCE:
        if body.get("v") != PAYLOAD_VERSION:
            return "province_v1"
        if not pins:
            return "no_gateway_pin"
        if actual not in pins:
            return "not_gateway"
        retired = getattr(pins, "retired", {}).get(actual)
        if retired is not None and signed_after_retirement(res, retired):
            return "gateway_retired"
    elif actual in pins:
        return "gateway_as_counter"
    return None


class PinSet(frozenset[str]):
    """The pinned gateway certificates (SHA-256) with, in ``retired``, the moment from which
    each one replaced by a rotation no longer signs."""

    retired: dict[str, datetime]

    def __new__(cls, pins: set[str], retired: dict[str, datetime] | None = None) -> PinSet:
        obj = super().__new__(cls, pins)
        obj.retired = dict(retired or {})
        return obj


def signed_after_retirement(res: Any, retired_at: datetime) -> bool:
    """A signature by a replaced gateway certificate made at or after the moment it was
    replaced: by the time its signer claims (CMS signingTime), or proven by an RFC 3161 token
    well after it (a back-dated signature)."""
    claimed, proven = getattr(res, "signing_time", None), getattr(res, "time_proof", None)
    return bool((claimed is not None and claimed >= retired_at)
                or (proven is not None and proven >= retired_at + RETIRED_GRACE))


def pins_of(conn: sqlite3.Connection, *, from_audit: bool = False) -> PinSet:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_GATEWAY_PIN,)).fetchone()
    from app.rotation import retirements

    return PinSet({p for p in str(row[0] if row else "").split(",") if p},
                  retirements(conn, from_audit=from_audit))
