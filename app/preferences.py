"""Per-counter preferences (printer, receipt layout, idle lock, language…).

Those that are also configuration keys (printer, receipt_layout, idle_lock_minutes, language)
are read through the counter's effective configuration (app/config.py: default < site < user <
counter < env < cli), where what is saved here is the "counter" layer; the others
(receipt_copies, print_after_save) live only in the store.
"""

from __future__ import annotations

from typing import Any

from app.context import Counter
from app.errors import UserError

DEFAULTS: dict[str, str] = {
    "printer": "",  # empty: the system default printer
    "receipt_layout": "a4",  # a4 | a5 | roll80
    "receipt_copies": "2",  # Liên 1 (kept) + Liên 2 (citizen)
    "idle_lock_minutes": "10",
    "language": "vi",
    "print_after_save": "1",
}
CHOICES = {"receipt_layout": ("a4", "a5", "roll80"), "language": ("vi", "en"),
           "print_after_save": ("0", "1")}


CONFIGURED = ("printer", "receipt_layout", "idle_lock_minutes", "language")


def get(counter: Counter, key: str, *, config: Any = None) -> str:
    if key not in DEFAULTS:
        raise KeyError(key)
    if key in CONFIGURED:
        return str((config or counter.config).text(key))
    return counter.store.get_meta(f"pref.{key}", DEFAULTS[key]) or DEFAULTS[key]


def all_prefs(counter: Counter) -> dict[str, str]:
    config = counter.config
    return {k: get(counter, k, config=config) for k in DEFAULTS}


def set_pref(counter: Counter, key: str, value: str) -> None:
    if key not in DEFAULTS:
        raise UserError(f"Không có tuỳ chọn '{key}'.", f"No preference '{key}'.", field=key)
    if key in CHOICES and value not in CHOICES[key]:
        raise UserError(f"Giá trị '{value}' không hợp lệ cho {key}.",
                        f"Invalid value '{value}' for {key}.", field=key)
    if key in ("idle_lock_minutes", "receipt_copies") and not (value.isdigit() and 0 < int(value) <= 240):
        raise UserError(f"{key} phải là số dương.", f"{key} must be a positive number.", field=key)
    counter.store.set_meta(f"pref.{key}", value)


# ------------------------------------------------------------------ per clerk
# What the window remembers for each clerk on this counter. Never a secret: the .p12 path or
# the token's module and label, not its password or PIN.
USER_DEFAULTS: dict[str, str] = {
    "language": "",  # empty: the counter's language
    "key_kind": "",  # p12 | token
    "p12_path": "",
    "token_module": "",
    "token_label": "",
    "key_label": "",
    "geometry": "",  # the window's saved geometry (hex), per clerk
    "font_size": "",  # points; empty: the system's size
    "favourites": "",  # procedure codes for Alt+1…9, comma-separated
}
USER_CHOICES = {"language": ("", "vi", "en"), "key_kind": ("", "p12", "token")}


def _user_key(username: str, key: str) -> str:
    if key not in USER_DEFAULTS:
        raise KeyError(key)
    return f"user.{username}.{key}"


def user_prefs(counter: Counter, username: str) -> dict[str, str]:
    return {k: counter.store.get_meta(_user_key(username, k), v) or v
            for k, v in USER_DEFAULTS.items()}


def set_user_pref(counter: Counter, username: str, key: str, value: str) -> None:
    if key not in USER_DEFAULTS:
        raise UserError(f"Không có tuỳ chọn '{key}'.", f"No preference '{key}'.", field=key)
    if key in USER_CHOICES and value not in USER_CHOICES[key]:
        raise UserError(f"Giá trị '{value}' không hợp lệ cho {key}.",
                        f"Invalid value '{value}' for {key}.", field=key)
    if key == "font_size" and value and not (value.isdigit() and 6 <= int(value) <= 32):
        raise UserError("Cỡ chữ phải từ 6 đến 32.", "The font size must be 6 to 32.", field=key)
    if len(value) > 4000:
        raise UserError("Giá trị quá dài.", "The value is too long.", field=key)
    counter.store.set_meta(_user_key(username, key), value)
