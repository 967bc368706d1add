"""Gateway HTTP API against a real uvicorn server on 127.0.0.1, on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import rfc8785

from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from sync.gateway.store import Store
from tests.gateway_support import (
    ADMIN_TOKEN,
    AGENCY,
    OTHER_AGENCY,
    auth,
    b64,
    gateway_store,
    make_body,
    make_event,
    push,
    statuses,
    stub_verifier,
    wire_from_body,
)

API = "/api/v1"


@dataclass
class Gw:
    url: str
    store: Store
    t1: str  # AGENCY counter 1
    t2: str  # AGENCY counter 2
    t3: str  # OTHER_AGENCY counter 1
    ids: dict[str, int]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def gw(request, tmp_path):
    store = gateway_store(request.param, tmp_path)
    c1, t1 = store.enrol(AGENCY, 1, "TTPVHCC Phường Ba Đình")
    c2, t2 = store.enrol(AGENCY, 2)
    c3, t3 = store.enrol(OTHER_AGENCY, 1)
    config = GatewayConfig(
        store=store, verifier=stub_verifier, admin_token=ADMIN_TOKEN, signer=_gateway_signer(),
        max_batch_events=50,
        max_batch_bytes=256 * 1024, max_chunk_bytes=64 * 1024, max_attachment_bytes=1024 * 1024,
    )
    with GatewayServer(create_app(config)) as server:
        yield Gw(server.url, store, t1, t2, t3, {"c1": c1.id, "c2": c2.id, "c3": c3.id})
    store.close()


_SIGNERS: list = []


def _gateway_signer():
    """The demo gateway signing identity (province events are signed), opened once."""
    if not _SIGNERS:
        from tests.helpers import gateway_signer

        _SIGNERS.append(gateway_signer())
    return _SIGNERS[0]


# ---- meta -----------------------------------------------------------------------------------

def test_health_time_and_clock_headers(gw):
    r = requests.get(f"{gw.url}{API}/health", timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert r.headers["Date"].endswith("GMT")
    r = requests.get(f"{gw.url}{API}/time", timeout=10)
    server = datetime.fromisoformat(r.json()["server_time"])
    assert abs((server - datetime.now(UTC)).total_seconds()) < 5
    header = datetime.fromisoformat(r.headers["X-Server-Time"])
    assert abs((header - server).total_seconds()) < 5
    # errors carry the clock headers too
    r = requests.get(f"{gw.url}{API}/events", timeout=10)
    assert r.status_code == 401 and "X-Server-Time" in r.headers and "Date" in r.headers


def test_openapi_lists_endpoints(gw):
    doc = requests.get(f"{gw.url}{API}/openapi.json", timeout=10).json()
    paths = doc["paths"]
    for p in ("/api/v1/health", "/api/v1/time", "/api/v1/events:push", "/api/v1/events",
              "/api/v1/attachments/{sha256}", "/api/v1/catalogue", "/api/v1/province/act"):
        assert p in paths, p
    assert "post" in paths["/api/v1/events:push"]
    assert {"get", "put"} <= set(paths["/api/v1/attachments/{sha256}"])
    assert "requestBody" in paths["/api/v1/events:push"]["post"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer"
               for s in doc["components"]["securitySchemes"].values())


# ---- authentication -------------------------------------------------------------------------

def test_auth_missing_unknown_revoked(gw):
    ev = make_event()
    r = requests.post(f"{gw.url}{API}/events:push", json={"events": [ev]}, timeout=10)
    assert r.status_code == 401 and r.json()["reason"] == "missing_token"
    r = push(gw.url, "mct_not-a-real-token", [ev])
    assert r.status_code == 401 and r.json()["reason"] == "unknown_token"
    r = requests.get(f"{gw.url}{API}/events", headers={"Authorization": "Basic Zm9vOmJhcg=="},
                     timeout=10)
    assert r.status_code == 401
    assert statuses(push(gw.url, gw.t1, [ev])) == [("accepted", None)]
    gw.store.revoke(gw.ids["c1"])
    r = push(gw.url, gw.t1, [make_event()])
    assert r.status_code == 401 and r.json()["reason"] == "counter_revoked"
    r = requests.get(f"{gw.url}{API}/events", headers=auth(gw.t1), timeout=10)
    assert r.status_code == 401 and r.json()["reason"] == "counter_revoked"
    # other counters are unaffected
    assert requests.get(f"{gw.url}{API}/events", headers=auth(gw.t2), timeout=10).ok


# ---- push -----------------------------------------------------------------------------------

def test_same_event_ten_times_is_stored_once(gw):
    ev = make_event()
    answers = [statuses(push(gw.url, gw.t1, [ev]))[0] for _ in range(10)]
    assert answers[0] == ("accepted", None)
    assert answers[1:] == [("duplicate", None)] * 9
    # ... and inside one batch
    ev2 = make_event()
    assert statuses(push(gw.url, gw.t1, [ev2] * 10)) == [("accepted", None)] + [
        ("duplicate", None)] * 9
    # the slash spelling of the endpoint is the same endpoint
    r = requests.post(f"{gw.url}{API}/events/push", json={"events": [ev2]}, headers=auth(gw.t1),
                      timeout=10)
    assert statuses(r) == [("duplicate", None)]
    assert gw.store.event_count() == 2
    stored = gw.store.get_event(ev["id"])
    assert stored is not None
    assert stored.wire.payload == base64.b64decode(ev["payload"])  # the exact signed bytes
    assert stored.wire.signature == base64.b64decode(ev["signature"])


def test_different_payload_under_existing_id_is_refused(gw):
    body = make_body()
    assert statuses(push(gw.url, gw.t1, [wire_from_body(body)])) == [("accepted", None)]
    body2 = dict(body, data=dict(body["data"], note="changed"))
    r = push(gw.url, gw.t1, [wire_from_body(body2)])
    assert statuses(r) == [("rejected", "id_conflict")]
    assert gw.store.get_event(body["id"]).wire.payload == rfc8785.dumps(body)
    assert gw.store.event_count() == 1


def test_each_event_judged_alone(gw):
    good = make_event()
    body = make_body()
    tampered = wire_from_body(body)
    tampered["payload"] = b64(rfc8785.dumps(dict(body, actor=body["actor"])) .replace(
        b"clerk.lan", b"clerk.lam"))
    tampered["actor"] = "clerk.lam"  # envelope agrees, signature does not
    mismatch = make_event()
    mismatch["dossier_code"] = "000.20.27.H57-261123-999999"
    wrong = make_event(agency=OTHER_AGENCY)
    wrong_no = make_event(counter_no=2)
    unsigned = make_event(sign=lambda p: None)
    province = make_event()
    province["origin"] = "province"
    not_canonical = make_event()
    not_canonical["payload"] = b64(json.dumps(make_body(), indent=1).encode())
    revoked = make_event(sign=lambda p: b"stub-revoked")
    untrusted = make_event(sign=lambda p: b"stub-untrusted")
    bad_b64 = make_event()
    bad_b64["payload"] = "%%%not base64"
    garbage = [42, "x", None, {"id": "nope"}, {}]
    last_good = make_event()
    batch = [good, tampered, mismatch, wrong, wrong_no, unsigned, province, not_canonical,
             revoked, untrusted, bad_b64, *garbage, last_good]
    r = push(gw.url, gw.t1, batch)
    got = statuses(r)
    assert got == [
        ("accepted", None),
        ("rejected", "bad_signature"),
        ("rejected", "envelope_mismatch"),
        ("rejected", "wrong_counter"),
        ("rejected", "wrong_counter"),
        ("rejected", "signature_missing"),
        ("rejected", "bad_origin"),
        ("rejected", "not_canonical"),
        ("rejected", "revoked"),
        ("rejected", "untrusted"),
        ("rejected", "malformed"),
        *[("rejected", "malformed")] * len(garbage),
        ("accepted", None),
    ]
    results = r.json()["results"]
    assert results[0]["id"] == good["id"] and results[-1]["id"] == last_good["id"]
    assert all(x["detail"] for x in results if x["status"] == "rejected")
    assert gw.store.event_count() == 2


def test_envelope_attachments_must_match_body(gw):
    ev = make_event(attachments=[("a" * 64, 10)])
    ev["attachments"] = []
    assert statuses(push(gw.url, gw.t1, [ev])) == [("rejected", "envelope_mismatch")]


def test_dossier_code_taken_by_another_dossier(gw):
    a = make_event(dossier_code="000.20.27.H57-261123-010001")
    b = make_event(dossier_code="000.20.27.H57-261123-010001")  # other dossier_id
    assert statuses(push(gw.url, gw.t1, [a, b])) == [
        ("accepted", None), ("rejected", "dossier_conflict")]


def test_batch_limits(gw):
    r = push(gw.url, gw.t1, [make_event() for _ in range(51)])
    assert r.status_code == 413 and r.json()["reason"] == "too_many_events"
    big = make_event(note="x" * 300_000)
    r = push(gw.url, gw.t1, [big])
    assert r.status_code == 413 and r.json()["reason"] == "too_large"
    # streamed without Content-Length: still cut off
    def gen():
        yield b'{"events": ['
        for _ in range(400):
            yield b" " * 1024
        yield b"]}"
    r = requests.post(f"{gw.url}{API}/events:push", data=gen(), headers=auth(gw.t1), timeout=10)
    assert r.status_code == 413
    assert gw.store.event_count() == 0


@pytest.mark.parametrize("body,ctype", [
    (b"garbage", "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"[1,2,3]", "application/json"),
    (b'{"events": {}}', "application/json"),
    (b'{"events": "x"}', "application/json"),
    (b"", "application/json"),
    (b'{"events": [1', "text/plain"),
    (os.urandom(2048), "application/octet-stream"),
])
def test_garbage_bodies_get_json_4xx(gw, body, ctype):
    r = requests.post(f"{gw.url}{API}/events:push", data=body,
                      headers={**auth(gw.t1), "Content-Type": ctype}, timeout=10)
    assert 400 <= r.status_code < 500, r.text
    assert isinstance(r.json()["reason"], str)


def test_garbage_everywhere_never_500(gw):
    h = auth(gw.t1)
    sha = "0" * 64
    cases = [
        ("get", f"{API}/events?since=abc", {}),
        ("get", f"{API}/events?since=-1", {}),
        ("get", f"{API}/events?limit=0", {}),
        ("get", f"{API}/events?limit=zz", {}),
        ("get", f"{API}/events?since=99999999999999999999999", {}),
        ("get", f"{API}/attachments/NOTHEX", {}),
        ("put", f"{API}/attachments/{sha}", {}),
        ("put", f"{API}/attachments/{sha}?offset=-1&total=3", {}),
        ("put", f"{API}/attachments/{sha}?offset=a&total=3", {}),
        ("put", f"{API}/attachments/ZZ?offset=0&total=3", {}),
        ("post", f"{API}/province/act", {"data": b"{bad"}),
        ("delete", f"{API}/events", {}),
        ("get", f"{API}/catalogue?since_version=%00", {}),
    ]
    for method, path, kw in cases:
        r = requests.request(method, gw.url + path, headers=h, timeout=10, **kw)
        assert 400 <= r.status_code < 500 or r.status_code == 204, (path, r.status_code, r.text)
        if r.status_code != 204:
            assert "reason" in r.json(), (path, r.text)


# ---- attachments ----------------------------------------------------------------------------

def _put(gw, sha, offset, total, chunk, token=None):
    return requests.put(f"{gw.url}{API}/attachments/{sha}", params={"offset": offset,
                        "total": total}, data=chunk, headers=auth(token or gw.t1), timeout=30)


def test_attachment_upload_resumes_after_cut(gw):
    blob = os.urandom(150_000)
    sha = hashlib.sha256(blob).hexdigest()
    assert requests.get(f"{gw.url}{API}/attachments/{sha}", headers=auth(gw.t1),
                        timeout=10).status_code == 404
    assert _put(gw, sha, 0, len(blob), blob[:60_000]).json() == {
        "sha256": sha, "size": len(blob), "received": 60_000, "complete": False}

    # The link is cut mid-chunk: the client sends a body that stops early.
    class Cut(Exception):
        pass

    def cut_body():
        yield blob[60_000:90_000]
        raise Cut()

    with pytest.raises((Cut, requests.RequestException)):
        requests.put(f"{gw.url}{API}/attachments/{sha}",
                     params={"offset": 60_000, "total": len(blob)}, data=cut_body(),
                     headers=auth(gw.t1), timeout=10)

    # A new connection asks where to resume, and continues from there.
    state = requests.get(f"{gw.url}{API}/attachments/{sha}", headers=auth(gw.t1),
                         timeout=10).json()
    assert state["prefix_sha256"] == hashlib.sha256(blob[:60_000]).hexdigest()
    assert state["received"] == 60_000 and not state["complete"]
    r = _put(gw, sha, 0, len(blob), blob[:10])  # stale offset: told where to resume
    assert r.status_code == 409 and r.json()["reason"] == "offset_mismatch"
    assert r.json()["received"] == 60_000
    pos = r.json()["received"]
    while pos < len(blob):
        chunk = blob[pos:pos + 40_000]
        r = _put(gw, sha, pos, len(blob), chunk)
        assert r.status_code == 200, r.text
        pos = r.json()["received"]
    assert r.json()["complete"] is True
    assert gw.store.read_attachment(sha) == blob
    # uploading again is harmless
    assert _put(gw, sha, 0, len(blob), blob[:10]).json()["complete"] is True


def test_attachment_hash_mismatch_is_discarded(gw):
    blob = os.urandom(5000)
    sha = hashlib.sha256(b"something else").hexdigest()
    assert _put(gw, sha, 0, len(blob), blob[:2000]).status_code == 200
    r = _put(gw, sha, 2000, len(blob), blob[2000:])
    assert r.status_code == 422 and r.json()["reason"] == "hash_mismatch"
    assert requests.get(f"{gw.url}{API}/attachments/{sha}", headers=auth(gw.t1),
                        timeout=10).status_code == 404
    # the right content can then be uploaded under its address
    good = b"something else"
    assert _put(gw, sha, 0, len(good), good).json()["complete"] is True


def test_attachment_limits(gw):
    sha = "ab" * 32
    r = _put(gw, sha, 0, 2 * 1024 * 1024, b"x")
    assert r.status_code == 413
    r = _put(gw, sha, 0, 100, b"x" * 65 * 1024)
    assert r.status_code == 413
    r = _put(gw, sha, 0, 10, b"x" * 11)
    assert r.status_code == 422 and r.json()["reason"] == "exceeds_total"
    r = _put(gw, sha, 5, 10, b"x")
    assert r.status_code == 409 and r.json()["received"] == 0


def test_event_needs_its_attachments(gw):
    blob = os.urandom(3000)
    sha = hashlib.sha256(blob).hexdigest()
    body = make_body(attachments=[(sha, len(blob))])
    ev = wire_from_body(body)
    assert statuses(push(gw.url, gw.t1, [ev])) == [("rejected", "attachment_missing")]
    _put(gw, sha, 0, len(blob), blob[:1000])
    assert statuses(push(gw.url, gw.t1, [ev])) == [("rejected", "attachment_missing")]
    _put(gw, sha, 1000, len(blob), blob[1000:])
    assert statuses(push(gw.url, gw.t1, [ev])) == [("accepted", None)]
    # a body claiming another size for the same content is refused
    ev2 = make_event(attachments=[(sha, len(blob) + 1)])
    assert statuses(push(gw.url, gw.t1, [ev2])) == [("rejected", "attachment_mismatch")]


# ---- pull -----------------------------------------------------------------------------------

def _pull_all(gw, token, since="", limit=100, **params):
    events, cursor = [], since
    while True:
        r = requests.get(f"{gw.url}{API}/events", params={"since": cursor, "limit": limit,
                         **params}, headers=auth(token), timeout=10)
        assert r.status_code == 200, r.text
        doc = r.json()
        events += doc["events"]
        assert doc["cursor"] >= cursor  # monotonic, also as a string
        cursor = doc["cursor"]
        if not doc["more"]:
            return events, cursor


def test_pull_centre_scope_and_cursor(gw):
    mine = [make_event(counter_no=1) for _ in range(7)]
    theirs = [make_event(counter_no=2) for _ in range(5)]
    other_centre = [make_event(agency=OTHER_AGENCY) for _ in range(3)]
    assert {s for s, _ in statuses(push(gw.url, gw.t1, mine))} == {"accepted"}
    assert {s for s, _ in statuses(push(gw.url, gw.t2, theirs))} == {"accepted"}
    assert {s for s, _ in statuses(push(gw.url, gw.t3, other_centre))} == {"accepted"}

    got, cursor = _pull_all(gw, gw.t1, limit=2)
    assert [e["id"] for e in got] == [e["id"] for e in theirs]  # other counters, same centre
    got_all, _ = _pull_all(gw, gw.t1, limit=3, include_own="true")
    assert [e["id"] for e in got_all] == [e["id"] for e in mine + theirs]
    assert got_all[0]["payload"] == mine[0]["payload"]
    assert got_all[0]["signature"] == mine[0]["signature"]
    # nothing new: same cursor back, empty page
    again, cursor2 = _pull_all(gw, gw.t1, since=cursor)
    assert again == [] and cursor2 == cursor
    got3, _ = _pull_all(gw, gw.t3)
    assert got3 == []
    got3, _ = _pull_all(gw, gw.t3, include_own="1")
    assert [e["id"] for e in got3] == [e["id"] for e in other_centre]


# ---- province simulation --------------------------------------------------------------------

def test_province_act_reaches_the_counter(gw):
    ev = make_event(dossier_code="000.20.27.H57-261123-010042")
    push(gw.url, gw.t1, [ev])
    _, cursor = _pull_all(gw, gw.t1)
    act = {"dossier_code": "000.20.27.H57-261123-010042", "action": "result-ready",
           "note": "Kết quả đã có"}
    r = requests.post(f"{gw.url}{API}/province/act", json=act, timeout=10)
    assert r.status_code == 401
    r = requests.post(f"{gw.url}{API}/province/act", json=act, headers=auth(gw.t1), timeout=10)
    assert r.status_code == 401 and r.json()["reason"] == "bad_admin_token"
    r = requests.post(f"{gw.url}{API}/province/act", json=dict(act, dossier_code="nope"),
                      headers=auth(ADMIN_TOKEN), timeout=10)
    assert r.status_code == 404 and r.json()["reason"] == "unknown_dossier"
    r = requests.post(f"{gw.url}{API}/province/act", json=dict(act, action="explode"),
                      headers=auth(ADMIN_TOKEN), timeout=10)
    assert r.status_code == 422
    r = requests.post(f"{gw.url}{API}/province/act", json=act, headers=auth(ADMIN_TOKEN),
                      timeout=10)
    assert r.status_code == 201, r.text
    got, _ = _pull_all(gw, gw.t1, since=cursor)
    assert len(got) == 1
    pe = got[0]
    assert pe["origin"] == "province" and pe["signature"] and pe["type"] == "result_ready"
    assert pe["dossier_id"] == ev["dossier_id"] and pe["actor"] == "province"
    body = json.loads(base64.b64decode(pe["payload"]))
    assert rfc8785.dumps(body) == base64.b64decode(pe["payload"])
    assert body["data"] == {"note": "Kết quả đã có"}
    assert body["occurred_at"].endswith("+07:00") and body["id"] == pe["id"]
    # the other centre does not see it
    assert _pull_all(gw, gw.t3)[0] == []


@pytest.mark.parametrize("action,etype", [("processing", "processing"),
                                          ("supplement", "supplement_requested"),
                                          ("reject", "stopped"), ("fee", "fee_requested")])
def test_province_actions_map_to_event_types(gw, action, etype):
    ev = make_event()
    push(gw.url, gw.t1, [ev])
    r = requests.post(f"{gw.url}{API}/province/act", json={
        "dossier_code": ev["dossier_code"], "action": action}, headers=auth(ADMIN_TOKEN),
        timeout=10)
    assert r.status_code == 201 and r.json()["event"]["type"] == etype


# ---- catalogue ------------------------------------------------------------------------------

def test_catalogue_publish_and_pull(gw, tmp_path: Path):
    h = auth(gw.t1)
    assert requests.get(f"{gw.url}{API}/catalogue", headers=h, timeout=10).status_code == 204
    doc = {"version": "2026.11.2", "procedures": [{"code": "1.001", "name": "Đăng ký khai sinh"}]}
    gw.store.publish_catalogue(json.dumps(doc, ensure_ascii=False))
    r = requests.get(f"{gw.url}{API}/catalogue", headers=h, timeout=10)
    assert r.status_code == 200 and r.json() == doc
    assert r.headers["X-Catalogue-Version"] == "2026.11.2"
    assert requests.get(f"{gw.url}{API}/catalogue", params={"since_version": "2026.11.2"},
                        headers=h, timeout=10).status_code == 204
    assert requests.get(f"{gw.url}{API}/catalogue", params={"since_version": "2026.11.1"},
                        headers=h, timeout=10).json() == doc
    # natural ordering: .10 is newer than .2
    gw.store.publish_catalogue(json.dumps({"version": "2026.11.10"}))
    assert requests.get(f"{gw.url}{API}/catalogue", params={"since_version": "2026.11.2"},
                        headers=h, timeout=10).json() == {"version": "2026.11.10"}
    from sync.gateway.store import StoreError

    with pytest.raises(StoreError) as exc:
        gw.store.publish_catalogue(json.dumps({"version": "2026.11.9"}))
    assert exc.value.code == "catalogue_not_newer"
    r = requests.get(f"{gw.url}{API}/catalogue", headers=auth("wrong"), timeout=10)
    assert r.status_code == 401


def test_postgres_placeholders_leave_literals_and_percent_alone():
    from sync.gateway.store import _pg_sql

    assert _pg_sql("SELECT a FROM t WHERE b = ? AND c = ?") == \
        "SELECT a FROM t WHERE b = %s AND c = %s"
    assert _pg_sql("SELECT '?' || x FROM \"we?ird\" WHERE y LIKE 'a%' AND z = ?") == \
        "SELECT '?' || x FROM \"we?ird\" WHERE y LIKE 'a%%' AND z = %s"
