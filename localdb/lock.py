"""The store's process lock: every open `Store` holds it shared; `restore` and
`store encrypt` hold it exclusive.

Two lock files sit beside the store. An opener takes the *gate* shared for an instant and
the *main* lock shared for as long as it keeps the store open. An exclusive operation takes
the gate exclusive first (new openers now wait at the gate, so they cannot starve it), then
the main lock exclusive once every current holder has closed; if they do not close within
its patience it gives up and says so. While it works, intake in any other process waits.

POSIX: `flock` (per open file, so two opens in one process are two holders, like two
processes). Windows: `LockFileEx` on the same files.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from localdb.errors import StoreError
from localdb.files import FILE_MODE

POLL_S = 0.02

if sys.platform != "win32":  # (sys.platform, not os.name: mypy follows it)
    import fcntl

    def _try(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

else:  # pragma: no cover - Windows
    import ctypes
    import msvcrt
    from ctypes import wintypes

    class _OVERLAPPED(ctypes.Structure):
        _fields_ = [("Internal", ctypes.c_void_p), ("InternalHigh", ctypes.c_void_p),
                    ("Offset", wintypes.DWORD), ("OffsetHigh", wintypes.DWORD),
                    ("hEvent", wintypes.HANDLE)]

    _k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _LOCKFILE_FAIL_IMMEDIATELY, _LOCKFILE_EXCLUSIVE_LOCK = 0x1, 0x2

    def _try(fd: int, exclusive: bool) -> bool:
        flags = _LOCKFILE_FAIL_IMMEDIATELY | (_LOCKFILE_EXCLUSIVE_LOCK if exclusive else 0)
        ov = _OVERLAPPED()
        return bool(_k32.LockFileEx(wintypes.HANDLE(msvcrt.get_osfhandle(fd)), flags, 0, 1, 0,
                                    ctypes.byref(ov)))

    def _release(fd: int) -> None:
        ov = _OVERLAPPED()
        _k32.UnlockFileEx(wintypes.HANDLE(msvcrt.get_osfhandle(fd)), 0, 1, 0, ctypes.byref(ov))


def lock_paths(store_path: Path) -> tuple[Path, Path]:
    store_path = Path(store_path)
    return (store_path.with_name(store_path.name + ".gate"),
            store_path.with_name(store_path.name + ".lock"))


def _open(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), FILE_MODE)
    return fd


def _acquire(fd: int, exclusive: bool, deadline: float) -> bool:
    while True:
        if _try(fd, exclusive):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)


def _busy(path: Path) -> StoreError:
    return StoreError(
        f"Một thao tác khôi phục/mã hoá dữ liệu đang chạy trên {path}; hãy thử lại khi nó xong.",
        f"A restore or encryption of {path} is in progress; try again when it has finished.",
        code="store_locked")


def _in_use(path: Path) -> StoreError:
    return StoreError(
        f"Dữ liệu {path} đang được một chương trình khác mở (cửa sổ quầy, đồng bộ hoặc một "
        "lệnh khác). Hãy đóng chúng rồi thử lại.",
        f"The store {path} is open in another program (the counter window, sync or another "
        "command). Close them and try again.",
        code="store_in_use")


class StoreLock:
    """A held lock (shared or exclusive). `release()` when done (idempotent)."""

    def __init__(self, store_path: Path, fds: list[int], exclusive: bool):
        self.store_path = store_path
        self._fds = fds
        self.is_exclusive = exclusive  # (not `exclusive`: that name is the classmethod)

    @classmethod
    def shared(cls, store_path: str | os.PathLike[str], *, wait_s: float = 600.0) -> StoreLock:
        """Wait (at most `wait_s`) for any exclusive operation to finish, then hold shared."""
        store_path = Path(store_path)
        gate_path, main_path = lock_paths(store_path)
        deadline = time.monotonic() + wait_s
        gate = _open(gate_path)
        try:
            if not _acquire(gate, False, deadline):
                raise _busy(store_path)
            main = _open(main_path)
            if not _acquire(main, False, deadline):
                os.close(main)
                raise _busy(store_path)
        finally:
            os.close(gate)  # closing the descriptor releases the gate
        return cls(store_path, [main], False)

    @classmethod
    def exclusive(cls, store_path: str | os.PathLike[str], *, wait_s: float = 10.0) -> StoreLock:
        """Close the gate to new openers, then wait (at most `wait_s`) for current holders."""
        store_path = Path(store_path)
        gate_path, main_path = lock_paths(store_path)
        deadline = time.monotonic() + wait_s
        gate = _open(gate_path)
        if not _acquire(gate, True, deadline):
            os.close(gate)
            raise _busy(store_path)
        main = _open(main_path)
        if not _acquire(main, True, deadline):
            os.close(main)
            os.close(gate)
            raise _in_use(store_path)
        return cls(store_path, [main, gate], True)

    def release(self) -> None:
        fds, self._fds = self._fds, []
        for fd in fds:
            try:
                _release(fd)
            finally:
                os.close(fd)

    def __enter__(self) -> StoreLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lock must not outlive its owner object
        if self._fds:
            self.release()
