"""What the clerk reads after the QA attacker pass (issue 10, minor messages): the "no
time-stamp yet" note follows the gateway's recorded mode, rewritten bytes are named even when a
copied token is wrong too, `sync status` and `trust add-crl` speak in words and Vietnam time,
and the Sync screen has words for a pin the audit log never recorded. Real store, real gateway
on 127.0.0.1, the real CLI, real Qt widgets offscreen."""

from __future__ import annotations

import json
import re

from app import evidence, signatures, sync_service
from signing.canonical import canonical_bytes
from sync.engine import EngineConfig
from sync.gateway.store import open_store
from tests.gui_support import run
from tests.helpers import make_counter, motcua, shared_pki
from tests.sync_support import enrol, fill
from tests.test_acknowledgement import FAST, _server
from tests.test_forged_restore import _Attacker


def test_without_a_tsa_the_no_time_stamp_note_does_not_promise_one(tmp_path):
    counter = make_counter(tmp_path / "c")
    code = fill(counter, 1)[0]
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path, time_stamps=False) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
    store.close()
    data = counter.settings.data_dir
    counter.close()
    en = motcua("verify", data_dir=data, lang="en")
    assert en.returncode == 0 and code in en.stdout
    assert "this counter's gateway does not issue RFC 3161 time-stamps" in en.stdout
    assert "adds an RFC 3161 time-stamp when it accepts them" not in en.stdout
    vi = motcua("verify", data_dir=data)
    assert "cổng tỉnh của quầy này không cấp dấu thời gian RFC 3161" in vi.stdout
    assert "khi nhận hồ sơ" not in vi.stdout
    # sync status: times in Vietnam time, dd/mm/yyyy HH:MM (--json keeps ISO)
    st = motcua("sync", "status", data_dir=data, lang="en").stdout
    assert re.search(r"Last success: \d\d/\d\d/\d{4} \d\d:\d\d$", st, re.M), st
    assert "T" not in re.search(r"Last success: (.*)$", st, re.M).group(1)
    raw = json.loads(motcua("sync", "status", "--json", data_dir=data).stdout)
    assert "T" in raw["last_success"]


def test_rewritten_bytes_with_a_copied_token_name_both(tmp_path):
    counter = make_counter(tmp_path / "c")
    a, b = fill(counter, 2)
    store = open_store(None, tmp_path / "gw")
    with _server(store, tmp_path) as server:
        enrol(counter, store, server.url)
        assert sync_service.sync_once(counter, EngineConfig(**FAST)).ok
    store.close()
    data = counter.settings.data_dir
    rows = {r["code"]: r for r in counter.store.query(
        "SELECT d.code, e.id, e.payload, e.tst FROM events e JOIN dossiers d "
        "ON d.id = e.dossier_id")}
    counter.close()
    body = json.loads(bytes(rows[a]["payload"]))
    body["data"]["applicant"]["full_name"] = "Kẻ Giả Mạo"
    with _Attacker(counter) as c:
        c.execute("UPDATE events SET payload = ?, tst = ? WHERE id = ?",
                  (canonical_bytes(body), rows[b]["tst"], rows[a]["id"]))
    from app.context import open_counter
    from app.settings import Settings

    with open_counter(Settings(data_dir=data), create=False) as again:
        kinds = [p["problem"] for p in signatures.verify_store(again).problems
                 if p["code"] == a]
    assert "timestamp_invalid" in kinds and "digest_mismatch" in kinds, kinds
    en = motcua("verify", data_dir=data, lang="en")
    assert en.returncode == 1 and "The data was changed after signing" in en.stdout


def test_trust_add_crl_speaks_in_words_and_json_on_request(tmp_path):
    pki = shared_pki()
    data = tmp_path / "data"
    assert motcua("trust", "add", str(pki.root_pem), data_dir=data).returncode == 0
    assert motcua("trust", "add", str(pki.subca_pem), data_dir=data).returncode == 0
    vi = motcua("trust", "add-crl", str(pki.crl_der), data_dir=data)
    assert vi.returncode == 0 and vi.stdout.startswith("Đã thêm CRL: "), vi.stdout
    assert re.search(r"cập nhật \d\d/\d\d/\d{4} \d\d:\d\d", vi.stdout)
    en = motcua("trust", "add-crl", str(pki.crl_der), data_dir=data, lang="en")
    assert en.stdout.startswith("CRL added: ") and "{" not in en.stdout
    js = json.loads(motcua("trust", "add-crl", "--json", str(pki.crl_der), data_dir=data).stdout)
    assert js["issuer"] and "this_update" in js


def test_the_sync_screen_names_a_pin_the_log_never_recorded(qapp, loop, tmp_path):
    from tests.test_gui_gateway_pins import _dispose, _panel

    counter = make_counter(tmp_path / "c")
    counter.store.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                               (evidence.META_GATEWAY_PIN, "ab" * 32))
    data = counter.settings.data_dir
    counter.close()
    for lang, words in (("vi", "đã ghim nhưng nhật ký không ghi nhận — bị thêm vào tệp dữ liệu?"),
                        ("en", "pinned, but the audit log does not record it")):
        session, panel = _panel(loop, data, lang)
        try:
            text = panel.pin_labels["current"].text()
            assert words in text and "motcua verify" in text, text
            assert "b00020" in panel.pin_labels["current"].styleSheet()
        finally:
            _dispose(loop, panel)
            run(loop, session.close())
