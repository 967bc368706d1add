"""Group commit: concurrent pushes share durable commits, and every answer is the one the
batches would get stored one after the other (exactly once, conflicts still refused)."""

from __future__ import annotations

import threading
from collections import Counter as Tally

from sync.gateway.store import NewEvent, open_store
from sync.wire import WireEvent
from tests.gateway_support import AGENCY, make_event


def _new(ev: dict, counter_id: int) -> NewEvent:
    return NewEvent(WireEvent.from_json(ev), AGENCY, counter_id)


def test_concurrent_batches_are_stored_exactly_once_with_per_batch_answers(tmp_path):
    store = open_store(None, tmp_path)
    counter, _ = store.enrol(AGENCY, 1)
    shared = make_event()  # every thread also sends this one
    other = dict(make_event(), id=shared["id"])  # same id, other bytes: a conflict
    batches = [[make_event() for _ in range(15)] + [shared] for _ in range(24)]
    batches.append([other])
    answers: list[list[str]] = [[] for _ in batches]
    commits = Tally[str]()
    real = store._insert_events_tx

    def counting(items):
        commits["tx"] += 1
        return real(items)

    store._insert_events_tx = counting  # type: ignore[method-assign]
    gate = threading.Barrier(len(batches))

    def push(k: int) -> None:
        items = [_new(e, counter.id) for e in batches[k]]
        gate.wait()
        answers[k] = store.insert_events(items)

    threads = [threading.Thread(target=push, args=(k,)) for k in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, batch in enumerate(batches[:-1]):
        assert answers[k][:15] == ["accepted"] * 15, k
        assert len(answers[k]) == len(batch)
    shared_answers = Tally(a[-1] for a in answers)
    # the shared id is stored once; every other copy is a duplicate or (other bytes) a conflict
    assert shared_answers["accepted"] == 1
    assert shared_answers["accepted"] + shared_answers["duplicate"] \
        + shared_answers["id_conflict"] == len(batches)
    if answers[-1] == ["accepted"]:  # the conflicting copy won the race: all others conflict
        assert shared_answers["id_conflict"] == len(batches) - 1
    else:
        assert answers[-1] == ["id_conflict"]
    assert store.event_count() == 24 * 15 + 1
    assert commits["tx"] <= len(batches)
    store.close()
