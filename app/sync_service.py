"""The app side of sync: the engine's store over a Counter, enrolment, and the ways to run it
(once from the CLI, forever from `motcua sync run`, in the background of the GUI).

`sync/` knows nothing of the app: it talks to :class:`CounterSyncStore`, which maps its calls
onto the outbox, `app.remote.apply_signed_events`, `app.syncstate` and the catalogue import,
each write in one store transaction.

Secrets: the counter credential (Bearer token) lives only in ``<data>/gateway-credential``
(mode 0600), never in the database, the audit log or a log line; the store's meta holds the
gateway URL and the path of the CA bundle that pins the gateway's TLS certificate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import syncstate
from app.context import Counter, import_catalogue
from app.domain import iso, now_vn
from app.errors import UserError
from localdb import audit, outbox
from localdb.backup import attachment_path
from sync.client import GatewayClient, check_gateway_url
from sync.engine import EngineConfig, SyncEngine, SyncResult
from sync.wire import WireEvent

log = logging.getLogger(__name__)

CREDENTIAL_FILE = "gateway-credential"
#: meta: the audit row the gateway last said it witnesses (a hint: the gateway decides)
WITNESS_HINT_KEY = "audit_witness_seq"
META_URL = "gateway_url"
META_CA = "gateway_ca_bundle"
META_COUNTER_ID = "gateway_counter_id"
ENROL_PREFIX = "MOTCUA-ENROL1:"


def credential_path(counter: Counter) -> Path:
    return counter.settings.data_dir / CREDENTIAL_FILE


# =============================================================================================
# the engine's store
# =============================================================================================


class CounterSyncStore:
    """`sync.engine.SyncStore` over a Counter. Called from the engine's single store thread."""

    def __init__(self, counter: Counter, on_applied: Any = None,
                 client: GatewayClient | None = None):
        self.counter = counter
        self.on_applied = on_applied  # called with the changed dossier codes after a pull
        self.client = client  # to pin the gateway's signing certificate when enrolment did not
        self._time_stamps_noted: bool | None = None  # what record_results last checked in

    def _ensure_gateway_pin(self) -> None:
        """Province events need a pinned gateway certificate; an enrolment made offline has
        none yet, so ask the gateway (same authenticated connection) before applying any."""
        from app import evidence

        with self._read():
            if evidence.pins_of(self.counter.store.conn) or self.client is None:
                return
        try:
            doc = self.client.gateway_certificate()
        except Exception as exc:
            log.warning("gateway signing certificate could not be fetched: %s", exc)
            return
        if doc:
            pin_gateway_certificate(self.counter, str(doc["sha256"]), actor="sync")

    def _read(self) -> Any:
        return self.counter.store._lock

    def rotation_needed(self, sha256: str) -> bool:
        from app import rotation

        return rotation.rotation_needed(self.counter, sha256)

    def apply_rotations(self, items: list[object]) -> dict[str, Any]:
        """Judge and apply the gateway's signing-certificate announcements (app/rotation.py)."""
        from app import rotation

        return rotation.apply_announcements(self.counter, items).to_dict()

    def retry_refused(self) -> dict[str, Any]:
        """Pulled events refused earlier for a trust reason, checked again when the trust
        changed since the last check (app/pullretry.py); screens hear of what was applied."""
        from app import pullretry

        if pullretry.open_count(self.counter):  # "no gateway pin yet": ask the gateway first
            self._ensure_gateway_pin()
        outcome = pullretry.retry(self.counter, trigger="sync", only_if_changed=True)
        if outcome.codes and self.on_applied is not None:
            try:
                self.on_applied(sorted(set(outcome.codes)))
            except Exception:
                log.exception("'dossiers changed' notification failed")
        return outcome.to_dict()

    def pending_batch(self, max_items: int, max_bytes: int,
                      after_seq: int = 0) -> list[dict[str, Any]]:
        with self._read():
            return outbox.pending_batch(self.counter.store.conn, max_items=max_items,
                                        max_bytes=max_bytes, after_seq=after_seq)

    def record_results(self, delivered: Sequence[str], parked: Sequence[tuple[str, str]],
                       tsts: Mapping[str, str] | None = None) -> None:
        now = iso(now_vn())
        with self.counter.store.write() as conn:
            stored = 0
            good: dict[str, bytes] = {}
            if tsts:
                from app.timestamps import checked_tokens, write_tokens

                good = checked_tokens(conn, tsts)
                stored = len(good)
            if delivered:  # the tokens of delivered events go with their acknowledgement
                outbox.mark_delivered(conn, delivered, now, good)
                done = set(delivered)
                good = {e: t for e, t in good.items() if e not in done}
            if good:
                write_tokens(conn, good)
            if delivered:  # does the gateway time-stamp? (what proves an acknowledgement)
                said = getattr(self.client, "gateway_time_stamps", None)
                on = True if stored else said
                if isinstance(on, bool) and on is not self._time_stamps_noted:
                    from app.timestamps import note_gateway_time_stamps

                    # a look-up of the audit log once per engine, not once per batch
                    note_gateway_time_stamps(conn, on, counter_label=self.counter.label, at=now)
                    self._time_stamps_noted = on
            for event_id, reason in parked:
                outbox.park(conn, event_id, reason, now)
                audit.append(conn, at=now, actor="sync", counter=self.counter.label,
                             action="sync.parked", subject=event_id,
                             detail={"reason": reason[:200]})

    def witness_rows(self, answer: Mapping[str, Any] | None,
                     limit: int = 2000) -> list[list[Any]]:
        """The audit rows to send for the gateway's witness: after the head the gateway said
        it witnesses (``answer``), else after the last one it said (meta, a hint only: the
        gateway answers where to start when it is wrong). When our row at the witnessed seq is
        not the one witnessed and an audited restore lies at or before the row after it, from
        that restore row (the gateway continues from it and records the restore); otherwise the
        gateway records the break."""
        conn = self.counter.store.conn
        with self._read():
            top = conn.execute("SELECT max(seq) FROM audit").fetchone()[0] or 0
            if answer is None:
                hint = self.counter.store.get_meta(WITNESS_HINT_KEY)
                start = int(hint) + 1 if hint and hint.isdigit() else max(1, top - limit + 1)
            else:
                seq, start = int(answer["seq"]), int(answer["seq"]) + 1
                if seq:
                    mine = conn.execute("SELECT hash FROM audit WHERE seq = ?", (seq,)).fetchone()
                    if mine is None or mine[0] != answer["hash"]:
                        r = conn.execute("SELECT max(seq) FROM audit WHERE action ="
                                         " 'store.restore' AND seq <= ?", (seq + 1,)).fetchone()
                        if r[0] is not None:
                            start = int(r[0])
            if start > top:
                return []
            return [list(r) for r in conn.execute(
                "SELECT seq, at, actor, counter, action, subject, detail, hash FROM audit"
                " WHERE seq >= ? ORDER BY seq LIMIT ?", (start, int(limit)))]

    def note_witness(self, answer: Mapping[str, Any]) -> None:
        """Remember where the gateway's witness stands (where the next round starts)."""
        seq = str(int(answer["seq"]))
        if self.counter.store.get_meta(WITNESS_HINT_KEY) != seq:
            self.counter.store.set_meta(WITNESS_HINT_KEY, seq)

    def note_attempt(self, ids: Sequence[str], error: str) -> None:
        with self.counter.store.write() as conn:
            outbox.note_attempt(conn, ids, error, iso(now_vn()))

    def cursor(self) -> str | None:
        return syncstate.read(self.counter).get("cursor")

    def apply_pulled(self, events: Sequence[WireEvent], cursor: str,
                     tsts: Mapping[str, str] | None = None) -> dict[str, int]:
        """Events and cursor in ONE transaction: a crash leaves both or neither, so a restart
        pulls again from the old cursor and the by-id idempotence absorbs the repeat."""
        from app import remote

        if any(e.origin == "province" for e in events):
            self._ensure_gateway_pin()
        with self.counter.store.write():  # the calls below join this transaction
            applied = remote.apply_signed_events(self.counter, list(events), source="gateway",
                                                 tsts=tsts) if events else None
            stats: dict[str, Any] = applied.to_dict() if applied is not None else {}
            if applied is not None and applied.refusals:  # why, by machine code (for the clerk)
                from sync.reasons import reason_code

                reasons: dict[str, int] = {}
                for _id, why in applied.refusals:
                    reasons[reason_code(why)] = reasons.get(reason_code(why), 0) + 1
                stats["refused_reasons"] = reasons
            syncstate.write(self.counter, cursor=cursor)
        if events and self.on_applied is not None:  # committed: screens may show it now
            try:
                self.on_applied(sorted({e.dossier_code for e in events}))
            except Exception:
                log.exception("'dossiers changed' notification failed")
        return stats

    def catalogue_version(self) -> str | None:
        return str(self.counter.catalogue().version)

    def store_catalogue(self, version: str, document: bytes) -> None:
        from app import catalogue as cat

        parsed = cat.parse_catalogue(document)
        if parsed.version != version:
            raise UserError(
                f"Danh mục từ cổng ghi phiên bản {parsed.version}, khác {version}.",
                f"The gateway's catalogue says version {parsed.version}, not {version}.",
                code="catalogue_version_mismatch")
        current = self.counter.catalogue()
        if parsed.version_key == current.version_key:
            return  # already in use
        if parsed.version_key < current.version_key:
            _refuse_older(parsed.version, str(current.version))  # never go backwards, but say so
        folder = self.counter.settings.data_dir / "catalogue-updates"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{re.sub(r'[^0-9A-Za-z._-]', '_', version)}.json"
        _atomic_write(path, document, 0o644)
        import_catalogue(self.counter, path, actor="sync")

    def check_served_catalogue(self, version: str) -> None:
        """The gateway's newest catalogue was not sent because it is not newer than this
        counter's: refuse (so `sync status` says it) when it is older."""
        from app.context import _version_key

        current = str(self.catalogue_version())
        if _version_key(version) < _version_key(current):
            _refuse_older(version, current)

    def attachment_path(self, sha256: str) -> Path:
        return attachment_path(self.counter.settings.attachments_dir, sha256)

    def missing_attachments(self) -> list[str]:
        """Scans listed for dossiers of the centre's other counters whose file is not here
        (this counter's own scans are never downloaded: they were made here)."""
        own = f"{self.counter.counter_no:02d}"
        with self._read():
            rows = self.counter.store.conn.execute(
                "SELECT DISTINCT a.sha256 FROM attachments a JOIN dossiers d ON d.id = a.dossier_id"
                " WHERE substr(d.code, -6, 2) <> ?", (own,)).fetchall()
        base = self.counter.settings.attachments_dir
        return [sha for (sha,) in rows if not attachment_path(base, sha).exists()]

    def store_attachment(self, sha256: str, data: bytes) -> None:
        import hashlib

        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"content does not hash to {sha256}")
        target = attachment_path(self.counter.settings.attachments_dir, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, data, 0o644)

    def state(self) -> dict[str, Any]:
        return syncstate.read(self.counter)

    def write_state(self, **values: Any) -> None:
        syncstate.write(self.counter, **values)

    def counts(self) -> dict[str, int]:
        with self._read():
            return outbox.counts(self.counter.store.conn)


# =============================================================================================
# enrolment
# =============================================================================================


def _refuse_older(version: str, current: str) -> None:
    raise UserError(
        f"Danh mục thủ tục trên cổng tỉnh (phiên bản {version}) cũ hơn danh mục máy này đang dùng"
        f" ({current}) nên không được dùng; tỉnh cần đăng danh mục mới hơn.",
        f"The gateway's procedure catalogue (version {version}) is older than the one this"
        f" counter uses ({current}) and was not installed; the province must publish a newer"
        " one.", code="catalogue_older")


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # POSIX: the credential is readable by its owner only
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def parse_enrolment(text: str) -> dict[str, Any]:
    """The line printed by ``motcua-gateway enrol``: ``MOTCUA-ENROL1:<base64url JSON>``."""
    import base64
    import binascii
    import json

    text = text.strip()
    b = text[len(ENROL_PREFIX):]
    try:
        doc = json.loads(base64.urlsafe_b64decode(b + "=" * (-len(b) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise UserError("Chuỗi đăng ký quầy bị hỏng (sao chép thiếu?).",
                        "The enrolment line is damaged (copied incompletely?).",
                        code="bad_enrolment") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("token"), str) or not doc["token"]:
        raise UserError("Chuỗi đăng ký quầy không có mã xác thực.",
                        "The enrolment line carries no credential.", code="bad_enrolment")
    return doc


def enrol(counter: Counter, line_or_url: str, *, token: str | None = None,
          ca_bundle: str | Path | None = None, gateway_url: str | None = None,
          gateway_cert_sha256: str | None = None, fetch_pin: bool = True,
          actor: str = "system") -> dict[str, Any]:
    """Store what this counter needs to sync: the gateway URL and CA bundle path (meta) and
    the credential (0600 file). Accepts the enrolment line, or a URL plus ``token``.

    Pins the gateway's signing certificate (SHA-256, meta ``gateway_signing_sha256``, audited):
    from the enrolment line or ``gateway_cert_sha256``, else asked from the gateway over the
    authenticated connection. Province events signed by anything else are refused."""
    counter.require_initialised()
    counter_id = None
    history: list[dict[str, str]] = []
    text = line_or_url.strip()
    if text.startswith(ENROL_PREFIX):
        doc = parse_enrolment(text)
        agency, number = doc.get("agency_code"), doc.get("counter_no")
        if agency and (agency != counter.agency_code or int(number or 0) != counter.counter_no):
            raise UserError(
                f"Chuỗi đăng ký dành cho quầy {agency}#{int(number or 0):02d}, không phải quầy "
                f"này ({counter.label}).",
                f"The enrolment line is for counter {agency}#{int(number or 0):02d}, not this "
                f"one ({counter.label}).", code="wrong_counter")
        token = token or doc["token"]
        gateway_cert_sha256 = gateway_cert_sha256 or doc.get("gateway_cert_sha256")
        url = gateway_url or doc.get("gateway") or counter.setting("gateway_url")
        counter_id = doc.get("counter_id")
        history = _history_of(doc.get("gateway_cert_history"))
        if not url:
            raise UserError("Chuỗi đăng ký không ghi địa chỉ cổng; hãy thêm --gateway-url.",
                            "The enrolment line has no gateway address; add --gateway-url.",
                            code="no_gateway_url")
    else:
        url = gateway_url or text
    if not token:
        raise UserError("Cần mã xác thực của quầy (--token-env BIẾN).",
                        "The counter credential is required (--token-env VAR).",
                        code="no_token")
    try:
        url = check_gateway_url(str(url))
    except ValueError as exc:
        raise UserError(f"Địa chỉ cổng không hợp lệ: {exc}", f"Invalid gateway address: {exc}",
                        code="bad_gateway_url") from exc
    ca_path = None
    if ca_bundle is None and counter.setting("ca_bundle"):
        ca_bundle = counter.setting("ca_bundle")  # the configured one (site file…)
    if ca_bundle is not None:
        ca_path = Path(ca_bundle).expanduser().resolve()
        if not ca_path.is_file():
            raise UserError(f"Không tìm thấy tệp CA: {ca_path}", f"CA bundle not found: {ca_path}",
                            code="no_ca_bundle")
    elif url.startswith("https://"):
        log.info("no CA bundle given: the system certificate store will verify %s", url)

    data_dir = counter.settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(credential_path(counter), token.encode("utf-8"), 0o600)
    pin = _pin_of(counter, url, token, ca_path, gateway_cert_sha256, fetch=fetch_pin)
    now = iso(now_vn())
    with counter.store.write() as conn:
        for key, value in ((META_URL, url), (META_CA, str(ca_path) if ca_path else ""),
                           (META_COUNTER_ID, str(counter_id or ""))):
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
        audit.append(conn, at=now, actor=actor, counter=counter.label, action="sync.enrol",
                     subject=url, detail={"counter_id": counter_id,
                                          "ca_bundle": str(ca_path) if ca_path else None})
        syncstate.write(counter, gateway_url=url)
        for old in history:  # replaced by rotations: verify events signed before "until"
            pin_gateway_certificate(counter, old["sha256"], actor=actor,
                                    retired_from=old["until"])
        if pin:
            pin_gateway_certificate(counter, pin, actor=actor)
    if pin or history:  # province events refused for want of a pin may pass now
        from app import pullretry

        pullretry.retry(counter, trigger="enrol")
    log.info("counter %s enrolled with %s", counter.label, url)
    return {"gateway_url": url, "ca_bundle": str(ca_path) if ca_path else None,
            "counter_id": counter_id, "credential_file": str(credential_path(counter)),
            "gateway_cert_sha256": pin}


def _history_of(raw: object) -> list[dict[str, str]]:
    """The enrolment line's earlier gateway certificates ({sha256, until}), checked."""
    from datetime import datetime

    if raw is None:
        return []
    bad = UserError("Chuỗi đăng ký ghi lịch sử chứng thư của cổng tỉnh không hợp lệ.",
                    "The enrolment line's gateway certificate history is invalid.",
                    code="bad_enrolment")
    if not isinstance(raw, list) or len(raw) > 50:
        raise bad
    out = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("sha256"), str) \
                or not re.fullmatch(r"[0-9a-f]{64}", item["sha256"]) \
                or not isinstance(item.get("until"), str):
            raise bad
        try:
            until = datetime.fromisoformat(item["until"])
        except ValueError as exc:
            raise bad from exc
        if until.tzinfo is None:
            raise bad
        out.append({"sha256": item["sha256"], "until": until.isoformat()})
    return out


def _pin_of(counter: Counter, url: str, token: str, ca_path: Path | None,
            given: str | None, *, fetch: bool = True) -> str | None:
    if given:
        given = given.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", given):
            raise UserError("Dấu vân tay chứng thư của cổng tỉnh không hợp lệ (SHA-256).",
                            "The gateway certificate fingerprint is invalid (SHA-256).",
                            code="bad_gateway_pin")
        return given
    if not fetch:
        log.warning("gateway signing certificate not pinned (--no-check): province events will "
                    "be refused until 'motcua enrol' pins it")
        return None
    try:
        client = GatewayClient(url, token, ca_bundle=str(ca_path) if ca_path else None,
                               connect_timeout=3.0, read_timeout=5.0)
        try:
            doc = client.gateway_certificate()
        finally:
            client.close()
    except Exception as exc:
        log.warning("gateway signing certificate not pinned (gateway unreachable: %s); "
                    "province events will be refused until 'motcua enrol' is run online", exc)
        return None
    return str(doc["sha256"]) if doc else None


def pin_gateway_certificate(counter: Counter, sha256: str, *, actor: str = "system",
                            retired_from: str | None = None) -> None:
    """Add a gateway signing certificate to the pinned set (older pins stay, so events signed
    before a rotation keep verifying); the audit log records it. ``retired_from``: a
    certificate already replaced by a rotation (enrolment history), which signs nothing from
    that moment on."""
    import json

    from app import evidence

    with counter.store.write() as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?",
                           (evidence.META_GATEWAY_PIN,)).fetchone()
        pins = [p for p in str(row[0] if row else "").split(",") if p]
        if sha256 in pins:
            return
        if retired_from is not None:  # an earlier certificate: after the replaced ones,
            row = conn.execute("SELECT value FROM meta WHERE key = ?",  # before the others
                               (evidence.META_GATEWAY_RETIRED,)).fetchone()
            retired = json.loads(row[0]) if row else {}
            pins.insert(max((i + 1 for i, p in enumerate(pins) if p in retired), default=0),
                        sha256)
            retired[sha256] = retired_from
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         (evidence.META_GATEWAY_RETIRED, json.dumps(retired, sort_keys=True)))
        else:
            pins.append(sha256)
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (evidence.META_GATEWAY_PIN, ",".join(pins)))
        detail: dict[str, Any] = {"sha256": sha256}
        if retired_from is not None:
            detail["previous"], detail["effective_at"] = sha256, retired_from
        audit.append(conn, at=iso(now_vn()), actor=actor, counter=counter.label,
                     action="sync.pin_gateway", subject=sha256, detail=detail)


def _not_enrolled() -> UserError:
    return UserError("Quầy chưa đăng ký với cổng tỉnh: hãy chạy 'motcua enrol CHUỖI_ĐĂNG_KÝ'.",
                     "This counter is not enrolled with the gateway: run 'motcua enrol LINE'.",
                     code="not_enrolled")


def is_enrolled(counter: Counter) -> bool:
    """A sync target in effect (enrolment, site file, MOTCUA_GATEWAY_URL…) and a credential."""
    return bool(counter.setting("gateway_url")) and credential_path(counter).is_file()


def make_client(counter: Counter, *, connect_timeout: float = 5.0,
                read_timeout: float = 30.0) -> GatewayClient:
    """A client from the stored enrolment (raises UserError when not enrolled)."""
    config = counter.config  # enrolment (counter layer) < MOTCUA_GATEWAY_URL / options
    url = config["gateway_url"]
    cred = credential_path(counter)
    if not url or not cred.is_file():
        raise _not_enrolled()
    token = cred.read_text(encoding="utf-8").strip()
    ca = config["ca_bundle"] or None
    try:
        return GatewayClient(url, token, ca_bundle=ca, connect_timeout=connect_timeout,
                             read_timeout=read_timeout)
    except ValueError as exc:
        raise UserError(f"Cấu hình đồng bộ không hợp lệ: {exc}",
                        f"The sync configuration is invalid: {exc}", code="bad_sync_config") \
            from exc


def make_engine(counter: Counter, config: EngineConfig | None = None,
                client: GatewayClient | None = None, on_applied: Any = None) -> SyncEngine:
    counter.require_initialised()
    client = client or make_client(counter)
    return SyncEngine(CounterSyncStore(counter, on_applied, client), client, config)


# =============================================================================================
# running it
# =============================================================================================


def sync_once(counter: Counter, config: EngineConfig | None = None,
              client: GatewayClient | None = None) -> SyncResult:
    """One round (drain, pull, catalogue) on a private event loop; for the CLI and tests."""
    engine = make_engine(counter, config, client)

    async def go() -> SyncResult:
        try:
            return await engine.run_once()
        finally:
            engine.close()

    return asyncio.run(go())


def run_forever(counter: Counter, stop_event: threading.Event | None = None,
                config: EngineConfig | None = None, client: GatewayClient | None = None) -> None:
    """Rounds until ``stop_event`` is set (or Ctrl-C); `motcua sync run`."""
    engine = make_engine(counter, config, client)

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        watcher = None
        if stop_event is not None:
            def watch() -> None:
                stop_event.wait()
                loop.call_soon_threadsafe(stop.set)
            watcher = threading.Thread(target=watch, daemon=True, name="sync-stop")
            watcher.start()
        try:
            await engine.run_forever(stop)
        finally:
            engine.close(wait=False)

    asyncio.run(go())


@dataclass
class BackgroundSync:
    """Handle the GUI keeps: ``wake()`` = "retry now", ``stop()`` ends the task. Both are safe
    to call from any thread. State is read through ``app.syncstate.read(counter)``."""

    engine: SyncEngine
    loop: asyncio.AbstractEventLoop
    task: asyncio.Task[None]
    _stop: asyncio.Event
    _wake: asyncio.Event

    def wake(self) -> None:
        self.loop.call_soon_threadsafe(self._wake.set)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)

    async def stopped(self) -> None:
        """Await the end of the task after :meth:`stop` (threads released)."""
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def start_background(counter: Counter, loop: asyncio.AbstractEventLoop | None = None,
                     config: EngineConfig | None = None,
                     client: GatewayClient | None = None,
                     on_applied: Any = None) -> BackgroundSync:
    """Run the engine as a task on ``loop`` (the GUI's qasync loop). Must be called on the
    loop's thread. Raises UserError when the counter is not enrolled. ``on_applied(codes)``
    is called (on the engine's store thread) after every pull that applied events."""
    loop = loop or asyncio.get_event_loop()
    engine = make_engine(counter, config, client, on_applied)
    stop, wake = asyncio.Event(), asyncio.Event()

    async def go() -> None:
        try:
            await engine.run_forever(stop, wake)
        finally:
            engine.close(wait=False)

    task = loop.create_task(go(), name="motcua-sync")
    return BackgroundSync(engine, loop, task, stop, wake)


def retry_parked(counter: Counter, *, actor: str = "system") -> int:
    """Put every parked event back in the queue (after a clerk or IT fixed the cause)."""
    return syncstate.retry_parked(counter, actor=actor)
