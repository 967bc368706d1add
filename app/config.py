"""Layered configuration: what IT deploys, what a user sets, and where each value came from.

Layers, lowest first (one precedence, used by every command and the window):

  default < site < user < counter < env < cli

* default: built in (Settings / preferences);
* site: the file IT deploys (TOML);
* user: the per-user file;
* counter: what was recorded in THIS counter's store by `motcua init`, `motcua enrol`, the
  first-run wizard or the Settings screen (printer, layout, idle lock, language, gateway…).
  It beats the files because an administrator chose it at this counter; empty values are
  "not set" and let the files decide;
* env: MOTCUA_<KEY> variables; cli: command-line options.

Identity is the exception: once a counter is set up, its agency code and counter number come
from its store whatever any layer says (dossier codes would collide otherwise); a file or
variable that disagrees is shown as a warning by `config show`. Every value remembers its
layer and origin (file path, store, variable name or option), so `motcua config show` can
answer "why is the gateway this one?" on a PC nobody at the centre can explain. Counter
objects (`app.context.Counter.config`) give the effective configuration with the counter
layer; `load_config()` alone has every layer but that one.

Files (TOML, flat keys, see KEYS):
* site-wide: $MOTCUA_SITE_CONFIG, else /etc/motcua/motcua.toml on Linux (then the XDG site
  folder), %PROGRAMDATA%\\MotCua\\motcua.toml on Windows (platformdirs.site_config_dir);
* per-user: $MOTCUA_USER_CONFIG, else platformdirs.user_config_dir()/motcua.toml.

Decisions:
* An invalid value or unreadable file is an error naming the file and key (a counter must not
  run half-configured), and every error of every file is reported at once; an unknown key is only a warning (a newer site file must not stop an
  older install) and its value is never shown, it might be a secret.
* Paths in a file may use ~ and environment variables (%USERNAME% on Windows, $USER on Linux;
  an unset $USER/$USERNAME falls back to the account name, any other unset variable is an
  error); relative paths are relative to that file's folder.
* Values are checked as their consumers need them: gateway_url is https (plain http only on
  loopback, for the demo), lookup_url is https and contains {code}, ca_bundle must exist.
  Whether ca_bundle parses as certificates is the self-test's job, so `config show` and
  `diagnostics` still work when it does not.
* A file may keep its keys at the top level or in a [motcua] table (one file shared with
  other tools); other tables are left to their tools.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from app.errors import UserError
from app.settings import DATA_DIR_ENV, LANG_ENV, Settings, WorkingHours

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import contextlib

APP_NAME = "motcua"
SITE_APP_NAME = "MotCua"
CONFIG_FILE = "motcua.toml"
SITE_CONFIG_ENV = "MOTCUA_SITE_CONFIG"
USER_CONFIG_ENV = "MOTCUA_USER_CONFIG"
LOG_DIR_ENV = "MOTCUA_LOG_DIR"
ENV_PREFIX = "MOTCUA_"

LAYERS = ("default", "site", "user", "counter", "env", "cli")
LAYOUTS = ("a4", "a5", "roll80")
LANGUAGES = ("vi", "en")
REDACTED = "***"
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_SECRET_PARTS = {"password", "passwd", "pwd", "pass", "passphrase", "pin", "token", "secret",
                 "apikey", "key", "credential", "credentials", "auth", "authorization", "cookie",
                 "session", "sig", "signature"}


@dataclass(frozen=True)
class ConfigValue:
    """One effective value and where it came from (layer + file/variable/option)."""

    key: str
    value: Any
    source: str  # one of LAYERS
    origin: str  # file path, environment variable, command-line option, or "built-in"


@dataclass
class Config:
    values: dict[str, ConfigValue]
    files: dict[str, Path | None]  # layer -> file read (None: no file found)
    looked_for: dict[str, list[Path]]  # layer -> candidates tried, for `config show`
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (vi, en)

    def __getitem__(self, key: str) -> Any:
        return self.values[key].value

    def get(self, key: str, default: Any = None) -> Any:
        v = self.values.get(key)
        return default if v is None else v.value

    def source(self, key: str) -> str:
        return self.values[key].source

    @property
    def data_dir(self) -> Path:
        return Path(self["data_dir"])

    @property
    def log_dir(self) -> Path:
        return Path(self["log_dir"])

    @property
    def lang(self) -> str:
        return str(self["language"])

    def settings(self) -> Settings:
        """The Settings the services take; they carry this Config, so a Counter opened on them
        reads every other key through it (`Counter.config`)."""
        periods = tuple(tuple(p) for p in self["working_hours"])
        return Settings(data_dir=self.data_dir, lang=self.lang,
                        working_hours=WorkingHours(periods=periods),
                        store_encryption=str(self["store_encryption"]),
                        store_key_file=str(self["store_key_file"]), config=self)

    def with_counter(self, meta: Mapping[str, str | None], origin: str) -> Config:
        """This configuration with the counter layer: the values recorded in one counter's
        store (`meta` maps meta keys to values). Identity keys come from the store whatever
        the other layers say; the others only beat default/site/user."""
        values = dict(self.values)
        warnings = list(self.warnings)
        parsers = _parsers(None)
        for key, meta_key in STORE_META.items():
            raw = meta.get(meta_key)
            if key == "ca_bundle" and not raw:
                raw = meta.get(LEGACY_CA_META)
            if raw in (None, ""):
                continue
            try:
                value = parsers[key](raw, origin, key) if key != "ca_bundle" else str(raw)
            except UserError:
                warnings.append((f"Giá trị '{key}' lưu trong {origin} không hợp lệ, bỏ qua.",
                                 f"The value of '{key}' kept in {origin} is invalid; ignored."))
                continue
            current = values[key]
            if key in IDENTITY_KEYS:
                if current.source != "default" and current.value not in ("", 0) \
                        and current.value != value:
                    shown = f"{current.source}: {current.origin}"
                    warnings.append((
                        f"'{key}' = {current.value} ({shown}) bị bỏ qua: quầy này đã được khởi tạo "
                        f"với {value} (không đổi được, mã hồ sơ sẽ trùng).",
                        f"'{key}' = {current.value} ({shown}) is ignored: this counter is set up "
                        f"as {value} (it cannot change, dossier codes would collide)."))
                values[key] = ConfigValue(key, value, "counter", origin)
            elif current.source in ("default", "site", "user"):
                values[key] = ConfigValue(key, value, "counter", origin)
        files = dict(self.files)
        files["counter"] = Path(origin)
        return Config(values, files, self.looked_for, warnings)

    def preference(self, key: str, stored: str | None) -> str:
        """A per-counter preference: what was saved in the store at this counter beats the
        built-in default and the deployed files, but an environment variable or option wins
        (the counter layer, for one key)."""
        v = self.values[key]
        if stored not in (None, "") and v.source in ("default", "site", "user"):
            return str(stored)
        return _plain(v.value)

    def text(self, key: str) -> str:
        """The value as the store/preferences spell it ("10", "a4", "07:00-11:30, …")."""
        return _plain(self[key])

    def as_dict(self, *, redact: bool = True) -> dict[str, dict[str, Any]]:
        """key -> {value, source, origin}; secrets removed unless redact=False."""
        out = {}
        for key in KEYS:
            v = self.values[key]
            value = _jsonable(v.value)
            if redact:
                value = redact_value(key, value)
            out[key] = {"value": value, "source": v.source, "origin": v.origin}
        return out

    def report(self, lang: str = "vi") -> str:
        """Human-readable `config show` text (secrets removed)."""
        en = lang == "en"
        lines = []
        for layer in ("site", "user"):
            found = self.files.get(layer)
            name = {"site": ("Tệp cấu hình chung", "Site-wide file"),
                    "user": ("Tệp cấu hình người dùng", "Per-user file")}[layer][en]
            if found:
                lines.append(f"# {name}: {found}")
            else:
                tried = ", ".join(str(p) for p in self.looked_for.get(layer, []))
                lines.append(f"# {name}: " + ("(none; looked for " if en else "(không có; đã tìm ")
                             + tried + ")")
        if self.files.get("counter"):
            name = "Counter store" if en else "Kho dữ liệu của quầy"
            lines.append(f"# {name}: {self.files['counter']}")
        lines.append("# " + ("precedence: " if en else "thứ tự ưu tiên: ") + " < ".join(LAYERS))
        width = max(len(k) for k in KEYS)
        for key, row in self.as_dict().items():
            value = _plain(row["value"])
            where = row["source"] if row["source"] == "default" else f"{row['source']}: {row['origin']}"
            lines.append(f"{key:<{width}} = {value!s:<40} [{where}]")
        for vi, en_text in self.warnings:
            lines.append(("! " + en_text) if en else ("! " + vi))
        return "\n".join(lines)


# ----------------------------------------------------------------------------- validators


def _err(where: str, key: str, vi: str, en: str) -> UserError:
    return UserError(f"Cấu hình {where}, khoá '{key}': {vi}", f"Configuration {where}, key '{key}': {en}",
                     field=key, code="config_invalid")


def _text(value: Any, where: str, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _err(where, key, "phải là một chuỗi.", "must be a string.")
    return str(value).strip()


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _https(value: Any, where: str, key: str) -> tuple[str, Any]:
    text = _text(value, where, key)
    if not text:
        return "", None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("https", "http") or not host or " " in text:
        raise _err(where, key, f"'{redact_url(text)}' không phải địa chỉ https:// hợp lệ.",
                   f"'{redact_url(text)}' is not a valid https:// address.")
    if parts.scheme == "http" and not (key == "gateway_url" and _is_loopback(host)):
        raise _err(where, key, f"'{redact_url(text)}' dùng http:// không mã hoá; phải là https://.",
                   f"'{redact_url(text)}' uses unencrypted http://; it must be https://.")
    return text, parts


def _gateway_url(value: Any, where: str, key: str) -> str:
    """https://host[/path] (plain http only on loopback: the demo gateway), as sync needs it."""
    text, _ = _https(value, where, key)
    text = text.rstrip("/")
    return text[: -len("/api/v1")] if text.endswith("/api/v1") else text


def _lookup_url(value: Any, where: str, key: str) -> str:
    """The receipt QR template: https and a {code} placeholder for the dossier code."""
    text, _ = _https(value, where, key)
    if text and "{code}" not in text:
        raise _err(where, key, "phải chứa {code} (chỗ đặt mã hồ sơ), ví dụ …?ma_ho_so={code}.",
                   "must contain {code} (where the dossier code goes), e.g. …?ma_ho_so={code}.")
    return text


_VAR = re.compile(r"\$(\w+)|\$\{([^}]+)\}|%([^%/\\]+)%")
_ACCOUNT_VARS = ("USER", "USERNAME", "LOGNAME")


def _expand(text: str, where: str, key: str) -> str:
    """~ and $VAR / ${VAR} / %VAR%. $USER/%USERNAME% fall back to the account name when unset
    (services, `env -i`, some sudo setups); any other unset variable is an error."""
    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        if m.group(3) is not None and sys.platform != "win32" and name not in os.environ \
                and name.upper() not in _ACCOUNT_VARS:
            return m.group(0)  # a literal % in a POSIX path
        value = os.environ.get(name)
        if value is None and name.upper() in _ACCOUNT_VARS:
            import getpass

            try:
                value = getpass.getuser()
            except Exception:
                value = None
        if value is None:
            raise _err(where, key, f"biến môi trường {name} chưa được đặt.",
                       f"environment variable {name} is not set.")
        return value
    return _VAR.sub(sub, os.path.expanduser(text))  # noqa: PTH111 - a template, not a path yet


def _path(base: Path | None) -> Callable[[Any, str, str], str]:
    def parse(value: Any, where: str, key: str) -> str:
        text = _text(value, where, key)
        if not text:
            return ""
        p = Path(_expand(text, where, key))
        if not p.is_absolute() and base is not None:
            p = base / p
        return str(p)
    return parse


def _existing_file(base: Path | None) -> Callable[[Any, str, str], str]:
    """A path that must name an existing file (ca_bundle): missing is said as missing."""
    as_path = _path(base)

    def parse(value: Any, where: str, key: str) -> str:
        text = as_path(value, where, key)
        if text and not Path(text).is_file():
            what = "là một thư mục" if Path(text).is_dir() else "không tồn tại"
            what_en = "is a folder" if Path(text).is_dir() else "does not exist"
            raise _err(where, key, f"tệp {text} {what}.", f"file {text} {what_en}.")
        return text
    return parse


def _int(lo: int, hi: int) -> Callable[[Any, str, str], int]:
    def parse(value: Any, where: str, key: str) -> int:
        try:
            n = int(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            n = None
        if n is None or not lo <= n <= hi:
            raise _err(where, key, f"phải là số nguyên từ {lo} đến {hi}.",
                       f"must be a whole number from {lo} to {hi}.")
        return n
    return parse


def _choice(choices: tuple[str, ...]) -> Callable[[Any, str, str], str]:
    def parse(value: Any, where: str, key: str) -> str:
        text = _text(value, where, key).lower()
        if text not in choices:
            raise _err(where, key, f"'{text}' không hợp lệ (chọn: {', '.join(choices)}).",
                       f"'{text}' is not valid (one of: {', '.join(choices)}).")
        return text
    return parse


def _agency(value: Any, where: str, key: str) -> str:
    from app.dossier_code import validate_agency_code

    text = _text(value, where, key)
    if not text:
        return ""
    try:
        return validate_agency_code(text)
    except UserError as exc:
        raise _err(where, key, exc.vi, exc.en) from None


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def _hours(value: Any, where: str, key: str) -> tuple[tuple[str, str], ...]:
    """'07:00-11:30, 13:30-17:00', ["07:00-11:30", …] or [["07:00", "11:30"], …]."""
    bad = _err(where, key, "dạng đúng là \"07:00-11:30, 13:30-17:00\" (tăng dần, không chồng nhau).",
               "expected \"07:00-11:30, 13:30-17:00\" (ascending, not overlapping).")
    if isinstance(value, str):
        items: list[Any] = [s for s in re.split(r"[,;]", value) if s.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise bad
    periods = []
    for item in items:
        if isinstance(item, str):
            pair = [s.strip() for s in item.split("-")]
        elif isinstance(item, list | tuple):
            pair = [str(s).strip() for s in item]
        else:
            raise bad
        if len(pair) != 2 or not all(_HHMM.match(s) for s in pair):
            raise bad
        periods.append((pair[0], pair[1]))
    last = -1
    for start, end in periods:
        if not last < _minutes(start) < _minutes(end):
            raise bad
        last = _minutes(end)
    if not periods:
        raise bad
    return tuple(periods)


def _lenient_lang(value: Any, where: str, key: str) -> str:
    """MOTCUA_LANG kept its historical meaning: anything starting with 'en' is English."""
    return "en" if _text(value, where, key).lower().startswith("en") else "vi"


# ------------------------------------------------------------------------------ the keys


def _default_data_dir() -> str:
    """Linux: per user (~/.local/share/motcua). Windows: per machine,
    %PROGRAMDATA%\\MotCua\\data, which the installer gives to the "MotCua Clerks" group: every
    clerk's account on a shared counter PC works on the ONE store of that counter (a store per
    Windows account would let a second account set the same counter up again and issue
    colliding codes). Per user only by choice: data_dir = "%LOCALAPPDATA%\\motcua" in the site
    file."""
    import platformdirs

    if sys.platform == "win32":
        return str(Path(platformdirs.site_data_dir(SITE_APP_NAME, appauthor=False)) / "data")
    return str(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def _default_log_dir() -> str:
    import platformdirs

    return str(Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)))


def _default_lang() -> str:
    """Vietnamese unless the system locale is English (MOTCUA_LANG is the env layer)."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX", "C.UTF-8", "C.utf8"):
            return "en" if value.lower().startswith("en") else "vi"
    return "vi"


def _defaults() -> dict[str, Any]:
    from app import preferences as prefs

    return {
        "gateway_url": "",
        "ca_bundle": "",
        "agency_code": "",
        "counter": 0,  # 0: not set here (`motcua init` / the first-run wizard ask)
        "centre_name": "",
        "working_hours": WorkingHours().periods,
        "receipt_layout": prefs.DEFAULTS["receipt_layout"],
        "printer": prefs.DEFAULTS["printer"],
        "lookup_url": "",  # empty: app.receipts.DEFAULT_LOOKUP_URL
        "data_dir": _default_data_dir(),
        "log_dir": _default_log_dir(),
        "idle_lock_minutes": int(prefs.DEFAULTS["idle_lock_minutes"]),
        "language": _default_lang(),
        "store_encryption": "auto",  # app.storeops: auto | keyring | keyfile | off
        "store_key_file": "",
    }


def _parsers(base: Path | None) -> dict[str, Callable[[Any, str, str], Any]]:
    return {
        "gateway_url": _gateway_url,
        "ca_bundle": _existing_file(base),
        "agency_code": _agency,
        "counter": _int(0, 99),
        "centre_name": _text,
        "working_hours": _hours,
        "receipt_layout": _choice(LAYOUTS),
        "printer": _text,
        "lookup_url": _lookup_url,
        "data_dir": _path(base),
        "log_dir": _path(base),
        "idle_lock_minutes": _int(1, 240),
        "language": _choice(LANGUAGES),
        "store_encryption": _choice(("auto", "keyring", "keyfile", "off")),
        "store_key_file": _path(base),
    }


KEYS: tuple[str, ...] = ("gateway_url", "ca_bundle", "agency_code", "counter", "centre_name",
                         "working_hours", "receipt_layout", "printer", "lookup_url", "data_dir",
                         "log_dir", "idle_lock_minutes", "language", "store_encryption",
                         "store_key_file")
# Environment variables: MOTCUA_<KEY>, plus the historical names.
ENV_NAMES: dict[str, tuple[str, ...]] = {k: (ENV_PREFIX + k.upper(),) for k in KEYS}
ENV_NAMES["data_dir"] = (DATA_DIR_ENV,)
ENV_NAMES["log_dir"] = (LOG_DIR_ENV,)
ENV_NAMES["language"] = ("MOTCUA_LANGUAGE", LANG_ENV)
CLI_ALIASES = {"lang": "language", "data-dir": "data_dir", "log-dir": "log_dir"}
# The counter layer: config key -> the store's meta key (written by init, enrol, the wizard
# and the Settings screen).
STORE_META: dict[str, str] = {
    "agency_code": "agency_code", "counter": "counter_no", "centre_name": "centre_name",
    "gateway_url": "gateway_url", "ca_bundle": "gateway_ca_bundle",
    "receipt_layout": "pref.receipt_layout", "printer": "pref.printer",
    "idle_lock_minutes": "pref.idle_lock_minutes", "language": "pref.language",
    "lookup_url": "receipt.lookup_url",
}
LEGACY_CA_META = "gateway_ca"  # what the first-run wizard wrote before 0.3
IDENTITY_KEYS = ("agency_code", "counter")


# ------------------------------------------------------------------------------ files


def site_config_candidates() -> list[Path]:
    env = os.environ.get(SITE_CONFIG_ENV)
    if env:
        return [Path(env).expanduser()]
    import platformdirs

    out = []
    if sys.platform.startswith("linux"):
        out.append(Path("/etc/motcua") / CONFIG_FILE)
    out.append(Path(platformdirs.site_config_dir(SITE_APP_NAME if sys.platform == "win32" else APP_NAME,
                                                 appauthor=False)) / CONFIG_FILE)
    return out


def user_config_candidates() -> list[Path]:
    env = os.environ.get(USER_CONFIG_ENV)
    if env:
        return [Path(env).expanduser()]
    import platformdirs

    return [Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILE]


def read_file(path: Path) -> dict[str, Any]:
    """The TOML table of one file; a clear bilingual error naming the file otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"Không đọc được tệp cấu hình {path}: {exc.strerror or exc}.",
                        f"Cannot read the configuration file {path}: {exc.strerror or exc}.",
                        code="config_unreadable") from None
    try:
        text = raw.decode("utf-8-sig")  # Notepad on Windows may add a BOM
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise UserError(f"Tệp cấu hình {path} không phải UTF-8 (hãy lưu lại với mã UTF-8).",
                        f"The configuration file {path} is not UTF-8 (save it as UTF-8).",
                        code="config_invalid") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"Tệp cấu hình {path} sai cú pháp TOML: {exc}.",
                        f"The configuration file {path} is not valid TOML: {exc}.",
                        code="config_invalid") from None
    # An optional [motcua] table, so one file can serve several tools: its keys join the
    # top-level ones, and the other tables belong to the other tools.
    table = data.get("motcua")
    if isinstance(table, dict):
        top = {k: v for k, v in data.items() if not isinstance(v, dict)}
        clash = sorted(set(top) & set(table))
        if clash:
            raise UserError(f"Tệp cấu hình {path}: khoá {', '.join(clash)} có cả ở đầu tệp lẫn "
                            "trong [motcua].",
                            f"The configuration file {path}: key {', '.join(clash)} is both at the "
                            "top and in [motcua].", code="config_invalid")
        return {**top, **table}
    return data


def _first_existing(candidates: list[Path], explicit: bool) -> Path | None:
    for p in candidates:
        if p.is_file():
            return p
    if explicit and candidates:  # a path named by the variable must exist: a typo is an error
        raise UserError(f"Không tìm thấy tệp cấu hình {candidates[0]}.",
                        f"Configuration file {candidates[0]} not found.", code="config_unreadable")
    return None


# ----------------------------------------------------------------------------- loading


class ConfigErrors(UserError):
    """Every error of every configuration file and variable, one line each (all at once, so
    IT fixes a file in one round)."""

    def __init__(self, errors: list[UserError]):
        first = errors[0]
        super().__init__("\n".join(e.vi for e in errors), "\n".join(e.en for e in errors),
                         field=first.field, code=first.code)
        self.errors = errors


def load_config(cli_overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
    """The effective configuration. `cli_overrides` maps key (or option name, e.g. 'lang',
    'data-dir') to a value; None values are ignored (option not given). Raises ConfigErrors
    (a UserError) listing every problem found."""
    env = os.environ if environ is None else environ
    defaults = _defaults()
    values = {k: ConfigValue(k, defaults[k], "default", "built-in") for k in KEYS}
    warnings: list[tuple[str, str]] = []
    errors: list[UserError] = []
    files: dict[str, Path | None] = {}
    looked: dict[str, list[Path]] = {}

    def parse_into(layer: str, origin: str, where: str, key: str, raw: Any,
                   parse: Callable[[Any, str, str], Any]) -> None:
        try:
            values[key] = ConfigValue(key, parse(raw, where, key), layer, origin)
        except UserError as exc:
            errors.append(exc)

    for layer, candidates, var in (("site", site_config_candidates(), SITE_CONFIG_ENV),
                                   ("user", user_config_candidates(), USER_CONFIG_ENV)):
        looked[layer] = candidates
        # a site file named by IT must exist (a typo would silently drop the whole layer);
        # a per-user file named for a user may not have been written yet
        try:
            path = _first_existing(candidates, explicit=layer == "site" and bool(env.get(var)))
            data = read_file(path) if path is not None else {}
        except UserError as exc:
            errors.append(exc)
            files[layer] = None
            continue
        files[layer] = path
        if path is None:
            continue
        parsers = _parsers(path.parent)
        for key, raw in data.items():
            if key not in parsers:
                if isinstance(raw, dict):
                    warnings.append((f"Tệp {path}: bảng [{key}] không thuộc motcua, bỏ qua.",
                                     f"File {path}: table [{key}] is not motcua's; ignored."))
                else:
                    warnings.append((f"Tệp {path}: khoá '{key}' không được hỗ trợ, bỏ qua.",
                                     f"File {path}: unknown key '{key}' ignored."))
                continue
            parse_into(layer, str(path), str(path), key, raw, parsers[key])

    parsers = _parsers(Path.cwd())
    for key in KEYS:
        for var in reversed(ENV_NAMES[key]):  # the first name listed wins
            raw = env.get(var)
            if raw is None or raw == "":
                continue
            parse_into("env", var, f"${var}", key, raw,
                       _lenient_lang if var == LANG_ENV else parsers[key])

    for name, raw in (cli_overrides or {}).items():
        if raw is None:
            continue
        key = CLI_ALIASES.get(name, name).replace("-", "_")
        if key not in parsers:
            raise KeyError(name)
        option = "--" + ("lang" if key == "language" else key.replace("_", "-"))
        parse_into("cli", option, option, key, raw, parsers[key])

    if errors:
        raise ConfigErrors(errors)
    return Config(values, files, looked, warnings)


def default_config(cli_overrides: Mapping[str, Any] | None = None,
                   environ: Mapping[str, str] | None = None) -> Config:
    """Built-in defaults, plus whatever environment variables and options are valid: what the
    self-test and diagnostics fall back to when a configuration file cannot be used (they
    report that error and go on, still looking at the data folder they were pointed to)."""
    env = os.environ if environ is None else environ
    defaults = _defaults()
    values = {k: ConfigValue(k, defaults[k], "default", "built-in") for k in KEYS}
    parsers = _parsers(Path.cwd())
    for key in KEYS:
        for var in reversed(ENV_NAMES[key]):
            raw = env.get(var)
            if raw:
                try:
                    parse = _lenient_lang if var == LANG_ENV else parsers[key]
                    values[key] = ConfigValue(key, parse(raw, f"${var}", key), "env", var)
                except UserError:
                    pass
    for name, raw in (cli_overrides or {}).items():
        key = CLI_ALIASES.get(name, name).replace("-", "_")
        if raw is not None and key in parsers:
            try:
                values[key] = ConfigValue(key, parsers[key](raw, name, key), "cli", f"--{name}")
            except UserError as exc:  # the fallback keeps what parses; the error is shown elsewhere
                log.debug("fallback configuration skips --%s: %s", name, exc.en)
    return Config(values, {}, {})


def builtin_config(settings: Settings) -> Config:
    """For Settings built without a Config (tests, tools): the built-in defaults, with the
    settings' own data folder and language."""
    defaults = _defaults()
    values = {k: ConfigValue(k, defaults[k], "default", "built-in") for k in KEYS}
    values["data_dir"] = ConfigValue("data_dir", str(settings.data_dir), "default", "settings")
    values["language"] = ConfigValue("language", settings.lang, "default", "settings")
    values["working_hours"] = ConfigValue("working_hours", settings.working_hours.periods,
                                          "default", "settings")
    return Config(values, {}, {})


def store_meta(store_path: Path, settings: Settings | None = None) -> dict[str, str] | None:
    """The counter layer's values read from a store file WITHOUT opening it for writing (no
    migration, no lock): for `config show` and diagnostics. None when there is no store or it
    cannot be read (then the layer is simply absent). An encrypted store is read with this
    machine's key when `settings` say where it is."""
    from localdb.engine import DB_ERRORS, connect, file_kind

    if not Path(store_path).is_file():
        return None
    key = None
    if settings is not None and file_kind(store_path) == "encrypted":
        try:
            from app.storeops import read_key

            key = read_key(settings)
        except UserError:
            return None
    try:
        conn = connect(store_path, key, readonly=True, timeout=2)
        try:
            keys = {*STORE_META.values(), LEGACY_CA_META}
            rows = [r for r in conn.execute("SELECT key, value FROM meta") if r[0] in keys]
        finally:
            conn.close()
    except DB_ERRORS:
        return None
    return {str(k): str(v) for k, v in rows if v is not None}


def cli_overrides(args: Any) -> dict[str, Any]:
    """Overrides from the global options of `motcua` (argparse namespace). `lang_cli`, when
    the CLI keeps it, is the --lang actually typed (args.lang is already defaulted)."""
    lang = getattr(args, "lang_cli", None)
    if lang is None and not hasattr(args, "lang_cli"):
        from app.settings import default_lang

        given = getattr(args, "lang", None)
        lang = given if given and given != default_lang() else None
    return {"data_dir": getattr(args, "data_dir", None), "language": lang,
            "log_dir": getattr(args, "log_dir", None)}


def config_of(args: Any) -> Config:
    """The configuration of one `motcua` run, loaded once (its error, once, too)."""
    cached = getattr(args, "_config", None)
    if isinstance(cached, UserError):
        raise cached
    if cached is None:
        try:
            cached = load_config(cli_overrides(args))
        except UserError as exc:
            with _suppress():
                args._config = exc
            raise
        with _suppress():
            args._config = cached
    return cached


def _suppress() -> contextlib.suppress:
    import contextlib

    return contextlib.suppress(AttributeError, TypeError)


# ----------------------------------------------------------------------------- secrets


def is_secret_name(name: str) -> bool:
    """'gateway_token', 'user-pin', 'password' … but not 'mapping' or 'spinner'."""
    parts = [p for p in re.split(r"[^a-z0-9]+", name.lower()) if p]
    joined = "".join(parts)
    return any(p in _SECRET_PARTS for p in parts) or any(
        w in joined for w in ("password", "passwd", "secret", "token", "apikey", "credential"))


def redact_url(url: str) -> str:
    """Remove a password in user:pass@ and values of secret-looking query parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = (user.split(":", 1)[0] + ":" + REDACTED if ":" in user else user) + "@" + host
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, REDACTED if is_secret_name(k) else v) for k, v in pairs], safe="{}*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_value(key: str, value: Any) -> Any:
    if is_secret_name(key) and value not in ("", None, 0):
        return REDACTED
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return redact_url(value)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join("-".join(p) if isinstance(p, list | tuple) else str(p) for p in value)
    return str(value)
