"""A receipt PDF signed with a key that never leaves a PKCS#11 token (SoftHSM)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from signing_fixtures import PIN, TOKEN_LABEL, TOKEN_LABEL_EC, demo_pki, needs_softhsm, softhsm  # noqa: F401

from app import receipts
from app.context import open_counter
from app.demo import prepare
from app.settings import Settings


@needs_softhsm
@pytest.mark.softhsm
@pytest.mark.parametrize("label", [TOKEN_LABEL, TOKEN_LABEL_EC])  # RSA-2048, ECDSA P-256
def test_token_signed_receipt_is_valid(softhsm, tmp_path, label):  # noqa: F811
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig not installed (Debian: poppler-utils; CI installs it)")
    from signing.pdf import sign_pdf
    from signing.signer import Pkcs11Signer
    from ui.printing import render_pdf

    demo = prepare(tmp_path / "data")
    with open_counter(Settings(data_dir=demo.data_dir)) as counter:
        model = receipts.receipt_model(counter, demo.codes[0])
    plain, signed = tmp_path / "r.pdf", tmp_path / "r-signed.pdf"
    render_pdf(model, plain, "roll80")
    with Pkcs11Signer.open(softhsm["module"], token_label=label, pin=PIN) as signer:
        sign_pdf(plain, signed, signer)
    out = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid" in out.stdout, out.stdout + out.stderr
