"""`motcua check` cross-checks and `motcua repair` (see localdb.crosscheck).

Each finding is one line in the clerk's language naming what is wrong; the repair fixes what
can be fixed without inventing evidence — it re-queues events the province never acknowledged
(neither queued nor acknowledged, or marked sent without the gateway's time-stamp token that
proves it — `app.timestamps`),
re-creates the append-only triggers, and (when asked) deletes scan files no dossier references —
and writes an audit row for what it did. Deleted events, dossiers or audit rows cannot be
repaired: `verify` names them and a backup or the gateway (`motcua sync recover`) holds them.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from app.context import Counter
from app.domain import iso, now_vn
from localdb import audit, crosscheck

log = logging.getLogger(__name__)


def store_findings(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The cross-checks `check` and `verify` share (everything but the scan folder):
    [{kind, vi, en, code?, event_id?, ...}], each line wholly in one language."""
    from app import checkwords as w

    out: list[dict[str, Any]] = []
    for name in crosscheck.missing_triggers(conn):
        out.append({"kind": "trigger_missing", "name": name, "code": "",
                    "vi": f"thiếu ràng buộc bảo vệ {w.trigger(name)} (đã bị gỡ?) — chạy "
                          "'motcua repair'",
                    "en": f"protective trigger {w.trigger(name, 'en')} is missing (dropped?) "
                          "— run 'motcua repair'"})
    for eid, etype, code, at in crosscheck.unqueued_events(conn):
        out.append({"kind": "not_queued", "event_id": eid, "code": code,
                    "vi": f"hồ sơ {code}: sự kiện {w.event(etype)} lúc {w.when(at)} chưa được "
                          "cổng tỉnh xác nhận mà không còn trong hàng đợi gửi (sẽ không bao giờ "
                          "đến tỉnh) — chạy 'motcua repair'",
                    "en": f"dossier {code}: the {w.event(etype, 'en')} event at {w.when(at)} "
                          "was never acknowledged by the gateway and is no longer queued (it "
                          "would never reach the province) — run 'motcua repair'"})
    for seq, action, eid, subject, at in crosscheck.audit_orphans(conn):
        where_vi = f", hồ sơ {subject}" if subject else ""
        where_en = f", dossier {subject}" if subject else ""
        out.append({"kind": "audit_orphan", "seq": seq, "event_id": eid, "code": "",
                    "vi": f"dòng nhật ký #{seq} ({w.action(action)} lúc {w.when(at)}{where_vi}) "
                          "ghi một sự kiện không còn trong kho (bị xoá?); không sửa được — bản "
                          "sao lưu hoặc cổng tỉnh còn giữ sự kiện đó",
                    "en": f"audit row #{seq} ({w.action(action, 'en')} at {w.when(at)}"
                          f"{where_en}) names an event that is no longer in the store "
                          "(deleted?); cannot be repaired — a backup or the gateway still holds "
                          "it"})
    return out


def findings(counter: Counter) -> list[dict[str, Any]]:
    """Cross-check problems: [{kind, vi, en, ...}] (empty when everything agrees)."""
    with counter.store._lock:
        conn = counter.store.conn
        out = store_findings(conn)
        for eid, etype, code, why in _unacknowledged(counter, conn):
            out.append(unacknowledged_finding(eid, etype, code, why))
        scans = list(crosscheck.unreferenced_scans(conn, counter.settings.attachments_dir))
        from app.signatures import anchor_words
        from app.trust import unaudited_anchors

        missing, legacy = unaudited_anchors(counter.settings, conn)
    for e in [] if legacy else missing:  # the trust folder decides whose signatures verify
        vi, en = anchor_words(e)
        out.append({"kind": "anchor_unaudited", "code": "", "sha256": e["sha256"],
                    "vi": "chứng thư tin cậy trong thư mục trust/anchors mà nhật ký không ghi "
                          f"nhận (bị chép vào tay?): {vi}",
                    "en": "a trusted certificate in trust/anchors that the audit log never "
                          f"recorded (copied in by hand?): {en}"})
    for path in scans:
        out.append({"kind": "scan_unreferenced", "path": str(path), "code": "",
                    "vi": f"tệp quét {path.name[:12]}… không thuộc hồ sơ nào — "
                          "'motcua repair --remove-unreferenced-scans' để xoá",
                    "en": f"scan file {path.name[:12]}… belongs to no dossier — "
                          "'motcua repair --remove-unreferenced-scans' removes it"})
    return out


#: what `repair` can fix (the rest it names and leaves: deleted evidence cannot be invented)
REPAIRABLE = frozenset({"trigger_missing", "not_queued", "not_acknowledged", "scan_unreferenced"})


def _unacknowledged(counter: Counter, conn: Any) -> list[tuple[str, str, str, str]]:
    from app.timestamps import unacknowledged
    from app.trust import load_trust

    return unacknowledged(conn, counter.agency_code, counter.counter_no,
                          load_trust(counter.settings))


def unacknowledged_finding(eid: str, etype: str, code: str, why: str) -> dict[str, Any]:
    """The words for an own event marked sent without proof (``why``: no_token or
    token_invalid) — `check` and `verify` say the same."""
    from app import checkwords as w

    bad = why == "token_invalid"
    return {"kind": "not_acknowledged", "event_id": eid, "code": code, "why": why,
            "vi": f"hồ sơ {code}: sự kiện {w.event(etype)} được ghi là đã gửi nhưng cổng tỉnh "
                  "chưa xác nhận đã nhận (" + ("dấu thời gian không hợp lệ" if bad else
                                               "không có dấu thời gian") + ") — chạy 'motcua "
                  "repair'",
            "en": f"dossier {code}: the {w.event(etype, 'en')} event is marked sent but not "
                  "acknowledged by the gateway (" + ("invalid time-stamp token" if bad else
                                                     "no time-stamp token")
                  + ") — run 'motcua repair'"}


def _drop_tokens(conn: Any, event_ids: list[str]) -> None:
    """Clear tokens that do not prove anything (forged or copied into the file) so the
    gateway's genuine one can be stored when the event is acknowledged again; the write-once
    trigger is lifted for this statement only, inside the repair's transaction."""
    from localdb.crosscheck import expected_triggers

    conn.execute("DROP TRIGGER IF EXISTS events_tst_once")
    conn.executemany("UPDATE events SET tst = NULL WHERE id = ?", [(e,) for e in event_ids])
    conn.execute(expected_triggers()["events_tst_once"])


def repair(counter: Counter, *, remove_scans: bool = False,
           actor: str = "system", online: bool = False) -> dict[str, Any]:
    """Fix what can be fixed (see the module docstring); returns what was done. ``online``:
    also ask the gateway which of this counter's events it holds (its answer is the proof
    when it runs without a TSA) and re-queue the ones marked sent that it does not hold."""
    not_held: list[str] = []
    if online:
        from app.timestamps import gateway_holdings

        not_held = gateway_holdings(counter)["missing"]
    now = iso(now_vn())
    done = {"requeued": 0, "triggers": [], "scans_removed": 0}
    with counter.store.write() as conn:
        missing = crosscheck.missing_triggers(conn)
        if missing:
            crosscheck.recreate_triggers(conn, missing)
            done["triggers"] = missing
        ids = [eid for eid, *_ in crosscheck.unqueued_events(conn)]
        requeued = crosscheck.requeue(conn, ids, now)
        unacked = _unacknowledged(counter, conn)
        sent_ids = [eid for eid, _, _, _ in unacked]
        seen = set(sent_ids)
        sent_ids += [eid for eid in not_held if eid not in seen]
        bad_tokens = [eid for eid, _, _, why in unacked if why == "token_invalid"]
        if bad_tokens:
            _drop_tokens(conn, bad_tokens)
        done["requeued"] = requeued + crosscheck.requeue_sent(conn, sent_ids, now)
        ids += sent_ids
        scans = list(crosscheck.unreferenced_scans(conn, counter.settings.attachments_dir)) \
            if remove_scans else []
        for path in scans:
            path.unlink(missing_ok=True)
        done["scans_removed"] = len(scans)
        if missing or ids or scans:
            audit.append(conn, at=now, actor=actor, counter=counter.label, action="store.repair",
                         subject="", detail={"requeued": ids[:1000], "requeued_count": len(ids),
                                             "unacknowledged": len(sent_ids),
                                             "tokens_dropped": bad_tokens[:1000],
                                             "triggers": missing,
                                             "scans_removed": [p.name for p in scans][:1000]})
    if any(done.values()):
        log.warning("store repaired: %s", {k: (v if not isinstance(v, list) else len(v))
                                           for k, v in done.items()})
    return done


def done_lines(done: dict[str, Any], lang: str = "vi") -> list[str]:
    """What `repair` did, one line per kind of repair (or that nothing needed it)."""
    from app import checkwords as w

    en = lang == "en"
    lines = []
    if done.get("triggers"):
        names = ", ".join(w.trigger(n, lang) for n in done["triggers"])
        lines.append(f"Re-created {len(done['triggers'])} protective trigger(s): {names}." if en
                     else f"Đã tạo lại {len(done['triggers'])} ràng buộc bảo vệ: {names}.")
    if done.get("requeued"):
        lines.append(f"Queued {done['requeued']} event(s) again for the province." if en else
                     f"Đã đưa lại {done['requeued']} sự kiện vào hàng đợi gửi lên tỉnh.")
    if done.get("scans_removed"):
        lines.append(f"Removed {done['scans_removed']} scan file(s) no dossier references." if en
                     else f"Đã xoá {done['scans_removed']} tệp quét không thuộc hồ sơ nào.")
    if not lines:
        lines.append("Nothing to repair." if en else "Không có gì cần sửa.")
    else:
        lines.append("Recorded in the audit log [store.repair]." if en else
                     "Đã ghi vào nhật ký [store.repair].")
    return lines
