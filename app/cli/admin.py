"""Administration commands: user accounts, procedure catalogue, calendar overrides."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from app import accounts
from app.cli.common import counter_of, emit, secret
from app.context import catalogue_versions, import_catalogue
from app.domain import iso, now_vn, to_plain
from app.errors import UserError
from localdb import audit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="clerk accounts")
    us = p.add_subparsers(dest="user_cmd", required=True)
    a = us.add_parser("add")
    a.add_argument("username")
    a.add_argument("--name", required=True, help="display name (printed on receipts)")
    a.add_argument("--role", default="clerk", choices=accounts.ROLES)
    a.add_argument("--password-env", help="read the password from this environment variable")
    a.set_defaults(func=cmd_user_add)
    li = us.add_parser("list")
    li.set_defaults(func=cmd_user_list)
    for name, locked in (("lock", True), ("unlock", False)):
        x = us.add_parser(name)
        x.add_argument("username")
        x.set_defaults(func=cmd_user_lock, locked=locked)
    pw = us.add_parser("passwd")
    pw.add_argument("username")
    pw.add_argument("--password-env")
    pw.set_defaults(func=cmd_user_passwd)
    b = us.add_parser("bind-cert", help="allow USER to sign with this certificate (administrator "
                                        "confirmation: --admin and the administrator's password)")
    b.add_argument("username")
    b.add_argument("cert", nargs="?", help="the certificate file (PEM/DER)")
    b.add_argument("--p12", help="take the signing certificate from this PKCS#12 file instead")
    b.add_argument("--secret-env", help="environment variable holding the .p12 password")
    b.add_argument("--admin", required=True, help="administrator who confirms")
    b.add_argument("--admin-password-env", help="environment variable holding the "
                                                "administrator's password (else a prompt)")
    b.set_defaults(func=cmd_user_bind)
    b = us.add_parser("unbind-cert", help="stop USER signing with a certificate (SHA-256 prefix)")
    b.add_argument("username")
    b.add_argument("sha256")
    b.add_argument("--admin", required=True)
    b.add_argument("--admin-password-env")
    b.set_defaults(func=cmd_user_unbind)
    b = us.add_parser("certs", help="certificates bound to USER (or to everyone), with history")
    b.add_argument("username", nargs="?")
    b.set_defaults(func=cmd_user_certs)

    p = sub.add_parser("catalogue", help="procedure catalogue")
    cs = p.add_subparsers(dest="cat_cmd", required=True)
    c = cs.add_parser("list")
    c.add_argument("--search", default="")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_catalogue_list)
    c = cs.add_parser("import")
    c.add_argument("file")
    c.add_argument("--allow-downgrade", action="store_true",
                   help="accept a version older than the active one (recorded in the audit log)")
    c.set_defaults(func=cmd_catalogue_import)
    c = cs.add_parser("versions")
    c.set_defaults(func=cmd_catalogue_versions)

    p = sub.add_parser("calendar", help="working-day calendar overrides (bridge days, make-up Saturdays)")
    ks = p.add_subparsers(dest="cal_cmd", required=True)
    o = ks.add_parser("set", help="declare a date a working day or a day off")
    o.add_argument("day", help="YYYY-MM-DD")
    o.add_argument("kind", choices=["work", "off"])
    o.add_argument("--note", default="")
    o.set_defaults(func=cmd_calendar_set)
    o = ks.add_parser("list")
    o.set_defaults(func=cmd_calendar_list)


def cmd_user_add(args: argparse.Namespace) -> int:
    with counter_of(args, create=True) as counter:
        pw = secret(args, "password_env", "Mật khẩu / Password: ", confirm=True)
        accounts.add_user(counter.store, args.username, args.name, args.role, pw)
        emit(accounts.get_user(counter.store, args.username))
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    with counter_of(args, readonly=True) as counter:
        emit(accounts.list_users(counter.store))
    return 0


def cmd_user_lock(args: argparse.Namespace) -> int:
    with counter_of(args) as counter:
        accounts.set_locked(counter.store, args.username, args.locked)
        emit(accounts.get_user(counter.store, args.username))
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    with counter_of(args) as counter:
        pw = secret(args, "password_env", "Mật khẩu mới / New password: ", confirm=True)
        accounts.set_password(counter.store, args.username, pw)
    return 0


def cmd_user_bind(args: argparse.Namespace) -> int:
    from app import binding

    if bool(args.cert) == bool(args.p12):
        raise UserError("Cần đúng một nguồn chứng thư: TỆP_CHỨNG_THƯ hoặc --p12 TỆP.",
                        "Give exactly one certificate source: CERT_FILE or --p12 FILE.",
                        code="bad_arguments")
    with counter_of(args) as counter:
        if args.p12:
            pw = secret(args, "secret_env", "Mật khẩu tệp .p12 / PKCS#12 password: ")
            cert = binding.certificate_from_file(Path(args.p12), p12_password=pw)
        else:
            cert = binding.certificate_from_file(Path(args.cert))
        admin_pw = secret(args, "admin_password_env",
                          "Mật khẩu quản trị viên / Administrator password: ")
        emit(binding.bind_certificate(counter.store, args.username, cert, admin=args.admin,
                                      admin_password=admin_pw))
    return 0


def cmd_user_unbind(args: argparse.Namespace) -> int:
    from app import binding

    with counter_of(args) as counter:
        admin_pw = secret(args, "admin_password_env",
                          "Mật khẩu quản trị viên / Administrator password: ")
        emit(binding.unbind_certificate(counter.store, args.username, args.sha256,
                                        admin=args.admin, admin_password=admin_pw))
    return 0


def cmd_user_certs(args: argparse.Namespace) -> int:
    from app import binding

    with counter_of(args, readonly=True) as counter:
        emit(binding.bindings(counter.store, args.username))
    return 0


def cmd_catalogue_list(args: argparse.Namespace) -> int:
    with counter_of(args, readonly=True) as counter:
        cat = counter.catalogue()
        procs = cat.search(args.search, limit=1000) if args.search else list(cat.procedures)
        if args.json:
            emit({"version": cat.version, "procedures": [to_plain(p) for p in procs]})
        else:
            print(f"# {'version' if args.lang == 'en' else 'phiên bản'} {cat.version}")
            for p in procs:
                print(f"{p.code}  {p.field:<20.20} {p.name}")
    return 0


def cmd_catalogue_import(args: argparse.Namespace) -> int:
    with counter_of(args, create=True) as counter:
        emit(import_catalogue(counter, Path(args.file), allow_downgrade=args.allow_downgrade))
    return 0


def cmd_catalogue_versions(args: argparse.Namespace) -> int:
    with counter_of(args, readonly=True) as counter:
        emit(catalogue_versions(counter))
    return 0


def cmd_calendar_set(args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        raise UserError(f"Ngày '{args.day}' không hợp lệ (YYYY-MM-DD).",
                        f"Date '{args.day}' is invalid (YYYY-MM-DD).") from None
    with counter_of(args, create=True) as counter:
        with counter.store.write() as conn:
            conn.execute(
                "INSERT INTO calendar_overrides (day, working, note) VALUES (?, ?, ?) "
                "ON CONFLICT (day) DO UPDATE SET working = excluded.working, note = excluded.note",
                (day.isoformat(), int(args.kind == "work"), args.note),
            )
            audit.append(conn, at=iso(now_vn()), actor="system", counter=counter.label,
                         action="calendar.override", subject=day.isoformat(),
                         detail={"kind": args.kind, "note": args.note})
        emit({"day": day.isoformat(), "kind": args.kind, "note": args.note})
    return 0


def cmd_calendar_list(args: argparse.Namespace) -> int:
    with counter_of(args, readonly=True) as counter:
        emit(counter.store.query("SELECT day, working, note FROM calendar_overrides ORDER BY day"))
    return 0
