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
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from localdb.folding import fold, tokens

CITIZEN_ID_RE = re.compile(r"^\d{12}$")
CODE_RE = re.compile(r"^[0-9A-Za-z]{3}\.[0-9A-Za-z]{2}\.[0-9A-Za-z]{2}\.[A-Za-z]\d{2}-\d{6}-\d{6}$")

RESULT_COLUMNS = (
    "rowid, id, code, procedure_code, procedure_name, applicant_name, citizen_id, phone, "
    "channel, received_at, appointment_at, status, clerk"
)


def search_text(*, applicant_name: str, citizen_id: str, phone: str, code: str) -> str:
    """The folded text indexed for one dossier."""
    compact = re.sub(r"[^0-9a-z]", "", code.lower())
    parts = [fold(applicant_name), citizen_id, phone, " ".join(tokens(code)), compact]
    return " ".join(p for p in parts if p)


def match_expression(query: str) -> str | None:
    """FTS5 MATCH expression for free text, or None when the text has no searchable token."""
    terms = []
    for tok in tokens(query):
        if any(c.isdigit() for c in tok) and len(tok) >= 3:
            terms.append(f'"{tok}"*')
        else:
            terms.append(f'"{tok}"')
    return " ".join(terms) if terms else None


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    next_before: int | None  # pass as `before` for the next page; None when no more


def search(conn: sqlite3.Connection, query: str, *, limit: int = 50,
           before: int | None = None, status: int | None = None) -> Page:
    """Newest-first page of dossiers matching `query` (empty query: all dossiers)."""
    limit = max(1, min(limit, 500))
    q = query.strip()
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
