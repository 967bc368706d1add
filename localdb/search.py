"""Search over dossiers: one box for names, citizen IDs, phones and dossier codes.

Design for a million rows:
- Everything indexed and every query is folded (no diacritics, no case, đ -> d).
- The query is split into alphanumeric tokens, each quoted, so whatever a user types
  (quotes, *, -, (, NEAR, OR) is a search term and never FTS syntax.
- Words match exactly; tokens containing digits (codes, IDs, phones) of 3+ characters match as
  prefixes. Names need no prefix scan, which keeps common words ("nguyen") cheap.
- Newest first is rowid-descending, which FTS5 walks in index order: the first page of any
  query stops after `limit` hits instead of sorting every match.
- A full 12-digit citizen ID or a full dossier code goes straight to a B-tree index.
- Numbers are read as clerks type them: digit groups separated by spaces, dots or dashes are one
  number ("079 190 000 124", "091-234-5222"), and phones are indexed and queried in their
  national form (0 / +84 / 84 prefixes: "+84 912.345.111" is found by "0912345111").
- A query with no letter or digit (`"`, `*`, an emoji) finds nothing (`Page.reason`), it does
  not list every dossier; an empty query lists all, newest first (the GUI's browse list).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from localdb.folding import fold, tokens

CITIZEN_ID_RE = re.compile(r"^0\d{11}$")
MAX_LIMIT = 1000
# Digit groups a clerk types as one number: "079 190 000 124", "+84 912.345.111", "(028) 3829".
_NUMBER_RUN = re.compile(r"\+?\(?\d+\)?(?:[ .\-]\(?\d+\)?)+|\+\d+")
_MAX_NUMBER_DIGITS = 13  # longer runs are several numbers, kept apart
CODE_RE = re.compile(r"^[0-9A-Za-z]{3}\.[0-9A-Za-z]{2}\.[0-9A-Za-z]{2}\.[A-Za-z]\d{2}-\d{6}-\d{6}$")

RESULT_COLUMNS = (
    "rowid, id, code, procedure_code, procedure_name, applicant_name, citizen_id, phone, "
    "channel, received_at, appointment_at, status, clerk"
)


def national_phone(phone: str) -> str:
    """A Vietnamese phone number in its national form (0 + subscriber digits), whatever way it
    was typed: "+84 912.345.111", "84912345111", "0912-345-111" -> "0912345111". A foreign
    number (+ and another country code) keeps its digits."""
    digits = "".join(c for c in phone if c.isdigit())
    if not digits:
        return ""
    if phone.lstrip().startswith("+"):
        return "0" + digits[2:] if digits.startswith("84") else digits
    if digits.startswith("84") and len(digits) in (11, 12):  # 84 + 9 (mobile) or 10 (landline)
        return "0" + digits[2:]
    if not digits.startswith("0") and len(digits) in (9, 10):  # the leading 0 left out
        return "0" + digits
    return digits


def search_text(*, applicant_name: str, citizen_id: str, phone: str, code: str) -> str:
    """The folded text indexed for one dossier (the phone in its national form)."""
    compact = re.sub(r"[^0-9a-z]", "", code.lower())
    parts = [fold(applicant_name), citizen_id, national_phone(phone), " ".join(tokens(code)),
             compact]
    return " ".join(p for p in parts if p)


def _join_numbers(query: str) -> str:
    """Digit groups typed with spaces, dots or dashes become one number when they read as a
    phone or a citizen ID: the first group starts with 0, 84 or + ("0912 345 222" ->
    "0912345222", "079 190 000 124", "+84 912.345.111" -> "+84912345111"). Other groups (a
    code's "261123-010003") stay apart; a joined code prefix ("000.20.27") still matches the
    code's compact token."""
    def join(m: re.Match[str]) -> str:
        text = m.group(0)
        digits = "".join(c for c in text if c.isdigit())
        first = text.lstrip("+(")
        if len(digits) > _MAX_NUMBER_DIGITS or not (
                text.startswith("+") or first.startswith("0") or first.startswith("84")):
            return text
        return ("+" if text.startswith("+") else "") + digits
    return _NUMBER_RUN.sub(join, query)


def normalise_query(query: str) -> str:
    """What the query means once numbers are joined and a +84 phone is in national form."""
    joined = _join_numbers(query.strip())
    return re.sub(r"\+(\d+)", lambda m: national_phone("+" + m.group(1)), joined)


def _number_alternatives(tok: str) -> list[str]:
    """Forms a typed number may be indexed under: as typed, and as a national phone when it
    starts with the 84 country code or misses its leading 0."""
    alts = [tok]
    if tok.startswith("84") and len(tok) >= 5:
        alts.append("0" + tok[2:])
    elif not tok.startswith("0") and len(tok) in (9, 10):
        alts.append("0" + tok)
    return alts


def match_expression(query: str) -> str | None:
    """FTS5 MATCH expression for free text, or None when the text has no searchable token."""
    terms = []
    for tok in tokens(normalise_query(query)):
        if tok.isdigit() and len(tok) >= 3:
            alts = [f'"{a}"*' for a in _number_alternatives(tok)]
            terms.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
        elif any(c.isdigit() for c in tok) and len(tok) >= 3:
            terms.append(f'"{tok}"*')
        else:
            terms.append(f'"{tok}"')
    return " ".join(terms) if terms else None


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    next_before: int | None  # pass as `before` for the next page; None when no more
    reason: str | None = None  # "no_terms": the query has no letter or digit to search for


def search(conn: sqlite3.Connection, query: str, *, limit: int = 50,
           before: int | None = None, status: int | None = None) -> Page:
    """Newest-first page of dossiers matching `query` (empty query: all dossiers; a query with
    no letter or digit: nothing, with reason "no_terms"). `limit` is kept within 1–1,000
    (callers refuse other values with a message)."""
    limit = max(1, min(limit, MAX_LIMIT))
    raw = query.strip()
    q = raw if CODE_RE.match(raw) else normalise_query(raw)
    params: list[object]
    where_extra = ""
    if status is not None:
        where_extra = " AND d.status = ?"
    if CITIZEN_ID_RE.match(q):
        sql = (f"SELECT {RESULT_COLUMNS} FROM dossiers d WHERE citizen_id = ?"  # noqa: S608
               f"{' AND rowid < ?' if before else ''}{where_extra} ORDER BY rowid DESC LIMIT ?")
        params = [q, *([before] if before else []), *([status] if status is not None else []), limit]
    elif CODE_RE.match(q):
        sql = (f"SELECT {RESULT_COLUMNS} FROM dossiers d WHERE code = ?{where_extra} "  # noqa: S608
               "LIMIT ?")
        params = [q.upper(), *([status] if status is not None else []), limit]
        if before:
            return Page([], None)
    else:
        expr = match_expression(q)
        if expr is None and q:
            return Page([], None, reason="no_terms")
        if expr is None:
            sql = (f"SELECT {RESULT_COLUMNS} FROM dossiers d WHERE 1"  # noqa: S608
                   f"{' AND rowid < ?' if before else ''}{where_extra} ORDER BY rowid DESC LIMIT ?")
            params = [*([before] if before else []), *([status] if status is not None else []),
                      limit]
        else:
            sql = (
                f"SELECT {RESULT_COLUMNS.replace('rowid,', 'd.rowid AS rowid,', 1)} "  # noqa: S608
                "FROM dossier_fts f JOIN dossiers d ON d.rowid = f.rowid "
                f"WHERE dossier_fts MATCH ?{' AND f.rowid < ?' if before else ''}{where_extra} "
                "ORDER BY f.rowid DESC LIMIT ?"
            )
            params = [expr, *([before] if before else []), *([status] if status is not None else []),
                      limit]
    cur = conn.execute(sql, params)
    cols = [c[0] for c in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    next_before = rows[-1]["rowid"] if len(rows) == limit else None
    return Page(rows, next_before)
