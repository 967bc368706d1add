"""The composition root: one open counter = settings + store + counter identity.

Services take a `Counter` (dependency injection, as Vorta does with its database), so tests
build one on a temporary folder and the GUI and CLI share the same wiring.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.domain import iso, now_vn
from app.dossier_code import validate_agency_code, validate_counter_number
from app.errors import UserError
from app.settings import Settings
from localdb import audit
from localdb.store import Store

log = logging.getLogger(__name__)


@dataclass
class Counter:
    settings: Settings
    store: Store
    _catalogue: object | None = field(default=None, repr=False)
    _calendar: object | None = field(default=None, repr=False)
    _base_config: object | None = field(default=None, repr=False)

    # ---------------------------------------------------------------- identity
    @property
    def agency_code(self) -> str:
        return self.store.get_meta("agency_code") or ""

    @property
    def counter_no(self) -> int:
        return int(self.store.get_meta("counter_no") or 0)

    @property
    def centre_name(self) -> str:
        """What `init`/the wizard recorded, else the configured one (site file…)."""
        return str(self.setting("centre_name") or "")

    # --------------------------------------------------------- configuration
    @property
    def config(self):
        """The effective configuration of this counter: every layer of the settings' Config
        plus the counter layer read from this store (see app/config.py for the precedence)."""
        from app.config import LEGACY_CA_META, STORE_META, builtin_config

        base = self.settings.config
        if base is None:  # Settings without a Config (tests, tools): built-in defaults, once
            if self._base_config is None:
                self._base_config = builtin_config(self.settings)
            base = self._base_config
        keys = {*STORE_META.values(), LEGACY_CA_META}
        meta = {r["key"]: r["value"] for r in self.store.query("SELECT key, value FROM meta")
                if r["key"] in keys}
        return base.with_counter(meta, str(self.settings.store_path))

    def setting(self, key: str):
        return self.config[key]

    @property
    def label(self) -> str:
        return f"{self.agency_code}#{self.counter_no:02d}" if self.agency_code else ""

    @property
    def initialised(self) -> bool:
        return bool(self.agency_code and self.counter_no)

    def require_initialised(self) -> None:
        if not self.initialised:
            raise UserError(
                "Quầy chưa được khởi tạo: hãy chạy 'motcua init --agency-code MÃ --counter SỐ'.",
                "This counter is not set up: run 'motcua init --agency-code CODE --counter N'.",
                code="not_initialised",
            )

    # ------------------------------------------------------------- catalogue
    def catalogue(self):
        """The active procedure catalogue: the newest imported one, else the shipped one."""
        if self._catalogue is None:
            from app import catalogue as cat

            body = self.store.scalar("SELECT body FROM catalogue WHERE active = 1")
            self._catalogue = (
                cat.parse_catalogue(str(body)) if body else cat.load_shipped_catalogue()
            )
        return self._catalogue

    def forget_catalogue(self) -> None:
        self._catalogue = None

    # -------------------------------------------------------------- calendar
    def calendar(self):
        if self._calendar is None:
            from app.workcalendar import WorkCalendar

            overrides = {
                date.fromisoformat(r["day"]): bool(r["working"])
                for r in self.store.query("SELECT day, working FROM calendar_overrides")
            }
            self._calendar = WorkCalendar(self.settings.working_hours, overrides)
        return self._calendar

    def forget_calendar(self) -> None:
        self._calendar = None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Counter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_counter(settings: Settings, *, create: bool = True, readonly: bool = False) -> Counter:
    """Open this counter's store. `create=False` (commands that read) refuses a folder without
    a store (exit 1, the path in the message) instead of creating an empty one. `readonly`
    (commands that only read) opens it read-only, so they work on a read-only disk."""
    from app.storeops import open_store

    counter = Counter(settings, open_store(settings, create=create and not readonly,
                                           readonly=readonly))
    if not readonly:
        _clean_incoming_scans(settings, counter.store)
    return counter


def _clean_incoming_scans(settings: Settings, store: Store) -> None:
    """Scans staged by an intake that was refused or killed are removed at start (one the
    store references is moved into place); see app.attachments."""
    if not (settings.attachments_dir / ".incoming").is_dir():
        return
    from app.attachments import clean_incoming

    try:
        clean_incoming(settings.attachments_dir, lambda sha: bool(store.scalar(
            "SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1", (sha,))))
    except OSError:
        log.exception("cleaning staged scans failed")


def init_counter(counter: Counter, *, agency_code: str, counter_no: int, centre_name: str = "",
                 actor: str = "system") -> None:
    """Record the counter's identity. Changing it later would break the code scheme, so a
    second init with different values is refused."""
    agency = validate_agency_code(agency_code)
    number = validate_counter_number(counter_no)
    if counter.initialised and (counter.agency_code, counter.counter_no) != (agency, number):
        raise UserError(
            f"Quầy đã được khởi tạo là {counter.label}; không đổi mã định danh/số quầy được "
            "(sẽ làm trùng mã hồ sơ).",
            f"This counter is already set up as {counter.label}; its agency code and number "
            "cannot change (dossier codes would collide).",
            code="already_initialised",
        )
    with counter.store.write() as conn:
        rows = [("agency_code", agency), ("counter_no", str(number)),
                ("counter_label", f"{agency}#{number:02d}")]
        if centre_name.strip():  # empty: the configured centre_name keeps deciding
            rows.append(("centre_name", centre_name.strip()))
        for key, value in rows:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value),
            )
        audit.append(conn, at=iso(now_vn()), actor=actor, counter=f"{agency}#{number:02d}",
                     action="counter.init", subject=agency,
                     detail={"counter_no": number, "centre_name": centre_name.strip()})


def import_catalogue(counter: Counter, path: Path, *, actor: str = "system",
                     allow_downgrade: bool = False) -> dict[str, Any]:
    """Validate a catalogue file and make it the active one (kept with its version). A version
    older than the active one is refused unless `allow_downgrade` (recorded in the audit log)."""
    from app import catalogue as cat

    raw = Path(path).read_bytes()
    parsed = cat.parse_catalogue(raw)
    now = iso(now_vn())
    body = parsed.to_json()
    with counter.store.write() as conn:
        row = conn.execute("SELECT version FROM catalogue WHERE active = 1").fetchone()
        active = str(row[0]) if row else cat.load_shipped_catalogue().version
        downgrade = _version_key(parsed.version) < _version_key(active)
        if downgrade and not allow_downgrade:
            raise UserError(
                f"Danh mục phiên bản {parsed.version} cũ hơn phiên bản đang dùng ({active}); "
                "không nhập. Nếu thật sự cần quay lại, dùng --allow-downgrade.",
                f"Catalogue version {parsed.version} is older than the active one ({active}); "
                "not imported. To go back on purpose, use --allow-downgrade.",
                code="catalogue_downgrade")
        known = conn.execute("SELECT body FROM catalogue WHERE version = ?", (parsed.version,)).fetchone()
        if known and known[0] != body:
            raise UserError(
                f"Danh mục phiên bản {parsed.version} đã có nhưng nội dung khác; "
                "tỉnh cần tăng số phiên bản.",
                f"Catalogue version {parsed.version} is already known with different content; "
                "the province must bump the version.", code="catalogue_version_conflict",
            )
        conn.execute("UPDATE catalogue SET active = 0")
        conn.execute(
            "INSERT INTO catalogue (version, imported_at, source, body, active) VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (version) DO UPDATE SET active = 1",
            (parsed.version, now, str(path), body),
        )
        audit.append(conn, at=now, actor=actor, counter=counter.label,
                     action="catalogue.downgrade" if downgrade else "catalogue.import",
                     subject=parsed.version,
                     detail={"procedures": len(parsed.procedures), "previous": active})
    counter.forget_catalogue()
    return {"version": parsed.version, "procedures": len(parsed.procedures)}


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split(".") if x.isdigit())


def catalogue_versions(counter: Counter) -> list[dict[str, Any]]:
    return counter.store.query(
        "SELECT version, imported_at, source, active FROM catalogue ORDER BY imported_at DESC"
    )


def dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
