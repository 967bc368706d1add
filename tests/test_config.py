"""Layered configuration: precedence, sources, bad files, secrets, and the IT commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import KEYS, load_config, redact_url
from app.errors import UserError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cfg_env(tmp_path, monkeypatch):
    """Isolated site/user files and no MOTCUA_* variable from the test runner."""
    import os

    for var in list(os.environ):
        if var.startswith("MOTCUA_"):
            monkeypatch.delenv(var)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    site = tmp_path / "etc" / "motcua.toml"
    user = tmp_path / "home" / "motcua.toml"
    site.parent.mkdir()
    user.parent.mkdir()
    site.write_text("# deployed by IT\n", encoding="utf-8")
    monkeypatch.setenv("MOTCUA_SITE_CONFIG", str(site))
    monkeypatch.setenv("MOTCUA_USER_CONFIG", str(user))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return site, user


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_configured(cfg_env, monkeypatch):
    monkeypatch.delenv("MOTCUA_SITE_CONFIG")
    monkeypatch.delenv("MOTCUA_USER_CONFIG")
    c = load_config()
    assert set(c.values) == set(KEYS)
    assert c["receipt_layout"] == "a4" and c["idle_lock_minutes"] == 10 and c["language"] == "vi"
    assert c["working_hours"] == (("07:00", "11:30"), ("13:30", "17:00"))
    assert all(v.source == "default" for v in c.values.values())
    assert "motcua" in str(c.data_dir) and "motcua" in str(c.log_dir)
    s = c.settings()
    assert s.data_dir == c.data_dir and s.lang == "vi"


def test_precedence_site_user_env_cli(cfg_env, monkeypatch, tmp_path):
    site, user = cfg_env
    write(site, """
gateway_url = "https://gw.hcm.gov.vn/motcua"
agency_code = "000.20.27.H57"
centre_name = "Trung tâm Phục vụ hành chính công phường Sài Gòn"
receipt_layout = "a5"
idle_lock_minutes = 15
working_hours = ["07:30-11:30", "13:00-16:30"]
data_dir = "/srv/motcua-site"
language = "vi"
""")
    write(user, """
receipt_layout = "roll80"
printer = "XP-80C"
data_dir = "/srv/motcua-user"
""")
    monkeypatch.setenv("MOTCUA_IDLE_LOCK_MINUTES", "5")
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "env-data"))
    c = load_config({"data_dir": str(tmp_path / "cli-data"), "lang": "en"})

    assert (c["gateway_url"], c.source("gateway_url")) == ("https://gw.hcm.gov.vn/motcua", "site")
    assert c.values["gateway_url"].origin == str(site)
    assert c["centre_name"].startswith("Trung tâm")
    assert (c["receipt_layout"], c.source("receipt_layout")) == ("roll80", "user")
    assert (c["printer"], c.values["printer"].origin) == ("XP-80C", str(user))
    assert (c["idle_lock_minutes"], c.values["idle_lock_minutes"].origin) == (5, "MOTCUA_IDLE_LOCK_MINUTES")
    assert (c.data_dir, c.values["data_dir"].origin) == (tmp_path / "cli-data", "--data-dir")
    assert (c["language"], c.source("language")) == ("en", "cli")
    assert c["working_hours"] == (("07:30", "11:30"), ("13:00", "16:30"))
    s = c.settings()
    assert s.working_hours.periods == (("07:30", "11:30"), ("13:00", "16:30"))
    assert s.lang == "en" and s.data_dir == tmp_path / "cli-data"

    # without the command line the environment wins over both files
    c2 = load_config()
    assert (c2.data_dir, c2.source("data_dir")) == (tmp_path / "env-data", "env")


def test_historical_lang_variable_and_new_name(cfg_env, monkeypatch):
    monkeypatch.setenv("MOTCUA_LANG", "en_US")
    assert load_config()["language"] == "en"
    monkeypatch.setenv("MOTCUA_LANGUAGE", "vi")  # the documented name wins over the old one
    c = load_config()
    assert (c["language"], c.values["language"].origin) == ("vi", "MOTCUA_LANGUAGE")


def test_relative_paths_and_variables_in_files(cfg_env, monkeypatch):
    site, _ = cfg_env
    monkeypatch.setenv("CENTRE", "sg")
    (site.parent / "gateway-ca.pem").write_text("x")
    write(site, 'ca_bundle = "gateway-ca.pem"\nlog_dir = "~/logs/$CENTRE"\n')
    c = load_config()
    assert c["ca_bundle"] == str(site.parent / "gateway-ca.pem")
    assert c["log_dir"].endswith("logs/sg") and "~" not in c["log_dir"]


def test_optional_motcua_table_and_bom(cfg_env):
    site, _ = cfg_env
    site.write_bytes("\ufeff[motcua]\nreceipt_layout = 'a5'\n".encode())
    assert load_config()["receipt_layout"] == "a5"


@pytest.mark.parametrize("text, key, words", [
    ('receipt_layout = "a3"', "receipt_layout", "a4, a5, roll80"),
    ('idle_lock_minutes = 0', "idle_lock_minutes", "1"),
    ('idle_lock_minutes = "mười"', "idle_lock_minutes", "240"),
    ('counter = 100', "counter", "99"),
    ('working_hours = "11:30-07:00"', "working_hours", "07:00-11:30"),
    ('working_hours = "07:00-12:00, 11:00-17:00"', "working_hours", "overlapping"),
    ('gateway_url = "ftp://gw"', "gateway_url", "https://"),
    ('agency_code = "not a code"', "agency_code", ""),
    ('language = "fr"', "language", "vi, en"),
    ('printer = ["a", "b"]', "printer", "string"),
])
def test_bad_value_names_file_and_key_in_both_languages(cfg_env, text, key, words):
    site, _ = cfg_env
    write(site, text + "\n")
    with pytest.raises(UserError) as e:
        load_config()
    assert e.value.field == key and e.value.code == "config_invalid"
    for msg in (e.value.vi, e.value.en):
        assert str(site) in msg and f"'{key}'" in msg
    assert e.value.vi.startswith("Cấu hình") and e.value.en.startswith("Configuration")
    assert words in e.value.en


def test_bad_env_value_names_the_variable(cfg_env, monkeypatch):
    monkeypatch.setenv("MOTCUA_RECEIPT_LAYOUT", "letter")
    with pytest.raises(UserError) as e:
        load_config()
    assert "$MOTCUA_RECEIPT_LAYOUT" in e.value.en and "receipt_layout" in e.value.vi


def test_bad_toml_and_missing_named_file(cfg_env, monkeypatch, tmp_path):
    site, _ = cfg_env
    write(site, 'gateway_url = "https://x.vn\n')
    with pytest.raises(UserError) as e:
        load_config()
    assert str(site) in e.value.en and "TOML" in e.value.en and "TOML" in e.value.vi
    site.write_bytes('centre_name = "Trung tâm"\n'.encode("cp1258", errors="replace") + b"\xff\n")
    with pytest.raises(UserError) as e:
        load_config()
    assert "UTF-8" in e.value.en
    monkeypatch.setenv("MOTCUA_SITE_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(UserError) as e:
        load_config()
    assert "nope.toml" in e.value.vi and e.value.code == "config_unreadable"


def test_unknown_key_is_a_warning_and_its_value_is_never_shown(cfg_env):
    site, _ = cfg_env
    write(site, 'gatway_url = "https://typo.vn"\ngateway_password = "hunter2"\n')
    c = load_config()
    assert len(c.warnings) == 2
    text = c.report("en")
    assert "gatway_url" in text and "hunter2" not in text and "typo.vn" not in text


def test_secrets_never_in_output(cfg_env):
    site, _ = cfg_env
    write(site, 'gateway_url = "https://lan:hunter2@gw.vn/api?token=abc123&x=1"\n'
                'lookup_url = "https://tra-cuu.vn/?ma={code}&api_key=k-999"\n')
    c = load_config()
    assert c["gateway_url"].startswith("https://lan:hunter2@")  # the app itself needs it
    dumped = json.dumps(c.as_dict()) + c.report("vi") + c.report("en")
    for secret in ("hunter2", "abc123", "k-999"):
        assert secret not in dumped
    assert "{code}" in c.as_dict()["lookup_url"]["value"]
    assert redact_url("https://gw.vn/path?cursor=5") == "https://gw.vn/path?cursor=5"


def test_preference_layering(cfg_env, monkeypatch):
    site, _ = cfg_env
    write(site, 'receipt_layout = "a5"\n')
    c = load_config()
    assert c.preference("receipt_layout", None) == "a5"
    assert c.preference("receipt_layout", "roll80") == "roll80"  # chosen at this counter
    monkeypatch.setenv("MOTCUA_RECEIPT_LAYOUT", "a4")
    assert load_config().preference("receipt_layout", "roll80") == "a4"  # IT's override wins


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    code = ("import sys, app.cli as c\n"
            "'app.cli.ops' in c.COMMAND_MODULES or c.COMMAND_MODULES.append('app.cli.ops')\n"
            "sys.exit(c.main(sys.argv[1:]))\n")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_config_show_command(cfg_env, tmp_path):
    import os

    site, user = cfg_env
    write(site, 'agency_code = "000.20.27.H57"\ngateway_url = "https://gw.vn/?token=s3cret"\n')
    write(user, 'printer = "Máy in quầy 1"\n')
    env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp_path / "d"), "PYTHONPATH": str(ROOT)}
    out = _cli("--lang", "en", "config", "show", env=env)
    assert out.returncode == 0, out.stderr
    assert "s3cret" not in out.stdout
    assert f"[site: {site}]" in out.stdout and f"[user: {user}]" in out.stdout
    assert "[env: MOTCUA_DATA_DIR]" in out.stdout and "Máy in quầy 1" in out.stdout
    out = _cli("config", "show", "--json", env=env)
    data = json.loads(out.stdout)
    assert data["values"]["agency_code"] == {"value": "000.20.27.H57", "source": "site",
                                             "origin": str(site)}
    assert data["files"]["user"] == str(user)
    write(site, 'receipt_layout = "a3"\n')
    out = _cli("config", "show", env=env)
    assert out.returncode == 2 and "receipt_layout" in out.stderr and str(site) in out.stderr
    assert out.stderr.startswith("Lỗi:")


def test_every_error_of_a_file_at_once(cfg_env):
    site, _ = cfg_env
    write(site, 'receipt_layout = "a3"\nidle_lock_minutes = 0\nlanguage = "fr"\n')
    with pytest.raises(UserError) as e:
        load_config()
    lines = e.value.en.splitlines()
    assert len(lines) == 3 and all(str(site) in line for line in lines)
    assert [k for k in ("receipt_layout", "idle_lock_minutes", "language") if k in e.value.vi] == \
        ["receipt_layout", "idle_lock_minutes", "language"]


def test_motcua_table_next_to_other_tables(cfg_env):
    site, _ = cfg_env
    write(site, 'language = "en"\n[other_tool]\nx = 1\n[motcua]\nreceipt_layout = "a5"\n'
                '[logging]\nlevel = "debug"\n')
    c = load_config()
    assert (c["receipt_layout"], c["language"]) == ("a5", "en")
    assert c.values["receipt_layout"].origin == str(site)


@pytest.mark.parametrize("text, words", [
    ('gateway_url = "http://gw.example.gov.vn"', "https://"),
    ('lookup_url = "https://tracuu.vn/ho-so"', "{code}"),
    ('lookup_url = "http://tracuu.vn/?ma={code}"', "https://"),
    ('ca_bundle = "missing-ca.pem"', "does not exist"),
])
def test_values_checked_as_their_consumers_need(cfg_env, text, words):
    site, _ = cfg_env
    write(site, text + "\n")
    with pytest.raises(UserError) as e:
        load_config()
    assert words in e.value.en and str(site) in e.value.en
    assert "parse" not in e.value.en


def test_loopback_http_gateway_is_the_demo_and_allowed(cfg_env):
    site, _ = cfg_env
    write(site, 'gateway_url = "http://127.0.0.1:8443/api/v1/"\n')
    assert load_config()["gateway_url"] == "http://127.0.0.1:8443"


def test_unset_user_variable_falls_back_to_the_account(cfg_env, monkeypatch):
    import getpass

    site, _ = cfg_env
    for var in ("USER", "USERNAME", "LOGNAME", "LNAME"):
        monkeypatch.delenv(var, raising=False)
    write(site, 'data_dir = "/srv/motcua/$USER"\n')
    c = load_config()
    assert "$USER" not in c["data_dir"] and c["data_dir"] == f"/srv/motcua/{getpass.getuser()}"
    write(site, 'data_dir = "/srv/motcua/$NO_SUCH_VARIABLE_X"\n')
    with pytest.raises(UserError) as e:
        load_config()
    assert "NO_SUCH_VARIABLE_X" in e.value.en and "not set" in e.value.en
