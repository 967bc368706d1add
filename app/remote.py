"""Applying signed events made elsewhere: the centre's other counters and the province.

One entry point, :func:`apply_signed_events`, takes signed events from any source — the
gateway's pull today, a peer counter on the centre's LAN tomorrow — and trusts none of them:
each event's envelope must repeat its signed body, a counter event's CMS signature must verify
against this counter's own trust anchors, and the sender must be allowed by the same
authorization table the gateway uses (``sync.gateway.authz``): counter events only from this
centre, province types only from the province.

Then, in the caller's transaction:

* an event already stored (same id, same bytes) is a duplicate;
* a ``received`` event of a dossier this counter does not hold **materialises** it: the dossier
  row, its search entry and its attachment list are built from the signed data exactly as the
  receiving counter built them, so ``verify`` and ``check`` hold here too;
* an event of a known dossier is appended and the dossier's status (and appointment, after a
  supplement) re-derived;
* an event whose dossier has not arrived yet **waits** (``pulled_waiting``), durably, and is
  applied as soon as its dossier arrives — the pull cursor moves on, nothing is skipped.

The owning counter of a dossier is the one whose digits are in its code; ``owner_of`` tells.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.context import Counter
from app.domain import iso, now_vn
from app.status import derive_status
from localdb import audit
from localdb import dossiers as repo
from sync.gateway.authz import CENTRE, TABLE
from sync.wire import ORIGIN_COUNTER, ORIGIN_PROVINCE, WireError, WireEvent

log = logging.getLogger(__name__)


@dataclass
class ApplyStats:
    applied: int = 0
    duplicate: int = 0
    materialised: int = 0
    waiting: int = 0
    refused: int = 0
    conflict: int = 0
    refusals: list[tuple[str, str]] = field(default_factory=list)  # (event id, reason)

    def to_dict(self) -> dict[str, int]:
        return {"applied": self.applied, "duplicate": self.duplicate,
                "materialised": self.materialised, "waiting": self.waiting,
                "refused": self.refused, "conflict": self.conflict,
                # the name the engine and older callers count
                "unknown_dossier": self.waiting}


def owner_of(code: str) -> int | None:
    """The counter number in a dossier code (``…-YYMMDD-CCNNNN``), None when unreadable."""
    tail = code.rsplit("-", 1)[-1]
    return int(tail[:2]) if len(tail) == 6 and tail.isdigit() else None


#: event types that can open a dossier (materialised here from their signed data)
FIRST_TYPES = ("received", "refused")


def _check(counter: Counter, ev: WireEvent, trust: Any, pins: frozenset[str],
           exists: bool) -> dict[str, Any]:
    """The signed body, or WireError with the reason this event is refused here."""
    body = ev.body()
    ev.check_envelope(body)
    rule = TABLE.get(ev.type)
    if rule is None:
        raise WireError("type_not_allowed", f"unknown event type {ev.type[:40]!r}")
    if ev.origin == ORIGIN_PROVINCE:
        if not rule.province:
            raise WireError("type_not_allowed", f"the province does not record {ev.type!r}")
        _evidence(ev, trust, pins)  # signed by the pinned gateway certificate, v2
        return body
    if ev.origin != ORIGIN_COUNTER or rule.counter is None:
        raise WireError("province_only", f"{ev.type!r} comes only from the province")
    who = body.get("counter")
    if not isinstance(who, dict) or who.get("agency_code") != counter.agency_code:
        raise WireError("not_your_centre", "the event was made at another centre")
    creates = not exists and rule.counter != CENTRE
    if creates and owner_of(ev.dossier_code) != _int(who.get("counter_no")):
        raise WireError("not_your_code", "the code is outside the sending counter's range")
    if ev.signature is None:
        raise WireError("signature_missing", "counter events must be signed")
    _evidence(ev, trust, pins)  # clerk CMS valid, signer = the one named, not the gateway's
    return body


def _evidence(ev: WireEvent, trust: Any, pins: frozenset[str]) -> None:
    """app.evidence's checks of a pulled event (origin inside the signed bytes, CMS signer is
    the certificate the body names, province events only from a pinned gateway certificate)."""
    from app import evidence

    problem = evidence.pulled_event_problem(
        {"id": ev.id, "dossier_id": ev.dossier_id, "type": ev.type,
         "occurred_at": ev.occurred_at, "actor": ev.actor, "origin": ev.origin,
         "payload": ev.payload, "signature": ev.signature}, trust, pins)
    if problem is not None:
        raise WireError(problem, f"pulled event refused: {problem}")


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _materialise(conn: Any, ev: WireEvent, body: dict[str, Any], now: str) -> None:
    """The dossier row as the receiving counter wrote it (app.intake.receive, or the refusal
    record of app.actions); status and appointment are then derived from the events."""
    from app.signatures import _PROJECTION

    data = body.get("data")
    if not isinstance(data, dict):
        raise WireError("malformed", f"a {ev.type} event carries no dossier data")
    try:
        row = {col: f(data) for col, f in _PROJECTION.items()}
    except (KeyError, TypeError) as exc:
        raise WireError("malformed", f"the dossier data lacks {exc}") from exc
    if row["code"] != ev.dossier_code or data.get("id", ev.dossier_id) != ev.dossier_id:
        raise WireError("bad_code", "the dossier inside the event names another code or id")
    row.update(id=ev.dossier_id, appointment_at=data.get("appointment_at"), status=2,
               data=json.dumps(data, ensure_ascii=False, sort_keys=True), updated_at=now)
    repo.insert_dossier(conn, row)
    atts = [a for a in data.get("attachments") or [] if isinstance(a, dict)]
    repo.insert_attachments(conn, ev.dossier_id, atts)


def _refresh(conn: Any, dossier_id: str, now: str) -> None:
    """Status and current appointment from the events (as app.signatures.verify reads them)."""
    events = repo.events_of(conn, dossier_id)
    appointment = None
    for e in events:
        if e["type"] == "received" and appointment is None:
            appointment = (json.loads(e["payload"]).get("data") or {}).get("appointment_at")
        elif e["type"] == "supplement_received" and e["origin"] == "counter":
            appointment = (json.loads(e["payload"]).get("data") or {}).get("appointment_at") \
                or appointment
    derived = derive_status(events)
    conn.execute("UPDATE dossiers SET status = ?, appointment_at = ?, updated_at = ? WHERE id = ?",
                 (int(derived.status), appointment, now, dossier_id))
    if derived.contradictions:
        log.warning("dossier %s has contradictory events: %s", dossier_id, derived.contradictions)


def _hold(conn: Any, ev: WireEvent, source: str, now: str, tst: str | None = None) -> None:
    held = ev.to_json()
    if tst:  # the gateway's RFC 3161 token waits with its event (stored when it is applied)
        held["tst"] = tst
    conn.execute(
        "INSERT INTO pulled_waiting (event_id, dossier_id, event, source, held_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
        (ev.id, ev.dossier_id, json.dumps(held), source, now))


def _waiting_for(conn: Any, dossier_ids: Iterable[str],
                 tokens: dict[str, str]) -> list[WireEvent]:
    """The events held for these dossiers; their tokens go into ``tokens``."""
    out = []
    for did in dossier_ids:
        for (text,) in conn.execute(
                "SELECT event FROM pulled_waiting WHERE dossier_id = ? ORDER BY rowid", (did,)):
            doc = json.loads(text)
            ev = WireEvent.from_json(doc)
            if isinstance(doc.get("tst"), str):
                tokens.setdefault(ev.id, doc["tst"])
            out.append(ev)
    return out


def apply_signed_events(counter: Counter, events: Sequence[WireEvent], *,
                        source: str = "gateway",
                        tsts: Mapping[str, str] | None = None) -> ApplyStats:
    """Check and apply signed events from ``source`` (see the module docstring); one store
    transaction (joins the caller's, e.g. the one that also stores the pull cursor).

    ``tsts`` (event id -> base64 DER): the gateway's RFC 3161 tokens of these events, stored
    with the events applied (``app.timestamps.store_tokens`` checks each); an event held in
    ``pulled_waiting`` keeps its token there until its dossier arrives."""
    from app.timestamps import store_tokens
    from app.trust import load_trust

    stats = ApplyStats()
    if not events:
        return stats
    trust = load_trust(counter.settings)
    now = iso(now_vn())
    tokens: dict[str, str] = dict(tsts or {})
    with counter.store.write() as conn:
        queue = list(events)
        from_waiting: set[str] = set()
        while queue:
            arrived: set[str] = set()
            touched: set[str] = set()
            for ev in queue:
                outcome = _apply_one(counter, conn, ev, trust, source, now, stats,
                                     tokens.get(ev.id))
                if ev.id in from_waiting and outcome != "waiting":
                    conn.execute("DELETE FROM pulled_waiting WHERE event_id = ?", (ev.id,))
                if outcome == "materialised":
                    arrived.add(ev.dossier_id)
                if outcome in ("applied", "materialised"):
                    touched.add(ev.dossier_id)
            for did in touched:
                _refresh(conn, did, now)
            queue = _waiting_for(conn, arrived, tokens)  # events that waited for these
            from_waiting = {w.id for w in queue}  # dossiers (with their tokens)
        if tokens:  # the events stored now (held ones keep theirs in pulled_waiting)
            store_tokens(conn, tokens)
        ids = sorted({ev.id for ev in events})
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            stats.waiting += conn.execute(
                f"SELECT count(*) FROM pulled_waiting WHERE event_id IN ({','.join('?' * len(part))})",  # noqa: S608
                part).fetchone()[0]
    return stats


def _apply_one(counter: Counter, conn: Any, ev: WireEvent, trust: Any, source: str, now: str,
               stats: ApplyStats, tst: str | None = None) -> str:
    try:
        row = repo.get(conn, id=ev.dossier_id)
        body = _check(counter, ev, trust, evidence_pins(conn), row is not None)
    except WireError as exc:
        return _refuse(counter, conn, ev, exc, source, now, stats, trust, tst)
    materialise = row is None and ev.type in FIRST_TYPES and ev.origin == ORIGIN_COUNTER
    if row is None and not materialise:
        _hold(conn, ev, source, now, tst)
        return "waiting"
    if row is not None and row["code"] != ev.dossier_code:
        stats.conflict += 1
        log.error("event %s names code %s for dossier %s (%s here)", ev.id, ev.dossier_code,
                  ev.dossier_id, row["code"])
        return "conflict"
    try:
        with _savepoint(conn):
            if materialise:
                _materialise(conn, ev, body, now)
            fresh = repo.insert_event(
                conn, id=ev.id, dossier_id=ev.dossier_id, type=ev.type,
                occurred_at=ev.occurred_at, origin=ev.origin, actor=ev.actor,
                payload=ev.payload, signature=ev.signature, recorded_at=now, synced_at=now)
    except WireError as exc:
        return _refuse(counter, conn, ev, exc, source, now, stats, trust, tst)
    except Exception as exc:
        if getattr(exc, "code", "") != "event_conflict":
            raise
        stats.conflict += 1
        log.error("event %s for %s conflicts with the stored one", ev.id, ev.dossier_code)
        return "conflict"
    if not fresh:
        stats.duplicate += 1
        return "duplicate"
    stats.applied += 1
    from app import pullretry

    pullretry.resolve(conn, ev.id, "applied", now)  # refused earlier, served again, passes now
    if materialise:
        stats.materialised += 1
    audit.append(conn, at=now, actor=ev.actor, counter=counter.label,
                 action="sync.materialised" if materialise else f"sync.{ev.type}",
                 subject=ev.dossier_code,
                 detail={"event_id": ev.id, "origin": ev.origin, "source": source,
                         "owner_counter": owner_of(ev.dossier_code)})
    return "materialised" if materialise else "applied"


def _refuse(counter: Counter, conn: Any, ev: WireEvent, exc: WireError, source: str, now: str,
            stats: ApplyStats, trust: Any = None, tst: str | None = None) -> str:
    from app import pullretry

    stats.refused += 1
    stats.refusals.append((ev.id, f"{exc.code}: {exc.detail}"))
    # kept with its signed envelope: checked again after a trust change (app/pullretry.py)
    first = pullretry.record(conn, ev, exc.code, exc.detail, source=source, now=now,
                             trust=trust, tst=tst)
    if not first:  # checked again and still refused: said once already
        log.info("event %s from %s still refused: %s", ev.id, source, exc)
        return "refused"
    log.error("event %s from %s refused: %s", ev.id, source, exc)
    audit.append(conn, at=now, actor="sync", counter=counter.label, action="sync.refused",
                 subject=ev.dossier_code[:100],
                 detail={"event_id": ev.id, "source": source, "reason": exc.code,
                         "retried": pullretry.kind_of(exc.code) == "trust"})
    return "refused"


def evidence_pins(conn: Any) -> frozenset[str]:
    from app import evidence

    return evidence.pins_of(conn)


class _savepoint:
    """A nested SAVEPOINT so one bad event rolls back alone inside the batch transaction."""

    _n = 0

    def __init__(self, conn: Any):
        self.conn = conn
        _savepoint._n += 1
        self.name = f"apply_{_savepoint._n}"

    def __enter__(self) -> None:
        self.conn.execute(f"SAVEPOINT {self.name}")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {self.name}")
        self.conn.execute(f"RELEASE SAVEPOINT {self.name}")


def waiting_count(counter: Counter) -> int:
    with counter.store._lock:
        return int(counter.store.conn.execute("SELECT count(*) FROM pulled_waiting").fetchone()[0])
