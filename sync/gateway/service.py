"""What the gateway does, independent of HTTP: ingest a pushed batch, act as the province.

The HTTP layer and the CLI both call these functions, so ``motcua-gateway act`` and
``POST /province/act`` cannot behave differently.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sync.gateway import authz
from sync.gateway.checks import Checked, CheckPool, check_many, check_one, stamp_many
from sync.gateway.store import Counter, NewEvent, Store, StoreError
from sync.gateway.verify import Verifier
from sync.wire import (
    VN_TZ,
    PushResult,
    WireError,
    WireEvent,
    attachment_refs,
    province_event,
)

log = logging.getLogger(__name__)

#: province actions (CLI/endpoint spelling) -> event type recorded on the dossier
PROVINCE_ACTIONS: dict[str, str] = {
    "processing": "processing",
    "supplement": "supplement_requested",
    "result-ready": "result_ready",
    "reject": "stopped",
    "fee": "fee_requested",
}


def _rejected(event_id: str | None, code: str, detail: str) -> PushResult:
    return PushResult(event_id, "rejected", code, detail)


def ingest(
    store: Store, verifier: Verifier, counter: Counter, events: Sequence[object],
    tsa: Any = None, pool: CheckPool | None = None, plain: bool = False,
) -> list[PushResult]:
    """Check, verify and store a batch; one answer per event, in order.

    Each event is judged on its own (one bad event never blocks the others); all the accepted
    ones are then committed in one durable transaction before the caller answers. Retries are
    cheap: an id already stored is looked up first and its signature is not verified again
    (same bytes: ``duplicate``; other bytes: ``id_conflict``).

    The per-event CPU work (envelope, canonical body, signature) runs in ``pool`` — worker
    processes, one per core — when given, else in this thread; the database work stays here.

    With a time-stamping authority (`tsa`, a signing.tsa.TimeStampAuthority), every accepted
    event's signature value is time-stamped (RFC 3161) once the event is stored; the token is
    kept and sent back (`tst`) for the event, and again when a retry gets ``duplicate``.

    ``plain``: the events were parsed by orjson alone (sync.wire.fast_loads), so they can
    travel to the pool as orjson bytes.
    """
    results: list[PushResult | None] = [None] * len(events)
    raw_ids = [_safe_id(obj) for obj in events]
    # the dossiers are looked up with the ids as sent (a well-formed envelope's dossier_id is
    # exactly that string): one read transaction for both look-ups, before the checks
    raw_dossiers = {_safe_id(obj, "dossier_id") for obj in events}
    raw_dossiers.discard(None)
    known, dossiers = store.batch_lookup(sorted({i for i in raw_ids if i is not None}),
                                         sorted(d for d in raw_dossiers if d is not None))
    work = [(obj, raw_ids[i] not in known) for i, obj in enumerate(events)]
    # who sends and the clock: the authorization table's part that needs no record of the
    # gateway is judged with the checks (in a worker when there is a pool)
    ctx = (authz.Sender(counter.agency_code, counter.counter_no), datetime.now(VN_TZ))
    checked = (pool.check(work, ctx, plain=plain) if pool is not None
               else check_many(verifier, work, ctx))

    parsed: list[tuple[int, Checked]] = []
    for i, c in enumerate(checked):
        if c.rejection is not None or c.wire is None or c.body is None:
            code, detail = c.rejection or ("malformed", "event could not be read")
            results[i] = _rejected(raw_ids[i], code, detail)
            continue
        parsed.append((i, c))

    batch = _Batch.load(store, verifier, counter, known, [c.wire for _, c in parsed
                                                          if c.wire is not None],
                        dossiers, raw_dossiers, ctx[0])
    to_store: list[tuple[int, NewEvent]] = []
    for i, c in parsed:
        judged = batch.judge(c)
        if isinstance(judged, NewEvent):
            to_store.append((i, judged))
        else:
            results[i] = judged

    if tsa is not None and to_store:  # tokens first, so they commit with their events
        to_store = _with_time_stamps(to_store, tsa, pool)
    outcomes = store.insert_events([ev for _, ev in to_store])
    for (i, ev), outcome in zip(to_store, outcomes, strict=True):
        results[i] = _stored_result(ev.wire.id, outcome)
    final = [r for r in results if r is not None]
    if tsa is not None:
        fresh = {ev.wire.id: ev.tst for (_, ev), outcome in zip(to_store, outcomes, strict=True)
                 if outcome == "accepted" and ev.tst is not None}
        final = _time_stamp(store, final, fresh, tsa, pool)
    return final


def _safe_id(obj: object, key: str = "id") -> str | None:
    """The event's id (or another id member) as sent, if it is a short printable string (never
    a NUL into a query)."""
    raw_id = obj.get(key) if isinstance(obj, dict) else None
    return raw_id if isinstance(raw_id, str) and len(raw_id) <= 64 and raw_id.isprintable() \
        else None


@dataclasses.dataclass
class _Batch:
    """What judging the well-formed events of one push needs, looked up once for the batch:
    the events already stored (by id), the dossiers they name, the attachments they may use."""

    verifier: Verifier
    counter: Counter
    known: dict[str, str]  # event id -> payload SHA-256, for ids already stored
    dossiers: dict[str, Any]  # dossier id -> authz.KnownDossier
    att_states: dict[str, Any]  # attachments visible to this counter -> AttachmentState
    sender: authz.Sender

    @classmethod
    def load(cls, store: Store, verifier: Verifier, counter: Counter, known: dict[str, str],
             wires: list[WireEvent], dossiers: dict[str, Any], looked_up: set[str | None],
             sender: authz.Sender) -> _Batch:
        """`dossiers`: those already looked up among the ids `looked_up` (`batch_lookup`);
        any other dossier of `wires` is looked up here."""
        dossiers = dict(dossiers)
        missing = sorted({w.dossier_id for w in wires} - looked_up)
        if missing:
            dossiers.update(store.dossiers_by_ids(missing))
        shas = sorted({a for w in wires for a in w.attachments})
        att_states = store.attachment_states(shas)
        visible = store.attachments_visible(counter.id, counter.agency_code, shas)
        att_states = {sha: st for sha, st in att_states.items() if sha in visible}
        return cls(verifier, counter, known, dossiers, att_states, sender)

    def judge(self, c: Checked) -> PushResult | NewEvent:
        """The answer for one checked event (duplicate or rejection), or the event to store.
        In order: already stored, the authorization table, the signature, the attachments."""
        wire, body, verdict = c.wire, c.body, c.verdict
        if wire is None or body is None:
            raise RuntimeError("only well-formed events are judged")
        counter = self.counter
        prev = self.known.get(wire.id)
        if prev is not None:
            same = prev == NewEvent(wire, counter.agency_code, counter.id).payload_sha256
            return (
                PushResult(wire.id, "duplicate")
                if same
                else _rejected(wire.id, "id_conflict", "another payload is stored under this id")
            )
        if wire.signature is None:
            raise RuntimeError("counter events always carry a signature here")
        try:  # the authorization table's refusal comes first, as before any signature work
            if c.refusals is None:
                raise RuntimeError("events are checked with the sender and the clock")
            authz.check_known(wire.type, wire.dossier_code, self.sender,
                              self.dossiers.get(wire.dossier_id), c.refusals)
        except WireError as exc:
            return _rejected(wire.id, exc.code, exc.detail)
        if verdict is None:  # an id first seen twice in this batch: verify here
            verdict = check_one(self.verifier, wire.to_json(), True).verdict or (
                False, "bad_signature", "signature could not be checked")
        ok, code, detail = verdict
        if not ok:
            return _rejected(wire.id, code or "bad_signature", detail)
        problem = _attachment_problem(wire, body, self.att_states)
        if problem is not None:
            return _rejected(wire.id, *problem)
        if wire.dossier_id not in self.dossiers:  # a follow-up later in this batch may name it
            self.dossiers[wire.dossier_id] = authz.KnownDossier(wire.dossier_code,
                                                                counter.agency_code)
        return NewEvent(wire, counter.agency_code, counter.id, chain=_chain_of(body, counter))


def _chain_of(body: dict[str, Any], counter: Counter) -> tuple[int, int, str | None] | None:
    """(counter_no, counter_seq, counter_prev) of a v2 counter body, recorded at the gateway
    (not judged here: gaps and forks are reported, never refused — see counter_chain_report)."""
    seq, prev = body.get("counter_seq"), body.get("counter_prev")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq < 2**62:
        return None
    return counter.counter_no, seq, prev if isinstance(prev, str) and len(prev) <= 128 else None


def _with_time_stamps(to_store: list[tuple[int, NewEvent]], tsa: Any,
                      pool: CheckPool | None) -> list[tuple[int, NewEvent]]:
    """The events with the RFC 3161 token over their signature value (issued in the worker
    pool when it has the authority)."""
    sigs = [ev.wire.signature or b"" for _, ev in to_store]
    issued = (pool.stamp(sigs) if pool is not None and pool.has_tsa
              else stamp_many(tsa, sigs))
    return [(i, dataclasses.replace(ev, tst=tok))
            for (i, ev), tok in zip(to_store, issued, strict=True)]


def _stored_result(wid: str, outcome: str) -> PushResult:
    """The answer for an event handed to the store, from the store's outcome."""
    if outcome in ("accepted", "duplicate"):
        return PushResult(wid, outcome)
    if outcome == "id_conflict":
        return _rejected(wid, "id_conflict", "another payload is stored under this id")
    return _rejected(
        wid, outcome, "dossier code or id already belongs to another dossier or centre"
    )


def _time_stamp(store: Store, results: list[PushResult], fresh: dict[str, bytes],
                tsa: Any = None, pool: CheckPool | None = None) -> list[PushResult]:
    """Attach its RFC 3161 token to every accepted or duplicate result: the one just issued
    and stored with the event, else the one kept from an earlier push (issued once).

    An event stored without a token (the gateway stopped between storing and stamping, the
    TSA failed, or the gateway ran without a TSA then) gets one now, when a retry or a
    re-queued event is answered ``duplicate``: issued over the signature value the gateway
    *stored* (the retry's bytes may differ in their signature) and kept, first one wins. The
    counter counts an event as acknowledged only with such a token (app.timestamps)."""
    import base64

    settled = [r.id for r in results if r.status in ("accepted", "duplicate") and r.id]
    if not settled:
        return results
    missing = [i for i in settled if i not in fresh]
    known = store.time_stamps(missing) if missing else {}
    unstamped = sorted({i for i in missing if i not in known})
    if unstamped and tsa is not None:
        known.update(_stamp_stored(store, unstamped, tsa, pool))
    out: list[PushResult] = []
    for r in results:
        token = (fresh.get(r.id) or known.get(r.id)) if r.id else None
        if token is not None and r.status in ("accepted", "duplicate"):
            r = dataclasses.replace(r, tst=base64.b64encode(token).decode("ascii"))
        out.append(r)
    return out


def _stamp_stored(store: Store, ids: list[str], tsa: Any,
                  pool: CheckPool | None) -> dict[str, bytes]:
    """Issue and keep tokens for stored events that have none; returns the tokens kept (a
    concurrent push of the same event may have won: its token is the one returned)."""
    sigs = store.stored_signatures(ids)
    order = [i for i in ids if sigs.get(i)]
    if not order:
        return {}
    issued = (pool.stamp([sigs[i] for i in order]) if pool is not None and pool.has_tsa
              else stamp_many(tsa, [sigs[i] for i in order]))
    made = {i: tok for i, tok in zip(order, issued, strict=True) if tok is not None}
    if not made:
        return {}
    store.save_time_stamps(made)
    log.info("time-stamped %d event(s) stored earlier without a token", len(made))
    return store.time_stamps(sorted(made))


def _attachment_problem(
    wire: WireEvent, body: dict[str, Any], states: dict[str, Any]
) -> tuple[str, str] | None:
    if not wire.attachments:  # the envelope check made them equal to the body's references
        return None
    sizes = {
        str(ref.get("sha256")): ref.get("size")
        for ref in attachment_refs(body.get("data"))
    }
    for sha in wire.attachments:
        st = states.get(sha)
        if st is None or not st.complete:
            return "attachment_missing", f"attachment {sha} is not (completely) uploaded"
        size = sizes.get(sha)
        if isinstance(size, int) and not isinstance(size, bool) and size != st.size:
            return "attachment_mismatch", f"attachment {sha} has {st.size} bytes, body says {size}"
    return None


def province_act(store: Store, dossier_code: str, action: str, note: str | None,
                 signer: Any = None, tsa: Any = None) -> WireEvent:
    """Record a province decision on a dossier the gateway knows (simulation of the province
    system), signed by the gateway's own certificate (``signer``) and chained to the dossier's
    latest event. With a time-stamping authority (``tsa``) the signature value is time-stamped
    (RFC 3161) as for counter events: the token is stored with the event and pulled with it.
    Raises StoreError ``unknown_dossier`` / ``bad_action`` / ``no_signer``."""
    event_type = PROVINCE_ACTIONS.get(action)
    if event_type is None:
        raise StoreError("bad_action", f"action must be one of {sorted(PROVINCE_ACTIONS)}")
    try:
        authz.check_province_event(event_type)
    except WireError as exc:
        raise StoreError(exc.code, exc.detail) from exc
    if signer is None:
        raise StoreError("no_signer", "the gateway has no signing certificate configured "
                         "(--signing-p12); counters refuse unsigned province events")
    found = store.dossier_by_code(dossier_code)
    if found is None:
        raise StoreError("unknown_dossier", f"the gateway has no dossier {dossier_code!r}")
    dossier_id, agency_code = found
    wire = province_event(
        dossier_id=dossier_id, dossier_code=dossier_code, event_type=event_type, note=note,
        dossier_prev=store.dossier_head(dossier_id), signer=signer,
    )
    token = stamp_many(tsa, [wire.signature or b""])[0] if tsa is not None else None
    outcome = store.insert_events([NewEvent(wire, agency_code, None, tst=token)])[0]
    if outcome != "accepted":
        raise StoreError(outcome, "province event could not be stored")
    return wire
