"""Several gateway processes over one database: exactly-once storage and a pull cursor that never
skips an event while writers commit concurrently."""

from __future__ import annotations

import threading
import time
from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor

import pg_fixture
import pytest
import requests

from sync.gateway.store import open_store
from tests.gateway_support import AGENCY, auth, gateway_process, make_event, push

N_COUNTERS = 6
EVENTS_PER_COUNTER = 240
BATCH = 20


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "sqlite"])
def db_url(request, tmp_path):
    if request.param == "postgres":
        return pg_fixture.fresh_database_url()
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}"


def test_two_processes_overlapping_batches_exactly_once_and_pull_never_skips(db_url, tmp_path):
    store = open_store(db_url, tmp_path)
    tokens = [store.enrol(AGENCY, n + 1)[1] for n in range(N_COUNTERS)]
    observer = store.enrol(AGENCY, 99)[1]  # pushes nothing, pulls everything
    events = {i: [make_event(counter_no=i + 1) for _ in range(EVENTS_PER_COUNTER)]
              for i in range(N_COUNTERS)}
    all_ids = {e["id"] for evs in events.values() for e in evs}

    with gateway_process(db_url, tmp_path) as url_a, gateway_process(db_url, tmp_path) as url_b:
        answers: Tally[str] = Tally()
        per_event: Tally[str] = Tally()
        lock = threading.Lock()
        stop = threading.Event()
        pulled: list[str] = []
        pull_errors: list[str] = []

        def pusher(i: int, url: str) -> None:
            s = requests.Session()
            evs = events[i]
            # both processes get every batch (overlapping), at the same time, in another order
            order = range(0, len(evs), BATCH) if url == url_a else reversed(
                range(0, len(evs), BATCH))
            for start in order:
                batch = evs[start:start + BATCH]
                r = push(url, tokens[i], batch, session=s)
                assert r.status_code == 200, r.text
                with lock:
                    for ev, res in zip(batch, r.json()["results"], strict=True):
                        assert res["id"] == ev["id"]
                        answers[res["status"]] += 1
                        if res["status"] == "accepted":
                            per_event[ev["id"]] += 1

        def reader() -> None:
            s = requests.Session()
            cursor = ""
            urls = [url_a, url_b]
            n = 0
            while not stop.is_set() or len(set(pulled)) < len(all_ids):
                r = s.get(f"{urls[n % 2]}/api/v1/events", params={"since": cursor, "limit": 37},
                          headers=auth(observer), timeout=30)
                n += 1
                if r.status_code != 200:
                    pull_errors.append(r.text)
                    return
                doc = r.json()
                pulled.extend(e["id"] for e in doc["events"])
                cursor = doc["cursor"]
                if stop.is_set() and not doc["events"]:
                    return  # writers done and nothing more: whatever is missing was skipped
                if not doc["more"]:
                    time.sleep(0.005)

        rt = threading.Thread(target=reader)
        rt.start()
        with ThreadPoolExecutor(max_workers=2 * N_COUNTERS) as pool:
            futs = [pool.submit(pusher, i, u) for i in range(N_COUNTERS) for u in (url_a, url_b)]
            for f in futs:
                f.result()
        stop.set()
        rt.join(120)
        assert not rt.is_alive()

    assert not pull_errors, pull_errors
    assert answers["rejected"] == 0, answers
    assert answers["accepted"] == len(all_ids)
    assert answers["duplicate"] == len(all_ids)
    assert set(per_event) == all_ids and set(per_event.values()) == {1}
    assert store.event_count() == len(all_ids)
    assert sorted(store.all_event_ids()) == sorted(all_ids)
    # the cursor handed out every event exactly once: nothing skipped, nothing repeated
    assert len(pulled) == len(set(pulled)), "an event was returned twice"
    assert set(pulled) == all_ids, f"{len(all_ids - set(pulled))} events skipped by the cursor"
    store.close()
