"""The per-event CPU work of a push, in this process or in a pool of processes.

Checking an event needs no database: decode the envelope, check that the payload is canonical
JSON and agrees with the envelope, and verify the signature. That is nearly all the CPU an
ingest costs, so the gateway can spread it over the machine's cores (a
``ProcessPoolExecutor``, sized to the cores, started once), while the event loop stays free and
the database work (look-ups, one insert transaction per batch) stays in the calling thread.

A verifier can run in the pool only when it pickles (``SigningVerifier`` pickles as its
configuration and is rebuilt, with its own caches, in each worker); any other verifier — the
stubs of the tests, ``reject_all`` — runs in-process, with the same code.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sync.gateway.verify import Verifier
from sync.wire import ORIGIN_COUNTER, WireError, WireEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checked:
    """One pushed event after the checks: ``rejection`` (code, detail) when its envelope or
    body is unacceptable; else ``wire`` and ``body``, and the verifier's ``verdict`` (ok, code,
    detail) unless the caller asked to skip it (an id already stored: no signature work)."""

    wire: WireEvent | None = None
    body: dict[str, Any] | None = None
    rejection: tuple[str, str] | None = None
    verdict: tuple[bool, str, str] | None = None


def check_one(verifier: Verifier, obj: object, verify: bool) -> Checked:
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
    if not verify:
        return Checked(wire, body)
    try:
        verdict = verifier(wire.payload, wire.signature, wire.occurred_at_dt)
    except Exception as exc:  # noqa: BLE001 - a verifier crash on odd input is a bad signature
        log.warning("verifier failed on event %s: %s", wire.id, exc)
        verdict = (False, "bad_signature", f"signature could not be checked: {exc}")
    return Checked(wire, body, verdict=verdict)


def check_many(verifier: Verifier, items: Sequence[tuple[object, bool]]) -> list[Checked]:
    return [check_one(verifier, obj, verify) for obj, verify in items]


# ---- the pool ------------------------------------------------------------------------------

_worker_verifier: Verifier | None = None


def _init_worker(verifier: Verifier) -> None:
    global _worker_verifier  # noqa: PLW0603 - one verifier per worker process
    _worker_verifier = verifier


def _check_chunk(items: Sequence[tuple[object, bool]]) -> list[Checked]:
    assert _worker_verifier is not None
    return check_many(_worker_verifier, items)


def _warm() -> int:
    return os.getpid()


def default_processes() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class CheckPool:
    """Worker processes that each hold a copy of the verifier. ``check`` blocks the calling
    thread (never call it on the event loop) and returns the results in order."""

    def __init__(self, verifier: Verifier, processes: int, *, min_chunk: int = 16):
        pickle.dumps(verifier)  # fail now, not in a worker, when it cannot travel
        self.processes = max(1, processes)
        self.min_chunk = min_chunk
        # spawn: the gateway has threads (uvicorn, the store); forking them is unsafe
        self._ex = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context(
            "spawn"), initializer=_init_worker, initargs=(verifier,))
        # start every worker now (imports, trust store), not on the first push
        self._started = [self._ex.submit(_warm) for _ in range(self.processes)]

    def check(self, items: Sequence[tuple[object, bool]]) -> list[Checked]:
        if not items:
            return []
        n = len(items)
        parts = max(1, min(self.processes, n // self.min_chunk))
        size = -(-n // parts)
        futures: list[Future[list[Checked]]] = [
            self._ex.submit(_check_chunk, items[k:k + size]) for k in range(0, n, size)]
        out: list[Checked] = []
        for f in futures:
            out.extend(f.result())
        return out

    def close(self) -> None:
        self._ex.shutdown(wait=True, cancel_futures=True)


def poolable(verifier: Verifier) -> bool:
    """Whether a verifier can be copied into worker processes."""
    try:
        pickle.dumps(verifier)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True
