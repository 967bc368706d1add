"""`motcua check` cross-checks and `motcua repair` (see localdb.crosscheck).

Each finding is one line in the clerk's language naming what is wrong; the repair fixes what
can be fixed without inventing evidence — it re-queues events the province never acknowledged,
re-creates the append-only triggers, and (when asked) deletes scan files no dossier references —
and writes an audit row for what it did. Deleted events, dossiers or audit rows cannot be
repaired: `verify` names them and a backup or the gateway (`motcua sync recover`) holds them.
"""

from __future__ import annotations

import logging
from typing import Any

from app.context import Counter
from app.domain import iso, now_vn
from localdb import audit, crosscheck

log = logging.getLogger(__name__)


def findings(counter: Counter) -> list[dict[str, Any]]:
    """Cross-check problems: [{kind, vi, en, ...}] (empty when everything agrees)."""
    out: list[dict[str, Any]] = []
    with counter.store._lock:
        conn = counter.store.conn
        for name in crosscheck.missing_triggers(conn):
            out.append({"kind": "trigger_missing", "name": name,
                        "vi": f"thiếu trigger bảo vệ '{name}' (đã bị xoá?) — chạy 'motcua repair'",
                        "en": f"protective trigger '{name}' is missing (dropped?) — run "
                              "'motcua repair'"})
        for eid, etype, code in crosscheck.unqueued_events(conn):
            out.append({"kind": "not_queued", "event_id": eid, "code": code,
                        "vi": f"{code}: sự kiện {etype} ({eid}) chưa được cổng tỉnh xác nhận mà "
                              "không còn trong hàng đợi gửi — chạy 'motcua repair'",
                        "en": f"{code}: event {etype} ({eid}) was never acknowledged by the "
                              "gateway and is no longer queued — run 'motcua repair'"})
        for seq, action, eid in crosscheck.audit_orphans(conn):
            out.append({"kind": "audit_orphan", "seq": seq, "event_id": eid,
                        "vi": f"nhật ký #{seq} ({action}) ghi sự kiện {eid} nhưng sự kiện không "
                              "còn (bị xoá?)",
                        "en": f"audit row #{seq} ({action}) names event {eid}, which is gone "
                              "(deleted?)"})
        scans = list(crosscheck.unreferenced_scans(conn, counter.settings.attachments_dir))
    for path in scans:
        out.append({"kind": "scan_unreferenced", "path": str(path),
                    "vi": f"tệp quét {path.name[:12]}… không thuộc hồ sơ nào — "
                          "'motcua repair --remove-unreferenced-scans' để xoá",
                    "en": f"scan file {path.name[:12]}… belongs to no dossier — "
                          "'motcua repair --remove-unreferenced-scans' removes it"})
    return out


def repair(counter: Counter, *, remove_scans: bool = False,
           actor: str = "system") -> dict[str, Any]:
    """Fix what can be fixed (see the module docstring); returns what was done."""
    now = iso(now_vn())
    done = {"requeued": 0, "triggers": [], "scans_removed": 0}
    with counter.store.write() as conn:
        missing = crosscheck.missing_triggers(conn)
        if missing:
            crosscheck.recreate_triggers(conn, missing)
            done["triggers"] = missing
        ids = [eid for eid, _, _ in crosscheck.unqueued_events(conn)]
        done["requeued"] = crosscheck.requeue(conn, ids, now)
        scans = list(crosscheck.unreferenced_scans(conn, counter.settings.attachments_dir)) \
            if remove_scans else []
        for path in scans:
            path.unlink(missing_ok=True)
        done["scans_removed"] = len(scans)
        if missing or ids or scans:
            audit.append(conn, at=now, actor=actor, counter=counter.label, action="store.repair",
                         subject="", detail={"requeued": ids[:1000], "requeued_count": len(ids),
                                             "triggers": missing,
                                             "scans_removed": [p.name for p in scans][:1000]})
    if any(done.values()):
        log.warning("store repaired: %s", {k: (v if not isinstance(v, list) else len(v))
                                           for k, v in done.items()})
    return done
