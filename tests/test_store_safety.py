"""The store on a bad day: restore racing intake, old backups, another counter's backup, a
broken or missing store, file modes, encryption at rest, complete backups."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from app import intake, storeops
from app.context import open_counter
from app.settings import Settings
from localdb.codes import CodeMark
from localdb.engine import file_kind
from localdb.errors import StoreError
from localdb.store import Store
from tests.helpers import (
    bind_clerk1,
    bind_demo_certificates,
    demo_signer,
    dossier_json,
    make_counter,
    make_image,
    make_pdf,
    motcua,
    shared_pki,
)

ROOT = str(Path(__file__).resolve().parent.parent)

# A clerk's PC in a loop: each dossier opens the store, receives, closes (as each `motcua
# intake` does). It prints "id code" once the save has committed.
LOOP = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from app import intake
from app.context import open_counter
from app.settings import Settings
from signing.signer import P12Signer
from tests.helpers import dossier_json
signer = P12Signer.open(sys.argv[4], "demo")
req = intake.parse_request(dossier_json())
for i in range(int(sys.argv[2])):
    with open_counter(Settings(data_dir=Path(sys.argv[1])), create=False) as counter:
        d = intake.receive(counter, req, clerk="lan", signer=signer)
    print(d["id"], d["code"], flush=True)
"""

HOLD = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from app.context import open_counter
from app.settings import Settings
with open_counter(Settings(data_dir=Path(sys.argv[1])), create=False):
    print("open", flush=True)
    sys.stdin.readline()
"""


def _receive(counter, n=1):
    req = intake.parse_request(dossier_json())
    with demo_signer("clerk1", counter) as signer:
        return [intake.receive(counter, req, clerk="lan", signer=signer) for _ in range(n)]


def _codes(db: Path) -> dict[str, str]:
    """id -> code of every dossier in a store file (plaintext), read-only."""
    with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as c:
        return dict(c.execute("SELECT id, code FROM dossiers"))


def _wait_lines(proc, n, lines, deadline_s=120):
    deadline = time.monotonic() + deadline_s
    while len(lines) < n:
        assert time.monotonic() < deadline, "worker too slow"
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.split())
    return lines


def test_restore_racing_intake_loses_nothing_and_reissues_no_code(counter, data_dir, tmp_path):
    _receive(counter, 3)
    backup = tmp_path / "old.sqlite3"
    storeops.backup_store(counter.store, counter.settings, backup)
    counter.close()
    p12 = str(shared_pki().clerk("clerk1").p12)
    worker = subprocess.Popen([sys.executable, "-c", LOOP, str(data_dir), "120", ROOT, p12],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    lines: list[list[str]] = []
    try:
        for target in (10, 45):
            _wait_lines(worker, target, lines)
            r = motcua("restore", str(backup), "--wait", "60", data_dir=data_dir)
            assert r.returncode == 0, r.stderr
        _wait_lines(worker, 120, lines, deadline_s=300)
        assert worker.wait(timeout=60) == 0, worker.stderr.read()  # intake waited, not failed
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        worker.stdout.close()
        worker.stderr.close()
    assert len(lines) == 120
    stores = [data_dir / "motcua.sqlite3", *sorted((data_dir / "backups").glob("before-restore-*"))]
    assert len(stores) == 3
    seen: dict[str, str] = {}  # code -> id, over the live store and both safety copies
    found: set[str] = set()
    for db in stores:
        for dossier_id, code in _codes(db).items():
            assert seen.setdefault(code, dossier_id) == dossier_id, f"{code} issued twice"
            found.add(dossier_id)
    reported = {dossier_id: code for dossier_id, code in lines}
    assert set(reported) <= found  # every save the loop reported is kept somewhere
    assert len(set(reported.values())) == 120  # and no code was handed out twice


def test_restore_refuses_while_another_program_keeps_the_store_open(counter, data_dir, tmp_path):
    backup = tmp_path / "b.sqlite3"
    storeops.backup_store(counter.store, counter.settings, backup)
    counter.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(data_dir), ROOT], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "open"
        before = (data_dir / "motcua.sqlite3").read_bytes()
        r = motcua("restore", str(backup), "--wait", "0.5", data_dir=data_dir, lang="en")
        assert r.returncode == 2 and "open in another program" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        assert (data_dir / "motcua.sqlite3").read_bytes() == before
        assert not list((data_dir / "backups").glob("before-restore-*"))
    finally:
        holder.communicate("\n", timeout=30)


def test_restore_of_an_older_backup_then_intake_reuses_no_code(counter, data_dir, tmp_path):
    first = [d["code"] for d in _receive(counter, 2)]
    old = tmp_path / "old.sqlite3"
    storeops.backup_store(counter.store, counter.settings, old)
    later = [d["code"] for d in _receive(counter, 3)]  # printed on citizens' receipts
    counter.close()
    storeops.restore_store(counter.settings, old)
    with open_counter(counter.settings, create=False) as c:
        assert c.store.scalar("SELECT count(*) FROM dossiers") == 2
        fresh = [d["code"] for d in _receive(c, 2)]
    issued = first + later
    assert not set(fresh) & set(issued)
    assert min(int(x[-4:]) for x in fresh) > max(int(x[-4:]) for x in issued)
    mark = json.loads((data_dir / "motcua.sqlite3.codes").read_text())
    assert max(mark["days"].values()) >= max(int(x[-4:]) for x in fresh)


def test_restore_raises_the_mark_from_the_store_it_replaces(counter, data_dir, tmp_path):
    """A mark that lost its last writes (power cut: they are not fsynced) or was damaged:
    restore still knows every number the replaced store issued."""
    _receive(counter, 1)
    old = tmp_path / "old.sqlite3"
    storeops.backup_store(counter.store, counter.settings, old)
    issued = [d["code"] for d in _receive(counter, 3)]
    counter.close()
    (data_dir / "motcua.sqlite3.codes").write_text("{damaged")
    storeops.restore_store(counter.settings, old)
    with open_counter(counter.settings, create=False) as c:
        fresh = _receive(c, 1)[0]["code"]
    assert fresh not in issued and int(fresh[-4:]) > max(int(x[-4:]) for x in issued)


def test_a_damaged_mark_does_not_stop_intake(counter, data_dir):
    first = _receive(counter, 2)
    (data_dir / "motcua.sqlite3.codes").write_bytes(b"")
    nxt = _receive(counter, 1)[0]["code"]
    assert int(nxt[-4:]) == int(first[-1]["code"][-4:]) + 1
    assert json.loads((data_dir / "motcua.sqlite3.codes").read_text())["days"]


def test_a_copied_back_store_file_still_reuses_no_code(counter, data_dir, tmp_path):
    """Even a restore done behind the app's back (file copied over) resumes above the mark."""
    _receive(counter, 1)
    counter.close()
    copy = tmp_path / "copy.sqlite3"
    with closing(sqlite3.connect(data_dir / "motcua.sqlite3")) as src, \
            closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
    with open_counter(counter.settings) as c:
        issued = [d["code"] for d in _receive(c, 12)]
    for suffix in ("-wal", "-shm"):
        Path(f"{data_dir / 'motcua.sqlite3'}{suffix}").unlink(missing_ok=True)
    os.replace(copy, data_dir / "motcua.sqlite3")
    with open_counter(counter.settings) as c:
        again = _receive(c, 1)[0]["code"]
    assert again not in issued and int(again[-4:]) > max(int(x[-4:]) for x in issued)


def test_the_gateway_high_water_mark_is_never_gone_below(counter, data_dir):
    code = _receive(counter, 1)[0]["code"]
    day = f"20{code[-13:-11]}-{code[-11:-9]}-{code[-9:-7]}"
    from localdb.codes import learn

    learn(counter.store.path, day, 57)
    assert _receive(counter, 1)[0]["code"].endswith("010058")


def test_another_counters_backup_is_refused_unless_a_replacement_is_stated(tmp_path):
    other = make_counter(tmp_path / "c6", counter_no=6)
    _receive(other, 1)
    b6 = tmp_path / "c6.sqlite3"
    storeops.backup_store(other.store, other.settings, b6)
    other.close()
    mine = make_counter(tmp_path / "c2", counter_no=2)
    _receive(mine, 1)
    mine.close()
    store = tmp_path / "c2" / "motcua.sqlite3"
    before = store.read_bytes()
    r = motcua("restore", str(b6), data_dir=tmp_path / "c2")
    assert r.returncode == 1 and "#06" in r.stderr and "#02" in r.stderr
    assert "--hardware-replacement" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert store.read_bytes() == before
    r = motcua("restore", str(b6), "--hardware-replacement", data_dir=tmp_path / "c2")
    assert r.returncode == 2 and "--by" in r.stderr
    r = motcua("restore", str(b6), "--hardware-replacement", "--by", "Trần Văn Minh (CNTT)",
               data_dir=tmp_path / "c2")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["counter"] == "000.20.27.H57#06"
    with open_counter(Settings(data_dir=tmp_path / "c2"), create=False) as c:
        assert c.counter_no == 6
        row = c.store.query("SELECT actor, detail FROM audit WHERE action = 'store.restore'")[0]
        detail = json.loads(row["detail"])
        assert detail["hardware_replacement"] is True and detail["previous_counter"].endswith("#02")
        assert detail["rolled_back_audit_head"]["seq"] > 0  # the replaced store's audit head
        assert row["actor"] == "Trần Văn Minh (CNTT)"
        assert _receive(c, 1)[0]["code"][-6:-4] == "06"


@pytest.mark.parametrize("damage", ["garbage", "zero"])
def test_restore_over_a_broken_store(counter, data_dir, tmp_path, damage):
    code = _receive(counter, 1)[0]["code"]
    backup = tmp_path / "b.sqlite3"
    storeops.backup_store(counter.store, counter.settings, backup)
    counter.close()
    store = data_dir / "motcua.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    broken = b"" if damage == "zero" else os.urandom(8192)
    store.write_bytes(broken)
    r = motcua("list", data_dir=data_dir)
    assert r.returncode != 0 and "motcua restore" in r.stderr
    assert store.read_bytes() == broken  # never silently re-created
    r = motcua("restore", str(backup), data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    moved = json.loads(r.stdout)["moved_aside"]
    assert len(moved) == 1 and Path(moved[0]).read_bytes() == broken
    assert moved[0] in r.stderr and ".broken-" in moved[0]
    assert motcua("check", data_dir=data_dir).returncode == 0
    r = motcua("show", code, "--json", data_dir=data_dir)
    assert r.returncode == 0 and json.loads(r.stdout)["code"] == code


@pytest.mark.parametrize("command", [("list",), ("search", "huong"), ("check",),
                                     ("audit", "verify"), ("show", "000.20.27.H57-261123-010001"),
                                     ("verify",), ("backup", "x.sqlite3"), ("sync", "status")])
def test_read_commands_refuse_a_folder_without_a_store(tmp_path, command):
    typo = tmp_path / "dat"
    r = motcua(*command, data_dir=typo, lang="en")
    assert r.returncode == 1, r.stderr
    assert str(typo / "motcua.sqlite3") in r.stderr and "no counter store" in r.stderr
    assert not (typo / "motcua.sqlite3").exists()


def test_a_newer_store_is_refused_byte_identical(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    with closing(sqlite3.connect(path)) as c:
        c.execute("PRAGMA journal_mode = DELETE")
        c.execute("PRAGMA user_version = 999")
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert err.value.code == "store_too_new"
    assert path.read_bytes() == before  # not even switched to WAL
    assert not Path(f"{path}-wal").exists()


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows: ACL, see README)")
def test_files_holding_citizens_data_are_private(tmp_path):
    data = tmp_path / "data"
    logs = tmp_path / "logs"
    env = {"MOTCUA_LOG_DIR": str(logs)}
    assert motcua("init", "--agency-code", "000.20.27.H57", "--counter", "2", data_dir=data,
                  env=env).returncode == 0
    assert motcua("user", "add", "lan", "--name", "Lan", "--password-env", "PW", data_dir=data,
                  env={**env, "PW": "mat-khau-demo"}).returncode == 0
    pki = shared_pki()
    for pem in (pki.root_pem, pki.subca_pem):
        assert motcua("trust", "add", str(pem), data_dir=data, env=env).returncode == 0
    bind_clerk1(data)
    f = tmp_path / "d.json"
    f.write_text(json.dumps(dossier_json(), ensure_ascii=False), encoding="utf-8")
    scan = make_image(tmp_path / "scan.png")  # a real PNG: scans are parsed (app.attachments)
    r = motcua("intake", "--file", str(f), "--attach", str(scan), "--p12",
               str(pki.clerk("clerk1").p12), "--secret-env", "P12_PW", data_dir=data,
               env={**env, "P12_PW": "demo"})
    assert r.returncode == 0, r.stderr
    code = json.loads(r.stdout)["code"]
    out = tmp_path / "out"
    r = motcua("backup", str(out / "b.sqlite3"), data_dir=data, env=env)
    assert r.returncode == 0, r.stderr
    r = motcua("receipt", code, "--out", str(out / "receipt.pdf"), data_dir=data, env=env)
    files = [p for p in [*data.rglob("*"), *logs.rglob("*"), *out.rglob("*")]]
    assert any(p.name == "motcua.sqlite3.codes" for p in files)
    assert any(p.suffix == ".pdf" for p in files) or r.returncode != 0
    for p in [data, logs, out, *files]:
        want = 0o700 if p.is_dir() else 0o600
        assert _mode(p) & 0o077 == 0, f"{p} is {oct(_mode(p))}, want {oct(want)}"


# ------------------------------------------------------------------------ encryption at rest
def _keyed(data_dir: Path, key_file: Path) -> Settings:
    return Settings(data_dir=data_dir, store_encryption="keyfile", store_key_file=str(key_file))


def test_an_encrypted_store_is_unreadable_without_the_app(tmp_path):
    key_file = tmp_path / "site" / "motcua.key"
    settings = _keyed(tmp_path / "data", key_file)
    from app import accounts
    from app.context import init_counter
    from app.trust import add_anchor

    with open_counter(settings) as c:
        init_counter(c, agency_code="000.20.27.H57", counter_no=3)
        accounts.add_user(c.store, "lan", "Nguyễn Thị Lan", "clerk", "mat-khau-demo-1")
        for pem in (shared_pki().root_pem, shared_pki().subca_pem):
            add_anchor(c.settings, pem, counter=c)
        bind_demo_certificates(c, "lan")
        d = _receive(c, 1)[0]
        assert c.store.key is not None
        from app import queries

        assert [x["code"] for x in queries.search(c, "dang thi huong")["results"]] == [d["code"]]
        backup = tmp_path / "b.sqlite3"
        storeops.backup_store(c.store, c.settings, backup)
    store = settings.store_path
    assert _mode(key_file) == 0o600 and len(key_file.read_text().strip()) == 64
    for f in (store, backup):
        assert file_kind(f) == "encrypted"
        assert b"Huong" not in f.read_bytes() and "Hương".encode() not in f.read_bytes()
        with closing(sqlite3.connect(f)) as plain, pytest.raises(sqlite3.DatabaseError):
            plain.execute("SELECT count(*) FROM dossiers").fetchone()
    # the command line reads it with the site key file, and not without it
    env = {"MOTCUA_STORE_KEY_FILE": str(key_file)}
    r = motcua("search", "079190000123", "--json", data_dir=settings.data_dir, env=env)
    assert json.loads(r.stdout)["results"][0]["code"] == d["code"]
    assert motcua("check", data_dir=settings.data_dir, env=env).returncode == 0
    r = motcua("config", "show", "--json", data_dir=settings.data_dir, env=env)
    assert json.loads(r.stdout)["values"]["agency_code"]["source"] == "counter"  # read with key
    r = motcua("list", data_dir=settings.data_dir)
    assert r.returncode == 1 and "khoá" in r.stderr  # a store it cannot open: exit 1
    # the encrypted backup restores on a new machine given the escrowed key
    fresh = tmp_path / "new-pc"
    key2 = tmp_path / "new-site" / "motcua.key"
    r = motcua("restore", str(backup), "--key-file", str(key_file), data_dir=fresh,
               env={"MOTCUA_STORE_KEY_FILE": str(key2)})
    assert r.returncode == 0, r.stderr
    assert key2.read_text() == key_file.read_text()
    r = motcua("verify", "--json", data_dir=fresh, env={"MOTCUA_STORE_KEY_FILE": str(key2)})
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_plaintext_store_is_encrypted_in_place(counter, data_dir, tmp_path):
    d = _receive(counter, 2)
    counter.close()
    key_file = tmp_path / "k" / "store.key"
    env = {"MOTCUA_STORE_KEY_FILE": str(key_file)}
    r = motcua("store", "encrypt", data_dir=data_dir, env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert Path(out["safety_copy"]).exists() and out["safety_copy"] in out["plaintext_copies"]
    assert file_kind(data_dir / "motcua.sqlite3") == "encrypted"
    r = motcua("search", "dang thi huong", "--json", data_dir=data_dir, env=env)
    assert {x["code"] for x in json.loads(r.stdout)["results"]} == {x["code"] for x in d}
    assert motcua("check", data_dir=data_dir, env=env).returncode == 0
    assert motcua("audit", "verify", data_dir=data_dir, env=env).returncode == 0
    r = motcua("store", "encrypt", data_dir=data_dir, env=env)
    assert r.returncode == 2 and "đã được mã hoá" in r.stderr


# ----------------------------------------------------------------------------- completeness
def test_a_backup_restores_a_whole_counter_on_a_fresh_folder(counter, data_dir, tmp_path):
    scan = make_pdf(tmp_path / "scan.pdf", pad=3 * 1024 * 1024)
    req = intake.parse_request(dossier_json(), [scan])
    with demo_signer("clerk1", counter) as signer:
        d = intake.receive(counter, req, clerk="lan", signer=signer)
    backup = tmp_path / "b.sqlite3"
    info = storeops.backup_store(counter.store, counter.settings, backup)
    assert info.attachments == 1 and info.files == 3  # 2 anchors + 1 CRL
    mark = (data_dir / "motcua.sqlite3.codes").read_text()
    counter.close()
    fresh = tmp_path / "fresh"
    r = motcua("restore", str(backup), data_dir=fresh)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (fresh / "trust" / "anchors").iterdir()) == \
        sorted(p.name for p in (data_dir / "trust" / "anchors").iterdir())
    assert (fresh / "trust" / "crls" / "subca.crl").read_bytes() == \
        (data_dir / "trust" / "crls" / "subca.crl").read_bytes()
    assert json.loads((fresh / "motcua.sqlite3.codes").read_text()) == json.loads(mark)
    r = motcua("verify", "--json", data_dir=fresh)
    assert r.returncode == 0, r.stdout + r.stderr
    assert motcua("check", data_dir=fresh).returncode == 0
    # the scans are files again, not pages of the store
    assert (fresh / "motcua.sqlite3").stat().st_size < 1024 * 1024
    assert any(p.stat().st_size > 3 * 1024 * 1024 for p in (fresh / "attachments").rglob("*")
               if p.is_file())
    assert d["code"] in motcua("list", data_dir=fresh).stdout


def test_a_format_1_backup_still_restores(counter, data_dir, tmp_path):
    """Backups made before this version (scans as one blob each) restore too."""
    scan = make_image(tmp_path / "scan.png", size=(200, 100))
    req = intake.parse_request(dossier_json(), [scan])
    with demo_signer("clerk1", counter) as signer:
        intake.receive(counter, req, clerk="lan", signer=signer)
    old = tmp_path / "v1.sqlite3"
    with closing(sqlite3.connect(old)) as dst:
        counter.store.conn.backup(dst)
        import hashlib

        dst.execute("CREATE TABLE backup_attachments (sha256 TEXT PRIMARY KEY, data BLOB)")
        data = scan.read_bytes()
        dst.execute("INSERT INTO backup_attachments VALUES (?, ?)",
                    (hashlib.sha256(data).hexdigest(), data))
        dst.commit()
    counter.close()
    fresh = tmp_path / "fresh"
    r = motcua("restore", str(old), data_dir=fresh)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["attachments"] == 1
    assert motcua("check", data_dir=fresh).returncode == 0
    assert CodeMark.beside(fresh / "motcua.sqlite3").counter() == "000.20.27.H57#01"


def test_auto_encryption_uses_the_os_key_store_only_for_a_per_user_folder(monkeypatch, tmp_path):
    """`auto`: the OS key store belongs to one account, so a shared per-machine data folder
    needs the site key file (these machines have no key store backend: one is simulated for
    the decision only)."""
    monkeypatch.setattr(storeops, "_keyring", lambda: object())
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    mine = Settings(data_dir=tmp_path / "home" / ".local" / "share" / "motcua")
    shared = Settings(data_dir=tmp_path / "ProgramData" / "MotCua")
    assert storeops.encryption_mode(mine) == "keyring"
    assert storeops.encryption_mode(shared) == "off"
    assert storeops.encryption_mode(Settings(data_dir=shared.data_dir,
                                             store_key_file=str(tmp_path / "k"))) == "keyfile"
    assert storeops.encryption_mode(Settings(data_dir=mine.data_dir,
                                             store_encryption="off")) == "off"
    monkeypatch.setattr(storeops, "_keyring", lambda: None)
    assert storeops.encryption_mode(mine) == "off"
