"""Store commands: init, backup, restore, check, audit verify."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import counter_of, emit
from app.context import init_counter
from localdb import backup as bk


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="set up this counter (agency code, counter number)")
    p.add_argument("--agency-code", help="agency identifier code, e.g. 000.20.27.H57 "
                   "(default: agency_code from the configuration)")
    p.add_argument("--counter", type=int, help="counter number in the centre (1-99) "
                   "(default: counter from the configuration)")
    p.add_argument("--centre-name", default=None, help="name printed on receipts (default: "
                   "centre_name from the configuration, which then keeps deciding it)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("backup", help="back the store up into one file (safe while running)")
    p.add_argument("file")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the store with a backup (keeps a copy first)")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("check", help="integrity check: database, search index, audit chain, scans")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("audit", help="audit log")
    asub = p.add_subparsers(dest="audit_cmd", required=True)
    v = asub.add_parser("verify", help="verify the hash chain against the signed heads and "
                                       "the gateway's witness")
    v.add_argument("--offline", action="store_true", help="do not ask the gateway")
    v.set_defaults(func=cmd_audit_verify)


def cmd_init(args: argparse.Namespace) -> int:
    """Identity from the options, else from the configuration (site/user file, MOTCUA_*):
    the agency code and number are recorded in the store (they never change afterwards); a
    centre name given here is recorded too, else the configured one keeps applying."""
    from app.errors import UserError

    with counter_of(args) as counter:
        config = counter.settings.config
        agency = args.agency_code or (config.get("agency_code") if config else "") or ""
        number = args.counter if args.counter is not None else (
            int(config.get("counter") or 0) if config else 0)
        missing = [opt for opt, v in (("--agency-code", agency), ("--counter", number)) if not v]
        if missing:
            raise UserError(
                f"Thiếu {' và '.join(missing)}: hãy ghi trên dòng lệnh hoặc đặt agency_code/"
                "counter trong tệp cấu hình (motcua config show).",
                f"Missing {' and '.join(missing)}: give it on the command line or set "
                "agency_code/counter in the configuration file (motcua config show).",
                code="init_identity_missing")
        init_counter(counter, agency_code=agency, counter_no=number,
                     centre_name=args.centre_name or "")
        emit({"agency_code": counter.agency_code, "counter_no": counter.counter_no,
              "centre_name": counter.centre_name, "store": str(counter.settings.store_path)})
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with counter_of(args) as counter:
        info = bk.backup(counter.store, Path(args.file), counter.settings.attachments_dir)
    emit({"file": str(info.path), "dossiers": info.dossiers, "events": info.events,
          "attachments": info.attachments, "bytes": info.bytes})
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    with counter_of(args) as counter:
        info = bk.restore(counter.store, Path(args.file), counter.settings.attachments_dir,
                          counter.settings.backups_dir)
    emit({"restored_from": str(info.path), "dossiers": info.dossiers, "events": info.events,
          "attachments": info.attachments})
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with counter_of(args) as counter:
        problems = bk.integrity_problems(counter.store, counter.settings.attachments_dir)
    if problems:
        head = "Phát hiện vấn đề:" if args.lang != "en" else "Problems found:"
        print(head)
        for p in problems:
            print(f"  - {p}")
        return 1
    print("Dữ liệu toàn vẹn (ok)." if args.lang != "en" else "Store is healthy (ok).")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from app import signatures

    en = args.lang == "en"
    with counter_of(args) as counter:
        count, problems, anchors = signatures.audit_report(counter)
        witness = signatures.witness_check(counter, online=not getattr(args, "offline", False))
    bad = [p.describe(args.lang) for p in problems]
    bad += [a["detail"] if en else a["detail_vi"] for a in anchors]
    bad += witness["problems_en" if en else "problems_vi"]
    if witness.get("note_en"):
        print(witness["note_en"] if en else witness["note_vi"])
    if bad:
        print("The audit log was tampered with:" if en else "Nhật ký bị thay đổi:")
        for line in bad:
            print(f"  - {line}")
        return 1
    print(f"{count} audit rows, hash chain intact and matching the signed heads." if en
          else f"{count} dòng nhật ký, chuỗi băm nguyên vẹn và khớp các đầu chuỗi đã ký.")
    return 0
