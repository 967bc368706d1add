"""What the clerk and IT see of sync: online/offline, pending, parked, last success, last error.

The sync engine writes its state into the store's `sync_state` table; the GUI status bar, the
sync panel and `motcua sync status` read it here, so they never share memory with the engine.
"""

from __future__ import annotations

import json

from app.context import Counter
from app.domain import iso, now_vn
from localdb import audit, outbox

KEYS = ("online", "offline_since", "last_success", "last_error", "last_error_reason",
        "clock_skew_seconds", "gateway_url", "cursor", "catalogue_error", "catalogue_error_words",
        "pull_refused", "rotation_refused")


def read(counter: Counter) -> dict:
    """Plain dict: online (bool|None = never tried), offline_since, pending, parked,
    last_success, last_error, last_error_reason, clock_skew_seconds, gateway_url."""
    with counter.store._lock:
        conn = counter.store.conn
        state = {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM sync_state")}
        state.update(outbox.counts(conn))
    out = {k: state.get(k) for k in KEYS}
    out["pending"] = state.get("pending", 0)
    out["parked"] = state.get("parked", 0)
    url = counter.setting("gateway_url")  # the effective target (enrolment, site file, env…)
    out["gateway_url"] = url or out.get("gateway_url")
    # configured = enrolled: a target AND the credential `motcua enrol` wrote
    out["configured"] = bool(url) and (counter.settings.data_dir / "gateway-credential").is_file()
    with counter.store._lock:
        out["waiting"] = int(counter.store.conn.execute(
            "SELECT count(*) FROM pulled_waiting").fetchone()[0])
    from sync.reasons import clock_skew_words, round_error_words

    skew = out.get("clock_skew_seconds")
    out["clock_skew_vi"] = clock_skew_words(skew, "vi") if skew else None
    out["clock_skew_en"] = clock_skew_words(skew, "en") if skew else None
    words = round_error_words(out.get("last_error_reason"))
    out["last_error_vi"], out["last_error_en"] = words if words else (None, None)
    cat = out.pop("catalogue_error_words", None) or {}
    out["catalogue_error_vi"] = cat.get("vi") or out.get("catalogue_error")
    out["catalogue_error_en"] = cat.get("en") or out.get("catalogue_error")
    refused = out.get("pull_refused") or None
    if refused:
        refused["reasons_vi"] = refused_words(refused.get("reasons") or {}, "vi")
        refused["reasons_en"] = refused_words(refused.get("reasons") or {}, "en")
    rot = out.get("rotation_refused") or None
    if rot:
        rot["reasons_vi"] = refused_words(rot.get("reasons") or {}, "vi")
        rot["reasons_en"] = refused_words(rot.get("reasons") or {}, "en")
    from app.rotation import pinned_certificates

    out["gateway_pins"] = pinned_certificates(counter)
    from app import pullretry  # refused pulled events still listed (retried or final)

    out["refused_events"] = pullretry.listing(counter, limit=100)
    out["refused_events_count"] = pullretry.open_count(counter)
    return out


def refused_words(reasons: dict[str, int], lang: str = "vi") -> str:
    """Why pulled events were refused here, in words: "2 × Chữ ký không khớp nội dung. (…)"."""
    from sync.reasons import reason_words

    return "; ".join(f"{n} × {reason_words(code, lang)} ({code})"
                     for code, n in sorted(reasons.items()))


def write(counter: Counter, **values: object) -> None:
    """Engine side: record state values (JSON-encoded) in one small transaction."""
    unknown = set(values) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown sync state keys: {sorted(unknown)}")
    with counter.store.write() as conn:
        for k, v in values.items():
            conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (k, json.dumps(v)))


def parked_events(counter: Counter) -> list[dict]:
    """Parked events with the gateway's reason (``parked_reason``, machine code first) and the
    same reason in words (``reason_vi``, ``reason_en``)."""
    from sync.reasons import reason_code, reason_words

    with counter.store._lock:
        rows = outbox.parked(counter.store.conn)
    for r in rows:
        r["reason_code"] = reason_code(r["parked_reason"])
        r["reason_vi"] = reason_words(r["parked_reason"], "vi")
        r["reason_en"] = reason_words(r["parked_reason"], "en")
    return rows


def retry_parked(counter: Counter, *, actor: str = "system") -> int:
    now = iso(now_vn())
    with counter.store.write() as conn:
        n = outbox.retry_parked(conn, now)
        if n:
            audit.append(conn, at=now, actor=actor, counter=counter.label, action="sync.retry_parked",
                         detail={"events": n})
    return n
