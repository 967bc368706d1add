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
from typing import Any

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


def gateway_config(counter: Counter) -> dict[str, Any]:
    migrate_gateway_ca(counter)
    from app.sync_service import credential_path

    return {"url": counter.store.get_meta(META_URL, "") or "",
            "ca_bundle": counter.store.get_meta(META_CA, "") or "",
            "enrolled": credential_path(counter).is_file()}


# ------------------------------------------------------------ the wizard's pages
# Each page of the first-run wizard is checked on "Next" by one of these (errors on that page,
# one per field); `initial_setup` runs them all again before writing anything.

def check_admin(username: str, name: str, password: str,
                password_again: str | None = None) -> list[UserError]:
    from app import accounts

    errors = []
    if not accounts.USERNAME_RE.match(username.strip().lower()):
        errors.append(UserError("Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_', '-'.",
                                "Username: lowercase letters, digits, '.', '_' or '-'.",
                                field="username"))
    if not name.strip():
        errors.append(UserError("Cần nhập họ tên.", "A display name is required.",
                                field="display_name"))
    if len(password) < accounts.MIN_PASSWORD:
        errors.append(UserError(f"Mật khẩu phải có ít nhất {accounts.MIN_PASSWORD} ký tự.",
                                f"The password needs at least {accounts.MIN_PASSWORD} characters.",
                                field="password"))
    elif password_again is not None and password_again != password:
        errors.append(UserError("Hai lần nhập mật khẩu không khớp.", "The two passwords differ.",
                                field="password_again"))
    return errors


def check_identity(agency_code: str, counter_no: int) -> list[UserError]:
    from app.dossier_code import validate_agency_code, validate_counter_number

    errors = []
    for fn, value in ((validate_agency_code, agency_code), (validate_counter_number, counter_no)):
        try:
            fn(value)
        except UserError as e:
            errors.append(e)
    return errors


def check_gateway(*, offline: bool, enrol_line: str, ca_bundle: str, agency_code: str,
                  counter_no: int, gateway_url: str = "") -> list[UserError]:
    """Enrolment: the `MOTCUA-ENROL1:` line for THIS counter (or offline only, chosen)."""
    from app.sync_service import ENROL_PREFIX, parse_enrolment

    if offline:
        return []
    errors = []
    line = enrol_line.strip()
    if not line and not gateway_url.strip():
        errors.append(UserError("Dán chuỗi đăng ký quầy do tỉnh cấp (MOTCUA-ENROL1:…) hoặc chọn "
                                "«Chỉ làm việc ngoại tuyến».",
                                "Paste the enrolment line from the province (MOTCUA-ENROL1:…) or "
                                "choose «Offline only».", field="enrol_line"))
    elif line:
        if not line.startswith(ENROL_PREFIX):
            errors.append(UserError("Chuỗi đăng ký phải bắt đầu bằng MOTCUA-ENROL1:",
                                    "The enrolment line starts with MOTCUA-ENROL1:",
                                    field="enrol_line"))
        else:
            try:
                doc = parse_enrolment(line)
            except UserError as e:
                errors.append(UserError(e.vi, e.en, field="enrol_line"))
            else:
                agency, number = doc.get("agency_code"), int(doc.get("counter_no") or 0)
                if agency and (agency != agency_code.strip() or number != int(counter_no)):
                    errors.append(UserError(
                        f"Chuỗi đăng ký dành cho quầy {agency}#{number:02d}, không phải "
                        f"{agency_code}#{int(counter_no):02d} đã nhập ở trang trước.",
                        f"The enrolment line is for counter {agency}#{number:02d}, not "
                        f"{agency_code}#{int(counter_no):02d} entered on the previous page.",
                        field="enrol_line"))
    if gateway_url.strip():
        try:
            _check_url(gateway_url)
        except UserError as e:
            errors.append(e)
    if ca_bundle.strip() and not Path(ca_bundle.strip()).is_file():
        errors.append(UserError(f"Không tìm thấy tệp {ca_bundle}.", f"File {ca_bundle} not found.",
                                field="gateway_ca"))
    return errors


def check_anchor_file(path: str | Path) -> list[dict[str, Any]]:
    """What a CA file would install (refused: not a certificate, a clerk's own certificate)."""
    from app.trust import _role, read_certs

    out = []
    for cert in read_certs(Path(path)):
        if _role(cert) == "leaf":
            raise UserError(f"{Path(path).name} là chứng thư người dùng cuối, không phải CA.",
                            f"{Path(path).name} is an end-entity certificate, not a CA.",
                            field="anchors")
        out.append({"subject": cert.subject.rfc4514_string(), "role": _role(cert)})
    return out


def check_anchors(anchors: list[str] | tuple, already: int = 0) -> list[UserError]:
    """At least one trust anchor: without one every clerk's key is refused as untrusted."""
    errors = []
    if not anchors and not already:
        errors.append(UserError(
            "Cần ít nhất một chứng thư gốc (CA) tin cậy: thiếu nó, khoá ký của mọi cán bộ sẽ bị "
            "từ chối.", "At least one trusted root (CA) certificate is needed: without it every "
            "clerk's signing key is refused.", field="anchors"))
    for a in anchors:
        try:
            check_anchor_file(a)
        except UserError as e:
            errors.append(UserError(e.vi, e.en, field="anchors"))
    return errors


def initial_setup(counter: Counter, *, admin_username: str, admin_name: str, admin_password: str,
                  agency_code: str, counter_no: int, centre_name: str = "",
                  gateway_url: str = "", gateway_ca: str = "", anchors: list[str] | tuple = (),
                  printer: str = "", receipt_layout: str = "a4", enrol_line: str = "",
                  offline: bool | None = None, language: str = "",
                  admin_password_again: str | None = None) -> None:
    """Everything the wizard collected; every field is checked before anything is written."""
    from app import accounts, preferences
    from app.trust import add_anchor, anchor_files

    if offline is None:
        offline = not (gateway_url.strip() or enrol_line.strip())
    errors: list[UserError] = []
    errors += check_identity(agency_code, counter_no)
    errors += check_admin(admin_username, admin_name, admin_password, admin_password_again)
    errors += check_gateway(offline=offline, enrol_line=enrol_line, ca_bundle=gateway_ca,
                            agency_code=agency_code, counter_no=counter_no,
                            gateway_url=gateway_url)
    errors += check_anchors(anchors, already=len(anchor_files(counter.settings)))
    if receipt_layout not in preferences.CHOICES["receipt_layout"]:
        errors.append(UserError("Khổ giấy biên nhận không hợp lệ.", "Invalid receipt layout.",
                                field="receipt_layout"))
    if language and language not in preferences.CHOICES["language"]:
        errors.append(UserError("Ngôn ngữ không hợp lệ.", "Invalid language.", field="language"))
    if errors:
        raise ValidationError(errors)

    init_counter(counter, agency_code=agency_code, counter_no=int(counter_no),
                 centre_name=centre_name, actor=admin_username.strip().lower())
    existing = {u["username"] for u in accounts.list_users(counter.store)}
    if admin_username.strip().lower() not in existing:
        accounts.add_user(counter.store, admin_username, admin_name, "administrator",
                          admin_password, actor="setup")
    for a in anchors:
        add_anchor(counter.settings, Path(a), counter=counter,  # audited
                   actor=admin_username.strip().lower())
    if not offline and enrol_line.strip():
        from app.sync_service import enrol

        enrol(counter, enrol_line, ca_bundle=gateway_ca.strip() or None,
              gateway_url=gateway_url.strip() or None, actor=admin_username.strip().lower())
    else:
        set_gateway(counter, "" if offline else gateway_url, gateway_ca or None)
    preferences.set_pref(counter, "printer", printer)
    preferences.set_pref(counter, "receipt_layout", receipt_layout)
    if language:
        preferences.set_pref(counter, "language", language)
    log.info("counter %s set up by the first-run wizard", counter.label)


def test_print_model(centre_name: str, lang: str = "vi"):
    """A receipt-shaped test page for the wizard's "Test print" (no dossier, no code)."""
    from app.domain import now_vn
    from app.receipts import DocumentLine, Field, Header, ReceiptModel, SignatureBlock

    now = now_vn()
    office = (centre_name or "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG").upper()
    return ReceiptModel(
        header=Header(authority="", office=office, place_date=f"ngày {now:%d} tháng {now:%m} "
                                                              f"năm {now:%Y}"),
        title="BẢN IN THỬ — TEST PRINT", code="TEST-0000", copy_label="Liên 1: lưu",
        intro="Trang in thử để kiểm tra máy in, khổ giấy và phông chữ tiếng Việt:",
        applicant=(Field("Họ và tên", "Nguyễn Thị Ánh Tuyết", True),
                   Field("Địa chỉ", "Số 1 Đường Lê Lợi, Phường Sài Gòn, TP. Hồ Chí Minh")),
        procedure=Field("Nội dung yêu cầu giải quyết", "Đăng ký khai sinh (thử)"),
        documents_heading="1. Thành phần hồ sơ nộp gồm:",
        documents=(DocumentLine(1, "Tờ khai (thử) — ăâêôơưđ ĂÂÊÔƠƯĐ", "original", "Bản chính", 1),),
        items=(Field("2. Số lượng hồ sơ", "01 bộ"),),
        book="Vào Sổ theo dõi hồ sơ: (in thử)", book_volume="", book_number=0,
        signatures=(SignatureBlock("NGƯỜI NỘP HỒ SƠ"), SignatureBlock("NGƯỜI TIẾP NHẬN HỒ SƠ")),
        qr_payload="MOTCUA TEST PRINT", qr_caption="Mã QR thử", received_at=now,
        appointment_at=None)


def backup(counter: Counter, dest: Path) -> dict[str, Any]:
    """One-file backup of the store and scans (safe while the app runs)."""
    from app import storeops

    info = storeops.backup_store(counter.store, counter.settings, Path(dest))
    return {"file": str(info.path), "dossiers": info.dossiers, "events": info.events,
            "attachments": info.attachments, "bytes": info.bytes}


def check_restore_confirmation(counter: Counter, typed: str) -> None:
    """Restore replaces every dossier: the administrator types this counter's code first."""
    want = counter.label
    if typed.strip().upper() != want.upper():
        raise UserError(f"Hãy gõ đúng mã quầy {want} để xác nhận khôi phục.",
                        f"Type this counter's code {want} to confirm the restore.",
                        code="restore_not_confirmed", field="confirm")


def restore(counter: Counter, src: Path, *, confirm: str | None = None, actor: str = "") -> dict[str, Any]:
    """Replace the store with a checked backup (the window's Restore): the same exclusive
    operation as `motcua restore` (app.storeops.restore_store: safety copy, code high-water
    mark, another counter's backup refused). This counter's own connection is closed for it and
    reopened on whatever store is in place afterwards.
    `confirm`: what the administrator typed (the window asks; must be the counter's code)."""
    from app import storeops

    if confirm is not None:
        check_restore_confirmation(counter, confirm)
    counter.store.close()
    try:
        info = storeops.restore_store(counter.settings, Path(src), stated_by=actor)
    finally:
        counter.store = storeops.open_store(counter.settings, create=False)
        counter.forget_catalogue()
        counter.forget_calendar()
    return {"file": str(info.path), "dossiers": info.dossiers, "events": info.events}
