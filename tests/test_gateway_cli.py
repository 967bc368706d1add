"""``motcua-gateway`` administration commands, run as a real process against SQLite and
PostgreSQL: enrol (token shown once, only its hash stored), unique active counter numbers,
revoke, act, catalogue publish."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pg_fixture
import pytest
import requests

from sync.gateway import GatewayConfig, create_app
from sync.gateway.cli import parse_enrolment_string
from sync.gateway.server import GatewayServer
from sync.gateway.store import open_store, token_hash
from tests.gateway_support import AGENCY, ROOT, auth, make_event, push, statuses, stub_verifier


def run(db: str, data_dir, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_GATEWAY_DATA_DIR=str(data_dir),
               MOTCUA_GATEWAY_SIGNING_PASSWORD="demo")
    from tests.sync_support import install_gateway_signing

    if not (data_dir / "gateway-signing.p12").exists():
        install_gateway_signing(data_dir)
    out = subprocess.run([sys.executable, "-m", "sync.gateway", "--db", db, *args],
                         env=env, capture_output=True, text=True, timeout=60)
    if check:
        assert out.returncode == 0, out.stderr
    return out


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    return pg_fixture.fresh_database_url()


def test_enrol_revoke_and_unique_counter(db, tmp_path):
    out = run(db, tmp_path, "enrol", "--agency-code", AGENCY, "--counter", "3",
              "--centre-name", "TTPVHCC xã Mộc Châu", "--gateway-url", "https://gw.example:8443")
    lines = dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)
    token = lines["token"].strip()
    counter_id = int(lines["counter id"])
    enrol_line = lines["enrolment"].strip()
    doc = parse_enrolment_string(enrol_line)
    from tests.sync_support import demo_gateway_sha256

    assert doc == {"gateway": "https://gw.example:8443", "counter_id": counter_id,
                   "agency_code": AGENCY, "counter_no": 3, "token": token,
                   "gateway_cert_sha256": demo_gateway_sha256()}
    assert " " not in enrol_line

    # a second active counter 3 of the same centre is refused
    dup = run(db, tmp_path, "enrol", "--agency-code", AGENCY, "--counter", "3", check=False)
    assert dup.returncode == 1 and "counter_taken" in dup.stderr
    # ... but counter 3 of another centre is fine
    run(db, tmp_path, "enrol", "--agency-code", "000.30.31.H26", "--counter", "3")

    # only the hash of the token is stored
    store = open_store(db, tmp_path)
    if db.startswith("sqlite"):
        raw = sqlite3.connect(db[len("sqlite:///"):]).execute(
            "SELECT * FROM counters").fetchall()
        assert token not in repr(raw) and token_hash(token) in repr(raw)
    assert store.counter_by_token(token).id == counter_id

    listing = json.loads(run(db, tmp_path, "counters", "--json").stdout)
    assert [(c["agency_code"], c["counter_no"]) for c in listing] == [
        (AGENCY, 3), ("000.30.31.H26", 3)]
    assert "token" not in json.dumps(listing)

    with GatewayServer(create_app(GatewayConfig(store=store, verifier=stub_verifier))) as gw:
        ev = make_event(counter_no=3)
        assert statuses(push(gw.url, token, [ev])) == [("accepted", None)]
        out = run(db, tmp_path, "revoke", str(counter_id))
        assert f"revoked counter {counter_id}" in out.stdout
        r = push(gw.url, token, [make_event(counter_no=3)])
        assert r.status_code == 401 and r.json()["reason"] == "counter_revoked"
        r = requests.get(f"{gw.url}/api/v1/catalogue", headers=auth(token), timeout=10)
        assert r.status_code == 401 and r.json()["reason"] == "counter_revoked"

        again = run(db, tmp_path, "revoke", str(counter_id), check=False)
        assert again.returncode == 1 and "already_revoked" in again.stderr
        missing = run(db, tmp_path, "revoke", "9999", check=False)
        assert missing.returncode == 1 and "unknown_counter" in missing.stderr
        # after revocation the number can be enrolled again (a replaced PC)
        new = json.loads(run(db, tmp_path, "enrol", "--agency-code", AGENCY, "--counter", "3",
                             "--json").stdout)
        assert new["id"] != counter_id
        assert statuses(push(gw.url, new["token"], [make_event(counter_no=3)])) == [
            ("accepted", None)]
        # province acts through the CLI; the counter pulls it
        out = run(db, tmp_path, "act", ev["dossier_code"], "supplement", "--note", "Thiếu bản sao")
        acted = json.loads(out.stdout)
        assert acted["type"] == "supplement_requested"
        r = requests.get(f"{gw.url}/api/v1/events", headers=auth(new["token"]), timeout=10)
        got = [e for e in r.json()["events"] if e["origin"] == "province"]
        assert [e["id"] for e in got] == [acted["id"]]
        unknown = run(db, tmp_path, "act", "NO-SUCH-CODE", "processing", check=False)
        assert unknown.returncode == 1 and "unknown_dossier" in unknown.stderr

        # catalogue publish from a file
        f = tmp_path / "catalogue.json"
        # what every counter would refuse is refused here too (the counters' own parser)
        f.write_text(json.dumps({"version": 7, "procedures": []}), encoding="utf-8")
        refused = run(db, tmp_path, "catalogue", "publish", str(f), check=False)
        assert refused.returncode == 1 and "counters would refuse" in refused.stderr
        doc = json.loads((ROOT / "app" / "data" / "procedures.json").read_text(encoding="utf-8"))
        doc["version"] = "2027.1.7"
        f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        assert "version 2027.1.7" in run(db, tmp_path, "catalogue", "publish", str(f)).stdout
        r = requests.get(f"{gw.url}/api/v1/catalogue?since_version=2027.1.6",
                         headers=auth(new["token"]), timeout=10)
        assert r.status_code == 200 and r.json()["version"] == "2027.1.7"
        older = run(db, tmp_path, "catalogue", "publish", str(f), check=False)
        assert older.returncode == 1 and "catalogue_not_newer" in older.stderr
        f.write_text("{not json", encoding="utf-8")
        bad = run(db, tmp_path, "catalogue", "publish", str(f), check=False)
        assert bad.returncode == 1 and "bad_catalogue" in bad.stderr
    store.close()


def test_enrol_refuses_bad_input(tmp_path):
    db = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    bad = run(db, tmp_path, "enrol", "--agency-code", "has space", "--counter", "1", check=False)
    assert bad.returncode == 1 and "bad_agency_code" in bad.stderr
    bad = run(db, tmp_path, "enrol", "--agency-code", AGENCY, "--counter", "0", check=False)
    assert bad.returncode == 1 and "bad_counter_no" in bad.stderr
    bad = run(db, tmp_path, "enrol", "--counter", "1", check=False)
    assert bad.returncode == 2
