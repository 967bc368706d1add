"""Files that hold citizens' data are the owner's alone: folders 0700, files 0600.

On Windows the POSIX bits mean little; the data folder lives under the user's profile
(`%LOCALAPPDATA%`), whose ACL already grants only the user, SYSTEM and Administrators
(README, "Private at rest"). These helpers are no-ops there beyond creating the path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create `path` (and missing parents) owner-only; tighten it if it is group/world-open."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten(path)
    return path


def tighten(path: str | os.PathLike[str]) -> None:
    """Remove group/other permission bits from a file or folder we own (POSIX only)."""
    if os.name != "posix":
        return
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        return
    if st.st_uid != os.getuid():
        return
    if stat.S_IMODE(st.st_mode) & 0o077:
        Path(path).chmod(stat.S_IMODE(st.st_mode) & ~0o077)


def create_private(path: str | os.PathLike[str], *, exclusive: bool = True) -> int:
    """Open a new file for writing with mode 0600 from the start (no window at 0644)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, FILE_MODE)
    tighten(path)
    return fd


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Make a rename in `path` durable (POSIX; Windows has no directory handles for this)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike[str], data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data`: private temp file, rename (never a half-written file);
    `durable`: fsync the file before and the folder after the rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = create_private(tmp, exclusive=False)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    Path(tmp).replace(path)
    if durable:
        fsync_dir(path.parent)
