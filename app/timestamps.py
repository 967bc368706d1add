"""RFC 3161 time-stamp tokens the gateway returns for accepted events, kept with the events.

A token proves when the clerk's signature existed (signing.tsa), which is what decides whether
a certificate revoked later still covers the dossier (signing.verify). The counter stores each
token in `events.tst` (written once: a trigger refuses to change it afterwards) after checking
that it really time-stamps that event's signature and was signed by a time-stamping authority;
whether that authority is trusted is judged at verification time, against the trust anchors.
"""

from __future__ import annotations

import binascii
import json
import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


def store_tokens(conn: sqlite3.Connection, tokens: Mapping[str, str]) -> int:
    """Keep the tokens (event id -> base64 DER) that fit their event; returns how many were
    stored. Runs inside the caller's write transaction."""
    good = checked_tokens(conn, tokens)
    write_tokens(conn, good)
    return len(good)


def write_tokens(conn: sqlite3.Connection, tokens: Mapping[str, bytes]) -> None:
    """Write checked tokens (event id -> DER, from `checked_tokens`) to events that have none
    (a token is written once: a trigger refuses to change it)."""
    conn.executemany("UPDATE events SET tst = ? WHERE id = ? AND tst IS NULL",
                     [(token, event_id) for event_id, token in tokens.items()])


def checked_tokens(conn: sqlite3.Connection, tokens: Mapping[str, str]) -> dict[str, bytes]:
    """The tokens (event id -> base64 DER) that may be written, as DER: the event is held,
    signed and has no token yet, and the token time-stamps that event's signature and is
    signed by a time-stamping authority (`signing.tsa.read_token`). A token that does not fit
    is logged and left out. The events are read in one statement (the caller writes the
    tokens, e.g. with the acknowledgement's own UPDATE: see `localdb.outbox.mark_delivered`)."""
    if not tokens:
        return {}
    from signing import tsa
    from sync.client import b64decode_checked

    good: dict[str, bytes] = {}
    for event_id, sig in conn.execute(
            "SELECT id, signature FROM events WHERE id IN (SELECT value FROM json_each(?))"
            " AND signature IS NOT NULL AND tst IS NULL", (json.dumps(list(tokens)),)):
        try:
            token = b64decode_checked(tokens[event_id])
            tsa.read_token(token, tsa.signature_value(bytes(sig)))
        except (binascii.Error, ValueError) as exc:
            log.warning("time-stamp token for event %s refused: %s", event_id, exc)
            continue
        good[event_id] = token
    return good


# ---- acknowledgement: what proves that the gateway holds an event -------------------------
#
# `events.synced_at` is written by the counter itself and signed by nobody: someone with the
# file can set it on events that never left (after deleting their outbox rows), and `check`,
# `verify` and `sync status` would believe the province holds them. An own event therefore
# counts as acknowledged only with proof from outside the file: the gateway's RFC 3161 token
# over that event's signature value, issued by a time-stamping authority this counter trusts.
# A gateway without a TSA gives no such proof; there `audit verify` (online) asks the gateway
# which of this counter's events it holds (`GET /api/v1/witness`, `counter_chain`).
#
# Whether the gateway time-stamps is learnt from the gateway (the push answer says
# `time_stamps`, and the first token received proves it) and kept in the audit log
# (`sync.time_stamps`, detail {"on": bool}) — a hash chain anchored by the clerk's signatures
# and the gateway's witness, unlike a meta value.

MODE_ACTION = "sync.time_stamps"


def gateway_time_stamps(conn: sqlite3.Connection) -> bool | None:
    """Whether this counter's gateway time-stamps what it accepts, as last learnt (None:
    never learnt — not enrolled, never pushed, or an older gateway)."""
    row = conn.execute("SELECT detail FROM audit WHERE action = ? ORDER BY seq DESC LIMIT 1",
                       (MODE_ACTION,)).fetchone()
    if row is None:
        return None
    try:
        import json

        on = json.loads(row[0]).get("on")
    except (ValueError, AttributeError):
        return None
    return on if isinstance(on, bool) else None


#: how many stored tokens `gateway_proven_time_stamps` tries (newest first) before it gives up
_TOKENS_TRIED = 20


def gateway_proven_time_stamps(conn: sqlite3.Connection, trust: object) -> bool:
    """Whether the gateway time-stamps, judged so that rewriting the audit rows cannot hide it:
    the newest `sync.time_stamps` row says so; or there is none (deleted, or turned into
    something else such as a forged restore) and an event in the store (own or pulled) carries
    a token over its own signature value from a time-stamping authority chaining to the trust
    anchors — only the gateway's TSA made it; or the newest row says "off" but a valid token
    was issued after that row's time (the gateway still time-stamped: the row lies). An "off"
    row newer than every token is believed (a province that removed its TSA)."""
    from datetime import datetime

    row = conn.execute("SELECT detail, at FROM audit WHERE action = ? ORDER BY seq DESC "
                       "LIMIT 1", (MODE_ACTION,)).fetchone()
    said = gateway_time_stamps(conn)
    if said:
        return True
    if trust is None:
        return False
    since: datetime | None = None
    if row is not None and said is False:
        try:
            since = datetime.fromisoformat(str(row[1]))
        except ValueError:
            since = None
    from signing.verify import time_proof

    for sig, tst in conn.execute(
            "SELECT CAST(signature AS BLOB), CAST(tst AS BLOB) FROM events WHERE tst IS NOT "
            "NULL AND signature IS NOT NULL ORDER BY seq DESC LIMIT ?", (_TOKENS_TRIED,)):
        proven = time_proof(bytes(tst), bytes(sig), trust)  # type: ignore[arg-type]
        if isinstance(proven, datetime) and (
                since is None or (proven.tzinfo is not None and since.tzinfo is not None
                                  and proven > since)):
            return True
    return False


def note_gateway_time_stamps(conn: sqlite3.Connection, on: bool, *, counter_label: str,
                             at: str, actor: str = "sync") -> bool:
    """Record (audited) that the gateway does / no longer does time-stamp, when it changed.
    Runs inside the caller's write transaction; returns whether a row was added."""
    from localdb import audit

    known = gateway_time_stamps(conn)
    if known is on or (known is None and not on):  # "never" and "off" mean the same here
        return False
    audit.append(conn, at=at, actor=actor, counter=counter_label, action=MODE_ACTION,
                 subject="", detail={"on": on})
    log.info("the gateway %s time-stamp accepted events", "does" if on else "does not")
    return True


def token_problem(trust: object, token: bytes | None, signature: bytes | None) -> str | None:
    """Why ``token`` does not prove that the gateway acknowledged the event with this CMS
    ``signature`` (None when it does): the imprint must be the hash of this signature's value
    and the token signed by a time-stamping authority chaining to the trust anchors."""
    if signature is None:
        return "unsigned"
    if token is None:
        return "no_token"
    from datetime import datetime

    from signing.verify import time_proof

    proven = time_proof(bytes(token), bytes(signature), trust)  # type: ignore[arg-type]
    return None if isinstance(proven, datetime) else "token_invalid"


def unacknowledged(conn: sqlite3.Connection, agency_code: str, counter_no: int,
                   trust: object) -> list[tuple[str, str, str, str]]:
    """(event id, type, dossier code, why) of this counter's own events marked sent but not
    acknowledged by the gateway — only when the gateway time-stamps (else nothing here can
    prove it either way: `audit verify` asks the gateway). ``why``: ``no_token`` or
    ``token_invalid``."""
    from localdb import crosscheck

    if not gateway_proven_time_stamps(conn, trust):
        return []
    out = []
    for eid, etype, code, sig, tst in crosscheck.sent_events(conn, agency_code, counter_no):
        why = token_problem(trust, tst, sig)
        if why is not None and why != "unsigned":
            out.append((eid, etype, code, why))
    return out


def _held(ranges: list[list[int]], seq: int) -> bool:
    import bisect

    i = bisect.bisect_right(ranges, [seq, 2**63]) - 1
    return i >= 0 and ranges[i][0] <= seq <= ranges[i][1]


def _span(seqs: list[int]) -> str:
    """#n, #a–#b (count) for a run without holes, else the numbers themselves (the first 10):
    "#6–#8 (2)" would name #7, which is not among them."""
    if len(seqs) == 1:
        return f"#{seqs[0]}"
    if seqs[-1] - seqs[0] + 1 == len(seqs):
        return f"#{seqs[0]}–#{seqs[-1]} ({len(seqs)})"
    shown = ", ".join(f"#{n}" for n in seqs[:10])
    return shown + (f" … ({len(seqs)})" if len(seqs) > 10 else "")


def gateway_holdings(counter: Any, *, online: bool = True) -> dict[str, Any]:
    """Compare this counter's own chain with what the gateway holds of it (online; the
    gateway's answer is the proof when it has no TSA). Problems, one line each (vi/en):
    events marked sent that the gateway does not hold, events the gateway holds that this
    store lacks, a different event under the gateway's last number, forks and breaks of the
    chain at the gateway. Offline or not enrolled: ``checked`` False, nothing compared."""
    out: dict[str, Any] = {"checked": False, "problems_en": [], "problems_vi": [],
                           "missing": [], "time_stamps": None}
    if not online:
        return out
    from app import sync_service
    from app.errors import UserError

    try:
        client = sync_service.make_client(counter, connect_timeout=3.0, read_timeout=30.0)
    except UserError:
        return out
    try:
        chain, said = client.counter_chain()
    except Exception as exc:
        log.info("the gateway's copy of the counter chain was not checked: %s", exc)
        return out
    finally:
        client.close()
    out["time_stamps"] = said
    if chain is None:  # an older gateway
        return out
    out["checked"] = True
    held = sorted([int(a), int(b)] for a, b in chain["held"])
    covered = held[-1][1] if chain.get("truncated") and held else None
    last = chain.get("last") if isinstance(chain.get("last"), dict) else None
    missing: list[tuple[int, str, str]] = []
    local: list[int] = []
    last_mismatch = False
    from localdb import crosscheck

    with counter.store._lock:
        for seq, eid, code, sent, queued, payload in crosscheck.own_chain(
                counter.store.conn, counter.agency_code, counter.counter_no):
            local.append(seq)
            if sent and not queued and not _held(held, seq) and (covered is None
                                                                   or seq <= covered):
                missing.append((seq, eid, code))
            if last is not None and seq == last.get("seq"):
                import hashlib

                last_mismatch = last_mismatch or (
                    hashlib.sha256(bytes(payload)).hexdigest() != last.get("hash"))
    vi, en = out["problems_vi"], out["problems_en"]
    if missing:
        out["missing"] = [eid for _, eid, _ in missing]
        codes = sorted({c for _, _, c in missing})
        named = ", ".join(codes[:20]) + (" …" if len(codes) > 20 else "")
        vi.append(f"cổng tỉnh không có {len(missing)} sự kiện mà quầy ghi là đã gửi (hồ sơ "
                  f"{named}) — chạy 'motcua repair' rồi đồng bộ")
        en.append(f"the gateway does not hold {len(missing)} event(s) this counter marks as "
                  f"sent (dossiers {named}) — run 'motcua repair', then sync")
    local_set = set(local)
    extra = [s for lo, hi in held for s in range(lo, hi + 1) if s not in local_set][:10_000]
    if extra:
        vi.append(f"cổng tỉnh giữ sự kiện số {_span(extra)} của quầy này mà tệp dữ liệu không "
                  "còn (bị xoá?) — 'motcua sync recover' lấy lại được")
        en.append(f"the gateway holds this counter's event(s) {_span(extra)} that the store no "
                  "longer has (deleted?) — 'motcua sync recover' fetches them back")
    if last_mismatch and last is not None:
        vi.append(f"sự kiện số #{last['seq']} ở cổng tỉnh khác sự kiện cùng số trong tệp dữ liệu")
        en.append(f"the gateway's event #{last['seq']} differs from this store's event #"
                  f"{last['seq']}")
    if chain["forks"]:
        vi.append(f"cổng tỉnh nhận hai sự kiện khác nhau cùng số thứ tự {_span(chain['forks'])} "
                  "của quầy này (khôi phục từ bản sao lưu cũ? giả mạo?)")
        en.append(f"the gateway received two different events numbered {_span(chain['forks'])} "
                  "from this counter (restored from an old backup? forged?)")
    if chain["breaks"]:
        vi.append(f"chuỗi sự kiện của quầy ở cổng tỉnh bị đứt tại {_span(chain['breaks'])} "
                  "(sự kiện không nối với sự kiện trước nó)")
        en.append(f"this counter's chain at the gateway breaks at {_span(chain['breaks'])} "
                  "(the event does not name the one before it)")
    return out
