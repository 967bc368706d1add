"""Session-scoped signing fixtures: one demo PKI and one SoftHSM token per test session.

Import the fixtures you need into a test module (pytest registers imported fixtures):
    """

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from signing.demo_pki import SOFTHSM_MODULE, DemoPki, load_into_softhsm, make_demo_pki
from signing.trust import TrustStore

PASSWORD = "demo-Mật-khẩu"  # non-ASCII on purpose: PKCS#12 passwords are UTF-8
PIN = "123456"
SO_PIN = "654321"
TOKEN_LABEL = "MOTCUA-TEST"  # clerk1 (RSA) only: one key, so no key label is needed
TOKEN_LABEL_EC = "MOTCUA-TEST-EC"  # clerk2 (ECDSA P-256) only
TOKEN_LABEL_BOTH = "MOTCUA-TEST-2"  # clerk1 + clerk2: selection needs a key label

needs_softhsm = pytest.mark.skipif(
    not Path(SOFTHSM_MODULE).exists() or shutil.which("softhsm2-util") is None,
    reason=f"SoftHSM2 not installed ({SOFTHSM_MODULE} absent); CI installs package softhsm2",
)


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return make_demo_pki(tmp_path_factory.mktemp("pki"), password=PASSWORD)


@pytest.fixture
def trust(demo_pki: DemoPki) -> TrustStore:
    """Fresh per test (tests add CRLs): root anchor + sub-CA + the demo CRLs."""
    return TrustStore.from_paths([demo_pki.root_pem, demo_pki.subca_pem], demo_pki.crl_dir)


@pytest.fixture(scope="session")
def softhsm(demo_pki: DemoPki, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """SoftHSM tokens: TOKEN_LABEL (clerk1, RSA), TOKEN_LABEL_EC (clerk2, ECDSA P-256) and
    TOKEN_LABEL_BOTH (both keys), set up before this process loads the module (SOFTHSM2_CONF
    is read once, at C_Initialize). info[clerk] describes the clerk on its own token."""
    if not Path(SOFTHSM_MODULE).exists():
        pytest.skip(f"SoftHSM2 not installed ({SOFTHSM_MODULE} absent)")
    conf_dir = tmp_path_factory.mktemp("softhsm")
    info = {}
    for clerk, label in (("clerk1", TOKEN_LABEL), ("clerk2", TOKEN_LABEL_EC),
                         ("clerk1", TOKEN_LABEL_BOTH), ("clerk2", TOKEN_LABEL_BOTH)):
        loaded = load_into_softhsm(
            demo_pki, clerk, token_label=label, pin=PIN, so_pin=SO_PIN,
            softhsm_conf_dir=conf_dir,
        )
        info.setdefault(clerk, loaded)
    assert os.environ["SOFTHSM2_CONF"] == info["clerk1"]["softhsm2_conf"]
    return {"module": SOFTHSM_MODULE, "label": TOKEN_LABEL, "conf_dir": conf_dir, **info}


def openssl_verify(sig: bytes, data: bytes, pki: DemoPki, tmp: Path, *,
                   ca: Path | None = None) -> subprocess.CompletedProcess:
    """The outside party's check: `openssl cms -verify` with only the root as CA file."""
    (tmp / "sig.p7s").write_bytes(sig)
    (tmp / "data.bin").write_bytes(data)
    return subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp / "sig.p7s"),
         "-content", str(tmp / "data.bin"), "-CAfile", str(ca or pki.root_pem),
         "-purpose", "any", "-out", os.devnull],
        capture_output=True, text=True,
    )


def _raw_cms(clerk, data: bytes) -> bytes:
    """A signature made outside our checks (e.g. by another tool) with the clerk's key."""
    return (pkcs7.PKCS7SignatureBuilder().set_data(data)
            .add_signer(clerk.cert, clerk.key, hashes.SHA256())
            .sign(serialization.Encoding.DER,
                  [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]))
