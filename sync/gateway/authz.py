"""Who may say what: the gateway's one authorization table (origin × event type × sender).

Written once here, printed in the README (``python -m sync.gateway.authz`` prints it), and
applied to every pushed event after its envelope is checked and before its signature is
verified (a refusal here costs no CMS work). Province events are made by the gateway itself
(``province_act``), which consults the same table.

Senders:

* ``own_code`` — a counter creating a dossier: the dossier code must lie in the sender's range
  (``<its agency identifier>-<YYMMDD>-<its 2 counter digits><4 digits>``), the code's date must
  be the event's date in Vietnam time and at most one day after the gateway's clock.
* ``centre`` — a counter acting on an existing dossier: only a counter of the dossier's centre
  (same agency identifier), only on a dossier the gateway already holds.
* ``new_or_centre`` — ``own_code`` when the dossier is new to the gateway, ``centre`` when it
  already holds it (a refusal slip for a walk-in citizen, or for a dossier submitted online).
* ``province`` — only the province (the gateway's own ``act``), never a counter.

Anything not in the table is ``type_not_allowed``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sync.wire import VN_TZ, WireError, counter_no_of

OWN_CODE = "own_code"
CENTRE = "centre"
NEW_OR_CENTRE = "new_or_centre"  # a new dossier in its own range, or one of its centre
PROVINCE = "province"


@dataclass(frozen=True)
class Rule:
    """Who may send one event type: ``counter`` is OWN_CODE, CENTRE, NEW_OR_CENTRE or None
    (never)."""

    counter: str | None
    province: bool


#: THE table. Counter-recordable types follow app/actions.py and app/intake.py; province types
#: follow the provincial system's decisions (sync.gateway.service.PROVINCE_ACTIONS).
TABLE: Mapping[str, Rule] = {
    "received": Rule(counter=OWN_CODE, province=False),
    "refused": Rule(counter=NEW_OR_CENTRE, province=False),  # refusal slip: new or online dossier
    "supplement_requested": Rule(counter=CENTRE, province=True),
    "supplement_received": Rule(counter=CENTRE, province=False),
    "fee_paid": Rule(counter=CENTRE, province=False),
    "forwarded": Rule(counter=CENTRE, province=False),
    "withdrawn": Rule(counter=CENTRE, province=False),
    "returned": Rule(counter=CENTRE, province=False),
    "submitted_online": Rule(counter=None, province=True),
    "processing": Rule(counter=None, province=True),
    "fee_requested": Rule(counter=None, province=True),
    "stopped": Rule(counter=None, province=True),
    "result_ready": Rule(counter=None, province=True),
}

#: how far ahead of the gateway's clock an event (or a code's date) may be
MAX_AHEAD = timedelta(days=1)

_CODE_RE = re.compile(r"^(?P<agency>[0-9A-Za-z.]+)-(?P<day>\d{6})-(?P<counter>\d{2})(?P<n>\d{4})$")


@dataclass(frozen=True)
class Sender:
    """The authenticated counter pushing (from its enrolment credential)."""

    agency_code: str
    counter_no: int


@dataclass(frozen=True)
class KnownDossier:
    dossier_code: str
    agency_code: str


def _code_day(code: str) -> tuple[str, date, int]:
    m = _CODE_RE.match(code)
    if not m:
        raise WireError("bad_code", f"dossier code {code!r} is not <agency>-<YYMMDD>-<CCNNNN>")
    d = m["day"]
    try:
        day = date(2000 + int(d[:2]), int(d[2:4]), int(d[4:]))
    except ValueError as exc:
        raise WireError("bad_code", f"dossier code {code!r} has no valid date") from exc
    if int(m["n"]) == 0:
        raise WireError("bad_code", f"dossier code {code!r} has daily number 0000")
    return m["agency"], day, int(m["counter"])


#: a refusal as (reason code, detail); None when there is none
Refusal = tuple[str, str] | None


def static_refusals(
    event_type: str,
    dossier_id: str,
    dossier_code: str,
    occurred_at: datetime,
    body: Mapping[str, Any],
    sender: Sender,
    now: datetime,
) -> tuple[Refusal, Refusal]:
    """The part of a counter event's authorization that needs none of the gateway's records,
    so a signature worker can judge it beside the signature: (the first refusal of the table,
    the clock and the sending counter; the refusal of the own-code-range rules, when the event
    type has them). `check_known` finishes the judgement with the gateway's record of the
    dossier, in the same order as before."""
    rule = TABLE.get(event_type)
    if rule is None:
        return ("type_not_allowed", f"event type {event_type[:40]!r} is not in the table"), None
    if rule.counter is None:
        return ("province_only", f"{event_type!r} events come only from the province"), None
    if occurred_at > now + MAX_AHEAD:
        return ("future_dated", f"event is dated {occurred_at.isoformat()}, more than a day"
                " after the gateway's clock"), None
    who = body.get("counter")
    if not isinstance(who, Mapping) or \
            who.get("agency_code") != sender.agency_code or \
            counter_no_of(who.get("counter_no")) != sender.counter_no:
        return ("wrong_counter", "the signed body names another counter than the credential"
                f" ({sender.agency_code}/{sender.counter_no})"), None
    if rule.counter not in (OWN_CODE, NEW_OR_CENTRE):
        return None, None
    try:
        _check_own_code(dossier_id, dossier_code, occurred_at, body, sender, now)
    except WireError as exc:
        return None, (exc.code, exc.detail)
    return None, None


def _check_own_code(dossier_id: str, dossier_code: str, occurred_at: datetime,
                    body: Mapping[str, Any], sender: Sender, now: datetime) -> None:
    """A new dossier: its code in the sender's range, dated the event's day in Vietnam, not
    ahead of the gateway's date; the dossier inside the body names the same code and id."""
    agency, day, counter_digits = _code_day(dossier_code)
    if agency != sender.agency_code or counter_digits != sender.counter_no:
        raise WireError("not_your_code", f"code {dossier_code} is outside the range of"
                        f" counter {sender.counter_no:02d} of {sender.agency_code}")
    today = now.astimezone(VN_TZ).date()
    if day > today + MAX_AHEAD:
        raise WireError("future_dated", f"code {dossier_code} is dated {day}, more than a"
                        f" day after the gateway's date {today}")
    if day != occurred_at.astimezone(VN_TZ).date():
        raise WireError("bad_code", f"code {dossier_code} is dated {day}, but the event"
                        f" happened on {occurred_at.astimezone(VN_TZ).date()}")
    data = body.get("data")
    if isinstance(data, Mapping) and (
        ("code" in data and data["code"] != dossier_code)
        or ("id" in data and data["id"] != dossier_id)
    ):
        raise WireError("bad_code", "the dossier inside the event names another code or id")


def check_known(event_type: str, dossier_code: str, sender: Sender, known: KnownDossier | None,
                refusals: tuple[Refusal, Refusal]) -> None:
    """Finish a counter event's authorization from `static_refusals` and the gateway's record
    of the dossier (``known``, None when it has never seen it): raise WireError with the
    reason."""
    first, own = refusals
    if first is not None:
        raise WireError(*first)
    rule = TABLE[event_type]
    if rule.counter == OWN_CODE or (rule.counter == NEW_OR_CENTRE and known is None):
        if own is not None:
            raise WireError(*own)
        if known is not None and (known.agency_code != sender.agency_code
                                  or known.dossier_code != dossier_code):
            raise WireError("dossier_conflict", "this dossier id belongs to another dossier")
        return
    # CENTRE: an existing dossier of the sender's own centre
    if known is None:
        raise WireError("unknown_dossier", f"the gateway holds no dossier {dossier_code}; its"
                        " receipt must be delivered first")
    if known.agency_code != sender.agency_code:
        raise WireError("not_your_dossier", f"dossier {dossier_code} belongs to another centre")
    if known.dossier_code != dossier_code:
        raise WireError("dossier_conflict", "dossier id and code do not belong together")


def check_province_event(event_type: str) -> None:
    rule = TABLE.get(event_type)
    if rule is None or not rule.province:
        raise WireError("type_not_allowed", f"the province does not record {event_type!r}")


def table_markdown() -> str:
    """The table as it is printed in the README."""
    words = {OWN_CODE: "its own code range (new dossier)", CENTRE: "dossiers of its centre",
             NEW_OR_CENTRE: "its own code range (new dossier) or dossiers of its centre",
             None: "never"}
    lines = ["| event type | a counter may send it | the province may send it |",
             "| --- | --- | --- |"]
    for etype, rule in TABLE.items():
        lines.append(f"| `{etype}` | {words[rule.counter]} | {'yes' if rule.province else 'no'} |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - documentation helper
    print(table_markdown())
