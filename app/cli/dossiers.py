"""Dossier commands: intake, show, search, list, cccd."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app import intake, queries
from app.cli.common import counter_of, emit
from app.cli.signer_opts import add_signer_args, open_signer
from app.domain import PortalStatus, to_plain
from app.errors import UserError
from app.textrules import printable


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("intake", help="receive a dossier from a JSON file")
    p.add_argument("--file", required=True, help="dossier JSON ('-' for standard input)")
    p.add_argument("--clerk", help="receiving clerk's username (default: the only account, or the one account the certificate is bound to)")
    p.add_argument("--attach", nargs="*", default=[], help="scanned documents (PDF, JPEG, PNG)")
    add_signer_args(p)
    p.set_defaults(func=cmd_intake)

    p = sub.add_parser("show", help="show one dossier")
    p.add_argument("code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("search", help="search by name (no diacritics needed), ID, phone or code")
    p.add_argument("text")
    p.add_argument("--limit", type=_limit, default=20, help="1–1000 (default 20)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("list", help="list dossiers, newest first")
    p.add_argument("--status", help="status slug or portal code (e.g. accepted, 2, result_ready)")
    p.add_argument("--limit", type=_limit, default=50, help="1–1000 (default 50)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("cccd", help="parse a chip-based citizen ID card QR string (scanner test)")
    p.add_argument("qr")
    p.set_defaults(func=cmd_cccd)


def _limit(text: str) -> int | str:
    """--limit: a whole number; the range (1–1,000) is checked by the service, which says so
    in the user's language (argparse's own message would be English only)."""
    try:
        return int(text)
    except ValueError:
        return text


def _read_json(path: str) -> dict:
    """The dossier document: at most 1 MiB of UTF-8 JSON (app.inputs.load_json)."""
    from app.inputs import JSON_MAX_BYTES, load_json

    shown = printable(path, limit=200)
    size = None  # the whole file's size (only the first 1 MiB + 1 byte is read)
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(JSON_MAX_BYTES + 1)
        else:
            with Path(path).open("rb") as fh:
                raw = fh.read(JSON_MAX_BYTES + 1)
                size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        raise UserError(f"Không tìm thấy tệp {shown}.", f"File {shown} not found.") from None
    except OSError as exc:
        raise UserError(f"Không đọc được tệp {shown}: {exc.strerror}.",
                        f"Cannot read file {shown}: {exc.strerror}.") from None
    if size is not None and len(raw) > JSON_MAX_BYTES:
        raise UserError(f"Tệp {shown} quá lớn ({size / 1e6:.1f} MB; tối đa 1 MB).",
                        f"File {shown} is too large ({size / 1e6:.1f} MB; limit 1 MB).",
                        code="too_large")
    return load_json(raw, source=shown)


def _default_clerk(counter, signer=None) -> str:
    users = counter.store.query("SELECT username FROM users WHERE locked = 0 ORDER BY username")
    if len(users) == 1:
        return users[0]["username"]
    if signer is not None and len(users) > 1:  # the one account this certificate is bound to
        from app.binding import bindings

        sha = getattr(getattr(signer, "info", None), "sha256", "")
        unlocked = {u["username"] for u in users}
        owners = {b["username"] for b in bindings(counter.store, active_only=True)
                  if b["sha256"] == sha and b["username"] in unlocked}
        if len(owners) == 1:
            return str(owners.pop())
    if not users:
        raise UserError("Chưa có tài khoản cán bộ; tạo bằng 'motcua user add'.",
                        "No clerk account yet; create one with 'motcua user add'.", field="clerk")
    raise UserError("Có nhiều tài khoản; chỉ rõ người tiếp nhận bằng --clerk.",
                    "Several accounts exist; name the receiving clerk with --clerk.", field="clerk")


def cmd_intake(args: argparse.Namespace) -> int:
    data = _read_json(args.file)
    req = intake.parse_request(data, [Path(p) for p in args.attach])
    with counter_of(args) as counter, open_signer(args, counter) as signer:
        clerk = args.clerk or _default_clerk(counter, signer)
        result = intake.receive(counter, req, clerk=clerk, signer=signer)
    emit(result)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """From the verified signed events; a dossier whose row and signed events disagree is
    shown from its row under a one-line "does not match its signatures" warning."""
    from app import checkwords as w
    from app import signatures

    mismatch = None
    with counter_of(args, readonly=True) as counter:
        try:
            d = signatures.signed_view(counter, args.code)
        except UserError as exc:
            if exc.code != signatures.MISMATCH_CODE:
                raise
            mismatch = exc
            d = queries.show(counter, args.code) | {"verified": False}
    if args.json:
        emit(d | ({"evidence_problem": mismatch.message(args.lang)} if mismatch else {}))
        return 1 if mismatch is not None else 0  # as the text form: the check found a problem
    en = args.lang == "en"
    a = d["applicant"]
    if mismatch is not None:
        print(("WARNING: " if en else "CẢNH BÁO: ") + mismatch.message(args.lang))
    lines = [
        f"{d['code']}  [{d['status_label_en'] if en else d['status_label']}]",
        f"{'Procedure' if en else 'Thủ tục'}: {d['procedure']['code']} {d['procedure']['name']}",
        f"{'Applicant' if en else 'Người nộp'}: {a['full_name']}  {a.get('citizen_id') or ''}  {a.get('phone') or ''}",
        f"{'Received' if en else 'Tiếp nhận'}: {w.when(d['received_at'])}   "
        f"{'Appointment' if en else 'Hẹn trả'}: "
        f"{w.when(d['appointment_at']) if d['appointment_at'] else '—'}",
    ]
    if d.get("own") is False:  # materialised from another counter of the centre (issue 11)
        no = d.get("owner_counter")
        lines.append(f"Received at counter {no} (another counter of this centre)" if en else
                     f"Tiếp nhận tại quầy {no} (quầy khác cùng trung tâm)")
    for e in d["events"]:  # Vietnam time, the event and its origin in words
        kind = w.EVENT_WORDS.get(e["type"], (e["type"], e["type"]))[1 if en else 0]
        where = {"counter": ("quầy", "counter"), "province": ("tỉnh", "province")}.get(
            e["origin"], (e["origin"], e["origin"]))[1 if en else 0]
        lines.append(f"  {w.when(e['occurred_at'])}  {kind:<34} {where:<8} {e['actor']}")
    # stored text is printed escaped: a control character never reaches the terminal raw
    print("\n".join(printable(line) for line in lines))
    return 1 if mismatch is not None else 0


def _table(rows: list[dict], lang: str) -> None:
    for r in rows:
        label = PortalStatus(r["status_code"]).label_en if lang == "en" else r["status_label"]
        print(printable(f"{r['code']}  {r['received_at'][:16]}  {r['applicant_name']:<28} "
                        f"{r['procedure_code']}  {label}"))


def cmd_search(args: argparse.Namespace) -> int:
    with counter_of(args, readonly=True) as counter:
        res = queries.search(counter, args.text, limit=args.limit)
    if args.json:
        emit(res)
    else:
        _table(res["results"], args.lang)
    if "notice" in res:  # nothing to search for: say why (one line, on stderr)
        print(res["notice"]["en" if args.lang == "en" else "vi"], file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with counter_of(args, readonly=True) as counter:
        rows = queries.list_dossiers(counter, status=args.status, limit=args.limit)
    if args.json:
        emit(rows)
    else:
        _table(rows, args.lang)
    return 0


def cmd_cccd(args: argparse.Namespace) -> int:
    from app.citizen_id import parse_cccd_qr

    emit(to_plain(parse_cccd_qr(args.qr)))
    return 0
