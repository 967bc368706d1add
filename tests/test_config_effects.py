"""A site file with every key, as IT deploys it, and each key's effect observed where a clerk or
IT would notice it: `init`, the receipt's layout, QR and centre name, the sync target, the idle
lock, the printer, the language, the folders and the opening hours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import dossier_json, shared_pki

ROOT = Path(__file__).resolve().parent.parent
AGENCY = "000.20.27.H57"
CENTRE = "Trung tâm Phục vụ hành chính công phường Bến Thành"
LOOKUP = "https://tracuu.example.gov.vn/ho-so?ma={code}"


def site_file(tmp_path: Path) -> Path:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "gateway-ca.pem").write_bytes(shared_pki().root_pem.read_bytes())
    site = etc / "motcua.toml"
    site.write_text(f"""
gateway_url = "https://gw.example.gov.vn/motcua"
ca_bundle = "gateway-ca.pem"
agency_code = "{AGENCY}"
counter = 3
centre_name = "{CENTRE}"
working_hours = "07:30-11:30, 13:00-17:30"
receipt_layout = "roll80"
printer = "XP-80C quầy 3"
lookup_url = "{LOOKUP}"
data_dir = "{tmp_path / 'data'}"
log_dir = "{tmp_path / 'logs'}"
idle_lock_minutes = 7
language = "en"
""", encoding="utf-8")
    return site


def clean_env(tmp_path: Path, site: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MOTCUA_") and k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    env.update(HOME=str(home), MOTCUA_SITE_CONFIG=str(site), PYTHONPATH=str(ROOT),
               QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8", PYTHONIOENCODING="utf-8")
    return env


def motcua(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=env, timeout=180, cwd=env["HOME"])


@pytest.fixture
def site_env(tmp_path, monkeypatch):
    site = site_file(tmp_path)
    env = clean_env(tmp_path, site)
    for var in list(os.environ):
        if var.startswith("MOTCUA_") or var in ("LANG", "LC_ALL", "LC_MESSAGES"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("MOTCUA_SITE_CONFIG", str(site))
    monkeypatch.setenv("HOME", env["HOME"])
    return site, env


def test_every_site_key_has_its_effect(site_env, tmp_path, monkeypatch):
    from app import intake, preferences, sync_service, syncstate
    from app.accounts import add_user
    from app.config import load_config
    from app.context import open_counter
    from app.trust import add_anchor
    from tests.helpers import demo_signer

    site, env = site_env
    # init takes its identity (and the centre name) from the site file
    out = motcua(env, "init")
    assert out.returncode == 0, out.stderr
    ident = json.loads(out.stdout)
    assert (ident["agency_code"], ident["counter_no"], ident["centre_name"]) == (AGENCY, 3, CENTRE)
    # data_dir and log_dir: the store and the log are where the site file says
    assert ident["store"] == str(tmp_path / "data" / "motcua.sqlite3")
    assert (tmp_path / "logs" / "motcua.log").is_file()
    # language = "en": messages of every command in English
    out = motcua(env, "show", f"{AGENCY}-261201-039999")
    assert out.returncode == 2 and out.stderr.startswith("Error:"), out.stderr

    # the services read the same configuration (as the window does: Settings carry it)
    config = load_config()
    with open_counter(config.settings()) as counter:
        assert counter.settings.working_hours.periods == (("07:30", "11:30"), ("13:00", "17:30"))
        prefs = preferences.all_prefs(counter)
        assert (prefs["receipt_layout"], prefs["printer"], prefs["idle_lock_minutes"],
                prefs["language"]) == ("roll80", "XP-80C quầy 3", "7", "en")
        assert counter.centre_name == CENTRE
        add_user(counter.store, "lan", "Nguyễn Thị Lan", "clerk", "mat-khau-demo-1")
        from tests.helpers import bind_demo_certificates

        bind_demo_certificates(counter, "lan")
        add_anchor(counter.settings, shared_pki().root_pem, counter=counter)
        add_anchor(counter.settings, shared_pki().subca_pem, counter=counter)
        with demo_signer("clerk1", counter) as signer:
            code = intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan",
                                  signer=signer)["code"]
        assert code.startswith(AGENCY) and code.endswith("030001")  # counter 3 in the code
        # the sync target and its CA: the site's (not enrolled yet, so not "configured")
        state = syncstate.read(counter)
        assert state["gateway_url"] == "https://gw.example.gov.vn/motcua"
        assert not state["configured"] and not sync_service.is_enrolled(counter)
        assert counter.config["ca_bundle"] == str(site.parent / "gateway-ca.pem")
        # the window's Settings screen (counter layer) beats the site; IT's variable beats both
        preferences.set_pref(counter, "printer", "Máy in A4 phòng 2")
        assert preferences.get(counter, "printer") == "Máy in A4 phòng 2"
        monkeypatch.setenv("MOTCUA_PRINTER", "PDF")
        with open_counter(load_config().settings()) as again:
            assert preferences.get(again, "printer") == "PDF"
        monkeypatch.delenv("MOTCUA_PRINTER")

    out = motcua(env, "sync", "status")
    assert out.returncode == 0, out.stderr
    assert "Gateway: https://gw.example.gov.vn/motcua" in out.stdout
    assert "Not enrolled" in out.stdout

    # the receipt: roll80, the centre's name, the QR to the province's lookup address
    from tests.pdf_support import page_info, pdf_text, qr_payloads

    pdf = tmp_path / "r.pdf"
    out = motcua(env, "receipt", code, "--out", str(pdf))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["layout"] == "roll80"
    _, width, _ = page_info(pdf)
    assert abs(width - 80 / 25.4 * 72) < 2
    assert CENTRE.upper() in pdf_text(pdf).upper()
    assert qr_payloads(pdf, tmp_path) == [LOOKUP.replace("{code}", code)]

    # config show: every key in effect, with its source
    out = motcua(env, "config", "show", "--json")
    values = json.loads(out.stdout)["values"]
    assert values["printer"]["source"] == "counter"  # set at this counter above
    mine = ("gateway_url", "ca_bundle", "agency_code", "counter", "centre_name", "working_hours",
            "receipt_layout", "lookup_url", "data_dir", "log_dir", "idle_lock_minutes", "language")
    assert {k: values[k]["source"] for k in mine} == {
        "gateway_url": "site", "ca_bundle": "site", "agency_code": "counter", "counter": "counter",
        "centre_name": "site", "working_hours": "site", "receipt_layout": "site",
        "lookup_url": "site", "data_dir": "site", "log_dir": "site",
        "idle_lock_minutes": "site", "language": "site"}


def test_init_flags_win_and_config_show_no_longer_claims_the_site_identity(site_env):
    _, env = site_env
    out = motcua(env, "init", "--agency-code", "000.20.27.H58", "--counter", "2",
                 "--centre-name", "Quầy thử")
    assert out.returncode == 0, out.stderr
    out = motcua(env, "config", "show", "--json")
    data = json.loads(out.stdout)
    assert data["values"]["agency_code"]["value"] == "000.20.27.H58"
    assert data["values"]["agency_code"]["source"] == "counter"
    assert data["values"]["counter"]["value"] == 2
    assert data["values"]["centre_name"]["value"] == "Quầy thử"
    assert any(AGENCY in w and "ignored" in w for w in data["warnings"])
    text = motcua(env, "config", "show").stdout
    assert "000.20.27.H58" in text and "[counter:" in text
    # a second init may not change the identity, whatever the site file says
    out = motcua(env, "init")
    assert out.returncode == 2 and "000.20.27.H58#02" in out.stderr


def test_init_without_flags_or_site_identity_says_what_is_missing(tmp_path, site_env):
    site, env = site_env
    site.write_text('centre_name = "X"\n', encoding="utf-8")
    env["MOTCUA_DATA_DIR"] = str(tmp_path / "d2")
    out = motcua(env, "init")
    assert out.returncode == 2
    assert "--agency-code" in out.stderr and "--counter" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


async def test_the_windows_session_reads_the_same_configuration(site_env):
    """The window's session (ui/session.py, no Qt) opens the counter on Settings that carry the
    configuration: its idle lock, printer, layout, language and sync target are the site's."""
    from app import sync_service
    from app.config import load_config
    from ui.session import Session

    _, env = site_env
    assert motcua(env, "init").returncode == 0
    s = await Session.open(load_config().settings())
    try:
        prefs = await s.preferences()
        assert (prefs["idle_lock_minutes"], prefs["printer"], prefs["receipt_layout"],
                prefs["language"]) == ("7", "XP-80C quầy 3", "roll80", "en")
        assert s.counter.centre_name == CENTRE
        assert await s.run(lambda: s.counter.setting("gateway_url")) == \
            "https://gw.example.gov.vn/motcua"
        assert not await s.run(sync_service.is_enrolled, s.counter)
        await s.set_preferences({"idle_lock_minutes": "3"})  # the Settings screen
        assert (await s.preferences())["idle_lock_minutes"] == "3"
    finally:
        await s.close()


def test_the_first_run_wizard_starts_from_the_site_file(site_env, qtbot, tmp_path):
    """The wizard is pre-filled with what IT deployed (identity, centre, CA, layout)."""
    import asyncio

    from app.config import load_config
    from ui.session import Session
    from ui.wizard import SetupWizard

    site, _ = site_env

    async def build():
        return await Session.open(load_config().settings())

    loop = asyncio.new_event_loop()  # the session's worker; the widgets need no running loop
    try:
        session = loop.run_until_complete(build())
        wiz = SetupWizard(session)
        qtbot.addWidget(wiz)
        assert (wiz.agency.text(), wiz.counter_no.value(), wiz.centre.text()) == (AGENCY, 3, CENTRE)
        assert wiz.gw_ca.text() == str(site.parent / "gateway-ca.pem")
        assert wiz.layout_combo.currentData() == "roll80"
        assert wiz.language.currentData() == "en"
    finally:
        loop.run_until_complete(session.close())
        loop.close()
