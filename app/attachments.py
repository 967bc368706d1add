"""Scanned documents: checked by a real parser, then stored content-addressed by SHA-256.

The dossier references each file by name, type, size and hash; the hash is inside the signed
event, so an altered or missing file is found by `check` and `verify`.

A scan is first copied to `attachments/.incoming/` (hashing it on the way) and the COPY is
what gets checked: a PDF must open with pypdf (pages readable, not encrypted, nothing after its
last `%%EOF`), a JPEG or PNG must decode with Pillow (at most 100 megapixels, nothing after
the end of the image). Only when the intake transaction has committed is the copy renamed to
its content address; a refused or failed intake deletes it. A process killed in between leaves
a `.part` file that the next start removes — or, if the committed store already references
it, moves into place (`clean_incoming`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.domain import Attachment
from app.errors import UserError
from app.textrules import forbidden, printable
from localdb.backup import attachment_path
from localdb.files import create_private, fsync_dir, private_dir

log = logging.getLogger(__name__)

INCOMING = ".incoming"
MAX_PIXELS = 100_000_000  # an A4 page at 600 dpi is ~35 megapixels
MAX_NAME = 255
STALE_SECONDS = 24 * 3600  # a .part file this old belongs to no running intake
_PART_RE = re.compile(r"^(?:(?P<sha>[0-9a-f]{64})\.)?(?P<pid>\d+)-[0-9a-f]{32}\.part$")

# Magic numbers of the accepted types; the extension alone proves nothing, and neither does the
# magic number alone: the content must parse.
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_PADDING = b" \t\r\n\x00"


def sniff_type(head: bytes) -> str | None:
    for magic, media in _MAGIC:
        if head.startswith(magic):
            return media
    return None


def _refuse(name: str, vi: str, en: str, code: str = "bad_scan") -> UserError:
    return UserError(f"Tệp {name} {vi}.", f"File {name} {en}.", field="attachments", code=code)


def _shown(path: Path) -> str:
    return printable(path.name, limit=80)


def check_name(path: Path) -> str:
    """The file name goes into the signed record: no control characters, ≤ 255 characters."""
    name = path.name
    if len(name) > MAX_NAME:
        raise _refuse(_shown(path), f"có tên quá dài (tối đa {MAX_NAME} ký tự)",
                      f"has too long a name (at most {MAX_NAME} characters)")
    if any(forbidden(c) for c in name):
        raise _refuse(_shown(path), "có tên chứa ký tự điều khiển hoặc ký tự ẩn",
                      "has a control or invisible character in its name")
    import unicodedata

    return unicodedata.normalize("NFC", name)


def check_file(path: Path, max_bytes: int) -> tuple[str, int]:
    """Return (media type, size) or raise a clerk-readable error (existence, size, type)."""
    path = Path(path)
    name = _shown(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp đính kèm {name}.", f"Attachment {name} not found.",
                        field="attachments", code="not_found")
    size = path.stat().st_size
    if size == 0:
        raise _refuse(name, "rỗng", "is empty")
    if size > max_bytes:
        raise UserError(
            f"Tệp {name} quá lớn ({size / 1e6:.1f} MB; tối đa {max_bytes / 1e6:.0f} MB).",
            f"File {name} is too large ({size / 1e6:.1f} MB; limit {max_bytes / 1e6:.0f} MB).",
            field="attachments", code="too_large")
    with Path(path).open("rb") as fh:
        media = sniff_type(fh.read(16))
    if media is None:
        raise _refuse(name, "không phải PDF, JPEG hay PNG", "is not a PDF, JPEG or PNG")
    return media, size


def _tail(path: Path, n: int = 1024) -> bytes:
    with Path(path).open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - n))
        return fh.read()


def verify_content(path: Path, media: str, name: str) -> None:
    """Open the file with a real parser; refuse what does not parse as the type it claims."""
    try:
        if media == "application/pdf":
            _verify_pdf(path, name)
        else:
            _verify_image(path, media, name)
    except UserError:
        raise
    except Exception as exc:  # any parser failure means "not a readable scan"; logged for IT
        log.info("scan %s refused by the %s parser: %r", name, media, exc)
        kind = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}[media]
        raise _refuse(name, f"không mở được như một tệp {kind} hợp lệ (hỏng hoặc giả mạo)",
                      f"does not open as a valid {kind} (damaged or not really a {kind})") from None


def _verify_pdf(path: Path, name: str) -> None:
    tail = _tail(path).rstrip(_PADDING)
    if not tail.endswith(b"%%EOF"):
        raise _refuse(name, "không kết thúc như một tệp PDF (có dữ liệu lạ sau %%EOF)",
                      "does not end like a PDF (foreign data after %%EOF)")
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # repair chatter is not for clerks
    reader = PdfReader(str(path), strict=False)
    if reader.is_encrypted:
        raise _refuse(name, "được đặt mật khẩu; hãy quét lại không mật khẩu",
                      "is password-protected; scan it again without a password")
    pages = reader.pages
    if len(pages) == 0:
        raise _refuse(name, "không có trang nào", "has no pages")
    for page in pages:
        box = page.mediabox
        if box.width <= 0 or box.height <= 0:
            raise ValueError("empty page box")


def _verify_image(path: Path, media: str, name: str) -> None:
    tail = _tail(path, 64)
    if media == "image/png" and not tail.endswith(_PNG_END):
        raise _refuse(name, "không kết thúc như một ảnh PNG (có dữ liệu lạ sau IEND)",
                      "does not end like a PNG (foreign data after IEND)")
    if media == "image/jpeg" and not tail.rstrip(_PADDING).endswith(b"\xff\xd9"):
        raise _refuse(name, "không kết thúc như một ảnh JPEG (có dữ liệu lạ sau ảnh)",
                      "does not end like a JPEG (foreign data after the image)")
    from PIL import Image

    expected = "PNG" if media == "image/png" else "JPEG"
    with Image.open(path) as im:
        if im.format != expected:
            raise ValueError(f"format {im.format}")
        w, h = im.size
        if w * h > MAX_PIXELS:
            raise _refuse(name, f"có ảnh quá lớn ({w}×{h} điểm; tối đa 100 triệu điểm)",
                          f"is too large an image ({w}×{h} pixels; at most 100 megapixels)")
        if expected == "PNG":
            im.verify()  # chunk CRCs
    with Image.open(path) as im:
        if expected == "JPEG":
            im.draft("RGB", (max(1, w // 8), max(1, h // 8)))  # decode every block, 1/8 size
        im.load()


# ------------------------------------------------------------------------------ staging
@dataclass(frozen=True)
class Staged:
    attachment: Attachment
    part: Path  # .incoming/<sha>.<pid>-<rand>.part
    target: Path  # content address


def stage_file(path: Path, attachments_dir: Path, max_bytes: int) -> Staged:
    """Copy a scan to `.incoming/` (hashing it), check the copy with a real parser and
    describe it. Raises a clerk-readable UserError and leaves nothing behind when refused."""
    path = Path(path)
    name = check_name(path)
    media, size = check_file(path, max_bytes)
    incoming = private_dir(Path(attachments_dir) / INCOMING)
    token = f"{os.getpid()}-{uuid.uuid4().hex}.part"
    part = incoming / token
    digest = hashlib.sha256()
    copied = 0
    try:
        fd = create_private(part)
        with Path(path).open("rb") as src, os.fdopen(fd, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                copied += len(chunk)
                if copied > max_bytes:
                    raise UserError(
                        f"Tệp {_shown(path)} quá lớn (tối đa {max_bytes / 1e6:.0f} MB).",
                        f"File {_shown(path)} is too large (limit {max_bytes / 1e6:.0f} MB).",
                        field="attachments", code="too_large")
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        verify_content(part, media, _shown(path))  # the bytes we keep are the bytes checked
        sha = digest.hexdigest()
        named = incoming / f"{sha}.{token}"
        Path(part).replace(named)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return Staged(Attachment(sha256=sha, name=name, media_type=media, size=copied), named,
                  attachment_path(Path(attachments_dir), sha))


def _promote(item: Staged) -> None:
    if item.target.exists():  # the same content is already stored
        item.part.unlink(missing_ok=True)
        return
    private_dir(item.target.parent)
    Path(item.part).replace(item.target)
    fsync_dir(item.target.parent)


def discard(staged: Sequence[Staged]) -> None:
    for item in staged:
        item.part.unlink(missing_ok=True)


@contextmanager
def committing(staged: Sequence[Staged]) -> Iterator[None]:
    """Around the intake transaction (entered BEFORE it, so it exits after the commit):
    success moves each staged copy to its content address, any failure deletes them."""
    try:
        yield
    except BaseException:
        discard(staged)
        raise
    for item in staged:
        try:
            _promote(item)
        except OSError:  # committed already: the next start moves it into place
            log.exception("scan %s… committed but not yet moved into place",
                          item.attachment.sha256[:12])


def stage_files(paths: Sequence[Path], attachments_dir: Path, max_bytes: int) -> list[Staged]:
    staged: list[Staged] = []
    try:
        for p in paths:
            staged.append(stage_file(p, attachments_dir, max_bytes))
    except BaseException:
        discard(staged)
        raise
    return staged


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # no cheap liveness probe: rely on age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_incoming(attachments_dir: Path, referenced: Callable[[str], bool]) -> dict[str, int]:
    """At start: remove `.part` files of intakes that were refused or killed (their process is
    gone, or they are a day old); one the committed store references is moved into place."""
    incoming = Path(attachments_dir) / INCOMING
    stats = {"removed": 0, "promoted": 0}
    if not incoming.is_dir():
        return stats
    now = time.time()
    for part in incoming.iterdir():
        m = _PART_RE.match(part.name)
        try:
            age = now - part.stat().st_mtime
        except FileNotFoundError:
            continue
        if m and _alive(int(m.group("pid"))) and age < STALE_SECONDS:
            continue  # an intake in progress
        sha = m.group("sha") if m else None
        try:
            if sha and referenced(sha) and _hash_of(part) == sha:
                target = attachment_path(Path(attachments_dir), sha)
                _promote(Staged(Attachment(sha, "", "", 0), part, target))
                stats["promoted"] += 1
            else:
                part.unlink(missing_ok=True)
                stats["removed"] += 1
        except OSError:
            log.exception("could not clean %s", part)
    if stats["removed"] or stats["promoted"]:
        log.warning("scans left by interrupted intakes: %(removed)s removed, %(promoted)s moved "
                    "into place", stats)
    return stats


def _hash_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def store_file(path: Path, attachments_dir: Path, max_bytes: int) -> Attachment:
    """Check and store a scan at once (no transaction to wait for: tools and tests)."""
    item = stage_file(path, attachments_dir, max_bytes)
    _promote(item)
    return item.attachment
