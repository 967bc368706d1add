"""Trust hygiene: content-addressed anchors that are never overwritten, leaf certificates
refused, readable `trust list`, `trust remove`, older CRLs said to be ignored, a missing
intermediate named, the issuer of a missing CRL named, and wrong secrets counted across runs.
Real certificates, real CRLs, the real command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import signing_fixtures as fx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from signing_fixtures import PIN, TOKEN_LABEL, needs_softhsm

from app import trust as trustcfg
from app.errors import UserError
from app.settings import Settings
from signing.demo_pki import issue_crl, make_demo_pki
from signing.errors import VN_TZ, SigningError
from signing.signer import P12Signer
from signing.trust import TrustStore
from signing.verify import verify_detached
from tests.helpers import motcua

demo_pki, softhsm = fx.demo_pki, fx.softhsm


def _settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_add_never_overwrites_and_a_second_hierarchy_keeps_the_first(tmp_path, demo_pki):
    """The reported failure: `trust add pki2/root.pem` replaced `root.pem`, every older
    dossier then failed. Content-addressed names keep both."""
    s = _settings(tmp_path)
    first = trustcfg.install(s, demo_pki.root_pem)
    assert first[0]["role"] == "anchor" and not first[0]["already"]
    again = trustcfg.install(s, demo_pki.root_pem)
    assert again[0]["already"] and again[0]["path"] == first[0]["path"]
    pki2 = make_demo_pki(tmp_path / "pki2")
    assert pki2.root_pem.name == demo_pki.root_pem.name  # same file name, other certificate
    trustcfg.install(s, pki2.root_pem)
    trustcfg.install(s, demo_pki.chain_pem)  # sub-CA + root: the root is already there
    listed = {e["sha256"]: e for e in trustcfg.list_anchors(s)}
    assert len(listed) == 3
    assert sorted(e["role"] for e in listed.values()) == ["anchor", "anchor", "intermediate"]
    trust = trustcfg.load_trust(s)
    sig = P12Signer.open(demo_pki.clerk("clerk1").p12, fx.PASSWORD).sign(b"old dossier")
    assert verify_detached(b"old dossier", sig, trust).ok  # the first hierarchy still works


def test_leaf_refused_as_anchor(tmp_path, demo_pki):
    s = _settings(tmp_path)
    with pytest.raises(UserError) as e:
        trustcfg.install(s, demo_pki.clerk("clerk1").cert_pem)
    assert e.value.code == "leaf_anchor" and "không phải CA" in e.value.vi
    assert "not a CA" in e.value.en and trustcfg.anchor_files(s) == []
    r = motcua("trust", "add", str(demo_pki.clerk("clerk1").cert_pem), data_dir=s.data_dir)
    assert r.returncode == 2 and "không phải CA" in r.stderr and len(r.stderr.splitlines()) == 1


def test_list_and_remove_from_the_command_line(tmp_path, demo_pki):
    s = _settings(tmp_path)
    # a file installed by an older version under its own name, holding sub-CA + root
    legacy = s.data_dir / "trust" / "anchors" / "chain.pem"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(demo_pki.chain_pem.read_bytes())
    crl_dir = s.data_dir / "trust" / "crls"
    crl_dir.mkdir(parents=True)
    (crl_dir / "subca.crl").write_bytes(demo_pki.crl_der.read_bytes())
    r = motcua("trust", "list", data_dir=s.data_dir)
    assert r.returncode == 0, r.stderr
    root_fp = demo_pki.root.fingerprint(hashes.SHA256()).hex()
    out = r.stdout
    assert root_fp in out and "chứng thư gốc tin cậy" in out and "chứng thư trung gian" in out
    assert "chủ thể: " in out and "tổ chức cấp: " in out and "giờ Việt Nam" in out
    nb = demo_pki.root.not_valid_before_utc.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")
    assert nb in out
    assert "CRL: chưa có" in out  # the root's own CRL is not cached; the sub-CA's is
    doc = json.loads(motcua("trust", "list", "--json", data_dir=s.data_dir).stdout)
    assert {c["role"] for c in doc["certificates"]} == {"anchor", "intermediate"}
    r = motcua("trust", "remove", root_fp[:12], data_dir=s.data_dir)
    assert r.returncode == 0 and "Đã bỏ" in r.stdout
    left = trustcfg.list_anchors(s)
    assert [e["role"] for e in left] == ["intermediate"]  # the sub-CA stays trusted
    assert not legacy.exists()
    r = motcua("trust", "remove", root_fp[:12], data_dir=s.data_dir, lang="en")
    assert r.returncode == 2 and "No trusted certificate" in r.stderr


def test_older_crl_is_said_to_be_ignored(tmp_path, demo_pki):
    s = _settings(tmp_path)
    trustcfg.install(s, demo_pki.chain_pem)
    now = datetime.now(UTC)
    newer = issue_crl(demo_pki.subca, demo_pki.subca_key, [], number=7, this_update=now)
    older = issue_crl(demo_pki.subca, demo_pki.subca_key, [], number=3,
                      this_update=now - timedelta(days=3))
    for name, crl in (("new.crl", newer), ("old.crl", older)):
        (tmp_path / name).write_bytes(crl.public_bytes(serialization.Encoding.DER))
    assert motcua("trust", "add-crl", str(tmp_path / "new.crl"), data_dir=s.data_dir).returncode == 0
    r = motcua("trust", "add-crl", str(tmp_path / "old.crl"), data_dir=s.data_dir)
    assert r.returncode == 2
    assert "cũ hơn CRL đang dùng" in r.stderr and "đã bỏ qua" in r.stderr
    assert "số 3" in r.stderr and "số 7" in r.stderr
    r = motcua("trust", "add-crl", str(tmp_path / "old.crl"), data_dir=s.data_dir, lang="en")
    assert "older than the one in use" in r.stderr and "ignored" in r.stderr
    # the same CRL again is not an error; the newer one is still in use
    assert motcua("trust", "add-crl", str(tmp_path / "new.crl"), data_dir=s.data_dir).returncode == 0
    st = trustcfg.load_trust(s).crl_for(demo_pki.subca.subject)
    assert st is not None and st.number == 7


def test_missing_intermediate_is_named(tmp_path, demo_pki):
    """Only the root trusted, and a key file without its sub-CA: the message names the
    missing intermediate instead of saying "untrusted issuer"."""
    clerk = demo_pki.clerk("clerk1")
    p12 = tmp_path / "only-leaf.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"c", clerk.key, clerk.cert, None, serialization.BestAvailableEncryption(b"pw")))
    only_root = TrustStore.from_paths([demo_pki.root_pem])
    s = P12Signer.open(p12, "pw", trust=only_root)
    with pytest.raises(SigningError) as e:
        s.check()
    assert e.value.code == "missing_intermediate"
    assert "DEMO CA phục vụ các cơ quan Nhà nước" in e.value.vi and "trung gian" in e.value.vi
    assert "intermediate" in e.value.en
    # verify names it too (the CMS embeds no sub-CA)
    from cryptography.hazmat.primitives.asymmetric import padding

    from signing.cms import CmsTemplate

    sig = CmsTemplate(clerk.cert, [], "rsassa_pkcs1v15").sign(
        b"d", lambda t: clerk.key.sign(t, padding.PKCS1v15(), hashes.SHA256()))
    r = verify_detached(b"d", sig, only_root)
    assert r.code == "untrusted" and "DEMO CA phục vụ các cơ quan Nhà nước" in r.message_vi


def test_missing_crl_warning_names_the_issuer(demo_pki):
    bare = TrustStore.from_paths([demo_pki.root_pem, demo_pki.subca_pem], None)
    r = verify_detached(b"d", P12Signer.open(demo_pki.clerk("clerk1").p12, fx.PASSWORD)
                        .sign(b"d"), bare)
    assert r.ok and "no_crl" in r.warnings
    vi, en = r.notes["no_crl"]
    assert "DEMO CA phục vụ các cơ quan Nhà nước" in vi and "DEMO Cơ quan chứng thực" in vi
    assert "motcua trust refresh" in en


def test_cert_times_in_messages_are_vietnam_time(demo_pki):
    with pytest.raises(SigningError) as e:
        P12Signer.open(demo_pki.clerk("expired").p12, fx.PASSWORD).sign(b"x")
    na = demo_pki.clerk("expired").cert.not_valid_after_utc.astimezone(VN_TZ)
    assert na.strftime("%d/%m/%Y %H:%M") in e.value.vi and "giờ Việt Nam" in e.value.vi
    assert "UTC" not in e.value.vi


def _key_check(data_dir, *args, env):
    return motcua("verify", *args, "--secret-env", "SECRET", data_dir=data_dir, env=env)


def test_wrong_password_counts_across_runs(tmp_path, demo_pki):
    from tests.helpers import make_counter

    data = tmp_path / "c"
    make_counter(data).close()
    p12 = str(demo_pki.clerk("clerk1").p12)
    for n in (1, 2, 3):
        r = _key_check(data, "--p12", p12, env={"SECRET": "sai"})
        assert r.returncode == 2 and f"lần sai thứ {n}" in r.stderr, r.stderr
    r = _key_check(data, "--p12", p12, env={"SECRET": fx.PASSWORD})
    assert "lần sai" not in r.stderr
    r = _key_check(data, "--p12", p12, env={"SECRET": "sai"})
    assert "lần sai thứ 1" in r.stderr  # a success starts counting again
    assert "sai" not in (data / "key-attempts.json").read_text()  # no secret kept


@needs_softhsm
def test_wrong_pin_counts_across_runs(tmp_path, softhsm):
    from tests.helpers import make_counter

    data = tmp_path / "c"
    make_counter(data).close()
    args = ("--pkcs11-module", softhsm["module"], "--token-label", TOKEN_LABEL)
    for n in (1, 2):
        r = _key_check(data, *args, env={"SECRET": "000000"})
        assert r.returncode == 2 and f"lần sai thứ {n}" in r.stderr, r.stderr
    r = _key_check(data, *args, env={"SECRET": PIN})
    assert "lần sai" not in r.stderr


def test_key_unlock_warns_naming_the_ca_whose_crl_is_missing(tmp_path, demo_pki):
    """The command line opening a key says which CA's revocation list is missing."""
    from tests.helpers import make_counter, shared_pki

    data = tmp_path / "c"
    make_counter(data).close()
    for f in (data / "trust" / "crls").iterdir():
        f.unlink()
    r = _key_check(data, "--p12", str(shared_pki().clerk("clerk1").p12), env={"SECRET": "demo"})
    assert "Cảnh báo: Chưa có danh sách thu hồi (CRL) của" in r.stderr
    assert "DEMO CA phục vụ các cơ quan Nhà nước" in r.stderr
