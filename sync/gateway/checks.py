"""The per-event CPU work of a push, in this process or in a pool of processes.

Checking an event needs no database: decode the envelope, check that the payload is canonical
JSON and agrees with the envelope, and verify the signature. That is nearly all the CPU an
ingest costs, so the gateway can spread it over the machine's cores (a
``ProcessPoolExecutor``, sized to the cores, started once), while the event loop stays free and
the database work (look-ups, one insert transaction per batch) stays in the calling thread.

The workers also issue the gateway's RFC 3161 tokens when it has a TSA (one RSA signature
per accepted event). A verifier or TSA can run in the pool only when it pickles
(``SigningVerifier`` pickles as its configuration and is rebuilt, with its own caches, in each
worker; ``TimeStampAuthority`` as its certificate, key and chain); anything else — the stubs of
the tests, ``reject_all`` — runs in-process, with the same code.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.gateway import authz
from sync.gateway.authz import Refusal
from sync.gateway.verify import Verifier
from sync.wire import ORIGIN_COUNTER, WireError, WireEvent, attachment_refs, orjson

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checked:
    """One pushed event after the checks: ``rejection`` (code, detail) when its envelope or
    body is unacceptable; else ``wire`` and ``body``, and the verifier's ``verdict`` (ok, code,
    detail) unless the caller asked to skip it (an id already stored: no signature work).
    From a worker process ``body`` is the body's `body_view` (all but most of ``data``)."""

    wire: WireEvent | None = None
    body: dict[str, Any] | None = None
    rejection: tuple[str, str] | None = None
    verdict: tuple[bool, str, str] | None = None
    #: authz.static_refusals of the event, when the caller gave the sender and the clock
    refusals: tuple[Refusal, Refusal] | None = None


#: who pushes and the gateway's clock: what the authorization table needs besides the event
#: and the gateway's records (authz.static_refusals)
Context = tuple[authz.Sender, datetime]


def check_one(verifier: Verifier, obj: object, verify: bool,
              ctx: Context | None = None) -> Checked:
    try:
        wire = WireEvent.from_json(obj)
        if wire.origin != ORIGIN_COUNTER:
            raise WireError("bad_origin", "counters may only push counter-origin events")
        if wire.signature is None:
            raise WireError("signature_missing", "counter events must be signed")
        body = wire.body()
        wire.check_envelope(body)
    except WireError as exc:
        return Checked(rejection=(exc.code, exc.detail))
    wire.payload_sha256  # noqa: B018 - computed here (a worker), kept with the event
    refusals = None if ctx is None else authz.static_refusals(
        wire.type, wire.dossier_id, wire.dossier_code, wire.occurred_at_dt, body, *ctx)
    if not verify:
        return Checked(wire, body, refusals=refusals)
    try:
        verdict = verifier(wire.payload, wire.signature, wire.occurred_at_dt)
    except Exception as exc:
        log.warning("verifier failed on event %s: %s", wire.id, exc)
        verdict = (False, "bad_signature", f"signature could not be checked: {exc}")
    return Checked(wire, body, verdict=verdict, refusals=refusals)


def check_many(verifier: Verifier, items: Sequence[tuple[object, bool]],
               ctx: Context | None = None) -> list[Checked]:
    return [check_one(verifier, obj, verify, ctx) for obj, verify in items]


# ---- the pool ------------------------------------------------------------------------------

_worker_verifier: Verifier | None = None
_worker_tsa: Any = None


def _init_worker(verifier: Verifier, tsa: Any = None) -> None:
    global _worker_verifier, _worker_tsa
    _worker_verifier = verifier
    _worker_tsa = tsa
    warm(verifier)


def warm(verifier: Verifier) -> None:
    """Load what the first check would load (the signing stack: ~0.1 CPU-second), at start
    rather than in the first counter's push."""
    hook = getattr(verifier, "warm", None)
    if callable(hook):
        hook()


def _check_chunk(items: Sequence[tuple[object, bool]],
                 ctx: Context | None = None) -> list[tuple[Any, ...]]:
    """`check_many` in a worker, each result as a flat tuple (see `_pack`): pickling a
    WireEvent and a body dict and unpickling them cost ~40 µs per event, more than all the
    gateway process's own work per event; flat tuples of bytes and short strings ~5 µs."""
    if _worker_verifier is None:
        raise RuntimeError("the worker process was started without a verifier")
    return [_pack(c) for c in check_many(_worker_verifier, items, ctx)]


def _check_chunk_json(blob: bytes, ctx: Context | None = None) -> list[tuple[Any, ...]]:
    """`_check_chunk` of items sent as orjson bytes (see CheckPool.check)."""
    return _check_chunk([(obj, verify) for obj, verify in orjson.loads(blob)], ctx)


def _pack(c: Checked) -> tuple[Any, ...]:
    """A Checked as a flat tuple that pickles cheaply: (code, detail) for a rejection, else the
    envelope's fields, the event hash, the body's `body_view` and the verdict."""
    w = c.wire
    if c.rejection is not None or w is None or c.body is None:
        code, detail = c.rejection or ("malformed", "event could not be read")
        return (code, detail)
    return (w.id, w.dossier_id, w.dossier_code, w.type, w.occurred_at, w.origin, w.actor,
            w.payload, w.signature, w.attachments, w.payload_sha256,
            body_view(c.body, has_refs=bool(w.attachments)),
            c.verdict, c.refusals)


def _unpack(t: tuple[Any, ...]) -> Checked:
    """`_pack` undone in the gateway process (the WireEvent rebuilt without re-checking what
    the worker checked; its time is parsed again only if something asks)."""
    if len(t) == 2:
        return Checked(rejection=(t[0], t[1]))
    wire = object.__new__(WireEvent)
    wire.__dict__.update(id=t[0], dossier_id=t[1], dossier_code=t[2], type=t[3],
                         occurred_at=t[4], origin=t[5], actor=t[6], payload=t[7],
                         signature=t[8], attachments=t[9], _payload_sha256=t[10])
    return Checked(wire, t[11], verdict=t[12], refusals=t[13])


#: the members of a body the gateway process reads after the checks (authz: the sending
#: counter; the counter chain row: its number and predecessor)
_VIEW_KEYS = ("counter", "counter_seq", "counter_prev")
#: the members of a body's "data" that the gateway process reads (authz: the dossier's code
#: and id)
_DATA_KEYS = ("code", "id")


def body_view(body: dict[str, Any], has_refs: bool = True) -> dict[str, Any]:
    """What the gateway process gets of a body checked in a worker: the sending counter, its
    chain number and predecessor, and of ``data`` (the whole dossier for ``received``) only its
    ``code`` and ``id`` and its attachment references (sha256, size). A check that reads more
    of the body belongs in `check_one`, which sees the whole body; a judgement in
    sync.gateway.service that reads more must add the member here. ``has_refs=False`` (the
    checked envelope lists no attachment, so the body references none) skips the walk over
    the whole dossier for references (~25 µs per event)."""
    view = {k: body[k] for k in _VIEW_KEYS if k in body}
    if "data" in body:
        data = body["data"]
        cut: dict[str, Any] = {}
        if isinstance(data, dict):
            cut = {k: data[k] for k in _DATA_KEYS if k in data}
        refs = attachment_refs(data) if has_refs else []
        if refs:
            cut["attachments"] = [{"sha256": r["sha256"], "size": r.get("size")}
                                  for r in refs]
        view["data"] = cut
    return view


def stamp_many(tsa: Any, signatures: Sequence[bytes]) -> list[bytes | None]:
    """An RFC 3161 token for each CMS signature's value; None where issuing failed (logged:
    such an event is "not yet time-stamped", not refused)."""
    out: list[bytes | None] = []
    for sig in signatures:
        try:
            out.append(tsa.stamp_signature(sig))
        except Exception:
            log.warning("time-stamping an event failed", exc_info=True)
            out.append(None)
    return out


def _stamp_chunk(signatures: Sequence[bytes]) -> list[bytes | None]:
    return stamp_many(_worker_tsa, signatures)


def default_processes() -> int:
    """One worker per core this process may use; none on a single core (a worker there only
    adds the hand-off: the checks run in-process)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


def _serve(conn: Any, verifier: Verifier, tsa: Any) -> None:
    """A worker process: answer (function, arguments) requests on its pipe until an empty
    message. Ctrl+C is the gateway's to handle: the worker ignores SIGINT and ends when told
    or when its pipe closes."""
    import signal

    from sync.heap import freeze_startup_heap

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(verifier, tsa)
    freeze_startup_heap("signature worker")  # a worker process runs nothing else
    while True:
        try:
            msg = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not msg:
            return
        fn, args = pickle.loads(msg)  # noqa: S301 - our own gateway process, its pipe
        try:
            reply: tuple[str, Any] = ("ok", fn(*args))
        except Exception as exc:  # answered, not swallowed: the gateway logs and raises it
            log.exception("signature worker: %s failed", getattr(fn, "__name__", fn))
            reply = ("error", f"{type(exc).__name__}: {exc}")
        conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


class WorkerFailed(RuntimeError):
    """A signature worker answered with an error or died; the push is answered 500 and the
    worker (if dead) replaced."""


class CheckPool:
    """Worker processes that each hold a copy of the verifier. ``check`` blocks the calling
    thread (never call it on the event loop) and returns the results in order.

    Each worker is a process with one pipe: the calling thread writes its part of a batch and
    reads the answer itself (a ProcessPoolExecutor routes both through two helper threads of
    the gateway process: ~550 µs of its CPU per part of 25 events, against ~220 µs)."""

    def __init__(self, verifier: Verifier, processes: int, *, tsa: Any = None,
                 min_chunk: int = 16):
        pickle.dumps(verifier)  # fail now, not in a worker, when it cannot travel
        if tsa is not None:
            try:
                pickle.dumps(tsa)
            except (pickle.PicklingError, TypeError, AttributeError):
                log.warning("the time-stamping authority cannot be copied into worker"
                            " processes: tokens are issued in-process")
                tsa = None
        self.has_tsa = tsa is not None
        self.processes = max(1, processes)
        self.min_chunk = min_chunk
        self._verifier, self._tsa = verifier, tsa
        # spawn: the gateway has threads (uvicorn, the store); forking them is unsafe
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.SimpleQueue[tuple[Any, Any]] = queue.SimpleQueue()
        self._take = threading.Lock()  # one push takes workers at a time: no two pushes can
        # each hold a worker while waiting for one the other holds
        self._workers: list[tuple[Any, Any]] = []
        self._closed = False
        for _ in range(self.processes):  # started now (imports, trust store), not at a push
            self._idle.put(self._start())

    def _start(self) -> tuple[Any, Any]:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve, args=(child, self._verifier, self._tsa),
                                 name="motcua-gateway-check", daemon=True)
        proc.start()
        child.close()
        self._workers.append((proc, parent))
        return proc, parent

    def check(self, items: Sequence[tuple[object, bool]], ctx: Context | None = None, *,
              plain: bool = False) -> list[Checked]:
        """`check_many` spread over the workers. ``plain``: the items came from orjson alone
        (sync.wire.fast_loads), so they travel as orjson bytes — written back exactly, in a
        third of the time pickling them takes; anything else (a float, NaN: orjson would write
        null) is pickled."""
        if not items:
            return []
        if plain and orjson is not None:
            def encode(part: Sequence[Any]) -> bytes:
                return orjson.dumps(part)

            return [_unpack(t) for t in self._spread(_check_chunk_json, items, ctx,
                                                      encode=encode)]
        return [_unpack(t) for t in self._spread(_check_chunk, items, ctx)]

    def _spread(self, fn: Any, items: Sequence[Any], *extra: Any,
                encode: Any = None) -> list[Any]:
        if self._closed:
            raise WorkerFailed("the signature workers are stopped")
        n = len(items)
        parts = max(1, min(self.processes, n // self.min_chunk))
        size = -(-n // parts)
        # the messages are made before the workers are taken: a worker waits for no encoding
        msgs = [pickle.dumps((fn, (encode(chunk) if encode else chunk, *extra)),
                             protocol=pickle.HIGHEST_PROTOCOL)
                for chunk in (items[k:k + size] for k in range(0, n, size))]
        # each part goes to a worker as soon as one is free, and each worker goes back as soon
        # as its answer is read (never before: a stale answer would reach the next push), so
        # the parts of concurrent pushes follow each other without a worker waiting.
        replies: list[tuple[str, Any]] = []
        held: list[Any] = []  # (worker, sent) in the order of the parts
        try:
            with self._take:
                for msg in msgs:
                    worker = self._idle.get()
                    try:
                        worker[1].send_bytes(msg)
                        held.append((worker, True))
                    except (OSError, EOFError) as exc:
                        replies.append(("dead", f"{type(exc).__name__}: {exc}"))
                        held.append((self._replace(worker), False))
            for k, (worker, was_sent) in enumerate(held):
                if was_sent:
                    try:
                        replies.append(pickle.loads(worker[1].recv_bytes()))  # noqa: S301 - ours
                    except (OSError, EOFError) as exc:
                        replies.append(("dead", f"{type(exc).__name__}: {exc}"))
                        worker = self._replace(worker)
                held[k] = None
                self._idle.put(worker)
        finally:  # only after an unexpected error: a worker goes back without an answer due
            for rest in held:
                if rest is not None:
                    worker, was_sent = rest
                    if was_sent:
                        try:
                            worker[1].recv_bytes()  # the answer nobody will read
                        except (OSError, EOFError):
                            worker = self._replace(worker)
                    self._idle.put(worker)
        out: list[Any] = []
        for status, value in replies:
            if status != "ok":
                log.error("signature worker %s: %s", status, value)
                raise WorkerFailed(f"a signature worker {status}: {value}")
            out.extend(value)
        return out

    def _replace(self, worker: tuple[Any, Any]) -> tuple[Any, Any]:
        """A new worker for one that died (logged)."""
        proc, conn = worker
        log.error("signature worker %s died (exit code %s): starting another", proc.pid,
                  proc.exitcode)
        with contextlib.suppress(Exception):
            conn.close()
        self._workers.remove(worker)
        return self._start()

    def stamp(self, signatures: Sequence[bytes]) -> list[bytes | None]:
        """`stamp_many` spread over the workers (each holds a copy of the TSA)."""
        return self._spread(_stamp_chunk, signatures) if signatures else []

    def close(self) -> None:
        self._closed = True
        for _proc, conn in list(self._workers):
            with contextlib.suppress(OSError, EOFError):
                conn.send_bytes(b"")
        for proc, conn in list(self._workers):
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
            conn.close()
        self._workers.clear()


def poolable(verifier: Verifier) -> bool:
    """Whether a verifier can be copied into worker processes."""
    try:
        pickle.dumps(verifier)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True
