"""The counter's trust configuration: anchors and cached CRLs in the data folder.

`<data>/trust/anchors/*.pem` are the root (and intermediate) certificates this counter accepts
for clerks' signatures; `<data>/trust/crls/` caches CRLs fetched when online, used offline.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from app.errors import UserError
from app.settings import Settings

log = logging.getLogger(__name__)


def anchors_dir(settings: Settings) -> Path:
    return settings.data_dir / "trust" / "anchors"


def crls_dir(settings: Settings) -> Path:
    return settings.data_dir / "trust" / "crls"


def anchor_files(settings: Settings) -> list[Path]:
    d = anchors_dir(settings)
    return sorted(p for p in d.glob("*") if p.suffix.lower() in (".pem", ".crt", ".cer", ".der")) \
        if d.is_dir() else []


def load_trust(settings: Settings):
    """A TrustStore of this counter's anchors and cached CRLs (empty if none configured)."""
    from signing.trust import TrustStore

    crl_dir = crls_dir(settings)
    crl_dir.mkdir(parents=True, exist_ok=True)
    return TrustStore.from_paths(anchor_files(settings), crl_dir)


def add_anchor(settings: Settings, source: Path) -> Path:
    """Install a CA certificate file (PEM/DER) as a trust anchor, after checking it parses."""
    from signing.trust import load_certificates

    source = Path(source)
    try:
        certs = load_certificates(source.read_bytes())
    except FileNotFoundError:
        raise UserError(f"Không tìm thấy tệp {source}.", f"File {source} not found.") from None
    except ValueError as exc:
        raise UserError(f"Tệp {source.name} không phải chứng thư số hợp lệ ({exc}).",
                        f"{source.name} is not a valid certificate file ({exc}).") from None
    if not certs:
        raise UserError(f"Tệp {source.name} không chứa chứng thư nào.",
                        f"{source.name} contains no certificate.")
    target = anchors_dir(settings) / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    log.info("trust anchor installed: %s (%d certificates)", target, len(certs))
    return target
