"""Dossier codes: `<agency identifier code>-<YYMMDD>-<sequence>`, made offline, never colliding.

Sequence = 2-digit counter number + 4-digit per-counter daily number, e.g. counter 1's third
dossier of 23/11/2026 at agency 000.20.27.H57 is `000.20.27.H57-261123-010003`.
- Between centres: the agency identifier code is unique nationally.
- Between counters of one centre: the counter number is unique per agency (the gateway refuses
  to enrol a second active counter with the same number) and it is part of the code.
- Within a counter: the daily number comes from a sequence row incremented in the same
  transaction that inserts the dossier, so concurrent processes serialise on SQLite's write
  lock; the code column is UNIQUE as a last line of defence.
Fixed widths keep codes unambiguous (counter 1 #1001 ≠ counter 11 #001).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.errors import UserError

AGENCY_CODE_RE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")
CODE_RE = re.compile(r"^(?P<agency>[0-9A-Z.]+)-(?P<day>\d{6})-(?P<counter>\d{2})(?P<n>\d{4})$")
MAX_COUNTER = 99


def validate_agency_code(code: str) -> str:
    code = code.strip().upper()
    if not AGENCY_CODE_RE.match(code):
        raise UserError(
            f"Mã định danh cơ quan '{code}' không đúng dạng (ví dụ 000.20.27.H57).",
            f"Agency identifier code '{code}' is malformed (example: 000.20.27.H57).",
            field="agency_code",
        )
    return code


def validate_counter_number(n: int) -> int:
    if not 1 <= n <= MAX_COUNTER:
        raise UserError(
            f"Số quầy phải từ 1 đến {MAX_COUNTER}.", f"Counter number must be 1 to {MAX_COUNTER}.",
            field="counter",
        )
    return n


def format_code(agency_code: str, day: date, counter: int, number: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{counter:02d}{number:04d}"


@dataclass(frozen=True)
class ParsedCode:
    agency_code: str
    day: date
    counter: int
    number: int


def parse_code(code: str) -> ParsedCode:
    m = CODE_RE.match(code.strip().upper())
    if not m:
        raise UserError(f"Mã hồ sơ '{code}' không đúng dạng.", f"Dossier code '{code}' is malformed.",
                        field="code")
    d = m["day"]
    return ParsedCode(m["agency"], date(2000 + int(d[:2]), int(d[2:4]), int(d[4:])),
                      int(m["counter"]), int(m["n"]))
