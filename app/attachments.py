"""Scanned documents: checked, then stored content-addressed by SHA-256 in the data folder.

The dossier references each file by name, type, size and hash; the hash is inside the signed
event, so an altered or missing file is found by `check` and `verify`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.domain import Attachment
from app.errors import UserError
from localdb.backup import attachment_path

# Magic numbers of the accepted types; the extension alone proves nothing.
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_type(head: bytes) -> str | None:
    for magic, media in _MAGIC:
        if head.startswith(magic):
            return media
    return None


def check_file(path: Path, max_bytes: int) -> tuple[str, int]:
    """Return (media type, size) or raise a clerk-readable error."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp đính kèm {path.name}.", f"Attachment {path.name} not found.",
                        field="attachments")
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"Tệp {path.name} rỗng.", f"File {path.name} is empty.", field="attachments")
    if size > max_bytes:
        raise UserError(
            f"Tệp {path.name} quá lớn ({size / 1e6:.1f} MB; tối đa {max_bytes / 1e6:.0f} MB).",
            f"File {path.name} is too large ({size / 1e6:.1f} MB; limit {max_bytes / 1e6:.0f} MB).",
            field="attachments")
    with open(path, "rb") as fh:
        media = sniff_type(fh.read(16))
    if media is None:
        raise UserError(f"Tệp {path.name} không phải PDF, JPEG hay PNG.",
                        f"File {path.name} is not a PDF, JPEG or PNG.", field="attachments")
    return media, size


def store_file(path: Path, attachments_dir: Path, max_bytes: int) -> Attachment:
    """Copy a scan into the content-addressed folder (durably) and describe it."""
    media, size = check_file(path, max_bytes)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    target = attachment_path(attachments_dir, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        with open(path, "rb") as src, open(tmp, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, target)
    return Attachment(sha256=sha, name=Path(path).name, media_type=media, size=size)
