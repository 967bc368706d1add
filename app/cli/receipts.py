"""Receipt and slip commands: `motcua receipt …`, `motcua slip supplement|refusal|control|book`.

Qt is imported inside the command functions only (ui.printing), so building the parser — and
every other command — works without Qt. Each command writes one PDF (optionally PAdES-signed
with the clerk's key) and prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from app import receipts
from app.cli.common import counter_of, emit
from app.cli.signer_opts import add_signer_args, open_signer
from app.context import Counter
from app.errors import UserError

LAYOUT_CHOICES = ("a4", "a5", "roll80")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("receipt", help="write a dossier's receipt (form 01) as PDF")
    p.add_argument("code", help="dossier code")
    _output_args(p, default_layout="a4")
    p.add_argument("--copy", choices=["1", "2"], default="2",
                   help="1 = Liên 1: lưu (kept), 2 = Liên 2: giao người nộp (citizen's, default)")
    p.add_argument("--reprint-reason", help="this is a reprint: the reason (logged, printed)")
    p.add_argument("--clerk", help="username of the clerk reprinting (with --reprint-reason)")
    p.set_defaults(func=cmd_receipt)

    p = sub.add_parser("slip", help="one-stop slips and the tracking book as PDF")
    ss = p.add_subparsers(dest="slip_cmd", required=True, metavar="KIND")

    a = ss.add_parser("supplement", help="supplement request slip (form 02)")
    a.add_argument("code", help="dossier code")
    a.add_argument("--item", action="append", metavar="NAME[|FORM[|COUNT[|NOTE]]]",
                   help="a missing item, repeatable; FORM: original (default), certified_copy, "
                        "copy, shown")
    a.add_argument("--reason", help="why the dossier is incomplete (with --item)")
    a.add_argument("--clerk", help="guiding clerk's username (default: the receiving clerk)")
    a.add_argument("--contact-phone", help="phone to call (default: meta receipt.contact_phone)")
    _output_args(a, default_layout="a4")
    a.set_defaults(func=cmd_supplement)

    a = ss.add_parser("refusal", help="refusal slip (form 03)")
    a.add_argument("code", nargs="?", help="dossier code, when the dossier was entered")
    a.add_argument("--file", help="dossier JSON (intake format) of a dossier never entered")
    a.add_argument("--reason", help="why the dossier is refused (not needed to reprint the "
                                    "slip of a refusal already recorded)")
    a.add_argument("--clerk", help="refusing clerk's username")
    _output_args(a, default_layout="a4")
    a.set_defaults(func=cmd_refusal)

    a = ss.add_parser("control", help="processing-control slip (form 04)")
    a.add_argument("code", help="dossier code")
    a.add_argument("--blank-rows", type=int, default=3, help="empty rows for later steps")
    _output_args(a, default_layout="a4")
    a.set_defaults(func=cmd_control)

    a = ss.add_parser("book", help="tracking book (sổ theo dõi hồ sơ) for a date range")
    a.add_argument("--from", dest="date_from", help="first day YYYY-MM-DD (default: today)")
    a.add_argument("--to", dest="date_to", help="last day YYYY-MM-DD (default: --from)")
    _output_args(a, default_layout="a4")
    a.set_defaults(func=cmd_book)


def _output_args(p: argparse.ArgumentParser, *, default_layout: str) -> None:
    p.add_argument("--out", required=True, help="PDF file to write")
    p.add_argument("--layout", choices=LAYOUT_CHOICES, default=None,
                   help="a4, a5 or roll80 (80 mm thermal roll, one continuous page); default: "
                        "the configured receipt_layout")
    p.add_argument("--sign", action="store_true",
                   help="sign the PDF (PAdES) with the clerk's certificate")
    add_signer_args(p)


def _wants_signature(args: argparse.Namespace) -> bool:
    return bool(args.sign or args.p12 or args.pkcs11_module)


def _write(args: argparse.Namespace, counter: Counter, model: receipts.Model,
           signer: object | None = None) -> dict[str, Any]:
    """Render (Qt, imported here) and optionally sign; the JSON summary of the output."""
    from app.gui import render_pdf

    out = Path(args.out)
    if out.parent and not out.parent.exists():
        raise UserError(f"Thư mục {out.parent} không tồn tại.",
                        f"Folder {out.parent} does not exist.", field="out")
    layout = args.layout or counter.setting("receipt_layout")
    pages = render_pdf(model, out, layout)
    if signer is not None:
        from signing.pdf import sign_pdf

        try:
            sign_pdf(out, out, signer, reason=model.title.capitalize(),
                     location=receipts.place_of(counter))
        except BaseException:
            out.unlink(missing_ok=True)  # never leave an unsigned file that was asked signed
            raise
    return {"out": str(out), "layout": layout, "pages": pages,
            "signed": signer is not None, "document": model.kind,
            "code": getattr(model, "code", "")}


def _run(args: argparse.Namespace, build) -> int:  # type: ignore[no-untyped-def]
    """Open the counter (and the signer before anything is logged), build, write."""
    with counter_of(args) as counter:
        counter.require_initialised()
        signer = open_signer(args, counter) if _wants_signature(args) else None
        try:
            model, extra = build(counter)
            emit(_write(args, counter, model, signer) | extra)
        finally:
            if signer is not None:
                signer.close()
    return 0


def cmd_receipt(args: argparse.Namespace) -> int:
    def build(counter: Counter):  # type: ignore[no-untyped-def]
        reprint = None
        if args.reprint_reason is not None:
            if not args.clerk:
                raise UserError("In lại giấy tiếp nhận cần --clerk TÊN_ĐĂNG_NHẬP.",
                                "A reprint needs --clerk USER.", field="clerk")
            receipts.receipt_model(counter, args.code)  # the dossier exists before logging
            receipts.record_reprint(counter, args.code, args.reprint_reason, args.clerk)
            reprint = receipts.last_reprint(counter, args.code)
        model = receipts.receipt_model(counter, args.code, copy_label=int(args.copy),
                                       reprint=reprint)
        return model, {"reprint": reprint.number if reprint else None}

    return _run(args, build)


def _run_recorded(args: argparse.Namespace, record, build) -> int:  # type: ignore[no-untyped-def]
    """Slips that change a dossier's life: the clerk signs the event first (supplement
    request, refusal record), then the PDF is built from the verified signed data."""
    with counter_of(args) as counter:
        counter.require_initialised()
        signer = open_signer(args, counter)
        try:
            recorded = record(counter, signer)
            model = build(counter, recorded)
            emit(_write(args, counter, model, signer) | {"recorded": recorded})
        finally:
            signer.close()
    return 0


def _latest_signed(counter: Counter, code: str, etype: str) -> dict[str, Any] | None:
    """Data of the dossier's newest signed event of one type (None when it has none)."""
    rows = counter.store.query(
        "SELECT CAST(e.payload AS BLOB) AS payload FROM events e JOIN dossiers d "
        "ON d.id = e.dossier_id WHERE d.code = ? AND e.type = ? "
        "ORDER BY e.occurred_at DESC, e.seq DESC LIMIT 1", (code.strip().upper(), etype))
    return (json.loads(rows[0]["payload"]).get("data") or {}) if rows else None


def _latest_signed_event(counter: Counter, code: str,
                         etype: str) -> tuple[dict[str, Any], str] | None:
    """(data, occurred_at) of the dossier's newest signed event of one type, or None."""
    rows = counter.store.query(
        "SELECT CAST(e.payload AS BLOB) AS payload, e.occurred_at FROM events e JOIN dossiers d "
        "ON d.id = e.dossier_id WHERE d.code = ? AND e.type = ? AND e.signature IS NOT NULL "
        "ORDER BY e.occurred_at DESC, e.seq DESC LIMIT 1", (code.strip().upper(), etype))
    if not rows:
        return None
    return (json.loads(rows[0]["payload"]).get("data") or {}), str(rows[0]["occurred_at"])


def cmd_supplement(args: argparse.Namespace) -> int:
    """With --item: record the signed supplement request (refused when the dossier's state does
    not allow one), then print form 02 from it. Without --item: reprint the dossier's current
    signed request (no key needed: it is signed already; --sign still signs the PDF)."""
    from app import actions
    from app.domain import EventType

    def record(counter: Counter, signer):  # type: ignore[no-untyped-def]
        if not args.item:
            return None
        items = [receipts.parse_missing_item(t) for t in args.item]
        clerk = args.clerk or _receiving_clerk(counter, args.code)
        return actions.request_supplement(
            counter, args.code,
            [{"name": i.name, "form": i.form, "count": i.count, "note": i.note} for i in items],
            reason=args.reason or "", clerk=clerk, signer=signer)

    def build(counter: Counter, recorded):  # type: ignore[no-untyped-def]
        view = receipts._dossier(counter, args.code)
        data = _latest_signed(counter, args.code, EventType.SUPPLEMENT_REQUESTED.value)
        if data is None or view["status"] != "supplement_requested":
            raise UserError(
                f"Hồ sơ {view['code']} không có yêu cầu bổ sung đang chờ; hãy ghi --item và "
                "--reason để lập yêu cầu.",
                f"Dossier {view['code']} has no pending supplement request; give --item and "
                "--reason to make one.", code="not_allowed")
        items = [receipts.MissingItem(str(i.get("name") or ""), str(i.get("form") or "original"),
                                      int(i.get("count") or 1), str(i.get("note") or ""))
                 for i in data.get("items") or []]
        return receipts.supplement_model(counter, args.code, items, str(data.get("reason") or ""),
                                         clerk=args.clerk, contact_phone=args.contact_phone)

    if not args.item:  # a reprint of what is already signed: no key unless --sign asks
        if args.reason:
            raise UserError(
                "--reason chỉ dùng khi lập yêu cầu bổ sung mới (cùng --item); bản in lại lấy lý "
                "do từ yêu cầu đã ký.",
                "--reason is only for a new supplement request (with --item); a reprint takes "
                "the reason from the signed request.", field="reason")
        return _run(args, lambda counter: (build(counter, None), {"recorded": None}))
    from app import inputs  # the items and reason are checked before the key is asked for

    parsed = [receipts.parse_missing_item(t) for t in args.item]
    inputs.validate(inputs.SupplementIn, {
        "items": [{"name": i.name, "form": i.form, "count": i.count} for i in parsed],
        "reason": args.reason or ""})
    return _run_recorded(args, record, build)


def _receiving_clerk(counter: Counter, code: str) -> str:
    rows = counter.store.query("SELECT clerk FROM dossiers WHERE code = ?",
                               (code.strip().upper(),))
    if not rows:
        raise UserError(f"Không tìm thấy hồ sơ '{code}'.", f"Dossier '{code}' not found.",
                        field="code", code="not_found")
    return str(rows[0]["clerk"])


def _read_dossier_file(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"Không tìm thấy tệp {path}.", f"File {path} not found.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"Tệp {path} không phải JSON hợp lệ: {exc}.",
                        f"File {path} is not valid JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise UserError(f"Tệp {path} phải là một đối tượng JSON.",
                        f"File {path} must hold a JSON object.")
    return data


def _refused_fields(counter: Counter, data: dict[str, Any]) -> dict[str, Any]:
    """Applicant and procedure of a refused dossier, read leniently: a refused dossier is
    often incomplete, which is why it is refused."""
    from app import units

    a = data.get("applicant") if isinstance(data.get("applicant"), dict) else {}
    addr = a.get("address") if isinstance(a.get("address"), dict) else {}
    commune = units.commune(addr.get("commune_code")) if addr.get("commune_code") else None
    province = units.province(addr.get("province_code")) if addr.get("province_code") else None
    address = ", ".join(p for p in (str(addr.get("detail") or "").strip(),
                                    commune.name if commune else "",
                                    province.name if province else "") if p)
    proc = counter.catalogue().get(str(data.get("procedure_code") or ""))
    return {"applicant_name": str(a.get("full_name") or ""), "address": address,
            "phone": str(a.get("phone") or ""), "email": str(a.get("email") or ""),
            "procedure_name": proc.name if proc else str(data.get("procedure_code") or "")}


def cmd_refusal(args: argparse.Namespace) -> int:
    """Form 03 is a signed refusal record with its own number (see actions.record_refusal):
    recorded first, then printed from the verified record."""
    if not args.code and not args.file:
        raise UserError("Cần MÃ_HỒ_SƠ hoặc --file HỒ_SƠ.json.", "Give a CODE or --file DOSSIER.json.",
                        field="code")
    from app import actions
    from app.cli.dossiers import _default_clerk

    data = _read_dossier_file(args.file) if args.file else {}

    def record(counter: Counter, signer):  # type: ignore[no-untyped-def]
        clerk = args.clerk or _default_clerk(counter)
        applicant = data.get("applicant") if isinstance(data.get("applicant"), dict) else {}
        return actions.record_refusal(
            counter, reason=args.reason, clerk=clerk, signer=signer, code=args.code,
            applicant=applicant, procedure_code=str(data.get("procedure_code") or ""))

    def build(counter: Counter, recorded):  # type: ignore[no-untyped-def]
        extra = _refused_fields(counter, data) if args.file else {}
        return receipts.refusal_model(counter, reason=args.reason, code=recorded["code"],
                                      clerk=args.clerk or None, **extra)

    if args.code and not args.file:
        with counter_of(args, readonly=True) as counter:
            signed = _latest_signed_event(counter, args.code, "refused")
        if signed is not None:  # a refusal already recorded: reprint it, no key needed
            return _run(args, lambda counter: (_refusal_reprint(args, counter, *signed),
                                               {"recorded": None}))
    if not " ".join((args.reason or "").split()):  # before asking for the key
        raise UserError("Phải nêu lý do từ chối tiếp nhận (--reason).",
                        "A refusal reason is required (--reason).", field="reason")
    return _run_recorded(args, record, build)


def _refusal_reprint(args: argparse.Namespace, counter: Counter, data: dict[str, Any],
                     at: str) -> receipts.Model:
    """Form 03 again from the signed refusal record (its reason, its date)."""
    from datetime import datetime

    reason = str(data.get("reason") or (data.get("refusal") or {}).get("reason") or "")
    given = " ".join((args.reason or "").split())
    if given and given != reason:
        raise UserError(
            f"Hồ sơ {args.code.strip().upper()} đã có phiếu từ chối đã ký với lý do khác; bản "
            "in lại giữ lý do đã ký (bỏ --reason).",
            f"Dossier {args.code.strip().upper()} already has a signed refusal with another "
            "reason; a reprint keeps the signed reason (leave out --reason).",
            field="reason", code="not_allowed")
    return receipts.refusal_model(counter, reason=reason, code=args.code,
                                  clerk=args.clerk or None, at=datetime.fromisoformat(at))


def cmd_control(args: argparse.Namespace) -> int:
    return _run(args, lambda counter: (
        receipts.control_model(counter, args.code, blank_rows=max(0, args.blank_rows)), {}))


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"Ngày '{text}' không đúng dạng YYYY-MM-DD.",
                        f"Date '{text}' is not YYYY-MM-DD.", field=name) from None


def cmd_book(args: argparse.Namespace) -> int:
    from app.domain import now_vn

    first = _day(args.date_from, "from") or now_vn().date()
    last = _day(args.date_to, "to") or first
    return _run(args, lambda counter: (receipts.tracking_book_model(counter, first, last),
                                       {"from": first.isoformat(), "to": last.isoformat()}))


__all__ = ["register", "cmd_receipt", "cmd_supplement", "cmd_refusal", "cmd_control",
           "cmd_book", "LAYOUT_CHOICES"]
