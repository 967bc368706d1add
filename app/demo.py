"""Demo mode: a throw-away counter with a demo PKI (TEST ONLY) and a few sample dossiers,
so anyone can try the whole flow with one command and no province."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app import accounts, intake
from app.context import Counter, init_counter, open_counter
from app.domain import now_vn
from app.settings import Settings
from app.trust import add_anchor, crls_dir

log = logging.getLogger(__name__)

DEMO_AGENCY = "000.20.27.H57"
DEMO_CENTRE = "Trung tâm Phục vụ hành chính công phường Sài Gòn (DEMO)"
DEMO_USER, DEMO_USER_PASSWORD = "demo", "demo-demo"
DEMO_P12_PASSWORD = "demo"  # noqa: S105 - the TEST-ONLY demo PKI's published password

SAMPLES = [
    ("1.001193", "Đặng Thị Hương", "079190000123", "1990-05-12", "female", "0912345678",
     [("Tờ khai đăng ký khai sinh", "original", 1), ("Giấy chứng sinh", "original", 1)]),
    ("1.000894", "Nguyễn Văn An", "001090000456", "1990-02-01", "male", "0987654321",
     [("Tờ khai đăng ký kết hôn", "original", 1)]),
    ("2.000815", "Trần Đức Đông", "001085000789", "1985-07-30", "male", "0901112223",
     [("Bằng tốt nghiệp (bản chính để đối chiếu)", "shown", 1), ("Bản sao cần chứng thực", "copy", 3)]),
    ("1.004873", "Lê Thị Mai", "079195001234", "1995-11-11", "female", "0977000111",
     [("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "original", 1)]),
]


@dataclass(frozen=True)
class Demo:
    data_dir: Path
    pki_dir: Path
    clerk_p12: Path
    codes: list[str]


def _recent_working_days(calendar: object, n: int) -> list[datetime]:
    """The last `n` working days before today (no weekend, no holiday), oldest first: the
    samples look like a week at a real counter."""
    day, out = now_vn() - timedelta(days=1), list[datetime]()
    while len(out) < n:
        if calendar.is_working_day(day.date()):  # type: ignore[attr-defined]
            out.append(day)
        day -= timedelta(days=1)
    return out[::-1]


def _bind_demo_key(counter: Counter, cert_pem: Path) -> None:
    """The demo key signs for both demo accounts (idempotent; kept demo folders too)."""
    from app.binding import bind_certificate_at_setup, certificate_from_file

    if not cert_pem.is_file():
        return
    cert = certificate_from_file(cert_pem)
    for user in (DEMO_USER, "lan"):
        if any(u["username"] == user for u in accounts.list_users(counter.store)):
            bind_certificate_at_setup(counter.store, user, cert, actor="demo")


def prepare(data_dir: Path) -> Demo:
    """Set up (once) a demo counter in `data_dir`; idempotent."""
    from signing.demo_pki import make_demo_pki
    from signing.signer import P12Signer

    settings = Settings(data_dir=Path(data_dir))
    counter: Counter = open_counter(settings)
    try:
        pki_dir = settings.data_dir / "demo-pki"
        if not counter.initialised:
            init_counter(counter, agency_code=DEMO_AGENCY, counter_no=1, centre_name=DEMO_CENTRE)
            accounts.add_user(counter.store, DEMO_USER, "Cán bộ Demo", "administrator",
                              DEMO_USER_PASSWORD)
            accounts.add_user(counter.store, "lan", "Nguyễn Thị Lan", "clerk", DEMO_USER_PASSWORD)
            pki = make_demo_pki(pki_dir, password=DEMO_P12_PASSWORD)
            add_anchor(settings, pki.root_pem, counter=counter, actor=DEMO_USER)  # audited
            add_anchor(settings, pki.subca_pem, counter=counter, actor=DEMO_USER)
            crls_dir(settings).mkdir(parents=True, exist_ok=True)
            (crls_dir(settings) / "subca.crl").write_bytes(pki.crl_der.read_bytes())
            (crls_dir(settings) / "root.crl").write_bytes((pki.crl_dir / "root.crl").read_bytes())
        p12 = pki_dir / "clerk1.p12"
        _bind_demo_key(counter, pki_dir / "clerk1.pem")
        codes = [r["code"] for r in counter.store.query("SELECT code FROM dossiers ORDER BY rowid")]
        if not codes:
            from app.trust import load_trust

            with P12Signer.open(p12, DEMO_P12_PASSWORD, trust=load_trust(settings)) as signer:
                days = _recent_working_days(counter.calendar(),  # type: ignore[no-untyped-call]
                                            len(SAMPLES))
                for i, (proc, name, cid, dob, gender, phone, docs) in enumerate(SAMPLES):
                    req = intake.parse_request({
                        "procedure_code": proc,
                        "applicant": {"full_name": name, "citizen_id": cid, "date_of_birth": dob,
                                      "gender": gender, "phone": phone,
                                      "address": {"province_code": "79", "commune_code": "26740",
                                                  "detail": f"{12 + i} Lê Lợi"}},
                        "documents": [{"name": n, "form": f, "count": c} for n, f, c in docs],
                        "received_at": days[i].replace(
                            hour=9, minute=15 + i, second=0, microsecond=0).isoformat(),
                    })
                    codes.append(intake.receive(counter, req, clerk=DEMO_USER, signer=signer)["code"])
        return Demo(settings.data_dir, pki_dir, p12, codes)
    finally:
        counter.close()


def province_event(demo: Demo, counter: Counter, dossier: dict[str, Any], etype: str,
                   at: datetime, note: str = "Sở Tư pháp (DEMO)") -> dict[str, Any]:
    """A province event as the demo gateway signs it (its certificate pinned at this counter),
    shaped for `actions.apply_remote_events` — for screenshots and walkthroughs."""
    from app import evidence, sync_service
    from signing.signer import P12Signer
    from sync.wire import province_event as make

    with P12Signer.open(Path(demo.pki_dir) / "gateway.p12", DEMO_P12_PASSWORD) as gw:
        sync_service.pin_gateway_certificate(counter, gw.info.sha256, actor="demo")
        with counter.store._lock:
            prev = evidence.dossier_head(counter.store.conn, dossier["id"])
        w = make(dossier_id=dossier["id"], dossier_code=dossier["code"], event_type=etype,
                 note=note, occurred_at=at, dossier_prev=prev, signer=gw)
    return {"id": w.id, "dossier_id": w.dossier_id, "dossier_code": w.dossier_code,
            "type": w.type, "occurred_at": w.occurred_at, "origin": w.origin, "actor": w.actor,
            "payload": w.payload, "signature": w.signature}
