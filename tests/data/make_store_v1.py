"""Build a store at schema v1 (the oldest) with real, signed rows.

Used two ways:
* `python tests/data/make_store_v1.py` regenerated the committed fixture
  `tests/data/store-v1.sqlite3` (+ the public demo CA certificates in `store-v1-anchors/`, so its
  signatures can still be verified after an upgrade). Never regenerate it once a version that
  wrote v1 stores has shipped: it stands for "a store made by an old version".
* tests/test_upgrade.py calls `build_v1_store()` to make a fresh one with today's services.

Rows: a counter identity, two accounts, four dossiers received and signed with a demo PKI
(late entries over the last days), a supplement request on one of them, a calendar override,
the audit entries of all that, and the outbox (one event parked).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

FIXTURE = HERE / "store-v1.sqlite3"
ANCHORS = HERE / "store-v1-anchors"
NAMES = ("Đặng Thị Hương", "Nguyễn Văn An", "Trần Đức Đông", "Lê Thị Mai")


def build_v1_store(data_dir: Path, pki_dir: Path) -> dict:
    """A v1 store at data_dir/motcua.sqlite3; returns what was written (codes, anchors)."""
    from app import accounts, actions, demo, intake
    from app.context import Counter, init_counter
    from app.domain import iso, now_vn
    from app.settings import Settings
    from app.trust import add_anchor, crls_dir, load_trust
    from localdb import outbox
    from localdb.store import Store
    from signing.demo_pki import make_demo_pki
    from signing.signer import P12Signer

    settings = Settings(data_dir=Path(data_dir))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(settings.store_path, backups_dir=settings.backups_dir, target_version=1)
    assert store.version == 1
    counter = Counter(settings, store)
    try:
        init_counter(counter, agency_code=demo.DEMO_AGENCY, counter_no=1,
                     centre_name="Trung tâm Phục vụ hành chính công phường Sài Gòn")
        accounts.add_user(store, "lan", "Nguyễn Thị Lan", "clerk", "mat-khau-demo-1")
        accounts.add_user(store, "quantri", "Quản Trị Viên", "administrator", "mat-khau-demo-1")
        pki = make_demo_pki(Path(pki_dir), password="demo")
        anchors = [add_anchor(settings, pki.root_pem), add_anchor(settings, pki.subca_pem)]
        crls_dir(settings).mkdir(parents=True, exist_ok=True)
        (crls_dir(settings) / "subca.crl").write_bytes(pki.crl_der.read_bytes())
        with store.write() as conn:
            conn.execute("INSERT INTO calendar_overrides (day, working, note) VALUES (?, ?, ?)",
                         ("2026-12-31", 0, "Nghỉ bù"))
        codes = []
        with P12Signer.open(pki.clerk("clerk1").p12, "demo", trust=load_trust(settings)) as signer:
            start = now_vn() - timedelta(days=len(demo.SAMPLES) + 1)
            for i, (proc, name, cid, dob, gender, phone, docs) in enumerate(demo.SAMPLES):
                req = intake.parse_request({
                    "procedure_code": proc,
                    "applicant": {"full_name": name, "citizen_id": cid, "date_of_birth": dob,
                                  "gender": gender, "phone": phone,
                                  "address": {"province_code": "79", "commune_code": "26740",
                                              "detail": f"{12 + i} Lê Lợi"}},
                    "documents": [{"name": n, "form": f, "count": c} for n, f, c in docs],
                    "received_at": (start + timedelta(days=i)).replace(
                        hour=9, minute=15 + i, second=0, microsecond=0).isoformat(),
                })
                codes.append(intake.receive(counter, req, clerk="lan", signer=signer)["code"])
            actions.request_supplement(counter, codes[1], [{"name": "Bản sao giấy khai sinh",
                                                             "form": "certified_copy"}],
                                       reason="Thiếu giấy tờ", clerk="lan", signer=signer)
        first_event = store.scalar("SELECT event_id FROM outbox ORDER BY seq LIMIT 1")
        with store.write() as conn:
            outbox.park(conn, str(first_event), "rejected: test parking", iso(now_vn()))
        return {"codes": codes, "anchors": anchors, "store": settings.store_path}
    finally:
        counter.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as t:
        made = build_v1_store(Path(t) / "data", Path(t) / "pki")
        # one self-contained file: fold the WAL into it before copying
        import sqlite3

        conn = sqlite3.connect(made["store"])
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        shutil.copyfile(made["store"], FIXTURE)
        ANCHORS.mkdir(exist_ok=True)
        for a in made["anchors"]:
            shutil.copyfile(a, ANCHORS / Path(a).name)
        print(FIXTURE, made["codes"])


if __name__ == "__main__":
    main()
