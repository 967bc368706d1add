"""The signature workers (sync.gateway.checks.CheckPool): real worker processes on pipes.

A push's events are checked in the workers with the in-process verdicts; a worker that dies is
replaced (the push that met it fails, the next one is checked), and closing the pool ends its
processes."""

from __future__ import annotations

import os
import signal

import pytest

from sync.gateway.checks import CheckPool, WorkerFailed, check_many
from tests.gateway_support import make_body, stub_verifier, wire_from_body


def _items(n: int) -> list[tuple[object, bool]]:
    events: list[object] = [wire_from_body(make_body()) for _ in range(n)]
    events.append(dict(wire_from_body(make_body()), signature="c3R1Yi1yZXZva2Vk"))  # revoked
    events.append({"id": "not-an-event"})
    return [(e, True) for e in events]


def _verdicts(checked):
    return [(c.rejection, c.verdict, c.wire.id if c.wire else None) for c in checked]


def test_a_dead_worker_is_replaced_and_the_pool_closes():
    items = _items(40)  # two parts: both workers get one
    pool = CheckPool(stub_verifier, 2)
    try:
        assert _verdicts(pool.check(items)) == _verdicts(check_many(stub_verifier, items))
        first = [p for p, _ in pool._workers]
        os.kill(first[0].pid, signal.SIGKILL)
        first[0].join(30)  # a deadline, not a timing
        assert not first[0].is_alive()
        with pytest.raises(WorkerFailed):
            pool.check(items)
        assert first[0] not in [p for p, _ in pool._workers]
        assert len(pool._workers) == 2
        assert _verdicts(pool.check(items)) == _verdicts(check_many(stub_verifier, items))
        procs = [p for p, _ in pool._workers]
    finally:
        pool.close()
    assert not any(p.is_alive() for p in procs)
    with pytest.raises(WorkerFailed):
        pool.check(items)


def test_concurrent_pushes_each_get_their_own_answers():
    """Parts of concurrent pushes interleave on the workers (a worker goes back as soon as its
    answer is read): every push still gets exactly the verdicts of its own events, in order."""
    from concurrent.futures import ThreadPoolExecutor

    batches = [_items(n) for n in (40, 17, 3, 64, 33, 1, 50, 20)]
    expected = [_verdicts(check_many(stub_verifier, b)) for b in batches]
    pool = CheckPool(stub_verifier, 2)
    try:
        with ThreadPoolExecutor(8) as ex:
            for _ in range(3):
                got = list(ex.map(lambda b: _verdicts(pool.check(b)), batches))
                assert got == expected
        assert len(pool._workers) == 2  # nobody died, nobody was replaced
    finally:
        pool.close()
