"""Attachments are scoped to the centre: a counter probes or reads only scans its centre's events
reference or it uploaded itself; each counter uploads into its own partial, so garbage uploaded by
someone else for the same hash cannot park an honest upload; a resumed upload checks the prefix
the gateway holds; unfinished uploads have a per-counter quota and expire."""

from __future__ import annotations

import hashlib
import os

import pytest
import requests

from sync.client import GatewayClient
from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from sync.gateway.store import SQLiteStore
from tests.gateway_support import (
    ADMIN_TOKEN,
    AGENCY,
    OTHER_AGENCY,
    auth,
    gateway_store,
    make_body,
    push,
    statuses,
    stub_verifier,
    wire_from_body,
)

API = "/api/v1"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def gw(request, tmp_path):
    store = gateway_store(request.param, tmp_path)
    tokens = {
        "a1": store.enrol(AGENCY, 1)[1],
        "a2": store.enrol(AGENCY, 2)[1],
        "b1": store.enrol(OTHER_AGENCY, 1)[1],
    }
    config = GatewayConfig(store=store, verifier=stub_verifier, admin_token=ADMIN_TOKEN,
                           max_chunk_bytes=64 * 1024, partial_quota_bytes=300_000)
    with GatewayServer(create_app(config)) as server:
        yield server.url, store, tokens
    store.close()


def _state(url, token, sha):
    return requests.get(f"{url}{API}/attachments/{sha}", headers=auth(token), timeout=10)


def _content(url, token, sha):
    return requests.get(f"{url}{API}/attachments/{sha}/content", headers=auth(token), timeout=10)


def _put(url, token, sha, offset, total, chunk, **params):
    return requests.put(f"{url}{API}/attachments/{sha}",
                        params={"offset": offset, "total": total, **params}, data=chunk,
                        headers=auth(token), timeout=30)


def _client(url, token):
    return GatewayClient(url, token, connect_timeout=2, read_timeout=30)


def test_scans_are_visible_to_their_centre_only(gw, tmp_path):
    url, store, t = gw
    blob = os.urandom(100_000)
    sha = hashlib.sha256(blob).hexdigest()
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(blob)
    _client(url, t["a1"]).upload_attachment(sha, scan, chunk_size=40_000)
    assert _state(url, t["a1"], sha).json()["complete"] is True  # its own upload
    for who in ("a2", "b1"):  # nobody else can even tell it exists yet
        assert _state(url, t[who], sha).status_code == 404
        assert _content(url, t[who], sha).status_code == 404
    # an event of centre A references it: counter 2 of A may now read it, centre B still not
    ev = wire_from_body(make_body(attachments=[(sha, len(blob))]))
    assert statuses(push(url, t["a1"], [ev])) == [("accepted", None)]
    assert _state(url, t["a2"], sha).json()["complete"] is True
    assert _content(url, t["a2"], sha).content == blob
    assert _client(url, t["a2"]).download_attachment(sha) == blob
    assert _state(url, t["b1"], sha).status_code == 404
    assert _content(url, t["b1"], sha).status_code == 404
    # centre B cannot short-cut an upload (probe) by PUTting nothing, nor reference the scan
    r = _put(url, t["b1"], sha, 0, len(blob), b"")
    assert r.status_code == 200 and r.json()["complete"] is False
    foreign = wire_from_body(make_body(agency=OTHER_AGENCY, attachments=[(sha, len(blob))]))
    assert statuses(push(url, t["b1"], [foreign])) == [("rejected", "attachment_missing")]
    # with the whole content it may (it proved it holds the scan), and the stored blob is one
    _client(url, t["b1"]).upload_attachment(sha, scan, chunk_size=40_000)
    assert statuses(push(url, t["b1"], [foreign])) == [("accepted", None)]
    assert store.read_attachment(sha) == blob


def test_poisoned_partial_cannot_park_an_honest_upload(gw, tmp_path):
    url, store, t = gw
    blob = os.urandom(150_000)
    sha = hashlib.sha256(blob).hexdigest()
    # another counter (here of another centre) starts the "same" upload with garbage
    garbage = os.urandom(100_000)
    assert _put(url, t["b1"], sha, 0, len(blob), garbage[:60_000]).status_code == 200
    assert _put(url, t["b1"], sha, 60_000, len(blob), garbage[60_000:]).status_code == 200
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(blob)
    report = _client(url, t["a1"]).upload_attachment(sha, scan, chunk_size=64_000)
    assert report.resumed_from == 0 and report.bytes_sent == len(blob)
    assert store.read_attachment(sha) == blob
    ev = wire_from_body(make_body(attachments=[(sha, len(blob))]))
    assert statuses(push(url, t["a1"], [ev])) == [("accepted", None)]
    # the poisoner's own upload is unaffected by the honest one and fails on its own
    r = _put(url, t["b1"], sha, 100_000, len(blob), garbage[:50_000])
    assert r.status_code == 422 and r.json()["reason"] == "hash_mismatch"
    assert store.read_attachment(sha) == blob


def test_resume_checks_the_prefix_and_restarts_on_mismatch(gw, tmp_path):
    url, store, t = gw
    blob = os.urandom(120_000)
    sha = hashlib.sha256(blob).hexdigest()
    assert _put(url, t["a1"], sha, 0, len(blob), blob[:50_000]).status_code == 200
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(blob)
    # the bytes held are the file's start: the upload resumes
    report = _client(url, t["a1"]).upload_attachment(sha, scan, chunk_size=64_000)
    assert report.resumed_from == 50_000 and report.bytes_sent == 70_000

    other = os.urandom(120_000)
    sha2 = hashlib.sha256(other).hexdigest()
    # this counter's partial holds bytes that are not the file's start (a crash, a bug, an
    # earlier version of the scan): the client sees the prefix hash differ and starts again
    assert _put(url, t["a1"], sha2, 0, len(other), os.urandom(50_000)).status_code == 200
    state = _state(url, t["a1"], sha2).json()
    assert state["received"] == 50_000 and state["prefix_sha256"] != \
        hashlib.sha256(other[:50_000]).hexdigest()
    scan2 = tmp_path / "scan2.pdf"
    scan2.write_bytes(other)
    report = _client(url, t["a1"]).upload_attachment(sha2, scan2, chunk_size=64_000)
    assert report.resumed_from == 0 and report.bytes_sent == len(other)
    assert store.read_attachment(sha2) == other


def test_partial_quota_and_expiry(gw):
    url, store, t = gw
    blobs = [os.urandom(200_000) for _ in range(2)]
    shas = [hashlib.sha256(b).hexdigest() for b in blobs]
    assert _put(url, t["a1"], shas[0], 0, 200_000, blobs[0][:10_000]).status_code == 200
    r = _put(url, t["a1"], shas[1], 0, 200_000, blobs[1][:10_000])
    assert r.status_code == 429 and r.json()["reason"] == "partial_quota"
    assert "Retry-After" in r.headers
    # the quota is per counter: counter 2 is not affected
    assert _put(url, t["a2"], shas[1], 0, 200_000, blobs[1][:10_000]).status_code == 200
    assert store.purge_partial_uploads(3600) == 0  # young partials stay
    assert store.purge_partial_uploads(0) == 2  # stale ones go, bytes and rows
    assert _state(url, t["a1"], shas[0]).status_code == 404
    if isinstance(store, SQLiteStore):
        assert list((store.blob_dir / "partial").iterdir()) == []
    assert _put(url, t["a1"], shas[1], 0, 200_000, blobs[1][:10_000]).status_code == 200
