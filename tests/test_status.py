"""Status is derived from events; contradictions are kept and reported, never dropped."""

from app.domain import PortalStatus
from app.status import derive_status


def ev(i, t, at):
    return {"id": f"e{i}", "type": t, "occurred_at": f"2026-11-2{at}T09:00:00+07:00"}


def test_normal_life_of_a_dossier():
    events = [ev(1, "received", 3), ev(2, "processing", 4), ev(3, "supplement_requested", 5),
              ev(4, "supplement_received", 6), ev(5, "result_ready", 7), ev(6, "returned", 8)]
    for n, expected in [(1, 2), (2, 4), (3, 5), (4, 4), (5, 9), (6, 10)]:
        assert derive_status(events[:n]).status == PortalStatus(expected)


def test_order_of_arrival_does_not_matter():
    events = [ev(2, "result_ready", 5), ev(1, "received", 3)]
    assert derive_status(events).status == PortalStatus.RESULT_READY


def test_contradiction_is_reported_not_dropped():
    events = [ev(1, "received", 3), ev(2, "returned", 4), ev(3, "result_ready", 5)]
    d = derive_status(events)
    assert d.status == PortalStatus.RESULT_READY  # the out-of-order "returned" is set aside
    assert [c["event_id"] for c in d.contradictions] == ["e2"]
    assert PortalStatus(8).label_vi == "Dừng xử lý"
