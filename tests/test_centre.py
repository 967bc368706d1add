"""One centre works as one: three counters of a centre and a second centre on one real gateway
(real CMS verification, real clerk keys). Intake at counter 1, supplement at counter 2, the
result pulled and returned at counter 3; every counter ends with the same dossier, `verify` and
`check` clean; the second centre received nothing."""

from __future__ import annotations

from app import actions, intake, queries, remote, signatures, sync_service, syncstate
from localdb.backup import attachment_path, integrity_problems
from sync.engine import EngineConfig
from sync.wire import WireEvent
from tests.helpers import demo_signer, dossier_json, make_counter, make_pdf, motcua
from tests.sync_support import enrol, signed_act, thread_gateway

OTHER = "000.30.31.H26"
FAST = EngineConfig(backoff_base=0.01, backoff_cap=0.1)


def _sync(counter):
    r = sync_service.sync_once(counter, FAST)
    assert r.error is None, r.error
    assert r.parked == 0, r.parked_reasons
    return r


def _clean(counter) -> None:
    report = signatures.verify_store(counter)
    assert report.problems == [], report.problems
    assert integrity_problems(counter.store, counter.settings.attachments_dir) == []


def test_three_counters_one_centre_and_a_second_centre(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        c1, c2, c3 = (make_counter(tmp_path / f"c{n}", counter_no=n) for n in (1, 2, 3))
        other = make_counter(tmp_path / "other", counter_no=1, agency=OTHER)
        for c in (c1, c2, c3, other):
            enrol(c, gstore, server.url)
            _sync(c)
        with demo_signer("clerk1") as s1, demo_signer("clerk2") as s2, \
                demo_signer("clerk1") as s3:
            scan = make_pdf(tmp_path / "giay-chung-sinh.pdf", pad=50_000)  # scans are parsed
            d = intake.receive(c1, intake.parse_request(dossier_json(), [scan]), clerk="lan",
                               signer=s1)
            code = d["code"]
            actions.request_supplement(c1, code, [{"name": "Giấy chứng sinh", "form": "original"}],
                                       reason="Thiếu bản chính", clerk="lan", signer=s1)
            _sync(c1)

            # counter 2 finds the citizen by search and records the supplement
            r2 = _sync(c2)
            assert r2.applied == 2
            found = queries.search(c2, "dang thi huong")["results"]
            assert [f["code"] for f in found] == [code]
            shown = queries.show(c2, code)
            assert shown["status"] == "supplement_requested"
            assert shown["owner_counter"] == 1 and shown["own"] is False
            out = motcua("show", code, data_dir=tmp_path / "c2")  # the clerk reads it too
            assert out.returncode == 0 and "Tiếp nhận tại quầy 1 (quầy khác" in out.stdout, \
                out.stdout + out.stderr
            out = motcua("show", code, data_dir=tmp_path / "c1")
            assert out.returncode == 0 and "tại quầy" not in out.stdout, out.stdout
            actions.record_supplement_received(c2, code, note="Đã nộp bản chính", clerk="lan",
                                               signer=s2)
            _sync(c2)

            signed_act(gstore, code, "result-ready", "Đã ký kết quả")

            # counter 3 never saw the dossier: it pulls everything and returns the result
            _sync(c3)
            assert queries.show(c3, code)["status"] == "result_ready"
            actions.return_result(c3, code, recipient_name="Đặng Thị Hương",
                                  recipient_id="079190000123", clerk="lan", signer=s3)
            _sync(c3)

        for c in (c1, c2, c3):
            _sync(c)
            shown = queries.show(c, code)
            assert shown["status"] == "returned", c.counter_no
            assert [e["type"] for e in shown["events"]] == [
                "received", "supplement_requested", "supplement_received", "result_ready",
                "returned"]
            _clean(c)
            # every counter holds the scan (downloaded from the gateway, scoped to the centre)
            sha = d["attachments"][0]["sha256"]
            assert attachment_path(c.settings.attachments_dir, sha).read_bytes() == \
                scan.read_bytes()
        # all three hold the same signed bytes
        payloads = [sorted(bytes(r["payload"]) for r in c.store.query(
            "SELECT payload FROM events")) for c in (c1, c2, c3)]
        assert payloads[0] == payloads[1] == payloads[2]

        # the second centre received nothing of it
        _sync(other)
        assert other.store.scalar("SELECT count(*) FROM dossiers") == 0
        assert other.store.scalar("SELECT count(*) FROM events") == 0
        assert other.store.scalar("SELECT count(*) FROM pulled_waiting") == 0
        _clean(other)
        for c in (c1, c2, c3, other):
            c.close()


def test_an_event_before_its_dossier_waits_and_is_applied_when_it_arrives(tmp_path):
    """From any source (a LAN peer, say) in any order: the follow-up waits, durably, and is
    applied the moment the dossier's receipt arrives; a forged or foreign event is refused."""
    c1 = make_counter(tmp_path / "c1", counter_no=1)
    c2 = make_counter(tmp_path / "c2", counter_no=2)
    foreign = make_counter(tmp_path / "f", counter_no=2, agency=OTHER)
    with demo_signer("clerk1") as signer:
        d = intake.receive(c1, intake.parse_request(dossier_json()), clerk="lan", signer=signer)
        actions.record_withdrawal(c1, d["code"], reason="Công dân xin rút", clerk="lan",
                                  signer=signer)
        f = intake.receive(foreign, intake.parse_request(dossier_json()), clerk="lan",
                           signer=signer)
    rows = c1.store.query("SELECT id, dossier_id, type, occurred_at, origin, actor,"
                          " payload, signature FROM events ORDER BY seq")

    def wire(r, counter=c1, code=d["code"]):
        return WireEvent(id=r["id"], dossier_id=r["dossier_id"], dossier_code=code,
                         type=r["type"], occurred_at=r["occurred_at"], origin=r["origin"],
                         actor=r["actor"], payload=bytes(r["payload"]),
                         signature=bytes(r["signature"]), attachments=())

    received, withdrawn = wire(rows[0]), wire(rows[1])
    stats = remote.apply_signed_events(c2, [withdrawn], source="lan-peer")
    assert stats.waiting == 1 and stats.applied == 0
    assert remote.waiting_count(c2) == 1
    assert syncstate.read(c2)["waiting"] == 1  # IT sees it in `motcua sync status`
    stats = remote.apply_signed_events(c2, [received], source="lan-peer")
    assert stats.materialised == 1 and stats.applied == 2 and stats.waiting == 0
    assert remote.waiting_count(c2) == 0
    assert queries.show(c2, d["code"])["status"] == "withdrawn"
    _clean(c2)

    # a refusal slip recorded at counter 1 (its own numbered dossier) appears at counter 2
    with demo_signer("clerk1") as signer:
        ref = actions.record_refusal(c1, reason="Thiếu tờ khai", clerk="lan", signer=signer,
                                     applicant={"full_name": "Lê Văn Tám"},
                                     procedure_code="1.001193")
    row = c1.store.query("SELECT id, dossier_id, type, occurred_at, origin, actor, payload,"
                         " signature FROM events WHERE type = 'refused'")[0]
    stats = remote.apply_signed_events(c2, [wire(row, code=ref["code"])], source="lan-peer")
    assert stats.materialised == 1
    assert queries.show(c2, ref["code"])["status"] == "not_accepted"
    _clean(c2)

    # a tampered copy and another centre's dossier are refused, nothing changes
    tampered = WireEvent(**{**received.__dict__, "id": "0192f000-0000-7000-8000-000000000001"})
    frow = foreign.store.query("SELECT id, dossier_id, type, occurred_at, origin, actor, payload,"
                               " signature FROM events")[0]
    stats = remote.apply_signed_events(c2, [tampered, wire(frow, code=f["code"])])
    assert stats.refused == 2 and stats.applied == 0
    reasons = sorted(r.split(":")[0] for _, r in stats.refusals)
    assert reasons == ["envelope_mismatch", "not_your_centre"]
    _clean(c2)
    for c in (c1, c2, foreign):
        c.close()
