"""A reference provincial gateway on loopback for `motcua demo`: the whole flow (intake, sync,
a province status coming back) with one command and no province.

Plain HTTP on 127.0.0.1 (the token never leaves the machine); the gateway trusts the demo PKI's
root and sub-CA and applies its CRL, exactly like a province gateway with real anchors. Its
SQLite store lives in ``<demo data>/demo-gateway``, so the province can also be simulated from
a shell:  ``MOTCUA_GATEWAY_SIGNING_PASSWORD=demo motcua-gateway --data-dir <demo data>/demo-gateway
act CODE result-ready`` (province events are signed with the demo gateway certificate).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import sync_service
from app.context import open_counter
from app.demo import Demo
from app.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class DemoGateway:
    """Handle on the running demo gateway (keep it; call ``stop()`` on exit)."""

    url: str
    data_dir: Path
    admin_token: str
    server: Any
    store: Any
    signer: Any = None

    def act(self, dossier_code: str, action: str = "result-ready", note: str | None = None
            ) -> dict[str, Any]:
        """Simulate the province acting on a dossier (processing, supplement, result-ready,
        reject, fee); the counter sees it at its next pull."""
        from sync.gateway.service import province_act

        wire = province_act(self.store, dossier_code, action, note, signer=self.signer)
        return {"id": wire.id, "type": wire.type, "dossier_code": wire.dossier_code}

    def stop(self) -> None:
        self.server.stop()
        self.store.close()
        if self.signer is not None:
            self.signer.close()


def start_demo_gateway(demo: Demo, *, port: int | None = None) -> tuple[str, DemoGateway]:
    """Start the gateway in a background thread and enrol the demo counter with it.
    Returns (url, handle). Safe to call again on a kept demo folder (re-enrols)."""
    from sync.gateway import GatewayConfig, create_app
    from sync.gateway.server import GatewayServer
    from sync.gateway.store import StoreError, open_store
    from sync.gateway.verify import signing_verifier

    gw_dir = Path(demo.data_dir) / "demo-gateway"
    gw_dir.mkdir(parents=True, exist_ok=True)
    pki = Path(demo.pki_dir)
    crls = [p for p in (pki / "crl.der",) if p.is_file()]
    verifier = signing_verifier([pki / "root.pem", pki / "subca.pem"], crls)
    store = open_store(None, gw_dir)
    admin = secrets.token_urlsafe(24)
    tsa = None
    if (pki / "tsa.pem").is_file() and (pki / "tsa.key").is_file():  # demo PKIs made since v3
        from signing.tsa import TimeStampAuthority

        tsa = TimeStampAuthority.from_files(pki / "tsa.pem", pki / "tsa.key")
    signer = None
    if (pki / "gateway.p12").is_file():  # province events are signed by the gateway's own key
        import shutil

        from app.demo import DEMO_P12_PASSWORD
        from signing.signer import P12Signer
        from sync.gateway.cli import SIGNING_P12

        shutil.copyfile(pki / "gateway.p12", gw_dir / SIGNING_P12)
        signer = P12Signer.open(gw_dir / SIGNING_P12, DEMO_P12_PASSWORD)
    app = create_app(GatewayConfig(data_dir=gw_dir, verifier=verifier, admin_token=admin,
                                   store=store, tsa=tsa, signer=signer))
    server = GatewayServer(app, host="127.0.0.1", port=port).start()
    counter = open_counter(Settings(data_dir=Path(demo.data_dir)))
    try:
        try:
            _, token = store.enrol(counter.agency_code, counter.counter_no,
                                   counter.centre_name or None)
        except StoreError as exc:
            if exc.code != "counter_taken":
                raise
            for c in store.list_counters():  # a kept demo folder: replace the old credential
                if c.active and (c.agency_code, c.counter_no) == (counter.agency_code,
                                                                  counter.counter_no):
                    store.revoke(c.id)
            _, token = store.enrol(counter.agency_code, counter.counter_no,
                                   counter.centre_name or None)
        sync_service.enrol(counter, server.url, token=token, actor="demo",
                           gateway_cert_sha256=signer.info.sha256 if signer else None)
    finally:
        counter.close()
    log.info("demo gateway on %s (store %s)", server.url, gw_dir)
    return server.url, DemoGateway(server.url, gw_dir, admin, server, store, signer)


SEEDED_META = "demo.result_ready_seeded"


def seed_result_ready(gw: DemoGateway, demo: Demo) -> str | None:
    """Once per demo folder: send the samples to the demo gateway, let the "province" mark the
    oldest one result-ready and pull it back, so "Trả kết quả" can be tried at once. Returns
    the dossier's code (None when it was done before)."""
    counter = open_counter(Settings(data_dir=Path(demo.data_dir)))
    try:
        if counter.store.get_meta(SEEDED_META) or not demo.codes:
            return None
        sync_service.sync_once(counter)  # the gateway must know the dossier first
        code = demo.codes[0]
        gw.act(code, "result-ready", "Kết quả mẫu (DEMO)")
        sync_service.sync_once(counter)
        counter.store.set_meta(SEEDED_META, code)
        return code
    finally:
        counter.close()
