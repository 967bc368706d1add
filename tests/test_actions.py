"""A dossier's life after intake: supplement, province status, return, withdrawal — each a
signed event; what the status does not allow is refused; verify still passes."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest

from app import actions, intake, queries, signatures
from app.domain import VN_TZ, EventType
from app.errors import UserError, ValidationError
from tests.helpers import dossier_json, pin_demo_gateway, signed_province_event

MON_10 = datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)


def province_event(d: dict, etype: str, at: datetime, counter=None) -> dict:
    """A province event signed by the demo gateway (pinned by the caller's counter)."""
    if counter is not None:
        pin_demo_gateway(counter)
    return signed_province_event(d, etype, at, counter=counter)


def test_supplement_then_province_result_then_return(counter, signer):
    d = intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan", signer=signer,
                       now=MON_10)
    r = actions.request_supplement(counter, d["code"], [{"name": "Giấy chứng sinh", "form": "original"}],
                                   reason="Thiếu bản chính", clerk="lan", signer=signer,
                                   now=MON_10 + timedelta(hours=1))
    assert r["status_label"] == "Yêu cầu bổ sung giấy tờ"
    r = actions.record_supplement_received(counter, d["code"], clerk="lan", signer=signer,
                                           now=MON_10 + timedelta(days=2))
    assert r["status"] == "processing"
    shown = queries.show(counter, d["code"])
    # the processing time counts again from the complete dossier (Wed 25/11 10:00 + 1 day)
    assert shown["appointment_at"] == "2026-11-26T10:00:00+07:00"
    assert shown["first_appointment_at"] == "2026-11-25T10:00:00+07:00"
    with pytest.raises(UserError) as err:
        actions.return_result(counter, d["code"], recipient_name="Đặng Thị Hương", clerk="lan",
                              signer=signer)
    assert "Đang xử lý" in err.value.message("vi")

    ready = province_event(d, "result_ready", MON_10 + timedelta(days=3), counter)
    stats = actions.apply_remote_events(counter, [ready, ready])
    assert stats["applied"] == 1 and stats["duplicate"] == 1
    assert actions.apply_remote_events(counter, [ready])["duplicate"] == 1
    assert queries.show(counter, d["code"])["status"] == "result_ready"

    r = actions.return_result(counter, d["code"], recipient_name="Đặng Thị Hương",
                              recipient_id="079190000123", clerk="lan", signer=signer,
                              now=MON_10 + timedelta(days=4))
    assert r["status_label"] == "Đã trả kết quả"
    shown = queries.show(counter, d["code"])
    assert [e["type"] for e in shown["events"]] == [
        "received", "supplement_requested", "supplement_received", "result_ready", "returned"]
    assert [e["origin"] for e in shown["events"]].count("province") == 1
    # 4 counter events queued for the province, the province's own event is not
    assert counter.store.scalar("SELECT count(*) FROM outbox") == 4
    report = signatures.verify_store(counter)
    assert report.problems == [], report.problems


def test_bad_action_input_changes_nothing(counter, signer):
    d = intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan", signer=signer,
                       now=MON_10)
    before = counter.store.scalar("SELECT count(*) FROM events")
    with pytest.raises(ValidationError) as err:
        actions.request_supplement(counter, d["code"], [], reason=" ", clerk="lan", signer=signer)
    assert set(err.value.by_field()) == {"items", "reason"}
    with pytest.raises(UserError):
        actions.record_withdrawal(counter, d["code"], reason="", clerk="lan", signer=signer)
    with pytest.raises(UserError) as err:
        actions.record_withdrawal(counter, "000.20.27.H57-261123-019999", reason="x", clerk="lan",
                                  signer=signer)
    assert err.value.code == "not_found"
    assert counter.store.scalar("SELECT count(*) FROM events") == before
    r = actions.record_withdrawal(counter, d["code"], reason="Công dân xin rút", clerk="lan",
                                  signer=signer)
    assert r["status_code"] == 7
    with pytest.raises(UserError) as err:
        actions.request_supplement(counter, d["code"], [{"name": "x"}], reason="y", clerk="lan",
                                   signer=signer)
    assert err.value.code == "not_allowed"


def test_province_event_for_unknown_dossier_is_left_for_later(counter):
    fake = {"id": "00000000-0000-7000-8000-000000000001", "code": "X"}
    ev = province_event(fake, "result_ready", MON_10, counter)
    assert actions.apply_remote_events(counter, [ev])["unknown_dossier"] == 1
    assert counter.store.scalar("SELECT count(*) FROM events") == 0
    assert json.loads(ev["payload"])["type"] == "result_ready"
    assert base64.b64encode(ev["payload"])
    assert EventType("result_ready")


def test_unsigned_or_forged_province_events_are_refused(counter, signer):
    """A pulled event is verified before it is applied: unsigned, signed by a clerk instead of
    the pinned gateway certificate, or with its origin relabelled -> refused, counted, logged."""
    d = intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan", signer=signer,
                       now=MON_10)
    good = province_event(d, "result_ready", MON_10 + timedelta(days=3), counter)
    unsigned = dict(good, signature=None)
    clerk_signed = dict(good, signature=signer.sign(good["payload"]))
    relabelled = dict(good, origin="counter")
    stats = actions.apply_remote_events(counter, [unsigned, clerk_signed, relabelled])
    assert stats["refused"] == 3 and stats["applied"] == 0
    assert queries.show(counter, d["code"])["status"] == "accepted"
    reasons = [json.loads(r["detail"])["reason"] for r in counter.store.query(
        "SELECT detail FROM audit WHERE action = 'sync.refused' ORDER BY seq")]
    assert reasons[:2] == ["unsigned", "signer_mismatch"]
    assert reasons[2] in ("origin_mismatch", "province_only", "envelope_mismatch")
    assert actions.apply_remote_events(counter, [good])["applied"] == 1
    assert signatures.verify_store(counter).problems == []


def test_province_event_without_a_pinned_gateway_is_refused(counter, signer):
    d = intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan", signer=signer,
                       now=MON_10)
    ev = signed_province_event(d, "result_ready", MON_10 + timedelta(days=3), counter=counter)
    assert actions.apply_remote_events(counter, [ev])["refused"] == 1
