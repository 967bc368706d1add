"""The counter's sync engine (asyncio, no Qt, no app imports).

One round (:meth:`SyncEngine.run_once`): drain the outbox to the gateway, pull what the province
(and the centre's other counters) did since the durable cursor, fetch a newer procedure
catalogue. :meth:`SyncEngine.run_forever` repeats rounds, backing off on transient failures and
waking at once when asked ("retry now" in the GUI).

Exactly once rests on two facts: the gateway is idempotent by event id (a resent event is
answered ``duplicate``), and an outbox row is removed only after the gateway answered for that
very event. So a request lost at any point (before the gateway, after its commit, in the
response) only causes a resend, never a loss or a second copy. Pulled events are applied
idempotently by id, in the same store transaction that advances the cursor.

The engine never touches the store or the network on the event loop: store work goes to one
dedicated thread (the app's store is single-writer), HTTP to a small pool (several batches
can be in flight, which lets a gateway with several worker processes verify them in parallel).
The app implements :class:`SyncStore`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from sync.backoff import Backoff
from sync.client import (
    AttachmentRefused,
    AuthError,
    BatchRefused,
    GatewayClient,
    InvalidResponse,
    LocalAttachmentError,
    MiB,
    SyncError,
    TransientError,
)
from sync.client import (
    wire_json as wire_json,  # re-exported: tests build wire events with it
)
from sync.wire import WireEvent, now_vn

log = logging.getLogger(__name__)

T = TypeVar("T")


class SyncStore(Protocol):
    """What the engine needs from the counter's store. Every method is blocking and is called
    from the engine's single store thread; each write is one transaction."""

    def pending_batch(self, max_items: int, max_bytes: int,
                      after_seq: int = 0) -> list[dict[str, Any]]:
        """Oldest pending outbox events after position ``after_seq`` (each carries its
        ``outbox_seq``; see ``localdb.outbox.pending_batch``), ≥1 if any."""

    def record_results(self, delivered: Sequence[str], parked: Sequence[tuple[str, str]],
                       tsts: Mapping[str, str] | None = None) -> None:
        """Remove delivered events from the outbox and park rejected ones with their reason;
        keep the gateway's RFC 3161 tokens (`tsts`: event id -> base64 DER) with the events."""

    def note_attempt(self, ids: Sequence[str], error: str) -> None:
        """Remember a failed attempt on still-pending events (for IT)."""

    def cursor(self) -> str | None:
        """The durable pull cursor (None before the first pull)."""

    def apply_pulled(self, events: Sequence[WireEvent], cursor: str,
                     tsts: Mapping[str, str] | None = None) -> dict[str, int]:
        """Apply pulled events idempotently and store ``cursor`` in the SAME transaction, with
        the gateway's RFC 3161 tokens of those events (`tsts`: event id -> base64 DER)."""

    def catalogue_version(self) -> str | None: ...

    def store_catalogue(self, version: str, document: bytes) -> None:
        """Validate and activate a catalogue from the gateway (raise to refuse it)."""

    def attachment_path(self, sha256: str) -> Path: ...

    def missing_attachments(self) -> list[str]:
        """Scans of dossiers received at the centre's other counters not held here yet."""

    def store_attachment(self, sha256: str, data: bytes) -> None:
        """Keep a downloaded scan (already checked against its hash)."""

    def state(self) -> dict[str, Any]:
        """The persisted sync state (see ``write_state``)."""

    def write_state(self, **values: Any) -> None:
        """Persist state keys: online, offline_since, last_success, last_error,
        last_error_reason, clock_skew_seconds, gateway_url."""

    def counts(self) -> dict[str, int]:
        """{"pending": n, "parked": m}"""


@dataclass
class EngineConfig:
    """Tunables; the defaults suit a commune counter on a flaky link."""

    batch_max_items: int = 250
    batch_max_bytes: int = 2 * MiB  # raw payload+signature; base64 JSON stays under 8 MiB
    # batches in flight at once (the next is sent before an answer): 4 keeps a gateway's
    # signature workers busy while its main process stores and answers (bench_sync: a
    # 10,000-event drain 2.9 s with 4 against 5.3 s with 2, same machine, same load)
    parallel_batches: int = 4
    # payload+signature bytes read from the store and not yet answered: the sender's memory
    # bound whatever the backlog (0: parallel_batches x batch_max_bytes)
    max_inflight_bytes: int = 0
    pull_limit: int = 500
    poll_interval: float = 20.0
    backoff_base: float = 0.5
    backoff_cap: float = 10.0
    auth_retry_interval: float = 60.0
    skew_threshold: float = 180.0
    chunk_size: int = MiB
    pull: bool = True
    catalogue: bool = True
    # audit rows sent for the gateway's witness: per push (the gateway takes at most 2,000)
    # and pushes per round (a first push of a long log goes in pieces over several rounds)
    audit_rows_per_push: int = 2000
    audit_pushes: int = 25


@dataclass
class SyncResult:
    """What one round did; ``error`` is None when every step succeeded."""

    delivered: int = 0
    parked: int = 0
    pulled: int = 0
    applied: int = 0
    refused: int = 0  # pulled events that failed verification (never applied)
    refused_reasons: dict[str, int] = field(default_factory=dict)  # machine code -> count
    rotations_applied: int = 0  # gateway signing-certificate announcements applied
    rotations_refused: dict[str, int] = field(default_factory=dict)  # machine code -> count
    # pulled events refused in an earlier round (trust) that were checked again and now pass
    refused_lifted: int = 0
    uploaded_bytes: int = 0
    catalogue_version: str | None = None
    catalogue_error: str | None = None
    # the same refusal in the clerk's words: {"vi": …, "en": …} (stored for `sync status`)
    catalogue_error_words: dict[str, str] | None = None
    catalogue_checked: bool = False  # the catalogue step ran to its end (state is current)
    error: SyncError | None = None
    pending: int = 0
    parked_total: int = 0
    clock_skew_seconds: float | None = None
    parked_reasons: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def offline(self) -> bool:
        return isinstance(self.error, TransientError)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "delivered": self.delivered, "parked": self.parked,
            "pulled": self.pulled, "applied": self.applied, "refused": self.refused,
            "uploaded_bytes": self.uploaded_bytes, "catalogue_version": self.catalogue_version,
            "catalogue_error": self.catalogue_error, "pending": self.pending,
            "parked_total": self.parked_total, "clock_skew_seconds": self.clock_skew_seconds,
            "catalogue_error_words": self.catalogue_error_words,
            "refused_reasons": dict(self.refused_reasons),
            "rotations_applied": self.rotations_applied,
            "rotations_refused": dict(self.rotations_refused),
            "refused_lifted": self.refused_lifted,
            "error": None if self.error is None else {
                "reason": self.error.reason, "detail": self.error.detail,
                "transient": isinstance(self.error, TransientError)},
        }


def _now_iso() -> str:
    return now_vn().isoformat()


class SyncEngine:
    """Drives one counter's sync. Create it on (or before) the loop that will run it."""

    def __init__(self, store: SyncStore, client: GatewayClient,
                 config: EngineConfig | None = None):
        self.store = store
        self.client = client
        self.config = config or EngineConfig()
        self.backoff = Backoff(base=self.config.backoff_base, cap=self.config.backoff_cap)
        self.wake_event: asyncio.Event | None = None
        self._http = ThreadPoolExecutor(max(1, self.config.parallel_batches),
                                        thread_name_prefix="sync-http")
        self._db = ThreadPoolExecutor(1, thread_name_prefix="sync-store")
        self._uploaded: set[str] = set()
        # the claimed audit head older counters sent with each push: no longer sent (a claim
        # would become the witness of a counter the gateway has no witness for yet); the audit
        # rows themselves go in `_witness_audit`
        self._audit_head: dict[str, Any] | None = None
        self._tsts: dict[str, str] = {}  # event id -> time-stamp token from the last push
        self._failures: dict[str, int] = {}  # event id -> pushes that failed with a 5xx
        self._scans_checked = False
        self._skew: float | None = None
        self._skew_reported: float | None = None
        self._was_offline = False
        client.on_skew = self._on_skew

    # ---- thread hops ------------------------------------------------------------------------
    async def _in_store(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    async def _in_http(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._http, fn, *args)

    def close(self, wait: bool = True) -> None:
        """Release the worker threads (HTTP calls all have timeouts, so waiting is bounded)."""
        self._http.shutdown(wait=wait, cancel_futures=True)
        self._db.shutdown(wait=wait, cancel_futures=True)

    def _on_skew(self, skew: float) -> None:  # called from HTTP threads
        self._skew = skew

    # ---- one round --------------------------------------------------------------------------
    async def run_once(self) -> SyncResult:
        """Drain, pull, catalogue. Never raises for network or gateway trouble: the error is in
        the result and in the persisted state."""
        result = SyncResult()
        uploaded_before = self.client.bytes_uploaded
        # the audit rows already in the log go to the witness beside the events, not after
        # them (a backlog's rows waited ~0.1 s per 10,000 at the end of the round); the rows
        # the round itself adds (the pull) follow at its end
        early = asyncio.ensure_future(self._witness_audit())
        try:
            try:
                await self._drain(result)
            finally:
                await self._settle_task(early)
            if self.config.pull:
                await self._pull(result)
                if result.applied or not self._scans_checked:
                    await self._fetch_scans()
            if self.config.catalogue:
                await self._catalogue(result)
            await self._witness_audit()
        except SyncError as exc:
            result.error = exc
        result.uploaded_bytes = self.client.bytes_uploaded - uploaded_before
        await self._record_round(result)
        return result

    async def _drain(self, result: SyncResult) -> None:
        """Push the outbox as a pipeline: up to ``parallel_batches`` batches in flight, the
        next one read and sent as soon as one is answered, never more than
        ``max_inflight_bytes`` of events held; each answer is recorded as it arrives. Stops at
        the end of the outbox or at the first failure (after the batches in flight answered)."""
        cfg = self.config
        depth = max(1, cfg.parallel_batches)
        budget = cfg.max_inflight_bytes or depth * cfg.batch_max_bytes
        after = 0
        tasks: dict[asyncio.Future[Any], tuple[list[dict[str, Any]], int]] = {}
        held = 0
        exhausted = False
        # An event is never sent while an earlier event of its dossier is in another batch
        # still in flight: the gateway would judge it before the earlier one is stored (e.g. a
        # follow-up of a receipt it does not hold yet). Such an event waits for that answer.
        busy: dict[str | None, int] = {}  # dossier id -> events of it in flight
        blocked = False
        failure: BaseException | None = None
        failed_ids: list[str] = []
        while True:
            while not exhausted and not blocked and failure is None and len(tasks) < depth and (
                    not tasks or held < budget):
                items = await self._in_store(self.store.pending_batch, cfg.batch_max_items,
                                             cfg.batch_max_bytes, after)
                if not items:
                    exhausted = True
                    break
                cut = next((k for k, i in enumerate(items) if i.get("dossier_id") in busy), None)
                if cut is not None:
                    items, blocked = items[:cut], True
                    if not items:
                        break
                after = max(after, *(int(i.get("outbox_seq", 0)) for i in items))
                parked: list[tuple[str, str]] = []
                items = await self._upload_attachments(items, parked)
                if parked:
                    await self._settle([], parked, result)
                if not items:
                    continue
                size = sum(len(i["payload"]) + len(i.get("signature") or b"") for i in items)
                held += size
                for i in items:
                    busy[i.get("dossier_id")] = busy.get(i.get("dossier_id"), 0) + 1
                tasks[asyncio.ensure_future(self._push(items))] = (items, size)
            if not tasks:
                if blocked and failure is None:  # only parked events were in the way
                    blocked = False
                    continue
                break
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            blocked = False
            for task in done:
                batch, size = tasks.pop(task)
                held -= size
                for i in batch:
                    d = i.get("dossier_id")
                    busy[d] -= 1
                    if not busy[d]:
                        del busy[d]
                exc = task.exception()
                if exc is not None:
                    failure = failure or exc
                    failed_ids.extend(i["id"] for i in batch)
                    continue
                ok_ids, rejected, missing = task.result()
                if missing:
                    failure = failure or InvalidResponse(
                        f"the gateway did not answer for {len(missing)} event(s) it was sent")
                    failed_ids.extend(missing)
                if not ok_ids and not rejected and not missing:
                    failure = failure or InvalidResponse(
                        "the gateway answered but no event was settled")
                await self._settle(ok_ids, rejected, result)
        self._tsts.clear()  # tokens of events not settled (a failed batch) are asked again
        release = getattr(self.client, "release_buffers", None)
        if release is not None:  # the push body buffers are kept for a drain, not for ever
            release()
        if failure is not None:
            err = failure if isinstance(failure, SyncError) else \
                TransientError("internal", f"{type(failure).__name__}: {failure}")
            if not isinstance(failure, SyncError):
                log.error("push failed unexpectedly", exc_info=failure)
            if failed_ids:
                with contextlib.suppress(Exception):
                    await self._in_store(self.store.note_attempt, failed_ids,
                                         f"{err.reason}: {err.detail}"[:500])
            raise err

    @staticmethod
    async def _settle_task(task: asyncio.Future[Any]) -> None:
        """Wait for a side task of the round (it logs its own trouble); when the round itself
        is cancelled, cancel it too."""
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            task.cancel()
            raise

    async def _witness_audit(self) -> None:
        """Send the audit rows the gateway has not witnessed yet (after the pull, so the rows
        of what it applied are witnessed too), at most ``audit_rows_per_push`` per push and
        ``audit_pushes`` pushes per round; the gateway recomputes the chain from the head it
        holds and answers where it stands (the counter starts from that, never from its own
        file alone). Trouble here is logged and ends it: the events are already settled."""
        rows_of = getattr(self.store, "witness_rows", None)
        noted = getattr(self.store, "note_witness", None)
        if rows_of is None or not hasattr(self.client, "push_audit"):
            return
        answer: dict[str, Any] | None = None
        seen: set[tuple[int, int]] = set()
        for _ in range(max(1, self.config.audit_pushes)):
            rows = await self._in_store(rows_of, answer, self.config.audit_rows_per_push)
            if not rows:
                return
            step = (int(rows[0][0]), int(answer["seq"]) if answer else -1)
            if step in seen:  # the same rows again: nothing more to gain this round
                return
            seen.add(step)
            try:
                answer = await self._in_http(self.client.push_audit, rows)
            except SyncError as exc:
                log.warning("audit rows not witnessed this round: %s", exc)
                return
            if answer is None:  # an older gateway: it keeps the claimed head only
                return
            if noted is not None:
                await self._in_store(noted, answer)
            if answer["status"] in ("break", "unchanged"):
                if answer["status"] == "break":
                    log.warning("the gateway recorded a break in this counter's witnessed audit"
                                " log at #%s", answer["seq"])
                return

    async def _settle(self, delivered: list[str], parked: list[tuple[str, str]],
                      result: SyncResult) -> None:
        """Record one answer (delivered events with their time-stamp tokens, parked ones)."""
        tsts = {i: self._tsts.pop(i) for i in delivered if i in self._tsts}
        if delivered or parked:
            await self._in_store(self.store.record_results, delivered, parked, tsts)
        result.delivered += len(delivered)
        result.parked += len(parked)
        result.parked_reasons.extend(parked)
        for eid, reason in parked:
            log.warning("event %s parked: %s", eid, reason)

    async def _push(self, batch: list[dict[str, Any]], isolating: bool = False
                    ) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        """Push one batch. A 4xx about the whole request is narrowed down by halving until the
        event at fault is alone, and only that one is parked. A batch the gateway fails on
        (500-like, not load: 502/503/504 and 429 stay plain transient) is retried once in a
        later round; when it fails a second time it is halved, each half tried twice, and an
        event that still fails alone is parked, so one poisonous event never holds the queue."""
        try:
            if isolating:
                results = await self._push_twice(batch)
            else:
                results = await self._in_http(_push_items, self.client, batch, self._audit_head)
        except BatchRefused as exc:
            if len(batch) == 1:
                return [], [(batch[0]["id"], _reason(exc.reason, exc.detail))], []
            mid = len(batch) // 2
            a = await self._push(batch[:mid], isolating)
            b = await self._push(batch[mid:], isolating)
            return a[0] + b[0], a[1] + b[1], a[2] + b[2]
        except TransientError as exc:
            if not _poisonous(exc):
                raise
            if not isolating:
                worst = 0
                for i in batch:
                    before = self._failures.get(i["id"], 0)
                    if not before and _POISON_RE.search(i.get("last_error") or ""):
                        before = 1  # failed like this in an earlier run (e.g. `sync once`)
                    self._failures[i["id"]] = n = before + 1
                    worst = max(worst, n)
                if worst < 2:
                    raise
                log.warning("a batch of %d event(s) failed twice (%s): isolating the event at"
                            " fault", len(batch), exc.detail)
            if len(batch) == 1:
                self._failures.pop(batch[0]["id"], None)
                return [], [(batch[0]["id"], _reason(
                    "gateway_error", f"the gateway fails on this event alone ({exc.detail})"))], []
            mid = len(batch) // 2
            a = await self._push(batch[:mid], True)
            b = await self._push(batch[mid:], True)
            return a[0] + b[0], a[1] + b[1], a[2] + b[2]
        for i in batch:
            self._failures.pop(i["id"], None)
        ok: list[str] = []
        rejected: list[tuple[str, str]] = []
        for r in results:
            if r.id is None:  # check_push_answer guarantees it
                raise RuntimeError("push answer without an event id")
            if r.status in ("accepted", "duplicate"):
                ok.append(r.id)
                if r.tst:
                    self._tsts[r.id] = r.tst
            else:
                rejected.append((r.id, _reason(r.reason or "rejected", r.detail or "")))
        answered = {r.id for r in results}
        missing = [i["id"] for i in batch if i["id"] not in answered]
        return ok, rejected, missing

    async def _push_twice(self, batch: list[dict[str, Any]]) -> Any:
        try:
            return await self._in_http(_push_items, self.client, batch, self._audit_head)
        except TransientError as exc:
            if not _poisonous(exc):
                raise
            return await self._in_http(_push_items, self.client, batch, self._audit_head)

    async def _upload_attachments(self, items: list[dict[str, Any]],
                                  parked: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """Upload every attachment the batch's events need before the events themselves (the
        gateway refuses an event whose scans it does not hold), up to ``parallel_batches`` of
        them at once. A local or content problem parks the events that need that attachment; a
        network problem ends the round."""
        needed: dict[str, list[str]] = {}
        for it in items:
            for sha in it.get("attachments") or ():
                if sha not in self._uploaded:
                    needed.setdefault(sha, []).append(it["id"])
        bad: dict[str, str] = {}
        slots = asyncio.Semaphore(max(1, self.config.parallel_batches))

        async def upload(sha: str) -> None:
            async with slots:
                path = await self._in_store(self.store.attachment_path, sha)
                try:
                    report = await self._in_http(self._upload_one, sha, path)
                except FileNotFoundError:
                    bad[sha] = _reason("attachment_missing_locally",
                                       f"scan {sha[:12]}… is missing from this counter")
                    return
                except (LocalAttachmentError, AttachmentRefused) as exc:
                    bad[sha] = _reason(exc.reason, exc.detail)
                    return
            self._uploaded.add(sha)
            if report.bytes_sent:
                log.info("attachment %s… uploaded: %d bytes (resumed from %d)", sha[:12],
                         report.bytes_sent, report.resumed_from)

        # several scans at once (each still in order, chunk after chunk): one at a time, a
        # batch of received dossiers waited ~60 ms per scan here before its events could go
        outcomes = await asyncio.gather(*(upload(sha) for sha in needed),
                                        return_exceptions=True)
        failure = next((o for o in outcomes if isinstance(o, BaseException)), None)
        if failure is not None:  # a network problem ends the round (after the others ended)
            raise failure
        if not bad:
            return items
        keep = []
        for it in items:
            problem = next((bad[s] for s in it.get("attachments") or () if s in bad), None)
            if problem is None:
                keep.append(it)
            else:
                parked.append((it["id"], problem))
        return keep

    def _upload_one(self, sha: str, path: Path) -> Any:
        return self.client.upload_attachment(sha, path, chunk_size=self.config.chunk_size)

    async def _rotation(self, announced: str, result: SyncResult) -> None:
        """The gateway announces a signing certificate for province events that this counter
        does not pin: fetch the signed announcements and let the store judge them (before
        applying the page, whose events may already be signed by the new certificate)."""
        needed = getattr(self.store, "rotation_needed", None)
        apply = getattr(self.store, "apply_rotations", None)
        if needed is None or apply is None or not await self._in_store(needed, announced):
            return
        items = await self._in_http(self.client.gateway_rotations)
        outcome = await self._in_store(apply, items)
        result.rotations_applied += len(outcome.get("applied") or [])
        for r in outcome.get("refused") or []:
            code = str(r.get("code"))
            result.rotations_refused[code] = result.rotations_refused.get(code, 0) + 1

    async def _retry_refused(self, result: SyncResult) -> None:
        """Pulled events refused earlier for a trust reason are checked again by the store
        (when its trust changed since the last check: a rotation just pinned, an anchor or
        CRL installed…) and applied when they pass now."""
        retry = getattr(self.store, "retry_refused", None)
        if retry is None:
            return
        outcome = await self._in_store(retry)
        result.refused_lifted += int(outcome.get("applied", 0)) + int(outcome.get("waiting", 0))

    async def _pull(self, result: SyncResult) -> None:
        cursor = start = await self._in_store(self.store.cursor)
        while True:
            page = await self._in_http(self.client.pull, cursor, self.config.pull_limit)
            if page.rotation_sha256 and cursor == start:
                await self._rotation(page.rotation_sha256, result)
            if cursor == start:  # before this round's page: each dossier keeps its order
                await self._retry_refused(result)
            if page.events or page.cursor != cursor:
                stats = await self._in_store(self.store.apply_pulled, page.events, page.cursor,
                                             page.tsts)
                result.pulled += len(page.events)
                result.applied += int(stats.get("applied", 0))
                result.refused += int(stats.get("refused", 0))
                reasons = cast(dict[str, int], stats.get("refused_reasons") or {})
                for code, n in reasons.items():
                    result.refused_reasons[code] = result.refused_reasons.get(code, 0) + int(n)
            if not page.more or page.cursor == cursor:
                return
            cursor = page.cursor

    async def _fetch_scans(self) -> None:
        """Download the scans of dossiers materialised from the centre's other counters, so
        every counter can show (and `check`) them. A scan the gateway does not have for this
        centre is logged and asked for again in a later round."""
        missing = await self._in_store(self.store.missing_attachments)
        for sha in missing:
            try:
                data = await self._in_http(self.client.download_attachment, sha)
            except AttachmentRefused as exc:
                log.warning("scan %s… not downloaded: %s", sha[:12], exc)
                continue
            if data is None:
                log.warning("the gateway has no scan %s… for this centre yet", sha[:12])
                continue
            await self._in_store(self.store.store_attachment, sha, data)
        self._scans_checked = True

    async def _catalogue(self, result: SyncResult) -> None:
        current = await self._in_store(self.store.catalogue_version)
        got = await self._in_http(self.client.catalogue, current)
        result.catalogue_checked = True
        try:
            if got is None:
                # nothing newer; a gateway that serves an OLDER catalogue than this counter's
                # is said (the store refuses it), not silently ignored
                served = getattr(self.client, "served_catalogue_version", None)
                check = getattr(self.store, "check_served_catalogue", None)
                if served and served != current and check is not None:
                    version = served
                    await self._in_store(check, served)
                return
            version, document = got
            await self._in_store(self.store.store_catalogue, version, document)
        except Exception as exc:
            result.catalogue_error = f"{version}: {exc}"
            vi, en = getattr(exc, "vi", None), getattr(exc, "en", None)
            result.catalogue_error_words = {"vi": f"{version}: {vi or exc}",
                                            "en": f"{version}: {en or exc}"}
            log.error("catalogue %s from the gateway refused: %s", version, exc)
            return
        result.catalogue_version = version
        log.info("procedure catalogue %s installed from the gateway", version)

    # ---- state ------------------------------------------------------------------------------
    async def _record_round(self, result: SyncResult) -> None:
        now = _now_iso()
        values: dict[str, Any] = {}
        skew = self._skew
        if skew is not None:
            result.clock_skew_seconds = round(skew, 1)
            beyond = abs(skew) > self.config.skew_threshold
            reported = round(skew) if beyond else None
            if beyond and (self._skew_reported is None
                           or abs(self._skew_reported - skew) > 30):
                from sync.reasons import clock_skew_words

                log.warning("%s compared with the gateway (limit %.0f s); receipt times may be"
                            " wrong", clock_skew_words(skew, "en"), self.config.skew_threshold)
            if not beyond and self._skew_reported is not None:
                log.info("counter clock agrees with the gateway again (%+.1f s)", skew)
            self._skew_reported = skew if beyond else None
            values["clock_skew_seconds"] = reported
        if result.catalogue_checked:
            values["catalogue_error"] = result.catalogue_error
            values["catalogue_error_words"] = result.catalogue_error_words
        if result.refused:  # kept until the next round that refuses pulled events
            values["pull_refused"] = {"at": now, "count": result.refused,
                                      "reasons": dict(result.refused_reasons)}
        err = result.error
        if err is None:
            values.update(online=True, offline_since=None, last_success=now)
            if self._was_offline:
                log.info("gateway reachable again")
            self._was_offline = False
        else:
            prev = await self._safe_state()
            since = prev.get("offline_since") if prev.get("online") is False else None
            values.update(online=False, offline_since=since or now, last_error=now,
                          last_error_reason=err.reason)
            level = logging.WARNING if not self._was_offline else logging.INFO
            log.log(level, "sync round failed (%s): %s", err.reason, err.detail)
            self._was_offline = True
        values["gateway_url"] = self.client.base_url
        try:
            await self._in_store(lambda: self.store.write_state(**values))
            counts = await self._in_store(self.store.counts)
            result.pending = counts.get("pending", 0)
            result.parked_total = counts.get("parked", 0)
        except Exception:
            log.exception("could not record the sync state")

    async def _safe_state(self) -> dict[str, Any]:
        try:
            return await self._in_store(self.store.state)
        except Exception:
            return {}

    # ---- forever ----------------------------------------------------------------------------
    def next_delay(self, result: SyncResult) -> float:
        """How long to wait after a round: the poll interval after success, backoff (with the
        server's Retry-After) after a transient failure, longer after a refused credential."""
        err = result.error
        if err is None:
            self.backoff.reset()
            return self.config.poll_interval
        if isinstance(err, AuthError):
            self.backoff.failures += 1
            return self.config.auth_retry_interval
        return self.backoff.next_delay(getattr(err, "retry_after", None))

    async def run_forever(self, stop: asyncio.Event, wake: asyncio.Event | None = None,
                          on_round: Callable[[SyncResult], None] | None = None) -> None:
        """Rounds until ``stop`` is set; ``wake`` cuts any wait short (GUI "retry now")."""
        wake = wake or asyncio.Event()
        self.wake_event = wake
        while not stop.is_set():
            result = await self.run_once()
            if on_round is not None:
                try:
                    on_round(result)
                except Exception:
                    log.exception("on_round hook failed")
            delay = self.next_delay(result)
            if stop.is_set():
                break
            await _wait_any(stop, wake, delay)
            wake.clear()


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, delay: float) -> None:
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waits, timeout=max(0.0, delay), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


def _push_items(client: GatewayClient, batch: list[dict[str, Any]],
                audit_head: dict[str, Any] | None = None) -> Any:
    """Encode (base64, JSON) and push in the HTTP thread: keeps the loop free."""
    return client.push_items(batch, audit_head)


def _split(items: list[dict[str, Any]], max_items: int, max_bytes: int
           ) -> list[list[dict[str, Any]]]:
    """Cut into batches bounded by count and by payload+signature bytes (≥1 item each),
    of even size so parallel batches finish together."""
    if items:
        max_items = math.ceil(len(items) / math.ceil(len(items) / max_items))
    out: list[list[dict[str, Any]]] = []
    cur: list[dict[str, Any]] = []
    size = 0
    for it in items:
        n = len(it["payload"]) + len(it.get("signature") or b"")
        if cur and (len(cur) >= max_items or size + n > max_bytes):
            out.append(cur)
            cur, size = [], 0
        cur.append(it)
        size += n
    if cur:
        out.append(cur)
    return out


#: how a poisonous failure reads in the outbox's last_error (see note_attempt in _drain)
_POISON_RE = re.compile(r"HTTP (50[01]|50[5-9]|5[1-9]\d):")


def _poisonous(exc: BaseException) -> bool:
    """A 5xx that may be caused by the content sent (not overload, not a proxy's gateway
    error): 500, 501, 505 and above."""
    status = getattr(exc, "status", None)
    return isinstance(exc, TransientError) and isinstance(status, int) and status >= 500 \
        and status not in (502, 503, 504)


def _reason(code: str, detail: str) -> str:
    text = f"{code}: {detail}" if detail else code
    return text[:500]
