"""Command-line options that choose the clerk's signing key: a PKCS#12 file or a PKCS#11 token.

The password/PIN comes from the environment variable named by --secret-env, else a prompt; it
is never echoed, logged or stored.
"""

from __future__ import annotations

import argparse
import sys

from app.cli.common import secret
from app.context import Counter
from app.errors import UserError
from app.trust import anchor_files, key_attempts, load_trust

EXPIRY_WARNING_DAYS = 30


def add_signer_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("signing key (PKCS#12 file or PKCS#11 token)")
    g.add_argument("--p12", help="the clerk's PKCS#12 (.p12/.pfx) file")
    g.add_argument("--pkcs11-module", help="PKCS#11 module of the USB token (.so/.dll)")
    g.add_argument("--token-label", help="token label (PKCS#11)")
    g.add_argument("--token-serial", help="token serial number (PKCS#11)")
    g.add_argument("--key-label", help="key/certificate label on the token, when it holds several")
    g.add_argument("--secret-env", help="environment variable holding the password/PIN")


def open_signer(args: argparse.Namespace, counter: Counter):
    """Open the signer named on the command line, checked against this counter's anchors."""
    from signing.signer import P12Signer, Pkcs11Signer

    if not args.p12 and not args.pkcs11_module:
        raise UserError(
            "Cần chứng thư số để ký hồ sơ: dùng --p12 TỆP hoặc --pkcs11-module THƯ_VIỆN --token-label NHÃN.",
            "A signing certificate is needed: use --p12 FILE or --pkcs11-module LIB --token-label LABEL.",
            code="no_signer")
    if not anchor_files(counter.settings):
        raise UserError(
            "Chưa cấu hình chứng thư gốc tin cậy; bộ phận CNTT cần chạy 'motcua trust add TỆP'.",
            "No trust anchors configured; IT must run 'motcua trust add FILE'.",
            code="no_trust_anchors")
    trust = load_trust(counter.settings)
    if args.p12:
        pw = secret(args, "secret_env", "Mật khẩu tệp .p12 / PKCS#12 password: ")
        signer = P12Signer.open(args.p12, pw, trust=trust, attempts=key_attempts(counter.settings))
    else:
        pin = secret(args, "secret_env", "Mã PIN / PIN: ")
        signer = Pkcs11Signer.open(args.pkcs11_module, token_label=args.token_label,
                                   token_serial=args.token_serial, pin=pin,
                                   key_label=args.key_label, trust=trust,
                                   attempts=key_attempts(counter.settings))
    signer.check()
    for vi, en in signer.notes.values():  # e.g. no CRL from «CA»: revocation not checked
        print(("Cảnh báo: " + vi) if args.lang != "en" else ("Warning: " + en), file=sys.stderr)
    if signer.expires_within(EXPIRY_WARNING_DAYS):
        days = signer.days_left()
        msg = (f"Cảnh báo: chứng thư số sẽ hết hạn sau {days} ngày; hãy gia hạn."
               if args.lang != "en" else
               f"Warning: the signing certificate expires in {days} days; renew it.")
        print(msg, file=sys.stderr)
    return signer
