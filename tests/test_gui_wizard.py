"""First run: the wizard checks each page on Next (errors on that page), requires a trust
anchor, enrols with the `MOTCUA-ENROL1:` line (or offline), prints a test page, records the
counter's language; its labels never show a literal '&'."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from PySide6.QtWidgets import QLabel

from app.settings import Settings
from tests.gui_support import demo_copy, run, type_text, until


def enrol_line(agency: str, number: int, url: str = "http://127.0.0.1:9") -> str:
    doc = {"token": "t0k3n-for-the-test", "gateway": url, "agency_code": agency,
           "counter_no": number, "counter_id": 7}
    return "MOTCUA-ENROL1:" + base64.urlsafe_b64encode(json.dumps(doc).encode()).decode()


def test_wizard_checks_each_page_and_sets_up_an_enrolled_counter(loop, qtbot, tmp_path):
    from ui.app import open_window

    pki = demo_copy(tmp_path / "demo").pki_dir

    async def scenario() -> None:
        w = await open_window(Settings(data_dir=tmp_path / "fresh", lang="vi"))
        qtbot.addWidget(w)
        await until(lambda: getattr(w, "wizard", None) is not None, what="wizard")
        wiz = w.wizard
        # no literal '&' anywhere: every label with one is a mnemonic with a buddy
        for lab in wiz.findChildren(QLabel):
            if "&" in lab.text().replace("&&", ""):
                assert lab.buddy() is not None, lab.text()
        p1, p2, p3, p4, p5 = wiz.pages
        # page 1: Next with no name and different passwords stays on page 1, errors there
        wiz.next()
        assert wiz.currentPage() is p1
        assert p1.errors["display_name"].isVisible() and p1.errors["password"].isVisible()
        type_text(wiz.admin_name, "Quản trị viên")
        type_text(wiz.admin_pw, "mat-khau-1")
        type_text(wiz.admin_pw2, "mat-khau-2")
        wiz.next()
        assert wiz.currentPage() is p1 and p1.errors["password_again"].isVisible()
        wiz.admin_pw2.clear()
        type_text(wiz.admin_pw2, "mat-khau-1")
        wiz.language.setCurrentIndex(wiz.language.findData("en"))
        wiz.next()
        assert wiz.currentPage() is p2
        # page 2
        type_text(wiz.agency, "nope")
        wiz.next()
        assert wiz.currentPage() is p2 and p2.errors["agency_code"].isVisible()
        wiz.agency.clear()
        type_text(wiz.agency, "000.20.27.H57")
        wiz.counter_no.setValue(4)
        type_text(wiz.centre, "TT PVHCC xã Thử")
        wiz.next()
        assert wiz.currentPage() is p3
        # page 3: nothing pasted → asked to paste or choose offline; another counter's line
        wiz.next()
        assert wiz.currentPage() is p3 and p3.errors["enrol_line"].isVisible()
        wiz.enrol_line.setText(enrol_line("000.20.27.H57", 5))
        wiz.next()
        assert wiz.currentPage() is p3 and "#05" in p3.errors["enrol_line"].text()
        wiz.enrol_line.setText(enrol_line("000.20.27.H57", 4))
        wiz.next()
        assert wiz.currentPage() is p4
        # page 4: a trust anchor is required; a clerk's own certificate is refused at once
        wiz.next()
        assert wiz.currentPage() is p4 and p4.errors["anchors"].isVisible()
        assert not wiz.add_anchor(str(pki / "clerk1.pem"))
        assert wiz.anchors.count() == 0 and p4.errors["anchors"].isVisible()
        assert wiz.add_anchor(str(pki / "root.pem"))
        wiz.next()
        assert wiz.currentPage() is p5
        # page 5: test print (no printer offscreen: a PDF, and the banner says where)
        where = await wiz.test_print()
        assert where.endswith(".pdf") and Path(where).read_bytes()[:4] == b"%PDF"
        assert where in wiz.banner.text()
        wiz.accept()
        await until(lambda: not wiz.isVisible(), what="wizard finished")
        s = w.session
        assert not await s.needs_setup()
        from app import setup, sync_service

        gw = await s.run(setup.gateway_config, s.counter)
        assert gw["url"] == "http://127.0.0.1:9" and gw["enrolled"]
        assert (await s.preferences())["language"] == "en"
        assert s.lang == "en" and w.login.button.text().replace("&", "") == "Log in"
        assert await s.run(sync_service.is_enrolled, s.counter)
        w.close()
        await s.close()

    run(loop, scenario())


def test_wizard_offline_counter(loop, qtbot, tmp_path):
    from ui.app import open_window

    pki = demo_copy(tmp_path / "demo").pki_dir

    async def scenario() -> None:
        w = await open_window(Settings(data_dir=tmp_path / "fresh", lang="vi"))
        qtbot.addWidget(w)
        await until(lambda: getattr(w, "wizard", None) is not None, what="wizard")
        wiz = w.wizard
        wiz.admin_name.setText("Quản trị")
        wiz.admin_pw.setText("mat-khau-1")
        wiz.admin_pw2.setText("mat-khau-1")
        wiz.next()
        wiz.agency.setText("000.20.27.H57")
        wiz.next()
        wiz.offline.setChecked(True)
        wiz.next()
        assert wiz.currentPage() is wiz.pages[3]
        wiz.add_anchor(str(pki / "root.pem"))
        wiz.next()
        wiz.accept()
        await until(lambda: not wiz.isVisible(), what="wizard finished")
        assert "Đăng nhập" in w.login.button.text().replace("&", "")
        w.close()
        await w.session.close()

    run(loop, scenario())
