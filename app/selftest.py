"""`motcua --self-test`: what IT runs after every install to know this PC can serve citizens.

It exercises the real path on throw-away data — a fresh store in a temporary folder, a dossier
received and signed with the demo PKI, a receipt rendered to PDF — and checks what a packaged
build most often gets wrong: the Qt platform plugin, print support, the bundled Vietnamese
fonts, the catalogue, the administrative units, SQLite FTS5 and the trust anchors. The counter's
real data is only looked at (is its folder writable, which schema version is its store), never
opened or changed.

Qt runs in a child process: a missing platform plugin or system library makes Qt abort the
process, and the report must still be printed. The child is `python -c …` from source, or the
bundle's own executable with MOTCUA_SELFTEST_CHILD=qt (packaging/motcua_entry.py dispatches).
No Qt is imported by this module itself.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from app.errors import message_of

log = logging.getLogger(__name__)

CHILD_ENV = "MOTCUA_SELFTEST_CHILD"
CHILD_DATA_ENV = "MOTCUA_SELFTEST_DATA"
CHILD_CODE_ENV = "MOTCUA_SELFTEST_CODE"
CHILD_LAYOUT_ENV = "MOTCUA_SELFTEST_LAYOUT"
CHILD_PRINTER_ENV = "MOTCUA_SELFTEST_PRINTER"
CHILD_TIMEOUT_S = 180
VIETNAMESE_SAMPLE = "ĐđƯưƠơẠạỹ"
MIN_PROCEDURES = 30
PROVINCES, COMMUNES = 34, 3321
OK, WARN, FAIL = "ok", "warn", "fail"
MARKS = {OK: "✔", WARN: "⚠", FAIL: "✘"}
ASCII_MARKS = {OK: "[OK]", WARN: "[!!]", FAIL: "[XX]"}


@dataclass
class Check:
    """One line of the report: a title and one line of detail, in both languages."""

    key: str
    vi: str
    en: str
    status: str = OK
    detail_vi: str = ""
    detail_en: str = ""

    def set(self, status: str, vi: str, en: str | None = None) -> Check:
        self.status, self.detail_vi, self.detail_en = status, vi, en if en is not None else vi
        return self


def _guard(check: Check, fn: Callable[[Check], None]) -> Check:
    """Run one check; any exception is that check's failure, never the end of the report."""
    try:
        fn(check)
    except Exception as exc:
        log.warning("self-test check %s failed", check.key, exc_info=True)
        check.set(FAIL, f"{message_of(exc, 'vi')}", f"{message_of(exc, 'en')}")
    return check


# ----------------------------------------------------------------------------- checks


def _check_config(check: Check, holder: dict[str, Any]) -> None:
    from app.config import load_config

    try:
        config = load_config(holder.get("overrides"))
    except Exception:
        from app.config import default_config

        holder["config"] = default_config(holder.get("overrides"))
        raise
    holder["config"] = config
    files = [str(p) for p in config.files.values() if p]
    n = sum(1 for v in config.values.values() if v.source != "default")
    where_vi = ", ".join(files) if files else "không có tệp cấu hình, dùng mặc định"
    where_en = ", ".join(files) if files else "no configuration file, built-in defaults"
    if config.warnings:
        check.set(WARN, f"{n} giá trị đã đặt ({where_vi}); " + "; ".join(w[0] for w in config.warnings),
                  f"{n} values set ({where_en}); " + "; ".join(w[1] for w in config.warnings))
    else:
        check.set(OK, f"{n} giá trị đã đặt ({where_vi})", f"{n} values set ({where_en})")


def _writable(folder: Path) -> tuple[bool, str]:
    """Can the app create, write and read back files in `folder` (creating it if missing, as
    the app would)? The probe file is removed; folders the app would create anyway stay."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return False, exc.strerror or str(exc)
    if not folder.is_dir():
        return False, f"{folder} is a file"
    payload = ("motcua self-test " + VIETNAMESE_SAMPLE + f" {os.getpid()} {time.time()}").encode()
    try:
        fd, name = tempfile.mkstemp(prefix=".motcua-probe-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            if Path(name).read_bytes() != payload:
                return False, "what was written does not read back"
        finally:
            Path(name).unlink(missing_ok=True)
    except OSError as exc:
        return False, exc.strerror or str(exc)
    return True, ""


def _stale_side_files(store: Path) -> list[str]:
    """-wal/-shm files this account cannot write: SQLite cannot open the store for writing
    while they stay (left by another account or a copy made read-only)."""
    bad = []
    for suffix in ("-wal", "-shm"):
        side = Path(str(store) + suffix)
        if not side.exists():
            continue
        try:
            with side.open("r+b"):
                pass
        except OSError as exc:
            owner = ""
            with contextlib.suppress(OSError):
                owner = f", uid {side.stat().st_uid}"
            bad.append(f"{side} ({exc.strerror or exc}{owner})")
    return bad


def _store_key(store: Path, config: Any) -> bytes | None:
    """This machine's key of an encrypted store (None: plaintext, missing, or no key here)."""
    from localdb.engine import file_kind

    if file_kind(store) != "encrypted":
        return None
    try:
        from app.storeops import read_key

        return read_key(config.settings())
    except Exception:
        log.warning("self-test: store key not readable", exc_info=True)
        return None


def _encrypted_version(store: Path, key: bytes) -> int | None:
    from localdb.engine import DB_ERRORS, connect

    try:
        conn = connect(store, key, readonly=True, timeout=5)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except DB_ERRORS:
        return None


def _probe_store(store: Path, key: bytes | None = None) -> str | None:
    """Write and read back a row in the REAL store, then roll back: proves this account can
    save dossiers there. None when it can, else why not. The schema is not migrated."""
    from localdb.engine import DB_ERRORS, connect

    try:
        conn = connect(store, key, timeout=5)
    except DB_ERRORS as exc:
        return str(exc)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            probe = f"selftest.probe.{os.getpid()}"
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (probe, VIETNAMESE_SAMPLE))
            back = conn.execute("SELECT value FROM meta WHERE key = ?", (probe,)).fetchone()
            if not back or back[0] != VIETNAMESE_SAMPLE:
                return "the probe row does not read back"
        finally:
            conn.execute("ROLLBACK")
    except DB_ERRORS as exc:
        return str(exc)
    finally:
        conn.close()
    return None


def _store_version_of(path: Path) -> int | None:
    """PRAGMA user_version read from the file header (offset 60) without opening SQLite,
    so a store is never migrated or locked by the self-test."""
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except OSError:
        return None
    if len(head) < 64 or not head.startswith(b"SQLite format 3\x00"):
        return None
    return int.from_bytes(head[60:64], "big")


def _check_data_dir(check: Check, config: Any) -> None:
    from localdb.schema import LATEST_VERSION

    folder = config.data_dir
    ok, why = _writable(folder)
    if not ok:
        check.set(FAIL, f"không ghi được vào {folder} ({why}); hồ sơ sẽ không lưu được",
                  f"cannot write to {folder} ({why}); dossiers could not be saved")
        return
    store = folder / "motcua.sqlite3"
    version = _store_version_of(store) if store.exists() else None
    key = _store_key(store, config)
    if key is not None:  # encrypted at rest: the version is inside the encrypted header
        version = _encrypted_version(store, key)
    if not store.exists():
        check.set(OK, f"{folder} (chưa có dữ liệu)", f"{folder} (no store yet)")
    elif version is None:
        check.set(FAIL, f"{store} không phải tệp SQLite hợp lệ", f"{store} is not a valid SQLite file")
    elif version > LATEST_VERSION:
        check.set(FAIL, f"{store}: lược đồ v{version} mới hơn phiên bản này (v{LATEST_VERSION}); "
                  "hãy cài bản mới nhất", f"{store}: schema v{version} is newer than this version "
                  f"(v{LATEST_VERSION}); install the latest release")
    elif version < LATEST_VERSION:
        check.set(OK, f"{store}: lược đồ v{version}, sẽ được sao lưu rồi nâng cấp lên "
                  f"v{LATEST_VERSION} khi mở", f"{store}: schema v{version}, will be backed up "
                  f"and upgraded to v{LATEST_VERSION} when opened")
    else:
        check.set(OK, f"{store} (lược đồ v{version})", f"{store} (schema v{version})")


def _check_live_store(check: Check, config: Any) -> None:
    """The counter's real store: can this account save in it (not a copy in a temp folder)?"""
    store = config.data_dir / "motcua.sqlite3"
    if not store.exists():
        check.set(OK, "chưa có (sẽ tạo khi dùng lần đầu)", "none yet (created on first use)")
        return
    key = _store_key(store, config)
    if _store_version_of(store) is None and key is None:
        check.set(WARN, f"{store} không đọc được bằng SQLite thường (có thể đã mã hoá); bỏ qua "
                  "phép thử ghi", f"{store} is not readable as plain SQLite (encrypted?); "
                  "write probe skipped")
        return
    stale = _stale_side_files(store)
    if stale:
        check.set(FAIL, "tệp phụ còn sót và chỉ cho đọc, chặn việc lưu hồ sơ: " + "; ".join(stale)
                  + ". Khi MotCua không chạy, hãy xoá tệp đó hoặc cấp quyền ghi",
                  "leftover read-only side file blocks saving dossiers: " + "; ".join(stale)
                  + ". With MotCua closed, delete it or make it writable")
        return
    why = _probe_store(store, key)
    if why:
        check.set(FAIL, f"{store}: tài khoản này không lưu được hồ sơ ({why}); hãy cấp quyền ghi "
                  "cho tệp và thư mục dữ liệu", f"{store}: this account cannot save dossiers "
                  f"({why}); make the store and its folder writable")
        return
    check.set(OK, f"{store}: ghi và đọc lại được (không thay đổi gì)",
              f"{store}: written and read back (nothing changed)")


def _check_log_dir(check: Check, config: Any) -> None:
    ok, why = _writable(config.log_dir)
    if ok:
        check.set(OK, str(config.log_dir))
    else:
        check.set(WARN, f"không ghi được nhật ký vào {config.log_dir} ({why}); chỉ ghi ra màn hình",
                  f"cannot write logs to {config.log_dir} ({why}); logging to the console only")


def _check_store(check: Check, tmp: Path) -> None:
    from localdb.schema import LATEST_VERSION
    from localdb.store import Store

    with Store.open(tmp / "probe" / "motcua.sqlite3") as store:
        integrity = store.scalar("PRAGMA integrity_check")
        fts = store.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'dossier_fts'")
        import sqlite3

        if store.version != LATEST_VERSION or integrity != "ok" or not fts:
            check.set(FAIL, f"lược đồ v{store.version}, integrity_check={integrity}, fts5={bool(fts)}",
                      f"schema v{store.version}, integrity_check={integrity}, fts5={bool(fts)}")
            return
        check.set(OK, f"SQLite {sqlite3.sqlite_version}, lược đồ v{LATEST_VERSION}, FTS5, WAL",
                  f"SQLite {sqlite3.sqlite_version}, schema v{LATEST_VERSION}, FTS5, WAL")


def _check_intake(check: Check, tmp: Path, holder: dict[str, Any]) -> None:
    from app import demo
    from app.context import open_counter
    from app.settings import Settings
    from app.signatures import verify_store

    started = time.perf_counter()
    d = demo.prepare(tmp / "data")
    holder["demo"] = d
    with open_counter(Settings(data_dir=d.data_dir)) as counter:
        report = verify_store(counter)
    elapsed = time.perf_counter() - started
    if not d.codes or report.problems or report.signatures < len(d.codes):
        check.set(FAIL, f"{len(d.codes)} hồ sơ, {report.signatures} chữ ký, lỗi: {report.problems}",
                  f"{len(d.codes)} dossiers, {report.signatures} signatures, problems: {report.problems}")
        return
    check.set(OK, f"{len(d.codes)} hồ sơ ký bằng PKI demo và kiểm tra lại chữ ký CMS "
              f"({d.codes[0]}, {elapsed:.1f} s)",
              f"{len(d.codes)} dossiers signed with the demo PKI, CMS signatures re-verified "
              f"({d.codes[0]}, {elapsed:.1f} s)")


def _check_search(check: Check, holder: dict[str, Any]) -> None:
    from app import queries
    from app.context import open_counter
    from app.settings import Settings

    d = holder.get("demo")
    if d is None:
        check.set(FAIL, "không có hồ sơ mẫu (bước tiếp nhận đã lỗi)", "no sample dossier (intake failed)")
        return
    with open_counter(Settings(data_dir=d.data_dir)) as counter:
        found = [r["code"] for r in queries.search(counter, "dang thi huong")["results"]]
    if d.codes[0] in found:
        check.set(OK, "'dang thi huong' tìm thấy 'Đặng Thị Hương'", "'dang thi huong' finds 'Đặng Thị Hương'")
    else:
        check.set(FAIL, f"'dang thi huong' không tìm thấy hồ sơ mẫu ({found})",
                  f"'dang thi huong' did not find the sample dossier ({found})")


def _check_demo_gateway(check: Check, holder: dict[str, Any]) -> None:
    """The sample dossiers synced to the reference gateway on loopback (what `motcua demo`
    runs): the gateway stack is installed (bundle: inside it) and a round trip works here."""
    from app.context import open_counter
    from app.settings import Settings

    d = holder.get("demo")
    if d is None:
        check.set(FAIL, "không có hồ sơ mẫu (bước tiếp nhận đã lỗi)", "no sample dossier (intake failed)")
        return
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        check.set(WARN, f"chưa cài cổng demo ({exc.name}); cài 'motcua[gateway]' nếu cần thử "
                  "đồng bộ", f"the demo gateway is not installed ({exc.name}); install "
                  "'motcua[gateway]' to try sync")
        return
    from app import sync_service
    from app.demo_gateway import start_demo_gateway

    started = time.perf_counter()
    url, gateway = start_demo_gateway(d)
    try:
        with open_counter(Settings(data_dir=d.data_dir)) as counter:
            result = sync_service.sync_once(counter)
    finally:
        gateway.stop()
    elapsed = time.perf_counter() - started
    if result.error is not None or result.delivered < len(d.codes) or result.parked:
        check.set(FAIL, f"{url}: gửi {result.delivered}/{len(d.codes)}, tạm giữ {result.parked}, "
                  f"lỗi {result.error}", f"{url}: delivered {result.delivered}/{len(d.codes)}, "
                  f"parked {result.parked}, error {result.error}")
        return
    check.set(OK, f"{result.delivered} sự kiện đã gửi tới cổng demo {url} ({elapsed:.1f} s)",
              f"{result.delivered} events delivered to the demo gateway {url} ({elapsed:.1f} s)")


def _check_catalogue(check: Check) -> None:
    from app.catalogue import load_shipped_catalogue

    cat = load_shipped_catalogue()
    n = len(cat.procedures)
    status = OK if n >= MIN_PROCEDURES else FAIL
    check.set(status, f"{n} thủ tục, phiên bản {cat.version}", f"{n} procedures, version {cat.version}")


def _check_units(check: Check) -> None:
    from app import units

    provinces = units.provinces()
    communes = sum(1 for _ in units.all_communes())
    units.validate_address("79", "26740")
    status = OK if (len(provinces), communes) == (PROVINCES, COMMUNES) else FAIL
    check.set(status, f"{len(provinces)} tỉnh/thành phố, {communes} xã/phường/đặc khu",
              f"{len(provinces)} provinces, {communes} communes/wards/special zones")


def _check_trust(check: Check, config: Any) -> None:
    """Clerk-signature anchors in the data folder, the gateway CA bundle and the TLS roots.
    A file that does not parse fails; no anchor at all is only a warning (a new PC)."""
    from app.settings import Settings
    from app.trust import anchor_files
    from signing.trust import load_certificates

    bad: list[str] = []
    anchors = 0
    for f in anchor_files(Settings(data_dir=config.data_dir)):
        try:
            anchors += len(load_certificates(f.read_bytes()))
        except (OSError, ValueError):
            bad.append(str(f))
    gateway = ""
    ca_bundle = config.get("ca_bundle")
    if ca_bundle:
        try:
            n = len(load_certificates(Path(ca_bundle).read_bytes()))
            gateway = f"; CA {n}"
            if not n:
                bad.append(ca_bundle)
        except (OSError, ValueError):
            bad.append(ca_bundle)
    import certifi

    tls = Path(certifi.where()).read_bytes().count(b"-----BEGIN CERTIFICATE-----")
    if bad:
        check.set(FAIL, "tệp chứng thư không đọc được: " + ", ".join(bad),
                  "certificate files that do not parse: " + ", ".join(bad))
    elif not tls:
        check.set(FAIL, "thiếu kho CA gốc cho TLS (certifi)", "TLS root store (certifi) missing")
    elif anchors == 0:
        check.set(WARN, f"chưa cấu hình chứng thư gốc nào cho chữ ký cán bộ (motcua trust add){gateway}; "
                  f"TLS {tls}", f"no trust anchor configured for clerks' signatures (motcua trust add)"
                  f"{gateway}; TLS {tls}")
    else:
        check.set(OK, f"{anchors} chứng thư gốc/trung gian{gateway}; TLS {tls}",
                  f"{anchors} anchor certificates{gateway}; TLS {tls}")


# ------------------------------------------------------------------------- Qt (child)


def _child_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-c",
            "import sys; from app.gui import qt_selftest_child; sys.exit(qt_selftest_child())"]


QT_CHECKS = (
    ("qt", "Nền tảng Qt", "Qt platform"),
    ("print", "Hỗ trợ in (QPrinter → PDF)", "Print support (QPrinter → PDF)"),
    ("fonts", "Phông chữ tiếng Việt", "Vietnamese fonts"),
    ("receipt", "Giấy tiếp nhận (PDF)", "Receipt (PDF)"),
    ("gui", "Giao diện", "GUI"),
)


def _qt_checks(tmp: Path, holder: dict[str, Any]) -> list[Check]:
    checks = [Check(k, vi, en) for k, vi, en in QT_CHECKS]
    env = dict(os.environ)
    config = holder["config"]
    try:  # the counter layer too (printer chosen in the wizard…), read without opening it
        from app.config import store_meta

        store_path = config.data_dir / "motcua.sqlite3"
        meta = store_meta(store_path, config.settings())
        if meta is not None:
            config = config.with_counter(meta, str(store_path))
    except Exception:
        log.warning("self-test: store preferences not readable", exc_info=True)
    d = holder.get("demo")
    env.update({CHILD_ENV: "qt", CHILD_DATA_ENV: str(d.data_dir) if d else "",
                CHILD_CODE_ENV: d.codes[0] if d and d.codes else "",
                CHILD_LAYOUT_ENV: str(config.get("receipt_layout") or "a4"),
                CHILD_PRINTER_ENV: str(config.get("printer") or ""),
                "PYTHONIOENCODING": "utf-8"})
    if not getattr(sys, "frozen", False):
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    try:
        proc = subprocess.run(_child_command(), env=env, cwd=tmp, capture_output=True,
                              timeout=CHILD_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        for c in checks:
            c.set(FAIL, f"không chạy được tiến trình kiểm tra Qt: {exc}",
                  f"could not run the Qt check process: {exc}")
        return checks
    results: dict[str, dict] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("{") and '"key"' in line:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            results[item["key"]] = item
    tail = [s for s in proc.stderr.decode("utf-8", "replace").strip().splitlines() if s.strip()]
    why = " | ".join(tail[-3:]) or f"exit {proc.returncode}"
    reported = False
    for c in checks:
        item = results.get(c.key)
        if item:
            c.set(item["status"], item["detail_vi"], item["detail_en"])
        elif not reported:
            reported = True
            c.set(FAIL, f"tiến trình Qt dừng bất thường (mã {proc.returncode}): {why}",
                  f"the Qt process stopped abnormally (exit {proc.returncode}): {why}")
        else:
            c.set(FAIL, "không kiểm tra được (tiến trình Qt đã dừng)",
                  "not checked (the Qt process stopped)")
    return checks


def _emit(check: Check) -> None:
    print(json.dumps(asdict(check), ensure_ascii=False), flush=True)


def _stream_can(out: TextIO, text: str) -> bool:
    try:
        text.encode(out.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _prepare_stream(out: TextIO) -> TextIO:
    """Windows consoles redirected to a file use cp1252: switch to UTF-8 rather than crash."""
    if not _stream_can(out, "✔Đ") and hasattr(out, "reconfigure"):
        with contextlib.suppress(ValueError, OSError):  # not reconfigurable: keep it as it is
            out.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[attr-defined]
    return out


def version_line() -> str:
    from app import __version__

    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    return (f"MotCua Counter {__version__}{frozen} — Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()} {platform.machine()}")


def run_checks(overrides: dict[str, Any] | None = None) -> list[Check]:
    """Every check, in report order. Nothing raised: failures are in the list."""
    holder: dict[str, Any] = {"overrides": overrides}
    checks = [_guard(Check("config", "Cấu hình", "Configuration"), lambda c: _check_config(c, holder))]
    config = holder["config"]
    checks.append(_guard(Check("data_dir", "Thư mục dữ liệu", "Data folder"),
                         lambda c: _check_data_dir(c, config)))
    checks.append(_guard(Check("live_store", "Kho dữ liệu của quầy", "This counter's store"),
                         lambda c: _check_live_store(c, config)))
    checks.append(_guard(Check("log_dir", "Thư mục nhật ký", "Log folder"),
                         lambda c: _check_log_dir(c, config)))
    with tempfile.TemporaryDirectory(prefix="motcua-selftest-", ignore_cleanup_errors=True) as t:
        tmp = Path(t)
        checks.append(_guard(Check("store", "Cơ sở dữ liệu mới", "Fresh store"),
                             lambda c: _check_store(c, tmp)))
        checks.append(_guard(Check("intake", "Tiếp nhận hồ sơ có ký số", "Signed intake"),
                             lambda c: _check_intake(c, tmp, holder)))
        checks.append(_guard(Check("search", "Tìm kiếm không dấu", "Search without diacritics"),
                             lambda c: _check_search(c, holder)))
        checks.append(_guard(Check("demo_gateway", "Đồng bộ với cổng demo", "Sync with the demo gateway"),
                             lambda c: _check_demo_gateway(c, holder)))
        checks.append(_guard(Check("catalogue", "Danh mục thủ tục", "Procedure catalogue"),
                             _check_catalogue))
        checks.append(_guard(Check("units", "Đơn vị hành chính", "Administrative units"), _check_units))
        checks.append(_guard(Check("trust", "Chứng thư tin cậy", "Trust anchors"),
                             lambda c: _check_trust(c, config)))
        checks.extend(_qt_checks(tmp, holder))
    return checks


def format_report(checks: list[Check], lang: str = "vi", *, ascii_only: bool = False) -> str:
    en = lang == "en"
    marks = ASCII_MARKS if ascii_only else MARKS
    title = "self-test" if en else "tự kiểm tra sau cài đặt"
    lines = [f"{version_line()}", f"== {title} =="]
    width = max(len(c.en if en else c.vi) for c in checks)
    for c in checks:
        name = c.en if en else c.vi
        lines.append(f"{marks[c.status]} {name:<{width}}  {c.detail_en if en else c.detail_vi}")
    fails = sum(c.status == FAIL for c in checks)
    warns = sum(c.status == WARN for c in checks)
    if fails:
        lines.append(f"{fails} check(s) FAILED, {warns} warning(s): this PC is not ready." if en else
                     f"{fails} mục KHÔNG ĐẠT, {warns} cảnh báo: máy này chưa sẵn sàng.")
    else:
        lines.append(f"All {len(checks)} checks passed ({warns} warning(s)): ready." if en else
                     f"Đạt cả {len(checks)} mục ({warns} cảnh báo): sẵn sàng sử dụng.")
    return "\n".join(lines)


def run(overrides: dict[str, Any] | None = None, *, lang: str | None = None,
        out: TextIO | None = None, as_json: bool = False) -> int:
    """Print the report; 0 only when no check failed (warnings pass)."""
    out = _prepare_stream(out or sys.stdout)
    try:
        checks = run_checks(overrides)
    except Exception:
        traceback.print_exc()
        return 1
    lang = lang or "vi"
    if as_json:
        out.write(json.dumps([asdict(c) for c in checks], ensure_ascii=False, indent=2) + "\n")
    else:
        text = format_report(checks, lang, ascii_only=not _stream_can(out, "✔⚠✘"))
        out.write(text + "\n")
        log.info("self-test:\n%s", format_report(checks, "en", ascii_only=True))
    out.flush()
    return 1 if any(c.status == FAIL for c in checks) else 0


def main(args: Any = None) -> int:
    """Entry for the CLI flag: `motcua [--data-dir D] [--lang vi|en] --self-test`."""
    from app.config import cli_overrides, load_config

    overrides = cli_overrides(args) if args is not None else None
    try:
        lang = load_config(overrides).lang  # --lang > MOTCUA_LANG(UAGE) > files > locale
    except Exception:
        lang = getattr(args, "lang", None) or "vi"
    return run(overrides, lang=lang, as_json=bool(getattr(args, "json", False)))


def cli(argv: list[str] | None = None) -> int:
    """`python -m app.selftest [--data-dir D] [--lang vi|en] [--json]`: the same report without
    the rest of the command line (used until `motcua --self-test` is wired, and by the bundle's
    entry script)."""
    import argparse

    from app.settings import default_lang

    p = argparse.ArgumentParser(prog="motcua --self-test")
    p.add_argument("--self-test", action="store_true")
    p.add_argument("--data-dir")
    p.add_argument("--lang", choices=["vi", "en"])
    p.add_argument("--json", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    args, _ = p.parse_known_args(argv)
    args.lang_cli = args.lang
    args.lang = args.lang or default_lang()
    return main(args)


if __name__ == "__main__":
    if os.environ.get(CHILD_ENV) == "qt":
        from app.gui import qt_selftest_child

        raise SystemExit(qt_selftest_child())
    raise SystemExit(cli())
