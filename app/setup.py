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
        counter.store.set_meta("gateway_url", "")
        counter.store.set_meta("gateway_ca", "")
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
    counter.store.set_meta("gateway_url", url)
    counter.store.set_meta("gateway_ca", ca_path)


def gateway_config(counter: Counter) -> dict:
    return {"url": counter.store.get_meta("gateway_url", "") or "",
            "ca_bundle": counter.store.get_meta("gateway_ca", "") or ""}


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


def restore(counter: Counter, src: Path) -> dict:
    """Replace the store with a checked backup; a copy of the current store is kept first."""
    from localdb import backup as bk

    info = bk.restore(counter.store, Path(src), counter.settings.attachments_dir,
                      counter.settings.backups_dir)
    counter.forget_catalogue()
    counter.forget_calendar()
    return {"file": str(info.path), "dossiers": info.dossiers, "events": info.events}
