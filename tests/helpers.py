"""Small builders shared by tests (not fixtures: plain functions, explicit at the call site)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from app import accounts
from app.context import Counter, init_counter, open_counter
from app.settings import Settings
from app.trust import add_anchor

AGENCY = "000.20.27.H57"
DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "store-v1.sqlite3"  # a store made by schema v1 (tests/data/make_store_v1.py)
ANCHORS = DATA / "store-v1-anchors"
PASSWORD = "mat-khau-demo-1"
P12_PASSWORD = "demo"


def cache_dir(prefix: str) -> Path:
    """A new folder for a process-wide cache, inside the test session's folder (removed when
    the session ends; tests/conftest.py sets MOTCUA_TEST_CACHE)."""
    root = os.environ.get("MOTCUA_TEST_CACHE")
    return Path(tempfile.mkdtemp(prefix=prefix, dir=root))


@cache
def shared_pki():
    """One demo PKI per test process (test-only CA, clerk .p12 files with password 'demo')."""
    from signing.demo_pki import make_demo_pki

    return make_demo_pki(cache_dir("pki-"))


def demo_signer(clerk: str = "clerk1", counter: Counter | None = None):
    """An open PKCS#12 signer for a demo clerk, checked against the counter's anchors."""
    from signing.signer import P12Signer

    trust = None
    if counter is not None:
        from app.trust import load_trust

        trust = load_trust(counter.settings)
    return P12Signer.open(shared_pki().clerk(clerk).p12, P12_PASSWORD, trust=trust)


def make_counter(data_dir: Path, *, counter_no: int = 1, agency: str = AGENCY,
                 clerk: str = "lan") -> Counter:
    counter = open_counter(Settings(data_dir=Path(data_dir)))
    if not counter.initialised:
        init_counter(counter, agency_code=agency, counter_no=counter_no,
                     centre_name="Trung tâm Phục vụ hành chính công phường Sài Gòn")
        accounts.add_user(counter.store, clerk, "Nguyễn Thị Lan", "clerk", PASSWORD)
        pki = shared_pki()
        add_anchor(counter.settings, pki.root_pem, counter=counter)  # audited in its store
        add_anchor(counter.settings, pki.subca_pem, counter=counter)
        bind_demo_certificates(counter, clerk, pki)
        from app.trust import crls_dir

        crls_dir(counter.settings).mkdir(parents=True, exist_ok=True)
        (crls_dir(counter.settings) / "subca.crl").write_bytes(pki.crl_der.read_bytes())
    return counter


def bind_demo_certificates(counter: Counter, username: str, pki=None) -> None:
    """Bind every demo clerk certificate that may sign (any status: the tests of expired,
    untrusted or revoked keys must still reach those checks) to `username`."""
    from app.binding import bind_certificate_at_setup
    from signing.certs import CertInfo

    pki = pki or shared_pki()
    for c in pki.clerks.values():
        if CertInfo.from_certificate(c.cert).can_sign:
            bind_certificate_at_setup(counter.store, username, c.cert, actor="test-fixture")


def dossier_json(**over) -> dict:
    data = {
        "procedure_code": "1.001193",
        "applicant": {
            "full_name": "Đặng Thị Hương", "citizen_id": "079190000123",
            "date_of_birth": "1990-05-12", "gender": "female", "phone": "0912 345 678",
            "email": "huong@example.vn",
            "address": {"province_code": "79", "commune_code": "26740", "detail": "12 Lê Lợi"},
        },
        "documents": [
            {"name": "Tờ khai đăng ký khai sinh", "form": "original", "count": 1},
            {"name": "Giấy chứng sinh", "form": "original", "count": 1},
        ],
    }
    data.update(over)
    return data


def motcua(*args: str, data_dir: Path, env: dict | None = None, input: str | None = None,
           lang: str = "vi") -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess."""
    full_env = {**os.environ, "MOTCUA_DATA_DIR": str(data_dir), "MOTCUA_LANG": lang,
                **(env or {})}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=full_env, input=input, timeout=120)


def counts(counter: Counter) -> dict[str, int]:
    return {t: int(counter.store.scalar(f"SELECT count(*) FROM {t}") or 0)  # noqa: S608
            for t in ("dossiers", "events", "outbox", "attachments")}


def gateway_signer():
    """The demo provincial gateway's signing identity (signs province events)."""
    from signing.signer import P12Signer

    return P12Signer.open(shared_pki().gateway.p12, P12_PASSWORD)


def pin_demo_gateway(counter: Counter) -> str:
    """Pin the demo gateway's signing certificate at this counter (as enrolment does)."""
    from app.sync_service import pin_gateway_certificate

    sha = shared_pki().gateway.cert.fingerprint(__import__(
        "cryptography.hazmat.primitives.hashes", fromlist=["SHA256"]).SHA256()).hex()
    pin_gateway_certificate(counter, sha)
    return sha


def signed_province_event(d: dict, etype: str, at, *, counter: Counter | None = None,
                          note: str = "Sở Tư pháp", event_id: str | None = None) -> dict:
    """A province event as the gateway makes it (v2, signed by the demo gateway certificate,
    chained to the dossier's latest event when `counter` is given), as apply_remote_events
    takes it. Pin the gateway first (`pin_demo_gateway`)."""
    from app import evidence
    from sync.wire import province_event

    prev = None
    if counter is not None:
        with counter.store._lock:
            prev = evidence.dossier_head(counter.store.conn, d["id"])
    with gateway_signer() as gw:
        w = province_event(dossier_id=d["id"], dossier_code=d["code"], event_type=etype,
                           note=note, occurred_at=at, event_id=event_id, dossier_prev=prev,
                           signer=gw)
    return {"id": w.id, "dossier_id": w.dossier_id, "dossier_code": w.dossier_code,
            "type": w.type, "occurred_at": w.occurred_at, "origin": w.origin, "actor": w.actor,
            "payload": w.payload, "signature": w.signature}


def make_pdf(path: Path, *, pad: int = 0) -> Path:
    """A real one-page PDF (pypdf), optionally carrying `pad` random bytes as an embedded file
    so tests get a large scan that still parses."""
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    if pad:
        w.add_attachment("pad.bin", os.urandom(pad))
    with open(path, "wb") as fh:
        w.write(fh)
    return Path(path)


def make_image(path: Path, fmt: str = "PNG", size: tuple[int, int] = (64, 48)) -> Path:
    """A real PNG or JPEG (Pillow)."""
    from PIL import Image

    Image.new("RGB", size, (200, 30, 30)).save(path, format=fmt)
    return Path(path)


async def until(pred, timeout: float = 30.0, step: float = 0.05) -> bool:
    """Await until ``pred()`` is true or the deadline passes (tests wait for conditions with
    a deadline; they never time things). Returns the last value of ``pred()``."""
    import asyncio
    import time

    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            return bool(pred())
        await asyncio.sleep(step)
    return True


def bind_clerk1(data_dir, user: str = "lan") -> None:
    """An administrator binds the demo clerk1 certificate to the clerk's account."""
    r = motcua("user", "add", "quantri", "--name", "Quản Trị Viên", "--role", "administrator",
               "--password-env", "PW", data_dir=data_dir, env={"PW": "mat-khau-quan-tri"})
    assert r.returncode == 0, r.stderr
    r = motcua("user", "bind-cert", user, str(shared_pki().clerk("clerk1").cert_pem),
               "--admin", "quantri", "--admin-password-env", "PW", data_dir=data_dir,
               env={"PW": "mat-khau-quan-tri"})
    assert r.returncode == 0, r.stderr


def install_fixture(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / "motcua.sqlite3"
    shutil.copyfile(FIXTURE, target)
    anchors = data_dir / "trust" / "anchors"
    anchors.mkdir(parents=True)
    for pem in ANCHORS.glob("*.pem"):
        shutil.copyfile(pem, anchors / pem.name)
    return target
