"""The trust folder is evidence too (QA pass, issue 10): whoever writes `trust/anchors/`
decides whose signatures verify, so `trust add` / `trust remove` (and the demo, setup and the
window, through the same app/ function) record each change in the audit log, and `verify` /
`check` name a certificate in the folder that the log never recorded. Real store, real
certificates, the real command line."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.context import open_counter
from app.settings import Settings
from app.trust import anchors_dir
from tests.helpers import install_fixture, make_counter, motcua, shared_pki


def _root(path, name: str = "Rogue Root CA"):
    """A self-signed CA certificate (what an attacker would drop into the folder)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path, cert.fingerprint(hashes.SHA256()).hex()


def _trust_rows(data):
    with open_counter(Settings(data_dir=data), create=False) as c:
        return [(r["action"], r["subject"], json.loads(r["detail"])) for r in c.store.query(
            "SELECT action, subject, detail FROM audit WHERE action LIKE 'trust.%' ORDER BY seq")]


def test_installed_anchors_are_audited_and_a_root_copied_in_by_hand_is_named(tmp_path):
    counter = make_counter(tmp_path / "c")
    data = counter.settings.data_dir
    counter.close()
    pki = shared_pki()
    rows = _trust_rows(data)
    assert [a for a, _, _ in rows] == ["trust.anchor_added"] * 2  # the root and the sub-CA
    assert {d["role"] for _, _, d in rows} == {"anchor", "intermediate"}
    assert all(len(s) == 64 and d["sha256"] == s and d["subject"] for _, s, d in rows)
    assert pki.root_pem.exists()
    ok = motcua("verify", data_dir=data, lang="en")
    assert ok.returncode == 0 and "trust" not in ok.stdout.lower(), ok.stdout
    # the attack: a root copied into the folder by hand
    rogue, sha = _root(tmp_path / "rogue.pem")
    shutil.copyfile(rogue, anchors_dir(Settings(data_dir=data)) / f"{sha}.pem")
    out = motcua("verify", data_dir=data)
    assert out.returncode == 1
    assert "chứng thư tin cậy trong thư mục trust/anchors mà nhật ký không ghi nhận" in out.stdout
    assert "Rogue Root CA" in out.stdout and sha[:16] in out.stdout
    assert "chứng thư tin cậy không có trong nhật ký" in out.stdout  # the summary line
    out = motcua("verify", data_dir=data, lang="en")
    assert out.returncode == 1 and "that the audit log never recorded" in out.stdout
    out = motcua("check", data_dir=data, lang="en")
    assert out.returncode == 1 and sha[:16] in out.stdout and "never recorded" in out.stdout
    # the administrator looks at it and removes it: audited, the store is clean again
    r = motcua("trust", "remove", sha[:16], data_dir=data)
    assert r.returncode == 0, r.stderr
    action, subject, detail = _trust_rows(data)[-1]
    assert (action, subject, detail["subject"]) == ("trust.anchor_removed", sha, "CN=Rogue Root CA")
    assert motcua("verify", data_dir=data).returncode == 0
    # `trust add` records it; put back by hand after a removal it is named again
    r = motcua("trust", "add", str(rogue), data_dir=data)
    assert r.returncode == 0, r.stderr
    assert _trust_rows(data)[-1][:2] == ("trust.anchor_added", sha)
    assert motcua("verify", data_dir=data).returncode == 0
    assert motcua("trust", "remove", sha[:16], data_dir=data).returncode == 0
    shutil.copyfile(rogue, anchors_dir(Settings(data_dir=data)) / f"{sha}.pem")
    assert motcua("check", data_dir=data).returncode == 1


def test_a_store_from_before_gets_a_warning_and_its_first_trust_change_records_the_folder(
        tmp_path):
    data = tmp_path / "data"
    install_fixture(data)  # anchors copied by an older version, no trust rows
    out = motcua("verify", data_dir=data, lang="en")
    assert out.returncode == 0, out.stdout  # a warning, not a failure
    assert "installed by an earlier version are not in the audit log" in out.stdout
    assert motcua("check", data_dir=data).returncode == 0
    old = {p.name for p in anchors_dir(Settings(data_dir=data)).iterdir()}
    rogue, sha = _root(tmp_path / "new.pem", "New Province Root")
    assert motcua("trust", "add", str(rogue), data_dir=data).returncode == 0
    rows = _trust_rows(data)
    assert len(rows) == len(old) + 1 and all(d.get("found") for _, _, d in rows[:-1])
    assert rows[-1][1] == sha and "found" not in rows[-1][2]
    out = motcua("verify", data_dir=data, lang="en")
    assert out.returncode == 0 and "earlier version" not in out.stdout, out.stdout
