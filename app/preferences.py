"""Per-counter preferences (printer, receipt layout, idle lock, language…).

Those that are also configuration keys (printer, receipt_layout, idle_lock_minutes, language)
are read through the counter's effective configuration (app/config.py: default < site < user <
counter < env < cli), where what is saved here is the "counter" layer; the others
(receipt_copies, print_after_save) live only in the store.
"""

from __future__ import annotations

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


def get(counter: Counter, key: str, *, config=None) -> str:  # noqa: ANN001
    if key not in DEFAULTS:
        raise KeyError(key)
    if key in CONFIGURED:
        return (config or counter.config).text(key)
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
