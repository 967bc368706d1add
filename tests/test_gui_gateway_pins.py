"""The Sync screen shows the gateway's signing certificate in use, the replaced one, refused
rotation announcements and the pulled events this counter refused — in Vietnamese, and in
English through the Qt translations. Real parts: a real temporary store (SQLite) prepared by
the app's own rotation and apply paths, real widgets offscreen, a screenshot looked at."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import rfc8785
from cryptography.hazmat.primitives import hashes

from app import intake, remote, sync_service
from app.rotation import apply_announcements
from app.settings import Settings
from signing.demo_pki import issue_gateway_signer
from signing.signer import P12Signer
from sync.rotation import make_announcement
from sync.wire import province_event
from tests.gui_support import run
from tests.helpers import (
    P12_PASSWORD,
    demo_signer,
    dossier_json,
    gateway_signer,
    make_counter,
    shared_pki,
)


def _prepare(tmp_path):
    """A counter that pinned the demo gateway at enrolment, followed a signed rotation to
    gateway2, refused a forged announcement, and refused two pulled province events (one by
    an unpinned certificate, one altered after signing)."""
    pki = shared_pki()
    gw2 = issue_gateway_signer(pki, tmp_path / "gw2", name="gateway2", password=P12_PASSWORD)
    gw3 = issue_gateway_signer(pki, tmp_path / "gw3", name="gateway3", password=P12_PASSWORD)
    counter = make_counter(tmp_path / "c1")
    old_sha = pki.gateway.cert.fingerprint(hashes.SHA256()).hex()
    sync_service.pin_gateway_certificate(counter, old_sha)
    with demo_signer("clerk1") as s:
        code = intake.receive(counter, intake.parse_request(dossier_json(), ()), clerk="lan",
                              signer=s)["code"]
    did = counter.store.scalar("SELECT id FROM dossiers WHERE code = ?", (code,))
    effective = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    with gateway_signer() as old, demo_signer("clerk1") as clerk, \
            P12Signer.open(gw3.p12, P12_PASSWORD) as third:
        good = make_announcement(old, gw2.cert, effective)
        forged = make_announcement(clerk, third.certificate, effective + timedelta(days=1))
        out = apply_announcements(counter, [good.to_json(), forged.to_json()])
        assert len(out.applied) == 1 and [r["code"] for r in out.refused] == [
            "rotation_unpinned_signer"]
        unpinned = province_event(dossier_id=did, dossier_code=code, event_type="processing",
                                  signer=third)
    with P12Signer.open(gw2.p12, P12_PASSWORD) as new:
        ev = province_event(dossier_id=did, dossier_code=code, event_type="result_ready",
                            signer=new)
    body = json.loads(ev.payload)
    body["data"] = {**(body.get("data") or {}), "note": "đã sửa"}
    tampered = replace(ev, payload=rfc8785.dumps(body))
    stats = remote.apply_signed_events(counter, [unpinned, tampered])
    assert stats.refused == 2
    counter.close()
    return tmp_path / "c1", code, old_sha, gw2.cert.fingerprint(hashes.SHA256()).hex()


def _panel(loop, data_dir, lang: str):
    from ui.app import install_translator
    from ui.session import Session
    from ui.syncpanel import SyncPanel

    install_translator(lang)
    session = run(loop, Session.open(Settings(data_dir=data_dir, lang=lang)))
    panel = SyncPanel(session)
    panel.resize(1100, 900)
    panel.show()
    run(loop, panel.refresh())
    return session, panel


def _dispose(loop, panel) -> None:
    import asyncio

    panel.close()
    panel.deleteLater()
    run(loop, asyncio.sleep(0.05))


def _cells(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_sync_screen_shows_gateway_certificates_and_refused_events(qapp, loop, tmp_path):
    from ui.app import install_translator

    data_dir, code, old_sha, new_sha = _prepare(tmp_path)
    session, panel = _panel(loop, data_dir, "vi")
    try:
        L = panel.pin_labels
        current = L["current"].text()
        assert current.startswith(f"{new_sha[:16]}…") and "gateway2" in current
        assert "từ " in current and "ghim theo thông báo có chữ ký của cổng tỉnh" in current
        replaced = L["replaced"].text()
        assert replaced.startswith(f"{old_sha[:16]}…") and "thay thế từ" in replaced
        assert "ghim khi đăng ký" in replaced
        assert "SHA-256 " + new_sha in L["current"].toolTip()
        refused = L["refused"].text()
        assert "không do chứng thư đã ghim của cổng tỉnh ký" in refused, refused
        assert "(rotation_unpinned_signer)" in refused
        assert panel.pins_box.title() == "Chứng thư ký của cổng tỉnh (sự kiện của tỉnh)"

        cells = _cells(panel.refused_table)
        assert panel.refused_box.title() == "Sự kiện nhận về không được áp dụng tại đây (2)"
        assert [c[0] for c in cells] == [code, code]
        assert [c[1] for c in cells] == ["bắt đầu xử lý", "có kết quả"]
        assert all(c[2] == "tỉnh" for c in cells)
        assert "(not_gateway)" in cells[0][3] and "gateway3" in cells[0][4]
        assert cells[0][5].startswith("chờ thay đổi tin cậy")
        assert "(digest_mismatch)" in cells[1][3]
        assert cells[1][5].startswith("bị sửa đổi hoặc chữ ký sai: không bao giờ áp dụng")
        shot = tmp_path / "sync-vi.png"
        assert panel.grab().save(str(shot)) and shot.stat().st_size > 10_000
        _dispose(loop, panel)
        run(loop, session.close())

        session, panel = _panel(loop, data_dir, "en")
        assert panel.pins_box.title() == "Gateway signing certificate (province events)"
        assert "pinned from the gateway's signed announcement" in panel.pin_labels["current"].text()
        assert "replaced from" in panel.pin_labels["replaced"].text()
        assert "not signed by the gateway's pinned certificate" in \
            panel.pin_labels["refused"].text()
        cells = _cells(panel.refused_table)
        assert panel.refused_box.title() == "Pulled events not applied here (2)"
        assert cells[0][1] == "processing started"
        assert cells[0][2] == "province" and cells[0][5].startswith("waiting for a trust change")
        assert cells[1][5].startswith("altered or wrongly signed: never applied")
        assert panel.grab().save(str(tmp_path / "sync-en.png"))
    finally:
        _dispose(loop, panel)
        run(loop, session.close())
        install_translator("vi")


def test_trust_anchor_added_in_settings_applies_refused_events(qapp, loop, tmp_path):
    """Settings → trust anchor: the province event refused because the root was missing is
    applied at once from the kept copy; the screens hear of the dossier; the Sync screen's
    list empties."""
    from app import trust as trustcfg
    from ui.admin import SettingsPage

    pki = shared_pki()
    counter = make_counter(tmp_path / "c1")
    sync_service.pin_gateway_certificate(counter, pki.gateway.cert.fingerprint(
        hashes.SHA256()).hex())
    with demo_signer("clerk1") as s:
        code = intake.receive(counter, intake.parse_request(dossier_json(), ()), clerk="lan",
                              signer=s)["code"]
    did = counter.store.scalar("SELECT id FROM dossiers WHERE code = ?", (code,))
    trustcfg.remove(counter.settings, pki.root.fingerprint(hashes.SHA256()).hex(), counter=counter)
    with gateway_signer() as gw:
        ev = province_event(dossier_id=did, dossier_code=code, event_type="processing",
                            signer=gw)
    assert remote.apply_signed_events(counter, [ev]).refusals[0][1].startswith("untrusted")
    counter.close()

    session, panel = _panel(loop, tmp_path / "c1", "vi")
    page = SettingsPage(session)
    heard: list[list[str]] = []
    session.on_dossiers_changed(heard.append)
    try:
        assert panel.refused_box.property("count") == 1
        run(loop, page.add_anchor(str(pki.root_pem)))
        assert heard == [[code]]
        assert "1 sự kiện nhận về bị từ chối trước đây nay đã được áp dụng" in page.banner.text()
        run(loop, panel.refresh())
        assert panel.refused_box.property("count") == 0 and panel.refused_table.rowCount() == 0
        types = run(loop, session.run(lambda: [t for (t,) in session.counter.store.conn.execute(
            "SELECT type FROM events WHERE origin = 'province'")]))
        assert types == ["processing"]
    finally:
        page.deleteLater()
        _dispose(loop, panel)
        run(loop, session.close())
