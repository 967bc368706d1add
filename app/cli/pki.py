"""PKI commands: `pki demo` (test-only PKI, optionally on a SoftHSM token) and `pki list`
(certificates in a .p12 file or on a PKCS#11 token). Output is JSON for scripts and IT staff.

Secrets (.p12 password, token PIN) come from the environment variable named by --secret-env,
else from a getpass prompt; they are never echoed, logged or written anywhere.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any


def _secret(args: argparse.Namespace, prompt_vi: str, prompt_en: str) -> str:
    if args.secret_env:
        value = os.environ.get(args.secret_env)
        if value is None:
            from signing.errors import SigningError

            raise SigningError(
                f"Biến môi trường {args.secret_env} chưa được đặt.",
                f"Environment variable {args.secret_env} is not set.",
                code="wrong_secret",
            )
        return value
    return getpass.getpass(prompt_en if args.lang == "en" else prompt_vi)


def _print(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def cmd_demo(args: argparse.Namespace) -> int:
    from signing.demo_pki import DEFAULT_CRL_URL, load_into_softhsm, make_demo_pki

    password = os.environ.get(args.password_env, "") if args.password_env else "demo"
    pki = make_demo_pki(Path(args.out), password=password or "demo",
                        crl_url=args.crl_url or DEFAULT_CRL_URL)
    out: dict[str, Any] = {
        "test_only": True,
        "out": str(pki.out_dir),
        "manifest": str(pki.manifest),
        "root": str(pki.root_pem),
        "chain": str(pki.chain_pem),
        "crl_dir": str(pki.crl_dir),
        "clerks": {n: {"p12": str(c.p12), "status": c.status} for n, c in pki.clerks.items()},
    }
    if args.softhsm_label:
        if not args.pin:
            raise SystemExit("--pin is required with --softhsm-label")
        out["softhsm"] = load_into_softhsm(
            pki, args.clerk, token_label=args.softhsm_label, pin=args.pin,
            so_pin=args.so_pin or args.pin,
            softhsm_conf_dir=Path(args.softhsm_dir) if args.softhsm_dir else pki.out_dir / "softhsm",
        )
    _print(out)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from signing.signer import list_p12_certificates, list_token_certificates, list_tokens

    if args.p12:
        secret = _secret(args, "Mật khẩu tệp .p12: ", "Password of the .p12 file: ")
        certs = list_p12_certificates(Path(args.p12), secret)
        _print({"source": str(args.p12), "certificates": [c.to_dict() for c in certs]})
        return 0
    pin = None
    if args.secret_env or args.login:
        pin = _secret(args, "Mã PIN của token: ", "Token PIN: ")
    tokens = list_tokens(args.pkcs11_module)
    certs = list_token_certificates(args.pkcs11_module, token_label=args.token_label,
                                    token_serial=args.token_serial, pin=pin)
    _print({"module": args.pkcs11_module, "tokens": tokens,
            "certificates": [c.to_dict() for c in certs]})
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pki", help="chứng thư số: PKI demo, liệt kê chứng thư (certificates)")
    psub = p.add_subparsers(dest="pki_command", metavar="SUBCOMMAND", required=True)

    d = psub.add_parser("demo", help="tạo PKI demo CHỈ ĐỂ THỬ (test-only demo PKI)")
    d.add_argument("--out", required=True, help="output folder")
    d.add_argument("--password-env", help="env var holding the .p12 password (default: demo)")
    d.add_argument("--crl-url", help="CRL distribution point URL written into clerk certificates")
    d.add_argument("--softhsm-label", help="also load a clerk key into a SoftHSM token with this label")
    d.add_argument("--pin", help="user PIN of the demo SoftHSM token")
    d.add_argument("--so-pin", help="SO PIN of the demo SoftHSM token (default: the user PIN)")
    d.add_argument("--clerk", default="clerk1", help="which clerk to load into SoftHSM")
    d.add_argument("--softhsm-dir", help="SoftHSM config/token folder (default: OUT/softhsm)")
    d.set_defaults(func=cmd_demo)

    ls = psub.add_parser("list", help="liệt kê chứng thư số trong tệp .p12 hoặc trên token")
    src = ls.add_mutually_exclusive_group(required=True)
    src.add_argument("--p12", help="PKCS#12 file")
    src.add_argument("--pkcs11-module", help="PKCS#11 library of the token")
    ls.add_argument("--token-label")
    ls.add_argument("--token-serial")
    ls.add_argument("--secret-env", help="env var holding the password/PIN (else prompt)")
    ls.add_argument("--login", action="store_true", help="log in to the token (PIN prompt)")
    ls.set_defaults(func=cmd_list)
