"""`motcua verify` reads the store in chunks of dossiers (issue 10 item 11): whatever the chunk
boundaries, every dossier, event and signature is checked and each problem is named on the
dossier it belongs to."""

from __future__ import annotations

from app import intake, signatures
from tests.helpers import demo_signer, dossier_json


def _receive(counter, signer):
    return intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan",
                          signer=signer)


def test_chunk_boundaries_change_nothing(counter, monkeypatch):
    with demo_signer("clerk1", counter) as s:
        made = [_receive(counter, s) for _ in range(5)]
    whole = signatures.verify_store(counter)
    assert (whole.dossiers, whole.events, whole.signatures, whole.problems) == (5, 5, 5, [])
    c = counter.store.conn
    c.execute("DROP TRIGGER IF EXISTS events_append_only")
    # second chunk (of 2): the row; third chunk: the signature of the last dossier's event
    c.execute("UPDATE dossiers SET phone = '0999999999' WHERE code = ?", (made[3]["code"],))
    c.execute("UPDATE events SET signature = substr(signature, 1, length(signature) - 1) || "
              "x'00' WHERE dossier_id = ?", (made[4]["id"],))
    reports = []
    for size in (2, 1000):
        monkeypatch.setattr(signatures, "_CHUNK", size)
        r = signatures.verify_store(counter)
        assert (r.dossiers, r.events, r.signatures) == (5, 5, 5)
        reports.append(sorted((p["code"], p["problem"]) for p in r.problems))
    assert reports[0] == reports[1]
    assert ("", "trigger_missing") in reports[0]  # the trigger dropped above, named too
    named = {code for code, _ in reports[0] if code}
    assert named == {made[3]["code"], made[4]["code"]}
    assert (made[3]["code"], "row_mismatch") in reports[0]
