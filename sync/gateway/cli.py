"""``motcua-gateway``: run the reference provincial gateway and administer it.

    motcua-gateway serve [--db URL] [--host 127.0.0.1] [--port 8443] [--tls-cert F --tls-key F]
                         [--trust-anchors F ...] [--crl F ...] [--data-dir DIR]
                         [--admin-token-env VAR] [--partial-quota-mb N]
                         [--partial-max-age-hours H]
    motcua-gateway [--db URL] enrol --agency-code CODE --counter N [--centre-name NAME]
    motcua-gateway [--db URL] revoke COUNTER_ID
    motcua-gateway [--db URL] counters [--json]
    motcua-gateway [--db URL] act DOSSIER_CODE ACTION [--note TEXT]
    motcua-gateway [--db URL] catalogue publish FILE

With no ``--db`` everything uses ``gateway.sqlite3`` in the data folder (``--data-dir``, else
``$MOTCUA_GATEWAY_DATA_DIR``, else the platform's user data folder), so one command starts a
gateway on loopback with no set-up. Exit codes: 0 ok, 1 refused (message on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

DATA_DIR_ENV = "MOTCUA_GATEWAY_DATA_DIR"
SIGNING_P12 = "gateway-signing.p12"
SIGNING_PW_ENV = "MOTCUA_GATEWAY_SIGNING_PASSWORD"
NEXT_SIGNING_PW_ENV = "MOTCUA_GATEWAY_NEXT_SIGNING_PASSWORD"
ENROL_PREFIX = "MOTCUA-ENROL1:"


def default_data_dir() -> Path:
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("motcua-gateway", appauthor=False))


def load_signer(args: argparse.Namespace, data_dir: Path) -> Any:
    """The gateway's signing identity for province events, or None when not configured."""
    path = getattr(args, "signing_p12", None) or data_dir / SIGNING_P12
    if not Path(path).is_file():
        if getattr(args, "signing_p12", None):
            raise FileNotFoundError(f"signing PKCS#12 {path} not found")
        return None
    from signing.signer import P12Signer

    env = getattr(args, "signing_password_env", None) or SIGNING_PW_ENV
    return P12Signer.open(Path(path), os.environ.get(env, ""))


def load_next_signer(args: argparse.Namespace) -> tuple[Any, Any]:
    """(next signer, effective time) of a configured rotation (``--next-signing-p12`` and
    ``--next-signing-from``), or (None, None). The password comes from the environment
    (``--next-signing-password-env``, default $MOTCUA_GATEWAY_NEXT_SIGNING_PASSWORD), never
    from the command line, and is never logged."""
    from datetime import datetime

    from sync.gateway.rotation import RotationError

    path = getattr(args, "next_signing_p12", None)
    raw_from = getattr(args, "next_signing_from", None)
    if path is None and raw_from is None:
        return None, None
    if path is None or raw_from is None:
        raise RotationError("--next-signing-p12 and --next-signing-from go together")
    try:
        when = datetime.fromisoformat(raw_from)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise RotationError("--next-signing-from must be an ISO 8601 time with its offset, "
                            "e.g. 2026-12-15T00:00:00+07:00")
    if not Path(path).is_file():
        raise FileNotFoundError(f"next signing PKCS#12 {path} not found")
    from signing.signer import P12Signer

    env = getattr(args, "next_signing_password_env", None) or NEXT_SIGNING_PW_ENV
    return P12Signer.open(Path(path), os.environ.get(env, "")), when


def signing_keys_of(args: argparse.Namespace, data_dir: Path) -> Any:
    """The signing configuration (current, next, announcements) for province events."""
    from sync.gateway.rotation import signing_keys

    next_signer, when = load_next_signer(args)
    return signing_keys(data_dir, load_signer(args, data_dir), next_signer, when)


def enrolment_string(gateway_url: str | None, counter: Any, token: str,
                     gateway_cert_sha256: str | None = None,
                     gateway_cert_history: list[dict[str, str]] | None = None) -> str:
    """One line the IT officer pastes at the counter (``motcua enrol``): everything the counter
    needs, base64url JSON so it survives copy/paste and e-mail."""
    doc = {
        "gateway": gateway_url,
        "counter_id": counter.id,
        "agency_code": counter.agency_code,
        "counter_no": counter.counter_no,
        "token": token,
    }
    if gateway_cert_sha256:
        doc["gateway_cert_sha256"] = gateway_cert_sha256
    if gateway_cert_history:  # certificates replaced by rotations: {sha256, until}
        doc["gateway_cert_history"] = gateway_cert_history
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    return ENROL_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_enrolment_string(text: str) -> dict[str, Any]:
    """Inverse of :func:`enrolment_string` (for the counter side and tests)."""
    text = text.strip()
    if not text.startswith(ENROL_PREFIX):
        raise ValueError("not a MotCua enrolment string")
    b = text[len(ENROL_PREFIX):]
    raw = base64.urlsafe_b64decode(b + "=" * (-len(b) % 4))
    doc = json.loads(raw)
    if not isinstance(doc, dict) or not isinstance(doc.get("token"), str):
        raise ValueError("enrolment string carries no token")
    return doc


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS,
                        help="sqlite:///path or postgresql://… (default: SQLite in the data dir)")
    common.add_argument("--data-dir", default=argparse.SUPPRESS, type=Path,
                        help=f"gateway data folder (default: ${DATA_DIR_ENV} or user data dir)")

    common.add_argument("--signing-p12", default=argparse.SUPPRESS, type=Path,
                        help="PKCS#12 with the gateway's signing certificate for province events"
                             f" (default: DATA_DIR/{SIGNING_P12} when present)")
    common.add_argument("--signing-password-env", default=argparse.SUPPRESS, metavar="VAR",
                        help=f"environment variable with its password (default {SIGNING_PW_ENV})")
    common.add_argument("--next-signing-p12", default=argparse.SUPPRESS, type=Path,
                        help="rotation: PKCS#12 with the NEW signing certificate, used from "
                             "--next-signing-from on; the announcement counters follow is "
                             "signed by the current key (--signing-p12)")
    common.add_argument("--next-signing-from", default=argparse.SUPPRESS, metavar="TIME",
                        help="when the new certificate takes over (ISO 8601 with offset)")
    common.add_argument("--next-signing-password-env", default=argparse.SUPPRESS, metavar="VAR",
                        help=f"environment variable with its password (default "
                             f"{NEXT_SIGNING_PW_ENV})")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    p = argparse.ArgumentParser(prog="motcua-gateway", parents=[common],
                                description="MotCua reference provincial gateway")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", parents=[common], help="run the HTTP(S) gateway")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8443)
    s.add_argument("--tls-cert", type=Path)
    s.add_argument("--tls-key", type=Path)
    s.add_argument("--trust-anchors", type=Path, nargs="+", default=[],
                   help="root/intermediate CA certificates (PEM/DER) for clerks' signatures;"
                        " default: *.pem|*.crt|*.cer in DATA_DIR/trust-anchors")
    s.add_argument("--crl", type=Path, nargs="+", default=[],
                   help="CRL files (default: files in DATA_DIR/crl)")
    s.add_argument("--admin-token-env", metavar="VAR",
                   help="environment variable holding the admin token for /province/act")
    s.add_argument("--tsa-cert", type=Path,
                   help="time-stamping authority certificate (PEM, EKU timeStamping critical;"
                        " its chain may follow in the same file): every accepted event's"
                        " signature is time-stamped (RFC 3161)")
    s.add_argument("--tsa-key", type=Path, help="the TSA's private key (PEM, keep it 0600)")
    s.add_argument("--verify-processes", type=int, default=None, metavar="N",
                   help="worker processes checking signatures (default: one per core, none on"
                        " a single core; 0: in the server process; several gateway processes"
                        " on one machine: cores / processes each)")
    s.add_argument("--max-batch-events", type=int, default=500)
    s.add_argument("--max-batch-bytes", type=int, default=8 * 1024 * 1024)
    s.add_argument("--partial-quota-mb", type=int, default=1024,
                   help="unfinished attachment uploads one counter may hold (MiB)")
    s.add_argument("--partial-max-age-hours", type=float, default=48.0,
                   help="unfinished uploads untouched this long are removed")

    e = sub.add_parser("enrol", parents=[common], help="create a counter credential")
    e.add_argument("--agency-code", required=True)
    e.add_argument("--counter", type=int, required=True, dest="counter_no")
    e.add_argument("--centre-name")
    e.add_argument("--gateway-url", help="URL the counter will use (put in the enrolment line)")
    e.add_argument("--json", action="store_true")

    rv = sub.add_parser("revoke", parents=[common], help="revoke a counter credential")
    rv.add_argument("counter_id", type=int)

    ls = sub.add_parser("counters", parents=[common], help="list counters")
    ls.add_argument("--json", action="store_true")

    ch = sub.add_parser("chains", parents=[common],
                        help="each counter's own event chain as received: gaps, forks, breaks")
    ch.add_argument("--json", action="store_true")
    ch.add_argument("--all", action="store_true", help="also list counters whose chain is whole")

    wb = sub.add_parser("witness", parents=[common],
                        help="breaks (and audited restores) recorded in counters' witnessed"
                             " audit logs")
    wb.add_argument("--json", action="store_true")

    a = sub.add_parser("act", parents=[common], help="simulate the province acting on a dossier")
    a.add_argument("dossier_code")
    a.add_argument("action", choices=["processing", "supplement", "result-ready", "reject", "fee"])
    a.add_argument("--note")
    a.add_argument("--tsa-cert", type=Path, help="time-stamp the province event (RFC 3161) with"
                   " this TSA certificate, as `serve` does")
    a.add_argument("--tsa-key", type=Path)

    c = sub.add_parser("catalogue", parents=[common], help="procedure catalogue")
    csub = c.add_subparsers(dest="catalogue_command", required=True)
    cp = csub.add_parser("publish", parents=[common], help="publish a catalogue JSON file")
    cp.add_argument("file", type=Path)
    cp.add_argument("--allow-downgrade", action="store_true",
                    help="publish a version older than the one counters ship with (counters "
                         "already on a newer catalogue will not install it)")
    return p


def _witness_breaks(store: Any) -> list[dict[str, Any]]:
    names = {c.id: (c.agency_code, c.counter_no) for c in store.list_counters()}
    out = []
    for b in store.witness_breaks(None, limit=1000):
        agency, number = names.get(b["counter_id"], ("?", 0))
        out.append({"agency_code": agency, "counter_no": number, **b})
    return out


def _witness_lines(breaks: list[dict[str, Any]]) -> list[str]:
    lines = []
    for b in breaks:
        what = (f"audit log restored at row #{b['first_seq']} (witnessed up to"
                f" #{b['witnessed_seq']}; the counter's store.restore row)"
                if b["kind"] == "restore" else
                f"audit witness BREAK: rows no longer continue the chain witnessed up to"
                f" #{b['witnessed_seq']} (first row not continuing it #{b['first_seq']});"
                f" witness kept")
        lines.append(f"{b['agency_code']}\t{b['counter_no']:02d}\t{b['at']}\t{what}")
    return lines


def _witness(store: Any, args: argparse.Namespace) -> int:
    """Breaks and restores recorded in the counters' witnessed audit logs; exit 1 on a break."""
    breaks = _witness_breaks(store)
    if args.json:
        print(json.dumps(breaks, ensure_ascii=False))
    else:
        for line in _witness_lines(breaks):
            print(line)
        if not breaks:
            print("no break recorded in any counter's witnessed audit log")
    return 1 if any(b["kind"] == "break" for b in breaks) else 0


def _chains(store: Any, args: argparse.Namespace) -> int:
    """Each counter's chain (counter_seq/counter_prev) as this gateway received it. Gaps can be
    events still queued or parked at the counter; forks (two events under one number) and
    breaks (an event not naming the one before) are not: exit code 1 when any is found."""
    reports = []
    for agency, number in store.chain_counters():
        rep = store.counter_chain_report(agency, number)
        if args.all or rep["gaps"] or rep["forks"] or rep["breaks"]:
            reports.append({"agency_code": agency, "counter_no": number, **rep})
    if args.json:
        print(json.dumps(reports, ensure_ascii=False))
    else:
        def spans(ranges: list[list[int]]) -> str:
            return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges[:20]) + (
                " …" if len(ranges) > 20 else "")

        for r in reports:
            print(f"{r['agency_code']}\t{r['counter_no']:02d}\tevents {r['events']}\t"
                  f"last #{r['last_seq']}\tgaps [{spans(r['gaps'])}]\t"
                  f"forks [{spans([[x, x] for x in r['forks']])}]\t"
                  f"breaks [{spans([[x, x] for x in r['breaks']])}]")
        if not reports:
            print("every counter's chain is whole (no gap, fork or break)")
    witness = _witness_breaks(store)
    if not args.json:  # (JSON: `motcua-gateway witness --json`)
        for line in _witness_lines(witness):
            print(line)
    return 1 if any(r["forks"] or r["breaks"] for r in reports) or any(
        b["kind"] == "break" for b in witness) else 0


def _data_dir(args: argparse.Namespace) -> Path:
    """The data folder, absolute: a relative ``--data-dir`` (or environment value) is relative
    to the current folder, as every command-line user expects."""
    d = getattr(args, "data_dir", None)
    return (Path(d).expanduser() if d else default_data_dir()).absolute()


def _open(args: argparse.Namespace) -> Any:
    from sync.gateway.store import open_store

    data_dir = _data_dir(args)
    data_dir.mkdir(parents=True, exist_ok=True)
    return open_store(getattr(args, "db", None), data_dir)


def _files_in(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.gateway.app import GatewayConfig, create_app
    from sync.gateway.verify import default_verifier

    data_dir = _data_dir(args)
    data_dir.mkdir(parents=True, exist_ok=True)
    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    anchors = args.trust_anchors or _files_in(
        data_dir / "trust-anchors", (".pem", ".crt", ".cer", ".der")
    )
    crls = args.crl
    crl_dir = data_dir / "crl" if not crls and (data_dir / "crl").is_dir() else None
    admin_token = None
    if args.admin_token_env:
        admin_token = os.environ.get(args.admin_token_env)
        if not admin_token:
            print(f"environment variable {args.admin_token_env} is empty", file=sys.stderr)
            return 1
    if bool(args.tsa_cert) != bool(args.tsa_key):
        print("--tsa-cert and --tsa-key go together", file=sys.stderr)
        return 2
    tsa = None
    if args.tsa_cert:
        from signing.tsa import TimeStampAuthority

        try:
            tsa = TimeStampAuthority.from_files(args.tsa_cert, args.tsa_key)
        except (OSError, ValueError, TypeError) as exc:
            print(f"cannot use the TSA certificate/key: {exc}", file=sys.stderr)
            return 2
    verifier = default_verifier(anchors, crls, crl_dir)
    from sync.gateway.rotation import RotationError

    signer = load_signer(args, data_dir)
    try:
        next_signer, next_from = load_next_signer(args)
        if next_signer is not None:  # publish now: a bad configuration stops the start
            from sync.gateway.rotation import signing_keys

            signing_keys(data_dir, signer, next_signer, next_from)
    except RotationError as exc:
        print(f"error: signing certificate rotation: {exc}", file=sys.stderr)
        return 2
    if signer is None:
        print("warning: no signing certificate (--signing-p12): province events cannot be made",
              file=sys.stderr)
    if args.verify_processes is None:
        from sync.gateway.checks import default_processes

        args.verify_processes = default_processes()
    config = GatewayConfig(
        tsa=tsa,
        signer=signer,
        next_signer=next_signer,
        next_signing_from=next_from,
        db_url=getattr(args, "db", None),
        data_dir=data_dir,
        verifier=verifier,
        admin_token=admin_token,
        max_batch_events=args.max_batch_events,
        max_batch_bytes=args.max_batch_bytes,
        partial_quota_bytes=args.partial_quota_mb * 1024 * 1024,
        partial_max_age_s=args.partial_max_age_hours * 3600,
        verify_processes=args.verify_processes,
        freeze_heap=True,
    )
    app = create_app(config)
    scheme = "https" if args.tls_cert else "http"
    print(f"motcua-gateway on {scheme}://{args.host}:{args.port}/api/v1 (store: "
          f"{_describe_db(getattr(args, 'db', None), data_dir)}; {len(anchors)} trust anchor(s))",
          file=sys.stderr)
    uvicorn.run(app, **uvicorn_options(args.host, args.port, args.tls_cert, args.tls_key))
    return 0


def uvicorn_options(
    host: str, port: int, tls_cert: Path | None = None, tls_key: Path | None = None
) -> dict[str, Any]:
    """uvicorn settings shared by ``serve``, the tests and the benchmark. The app adds Date
    itself (with X-Server-Time), so uvicorn's own Date/Server headers are off."""
    opts: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "date_header": False,
        "server_header": False,
        "timeout_keep_alive": 30,
        # A client holding a TLS keep-alive connection must not stall a restart for the
        # 30 s TLS close timeout: finish in-flight requests, then go.
        "timeout_graceful_shutdown": 5,
    }
    if tls_cert:
        opts["ssl_certfile"] = str(tls_cert)
        opts["ssl_keyfile"] = str(tls_key)
    return opts


def _describe_db(url: str | None, data_dir: Path) -> str:
    if not url:
        return f"sqlite {data_dir / 'gateway.sqlite3'}"
    if url.startswith(("postgresql://", "postgres://")):
        from urllib.parse import urlsplit

        u = urlsplit(url)  # never print a password
        return f"postgresql {u.hostname or 'local'}:{u.port or 5432}{u.path}"
    return url


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from sync.gateway.store import StoreError

    try:
        if args.command == "serve":
            return _serve(args)
        store = _open(args)
        try:
            return _admin(args, store)
        finally:
            store.close()
    except StoreError as exc:
        print(f"error ({exc.code}): {exc.detail}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        from sync.gateway.rotation import RotationError

        if isinstance(exc, RotationError):
            print(f"error: signing certificate rotation: {exc}", file=sys.stderr)
            return 1
        from signing.errors import SigningError

        if isinstance(exc, SigningError):
            print(f"error ({exc.code}): signing certificate: {exc.message('en')}",
                  file=sys.stderr)
            return 1
        raise


def counter_catalogue_problem(text: str) -> str | None:
    """Why a counter would refuse this catalogue document (None: it would install it).

    This command is a composition root: it runs the counters' own parser
    (``app.catalogue.parse_catalogue``), so `catalogue publish` refuses exactly what every
    counter would refuse; the gateway's server code itself never imports the app."""
    from app.catalogue import parse_catalogue
    from app.errors import UserError

    try:
        parse_catalogue(text)
    except UserError as exc:
        return exc.message("en")
    return None


def counter_catalogue_older(text: str) -> str | None:
    """Why counters would ignore this (valid) catalogue: its version is older than the one they
    ship with (``app/data/procedures.json``). None when it is not older."""
    from app.catalogue import load_shipped_catalogue, parse_catalogue

    parsed, shipped = parse_catalogue(text), load_shipped_catalogue()
    if parsed.version_key < shipped.version_key:
        return (f"version {parsed.version} is older than the catalogue counters ship with"
                f" ({shipped.version})")
    return None


def _tsa_of(args: argparse.Namespace) -> Any:
    if bool(getattr(args, "tsa_cert", None)) != bool(getattr(args, "tsa_key", None)):
        raise ValueError("--tsa-cert and --tsa-key go together")
    if not getattr(args, "tsa_cert", None):
        return None
    from signing.tsa import TimeStampAuthority

    return TimeStampAuthority.from_files(args.tsa_cert, args.tsa_key)


def _admin(args: argparse.Namespace, store: Any) -> int:
    from datetime import UTC, datetime

    if args.command == "enrol":
        counter, token = store.enrol(args.agency_code, args.counter_no, args.centre_name)
        keys = signing_keys_of(args, _data_dir(args))
        signer = keys.at()
        current = signer.info.sha256 if signer is not None else None
        # the certificates this one replaced (older province events of the centre are signed
        # by them): the counter pins them as replaced from each rotation's effective time
        history = [{"sha256": a.previous_sha256, "until": a.effective_at.isoformat()}
                   for a in keys.announcements if a.previous_sha256 != current
                   and a.effective_at <= datetime.now(UTC)]
        line = enrolment_string(args.gateway_url, counter, token, current, history)
        if args.json:
            print(json.dumps({**counter.to_json(), "token": token, "enrolment": line}))
        else:
            print(f"counter id: {counter.id}")
            print(f"agency:     {counter.agency_code}  counter {counter.counter_no}")
            print(f"token:      {token}")
            print(f"enrolment:  {line}")
            print("The token is shown only this once; the gateway keeps only its hash.")
        return 0
    if args.command == "revoke":
        counter = store.revoke(args.counter_id)
        print(f"revoked counter {counter.id} ({counter.agency_code}/{counter.counter_no})")
        return 0
    if args.command == "counters":
        rows = store.list_counters()
        if args.json:
            print(json.dumps([c.to_json() for c in rows], ensure_ascii=False))
        else:
            for c in rows:
                state = "active" if c.active else f"revoked {c.revoked_at}"
                print(f"{c.id}\t{c.agency_code}\t{c.counter_no}\t{c.centre_name or ''}\t{state}")
        return 0
    if args.command == "chains":
        return _chains(store, args)
    if args.command == "witness":
        return _witness(store, args)
    if args.command == "act":
        from sync.gateway.service import province_act

        wire = province_act(store, args.dossier_code, args.action, args.note,
                            signer=signing_keys_of(args, _data_dir(args)).at(),
                            tsa=_tsa_of(args))
        print(json.dumps({"id": wire.id, "type": wire.type, "dossier_code": wire.dossier_code,
                          "occurred_at": wire.occurred_at}, ensure_ascii=False))
        return 0
    if args.command == "catalogue" and args.catalogue_command == "publish":
        try:
            text = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
            return 1
        problem = counter_catalogue_problem(text)
        if problem is not None:
            print(f"error (bad_catalogue): counters would refuse this catalogue: {problem}",
                  file=sys.stderr)
            return 1
        older = counter_catalogue_older(text)
        if older is not None and not args.allow_downgrade:
            print(f"error (catalogue_downgrade): {older}; counters would ignore it. To publish it"
                  " anyway, use --allow-downgrade.", file=sys.stderr)
            return 1
        version = store.publish_catalogue(text)
        print(f"published catalogue version {version}")
        return 0
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
