"""RFC 3161 time-stamp tokens the gateway returns for accepted events, kept with the events.

A token proves when the clerk's signature existed (signing.tsa), which is what decides whether
a certificate revoked later still covers the dossier (signing.verify). The counter stores each
token in `events.tst` (written once: a trigger refuses to change it afterwards) after checking
that it really time-stamps that event's signature and was signed by a time-stamping authority;
whether that authority is trusted is judged at verification time, against the trust anchors.
"""

from __future__ import annotations

import base64
import binascii
import logging
import sqlite3
from collections.abc import Mapping

log = logging.getLogger(__name__)


def store_tokens(conn: sqlite3.Connection, tokens: Mapping[str, str]) -> int:
    """Keep the tokens (event id -> base64 DER) that fit their event; returns how many were
    stored. Runs inside the caller's write transaction."""
    from signing import tsa

    stored = 0
    for event_id, b64 in tokens.items():
        row = conn.execute("SELECT signature, tst FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None or row[0] is None or row[1] is not None:
            continue
        try:
            token = base64.b64decode(b64, validate=True)
            tsa.read_token(token, tsa.signature_value(bytes(row[0])))
        except (binascii.Error, ValueError) as exc:
            log.warning("time-stamp token for event %s refused: %s", event_id, exc)
            continue
        conn.execute("UPDATE events SET tst = ? WHERE id = ? AND tst IS NULL", (token, event_id))
        stored += 1
    return stored
