"""A receipt PDF signed with a key that never leaves a PKCS#11 token (SoftHSM).

Runs in a subprocess with its own SoftHSM configuration: SoftHSM reads SOFTHSM2_CONF once per
process, so sharing the session's tokens with other test modules would couple their keys.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from signing_fixtures import needs_softhsm

SCRIPT = r"""
import sys
from pathlib import Path
from app import receipts
from app.context import open_counter
from app.demo import prepare
from app.settings import Settings
from signing.demo_pki import SOFTHSM_MODULE, load_into_softhsm, make_demo_pki
from signing.pdf import sign_pdf
from signing.signer import Pkcs11Signer
from ui.printing import render_pdf

tmp, clerk = Path(sys.argv[1]), sys.argv[2]
pki = make_demo_pki(tmp / "pki")
load_into_softhsm(pki, clerk, token_label="RECEIPT", pin="123456", so_pin="654321",
                  softhsm_conf_dir=tmp / "softhsm")
demo = prepare(tmp / "data")
with open_counter(Settings(data_dir=demo.data_dir)) as counter:
    model = receipts.receipt_model(counter, demo.codes[0])
render_pdf(model, tmp / "r.pdf", "roll80")
with Pkcs11Signer.open(SOFTHSM_MODULE, token_label="RECEIPT", pin="123456") as signer:
    sign_pdf(tmp / "r.pdf", tmp / "r-signed.pdf", signer)
"""


@needs_softhsm
@pytest.mark.softhsm
@pytest.mark.parametrize("clerk", ["clerk1", "clerk2"])  # RSA-2048, ECDSA P-256
def test_token_signed_receipt_is_valid(tmp_path, clerk):
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig not installed (Debian: poppler-utils; CI installs it)")
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("SOFTHSM2_CONF", None)
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), clerk], cwd=root,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    out = subprocess.run(["pdfsig", str(tmp_path / "r-signed.pdf")], capture_output=True,
                         text=True, timeout=60)
    assert "Signature is Valid" in out.stdout, out.stdout + out.stderr
