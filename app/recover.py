"""`motcua sync recover`: after a restore, take back from the gateway what the backup lacked.

A restore rolls the store back to the backup; the dossiers received since were (if the link
was up) pushed to the gateway, which keeps them. The regular pull leaves this counter's own
events out, so they would never come back. Recover pulls the centre's events from the very
beginning *including this counter's own*, passes every one through the same checks as any
pulled event (`app.remote.apply_signed_events`: envelope = signed body, CMS signature against
this counter's trust anchors, the authorization table, chains), re-materialises the dossiers
the store lost, and learns the gateway's highest code of today for this counter, so the next
intake continues above it. Idempotent: run it as often as you like; the regular sync cursor
is left alone.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from app import remote
from app.context import Counter
from app.domain import iso, now_vn
from app.sync_service import make_client
from localdb import audit, codes
from sync.client import SyncError
from sync.wire import WireEvent

log = logging.getLogger(__name__)

PAGE = 500


def _advance_counter_head(counter: Counter, events: list[WireEvent]) -> None:
    """This counter's own chain continues after the newest own event recovered (else the next
    intake would reuse a counter_seq the gateway already holds)."""
    from app import evidence

    best: tuple[int, str, str] | None = None
    for ev in events:
        if ev.origin != "counter" or remote.owner_of(ev.dossier_code) != counter.counter_no:
            continue
        try:
            body = json.loads(ev.payload)
            seq = body.get("counter_seq")
            mine = body.get("counter") == {"agency_code": counter.agency_code,
                                           "counter_no": counter.counter_no}
        except (ValueError, AttributeError):
            continue
        if mine and isinstance(seq, int) and (best is None or seq > best[0]):
            best = (seq, evidence.event_hash(ev.payload), ev.id)
    if best is None:
        return
    with counter.store.write() as conn:
        if not conn.execute("SELECT 1 FROM events WHERE id = ?", (best[2],)).fetchone():
            return  # refused here: not part of this store's chain
        current, _ = evidence.counter_head(conn)
        if best[0] > current:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         (evidence.META_COUNTER_HEAD,
                          json.dumps({"seq": best[0], "hash": best[1]})))


def recover(counter: Counter, *, actor: str = "system") -> dict[str, Any]:
    counter.require_initialised()
    today = now_vn().date()
    prefix = f"{counter.agency_code}-{today:%y%m%d}-{counter.counter_no:02d}"
    client = make_client(counter, read_timeout=60)
    totals: dict[str, int] = {"pulled": 0}
    last_code = None
    since: str | None = None
    try:
        first = True
        while True:
            page = client.pull(since, PAGE, include_own=True,
                               code_prefix=prefix if first else None)
            if first:
                last_code = page.last_code
                if last_code:  # learn it before anything else: intake may run meanwhile
                    codes.learn(counter.store.path, today.isoformat(), int(last_code[-4:]))
                first = False
            totals["pulled"] += len(page.events)
            if page.events:
                stats = remote.apply_signed_events(counter, page.events, source="recover",
                                                   tsts=page.tsts)
                for key, value in stats.to_dict().items():
                    totals[key] = totals.get(key, 0) + int(value)
                _advance_counter_head(counter, page.events)
            since = page.cursor
            if not page.more:
                break
    except SyncError as exc:
        from app.errors import UserError

        raise UserError(f"Không lấy lại được từ cổng tỉnh: {exc.reason} — {exc.detail}",
                        f"Could not recover from the gateway: {exc.reason} — {exc.detail}",
                        code="recover_failed") from exc
    finally:
        client.close()
    totals.pop("unknown_dossier", None)
    result = {**totals, "last_code_at_gateway": last_code,
              "next_number_above": codes.CodeMark.beside(counter.store.path).ceiling(
                  today.isoformat())}
    with counter.store.write() as conn:
        audit.append(conn, at=iso(now_vn()), actor=actor, counter=counter.label,
                     action="sync.recover", subject=counter.label,
                     detail={k: v for k, v in result.items() if k != "last_code_at_gateway"})
    log.info("recover: %s", result)
    return result
