"""Pulled events refused for a trust reason are kept signed and applied once trust is fixed.

Real parts: the reference gateway on 127.0.0.1 (real CMS verifier, SQLite, signing province
events with its own certificate), real counters (SQLite files), the real `motcua` command line
for `trust add`, `gateway-pin add` and `sync status`. After the fix of trust the gateway is
stopped: the events are applied from the counter's own copy, without another pull."""

from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives import hashes, serialization

from app import accounts, intake, signatures, sync_service
from app import trust as trustcfg
from signing.demo_pki import issue_gateway_signer
from signing.signer import P12Signer
from sync.engine import EngineConfig
from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from sync.gateway.service import province_act
from sync.gateway.store import NewEvent, open_store
from sync.wire import province_event
from tests.helpers import (
    P12_PASSWORD,
    demo_signer,
    dossier_json,
    gateway_signer,
    make_counter,
    motcua,
    shared_pki,
)
from tests.sync_support import ADMIN_TOKEN, enrol, real_verifier

FAST = EngineConfig(backoff_base=0.01, backoff_cap=0.1)
ADMIN_PW = "quan-tri-Mật-khẩu-1"


@pytest.fixture(scope="module")
def other_gateway(tmp_path_factory):
    """A second gateway signing certificate under the demo sub-CA, not pinned by counters."""
    return issue_gateway_signer(shared_pki(), tmp_path_factory.mktemp("gw2"), name="gateway2",
                                password=P12_PASSWORD)


def _tsa():
    from signing.tsa import TimeStampAuthority

    pki = shared_pki()
    return TimeStampAuthority.from_files(pki.tsa_pem, pki.tsa_key_pem)


def _gateway(data_dir: Path, signer, *, store=None, port: int | None = None):
    store = store or open_store(None, data_dir)
    app = create_app(GatewayConfig(data_dir=data_dir, verifier=real_verifier(),
                                   admin_token=ADMIN_TOKEN, store=store, signer=signer,
                                   tsa=_tsa()))
    return GatewayServer(app, port=port).start(), store


def _receive(counter) -> str:
    with demo_signer("clerk1") as s:
        return intake.receive(counter, intake.parse_request(dossier_json(), ()), clerk="lan",
                              signer=s)["code"]


def _sync(counter):
    r = sync_service.sync_once(counter, FAST)
    assert r.error is None, r.error
    return r


def _province_types(counter, code: str) -> list[str]:
    return [t for (t,) in counter.store.conn.execute(
        "SELECT e.type FROM events e JOIN dossiers d ON d.id = e.dossier_id "
        "WHERE d.code = ? AND e.origin = 'province' ORDER BY e.seq", (code,))]


def _audit(counter, action: str) -> list[dict]:
    return [json.loads(d) for (d,) in counter.store.conn.execute(
        "SELECT detail FROM audit WHERE action = ? ORDER BY seq", (action,))]


def _tampered_act(gstore, code: str, signer) -> str:
    """A province event whose signed bytes were changed after signing (a tampered gateway
    database, or someone between the gateway and the counter), stored by the gateway."""
    did, agency = gstore.dossier_by_code(code)
    ev = province_event(dossier_id=did, dossier_code=code, event_type="result_ready",
                        note="", dossier_prev=gstore.dossier_head(did), signer=signer)
    body = json.loads(ev.payload)
    body["data"] = {**(body.get("data") or {}), "note": "kết quả đã sửa"}
    forged = replace(ev, payload=rfc8785.dumps(body))
    assert gstore.insert_events([NewEvent(forged, agency, None)])[0] == "accepted"
    return ev.id


def test_unpinned_gateway_event_applied_after_pin_add_tampered_stays(tmp_path, other_gateway):
    """The gateway signs with a certificate this counter has not pinned (the province
    changed it without an announcement): refused, kept, listed in `sync status`. The
    administrator pins it from the province's letter with the gateway stopped: the event is
    applied from the kept copy; the tampered one stays refused, listed as such."""
    new_sha = other_gateway.cert.fingerprint(hashes.SHA256()).hex()
    data = tmp_path / "c1"
    counter = make_counter(data)
    accounts.add_user(counter.store, "quantri", "Trần Văn Quản", "administrator", ADMIN_PW)
    code = _receive(counter)
    new_signer = P12Signer.open(other_gateway.p12, P12_PASSWORD)
    server, gstore = _gateway(tmp_path / "gw", new_signer)
    try:
        enrol(counter, gstore, server.url)  # pins the demo gateway certificate only
        _sync(counter)  # the dossier reaches the gateway
        good = province_act(gstore, code, "processing", None, signer=new_signer)
        bad_id = _tampered_act(gstore, code, new_signer)
        r = _sync(counter)
        assert r.pulled == 2 and r.applied == 0 and r.refused == 2, r.to_json()
        assert r.refused_reasons == {"not_gateway": 1, "digest_mismatch": 1}
        r = _sync(counter)  # nothing new; the kept events are not applied, not re-audited
        assert r.refused_lifted == 0 and r.pulled == 0
    finally:
        server.stop()
        gstore.close()
        new_signer.close()
    assert _province_types(counter, code) == []
    assert len(_audit(counter, "sync.refused")) == 2
    counter.close()

    out = motcua("sync", "status", data_dir=data)
    assert out.returncode == 0, out.stderr
    assert "Sự kiện nhận về đang bị từ chối (chưa áp dụng): 2" in out.stdout, out.stdout
    assert ("Sự kiện của tỉnh không được ký bằng chứng thư đã ghim của cổng tỉnh. "
            "(not_gateway)") in out.stdout
    assert f"{new_sha[:16]}…" in out.stdout and "chờ thay đổi tin cậy" in out.stdout
    assert "(digest_mismatch)" in out.stdout and "không bao giờ áp dụng" in out.stdout
    out = motcua("sync", "status", data_dir=data, lang="en")
    assert "Pulled events refused here (not applied): 2" in out.stdout, out.stdout
    assert "waiting for a trust change" in out.stdout and "never applied" in out.stdout

    pem = tmp_path / "gateway2.pem"
    pem.write_bytes(other_gateway.cert.public_bytes(serialization.Encoding.PEM))
    out = motcua("gateway-pin", "add", new_sha, "--cert", str(pem), "--admin", "quantri",
                 "--admin-password-env", "ADMIN_PW", data_dir=data, env={"ADMIN_PW": ADMIN_PW})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["refused_rechecked"]["applied"] == 1

    counter = make_counter(data)
    assert _province_types(counter, code) == ["processing"]  # no pull: the gateway is gone
    assert counter.store.scalar("SELECT id FROM events WHERE origin = 'province'") == good.id
    [lifted] = _audit(counter, "sync.refusal_lifted")
    assert lifted["refused_event"] == good.id and lifted["first_reason"] == "not_gateway"
    assert lifted["trigger"] == "gateway-pin add" and lifted["outcome"] == "applied"
    assert signatures.verify_store(counter).problems == []
    counter.close()
    out = motcua("sync", "status", data_dir=data)
    assert "Sự kiện nhận về đang bị từ chối (chưa áp dụng): 1" in out.stdout, out.stdout
    assert "(digest_mismatch)" in out.stdout and "(not_gateway)" not in out.stdout
    assert "1 × Chữ ký không khớp nội dung. (digest_mismatch)" in out.stdout  # round summary
    out = motcua("sync", "status", "--json", data_dir=data)
    [held] = json.loads(out.stdout)["refused_events"]
    assert held["event_id"] == bad_id and held["final"] and held["kind"] == "tampered"

    # the tampered one is never retried: not by another trust change, not by a sync
    counter = make_counter(data)
    from app import pullretry

    again = pullretry.retry(counter, trigger="test")
    assert again.checked == 0 and _province_types(counter, code) == ["processing"]
    # the kept envelope is append-only
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        counter.store.conn.execute("DELETE FROM pulled_refused")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        counter.store.conn.execute("UPDATE pulled_refused SET event = '{}'")
    with pytest.raises(sqlite3.DatabaseError, match="final"):
        counter.store.conn.execute("UPDATE pulled_refused SET final = 0")
    counter.close()


def _without_root(counter) -> None:
    trustcfg.remove(counter.settings, shared_pki().root.fingerprint(hashes.SHA256()).hex(),
                    counter=counter)


class _Refused:
    """A counter whose trust folder lacks the province's root: the pinned gateway's
    province event is refused as untrusted (the verifier's words name the issuer). The
    gateway keeps running until ``stop()``."""

    def __init__(self, tmp_path: Path):
        self.data = tmp_path / "c1"
        self.counter = make_counter(self.data)
        self.code = _receive(self.counter)
        self.signer = gateway_signer()
        self.server, self.gstore = _gateway(tmp_path / "gw", self.signer)
        try:
            enrol(self.counter, self.gstore, self.server.url)
            _sync(self.counter)
            _without_root(self.counter)
            self.act = province_act(self.gstore, self.code, "processing", None,
                                    signer=self.signer, tsa=_tsa())
            r = _sync(self.counter)
            assert r.refused_reasons == {"untrusted": 1}, r.to_json()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.server.stop()
        self.gstore.close()
        self.signer.close()


def test_untrusted_event_applied_after_trust_add(tmp_path):
    case = _Refused(tmp_path)
    case.stop()
    data, counter, code, act = case.data, case.counter, case.code, case.act
    [held] = sync_service.syncstate.read(counter)["refused_events"]
    assert held["reason"] == "untrusted" and held["kind"] == "trust"
    assert held["reason_en"] != held["reason_vi"]
    counter.close()
    out = motcua("trust", "add", str(shared_pki().root_pem), data_dir=data)
    assert out.returncode == 0, out.stderr
    assert "nay đã áp dụng: 1; vẫn bị từ chối: 0" in out.stderr, out.stderr
    counter = make_counter(data)
    assert _province_types(counter, code) == ["processing"]
    assert counter.store.scalar("SELECT id FROM events WHERE origin = 'province'") == act.id
    # the gateway's RFC 3161 token was kept with the refused event and stored with it now
    assert counter.store.scalar("SELECT tst FROM events WHERE origin = 'province'")
    assert sync_service.syncstate.read(counter)["refused_events"] == []
    assert signatures.verify_store(counter).problems == []
    counter.close()


def test_next_sync_retries_after_trust_changed_by_hand(tmp_path):
    """The root copied into the trust folder by hand (no command ran the re-check): the next
    sync round checks the kept event again and applies it, although the gateway serves
    nothing new."""
    case = _Refused(tmp_path)
    counter = case.counter
    try:
        r = _sync(counter)
        assert r.refused_lifted == 0 and r.pulled == 0  # trust unchanged: not re-checked
        pem = shared_pki().root_pem.read_bytes()
        (trustcfg.anchors_dir(counter.settings) / "province-root.pem").write_bytes(pem)
        r = _sync(counter)
        assert r.refused_lifted == 1 and r.pulled == 0, r.to_json()
    finally:
        case.stop()
    assert _province_types(counter, case.code) == ["processing"]
    [lifted] = _audit(counter, "sync.refusal_lifted")
    assert lifted["trigger"] == "sync" and lifted["first_reason"] == "untrusted"
    counter.close()


def test_refused_event_keeps_the_signed_bytes(tmp_path, other_gateway):
    """What is kept is the exact envelope the gateway served (payload and CMS)."""
    from app import remote

    counter = make_counter(tmp_path / "c1")
    sync_service.pin_gateway_certificate(counter, shared_pki().gateway.cert.fingerprint(
        hashes.SHA256()).hex())
    code = _receive(counter)
    did = counter.store.scalar("SELECT id FROM dossiers WHERE code = ?", (code,))
    with P12Signer.open(other_gateway.p12, P12_PASSWORD) as s:
        ev = province_event(dossier_id=did, dossier_code=code, event_type="processing",
                            signer=s)
    stats = remote.apply_signed_events(counter, [ev])
    assert stats.refused == 1
    stored = json.loads(counter.store.scalar("SELECT event FROM pulled_refused"))
    assert base64.b64decode(stored["payload"]) == ev.payload
    assert base64.b64decode(stored["signature"]) == ev.signature
    # served again (e.g. `sync recover`): one row, one audit line
    assert remote.apply_signed_events(counter, [ev]).refused == 1
    assert counter.store.scalar("SELECT count(*) FROM pulled_refused") == 1
    assert counter.store.scalar("SELECT checks FROM pulled_refused") == 2
    assert len(_audit(counter, "sync.refused")) == 1
    counter.close()


def test_other_counters_events_materialised_after_trust_add(tmp_path):
    """Counter 2 of the centre did not trust the clerks' issuer when it pulled counter 1's
    dossiers: after `trust add` they are materialised from the kept copies (gateway
    stopped), `verify` clean, and the warning in `sync status` goes."""
    import shutil

    from tests.sync_support import counter_with, thread_gateway

    with thread_gateway(tmp_path / "gw") as (server, gstore):
        c1 = counter_with(tmp_path / "c1", 2)
        enrol(c1, gstore, server.url)
        _sync(c1)
        codes = [c for (c,) in c1.store.conn.execute("SELECT code FROM dossiers")]
        c1.close()
        c2 = make_counter(tmp_path / "c2", counter_no=2)
        enrol(c2, gstore, server.url)
        shutil.rmtree(trustcfg.anchors_dir(c2.settings))
        r = _sync(c2)
        assert r.refused_reasons == {"untrusted": 2}, r.to_json()
        c2.close()
    status = motcua("sync", "status", data_dir=tmp_path / "c2").stdout
    assert "Sự kiện nhận về đang bị từ chối (chưa áp dụng): 2" in status, status
    assert "của quầy khác" in status
    out = motcua("trust", "add", str(shared_pki().root_pem), data_dir=tmp_path / "c2")
    assert out.returncode == 0 and "nay đã áp dụng: 2" in out.stderr, out.stderr
    c2 = make_counter(tmp_path / "c2", counter_no=2)
    assert sorted(c for (c,) in c2.store.conn.execute("SELECT code FROM dossiers")) == \
        sorted(codes)
    assert signatures.verify_store(c2).problems == []
    c2.close()
    status = motcua("sync", "status", data_dir=tmp_path / "c2").stdout
    assert "bị từ chối" not in status, status


def test_rotation_accepted_during_sync_applies_the_refused_event(tmp_path, other_gateway):
    """The gateway signed a province event with its new certificate before this counter had
    its announcement: refused (not pinned). The gateway then serves the announcement, signed
    by the old, pinned key: the next round pins the new certificate and applies the kept
    event, with nothing new pulled."""
    from datetime import UTC, datetime

    from sync.gateway.rotation import ROTATIONS_DIR
    from sync.rotation import make_announcement

    counter = make_counter(tmp_path / "c1")
    code = _receive(counter)
    new_signer = P12Signer.open(other_gateway.p12, P12_PASSWORD)
    gw_dir = tmp_path / "gw"
    server, gstore = _gateway(gw_dir, new_signer)
    try:
        enrol(counter, gstore, server.url)
        _sync(counter)
        effective = datetime.now(UTC).replace(microsecond=0)
        act = province_act(gstore, code, "processing", None, signer=new_signer)
        r = _sync(counter)
        assert r.refused_reasons == {"not_gateway": 1}, r.to_json()
        server.stop()
        with gateway_signer() as old:
            ann = make_announcement(old, other_gateway.cert, effective)
        (gw_dir / ROTATIONS_DIR).mkdir(parents=True, exist_ok=True)
        (gw_dir / ROTATIONS_DIR / "rotation.json").write_text(json.dumps(ann.to_json()),
                                                              encoding="utf-8")
        server, _ = _gateway(gw_dir, new_signer, store=gstore, port=server.port)
        r = _sync(counter)
        assert r.rotations_applied == 1 and r.refused_lifted == 1 and r.pulled == 0, \
            r.to_json()
    finally:
        server.stop()
        gstore.close()
        new_signer.close()
    assert counter.store.scalar("SELECT id FROM events WHERE origin = 'province'") == act.id
    [lifted] = _audit(counter, "sync.refusal_lifted")
    assert lifted["trigger"] == "sync" and lifted["first_reason"] == "not_gateway"
    assert signatures.verify_store(counter).problems == []
    counter.close()
