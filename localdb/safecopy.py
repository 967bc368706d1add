"""Copies that are either complete or absent: the pre-upgrade copy of the store.

A copy is written under a temporary name in the target folder, flushed to disk (fsync of the
file, then of the folder after the rename), and only then renamed to its final name, after
checking that the folder's disk has room for it. A full disk, an unwritable folder or a crash
therefore never leaves a 0-byte or half-written file named like a valid backup; the caller gets
a StoreError that says what to do, and nothing has been changed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from localdb.errors import StoreError
from localdb.files import fsync_dir

MARGIN_BYTES = 1024 * 1024  # journal pages, metadata: never fill a disk to its last byte
TMP_PREFIX = ".partial-"


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def folder_error(folder: Path, exc: OSError) -> StoreError:
    why = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return no_space(folder, None, None)
    return StoreError(
        f"Không ghi được bản sao trước khi nâng cấp vào thư mục {folder} ({why}). Dữ liệu chưa bị "
        "thay đổi. Hãy cấp quyền ghi cho thư mục backups trong thư mục dữ liệu (hoặc báo bộ phận "
        "CNTT) rồi mở lại.",
        f"Cannot write the pre-upgrade copy into {folder} ({why}). Nothing was changed. Make the "
        "backups folder inside the data folder writable (or ask IT), then open again.",
        code="upgrade_backup_unwritable")


def no_space(folder: Path, free: int | None, needed: int | None) -> StoreError:
    amounts_vi = f" (còn {_mb(free)}, cần khoảng {_mb(needed)})" if free is not None and needed is not None else ""
    amounts_en = f" ({_mb(free)} free, about {_mb(needed)} needed)" if free is not None and needed is not None else ""
    return StoreError(
        f"Ổ đĩa chứa {folder} không đủ chỗ cho bản sao trước khi nâng cấp{amounts_vi}. Dữ liệu "
        "chưa bị thay đổi. Hãy giải phóng dung lượng rồi mở lại.",
        f"The disk holding {folder} has no room for the pre-upgrade copy{amounts_en}. Nothing "
        "was changed. Free some space, then open again.",
        code="upgrade_backup_no_space")


def write_copy(target: Path, fill: Callable[[Path], None], *, needed_bytes: int) -> Path:
    """Create `target` through `fill(tmp)` (which writes the whole file at `tmp`): free-space
    check, temporary name, fsync, rename, fsync of the folder. Returns `target`."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise folder_error(folder, exc) from exc
    needed = int(needed_bytes) + MARGIN_BYTES
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        raise folder_error(folder, exc) from exc
    if free < needed:
        raise no_space(folder, free, needed)
    tmp = folder / f"{TMP_PREFIX}{target.name}"
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # a partial copy from an earlier crash
        fill(tmp)
        with Path(tmp).open("rb+") as f:
            os.fsync(f.fileno())
        Path(tmp).replace(target)
        fsync_dir(folder)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise folder_error(folder, exc) from exc
        text = str(exc).lower()
        if "full" in text or "disk i/o" in text:
            free_now: int | None
            try:
                free_now = shutil.disk_usage(folder).free
            except OSError:
                free_now = None
            raise no_space(folder, free_now, needed if free_now is not None else None) from exc
        if "unable to open" in text or "readonly" in text:
            raise folder_error(folder, PermissionError(errno.EACCES, os.strerror(errno.EACCES))) \
                from exc
        raise
    return target
