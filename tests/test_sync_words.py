"""What `motcua sync once` / `sync status` tell the clerk, in the clerk's language: a clock
skew, a refused (or older) catalogue from the gateway, pulled events refused here. And
`motcua-gateway catalogue publish` refuses a catalogue older than the one counters ship with."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest

from app.catalogue import load_shipped_catalogue
from app.trust import anchors_dir
from tests.gateway_support import ROOT
from tests.helpers import make_counter, motcua
from tests.sync_support import counter_with, enrol, thread_gateway


def _catalogue(version: str, **time: object) -> str:
    doc = json.loads((ROOT / "app" / "data" / "procedures.json").read_text(encoding="utf-8"))
    doc["version"] = version
    if time:
        doc["procedures"][0]["processing_time"] = dict(time)
    return json.dumps(doc, ensure_ascii=False)


@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs libfaketime (faketime)")
def test_sync_once_says_the_clock_skew_in_the_clerks_language(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        counter = make_counter(tmp_path / "c")
        enrol(counter, gstore, server.url)
        counter.close()
        cmd = ["faketime", "-f", "+10m", sys.executable, "-m", "app", "sync", "once"]
        env = dict(os.environ, MOTCUA_DATA_DIR=str(tmp_path / "c"), MOTCUA_LANG="vi")
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        assert out.stderr.strip().splitlines() == [
            "CẢNH BÁO: đồng hồ máy này nhanh 10 phút so với cổng tỉnh"], out.stderr
        out = subprocess.run([*cmd, "--json"], capture_output=True, text=True,
                             env=dict(env, MOTCUA_LANG="en"), timeout=120)
        got = json.loads(out.stdout)
        assert -610 < got["clock_skew_seconds"] < -590
        assert got["clock_skew_vi"] == "đồng hồ máy này nhanh 10 phút"
        assert got["clock_skew_en"] == "this PC's clock is 10 minutes fast"
        # a clock that agrees says nothing
        out = motcua("sync", "once", data_dir=tmp_path / "c")
        assert out.returncode == 0 and out.stderr == "", out.stderr


def test_a_refused_catalogue_is_told_in_the_clerks_language(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        counter = make_counter(tmp_path / "c")
        enrol(counter, gstore, server.url)
        counter.close()
        # an older gateway (or a hand-edited database) serves what counters refuse
        db = sqlite3.connect(tmp_path / "gw" / "gateway.sqlite3")
        with db:
            db.execute("INSERT INTO catalogues (version, document, published_at)"
                       " VALUES (?, ?, '2026-12-01T00:00:00Z')",
                       ("2099.1.1", _catalogue("2099.1.1", kind="working_days", value=10 ** 9)))
        db.close()
        out = motcua("sync", "once", data_dir=tmp_path / "c")
        assert out.returncode == 6, out.stdout + out.stderr
        line = out.stderr.strip().splitlines()[-1]
        assert line.startswith("Danh mục thủ tục từ cổng tỉnh bị từ chối: 2099.1.1: "), line
        assert "1000000000 ngày làm việc" in line and "1e+09" not in line, line
        assert "exceeds" not in line, line
        status = motcua("sync", "status", data_dir=tmp_path / "c").stdout
        assert "1000000000 ngày làm việc vượt quá giới hạn 365 ngày làm việc" in status, status
        assert "exceeds" not in status and "1e+09" not in status, status
        status = motcua("sync", "status", data_dir=tmp_path / "c", lang="en").stdout
        assert "a time of 1000000000 working days exceeds the limit of 365 working days" \
            in status, status
        st = json.loads(motcua("sync", "status", "--json", data_dir=tmp_path / "c").stdout)
        assert st["catalogue_error"].startswith("2099.1.1")
        assert "vượt quá" in st["catalogue_error_vi"] and "exceeds" in st["catalogue_error_en"]


def test_publish_refuses_a_catalogue_older_than_the_counters_ship_with(tmp_path):
    shipped = load_shipped_catalogue().version
    f = tmp_path / "old.json"
    f.write_text(_catalogue("2025.01.1"), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MOTCUA_GATEWAY_DATA_DIR", None)
    cmd = [sys.executable, "-m", "sync.gateway", "--data-dir", str(tmp_path / "gw"),
           "catalogue", "publish", str(f)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stderr.strip() == (
        f"error (catalogue_downgrade): version 2025.01.1 is older than the catalogue counters"
        f" ship with ({shipped}); counters would ignore it. To publish it anyway, use"
        " --allow-downgrade."), out.stderr
    out = subprocess.run([*cmd, "--allow-downgrade"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and "2025.01.1" in out.stdout, out.stderr


def test_a_counter_ignoring_an_older_gateway_catalogue_says_so(tmp_path):
    shipped = load_shipped_catalogue().version
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        counter = make_counter(tmp_path / "c")
        enrol(counter, gstore, server.url)
        counter.close()
        gstore.publish_catalogue(_catalogue("2025.01.1"))  # e.g. with --allow-downgrade
        out = motcua("sync", "once", data_dir=tmp_path / "c")
        assert out.returncode == 6, out.stdout + out.stderr
        assert "2025.01.1" in out.stderr and shipped in out.stderr, out.stderr
        status = motcua("sync", "status", data_dir=tmp_path / "c").stdout
        assert f"(phiên bản 2025.01.1) cũ hơn danh mục máy này đang dùng ({shipped})" in status
        en = motcua("sync", "status", data_dir=tmp_path / "c", lang="en").stdout
        assert f"(version 2025.01.1) is older than the one this counter uses ({shipped})" in en
        # the province publishes a newer one: installed, the warning goes away
        gstore.publish_catalogue(_catalogue("2099.1.1"))
        out = motcua("sync", "once", data_dir=tmp_path / "c")
        assert out.returncode == 0, out.stdout + out.stderr
        status = motcua("sync", "status", data_dir=tmp_path / "c").stdout
        assert "danh mục" not in status.lower(), status


def test_refused_pulled_events_are_counted_in_words(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        c1 = counter_with(tmp_path / "c1", 2)
        enrol(c1, gstore, server.url)
        c1.close()
        assert motcua("sync", "once", data_dir=tmp_path / "c1").returncode == 0
        # counter 2 of the same centre does not trust the clerks' issuer (yet)
        c2 = make_counter(tmp_path / "c2", counter_no=2)
        enrol(c2, gstore, server.url)
        c2.close()
        shutil.rmtree(anchors_dir(c2.settings))
        out = motcua("sync", "once", data_dir=tmp_path / "c2")
        line = [x for x in out.stderr.splitlines() if "bị từ chối" in x]
        assert line == ["Sự kiện nhận về bị từ chối (không áp dụng): 2 — 2 × Chứng thư ký không"
                        " thuộc tổ chức cấp được tin cậy. (untrusted)"], out.stderr
        got = json.loads(motcua("sync", "once", "--json", data_dir=tmp_path / "c2").stdout)
        assert got["refused"] == 0  # the cursor moved on: they are not pulled again
        status = motcua("sync", "status", data_dir=tmp_path / "c2", lang="en").stdout
        assert "WARNING: pulled events refused (not applied) at " in status, status
        assert ": 2 — 2 × The signing certificate is not from a trusted issuer. (untrusted)" \
            in status, status


def test_a_revoked_counter_is_told_why_it_cannot_sync(tmp_path):
    """The province revokes the counter: `sync status` names the reason in the clerk's words
    (IT's next step), not only the raw HTTP answer."""
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        counter = counter_with(tmp_path / "c", 2)
        enrol(counter, gstore, server.url)
        counter.close()
        gstore.revoke(gstore.counter_by_token(
            (tmp_path / "c" / "gateway-credential").read_text().strip()).id)
        out = motcua("sync", "once", data_dir=tmp_path / "c")
        assert out.returncode != 0, out.stdout + out.stderr
        status = motcua("sync", "status", data_dir=tmp_path / "c").stdout
        line = [x for x in status.splitlines() if x.startswith("Lỗi gần nhất")]
        # when, as the clerk reads times (dd/mm/yyyy HH:MM), then the reason and its words
        assert len(line) == 1 and re.match(
            r"Lỗi gần nhất: \d\d/\d\d/\d{4} \d\d:\d\d \(counter_revoked\) — Quầy này đã bị tỉnh"
            r" thu hồi đăng ký", line[0]), status
        status = motcua("sync", "status", data_dir=tmp_path / "c", lang="en").stdout
        assert "— The province has revoked this counter's enrolment" in status, status
