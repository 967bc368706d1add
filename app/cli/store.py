"""Store commands: init, backup, restore, check, audit verify."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import storeops
from app.cli.common import counter_of, emit, settings_of
from app.context import init_counter
from app.errors import UserError
from localdb import backup as bk
from localdb.engine import file_kind


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

    p = sub.add_parser("restore", help="replace the store with a backup (exclusive; keeps a "
                       "safety copy first; works over a broken store)")
    p.add_argument("file")
    p.add_argument("--hardware-replacement", action="store_true",
                   help="this machine replaces the backup's counter (administrator statement, "
                        "audited); without it another counter's backup is refused")
    p.add_argument("--by", default="", help="the administrator stating the replacement")
    p.add_argument("--key-file", help="key of an encrypted backup made on another machine")
    p.add_argument("--wait", type=float, default=10.0,
                   help="seconds to wait for other programs to close the store (default 10)")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("store", help="the store file: encryption at rest, key escrow")
    ss = p.add_subparsers(dest="store_cmd", required=True)
    e = ss.add_parser("encrypt", help="convert a plaintext store to SQLCipher in place "
                      "(after a safety copy)")
    e.set_defaults(func=cmd_store_encrypt)
    e = ss.add_parser("status", help="where the store is, whether it is encrypted, file modes")
    e.set_defaults(func=cmd_store_status)
    e = ss.add_parser("export-key", help="write the store key to a 0600 file for IT's escrow")
    e.add_argument("file")
    e.set_defaults(func=cmd_store_export_key)

    p = sub.add_parser("check", help="integrity check: database, search index, audit chain, scans")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("repair", help="re-queue events the gateway never acknowledged, re-create "
                                      "the append-only triggers, optionally delete scans no "
                                      "dossier references (audited)")
    p.add_argument("--remove-unreferenced-scans", action="store_true")
    p.add_argument("--json", action="store_true", help="what was done, as JSON")
    p.add_argument("--offline", action="store_true",
                   help="do not ask the gateway which of this counter's events it holds")
    p.set_defaults(func=cmd_repair)

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

    with counter_of(args, create=True) as counter:
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
        info = storeops.backup_store(counter.store, counter.settings, Path(args.file))
        encrypted = counter.store.key is not None
    emit({"file": str(info.path), "dossiers": info.dossiers, "events": info.events,
          "attachments": info.attachments, "files": info.files, "counter": info.counter,
          "encrypted": encrypted, "bytes": info.bytes})
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    info = storeops.restore_store(settings_of(args), Path(args.file),
                                  hardware_replacement=args.hardware_replacement,
                                  stated_by=args.by,
                                  key_file=Path(args.key_file) if args.key_file else None,
                                  lock_wait_s=args.wait)
    emit({"restored_from": str(info.path), "counter": info.counter, "dossiers": info.dossiers,
          "events": info.events, "attachments": info.attachments, "files": info.files,
          "safety_copy": str(info.safety_copy) if info.safety_copy else None,
          "moved_aside": [str(p) for p in info.moved_aside],
          "hardware_replacement": info.hardware_replacement})
    if info.moved_aside:
        print(("Tệp dữ liệu hỏng đã được chuyển sang: " if args.lang != "en" else
               "The broken store was moved aside to: ") + str(info.moved_aside[0]),
              file=sys.stderr)
    print("Khi có mạng, chạy 'motcua sync recover' để lấy lại các hồ sơ sau bản sao lưu từ cổng "
          "tỉnh, trước khi tiếp nhận hồ sơ mới." if args.lang != "en" else
          "When online, run 'motcua sync recover' to take back from the gateway the dossiers "
          "made after this backup, before receiving new ones.", file=sys.stderr)
    return 0


def cmd_store_encrypt(args: argparse.Namespace) -> int:
    emit(storeops.encrypt_store(settings_of(args)))
    return 0


def cmd_store_status(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    path = settings.store_path
    kind = file_kind(path)
    modes = {}
    for p in [settings.data_dir, *bk.store_files(path)]:
        if p.exists():
            modes[str(p)] = oct(p.stat().st_mode & 0o777)
    emit({"store": str(path), "state": kind, "new_stores": storeops.encryption_mode(settings),
          "key_available": storeops.read_key(settings) is not None, "modes": modes})
    return 0


def cmd_store_export_key(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    key = storeops.read_key(settings)
    if key is None:
        raise UserError("Máy này không có khoá dữ liệu để xuất.",
                        "This machine holds no store key to export.", code="no_key")
    storeops.write_key_file(Path(args.file), key)
    emit({"key_file": str(Path(args.file))})
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 and one line when everything agrees; else exit 1, the count and one line per
    problem, in the user's language."""
    from app import repair, signatures

    with counter_of(args) as counter:  # from here on args.lang is the counter's language
        found = [(vi, en_) for _kind, vi, en_ in
                 bk.integrity_findings(counter.store, counter.settings.attachments_dir)]
        skipped: list[str] = []
        found += [(a["detail_vi"], a["detail"]) for a in signatures.anchor_check(counter, skipped)]
        found += [(f["vi"], f["en"]) for f in repair.findings(counter)]
    en = args.lang == "en"
    if skipped:  # a note, not a problem: the restore is audited
        note = signatures.rolled_back_words(len(skipped))
        print(("Note: " + note[1]) if en else ("Ghi chú: " + note[0]))
    if found:
        print(f"Problems found: {len(found)}" if en else f"Phát hiện {len(found)} vấn đề:")
        for vi, en_ in found:
            print(f"  - {en_ if en else vi}")
        return 1
    print("Store is healthy: database, search index, audit log (matching the heads recorded in "
          "events), scans, send queue and protective triggers. Signatures are checked by "
          "'motcua verify'." if en else
          "Dữ liệu toàn vẹn: cơ sở dữ liệu, chỉ mục tìm kiếm, nhật ký (khớp các đầu chuỗi ghi "
          "trong sự kiện), tệp quét, hàng đợi gửi và các ràng buộc bảo vệ. Chữ ký được kiểm bằng "
          "'motcua verify'.")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Exit 0 when the chain is intact, matches every signed head (each anchoring event's
    signature checked) and, online, the gateway's witness; else exit 1 naming each problem."""
    from app import signatures

    with counter_of(args) as counter:  # from here on args.lang is the counter's language
        skipped: list[str] = []
        count, problems, anchors = signatures.audit_report(counter, skipped)
        witness = signatures.witness_check(counter, online=not getattr(args, "offline", False))
        from app.timestamps import gateway_holdings  # the gateway's copy of our own chain

        held = gateway_holdings(counter, online=witness["checked"])
    en = args.lang == "en"
    if skipped:  # a note, not a problem: the restore is audited
        note = signatures.rolled_back_words(len(skipped))
        print(("Note: " + note[1]) if en else ("Ghi chú: " + note[0]))
    bad = [p.describe(args.lang) for p in problems]
    bad += [a["detail"] if en else a["detail_vi"] for a in anchors]
    bad += witness["problems_en" if en else "problems_vi"]
    if witness.get("note_en"):
        print(witness["note_en"] if en else witness["note_vi"])
    for line in witness.get("restores_en" if en else "restores_vi", []):
        print(("Note: " if en else "Ghi chú: ") + line)
    apart = held["problems_en" if en else "problems_vi"]
    if apart:
        print("The gateway's copy of this counter's events differs:" if en
              else "Bản lưu các sự kiện của quầy ở cổng tỉnh không khớp:")
        for line in apart:
            print(f"  - {line}")
    if bad:
        print(f"The audit log does not hold up ({len(bad)} problem(s)):" if en else
              f"Nhật ký không còn nguyên vẹn ({len(bad)} vấn đề):")
        for line in bad:
            print(f"  - {line}")
    if bad or apart:
        return 1
    witnessed = (" and the head the gateway witnessed" if en else
                 " và với bản cổng tỉnh đã chứng kiến") if witness.get("checked") else ""
    print(f"{count} audit rows, hash chain intact and matching the signed heads{witnessed}." if en
          else f"{count} dòng nhật ký, chuỗi băm nguyên vẹn và khớp các đầu chuỗi đã ký"
               f"{witnessed}.")
    return 0


def cmd_repair(args: argparse.Namespace) -> int:
    """What was repaired, then what is left (it cannot invent deleted evidence): exit 0 when
    nothing is left, 1 when problems remain (each named)."""
    from app import repair

    with counter_of(args) as counter:  # from here on args.lang is the counter's language
        done = repair.repair(counter, remove_scans=args.remove_unreferenced_scans,
                             online=not getattr(args, "offline", False))
        left = repair.findings(counter)
    en = args.lang == "en"
    if args.json:
        emit({**done, "remaining": [{"kind": f["kind"], "message": f["en" if en else "vi"]}
                                    for f in left]})
        return 1 if left else 0
    for line in repair.done_lines(done, args.lang):
        print(line)
    if left:
        print(f"Still to fix ({len(left)}; 'motcua repair' cannot):" if en else
              f"Còn {len(left)} vấn đề 'motcua repair' không sửa được:")
        for f in left:
            print(f"  - {f['en'] if en else f['vi']}")
        return 1
    return 0
