"""A dossier's status, derived from its events (never stored as the truth).

Events from the counter and the province are merged as a union by id and replayed in time
order; an event that the current status does not allow is kept and reported as a
contradiction for a clerk to resolve, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain import ALLOWED_AFTER, EVENT_STATUS, EventType, PortalStatus


@dataclass(frozen=True)
class Derived:
    status: PortalStatus
    contradictions: list[dict]


def derive_status(events: list[dict]) -> Derived:
    """events: dicts with at least `type`, `occurred_at`, `id` (any order)."""
    ordered = sorted(events, key=lambda e: (e["occurred_at"], e.get("seq") or 0, e["id"]))
    status: PortalStatus | None = None
    contradictions: list[dict] = []
    for ev in ordered:
        try:
            etype = EventType(ev["type"])
        except ValueError:
            contradictions.append({"event_id": ev["id"], "type": ev["type"], "reason": "unknown_type"})
            continue
        target = EVENT_STATUS[etype]
        if status is None:
            if etype not in (EventType.RECEIVED, EventType.SUBMITTED_ONLINE, EventType.REFUSED):
                contradictions.append({"event_id": ev["id"], "type": etype.value,
                                       "reason": "before_receipt"})
            status = target
            continue
        if etype not in ALLOWED_AFTER.get(status, set()):
            contradictions.append({"event_id": ev["id"], "type": etype.value,
                                   "reason": f"not_allowed_after_{status.slug}"})
            continue
        status = target
    return Derived(status or PortalStatus.NEW, contradictions)
