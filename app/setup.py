"""First-run set-up and administration of one counter (the GUI wizard and Settings call these).

One service per use case, as the rest of app/: the wizard collects values, `initial_setup`
checks them all before writing anything, then records identity, the administrator, the
gateway, trust anchors and printing preferences. Backup/restore wrappers live here too so the
GUI never reaches into localdb.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from app.context import Counter, init_counter
from app.errors import UserError, ValidationError

log = logging.getLogger(__name__)

GATEWAY_CA_FILE = "gateway-ca.pem"
META_URL = "gateway_url"
META_CA = "gateway_ca_bundle"  # the one name: sync reads it (app.sync_service.META_CA)
LEGACY_META_CA = "gateway_ca"  # written by earlier versions of the wizard/Settings


def needs_setup(counter: Counter) -> bool:
    """True until the counter has an identity and at least one administrator."""
    if not counter.initialised:
        return True
    n = counter.store.scalar("SELECT count(*) FROM users WHERE role = 'administrator'")
    return not n


def _check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")) or len(url) < 10 or " " in url:
        raise UserError("Địa chỉ cổng kết nối phải bắt đầu bằng https://",
                        "The gateway address must start with https://", field="gateway_url")
    return url


def set_gateway(counter: Counter, url: str, ca_bundle: str | Path | None = None) -> None:
    """Store the provincial gateway URL (empty = offline only) and its CA bundle, if any."""
    if not url.strip():
        counter.store.set_meta(META_URL, "")
        counter.store.set_meta(META_CA, "")
        counter.store.set_meta(LEGACY_META_CA, "")
        return
    url = _check_url(url)
    ca_path = ""
    if ca_bundle:
        src = Path(ca_bundle)
        if not src.is_file():
            raise UserError(f"Không tìm thấy tệp {src}.", f"File {src} not found.",
                            field="gateway_ca")
        target = counter.settings.data_dir / "trust" / GATEWAY_CA_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        ca_path = str(target)
    counter.store.set_meta(META_URL, url)
    if ca_bundle is not None:
        counter.store.set_meta(META_CA, ca_path)
    counter.store.set_meta(LEGACY_META_CA, "")


def migrate_gateway_ca(counter: Counter) -> None:
    """A CA path stored under the old name moves to the name sync reads (once)."""
    old = counter.store.get_meta(LEGACY_META_CA, "") or ""
    if old and not (counter.store.get_meta(META_CA, "") or ""):
        counter.store.set_meta(META_CA, old)
        log.info("gateway CA bundle setting moved from %s to %s", LEGACY_META_CA, META_CA)
    if old:
        counter.store.set_meta(LEGACY_META_CA, "")


def gateway_config(counter: Counter) -> dict:
    migrate_gateway_ca(counter)
    from app.sync_service import credential_path

    return {"url": counter.store.get_meta(META_URL, "") or "",
            "ca_bundle": counter.store.get_meta(META_CA, "") or "",
            "enrolled": credential_path(counter).is_file()}


def initial_setup(counter: Counter, *, admin_username: str, admin_name: str, admin_password: str,
                  agency_code: str, counter_no: int, centre_name: str = "",
                  gateway_url: str = "", gateway_ca: str = "", anchors: list[str] | tuple = (),
                  printer: str = "", receipt_layout: str = "a4") -> None:
    """Everything the wizard collected; every field is checked before anything is written."""
    from app import accounts, preferences
    from app.dossier_code import validate_agency_code, validate_counter_number
    from app.trust import add_anchor

    errors: list[UserError] = []

    def check(fn, *args):  # noqa: ANN001, ANN202 - collects field errors
        try:
            return fn(*args)
        except UserError as e:
            errors.append(e)
            return None

    check(validate_agency_code, agency_code)
    check(validate_counter_number, counter_no)
    if not accounts.USERNAME_RE.match(admin_username.strip().lower()):
        errors.append(UserError("Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_', '-'.",
                                "Username: lowercase letters, digits, '.', '_' or '-'.",
                                field="username"))
    if not admin_name.strip():
        errors.append(UserError("Cần nhập họ tên.", "A display name is required.",
                                field="display_name"))
    if len(admin_password) < accounts.MIN_PASSWORD:
        errors.append(UserError(f"Mật khẩu phải có ít nhất {accounts.MIN_PASSWORD} ký tự.",
                                f"The password needs at least {accounts.MIN_PASSWORD} characters.",
                                field="password"))
    if gateway_url.strip():
        check(_check_url, gateway_url)
    for a in anchors:
        if not Path(a).is_file():
            errors.append(UserError(f"Không tìm thấy tệp {a}.", f"File {a} not found.",
                                    field="anchors"))
    if receipt_layout not in preferences.CHOICES["receipt_layout"]:
        errors.append(UserError("Khổ giấy biên nhận không hợp lệ.", "Invalid receipt layout.",
                                field="receipt_layout"))
    if errors:
        raise ValidationError(errors)

    init_counter(counter, agency_code=agency_code, counter_no=int(counter_no),
                 centre_name=centre_name, actor=admin_username.strip().lower())
    existing = {u["username"] for u in accounts.list_users(counter.store)}
    if admin_username.strip().lower() not in existing:
        accounts.add_user(counter.store, admin_username, admin_name, "administrator",
                          admin_password, actor="setup")
    set_gateway(counter, gateway_url, gateway_ca or None)
    for a in anchors:
        add_anchor(counter.settings, Path(a))
    preferences.set_pref(counter, "printer", printer)
    preferences.set_pref(counter, "receipt_layout", receipt_layout)
    log.info("counter %s set up by the first-run wizard", counter.label)


def backup(counter: Counter, dest: Path) -> dict:
    """One-file backup of the store and scans (safe while the app runs)."""
    from localdb import backup as bk

    info = bk.backup(counter.store, Path(dest), counter.settings.attachments_dir)
    return {"file": str(info.path), "dossiers": info.dossiers, "events": info.events,
            "attachments": info.attachments, "bytes": info.bytes}


def check_restore_confirmation(counter: Counter, typed: str) -> None:
    """Restore replaces every dossier: the administrator types this counter's code first."""
    want = counter.label
    if typed.strip().upper() != want.upper():
        raise UserError(f"Hãy gõ đúng mã quầy {want} để xác nhận khôi phục.",
                        f"Type this counter's code {want} to confirm the restore.",
                        code="restore_not_confirmed", field="confirm")


def restore(counter: Counter, src: Path, *, confirm: str | None = None) -> dict:
    """Replace the store with a checked backup; a copy of the current store is kept first.
    `confirm`: what the administrator typed (the window asks; must be the counter's code)."""
    from localdb import backup as bk

    if confirm is not None:
        check_restore_confirmation(counter, confirm)

    info = bk.restore(counter.store, Path(src), counter.settings.attachments_dir,
                      counter.settings.backups_dir)
    counter.forget_catalogue()
    counter.forget_calendar()
    return {"file": str(info.path), "dossiers": info.dossiers, "events": info.events}
