"""Signature commands: verify the whole store, export a dossier's evidence, manage trust."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import signatures
from app import trust as trustcfg
from app.cli.common import counter_of, emit, settings_of
from app.cli.signer_opts import add_signer_args, open_signer
from app.domain import to_plain
from app.errors import UserError
from app.trust import load_trust


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
    a = ts.add_parser("add", help="install a root/sub-CA certificate file (never overwrites; "
                                  "end-entity certificates are refused)")
    a.add_argument("file")
    a.set_defaults(func=cmd_trust_add)
    a = ts.add_parser("list", help="trusted certificates (subject, issuer, SHA-256, validity, "
                                   "role) and cached CRLs (stale ones flagged)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_trust_list)
    a = ts.add_parser("remove", help="stop trusting a certificate (by its SHA-256, ≥ 8 digits)")
    a.add_argument("sha256")
    a.set_defaults(func=cmd_trust_remove)
    a = ts.add_parser("add-crl", help="add a CRL file to the offline cache")
    a.add_argument("file")
    a.add_argument("--json", action="store_true")
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
              "store_problems": len(report.store_problems),
              "summary": report.summary(args.lang),
              "warnings": sorted(report.warnings),
              "warning_messages": {w: signatures.warning_words(report, w, args.lang)
                                   for w in sorted(report.warnings)},
              "timestamped": report.timestamped,
              "not_timestamped": sorted(set(report.not_timestamped)),
              "not_timestamped_count": report.not_timestamped_total,
              **({"key": key} if key else {})})
    else:
        for w in sorted(report.warnings):
            print(("Warning: " if en else "Cảnh báo: ") + signatures.warning_words(report, w,
                                                                                args.lang))
        waiting = sorted(set(report.not_timestamped))
        total = max(report.not_timestamped_total, len(waiting))
        if waiting:
            listed = ", ".join(waiting[:20]) + (" …" if len(waiting) > 20 else "")
            if report.gateway_time_stamps:
                print(f"{total} dossier(s) not time-stamped yet (the province gateway adds an "
                      f"RFC 3161 time-stamp when it accepts them; not an error): {listed}"
                      if en else
                      f"{total} hồ sơ chưa có dấu thời gian (cổng tỉnh cấp dấu thời gian RFC "
                      f"3161 khi nhận hồ sơ; không phải lỗi): {listed}")
            else:  # the gateway does not time-stamp, or was never reached: none will come
                print(f"{total} dossier(s) not time-stamped (this counter's gateway does "
                      "not issue RFC 3161 time-stamps, or has not been reached yet; not an "
                      f"error): {listed}" if en else
                      f"{total} hồ sơ không có dấu thời gian (cổng tỉnh của quầy này không cấp "
                      "dấu thời gian RFC 3161, hoặc chưa kết nối được; không phải lỗi): "
                      f"{listed}")
        store = report.store_problems
        for p in report.problems:  # each dossier's own problems, then the store's
            if p not in store:
                print(f"{p['code']}: {p['message_en'] if en else p['message_vi']}")
        for p in store:
            print(("store: " if en else "kho dữ liệu: ")
                  + (p["message_en"] if en else p["message_vi"]))
        summary = report.summary(args.lang)
        if key is not None and not key["ok"]:
            summary = summary[:-1] + ("; the signing key cannot be used here." if en else
                                      "; khoá ký không dùng được ở quầy này.")
        print(summary)
    return 1 if report.problems or (key is not None and not key["ok"]) else 0


def cmd_export(args: argparse.Namespace) -> int:
    """The files, as JSON; a dossier that does not match its signatures is still exported (for
    the investigation) but said on stderr, exit 1 — as VERIFY.txt says inside."""
    import sys

    with counter_of(args) as counter:
        files = signatures.export_dossier(counter, args.code, Path(args.out))
        checked = signatures.verify_dossier(counter, args.code)
    emit([str(f) for f in files])
    if checked.problems:
        first = checked.problems[0]
        code = first["code"] or args.code
        print(f"Warning: dossier {code} does not match its signatures ({first['message_en']}); "
              "exported for the investigation, see VERIFY.txt." if args.lang == "en" else
              f"Cảnh báo: hồ sơ {code} không khớp chữ ký ({first['message_vi']}); đã xuất để "
              "đối chiếu, xem VERIFY.txt.", file=sys.stderr)
        return 1
    return 0


_ROLE_WORDS = {"anchor": ("chứng thư gốc tin cậy", "trust anchor (root)"),
               "intermediate": ("chứng thư trung gian", "intermediate CA"),
               "leaf": ("chứng thư người dùng — bỏ qua", "end-entity — ignored")}


def _cli_actor() -> str:
    """Who changed the trust folder from the command line (the audit row's actor): the
    operating-system account running it (the command line has no clerk login)."""
    import getpass

    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (containers)
        return "system"


def cmd_trust_add(args: argparse.Namespace) -> int:
    en = args.lang == "en"
    settings = settings_of(args)
    if settings.store_path.is_file():  # audited in the store (app.trust)
        with counter_of(args) as counter:
            entries = trustcfg.install(settings, Path(args.file), counter=counter,
                                       actor=_cli_actor())
    else:
        entries = trustcfg.install(settings, Path(args.file), actor=_cli_actor())
    for e in entries:
        role = _ROLE_WORDS[e["role"]][1 if en else 0]
        if en:
            state = "already trusted, unchanged" if e["already"] else "installed"
        else:
            state = "đã có sẵn, không thay đổi" if e["already"] else "đã cài"
        print(f"{e['name']} ({role}): {state} — SHA-256 {e['sha256']}")
    if any(not e["already"] for e in entries):
        _recheck_refused(args, "trust add")
    return 0


def _recheck_refused(args: argparse.Namespace, trigger: str) -> None:
    """Trust changed: pulled events refused for a trust reason are checked again now
    (app/pullretry.py); one line on stderr when there were any."""
    import sys

    from app import pullretry

    line = pullretry.outcome_line(pullretry.after_trust_change(settings_of(args), trigger),
                                  args.lang)
    if line:
        print(line, file=sys.stderr)


def cmd_trust_list(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    entries = trustcfg.list_anchors(settings)
    crls = [to_plain(c._asdict()) for c in load_trust(settings).crl_status()]
    pins: list[dict] = []
    if settings.store_path.is_file():  # the gateway certificates pinned by this counter
        from app.rotation import pinned_certificates

        with counter_of(args, readonly=True) as counter:
            pins = pinned_certificates(counter)
    if args.json:
        emit({"certificates": entries, "crls": crls, "gateway_pins": pins})
        return 0
    en = args.lang == "en"
    if not entries:
        print("No trusted certificates; install them with 'motcua trust add FILE'." if en else
              "Chưa có chứng thư tin cậy nào; cài bằng 'motcua trust add TỆP'.")
    for e in entries:
        print(f"{e['name']} — {_ROLE_WORDS[e['role']][1 if en else 0]}")
        print(f"  {'subject' if en else 'chủ thể'}: {e['subject']}")
        print(f"  {'issuer' if en else 'tổ chức cấp'}: {e['issuer']}")
        print(f"  SHA-256: {e['sha256']}")
        print(f"  {'valid' if en else 'hiệu lực'}: {e['valid_vn']}")
        if e["role"] != "leaf":
            crl = e.get("crl")
            if crl is None:
                print("  CRL: none cached" if en else "  CRL: chưa có")
            else:
                print(f"  CRL: {'issued' if en else 'cập nhật'} {crl['this_update_vn']}, "
                      f"{'next' if en else 'kỳ sau'} {crl['next_update_vn'] or '—'}")
    if pins:
        from app.cli.sync import _pin_line

        for pin in pins:
            print(_pin_line(args, pin))
            print(f"  SHA-256: {pin['sha256']}")
    return 0


def cmd_trust_remove(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    if settings.store_path.is_file():  # audited in the store (app.trust)
        with counter_of(args) as counter:
            e = trustcfg.remove(settings, args.sha256, counter=counter, actor=_cli_actor())
    else:
        e = trustcfg.remove(settings, args.sha256, actor=_cli_actor())
    print(f"Removed from trust: {e['name']} — SHA-256 {e['sha256']}" if args.lang == "en" else
          f"Đã bỏ khỏi danh sách tin cậy: {e['name']} — SHA-256 {e['sha256']}")
    return 0


def cmd_trust_add_crl(args: argparse.Namespace) -> int:
    trust = load_trust(settings_of(args))
    try:
        blob = Path(args.file).read_bytes()
    except OSError:
        raise UserError(f"Không đọc được tệp {args.file}.", f"Cannot read {args.file}.",
                        code="file_not_found") from None
    status = trust.add_crl(blob, save=True, refuse_older=True)
    if args.json:
        emit(to_plain(status._asdict()))
    else:
        from signing.errors import vn_time

        en = args.lang == "en"
        nxt = vn_time(status.next_update) if status.next_update else "—"
        print(f"CRL added: {status.issuer} — issued {vn_time(status.this_update)}, next update "
              f"{nxt}" + (" (already past: fetch a newer one)" if status.stale else "") if en
              else f"Đã thêm CRL: {status.issuer} — cập nhật {vn_time(status.this_update)}, kỳ "
              f"sau {nxt}" + (" (đã quá hạn: cần lấy bản mới hơn)" if status.stale else ""))
    _recheck_refused(args, "trust add-crl")
    return 0


def cmd_trust_refresh(args: argparse.Namespace) -> int:
    trust = load_trust(settings_of(args))
    reports = trust.refresh_crls(timeout=args.timeout)
    emit(reports)
    if any(r.get("ok") for r in reports):
        _recheck_refused(args, "trust refresh")
    return 0 if all(r.get("ok") for r in reports) else 1
