"""Log files IT can read and send to support without leaking citizens' data.

Rotating files (`motcua.log`, 5 × 2 MB) in the platform log folder (platformdirs
user_log_dir; config key `log_dir` / $MOTCUA_LOG_DIR override it). Every record passes a
redaction filter on the *handler*, so records from any library logger are covered too:
12-digit citizen ID numbers, phone numbers, e-mail addresses, Vietnamese personal names
(a common family name followed by capitalised words, or the value of a name-like key) and values
that look like passwords, PINs, tokens or keys are replaced; the message of a refused-input
error (UserError, which may quote what was typed: an e-mail, a date of birth) is logged as its
code and field only; dossier codes (`000.20.27.H57-261123-010001`), UUIDs and dates are kept because
support needs them to find a dossier.

Logging must never stop the counter: an unwritable log folder falls back to stderr.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path
from typing import Any

LOG_FILE = "motcua.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"
MASK_ID = "[CCCD]"
MASK_SECRET = "***"  # noqa: S105 - the mask written over secrets
MASK_PHONE = "[SĐT]"
MASK_EMAIL = "[EMAIL]"
MASK_NAME = "[TÊN]"
_MARK = "_motcua_handler"
_CURRENT: dict[str, Path | None] = {"file": None}

# A 12-digit run that is not part of a longer number, a UUID group or a dash-joined code.
# Also the printed grouping "079 190 000 123".
_CITIZEN_ID = re.compile(r"(?<![\d\-])(?:\d{12}|\d{3} \d{3} \d{3} \d{3}|\d{4} \d{4} \d{4})(?![\d\-])")
_SECRET_WORDS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credential",
                 "matkhau", "mật khẩu", "mat khau")
_SECRET_PARTS = {"pwd", "pass", "pin", "key", "auth", "authorization", "cookie", "otp", "sopin"}
# key=value, key: value, "key": "value", key => value (the key is checked in _secret_key)
_KEY_VALUE = re.compile(
    r"""(?P<key>\b(?:mật khẩu|mat khau)|["']?[\w.\-]{1,40}["']?)(?P<sep>\s*(?:=>|[:=])\s*)"""
    r"""(?P<val>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|b'[^']*'|[^\s,;&)}\]]+)""",
    re.IGNORECASE,
)
_QUERY = re.compile(r"(?P<key>[?&][^=&\s#]{1,40})=(?P<val>[^&\s#]*)")
_BEARER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=\-]{6,}")
_URL_USERINFO = re.compile(r"(?P<pre>\b[a-z][a-z0-9+.\-]*://[^\s/:@]+):[^\s/@]+@", re.IGNORECASE)
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S)


# Vietnamese phone numbers: 0XXXXXXXXX (10 digits; 9-11 accepted: landlines, old IDs in a QR),
# +84 / 84 forms, with spaces, dots or dashes between groups; never inside a longer number,
# a dash-joined code (dossier codes, UUIDs) or a decimal.
_PHONE = re.compile(r"(?<![\w\-.+])(?:\+84|84|0)(?:[ .\-]?\d){8,10}(?![\w\-]|\.\d)")
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_UPPER = "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬBCDĐEÈÉẺẼẸÊỀẾỂỄỆFGHIÌÍỈĨỊJKLMNOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢPQRSTUÙÚỦŨỤƯỪỨỬỮỰVWXYỲÝỶỸỴZ"
# The family names of most Vietnamese (with and without diacritics): a capitalised one followed
# by 1-5 capitalised words is taken for a person's name.
_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Đoàn", "Lâm", "Trương", "Mai", "Cao", "Lưu", "Đào", "Tạ", "Hà", "Tô", "Châu", "Quách", "Lương", "Thái", "Kiều", "Trịnh", "Mạc", "Tăng", "Lại", "Triệu", "Phùng", "Từ", "Vương", "Khúc", "Tôn", "Chu", "Đàm", "Giang", "Hứa", "Lục", "Mẫn", "Nông", "Thân", "Tống", "Văn", "Viên", "Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Vu", "Vo", "Dang", "Bui", "Do", "Ho", "Ngo", "Duong", "Ly", "Dinh", "Doan", "Lam", "Truong", "Luu", "Dao", "Ta", "Ha", "To", "Chau", "Quach", "Luong", "Thai", "Kieu", "Trinh", "Mac", "Tang", "Lai", "Trieu", "Phung", "Vuong", "Khuc", "Ton", "Dam", "Hua", "Luc", "Man", "Nong", "Than", "Tong", "Van", "Vien"]
_NAME = re.compile(
    r"(?<![\w])(?:" + "|".join(sorted({w for n in _SURNAMES for w in (n, n.upper())}, key=len,
                                     reverse=True))
    + r")(?:[ \t]+[" + _UPPER + r"][^\W\d_]*){1,5}(?![\w])")
# key=value / "key": "value" whose key names a person: the whole value goes
_NAME_KEYS = ("full_name", "fullname", "display_name", "applicant_name", "ho_ten", "hoten",
              "họ tên", "ho ten", "name")
_NAME_VALUE = re.compile(
    r"""(?P<key>["']?\b(?:""" + "|".join(re.escape(k) for k in _NAME_KEYS)
    + r""")\b["']?)(?P<sep>\s*[:=]\s*)(?P<val>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,;&)}\]\n]+)""",
    re.IGNORECASE)


def _mask_name_value(m: re.Match[str]) -> str:
    val = m.group("val")
    quote = val[0] if val[:1] in ("'", '"') else ""
    return f"{m.group('key')}{m.group('sep')}{quote}{MASK_NAME}{quote}"


def _secret_key(key: str) -> bool:
    k = key.strip().strip("\"'").strip().lower()
    parts = [p for p in re.split(r"[^0-9a-zà-ỹđ]+", k) if p]
    joined = "".join(parts)
    if any(w.replace(" ", "") in joined for w in _SECRET_WORDS):
        return True
    # only the last word decides for short parts: "user pin" yes, "pin count" no
    return bool(parts) and parts[-1] in _SECRET_PARTS


def _mask_pair(m: re.Match[str]) -> str:
    if not _secret_key(m.group("key")):
        return m.group(0)
    val = m.group("val")
    quote = val[0] if val[:1] in ("'", '"') else ""
    return f"{m.group('key')}{m.group('sep')}{quote}{MASK_SECRET}{quote}"


def redact(text: str) -> str:
    """Remove citizen ID numbers and secret values from one log text."""
    if not text:
        return text
    text = _PEM.sub("[PRIVATE KEY]", text)
    text = _URL_USERINFO.sub(lambda m: f"{m.group('pre')}:{MASK_SECRET}@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK_SECRET}", text)
    text = _QUERY.sub(lambda m: f"{m.group('key')}={MASK_SECRET}"
                      if _secret_key(m.group("key")[1:]) else m.group(0), text)
    text = _KEY_VALUE.sub(_mask_pair, text)
    text = _NAME_VALUE.sub(_mask_name_value, text)
    text = _EMAIL.sub(MASK_EMAIL, text)
    text = _CITIZEN_ID.sub(MASK_ID, text)
    text = _PHONE.sub(MASK_PHONE, text)
    return _NAME.sub(MASK_NAME, text)


def _without_value(exc: object) -> str:
    """A refused-input error as code and field only: its message may quote the value typed."""
    fields = [getattr(e, "field", None) for e in getattr(exc, "errors", [exc])]
    codes = [getattr(e, "code", None) for e in getattr(exc, "errors", [exc])]
    return (f"{type(exc).__name__}(code={','.join(str(c) for c in codes)}, "
            f"field={','.join(str(f) for f in fields)})")


def _is_input_error(obj: object) -> bool:
    """app.errors.UserError and friends (duck-typed: logs must not import the domain)."""
    return isinstance(obj, BaseException) and hasattr(obj, "field") and hasattr(obj, "vi")


class _WarningsOnly(logging.Filter):
    """stderr without -v: warnings only (errors and tracebacks are the log file's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.ERROR


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message (and traceback) through `redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:  # refused-input errors passed as arguments: code and field only
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            if any(_is_input_error(a) for a in args):
                cleaned = tuple(_without_value(a) if _is_input_error(a) else a for a in args)
                if isinstance(record.args, tuple):  # (a mapping is never an input error)
                    record.args = cleaned
        exc = record.exc_info[1] if record.exc_info else None
        if record.exc_info and exc is not None and _is_input_error(exc):  # even if formatted
            import traceback

            lines = traceback.format_tb(record.exc_info[2])
            record.exc_text = "Traceback (most recent call last):\n" + "".join(lines) + \
                _without_value(exc)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def default_log_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("motcua", appauthor=False))


def setup_logging(log_dir: str | Path | None = None, *, verbose: bool = False,
                  level: int = logging.INFO) -> Path | None:
    """Install the rotating file handler (and stderr: everything with -v; warnings when the
    file cannot be written).

    Idempotent: handlers installed by an earlier call are replaced. Returns the log file, or
    None when the folder could not be written (then only stderr logs)."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, _MARK, False):
            root.removeHandler(h)
            h.close()
    root.setLevel(min(level, logging.INFO if verbose else level))
    redactor = RedactingFilter()
    formatter = logging.Formatter(FORMAT)

    def add_stderr() -> None:
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setLevel(logging.INFO if verbose else logging.WARNING)
        if not verbose:  # errors reach the user as one line from the top-level handler; the
            stderr.addFilter(_WarningsOnly())  # record and its traceback go to the file
        stderr.addFilter(redactor)
        stderr.setFormatter(formatter)
        setattr(stderr, _MARK, True)
        root.addHandler(stderr)

    # stderr is the clerk's terminal: without -v it carries only the one-line messages the
    # commands print in the clerk's language, never English log records (they go to the file);
    # with -v, or when the log file cannot be written, the log goes there too.
    if verbose:
        add_stderr()

    folder = Path(log_dir) if log_dir else default_log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8",
            delay=True)
        # delay=True opens on first record: prove now that the file can be written
        handler.acquire()
        try:
            handler.stream = handler._open()
        finally:
            handler.release()
    except OSError as exc:
        _CURRENT["file"] = None
        if not verbose:
            add_stderr()
        logging.getLogger(__name__).warning(
            "cannot write logs to %s (%s); logging to stderr only", folder, exc)
        return None
    handler.setLevel(level)
    handler.addFilter(redactor)
    handler.setFormatter(formatter)
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    _CURRENT["file"] = folder / LOG_FILE
    return folder / LOG_FILE


def current_log_file() -> Path | None:
    """The file the running process logs to (None: stderr only / not set up)."""
    return _CURRENT["file"]


def setup_from_config(config: Any = None, *, verbose: bool = False) -> Path | None:
    """Logging from the effective configuration; a broken configuration still gets logs in
    the default folder (the error itself is reported by the command)."""
    log_dir = None
    try:
        if config is None:
            from app.config import load_config

            config = load_config()
        log_dir = config.log_dir
    except Exception:
        log_dir = None
    return setup_logging(log_dir, verbose=verbose)


def log_files(log_dir: str | Path | None = None) -> list[Path]:
    """Current and rotated log files, newest first."""
    folder = Path(log_dir) if log_dir else default_log_dir()
    if not folder.is_dir():
        return []
    files = [p for p in folder.glob(LOG_FILE + "*") if p.is_file()]
    return sorted(files, key=lambda p: (p.name != LOG_FILE, p.name))
