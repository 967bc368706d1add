"""Commands for IT staff: `motcua config show`, `motcua diagnostics`, `motcua self-test`.

    motcua config show [--json]           effective configuration, where each value came from
    motcua diagnostics --out FILE.zip     logs, versions, configuration, store statistics
    motcua self-test [--json]             same as `motcua --self-test`

The diagnostics archive is meant to be mailed to support, so it holds no citizen data and no
key material: logs pass the redaction filter again (older files, other writers), the
configuration has secrets removed, the store is opened read-only and only counted (per table,
schema version, outbox pending/parked, integrity_check, audit chain), and of the store's meta
only identity and printing keys are kept. The gateway credential is reported as present or
not, never read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

from app.cli.common import emit
from app.errors import UserError, message_of

DIST_NAMES = ("motcua", "PySide6-Essentials", "shiboken6", "qasync", "cryptography", "pyhanko",
              "pyhanko-certvalidator", "python-pkcs11", "asn1crypto", "argon2-cffi", "requests",
              "certifi", "platformdirs", "holidays", "vietnam-provinces", "segno", "rfc8785",
              "uuid6", "sqlite-utils", "pyinstaller")
# Meta keys safe to show support: identity, printing, sync endpoints. Anything else is omitted.
SAFE_META = ("agency_code", "counter_no", "counter_label", "centre_name", "gateway_url",
             "gateway_ca", "gateway_ca_bundle", "gateway_counter_id", "receipt.layout",
             "receipt.printer", "receipt.lookup_url", "receipt.place", "receipt.authority")
SAFE_META_PREFIXES = ("pref.",)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="configuration (site-wide file, per-user file, environment)")
    csub = p.add_subparsers(dest="config_cmd", required=True)
    s = csub.add_parser("show", help="effective configuration and where each value came from")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_config_show)

    p = sub.add_parser("diagnostics", help="zip of logs, versions, configuration and store "
                                           "statistics for support (no citizen data, no keys)")
    p.add_argument("--out", required=True, help="archive to write, e.g. motcua-diag.zip")
    p.set_defaults(func=cmd_diagnostics)

    p = sub.add_parser("self-test", help="check this installation (same as --self-test)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_self_test)


def cmd_config_show(args: argparse.Namespace) -> int:
    from app.config import config_of, store_meta

    config = config_of(args)
    # the counter layer, read without opening the store for writing (no migration, no lock)
    store_path = config.settings().store_path
    meta = store_meta(store_path, config.settings())
    if meta is not None:
        config = config.with_counter(meta, str(store_path))
    if args.json:
        emit({"values": config.as_dict(),
              "files": {k: str(v) if v else None for k, v in config.files.items()},
              "looked_for": {k: [str(p) for p in v] for k, v in config.looked_for.items()},
              "warnings": [w[1] if args.lang == "en" else w[0] for w in config.warnings]})
    else:
        print(config.report(args.lang))
    return 0


def cmd_self_test(args: argparse.Namespace) -> int:
    from app.selftest import main

    return main(args)


# --------------------------------------------------------------------------- diagnostics


def versions() -> dict[str, Any]:
    """Python, OS, Qt and library versions (Qt only if importable: the CLI may lack it)."""
    from app.versions import installed

    libs = installed()  # the bundle's record (it keeps little metadata), else the metadata
    for name in DIST_NAMES:
        if name in libs:
            continue
        try:
            libs[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    out: dict[str, Any] = {
        "python": sys.version,
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "frozen": bool(getattr(sys, "frozen", False)),
        "os": platform.platform(),
        "machine": platform.machine(),
        "sqlite": sqlite3.sqlite_version,
        "libraries": libs,
    }
    try:  # from the metadata: the diagnostics command must not load Qt
        pyside = metadata.version("PySide6-Essentials")
        out["qt"] = {"pyside6": pyside, "qt": pyside}  # PySide6 X.Y.Z wraps Qt X.Y.Z
    except metadata.PackageNotFoundError as exc:
        out["qt"] = {"error": str(exc)}
    return out


def store_statistics(store_path: Path, settings: Any = None) -> dict[str, Any]:
    """Counts only, through a read-only connection: the store is never migrated or written.
    An encrypted store is read with this machine's key when `settings` say where it is."""
    from localdb.engine import DB_ERRORS, connect, file_kind

    if not store_path.exists():
        return {"path": str(store_path), "exists": False}
    out: dict[str, Any] = {"path": str(store_path), "exists": True,
                           "bytes": store_path.stat().st_size,
                           "encrypted": file_kind(store_path) == "encrypted"}
    key = None
    if out["encrypted"] and settings is not None:
        from app.storeops import read_key

        try:
            key = read_key(settings)
        except UserError as exc:
            out["error"] = exc.en
            return out
    try:
        conn = connect(store_path, key, readonly=True, timeout=10)
    except DB_ERRORS as exc:
        out["error"] = str(exc)
        return out
    try:
        out["schema_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
        out["journal_mode"] = conn.execute("PRAGMA journal_mode").fetchone()[0]
        import sqlite_utils  # statistics are what it is for; loaded only here

        db = sqlite_utils.Database(conn)
        tables = sorted(db.table_names())
        counts: dict[str, Any] = {}
        for t in tables:
            try:
                counts[t] = db[t].count
            except DB_ERRORS as exc:
                counts[t] = f"error: {exc}"
        out["tables"] = counts
        if "outbox" in tables:
            from localdb import outbox

            out["outbox"] = outbox.counts(conn)
        started = time.perf_counter()
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        out["integrity_check"] = rows if rows != ["ok"] else "ok"
        out["integrity_check_seconds"] = round(time.perf_counter() - started, 3)
        if "audit" in tables:
            from localdb import audit

            n, problems = audit.verify(conn)
            out["audit_chain"] = {"rows": n, "problems": len(problems)}
        if "meta" in tables:
            meta = {}
            for key, value in conn.execute("SELECT key, value FROM meta ORDER BY key"):
                if key in SAFE_META or key.startswith(SAFE_META_PREFIXES):
                    from app.config import redact_value

                    meta[key] = redact_value(key, value)
            out["meta"] = meta
    except DB_ERRORS as exc:
        out["error"] = str(exc)
    finally:
        conn.close()
    return out


def collect(args: argparse.Namespace) -> dict[str, Any]:
    """Everything but the logs, as one JSON-able dict."""
    from app.config import cli_overrides, config_of, default_config

    report: dict[str, Any] = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                              "versions": versions()}
    try:
        config = config_of(args)
    except UserError as exc:
        report["configuration_error"] = {"vi": exc.vi, "en": exc.en}
        config = default_config(cli_overrides(args))
    report["configuration"] = {
        "values": config.as_dict(),
        "files": {k: str(v) if v else None for k, v in config.files.items()},
        "warnings": [w[1] for w in config.warnings],
    }
    data = config.data_dir
    report["store"] = store_statistics(data / "motcua.sqlite3", config.settings())
    cred = data / "gateway-credential"
    report["data_dir"] = {
        "path": str(data),
        "exists": data.is_dir(),
        "gateway_credential": ({"present": True, "mode": oct(cred.stat().st_mode & 0o777)}
                               if cred.exists() else {"present": False}),
        "trust_anchor_files": sorted(p.name for p in (data / "trust" / "anchors").glob("*"))
        if (data / "trust" / "anchors").is_dir() else [],
        "crl_files": sorted(p.name for p in (data / "trust" / "crls").glob("*"))
        if (data / "trust" / "crls").is_dir() else [],
        "backups": sorted(p.name for p in (data / "backups").glob("*"))
        if (data / "backups").is_dir() else [],
        "attachments": sum(1 for p in (data / "attachments").rglob("*") if p.is_file())
        if (data / "attachments").is_dir() else 0,
    }
    report["log_dir"] = str(config.log_dir)
    gateway = config.get("gateway_url") or report["store"].get("meta", {}).get("gateway_url")
    report["network"] = network_report(gateway)
    report["environment"] = {k: ("***" if _secretish(k) else v) for k, v in sorted(os.environ.items())
                             if k.startswith(("MOTCUA_", "QT_")) or k in ("LANG", "LC_ALL")}
    return report


def network_report(gateway_url: str | None) -> dict[str, Any]:
    """How this PC's sync reaches the gateway, for IT: the proxy it uses for the gateway's URL
    (None: direct) and the variables that decided it, proxy passwords removed."""
    from requests.utils import select_proxy

    from sync.client import (
        CA_BUNDLE_VARIABLES,
        PROXY_VARIABLES,
        check_gateway_url,
        gateway_proxies,
    )

    out: dict[str, Any] = {"variables": {
        name: _redact_proxy(os.environ[name]) if name.lower().endswith("_proxy")
        and name.lower() != "no_proxy" else os.environ[name]
        for name in (*PROXY_VARIABLES, *CA_BUNDLE_VARIABLES) if name in os.environ}}
    out["gateway_proxy"] = None
    if gateway_url:
        try:
            url = check_gateway_url(gateway_url)
        except ValueError as exc:
            out["gateway_proxy_error"] = str(exc)
        else:
            chosen = select_proxy(url + "/", gateway_proxies(url))
            out["gateway_proxy"] = _redact_proxy(chosen) if chosen else None
    return out


def _redact_proxy(value: str) -> str:
    """A proxy setting without its password (requests also takes it without a scheme)."""
    from app.config import redact_url

    if "://" in value:
        return redact_url(value)
    return redact_url("http://" + value).split("://", 1)[1]


def _secretish(name: str) -> bool:
    from app.config import is_secret_name

    return is_secret_name(name)


def _redact_strings(obj: Any, redact: Any) -> Any:
    """Redact every string value (not the structure: JSON must stay JSON)."""
    if isinstance(obj, dict):
        return {k: _redact_strings(v, redact) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_redact_strings(v, redact) for v in obj]
    return redact(obj) if isinstance(obj, str) else obj


def write_archive(out: Path, report: dict[str, Any], log_dir: Path) -> list[str]:
    """diagnostics.json + logs/* (redacted again) into `out`, written aside then renamed."""
    from app.logs import log_files, redact

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    names = ["diagnostics.json"]
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("diagnostics.json",
                       json.dumps(_redact_strings(report, redact), ensure_ascii=False, indent=2))
            for f in log_files(log_dir):
                try:
                    text = f.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                name = f"logs/{f.name}"
                z.writestr(name, "\n".join(redact(line) for line in text.splitlines()) + "\n")
                names.append(name)
        Path(tmp).replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return names


def cmd_diagnostics(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".zip":
        raise UserError("Tệp kết quả phải có đuôi .zip.", "The output file must end in .zip.",
                        field="out")
    report = collect(args)
    try:
        names = write_archive(out, report, Path(report["log_dir"]))
    except OSError as exc:
        raise UserError(f"Không ghi được {out}: {exc.strerror or exc}.",
                        f"Cannot write {out}: {exc.strerror or exc}.") from None
    en = args.lang == "en"
    print(("Written: " if en else "Đã ghi: ") + f"{out} ({len(names)} " + ("files)" if en else "tệp)"))
    if "configuration_error" in report:
        print(message_of(UserError(**report["configuration_error"]), args.lang), file=sys.stderr)
    return 0
