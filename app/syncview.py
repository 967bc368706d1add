"""What the window's Sync screen shows of the gateway's signing certificate (Qt-free).

``app.syncstate.read`` gives the pins, the refused rotation announcements and the refused
pulled events; this adds what the screen needs to say them in words: each pinned
certificate's subject and the moment it took over (from the rotation records, else the
enrolment's audit row, else a province event it signed), and each refused announcement (from
its audit row). Audit look-ups are cached per store and per state, so the screen's refresh
does not scan the audit log every few seconds.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any

from app.context import Counter
from app.pullretry import common_name

_CACHE: dict[tuple[str, str], dict[str, Any]] = {}
_CACHE_LOCK = threading.Lock()


def vn_iso(value: object) -> str | None:
    """An ISO time in Vietnam time (the screen formats it); None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    if t.tzinfo is None:
        return t.isoformat()
    from app.domain import VN_TZ

    return t.astimezone(VN_TZ).isoformat()


def _details(counter: Counter, pins: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{sha256: {"subject", "since"}} for pins whose record does not say it."""
    from app.rotation import PIN_ACTIONS

    out: dict[str, dict[str, Any]] = {}
    with counter.store._lock:
        conn = counter.store.conn
        for p in pins:
            sha = p["sha256"]
            row = conn.execute(
                f"SELECT at FROM audit WHERE action IN ({','.join('?' * len(PIN_ACTIONS))}) "  # noqa: S608
                "AND subject = ? ORDER BY seq LIMIT 1", (*PIN_ACTIONS, sha)).fetchone()
            subject = None
            for (text,) in conn.execute(  # the newest province events name their signer
                    "SELECT CAST(payload AS TEXT) FROM events WHERE origin = 'province' "
                    "ORDER BY seq DESC LIMIT 500"):
                try:
                    signer = json.loads(text).get("signer") or {}
                except (ValueError, AttributeError):
                    continue
                if isinstance(signer, dict) and signer.get("sha256") == sha:
                    subject = signer.get("subject")
                    break
            out[sha] = {"since": row[0] if row else None, "subject": subject}
    return out


def _refused_announcements(counter: Counter) -> list[dict[str, Any]]:
    from app.rotation import REFUSED
    from sync.reasons import reason_words

    with counter.store._lock:
        rows = counter.store.conn.execute(
            "SELECT at, detail FROM audit WHERE action = ? ORDER BY seq DESC LIMIT 50",
            (REFUSED,)).fetchall()
    out = []
    for at, detail in rows:
        try:
            d = json.loads(detail)
        except ValueError:
            continue
        if not isinstance(d, dict):
            continue
        code = str(d.get("reason") or "")
        out.append({"at": vn_iso(at), "reason": code, "reason_vi": reason_words(code, "vi"),
                    "reason_en": reason_words(code, "en"),
                    "announcement": d.get("announcement"), "next": d.get("next"),
                    "previous": d.get("previous"), "effective_at": vn_iso(d.get("effective_at"))})
    return out


def gateway_certificates(counter: Counter, state: dict[str, Any]) -> dict[str, Any]:
    """{"current": pin | None, "replaced": [pin…], "refused": [announcement…]} where a pin is
    {sha256, short, subject, since, via, retired_from} (times in Vietnam time)."""
    pins = list(state.get("gateway_pins") or [])
    rot = state.get("rotation_refused") or {}
    key = (str(counter.settings.store_path),
           json.dumps([pins, rot.get("count")], sort_keys=True, default=str))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is None:
        cached = {"details": _details(counter, pins),
                  "refused": _refused_announcements(counter) if rot.get("count") else []}
        with _CACHE_LOCK:
            if len(_CACHE) > 32:
                _CACHE.clear()
            _CACHE[key] = cached
    shown = []
    for p in pins:
        d = cached["details"].get(p["sha256"], {})
        shown.append({
            "sha256": p["sha256"], "short": p["sha256"][:16] + "…",
            "subject": p.get("subject") or d.get("subject"),
            "name": common_name(p.get("subject") or d.get("subject")),
            # the moment it took over: the rotation's effective time, else when it was pinned
            "since": vn_iso(p.get("effective_at") if p.get("via") != "enrolment" else None)
            or vn_iso(p.get("pinned_at")) or vn_iso(d.get("since")),
            "via": p.get("via"), "retired_from": vn_iso(p.get("retired_from")),
            "current": bool(p.get("current")),
        })
    current = next((p for p in shown if p["current"]), None)
    return {"current": current, "replaced": [p for p in shown if not p["current"]],
            "refused": list(cached["refused"])}
