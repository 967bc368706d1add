"""Helpers shared by the gateway tests and the benchmark (no tests in here).

The gateway is written against a verifier callable, so most tests use a *stub* CMS: the
"signature" is ``b"stub-cms:" + sha256(payload)``. It detects a tampered payload exactly like
the real thing would; real CMS signatures are tested in test_gateway_signing.py.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import rfc8785
import uuid6

ROOT = Path(__file__).resolve().parent.parent
AGENCY = "000.20.27.H57"
OTHER_AGENCY = "000.30.31.H26"
ADMIN_TOKEN = "admin-" + "x" * 40


def stub_sign(payload: bytes) -> bytes:
    return b"stub-cms:" + hashlib.sha256(payload).digest()


def stub_verifier(payload: bytes, signature: bytes, occurred_at: datetime) -> tuple[bool, str, str]:
    if signature == b"stub-revoked":
        return False, "revoked", "signer certificate revoked"
    if signature == b"stub-untrusted":
        return False, "untrusted", "chain does not reach a trust anchor"
    if signature != stub_sign(payload):
        return False, "bad_signature", "signature does not match the content"
    return True, "ok", ""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


_SEQ = itertools.count()


def next_code(agency: str = AGENCY, counter_no: int = 1) -> tuple[str, str]:
    """(dossier code, occurred_at) in the counter's own range, unique within this process:
    the daily number runs 1..9999, then the date steps back a day (codes in the past are
    fine; the gateway refuses only codes dated more than a day ahead of its clock)."""
    n = next(_SEQ)
    day = date(2026, 11, 23) - timedelta(days=n // 9999)
    return (f"{agency}-{day:%y%m%d}-{counter_no:02d}{n % 9999 + 1:04d}",
            f"{day.isoformat()}T09:15:02+07:00")


def make_body(
    *,
    agency: str = AGENCY,
    counter_no: int = 1,
    event_id: str | None = None,
    dossier_id: str | None = None,
    dossier_code: str | None = None,
    event_type: str = "received",
    attachments: list[tuple[str, int]] | None = None,
    note: str = "",
) -> dict[str, Any]:
    # time-ordered ids, as the counter application mints them (app/intake.py: UUIDv7): the
    # gateway's id indexes then grow at one end, as in service (random ids touch a random
    # index page per event: bench_gateway would measure a cost real counters never cause)
    dossier_id = dossier_id or str(uuid6.uuid7())
    code, occurred_at = next_code(agency, counter_no)
    return {
        "id": event_id or str(uuid6.uuid7()),
        "dossier_id": dossier_id,
        "dossier_code": dossier_code or code,
        "type": event_type,
        "occurred_at": occurred_at if dossier_code is None else "2026-11-23T09:15:02+07:00",
        "actor": "clerk.lan",
        "counter": {"agency_code": agency, "counter_no": counter_no},
        "data": {
            "applicant": {"name": "Nguyễn Văn An", "citizen_id": "001099012345"},
            "note": note,
            "attachments": [
                {"sha256": sha, "name": "scan.pdf", "media_type": "application/pdf", "size": size}
                for sha, size in (attachments or [])
            ],
        },
    }


def wire_from_body(body: dict[str, Any], sign: Any = stub_sign, **override: Any) -> dict[str, Any]:
    """Wire event for a body: canonical payload, signature, envelope copied from the body."""
    payload = rfc8785.dumps(body)
    sig = sign(payload)
    ev = {
        "id": body["id"],
        "dossier_id": body["dossier_id"],
        "dossier_code": body["dossier_code"],
        "type": body["type"],
        "occurred_at": body["occurred_at"],
        "origin": "counter",
        "actor": body["actor"],
        "payload": b64(payload),
        "signature": b64(sig) if sig is not None else None,
        "attachments": [a["sha256"] for a in body["data"]["attachments"]],
    }
    ev.update(override)
    return ev


def make_event(**kw: Any) -> dict[str, Any]:
    sign = kw.pop("sign", stub_sign)
    return wire_from_body(make_body(**kw), sign=sign)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def push(url: str, token: str, events: list[dict[str, Any]], session: Any = requests,
         **kw: Any) -> requests.Response:
    return session.post(f"{url}/api/v1/events:push", json={"events": events},
                        headers=auth(token), timeout=60, **kw)


def statuses(resp: requests.Response) -> list[tuple[str, str | None]]:
    assert resp.status_code == 200, resp.text
    return [(r["status"], r["reason"]) for r in resp.json()["results"]]


# ---- gateway in a subprocess (several processes over one database) --------------------------

_SERVE = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
import uvicorn
from sync.gateway.app import GatewayConfig, create_app
from sync.gateway.cli import uvicorn_options
from tests.gateway_support import stub_verifier, ADMIN_TOKEN
verifier = stub_verifier
if {real!r}:
    from sync.gateway.verify import signing_verifier
    verifier = signing_verifier({anchors!r}, {crls!r})
app = create_app(GatewayConfig(db_url={db!r}, data_dir=Path({data!r}), verifier=verifier,
                               admin_token=ADMIN_TOKEN, pg_pool_size={pool},
                               verify_processes={procs}, freeze_heap=True))
uvicorn.run(app, **uvicorn_options("127.0.0.1", {port}))
"""


@contextmanager
def gateway_process(
    db_url: str, data_dir: Path, *, real_verifier: bool = False, anchors: list[str] | None = None,
    crls: list[str] | None = None, pool: int = 8, verify_processes: int = 0,
) -> Iterator[str]:
    """A uvicorn gateway in its own process (stub verifier unless ``real_verifier``; with
    ``verify_processes`` workers checking signatures); yields its base URL and stops it
    afterwards."""
    from sync.gateway.server import free_port

    port = free_port()
    code = _SERVE.format(tests=str(Path(__file__).parent), db=db_url, data=str(data_dir),
                         port=port, real=real_verifier, anchors=anchors or [],
                         crls=crls or [], pool=pool, procs=verify_processes)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / f"gateway-{port}.log"
    log_file = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=str(ROOT),
                            stdout=subprocess.DEVNULL, stderr=log_file)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gateway process exited: {log_path.read_text()}")
            try:
                if requests.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("gateway process did not start")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_file.close()


def gateway_store(kind: str, tmp_path: Path) -> Any:
    """A fresh gateway store for the parametrised tests: SQLite in `tmp_path`, or a new
    database on the test PostgreSQL cluster."""
    from sync.gateway.store import open_store
    from tests import pg_fixture

    if kind == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'gw.sqlite3'}", tmp_path)
    return open_store(pg_fixture.fresh_database_url())
