"""Recording a push answer with the gateway's time-stamp tokens (`CounterSyncStore.
record_results`): a delivered event's checked token is written by the same UPDATE as its
`synced_at` stamp (one rewrite of the event row), a token that does not fit is refused and
the event is still acknowledged, a token already held is never replaced, and a token for an
event that is not in the answer is kept without acknowledging that event."""

from __future__ import annotations

import base64

from app import sync_service
from signing import tsa
from tests.helpers import make_counter, shared_pki
from tests.sync_support import fill


def test_tokens_are_written_with_the_acknowledgement(tmp_path):
    counter = make_counter(tmp_path / "c")
    fill(counter, 4)
    store = sync_service.CounterSyncStore(counter)
    e1, e2, e3, e4 = (i["id"] for i in store.pending_batch(10, 1 << 20))
    sig = {r["id"]: bytes(r["signature"]) for r in
           counter.store.query("SELECT id, signature FROM events")}
    pki = shared_pki()
    authority = tsa.TimeStampAuthority.from_files(pki.tsa_pem, pki.tsa_key_pem)

    def token(eid: str) -> bytes:
        return authority.stamp_signature(sig[eid])

    held = token(e3)
    with counter.store.write() as conn:  # e3 already holds a token (e.g. an earlier answer)
        conn.execute("UPDATE events SET tst = ? WHERE id = ?", (held, e3))
    good1, good4 = token(e1), token(e4)
    b64 = {e1: good1, e2: token(e1), e3: token(e3), e4: good4}  # e2's is e1's: refused
    store.record_results([e1, e2, e3], [], {k: base64.b64encode(v).decode() for k, v in
                                            b64.items()})

    rows = {r["id"]: r for r in counter.store.query(
        "SELECT id, tst, synced_at FROM events")}
    assert bytes(rows[e1]["tst"]) == good1 and rows[e1]["synced_at"]
    assert rows[e2]["tst"] is None and rows[e2]["synced_at"]
    assert bytes(rows[e3]["tst"]) == held and rows[e3]["synced_at"]
    assert bytes(rows[e4]["tst"]) == good4 and rows[e4]["synced_at"] is None
    assert [i["id"] for i in store.pending_batch(10, 1 << 20)] == [e4]
    counter.close()
