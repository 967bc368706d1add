"""The GUI's Qt-free logic (session on the store worker, scan detection, drafts, formats,
reports), tested with pytest-asyncio on a plain event loop — no Qt involved."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from app.domain import now_vn
from app.errors import UserError, ValidationError
from app.settings import Settings
from tests.gui_support import demo_copy
from tests.helpers import PASSWORD, demo_signer, dossier_json, shared_pki
from ui.draft import DraftStore
from ui.fmt import date_vn, money, parse_date_vn, parse_money
from ui.scan import Action, ScanDetector
from ui.session import Session


@pytest.fixture
async def session(counter):
    counter.close()  # the session opens its own connection on its worker
    s = await Session.open(Settings(data_dir=counter.settings.data_dir))
    yield s
    await s.close()


async def test_store_work_runs_on_one_worker_thread(session):
    names = {await session.run(lambda: threading.current_thread().name) for _ in range(5)}
    assert len(names) == 1 and names.pop().startswith("motcua-store")
    assert threading.current_thread().name == "MainThread"


async def test_login_unlock_save_search(session):
    with pytest.raises(UserError) as e:
        await session.login("lan", "wrong-password")
    assert e.value.code == "bad_login"
    user = await session.login("lan", PASSWORD)
    assert user["username"] == "lan" and session.username == "lan"
    with pytest.raises(UserError):  # no key yet: nothing can be signed
        await session.save_intake(dossier_json(), [])
    from signing.errors import SigningError

    with pytest.raises(SigningError) as se:
        await session.unlock_p12(shared_pki().clerk("clerk1").p12, "nope")
    assert se.value.code == "wrong_secret"
    info = await session.unlock_p12(shared_pki().clerk("clerk1").p12, "demo")
    assert info.days_left > 0 and info.kind == "p12"
    await session.preload()
    when, fixed = session.appointment_preview("1.001193")
    assert fixed and when is not None
    saved = await session.save_intake(dossier_json(), [])
    page = await session.search_page("dang thi huong")
    assert [r["code"] for r in page["results"]] == [saved["code"]]
    shown = await session.show(saved["code"])
    assert shown["events"][0]["type"] == "received"
    assert await session.verify_dossier(saved["code"]) == []
    queue = await session.work_queue()
    assert queue["received_today"] == 1  # the dossier saved above, today


async def test_bad_form_is_one_validation_error_per_field(session):
    await session.login("lan", PASSWORD)
    await session.unlock_p12(shared_pki().clerk("clerk1").p12, "demo")
    bad = dossier_json()
    bad["applicant"]["citizen_id"] = "999123456789"
    bad["applicant"]["full_name"] = ""
    with pytest.raises(ValidationError) as e:
        await session.save_intake(bad, [])
    fields = e.value.by_field("en")
    assert "citizen_id" in fields and "full_name" in fields
    assert (await session.search_page(""))["results"] == []


async def test_removed_token_drops_the_key_and_says_why(session):
    from signing.errors import token_removed

    await session.login("lan", PASSWORD)

    with demo_signer("clerk1", session.counter) as real:  # bound to 'lan' by the fixture
        bound_info = real.info

    class GoneToken:
        info = bound_info

        def sign(self, data: bytes) -> bytes:
            raise token_removed()

        def close(self) -> None:
            pass

    session.signer = GoneToken()
    with pytest.raises(Exception) as e:
        await session.save_intake(dossier_json(), [])
    assert getattr(e.value, "code", "") == "token_removed"
    assert session.signer is None and session.key_lost is e.value
    assert (await session.search_page(""))["results"] == []  # nothing half-written


def test_scan_detector_takes_a_fast_burst_with_pipes():
    d, t = ScanDetector(), 100.0
    qr = "079190000123||Đặng Thị Hương|12051990|Nữ|12 Lê Lợi|01012021"
    actions = []
    for ch in qr:
        actions.append(d.feed(ch, t))
        t += 0.004
    assert actions[0] is Action.SNAPSHOT_AND_PASS
    assert actions[12] is Action.START  # the first '|' after 12 digits
    assert set(actions[13:]) == {Action.SWALLOW}
    assert d.feed("\r", t) is Action.DONE and d.text == qr


def test_scan_detector_ignores_human_typing_and_ends_without_enter():
    d, t = ScanDetector(), 0.0
    for ch in "abc|":  # slow typing, short lead: a normal '|'
        assert d.feed(ch, t) in (Action.PASS, Action.SNAPSHOT_AND_PASS)
        t += 0.3
    assert d.feed("\r", t) is Action.PASS
    t += 1
    for ch in "001090000456|x":
        d.feed(ch, t)
        t += 0.002
    assert d.expire(t + 0.1) is None
    assert d.expire(t + 1.0) == "001090000456|x"


def test_draft_store_roundtrip_and_corrupt_file(tmp_path):
    store = DraftStore(tmp_path)
    assert store.load() is None
    store.save({"form": {"applicant": {"full_name": "Đặng Thị Hương"}}})
    assert store.load()["form"]["applicant"]["full_name"] == "Đặng Thị Hương"
    store.path.write_text("{not json", encoding="utf-8")
    assert store.load() is None and store.path.with_suffix(".bad").exists()
    store.clear()
    store.clear()


def test_vietnamese_formats():
    assert money(1234567) == "1.234.567 đ"
    assert money(1234567, "en") == "1,234,567 VND"
    assert date_vn("2026-11-23T09:15:00+07:00") == "23/11/2026"
    assert parse_date_vn("01/02/1990") == date(1990, 2, 1)
    assert parse_date_vn("01021990") == date(1990, 2, 1)
    assert parse_date_vn("31/02/1990") is None
    assert parse_money("50.000 đ") == 50000


async def test_reports_count_per_day_and_procedure_with_progress(session, tmp_path):
    from app import reports

    await session.login("lan", PASSWORD)
    await session.unlock_p12(shared_pki().clerk("clerk1").p12, "demo")
    await session.save_intake(dossier_json(), [])
    today = now_vn().date()  # the app counts days in Vietnam time
    seen: list[tuple[int, int]] = []
    rep = await session.run(lambda: reports.build_report(
        session.counter, today - timedelta(days=40), today, progress=lambda a, b: seen.append((a, b))))
    assert rep.received == 1 and rep.per_day[today.isoformat()] == 1
    assert seen[-1][0] == seen[-1][1] >= 2  # month by month
    assert rep.per_procedure["1.001193"].received == 1
    out = await session.run(reports.write_csv, rep, tmp_path / "r.csv", "vi")
    text = out.read_text(encoding="utf-8-sig")
    assert "Mã thủ tục" in text and "1.001193" in text
    page = await session.search_page("", procedure_code="1.000894")
    assert page["results"] == []
    page = await session.search_page("", date_from=today, date_to=today)
    assert len(page["results"]) == 1


async def test_first_run_setup_checks_everything_before_writing(tmp_path):
    s = await Session.open(Settings(data_dir=tmp_path / "fresh"))
    try:
        assert await s.needs_setup()
        with pytest.raises(ValidationError) as e:
            await s.initial_setup({"admin_username": "A B", "admin_name": "", "admin_password": "x",
                                   "agency_code": "nope", "counter_no": 0})
        assert len(e.value.errors) >= 4
        assert await s.needs_setup()  # nothing written
        await s.initial_setup({"admin_username": "admin", "admin_name": "Quản trị",
                               "admin_password": "mat-khau-1", "agency_code": "000.20.27.H57",
                               "counter_no": 3, "centre_name": "TT PVHCC xã Demo",
                               "gateway_url": "https://gw.example.vn", "receipt_layout": "a5",
                               "anchors": [str(demo_copy(tmp_path / "demo").pki_dir / "root.pem")]})
        assert not await s.needs_setup()
        ident = await s.counter_identity()
        assert ident["counter_no"] == 3
        from app import setup

        assert (await s.run(setup.gateway_config, s.counter))["url"] == "https://gw.example.vn"
        assert (await s.preferences())["receipt_layout"] == "a5"
        assert (await s.login("admin", "mat-khau-1"))["role"] == "administrator"
    finally:
        await s.close()


def test_no_qt_in_the_session_layer():
    import subprocess
    import sys

    code = ("import ui.session, ui.scan, ui.draft, ui.fmt, app.reports, app.setup, app.gui, sys;"
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'qasync'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


