"""Every failure as one line a clerk or IT can act on, in their language.

The command line's top-level handler (`app.cli.main`) and the window's start-up (ui/, via
`start_failure_message`) both describe an exception here: bilingual errors (UserError,
StoreError, SigningError…) keep their text; disk full, read-only, permission and SQLite errors
get a message that says what to do; anything else says where the details are (the log file).
Tracebacks never reach the user's screen unless they asked (-v); they always reach the log.

Also the output side of "one line": stdout/stderr are switched to UTF-8 with replacement
whatever the console or PYTHONIOENCODING says (a redirected `motcua list > f` on a Vietnamese
Windows would otherwise die with UnicodeEncodeError), and a closed pipe (`| head`) ends the
command quietly.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

EXIT_REFUSED = 2  # bad input, refused action (as documented in the README)
EXIT_ENVIRONMENT = 1  # the machine: disk full, permissions, read-only, unexpected errors
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `yes | head`
EXIT_NO_DISPLAY = 3
# StoreError codes of a broken or unusable store file (localdb.store._translate and the
# opening checks): exit 1 like any other trouble of the machine
_MACHINE_STORE_CODES = frozenset({"disk_full", "corrupt", "busy", "cannot_open", "sqlite"})


def utf8_streams() -> None:
    """stdout/stderr in UTF-8 with replacement, whatever the console or PYTHONIOENCODING."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(encoding="utf-8", errors="replace")
        except (ValueError, OSError, TypeError):  # already written to / not reconfigurable
            with contextlib.suppress(ValueError, OSError, TypeError):
                reconfigure(errors="replace")


def quiet_broken_pipe() -> int:
    """After EPIPE on stdout: point stdout at devnull so the interpreter's final flush does
    not print "Exception ignored … BrokenPipeError", and return the exit code."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    return EXIT_BROKEN_PIPE


def is_broken_pipe(exc: BaseException) -> bool:
    return isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE)


def _path_of(exc: BaseException) -> str:
    name = getattr(exc, "filename", None)
    return f" ({name})" if name else ""


def _disk_full_at(folder: str | Path | None) -> bool:
    """SQLite says "disk I/O error" when its WAL cannot grow on a full disk: look."""
    if not folder:
        return False
    import shutil

    probe = Path(folder)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free < 256 * 1024
    except OSError:
        return False


def describe(exc: BaseException, lang: str = "vi", *, log_file: str | Path | None = None,
             data_dir: str | Path | None = None) -> tuple[str, int]:
    """(one line in `lang`, exit code) for any exception. `data_dir`, when known, lets an
    I/O error be told apart from a full disk."""
    en = lang == "en"
    text = f"{exc} {exc.__cause__ or ''}".lower()
    if ("i/o" in text or "full" in text or isinstance(exc, OSError)) and _disk_full_at(data_dir):
        return (f"The disk holding {data_dir} is full; nothing was saved. Free some space and "
                "retry; existing data is safe." if en else f"Ổ đĩa chứa {data_dir} đã đầy; chưa "
                "lưu gì. Hãy giải phóng dung lượng rồi thử lại; dữ liệu cũ vẫn an toàn."), \
            EXIT_ENVIRONMENT
    from app.errors import is_user_facing, message_of

    if is_user_facing(exc):
        from localdb.errors import StoreError

        # SQLite's own failures (localdb.store translates them) are the machine, not the input
        machine = isinstance(exc, StoreError) and exc.code in _MACHINE_STORE_CODES
        return message_of(exc, lang), int(getattr(
            exc, "exit_code", EXIT_ENVIRONMENT if machine else EXIT_REFUSED))
    if isinstance(exc, OSError):
        where = _path_of(exc)
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return (f"The disk is full{where}; nothing was saved. Free some space and retry."
                    if en else f"Ổ đĩa đã đầy{where}; chưa lưu gì. Hãy giải phóng dung lượng rồi "
                    "thử lại."), EXIT_ENVIRONMENT
        if exc.errno == errno.EROFS:
            return (f"The disk is read-only{where}; nothing was saved. Ask IT to check the "
                    "drive." if en else f"Ổ đĩa chỉ cho đọc{where}; chưa lưu gì. Hãy báo bộ phận "
                    "CNTT kiểm tra ổ đĩa."), EXIT_ENVIRONMENT
        if exc.errno in (errno.EACCES, errno.EPERM):
            return (f"Permission denied{where}: this account may not write there. Ask IT to "
                    "check the folder's permissions." if en else f"Không có quyền truy cập{where}:"
                    " tài khoản này không được ghi vào đó. Hãy báo bộ phận CNTT kiểm tra quyền "
                    "của thư mục."), EXIT_ENVIRONMENT
        if exc.errno == errno.ENOENT:
            return (f"File or folder not found{where}." if en else
                    f"Không tìm thấy tệp hoặc thư mục{where}."), EXIT_REFUSED
        if exc.errno == errno.EIO:
            return (f"The disk reported an input/output error{where}. Ask IT to check the drive."
                    if en else f"Ổ đĩa báo lỗi đọc/ghi{where}. Hãy báo bộ phận CNTT kiểm tra ổ "
                    "đĩa."), EXIT_ENVIRONMENT
    import sqlite3

    try:  # plain SQLite or SQLCipher (an encrypted store)
        from localdb.engine import DB_ERRORS
    except ImportError:
        DB_ERRORS = (sqlite3.Error,)
    if isinstance(exc, DB_ERRORS):
        return _sqlite(exc, en), EXIT_ENVIRONMENT
    if isinstance(exc, MemoryError):
        return ("Out of memory; close other programs and retry." if en else
                "Hết bộ nhớ; hãy đóng bớt chương trình khác rồi thử lại."), EXIT_ENVIRONMENT
    detail = f"{type(exc).__name__}"
    where = f" {log_file}" if log_file else ""
    return (f"Unexpected error ({detail}); nothing more was done. Details for IT are in the "
            f"log{where}." if en else f"Lỗi không lường trước ({detail}); chương trình dừng lại. "
            f"Chi tiết cho bộ phận CNTT có trong nhật ký{where}."), EXIT_ENVIRONMENT


def _sqlite(exc: BaseException, en: bool) -> str:
    text = str(exc).lower()
    if "full" in text:
        return ("The disk is full; nothing was saved. Free some space and retry; existing data "
                "is safe." if en else "Ổ đĩa đã đầy, không lưu được. Hãy giải phóng dung lượng "
                "rồi thử lại; dữ liệu cũ vẫn an toàn.")
    if "readonly" in text or "read-only" in text:
        return ("The data file is read-only for this account; nothing was saved. Ask IT to make "
                "the data folder and its motcua.sqlite3, -wal and -shm files writable "
                "(motcua --self-test names the culprit)." if en else
                "Tệp dữ liệu chỉ cho đọc với tài khoản này; chưa lưu gì. Hãy báo bộ phận CNTT cấp "
                "quyền ghi cho thư mục dữ liệu và các tệp motcua.sqlite3, -wal, -shm "
                "(motcua --self-test chỉ ra tệp nào).")
    if "unable to open" in text:
        return ("Cannot open the data file (permissions or path); nothing was changed. Ask IT "
                "to run motcua --self-test." if en else "Không mở được tệp dữ liệu (quyền truy "
                "cập hoặc đường dẫn); không có gì thay đổi. Hãy báo bộ phận CNTT chạy motcua "
                "--self-test.")
    if "locked" in text or "busy" in text:
        return ("The store is busy (another program is writing). Try again in a moment." if en
                else "Dữ liệu đang bận (một chương trình khác đang ghi). Hãy thử lại sau giây lát.")
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return ("The data file is corrupt. Ask IT to restore it from a backup (motcua restore)."
                if en else "Tệp dữ liệu bị hỏng. Hãy báo bộ phận CNTT khôi phục từ bản sao lưu "
                "(motcua restore).")
    if "disk i/o" in text:
        return ("The disk reported an input/output error while saving; nothing was saved. Ask "
                "IT to check the drive." if en else "Ổ đĩa báo lỗi đọc/ghi khi lưu; chưa lưu gì. "
                "Hãy báo bộ phận CNTT kiểm tra ổ đĩa.")
    return (f"Database error ({type(exc).__name__}); nothing was saved. Ask IT to run motcua "
            "check." if en else f"Lỗi cơ sở dữ liệu ({type(exc).__name__}); chưa lưu gì. Hãy báo "
            "bộ phận CNTT chạy motcua check.")


def no_display_message(lang: str = "vi") -> str | None:
    """One line when the window cannot open here (Linux without X11/Wayland and no Qt platform
    chosen), else None. Checked BEFORE Qt starts: Qt would abort the process (rc 134)."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform and platform not in ("xcb", "wayland", "wayland-egl"):
        return None  # offscreen, minimal, vnc, eglfs, linuxfb…: Qt needs no display server
    if platform in ("", "xcb") and os.environ.get("DISPLAY"):
        return None
    if platform in ("", "wayland", "wayland-egl") and os.environ.get("WAYLAND_DISPLAY"):
        return None
    if lang == "en":
        return ("No display: the counter window needs a graphical session (X11 or Wayland). "
                "Use the commands instead (motcua --help), or set DISPLAY.")
    return ("Không có màn hình: cửa sổ quầy cần một phiên đồ hoạ (X11 hoặc Wayland). Hãy dùng "
            "các lệnh (motcua --help) hoặc đặt biến DISPLAY.")


def start_failure_message(exc: BaseException, lang: str = "vi",
                          data_dir: str | Path | None = None) -> str:
    """The one line the window's start-up failure box shows (ui/ calls this)."""
    from app.logs import current_log_file

    return describe(exc, lang, log_file=current_log_file(), data_dir=data_dir)[0]


def utf8_locale() -> None:
    """Give Qt a UTF-8 locale before it starts, so it does not print its 4-line "Detected locale
    "C" … not UTF-8" warning (LANG unset, services, the bundle's bootloader)."""
    if sys.platform == "win32":
        return
    import locale

    try:
        codeset = locale.nl_langinfo(locale.CODESET)
    except (AttributeError, ValueError):
        codeset = ""
    if codeset.upper().replace("-", "") == "UTF8":
        return
    for name in ("C.UTF-8", "C.utf8", "en_US.UTF-8"):
        try:
            locale.setlocale(locale.LC_CTYPE, name)
        except locale.Error:
            continue
        os.environ["LC_CTYPE"] = name
        if os.environ.get("LC_ALL") and "UTF" not in os.environ["LC_ALL"].upper():
            os.environ["LC_ALL"] = name
        return
