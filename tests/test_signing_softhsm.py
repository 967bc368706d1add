"""PKCS#11 signing on a real SoftHSM2 token: key on the token, openssl verifies, PIN errors."""

from __future__ import annotations

import pytest
import signing_fixtures as fx
from signing_fixtures import (
    PIN,
    TOKEN_LABEL,
    TOKEN_LABEL_BOTH,
    TOKEN_LABEL_EC,
    needs_softhsm,
    openssl_verify,
)

from signing.canonical import canonical_bytes
from signing.errors import SigningError
from signing.signer import Pkcs11Signer, list_token_certificates, list_tokens
from signing.verify import verify_detached

pytestmark = [needs_softhsm, pytest.mark.softhsm]
demo_pki, trust, softhsm = fx.demo_pki, fx.trust, fx.softhsm  # shared fixtures

DATA = canonical_bytes({"id": "e1", "type": "received", "actor": "Trần Thị Bình"})


def test_list_tokens_and_certificates(softhsm):
    toks = list_tokens(softhsm["module"])
    labels = [t["label"] for t in toks]
    assert {TOKEN_LABEL, TOKEN_LABEL_EC, TOKEN_LABEL_BOTH} <= set(labels)
    tok = toks[labels.index(TOKEN_LABEL_BOTH)]
    assert tok["serial"] and "TOKEN_INITIALIZED" in tok["flags"]
    assert "SoftHSM" in tok["manufacturer"]
    certs = list_token_certificates(softhsm["module"], token_label=TOKEN_LABEL_BOTH)
    assert sorted(c.label for c in certs) == ["clerk1", "clerk2"]
    by_serial = list_token_certificates(softhsm["module"], token_serial=tok["serial"], pin=PIN)
    assert {c.sha256 for c in by_serial} == {c.sha256 for c in certs}


@pytest.mark.parametrize("clerk,kind,label", [("clerk1", "RSA-2048", TOKEN_LABEL),
                                              ("clerk2", "EC-secp256r1", TOKEN_LABEL_EC)])
def test_token_sign_openssl_verifies(softhsm, demo_pki, trust, tmp_path, clerk, kind, label):
    # a token with one signing key: no key label needed
    with Pkcs11Signer.open(softhsm["module"], token_label=label, pin=PIN, trust=trust) as s:
        assert s.info.key_type == kind
        assert s.info.sha256 == softhsm[clerk]["cert_sha256"]
        assert [c.subject for c in s.chain] == [demo_pki.subca.subject]
        sig = s.sign(DATA)
        r = openssl_verify(sig, DATA, demo_pki, tmp_path)
        assert r.returncode == 0, r.stderr
        res = verify_detached(DATA, sig, trust)
        assert res.ok and res.warnings == [], res
        assert res.signer.sha256 == softhsm[clerk]["cert_sha256"]
        # tampering is caught for token signatures as well
        assert verify_detached(DATA + b" ", sig, trust).code == "digest_mismatch"
        bad = bytearray(sig)
        bad[-2] ^= 0xFF
        assert verify_detached(DATA, bytes(bad), trust).code == "bad_signature"


def test_select_by_certificate_fingerprint(softhsm):
    with Pkcs11Signer.open(softhsm["module"], token_label=TOKEN_LABEL_BOTH, pin=PIN,
                           cert_sha256=softhsm["clerk2"]["cert_sha256"]) as s:
        assert s.info.common_name.startswith("clerk2")
    with Pkcs11Signer.open(softhsm["module"], token_label=TOKEN_LABEL_BOTH, pin=PIN,
                           key_label="clerk1") as s:
        assert s.info.common_name.startswith("clerk1")


def test_key_stays_on_token(softhsm):
    import pkcs11

    lib = pkcs11.lib(softhsm["module"])
    tok = lib.get_token(token_label=TOKEN_LABEL_BOTH)
    with tok.open(user_pin=PIN) as session:
        keys = list(session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY}))
        assert len(keys) == 2
        for k in keys:
            assert k[pkcs11.Attribute.SENSITIVE] is True
            assert k[pkcs11.Attribute.EXTRACTABLE] is False
            with pytest.raises(pkcs11.PKCS11Error):
                k[pkcs11.Attribute.PRIVATE_EXPONENT if k.key_type == pkcs11.KeyType.RSA
                  else pkcs11.Attribute.VALUE]


def test_wrong_pin_counts_attempts(softhsm):
    for n in (1, 2):
        with pytest.raises(SigningError) as e:
            Pkcs11Signer.open(softhsm["module"], token_label=TOKEN_LABEL, pin="000000",
                              key_label="clerk1")
        assert e.value.code == "wrong_secret"
        vi = e.value.message("vi")
        assert vi.startswith("Sai mã PIN của thiết bị ký số (USB token).")
        assert f"lần sai thứ {n}" in vi
        assert f"attempt number {n}" in e.value.message("en")
        assert "000000" not in vi + e.value.message("en")
    # SoftHSM reports no retry counter: the message must not invent one
    assert "Còn" not in vi and e.value.tries_left is None
    # a successful login resets our counter
    Pkcs11Signer.open(softhsm["module"], token_label=TOKEN_LABEL, pin=PIN, key_label="clerk1").close()
    with pytest.raises(SigningError) as e:
        Pkcs11Signer.open(softhsm["module"], token_label=TOKEN_LABEL, pin="000000", key_label="clerk1")
    assert "lần sai thứ 1" in e.value.message("vi")


def test_token_label_not_found(softhsm):
    with pytest.raises(SigningError) as e:
        Pkcs11Signer.open(softhsm["module"], token_label="KHONG-CO", pin=PIN)
    assert e.value.code == "token_not_found"
    assert "Không tìm thấy thiết bị ký số (token)" in e.value.message("vi")
    assert "KHONG-CO" in e.value.message("en")


def test_key_label_not_found_and_ambiguous(softhsm):
    with pytest.raises(SigningError) as e:
        Pkcs11Signer.open(softhsm["module"], token_label=TOKEN_LABEL, pin=PIN, key_label="nobody")
    assert e.value.code == "no_key"
    with pytest.raises(SigningError) as e:
        Pkcs11Signer.open(softhsm["module"], token_label=TOKEN_LABEL_BOTH, pin=PIN)
    assert e.value.code == "ambiguous"


def test_bad_module_path(tmp_path):
    with pytest.raises(SigningError) as e:
        list_tokens(str(tmp_path / "libnothing.so"))
    assert e.value.code == "module_error"


def test_closed_session_maps_to_token_removed(softhsm):
    s = Pkcs11Signer.open(softhsm["module"], token_label=TOKEN_LABEL, pin=PIN, key_label="clerk1")
    s._session.close()  # what a pulled token looks like to the next call
    with pytest.raises(SigningError) as e:
        s.sign(DATA)
    assert e.value.code in ("token_removed", "token_error")
    assert e.value.code == "token_removed", e.value.en
