"""The dossier screen shows a dossier whose row disagrees with its signed events in a clear red
"không khớp chữ ký" state: nothing printed, no slip, nothing signed; the search list marks it."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from tests.gui_support import close, open_logged_in, run, until


def _tamper(demo, code: str, name: str) -> None:
    """What someone with the store file can do: drop the append-only triggers and rewrite the
    dossier row with plain SQL (the signed events stay as they were)."""
    conn = sqlite3.connect(demo.data_dir / "motcua.sqlite3")
    try:
        for t in ("events_append_only", "events_no_delete", "audit_no_update", "audit_no_delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {t}")
        cur = conn.execute("UPDATE dossiers SET applicant_name = ? WHERE code = ?", (name, code))
        assert cur.rowcount == 1
        conn.commit()
    finally:
        conn.close()


def _actions(detail) -> dict:
    return {"supplement": detail.btn_supp, "supplement received": detail.btn_supp_rcv,
            "return": detail.btn_return, "withdraw": detail.btn_withdraw,
            "reprint": detail.btn_reprint, "control slip": detail.btn_control}


def test_tampered_dossier_is_shown_red_with_printing_and_signing_disabled(loop, demo, qtbot,
                                                                          tmp_path):
    bad, good = demo.codes[2], demo.codes[1]
    _tamper(demo, bad, "Kẻ Giả Mạo")

    async def scenario() -> None:
        w = await open_logged_in(demo)
        qtbot.addWidget(w)
        d = w.detail
        # an untouched dossier: the green state, its actions as its status allows
        w.open_dossier(good)
        await until(lambda: d.code == good and d.sig_label.text().startswith("✔"),
                    what=lambda: f"good dossier checked: {d.sig_label.text()!r}")
        assert d.mismatch_label.isHidden() and not d.mismatch
        assert d.btn_reprint.isEnabled() and d.btn_control.isEnabled()

        w.open_dossier(bad)
        await until(lambda: d.code == bad and d.mismatch, what="mismatch state")
        assert d.mismatch_label.isVisible()
        text = d.mismatch_label.text()
        assert text.startswith("Không khớp chữ ký — chạy 'motcua verify'"), text
        assert "dữ liệu hồ sơ khác nội dung đã ký" in text  # the problem, in words
        assert "#b00020" in d.mismatch_label.styleSheet()
        assert d.sig_label.text().startswith("✘")
        for name, b in _actions(d).items():
            assert not b.isEnabled(), name
        # a shortcut or a stale click still prints and signs nothing
        before = sorted(p.name for p in demo.data_dir.rglob("*.pdf"))
        assert await d.print_slip("control") == ""
        assert not await d.reprint_receipt()
        assert not await d.request_supplement()
        assert "motcua verify" in d.banner.text()
        assert sorted(p.name for p in demo.data_dir.rglob("*.pdf")) == before
        shot = tmp_path / "mismatch-vi.png"
        assert w.grab().save(str(shot))

        # the search list marks it (it was found on this screen), and only it
        w.show_page("search")
        m = w.search.model
        await until(lambda: any(r["code"] == bad for r in m.rows), what="search rows")
        await until(lambda: any(r["code"] == bad and r.get("signature_mismatch") for r in m.rows),
                    what="search mark")
        for i, r in enumerate(m.rows):
            status = m.data(m.index(i, 6), Qt.ItemDataRole.DisplayRole)
            if r["code"] == bad:
                assert status == "Không khớp chữ ký"
                assert m.data(m.index(i, 0), Qt.ItemDataRole.BackgroundRole) is not None
            else:
                assert status != "Không khớp chữ ký"
        assert w.search.grab().save(str(tmp_path / "search-vi.png"))

        # the good dossier again: the red state goes away, its actions come back
        w.open_dossier(good)
        await until(lambda: d.code == good and not d.mismatch, what="back to a good dossier")
        assert d.mismatch_label.isHidden() and d.btn_reprint.isEnabled()
        await close(w)

    run(loop, scenario())


def test_mismatch_state_in_english(loop, demo, qtbot, tmp_path):
    bad = demo.codes[0]
    _tamper(demo, bad, "Mallory")

    async def scenario() -> None:
        w = await open_logged_in(demo, lang="en")
        qtbot.addWidget(w)
        w.open_dossier(bad)
        await until(lambda: w.detail.code == bad and w.detail.mismatch, what="mismatch state")
        text = w.detail.mismatch_label.text()
        assert text.startswith("Signature mismatch — run 'motcua verify'"), text
        assert "dossier row differs from the signed data" in text
        assert not w.detail.btn_reprint.isEnabled() and not w.detail.btn_control.isEnabled()
        assert w.grab().save(str(tmp_path / "mismatch-en.png"))
        await close(w)

    run(loop, scenario())
