"""The slips a clerk prints from the window (one service per use case; the CLI's `motcua
receipt …` commands build the same models): refusal at the counter (form 03, recorded and
signed first), supplement request (02, from the dossier's newest signed request), processing
control (04) and the tracking book (05). Each returns a model for ui.printing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from app import receipts
from app.context import Counter
from app.errors import UserError


def _address(addr: dict[str, Any]) -> str:
    from app import units

    cc, pc = str(addr.get("commune_code") or ""), str(addr.get("province_code") or "")
    commune = units.commune(cc) if cc else None
    province = units.province(pc) if pc else None
    return ", ".join(p for p in (str(addr.get("detail") or "").strip(),
                                 commune.name if commune else "",
                                 province.name if province else "") if p)


def refuse_at_counter(counter: Counter, form: dict[str, Any], reason: str, *, clerk: str,
                      signer: Any) -> tuple[dict[str, Any], receipts.SlipModel]:
    """Form 03 from the intake form: a signed, numbered refusal of what the citizen brought
    (the form may be incomplete: that is why it is refused). Returns (record, slip)."""
    from app import actions

    raw = form.get("applicant")
    a: dict[str, Any] = raw if isinstance(raw, dict) else {}
    recorded = actions.record_refusal(counter, reason=reason, clerk=clerk, signer=signer,
                                      applicant=a,
                                      procedure_code=str(form.get("procedure_code") or ""))
    proc = counter.catalogue().get(str(form.get("procedure_code") or ""))  # type: ignore[no-untyped-call]
    raw_addr = a.get("address")
    addr: dict[str, Any] = raw_addr if isinstance(raw_addr, dict) else {}
    slip = receipts.refusal_model(
        counter, reason=reason, code=recorded["code"], clerk=clerk,
        applicant_name=str(a.get("full_name") or ""), address=_address(addr),
        phone=str(a.get("phone") or ""), email=str(a.get("email") or ""),
        procedure_name=proc.name if proc else str(form.get("procedure_code") or ""))
    return recorded, slip


def supplement_slip(counter: Counter, code: str, *, clerk: str | None = None
                    ) -> receipts.SlipModel:
    """Form 02 from the dossier's newest signed supplement request."""
    rows = counter.store.query(
        "SELECT CAST(e.payload AS BLOB) AS payload FROM events e JOIN dossiers d "
        "ON d.id = e.dossier_id WHERE d.code = ? AND e.type = 'supplement_requested' "
        "ORDER BY e.occurred_at DESC, e.seq DESC LIMIT 1", (code.strip().upper(),))
    if not rows:
        raise UserError(f"Hồ sơ {code} chưa có yêu cầu bổ sung.",
                        f"Dossier {code} has no supplement request.", code="not_allowed")
    data = json.loads(rows[0]["payload"]).get("data") or {}
    items = [receipts.MissingItem(str(i.get("name") or ""), str(i.get("form") or "original"),
                                  int(i.get("count") or 1), str(i.get("note") or ""))
             for i in data.get("items") or []]
    return receipts.supplement_model(counter, code, items, str(data.get("reason") or ""),
                                     clerk=clerk)


def control_slip(counter: Counter, code: str) -> receipts.TableModel:
    """Form 04: the dossier's hand-overs so far and blank rows for the next ones."""
    return receipts.control_model(counter, code)


def tracking_book(counter: Counter, date_from: date, date_to: date) -> receipts.TableModel:
    """Form 05: what this counter received between two dates."""
    return receipts.tracking_book_model(counter, date_from, date_to)
