"""The command line as IT staff and scripts use it: real subprocesses on a real data folder."""

from __future__ import annotations

import json

from tests.helpers import (
    bind_clerk1,
    dossier_json,
    make_image,
    motcua,
    shared_pki,
)

P12 = ("--p12", str(shared_pki().clerk("clerk1").p12), "--secret-env", "P12_PW")
SECRET = {"P12_PW": "demo"}


def setup(data_dir):
    assert motcua("init", "--agency-code", "000.20.27.H57", "--counter", "2",
                  "--centre-name", "Trung tâm PVHCC phường Sài Gòn", data_dir=data_dir).returncode == 0
    r = motcua("user", "add", "lan", "--name", "Nguyễn Thị Lan", "--password-env", "PW",
               data_dir=data_dir, env={"PW": "mat-khau-demo"})
    assert r.returncode == 0, r.stderr
    pki = shared_pki()
    for pem in (pki.root_pem, pki.subca_pem):
        assert motcua("trust", "add", str(pem), data_dir=data_dir).returncode == 0
    bind_clerk1(data_dir)




def test_full_offline_cycle(data_dir, tmp_path):
    setup(data_dir)
    f = tmp_path / "d.json"
    f.write_text(json.dumps(dossier_json(), ensure_ascii=False), encoding="utf-8")
    scan = make_image(tmp_path / "scan.png")
    r = motcua("intake", "--file", str(f), "--attach", str(scan), *P12, data_dir=data_dir,
               env=SECRET)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["code"].startswith("000.20.27.H57-") and d["code"].endswith("-020001")
    assert d["received_at"].endswith("+07:00") and d["status"] == "accepted"

    r = motcua("search", "dang thi huong", "--json", data_dir=data_dir)
    assert [x["code"] for x in json.loads(r.stdout)["results"]] == [d["code"]]
    r = motcua("show", d["code"], "--json", data_dir=data_dir)
    assert json.loads(r.stdout)["applicant"]["full_name"] == "Đặng Thị Hương"
    r = motcua("list", "--status", "accepted", "--json", data_dir=data_dir)
    assert len(json.loads(r.stdout)) == 1
    assert motcua("audit", "verify", data_dir=data_dir).returncode == 0
    assert motcua("check", data_dir=data_dir).returncode == 0

    backup = tmp_path / "backup.sqlite3"
    r = motcua("backup", str(backup), data_dir=data_dir)
    assert r.returncode == 0 and json.loads(r.stdout)["attachments"] == 1
    # disaster: the data folder is lost; restore on a fresh one
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    r = motcua("restore", str(backup), data_dir=fresh)
    assert r.returncode == 0, r.stderr
    assert motcua("check", data_dir=fresh).returncode == 0
    r = motcua("search", "079190000123", "--json", data_dir=fresh)
    assert json.loads(r.stdout)["results"][0]["code"] == d["code"]


def test_failures_are_one_line_in_the_chosen_language(data_dir, tmp_path):
    setup(data_dir)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    r = motcua("intake", "--file", str(bad), data_dir=data_dir)
    assert r.returncode == 2 and r.stderr.startswith("Lỗi: ") and "JSON" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = motcua("intake", "--file", str(bad), data_dir=data_dir, lang="en")
    assert r.stderr.startswith("Error: ")
    r = motcua("backup", str(tmp_path / "x.sqlite3"), data_dir=data_dir)
    r = motcua("restore", str(bad), data_dir=data_dir)
    assert r.returncode == 2 and "không phải bản sao lưu" in r.stderr
    r = motcua("init", "--agency-code", "000.20.27.H57", "--counter", "3", data_dir=data_dir)
    assert r.returncode == 2 and "không đổi" in r.stderr
    r = motcua("show", "000.20.27.H57-261123-020099", data_dir=data_dir)
    assert r.returncode == 2 and "Không tìm thấy" in r.stderr


def test_cccd_parses_a_scanner_string(data_dir):
    qr = "001190000123||Đặng Thị Hương|12051990|Nữ|Số 12, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021\r\n"
    r = motcua("cccd", qr, data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["full_name"] == "Đặng Thị Hương" and out["date_of_birth"] == "1990-05-12"
    r = motcua("cccd", "hello world", data_dir=data_dir)
    assert r.returncode == 2 and "Không đọc được mã QR CCCD" in r.stderr


def test_catalogue_import_validates_and_versions(data_dir, tmp_path):
    setup(data_dir)
    r = motcua("catalogue", "list", "--search", "ket hon", data_dir=data_dir)
    assert "1.000894" in r.stdout
    r = motcua("catalogue", "list", "--json", data_dir=data_dir)
    cat = json.loads(r.stdout)
    assert len(cat["procedures"]) >= 30
    from app.catalogue import load_shipped_catalogue

    doc = json.loads(load_shipped_catalogue().to_json())
    doc["version"] = "2099.1.1"
    doc["procedures"] = doc["procedures"][:31]
    good = tmp_path / "cat.json"
    good.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = motcua("catalogue", "import", str(good), data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"version": "2099.1.1", "procedures": 31}
    doc["procedures"][0]["code"] = "1.00119"  # malformed code
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = motcua("catalogue", "import", str(bad), data_dir=data_dir)
    assert r.returncode == 2
    r = motcua("catalogue", "list", "--json", data_dir=data_dir)
    assert json.loads(r.stdout)["version"] == "2099.1.1"  # the bad file changed nothing


def test_demo_prepares_a_signed_counter_once(tmp_path):
    folder = tmp_path / "demo"
    r = motcua("demo", "--keep", str(folder), "--no-gui", data_dir=folder)
    assert r.returncode == 0, r.stderr
    assert "CHỈ ĐỂ THỬ" in r.stdout
    r = motcua("verify", "--json", data_dir=folder)
    assert r.returncode == 0, r.stdout
    assert json.loads(r.stdout)["signatures"] == 4
    assert motcua("demo", "--keep", str(folder), "--no-gui", data_dir=folder).returncode == 0
    r = motcua("search", "le thi mai", "--json", data_dir=folder)
    assert len(json.loads(r.stdout)["results"]) == 1
