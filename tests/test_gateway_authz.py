"""The gateway's authorization table, attacked the way a counter with a real enrolment credential
and a real clerk key could: every forged event is refused with its reason while the honest events
of the same batch are accepted; a refused event parks at the counter with the reason in words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app import intake, sync_service, syncstate
from app.domain import EventType, now_vn
from sync.engine import EngineConfig
from sync.gateway import authz
from tests.gateway_support import OTHER_AGENCY, make_body, push, statuses, wire_from_body
from tests.helpers import AGENCY, demo_signer, dossier_json, make_counter
from tests.sync_support import enrol, signed_act, thread_gateway

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def gw(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, store):
        _, t1 = store.enrol(AGENCY, 1)
        _, t2 = store.enrol(AGENCY, 2)
        _, t_other = store.enrol(OTHER_AGENCY, 1)
        yield server.url, store, t1, t2, t_other


@pytest.fixture(scope="module")
def clerk():
    with demo_signer("clerk1") as signer:
        yield signer


def _ev(clerk, **kw):
    return wire_from_body(make_body(**kw), sign=clerk.sign)


def _follow(clerk, received: dict, event_type: str, counter_no: int = 1,
            agency: str = AGENCY) -> dict:
    body = make_body(agency=agency, counter_no=counter_no, event_type=event_type,
                     dossier_id=received["dossier_id"], dossier_code=received["dossier_code"])
    return wire_from_body(body, sign=clerk.sign)


def test_every_forgery_refused_with_its_reason_honest_events_accepted(gw, clerk):
    url, store, t1, t2, t_other = gw
    theirs = _ev(clerk, counter_no=2)  # counter 2's own dossier
    elsewhere = _ev(clerk, agency=OTHER_AGENCY)  # a dossier of another centre
    assert statuses(push(url, t2, [theirs])) == [("accepted", None)]
    assert statuses(push(url, t_other, [elsewhere])) == [("accepted", None)]

    today = now_vn().date()
    ahead = today + timedelta(days=2)
    future = make_body()
    future["dossier_code"] = f"{AGENCY}-{ahead:%y%m%d}-010001"
    future["occurred_at"] = f"{ahead.isoformat()}T09:00:00+07:00"
    hello = make_body()
    hello["dossier_code"] = "HELLO"
    script = make_body(event_type="<script>alert(1)</script>")
    other_next = make_body()
    other_next["dossier_code"] = f"{AGENCY}-{today:%y%m%d}-020007"  # counter 2's range
    other_next["occurred_at"] = f"{today.isoformat()}T09:00:00+07:00"
    other_agency = make_body()
    other_agency["dossier_code"] = f"{OTHER_AGENCY}-{today:%y%m%d}-010001"
    other_agency["occurred_at"] = f"{today.isoformat()}T09:00:00+07:00"
    wrong_day = make_body()
    wrong_day["occurred_at"] = "2026-11-20T09:00:00+07:00"  # code says another day

    honest = _ev(clerk)
    batch = [
        honest,
        wire_from_body(other_next, sign=clerk.sign),
        wire_from_body(other_agency, sign=clerk.sign),
        wire_from_body(hello, sign=clerk.sign),
        wire_from_body(future, sign=clerk.sign),
        wire_from_body(wrong_day, sign=clerk.sign),
        wire_from_body(script, sign=clerk.sign),
        _follow(clerk, theirs, "result_ready"),  # province decision from a counter
        _follow(clerk, elsewhere, "withdrawn"),  # other centre's dossier
        _follow(clerk, theirs, "withdrawn"),  # same centre: the centre works as one
        _follow(clerk, honest, "supplement_requested"),  # follow-up in the same batch
        _follow(clerk, make_body(), "returned"),  # a dossier the gateway never saw
    ]
    assert statuses(push(url, t1, batch)) == [
        ("accepted", None),
        ("rejected", "not_your_code"),
        ("rejected", "not_your_code"),
        ("rejected", "bad_code"),
        ("rejected", "future_dated"),
        ("rejected", "bad_code"),
        ("rejected", "type_not_allowed"),
        ("rejected", "province_only"),
        ("rejected", "not_your_dossier"),
        ("accepted", None),
        ("accepted", None),
        ("rejected", "unknown_dossier"),
    ]
    # nothing of the forgeries is stored; the other centre's dossier is untouched
    ids = set(store.all_event_ids())
    assert {e["id"] for e in batch if e in (batch[0], batch[9], batch[10])} <= ids
    assert len(ids) == 2 + 3


def test_refusal_slip_new_in_own_range_or_on_a_dossier_of_the_centre(gw, clerk):
    url, store, t1, t2, t_other = gw
    mine = _ev(clerk, event_type="refused")  # a walk-in refusal gets a code of this counter
    body = make_body(event_type="refused")  # … never in counter 2's range
    body["dossier_code"] = body["dossier_code"][:-6] + "02" + body["dossier_code"][-4:]
    theirs = wire_from_body(body, sign=clerk.sign)
    elsewhere = _ev(clerk, agency=OTHER_AGENCY)
    assert statuses(push(url, t_other, [elsewhere])) == [("accepted", None)]
    received2 = _ev(clerk, counter_no=2)
    assert statuses(push(url, t2, [received2])) == [("accepted", None)]
    assert statuses(push(url, t1, [
        mine, theirs, _follow(clerk, received2, "refused"), _follow(clerk, elsewhere, "refused"),
    ])) == [("accepted", None), ("rejected", "not_your_code"), ("accepted", None),
            ("rejected", "not_your_dossier")]


def test_province_only_types_only_from_the_province(gw, clerk):
    url, store, t1, *_ = gw
    ev = _ev(clerk)
    assert statuses(push(url, t1, [ev])) == [("accepted", None)]
    for etype in ("processing", "fee_requested", "stopped", "result_ready", "submitted_online"):
        assert statuses(push(url, t1, [_follow(clerk, ev, etype)])) == [
            ("rejected", "province_only")], etype
    wire = signed_act(store, ev["dossier_code"], "result-ready", None)  # the province may
    assert wire.type == "result_ready"


def test_table_covers_every_event_type_and_is_in_the_readme():
    assert set(authz.TABLE) == {t.value for t in EventType}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert authz.table_markdown() in readme


def test_refused_event_parks_at_the_counter_with_reason_in_words(tmp_path):
    """A counter whose clock runs two days ahead issues future-dated codes: that dossier parks
    with the reason in words, the honest one of the same batch is delivered."""
    with thread_gateway(tmp_path / "gw") as (server, store):
        counter = make_counter(tmp_path / "c1")
        enrol(counter, store, server.url)
        with demo_signer("clerk1") as signer:
            req = intake.parse_request(dossier_json())
            ahead = intake.receive(counter, req, clerk="lan", signer=signer,
                                   now=now_vn() + timedelta(days=2))["code"]
            good = intake.receive(counter, req, clerk="lan", signer=signer)["code"]
        result = sync_service.sync_once(counter, EngineConfig(backoff_base=0.01))
        assert result.delivered == 1 and result.parked == 1
        [parked] = syncstate.parked_events(counter)
        assert parked["dossier_code"] == ahead and parked["reason_code"] == "future_dated"
        assert "đồng hồ" in parked["reason_vi"] and "clock" in parked["reason_en"]
        assert store.dossier_by_code(good) is not None and store.dossier_by_code(ahead) is None
        counter.close()
