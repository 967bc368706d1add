"""Evidence that holds against someone who can write the store file (issue 10).

Each test plays the attacker on a real signed store: drops the append-only triggers (anyone
with the file can), rewrites rows, recomputes the unkeyed hashes, relabels origins, deletes
dossiers, events, outbox and audit rows, swaps signatures between clerks — and checks that
`verify`, `check` or `audit verify` catches it and names what changed.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

from app import actions, evidence, intake, signatures
from app.domain import VN_TZ
from localdb import audit
from signing.canonical import canonical_bytes
from tests.helpers import demo_signer, dossier_json, motcua

MON_10 = datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)


def _receive(counter, signer, at=MON_10, **over):
    return intake.receive(counter, intake.parse_request(dossier_json(**over)), clerk="lan",
                          signer=signer, now=at)


def _drop_triggers(counter) -> sqlite3.Connection:
    c = counter.store.conn
    for t in ("events_append_only", "events_no_delete", "audit_no_update", "audit_no_delete"):
        c.execute(f"DROP TRIGGER IF EXISTS {t}")
    return c


def _bodies(counter, code=None):
    sql = ("SELECT e.id, CAST(e.payload AS BLOB) AS payload FROM events e JOIN dossiers d "
           "ON d.id = e.dossier_id")
    rows = counter.store.query(sql + (" WHERE d.code = ?" if code else "") + " ORDER BY e.seq",
                               (code,) if code else ())
    return [(r["id"], r["payload"], json.loads(r["payload"])) for r in rows]


def _problems(report, kind=None):
    return [p for p in report.problems if kind is None or p["problem"] == kind]


def test_v2_body_carries_origin_chains_and_audit_head(counter, signer):
    a = _receive(counter, signer)
    b = _receive(counter, signer)
    actions.request_supplement(counter, a["code"], [{"name": "Bản sao CCCD"}], reason="thiếu",
                               clerk="lan", signer=signer, now=MON_10 + timedelta(hours=1))
    (id_a, pay_a, body_a), = _bodies(counter, a["code"])[:1]
    (_, pay_b, body_b), = _bodies(counter, b["code"])
    _, _, body_s = _bodies(counter, a["code"])[1]
    assert body_a["v"] == 2 and body_a["origin"] == "counter"
    assert body_a["dossier_prev"] is None and body_a["counter_seq"] == 1
    assert body_a["counter_prev"] is None
    assert body_b["counter_seq"] == 2 and body_b["counter_prev"] == evidence.event_hash(pay_a)
    assert body_s["counter_seq"] == 3 and body_s["counter_prev"] == evidence.event_hash(pay_b)
    assert body_s["dossier_prev"] == evidence.event_hash(pay_a)
    # the audit head inside the signed bytes is the row just before the action's own row
    own = counter.store.query("SELECT seq, prev_hash, detail FROM audit WHERE seq = ?",
                              (body_s["audit_head"]["seq"] + 1,))[0]
    assert json.loads(own["detail"])["event_id"] == _bodies(counter, a["code"])[1][0]
    assert own["prev_hash"] == body_s["audit_head"]["hash"]
    assert body_a["signer"]["sha256"] == signer.info.sha256
    assert signatures.verify_store(counter).problems == []


def test_forged_receipt_relabelled_province_unsigned_is_caught(counter, signer):
    """Rewrite a received event (new name), origin=province, signature NULL, row fixed."""
    good = _receive(counter, signer)
    bad = _receive(counter, signer)
    _receive(counter, signer)
    c = _drop_triggers(counter)
    eid, payload, body = _bodies(counter, bad["code"])[0]
    body["data"]["applicant"]["full_name"] = "Kẻ Giả Mạo"
    body["origin"] = "province"
    forged = canonical_bytes(body)
    c.execute("UPDATE events SET payload = ?, signature = NULL, origin = 'province' WHERE id = ?",
              (forged, eid))
    c.execute("UPDATE dossiers SET applicant_name = 'Kẻ Giả Mạo', data = ? WHERE code = ?",
              (json.dumps(body["data"], ensure_ascii=False, sort_keys=True), bad["code"]))
    report = signatures.verify_store(counter)
    assert bad["code"] in report.bad_dossiers and good["code"] not in report.bad_dossiers
    kinds = {p["problem"] for p in report.problems_of(bad["code"])}
    assert "unsigned" in kinds
    # the next counter event still names the genuine one: the replacement shows in the chain
    assert _problems(report, "counter_chain")
    out = motcua("verify", data_dir=counter.settings.data_dir)
    assert out.returncode == 1 and bad["code"] in out.stdout


def test_relabelled_origin_keeping_the_signature_is_caught(counter, signer):
    d = _receive(counter, signer)
    c = _drop_triggers(counter)
    c.execute("UPDATE events SET origin = 'province'")
    report = signatures.verify_store(counter)
    assert {p["problem"] for p in report.problems_of(d["code"])} >= {"origin_mismatch"}


def test_clerk2_signature_over_clerk1_bytes_is_caught(counter, signer):
    d = _receive(counter, signer)
    eid, payload, body = _bodies(counter, d["code"])[0]
    with demo_signer("clerk2", counter) as other:
        swapped = other.sign(payload)  # a valid CMS by clerk2 over bytes naming clerk1
    c = _drop_triggers(counter)
    c.execute("UPDATE events SET signature = ? WHERE id = ?", (swapped, eid))
    report = signatures.verify_store(counter)
    assert [p["problem"] for p in report.problems_of(d["code"])] == ["signer_mismatch"]


def test_deleted_whole_dossier_leaves_a_named_hole(counter, signer):
    a = _receive(counter, signer)
    b = _receive(counter, signer)
    c_ = _receive(counter, signer)
    c = _drop_triggers(counter)
    did = counter.store.query("SELECT id FROM dossiers WHERE code = ?", (b["code"],))[0]["id"]
    eids = [r["id"] for r in counter.store.query("SELECT id FROM events WHERE dossier_id = ?",
                                                 (did,))]
    for eid in eids:
        c.execute("DELETE FROM outbox WHERE event_id = ?", (eid,))
    c.execute("DELETE FROM events WHERE dossier_id = ?", (did,))
    c.execute("DELETE FROM attachments WHERE dossier_id = ?", (did,))
    c.execute("DELETE FROM dossiers WHERE id = ?", (did,))
    report = signatures.verify_store(counter)
    chain = _problems(report, "counter_chain")
    assert chain and chain[0]["code"] == c_["code"]
    assert a["code"] in chain[0]["message_en"] and "#2" in chain[0]["message_en"]
    gaps = _problems(report, "code_gap")
    assert gaps and "23/11/2026" in gaps[0]["message_en"] and b["code"] in gaps[0]["message_en"]
    # the audit row of the deleted dossier names an event that is gone
    assert signatures.verify_store(counter).problems


def test_deleted_middle_event_breaks_the_dossier_chain(counter, signer):
    d = _receive(counter, signer)
    actions.request_supplement(counter, d["code"], [{"name": "Bản sao CCCD"}], reason="thiếu",
                               clerk="lan", signer=signer, now=MON_10 + timedelta(hours=1))
    actions.record_supplement_received(counter, d["code"], clerk="lan", signer=signer,
                                       now=MON_10 + timedelta(hours=2))
    c = _drop_triggers(counter)
    middle = _bodies(counter, d["code"])[1][0]
    c.execute("DELETE FROM outbox WHERE event_id = ?", (middle,))
    c.execute("DELETE FROM events WHERE id = ?", (middle,))
    report = signatures.verify_store(counter)
    kinds = {p["problem"] for p in report.problems_of(d["code"])}
    assert "dossier_chain" in kinds and "counter_chain" in kinds


def test_rewritten_audit_chain_is_caught_by_signed_heads(counter, signer):
    """Delete a middle audit row, renumber, recompute the unkeyed chain and the meta head."""
    for i in range(3):
        _receive(counter, signer, at=MON_10 + timedelta(minutes=i))
    c = _drop_triggers(counter)
    rows = c.execute("SELECT seq, at, actor, counter, action, subject, detail FROM audit "
                     "ORDER BY seq").fetchall()
    victim = next(r for r in rows if r[4] == "dossier.receive")[0] + 1  # a row after the 1st
    kept = [r for r in rows if r[0] != victim]
    c.execute("DELETE FROM audit")
    prev = audit.GENESIS
    for new_seq, (_, at, actor, ctr, action, subject, detail) in enumerate(kept, 1):
        digest = audit._row_hash(prev, new_seq, at, actor, ctr, action, subject, detail)
        c.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (new_seq, at, actor, ctr, action, subject, detail, prev, digest))
        prev = digest
    c.execute("UPDATE meta SET value = ? WHERE key = ?", (f"{len(kept)}:{prev}", audit.HEAD_KEY))
    assert audit.verify(c)[1] == []  # the naive check is fooled …
    count, problems, anchors = signatures.audit_report(counter)
    assert anchors, "… the signed heads are not"
    assert anchors[0]["seq"] >= victim - 1
    out = motcua("audit", "verify", "--offline", data_dir=counter.settings.data_dir, lang="en")
    assert out.returncode == 1 and "rewritten" in out.stdout
    assert any(p["problem"] == "audit_anchor" for p in signatures.verify_store(counter).problems)


def test_untouched_store_passes_every_check(counter, signer):
    d = _receive(counter, signer)
    actions.return_result  # noqa: B018 - exists
    actions.record_withdrawal(counter, d["code"], reason="đổi ý", clerk="lan", signer=signer,
                              now=MON_10 + timedelta(hours=1))
    assert signatures.verify_store(counter).problems == []
    out = motcua("audit", "verify", "--offline", data_dir=counter.settings.data_dir)
    assert out.returncode == 0, out.stdout + out.stderr


# ---- what people see comes from verified signed data ------------------------------------------

def test_moved_appointment_in_the_row_is_never_printed_or_signed(counter, signer, tmp_path):
    import pytest

    from app import receipts
    from app.errors import UserError
    from tests.helpers import P12_PASSWORD, shared_pki

    d = _receive(counter, signer)
    assert receipts.receipt_model(counter, d["code"]).code == d["code"]  # honest: prints
    c = _drop_triggers(counter)
    c.execute("UPDATE dossiers SET appointment_at = '2026-12-30T10:00:00+07:00' WHERE code = ?",
              (d["code"],))
    with pytest.raises(UserError) as err:
        receipts.receipt_model(counter, d["code"])
    assert err.value.code == "signature_mismatch" and "motcua verify" in err.value.message("vi")
    out = tmp_path / "r.pdf"
    r = motcua("receipt", d["code"], "--out", str(out), "--sign", "--p12",
               str(shared_pki().clerk("clerk1").p12), "--secret-env", "P12PW",
               data_dir=counter.settings.data_dir, env={"P12PW": P12_PASSWORD})
    assert r.returncode != 0 and not out.exists()
    lines = r.stderr.strip().splitlines()  # (a CRL warning about the key may come first)
    assert "motcua verify" in lines[-1] and sum("khớp chữ ký" in x for x in lines) == 1
    shown = motcua("show", d["code"], data_dir=counter.settings.data_dir)
    assert shown.returncode == 1 and "không khớp chữ ký" in shown.stdout


def test_refusal_is_a_signed_numbered_record(counter, signer):
    import pytest

    from app import queries
    from app.errors import UserError

    accepted = _receive(counter, signer)
    with pytest.raises(UserError) as err:  # a slip contradicting the dossier's state
        actions.record_refusal(counter, reason="sai thẩm quyền", clerk="lan", signer=signer,
                               code=accepted["code"])
    assert err.value.code == "not_allowed"
    rec = actions.record_refusal(counter, reason="Không thuộc thẩm quyền", clerk="lan",
                                 signer=signer, applicant={"full_name": "Phạm Văn Bình"},
                                 procedure_code="1.001193", now=MON_10 + timedelta(minutes=5))
    assert rec["code"].endswith("-010002")  # its own number from the daily sequence
    shown = queries.show(counter, rec["code"])
    assert shown["status"] == "not_accepted" and [e["type"] for e in shown["events"]] == [
        "refused"]
    assert counter.store.query("SELECT action FROM audit WHERE subject = ?",
                               (rec["code"],))[0]["action"] == "dossier.refused"
    assert counter.store.scalar("SELECT count(*) FROM outbox") == 2
    assert signatures.verify_store(counter).problems == []


def test_supplement_slip_goes_through_the_signed_request(counter, signer, tmp_path):
    from tests.helpers import P12_PASSWORD, shared_pki

    d = _receive(counter, signer)
    key = ("--p12", str(shared_pki().clerk("clerk1").p12), "--secret-env", "P12PW")
    env = {"P12PW": P12_PASSWORD}
    out = tmp_path / "s.pdf"
    r = motcua("slip", "supplement", d["code"], "--item", "Giấy chứng sinh|certified_copy",
               "--reason", "Thiếu bản sao", "--clerk", "lan", "--out", str(out), *key,
               data_dir=counter.settings.data_dir, env=env)
    assert r.returncode == 0, r.stderr
    assert counter.store.query("SELECT type FROM events ORDER BY seq")[-1]["type"] == \
        "supplement_requested"
    assert counter.store.scalar("SELECT status FROM dossiers") == 5  # supplement requested
    again = motcua("slip", "supplement", d["code"], "--out", str(tmp_path / "again.pdf"), *key,
                   data_dir=counter.settings.data_dir, env=env)  # reprint of the signed request
    assert again.returncode == 0, again.stderr
    actions.record_withdrawal(counter, d["code"], reason="đổi ý", clerk="lan", signer=signer)
    bad = motcua("slip", "supplement", d["code"], "--item", "x", "--reason", "y", "--clerk", "lan",
                 "--out", str(tmp_path / "bad.pdf"), *key, data_dir=counter.settings.data_dir,
                 env=env)
    assert bad.returncode != 0 and not (tmp_path / "bad.pdf").exists()
    assert signatures.verify_store(counter).problems == []


# ---- cross-checks and repair ---------------------------------------------------------------

def test_deleted_outbox_rows_are_reported_and_requeued(counter, signer):
    from app import repair

    a = _receive(counter, signer)
    _receive(counter, signer)
    counter.store.conn.execute("DELETE FROM outbox")  # the events would never reach the province
    kinds = [f["kind"] for f in repair.findings(counter)]
    assert kinds == ["not_queued", "not_queued"]
    out = motcua("check", data_dir=counter.settings.data_dir)
    assert out.returncode == 1 and a["code"] in out.stdout and "motcua repair" in out.stdout
    assert any(p["problem"] == "not_queued" for p in signatures.verify_store(counter).problems)
    r = motcua("repair", "--json", data_dir=counter.settings.data_dir)
    assert r.returncode == 0 and json.loads(r.stdout)["requeued"] == 2
    assert counter.store.scalar("SELECT count(*) FROM outbox") == 2
    assert repair.findings(counter) == []
    assert counter.store.query("SELECT action FROM audit ORDER BY seq DESC LIMIT 1")[0][
        "action"] == "store.repair"
    assert signatures.verify_store(counter).problems == []


def test_dropped_triggers_are_reported_and_recreated(counter, signer):
    from app import repair

    _receive(counter, signer)
    _drop_triggers(counter)
    names = sorted(f["name"] for f in repair.findings(counter) if f["kind"] == "trigger_missing")
    assert names == ["audit_no_delete", "audit_no_update", "events_append_only",
                     "events_no_delete"]
    assert repair.repair(counter)["triggers"] == names
    with __import__("pytest").raises(sqlite3.IntegrityError):
        counter.store.conn.execute("DELETE FROM audit")
    assert repair.findings(counter) == []


def test_unreferenced_scans_and_audit_rows_naming_deleted_events(counter, signer, tmp_path):
    from app import repair

    d = _receive(counter, signer)
    stray = counter.settings.attachments_dir / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"%PDF-1.4 not anyone's")
    c = _drop_triggers(counter)
    eid = _bodies(counter, d["code"])[0][0]
    c.execute("DELETE FROM outbox WHERE event_id = ?", (eid,))
    c.execute("DELETE FROM events WHERE id = ?", (eid,))
    kinds = {f["kind"] for f in repair.findings(counter)}
    assert {"scan_unreferenced", "audit_orphan", "trigger_missing"} <= kinds
    done = repair.repair(counter, remove_scans=True)
    assert done["scans_removed"] == 1 and not stray.exists()
    # a deleted event cannot be repaired: still named
    assert [f["kind"] for f in repair.findings(counter)] == ["audit_orphan"]


# ---- the gateway witnesses the audit head ----------------------------------------------------

def test_gateway_witness_catches_a_rewritten_audit_tail(counter, signer, tmp_path):
    from app import sync_service
    from tests.sync_support import enrol, thread_gateway

    _receive(counter, signer)
    _receive(counter, signer)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        enrol(counter, gstore, server.url)
        assert sync_service.sync_once(counter).ok
        gid = gstore.list_counters()[0].id
        witnessed = gstore.witness(gid)
        assert witnessed is not None
        row = counter.store.query("SELECT hash FROM audit WHERE seq = ?", (witnessed["seq"],))
        assert row[0]["hash"] == witnessed["hash"]
        assert signatures.witness_check(counter)["problems_en"] == []
        # rewrite the witnessed row (not anchored by any later signature), recompute the chain
        c = _drop_triggers(counter)
        rows = c.execute("SELECT seq, at, actor, counter, action, subject, detail FROM audit "
                         "ORDER BY seq").fetchall()
        prev = audit.GENESIS
        c.execute("DELETE FROM audit")
        for seq, at, actor, ctr, action, subject, detail in rows:
            if seq == witnessed["seq"]:
                actor = "someone-else"
            digest = audit._row_hash(prev, seq, at, actor, ctr, action, subject, detail)
            c.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (seq, at, actor, ctr, action, subject, detail, prev, digest))
            prev = digest
        c.execute("UPDATE meta SET value = ? WHERE key = ?", (f"{rows[-1][0]}:{prev}",
                                                              audit.HEAD_KEY))
        assert audit.verify(c)[1] == []
        found = signatures.witness_check(counter)
        assert found["checked"] and found["problems_en"]
        assert f"#{witnessed['seq']}" in found["problems_en"][0]
        out = motcua("audit", "verify", data_dir=counter.settings.data_dir, lang="en")
        assert out.returncode == 1 and "witnessed" in out.stdout
    # offline: a note, not a failure of its own
    off = signatures.witness_check(counter)
    assert not off["checked"] and off["note_en"]


def test_upgraded_v1_store_keeps_verifying_and_the_chain_starts_there(tmp_path):
    """The committed store written by schema v1 (v1 events): they verify as before; the first
    v2 event starts the chains and the audit log says so."""
    from app.context import open_counter
    from app.settings import Settings
    from app.trust import add_anchor
    from tests.helpers import install_fixture, shared_pki

    data = tmp_path / "data"
    install_fixture(data)
    with open_counter(Settings(data_dir=data)) as counter:
        before = signatures.verify_store(counter)
        assert before.problems == [] and before.signatures >= 4
        add_anchor(counter.settings, shared_pki().root_pem, counter=counter)
        add_anchor(counter.settings, shared_pki().subca_pem, counter=counter)
        clerk = counter.store.query("SELECT username FROM users ORDER BY username")[0]["username"]
        from tests.helpers import bind_demo_certificates

        bind_demo_certificates(counter, clerk)
        with demo_signer("clerk1") as s:
            d = intake.receive(counter, intake.parse_request(dossier_json()), clerk=clerk,
                               signer=s)
        start = counter.store.query("SELECT seq, detail FROM audit WHERE action = ?",
                                    (evidence.CHAIN_START_ACTION,))
        assert len(start) == 1 and json.loads(start[0]["detail"])["earlier_events"] >= 4
        body = _bodies(counter, d["code"])[0][2]
        assert body["v"] == 2 and body["counter_seq"] == 1 and body["counter_prev"] is None
        assert signatures.verify_store(counter).problems == []


def test_province_round_trip_is_signed_by_the_gateway_and_chained(counter, signer, tmp_path):
    from app import queries, sync_service
    from tests.sync_support import demo_gateway_sha256, enrol, signed_act, thread_gateway

    d = _receive(counter, signer)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        enrol(counter, gstore, server.url, gateway_cert_sha256=None)  # pin asked from the gateway
        assert signatures.gateway_pins(counter.store.conn) == {demo_gateway_sha256()}
        assert sync_service.sync_once(counter).ok
        signed_act(gstore, d["code"], "result-ready", "Đã có kết quả")
        r = sync_service.sync_once(counter)
        assert r.ok and r.applied == 1 and r.refused == 0
    assert queries.show(counter, d["code"])["status"] == "result_ready"
    (_, pay_r, _), (_, _, body_p) = _bodies(counter, d["code"])
    assert body_p["origin"] == "province" and body_p["signer"]["sha256"] == demo_gateway_sha256()
    assert body_p["dossier_prev"] == evidence.event_hash(pay_r)
    assert signatures.verify_store(counter).problems == []
    # the forged twin: the same province event re-signed by a clerk is refused by verify too
    c = _drop_triggers(counter)
    eid = _bodies(counter, d["code"])[1][0]
    c.execute("UPDATE events SET signature = ? WHERE id = ?",
              (signer.sign(_bodies(counter, d["code"])[1][1]), eid))
    kinds = {p["problem"] for p in signatures.verify_store(counter).problems}
    assert "signer_mismatch" in kinds


def test_a_pin_slipped_into_meta_is_reported(counter, signer):
    from tests.helpers import pin_demo_gateway

    _receive(counter, signer)
    pin_demo_gateway(counter)
    assert signatures.verify_store(counter).problems == []
    counter.store.conn.execute("UPDATE meta SET value = value || ',' || ? WHERE key = ?",
                               ("ab" * 32, evidence.META_GATEWAY_PIN))
    assert [p["problem"] for p in signatures.verify_store(counter).problems] == ["pin_unaudited"]


def test_offline_enrolment_pins_the_gateway_at_the_first_pull(counter, signer, tmp_path):
    from app import queries, sync_service
    from tests.sync_support import demo_gateway_sha256, signed_act, thread_gateway

    d = _receive(counter, signer)
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        _, token = gstore.enrol(counter.agency_code, counter.counter_no)
        sync_service.enrol(counter, server.url, token=token, fetch_pin=False)
        assert signatures.gateway_pins(counter.store.conn) == set()
        assert sync_service.sync_once(counter).ok
        signed_act(gstore, d["code"], "processing")
        r = sync_service.sync_once(counter)
        assert r.ok and r.applied == 1 and r.refused == 0
    assert signatures.gateway_pins(counter.store.conn) == {demo_gateway_sha256()}
    assert queries.show(counter, d["code"])["status"] == "processing"


def test_a_province_clock_behind_the_counter_is_not_tampering(counter, signer):
    from tests.helpers import pin_demo_gateway, signed_province_event

    d = _receive(counter, signer)
    actions.request_supplement(counter, d["code"], [{"name": "Bản sao CCCD"}], reason="thiếu",
                               clerk="lan", signer=signer, now=MON_10 + timedelta(hours=2))
    actions.record_supplement_received(counter, d["code"], clerk="lan", signer=signer,
                                       now=MON_10 + timedelta(hours=3))
    pin_demo_gateway(counter)
    # the gateway's clock is an hour behind: its event follows the counter's newest one
    ev = signed_province_event(d, "processing", MON_10 + timedelta(hours=2, minutes=30),
                               counter=counter)
    assert actions.apply_remote_events(counter, [ev])["applied"] == 1
    assert signatures.verify_store(counter).problems == []
