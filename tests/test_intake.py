"""Intake end to end on a real store: one transaction, clear refusals, late entry, scans."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from app import intake, queries
from app.domain import VN_TZ
from app.errors import UserError, ValidationError
from localdb import audit
from localdb import backup as bk
from tests.helpers import counts, demo_signer, dossier_json, make_counter, make_image, make_pdf

SIGNER = demo_signer()


MON_10 = datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)


def test_receive_writes_dossier_event_audit_outbox_together(counter):
    req = intake.parse_request(dossier_json())
    d = intake.receive(counter, req, clerk="lan", signer=SIGNER, now=MON_10)
    assert d["code"] == "000.20.27.H57-261123-010001"
    assert d["status_label"] == "Được tiếp nhận"
    assert d["applicant"]["full_name"] == "Đặng Thị Hương"
    assert d["applicant"]["address"]["commune_name"] == "Phường Sài Gòn"
    # 1 working day; 24/11/2026 is Vietnamese Culture Day (a holiday from 2026)
    assert d["appointment_at"] == "2026-11-25T10:00:00+07:00"
    assert counts(counter) == {"dossiers": 1, "events": 1, "outbox": 1, "attachments": 0}
    actions = [r["action"] for r in counter.store.query("SELECT action FROM audit ORDER BY seq")]
    assert actions[-1] == "dossier.receive"
    ev = counter.store.query("SELECT payload FROM events")[0]
    body = json.loads(ev["payload"])
    assert body["dossier_code"] == d["code"] and body["type"] == "received"
    assert body["data"]["applicant"]["citizen_id"] == "079190000123"


def test_codes_follow_each_other_per_day(counter):
    req = intake.parse_request(dossier_json())
    codes = [intake.receive(counter, req, clerk="lan", signer=SIGNER, now=MON_10)["code"] for _ in range(3)]
    assert codes == [f"000.20.27.H57-261123-01000{i}" for i in (1, 2, 3)]
    nxt = intake.receive(counter, req, clerk="lan", signer=SIGNER, now=MON_10 + timedelta(days=2))
    assert nxt["code"] == "000.20.27.H57-261125-010001"


@pytest.mark.parametrize(
    ("change", "field", "vi_fragment"),
    [
        ({"applicant": {**dossier_json()["applicant"], "citizen_id": "07919000012"}}, "citizen_id",
         "12 chữ số"),
        ({"applicant": {**dossier_json()["applicant"], "full_name": "  "}}, "full_name", "họ tên"),
        ({"applicant": {**dossier_json()["applicant"], "gender": "male"}}, "citizen_id", ""),
        ({"documents": []}, "documents", "giấy tờ"),
        ({"documents": [{"name": "Tờ khai", "form": "scan"}]}, "documents", "hình thức"),
        ({"applicant": {**dossier_json()["applicant"],
                        "address": {"province_code": "01", "commune_code": "26740"}}},
         None, ""),
        ({"received_at": "23/11/2026 09:00"}, "received_at", "ISO"),
        ({"sets": 0}, "sets", "Số bộ"),
    ],
)
def test_bad_input_is_refused_with_a_field_message_and_nothing_written(counter, change, field, vi_fragment):
    with pytest.raises(ValidationError) as err:
        req = intake.parse_request(dossier_json(**change))
        intake.receive(counter, req, clerk="lan", signer=SIGNER, now=MON_10)
    fields = err.value.by_field("vi")
    if field:
        assert field in fields, fields
        assert vi_fragment.lower() in fields[field].lower()
    assert counts(counter)["dossiers"] == 0


def test_unknown_procedure_and_unknown_clerk_change_nothing(counter):
    with pytest.raises(UserError) as err:
        intake.receive(counter, intake.parse_request(dossier_json(procedure_code="9.999999")),
                       clerk="lan", signer=SIGNER, now=MON_10)
    assert err.value.field == "procedure_code"
    with pytest.raises(UserError) as err:
        intake.receive(counter, intake.parse_request(dossier_json()), clerk="ghost", signer=SIGNER, now=MON_10)
    assert err.value.code == "no_user"
    assert counts(counter) == {"dossiers": 0, "events": 0, "outbox": 0, "attachments": 0}
    assert counter.store.scalar("SELECT count(*) FROM code_sequences") == 0


def test_late_entry_keeps_the_paper_time_and_says_so_in_the_audit(counter):
    paper = "2026-11-20T15:30:00+07:00"  # Friday, during an outage
    d = intake.receive(counter, intake.parse_request(dossier_json(received_at=paper)),
                       clerk="lan", signer=SIGNER, now=MON_10)
    assert d["received_at"] == paper and d["late_entry"] is True
    assert d["code"] == "000.20.27.H57-261120-010001"
    assert d["appointment_at"] == "2026-11-23T15:30:00+07:00"  # next working day
    row = counter.store.query("SELECT action, detail FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert row["action"] == "dossier.late_entry"
    assert json.loads(row["detail"])["received_at"] == paper
    with pytest.raises(UserError) as err:
        intake.receive(counter, intake.parse_request(
            dossier_json(received_at="2026-11-24T10:00:00+07:00")), clerk="lan", signer=SIGNER,
            now=MON_10)
    assert "tương lai" in err.value.message("vi")


def test_scans_are_content_addressed_and_checked(counter, tmp_path):
    pdf = make_pdf(tmp_path / "giay-chung-sinh.pdf")
    fake = tmp_path / "virus.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    with pytest.raises(UserError) as err:
        intake.receive(counter, intake.parse_request(dossier_json(), [fake]), clerk="lan", signer=SIGNER, now=MON_10)
    assert "không phải PDF" in err.value.message("vi")
    assert counts(counter)["dossiers"] == 0
    d = intake.receive(counter, intake.parse_request(dossier_json(), [pdf]), clerk="lan", signer=SIGNER, now=MON_10)
    sha = d["attachments"][0]["sha256"]
    stored = bk.attachment_path(counter.settings.attachments_dir, sha)
    assert stored.read_bytes() == pdf.read_bytes()
    body = json.loads(counter.store.query("SELECT payload FROM events")[0]["payload"])
    assert body["data"]["attachments"][0]["sha256"] == sha  # covered by the signature
    assert bk.integrity_problems(counter.store, counter.settings.attachments_dir) == []
    stored.write_bytes(b"%PDF-1.4\n" + b"y" * 1000)
    problems = bk.integrity_problems(counter.store, counter.settings.attachments_dir)
    assert any(p.startswith("attachment_altered") for p in problems)
    stored.unlink()
    problems = bk.integrity_problems(counter.store, counter.settings.attachments_dir)
    assert any(p.startswith("attachment_missing") for p in problems)


def test_too_large_scan_is_refused(data_dir, tmp_path):
    from dataclasses import replace

    c = make_counter(data_dir)
    c.settings = replace(c.settings, attachment_max_bytes=100)
    big = make_image(tmp_path / "big.png")
    with pytest.raises(UserError) as err:
        intake.receive(c, intake.parse_request(dossier_json(), [big]), clerk="lan", signer=SIGNER, now=MON_10)
    assert "quá lớn" in err.value.message("vi")
    c.close()


def test_search_and_show_after_intake(counter):
    for name, cid in (("Đặng Thị Hương", "079190000123"), ("Nguyễn Văn An", "001090000456")):
        a = {**dossier_json()["applicant"], "full_name": name, "citizen_id": cid,
             "gender": "male" if "Văn" in name else "female"}
        intake.receive(counter, intake.parse_request(dossier_json(applicant=a)), clerk="lan",
                       signer=SIGNER, now=MON_10)
    hits = queries.search(counter, "dang thi huong")["results"]
    assert [h["applicant_name"] for h in hits] == ["Đặng Thị Hương"]
    assert queries.search(counter, "001090000456")["results"][0]["applicant_name"] == "Nguyễn Văn An"
    shown = queries.show(counter, hits[0]["code"])
    assert shown["status"] == "accepted" and shown["derived_status"] == "accepted"
    assert [e["type"] for e in shown["events"]] == ["received"]
    assert shown["sync"]["pending_events"] == 1


def test_audit_chain_covers_intake(counter):
    intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan", signer=SIGNER, now=MON_10)
    n, problems = audit.verify(counter.store.conn)
    assert n >= 3 and problems == []
