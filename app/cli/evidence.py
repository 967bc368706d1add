"""Signature commands: verify the whole store, export a dossier's evidence, manage trust."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import signatures
from app.cli.common import counter_of, emit, settings_of
from app.cli.signer_opts import add_signer_args, open_signer
from app.domain import to_plain
from app.trust import add_anchor, anchor_files, load_trust


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="re-verify every stored signature and signed record; with a "
                                      "signing key, also check that key can sign and verify now")
    p.add_argument("--json", action="store_true")
    add_signer_args(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("export", help="write a dossier's signed bytes, .p7s and chain for openssl")
    p.add_argument("code")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("trust", help="trust anchors and CRLs for clerks' certificates")
    ts = p.add_subparsers(dest="trust_cmd", required=True)
    a = ts.add_parser("add", help="install a root/sub-CA certificate file")
    a.add_argument("file")
    a.set_defaults(func=cmd_trust_add)
    a = ts.add_parser("list", help="anchors and cached CRLs (stale ones flagged)")
    a.set_defaults(func=cmd_trust_list)
    a = ts.add_parser("add-crl", help="add a CRL file to the offline cache")
    a.add_argument("file")
    a.set_defaults(func=cmd_trust_add_crl)
    a = ts.add_parser("refresh", help="download CRLs from the certificates' distribution points")
    a.add_argument("--timeout", type=float, default=10.0)
    a.set_defaults(func=cmd_trust_refresh)


def _check_key(args: argparse.Namespace, counter) -> dict:
    """Sign a probe with the given key and verify it against this counter's trust: the IT
    officer's 'does this clerk's certificate work here?' check."""
    from signing.verify import verify_detached

    probe = b"motcua key check"
    with open_signer(args, counter) as signer:
        sig = signer.sign(probe)
        info = signer.info
        days = signer.days_left()
    res = verify_detached(probe, sig, load_trust(counter.settings))
    return {"subject": info.subject, "serial": info.serial_hex, "days_left": days, "ok": res.ok,
            "code": res.code, "message": res.message(args.lang), "warnings": res.warnings}


def cmd_verify(args: argparse.Namespace) -> int:
    with counter_of(args) as counter:
        key = _check_key(args, counter) if (args.p12 or args.pkcs11_module) else None
        report = signatures.verify_store(counter)
    en = args.lang == "en"
    if key is not None and not args.json:
        print(("Signing key: " if en else "Khoá ký: ") + f"{key['subject']} — {key['message']}")
    if args.json:
        emit({"dossiers": report.dossiers, "signatures": report.signatures,
              "bad_dossiers": report.bad_dossiers, "problems": report.problems,
              "warnings": sorted(report.warnings),
              "warning_messages": {k: v[1 if en else 0] for k, v in report.notes.items()},
              "timestamped": report.timestamped,
              "not_timestamped": sorted(set(report.not_timestamped)),
              **({"key": key} if key else {})})
    else:
        for w in sorted(report.warnings):
            words = report.notes.get(w)
            text = (words[1] if en else words[0]) if words else w
            print(("Warning: " if en else "Cảnh báo: ") + text)
        waiting = sorted(set(report.not_timestamped))
        if waiting:
            print(f"{len(waiting)} dossier(s) not time-stamped yet (the province gateway adds "
                  "an RFC 3161 time-stamp when it accepts them; not an error): "
                  + ", ".join(waiting[:20]) + (" …" if len(waiting) > 20 else "")
                  if en else
                  f"{len(waiting)} hồ sơ chưa có dấu thời gian (cổng tỉnh cấp dấu thời gian RFC 3161 "
                  "khi nhận hồ sơ; không phải lỗi): " + ", ".join(waiting[:20])
                  + (" …" if len(waiting) > 20 else ""))
        for p in report.problems:
            print(f"{p['code']}: {p['message_en'] if en else p['message_vi']}")
        print(f"{report.dossiers} dossiers, {report.signatures} signatures, "
              f"{len(report.bad_dossiers)} failing" if en else
              f"{report.dossiers} hồ sơ, {report.signatures} chữ ký, "
              f"{len(report.bad_dossiers)} hồ sơ không hợp lệ")
    return 1 if report.problems or (key is not None and not key["ok"]) else 0


def cmd_export(args: argparse.Namespace) -> int:
    with counter_of(args) as counter:
        files = signatures.export_dossier(counter, args.code, Path(args.out))
    emit([str(f) for f in files])
    return 0


def cmd_trust_add(args: argparse.Namespace) -> int:
    emit({"installed": str(add_anchor(settings_of(args), Path(args.file)))})
    return 0


def cmd_trust_list(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    trust = load_trust(settings)
    emit({"anchors": [str(p) for p in anchor_files(settings)],
          "crls": [to_plain(c._asdict()) for c in trust.crl_status()]})
    return 0


def cmd_trust_add_crl(args: argparse.Namespace) -> int:
    trust = load_trust(settings_of(args))
    status = trust.add_crl(Path(args.file).read_bytes(), save=True)
    emit(to_plain(status._asdict()))
    return 0


def cmd_trust_refresh(args: argparse.Namespace) -> int:
    trust = load_trust(settings_of(args))
    reports = trust.refresh_crls(timeout=args.timeout)
    emit(reports)
    return 0 if all(r.get("ok") for r in reports) else 1
