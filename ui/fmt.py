"""Vietnamese-style formatting of dates, times and money (Qt-free)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def _dt(value: str | datetime | date | None) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def date_vn(value: str | datetime | date | None) -> str:
    """dd/MM/yyyy."""
    d = _dt(value)
    return d.strftime("%d/%m/%Y") if d else ""


def datetime_vn(value: str | datetime | None) -> str:
    """HH:mm dd/MM/yyyy (Vietnam time as stored)."""
    d = _dt(value)
    if not isinstance(d, datetime):
        return date_vn(d)
    return d.strftime("%H:%M %d/%m/%Y")


def number_vn(n: int | float) -> str:
    """1.234.567 (dot as thousands separator)."""
    return f"{int(round(n)):,}".replace(",", ".")


def money(n: int | None, lang: str = "vi") -> str:
    if n is None:
        return ""
    return f"{number_vn(n)} đ" if lang != "en" else f"{int(n):,} VND"


def parse_money(text: str) -> int | None:
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits else None


def parse_date_vn(text: str) -> date | None:
    """dd/MM/yyyy (also d/M/yyyy, ddMMyyyy, yyyy-MM-dd) -> date; None if not a date."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d%m%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def today_vn() -> Any:
    """Today in Vietnam time as a QDate, as every stored time is (not the PC's time zone)."""
    from PySide6.QtCore import QDate

    from app.domain import now_vn

    d = now_vn().date()
    return QDate(d.year, d.month, d.day)
