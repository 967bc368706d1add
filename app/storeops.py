"""Store operations IT runs: the encryption key, backup, restore, encryption in place.

Encryption at rest (SQLCipher, raw 256-bit key). Where the key lives, `store_encryption`:
- `keyfile`: a site-managed key file (`store_key_file`, 64 hex digits, mode 0600) — shared PCs,
  headless machines, and the way to escrow the key so a backup restores on new hardware;
- `keyring`: the operating system's key store (Windows Credential Manager, macOS Keychain,
  Secret Service), entry `motcua-store` / `store:<store path>`;
- `auto` (default): the key file when one is configured, else the OS key store when this
  machine has a working one and the data folder is the user's own (under the home folder: the
  key store belongs to one account, a per-machine folder is shared by the clerks' accounts),
  else no encryption (a key kept in the data folder beside the store would protect nothing). On Windows counter PCs that means encrypted by default; on a
  headless Linux box without Secret Service (CI, these test machines) stores stay plaintext
  unless IT configures a key file;
- `off`: never encrypt new stores.
An existing store is opened as it is on disk: a plaintext one stays plaintext until
`motcua store encrypt` converts it (after a safety copy); an encrypted one needs its key.
"""

from __future__ import annotations

import getpass
import logging
import os
import secrets
import stat
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from app.domain import iso, now_vn
from app.errors import UserError
from app.settings import Settings
from localdb import audit
from localdb import backup as bk
from localdb.engine import KEY_BYTES, attach_sql, connect, file_kind
from localdb.errors import StoreError
from localdb.files import create_private, fsync_dir, private_dir, write_atomic
from localdb.lock import StoreLock
from localdb.store import Store

log = logging.getLogger(__name__)

KEYRING_SERVICE = "motcua-store"


# ============================================================================= the key
def _keyring() -> ModuleType | None:
    """The OS key store, or None when this machine has no working one."""
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception as exc:
        log.warning("no usable OS key store: %s", exc)
        return None
    if getattr(backend, "priority", 0) <= 0 or type(backend).__module__.startswith(
            ("keyring.backends.fail", "keyring.backends.null")):
        return None
    return keyring


def _keyring_user(settings: Settings) -> str:
    return f"store:{settings.store_path.resolve()}"


def encryption_mode(settings: Settings) -> str:
    """'keyfile', 'keyring' or 'off' for NEW stores (see the module doc)."""
    mode = settings.store_encryption or "auto"
    if mode == "auto":
        if settings.store_key_file:
            return "keyfile"
        # the OS key store belongs to ONE account: only a per-user data folder may use it (a
        # per-machine folder shared by the clerks' accounts needs the site key file)
        return "keyring" if _per_user(settings.data_dir) and _keyring() is not None else "off"
    return mode


def _per_user(folder: Path) -> bool:
    try:
        home = Path.home().resolve()
        return Path(folder).resolve().is_relative_to(home)
    except (OSError, RuntimeError):
        return False


def read_key_file(path: Path) -> bytes:
    path = Path(path)
    try:
        st = path.stat()
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise UserError(f"Không tìm thấy tệp khoá {path}.", f"Key file {path} not found.",
                        code="key_file_missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Không đọc được tệp khoá {path} ({exc}).",
                        f"Cannot read the key file {path} ({exc}).", code="key_file_bad") from None
    if os.name == "posix" and stat.S_IMODE(st.st_mode) & 0o077:
        raise UserError(
            f"Tệp khoá {path} có thể bị người khác đọc; hãy đặt quyền 0600 (chmod 600).",
            f"The key file {path} is readable by others; set mode 0600 (chmod 600).",
            code="key_file_mode")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise UserError(f"Tệp khoá {path} phải chứa đúng 64 chữ số hex.",
                        f"The key file {path} must hold exactly 64 hex digits.", code="key_file_bad")
    return key


def write_key_file(path: Path, key: bytes) -> None:
    private_dir(Path(path).parent)
    write_atomic(path, key.hex().encode("ascii") + b"\n")


def read_key(settings: Settings) -> bytes | None:
    """This machine's key for the store, if it has one (never creates one)."""
    if settings.store_key_file and Path(settings.store_key_file).exists():
        return read_key_file(Path(settings.store_key_file))
    if settings.store_encryption in ("auto", "keyring"):
        kr = _keyring()
        if kr is not None:
            value = kr.get_password(KEYRING_SERVICE, _keyring_user(settings))
            if value:
                return bytes.fromhex(value)
    return None


def save_key(settings: Settings, key: bytes) -> str:
    """Keep `key` where this machine's configuration says; returns where."""
    mode = encryption_mode(settings)
    if mode == "keyfile":
        write_key_file(Path(settings.store_key_file), key)
        return str(settings.store_key_file)
    kr = _keyring() if mode == "keyring" else None
    if kr is not None:
        kr.set_password(KEYRING_SERVICE, _keyring_user(settings), key.hex())
        return f"{KEYRING_SERVICE} ({_keyring_user(settings)})"
    raise UserError(
        "Máy này không có kho khoá hệ điều hành: hãy cấu hình tệp khoá của đơn vị "
        "(store_key_file) để mã hoá dữ liệu.",
        "This machine has no OS key store: configure the site key file (store_key_file) "
        "to encrypt the store.", code="no_key_store")


def ensure_key(settings: Settings) -> bytes | None:
    """The key a NEW store is created with (made and kept on first use), or None (plaintext)."""
    if encryption_mode(settings) == "off":
        return None
    key = read_key(settings)
    if key is None:
        key = secrets.token_bytes(KEY_BYTES)
        where = save_key(settings, key)
        log.warning("new store encryption key kept in %s", where)
    return key


def key_for_open(settings: Settings, *, create: bool) -> bytes | None:
    kind = file_kind(settings.store_path)
    if kind == "encrypted":
        return read_key(settings)
    if kind == "missing" and create:
        return ensure_key(settings)
    return None


def open_store(settings: Settings, *, create: bool = True, lock: bool = True,
               readonly: bool = False) -> Store:
    """`readonly` (commands that only read): works on a read-only store file or disk (see
    ``Store.open``); writing through it is refused with the read-only message."""
    if readonly:
        return Store.open(settings.store_path, backups_dir=settings.backups_dir, create=False,
                          key=key_for_open(settings, create=False), lock=lock, readonly=True)
    private_dir(settings.data_dir)
    return Store.open(settings.store_path, backups_dir=settings.backups_dir, create=create,
                      key=key_for_open(settings, create=create), lock=lock)


def extra_dirs(settings: Settings) -> dict[str, Path]:
    """Folders that travel with the store in a backup (trust anchors, cached CRLs)."""
    from app.trust import anchors_dir, crls_dir

    return {"trust/anchors": anchors_dir(settings), "trust/crls": crls_dir(settings)}


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


# ============================================================================ backup/restore
def backup_store(store: Store, settings: Settings, dest: Path) -> bk.BackupInfo:
    return bk.backup(store, Path(dest), settings.attachments_dir, extra_dirs=extra_dirs(settings))


def restore_store(settings: Settings, src: Path, *, hardware_replacement: bool = False,
                  stated_by: str = "", key_file: Path | None = None,
                  lock_wait_s: float = 10.0) -> bk.RestoreInfo:
    """`motcua restore`: exclusive, with a safety copy, over a broken store too; the restored
    store's audit log records who restored what (and a stated hardware replacement)."""
    if hardware_replacement and not stated_by.strip():
        raise UserError("Thay thế phần cứng: cần ghi rõ người quản trị xác nhận (--by TÊN).",
                        "Hardware replacement: name the administrator who states it (--by NAME).",
                        code="replacement_unstated")
    machine_key = read_key(settings) if file_kind(settings.store_path) == "encrypted" else None
    backup_key = read_key_file(key_file) if key_file else read_key(settings)

    def record(store: Store, info: bk.RestoreInfo) -> None:
        label = store.get_meta("counter_label") or info.counter
        detail = {"from": Path(src).name, "safety_copy": str(info.safety_copy or ""),
                  "moved_aside": [str(p) for p in info.moved_aside],
                  "previous_counter": info.previous_counter, "dossiers": info.dossiers,
                  "hardware_replacement": hardware_replacement,
                  # audit rows after the backup's head up to this one were rolled back (they
                  # are in the safety copy): evidence checks can tell a restore from tampering
                  "rolled_back_audit_head": info.previous_audit_head}
        if hardware_replacement:
            detail["stated_by"] = stated_by.strip()
        with store.write() as conn:
            audit.append(conn, at=iso(now_vn()), actor=stated_by.strip() or _os_user(),
                         counter=label, action="store.restore", subject=label, detail=detail)

    try:
        info = bk.restore(settings.store_path, Path(src), attachments_dir=settings.attachments_dir,
                          safety_dir=settings.backups_dir, key=machine_key,
                          backup_key=backup_key, extra_dirs=extra_dirs(settings),
                          hardware_replacement=hardware_replacement, lock_wait_s=lock_wait_s,
                          on_restored=record)
    except StoreError as exc:
        if exc.code == "other_counter":
            exc.exit_code = 1
        raise
    if key_file and backup_key is not None and file_kind(settings.store_path) == "encrypted" \
            and read_key(settings) is None:  # (backup_key: read from key_file just above)
        save_key(settings, backup_key)
    return info


# =========================================================================== encrypt in place
def encrypt_store(settings: Settings, *, lock_wait_s: float = 10.0) -> dict[str, Any]:
    """Convert a plaintext store to SQLCipher in place, after a safety copy (kept 0600 in
    backups/; IT deletes it once the encrypted store is checked: it is plaintext)."""
    path = settings.store_path
    kind = file_kind(path)
    if kind == "missing":
        from localdb.store import store_missing

        raise store_missing(path)
    if kind != "plain":
        raise UserError(f"Dữ liệu {path} đã được mã hoá.", f"The store {path} is already encrypted.",
                        code="already_encrypted")
    if encryption_mode(settings) == "off":
        raise UserError(
            "Không có nơi giữ khoá: cấu hình đặt store_encryption = off, hoặc máy không có kho "
            "khoá hệ điều hành và chưa cấu hình tệp khoá (store_key_file).",
            "No place for the key: the configuration says store_encryption = off, or this "
            "machine has no OS key store and no site key file (store_key_file) is configured.",
            code="no_key_store")
    with StoreLock.exclusive(path, wait_s=lock_wait_s):
        with Store.open(path, create=False, lock=False, backups_dir=settings.backups_dir) as plain:
            safety = bk.backup(plain, settings.backups_dir / f"before-encrypt-{_stamp()}.sqlite3",
                               None, extra_dirs=extra_dirs(settings), include_scans=False)
            version = plain.version
            counts = (plain.scalar("SELECT count(*) FROM dossiers"),
                      plain.scalar("SELECT count(*) FROM events"))
            label = plain.get_meta("counter_label") or ""
        key = ensure_key(settings)
        tmp = path.with_name(path.name + ".encrypting")
        tmp.unlink(missing_ok=True)
        os.close(create_private(tmp))
        try:
            from localdb.engine import cipher_module

            conn = cipher_module().connect(str(path), isolation_level=None)
            try:
                conn.execute(attach_sql("enc", key), (str(tmp),))
                conn.execute("SELECT sqlcipher_export('enc')")
                conn.execute(f"PRAGMA enc.user_version = {int(version)}")
                conn.execute("DETACH DATABASE enc")
            finally:
                conn.close()
            check = connect(tmp, key)
            try:
                ok = check.execute("PRAGMA quick_check").fetchone()[0]
                got = (check.execute("SELECT count(*) FROM dossiers").fetchone()[0],
                       check.execute("SELECT count(*) FROM events").fetchone()[0])
                check.execute("PRAGMA journal_mode = WAL")
            finally:
                check.close()
            if ok != "ok" or got != counts:
                raise StoreError(f"Bản mã hoá không khớp ({ok}, {got} ≠ {counts}); không đổi gì.",
                                 f"The encrypted copy does not match ({ok}, {got} != {counts}); "
                                 "nothing changed.", code="encrypt_failed")
            with Path(tmp).open("rb+") as fh:
                os.fsync(fh.fileno())
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            Path(tmp).replace(path)
            fsync_dir(path.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        with Store.open(path, create=False, key=key, lock=False) as store, store.write() as c:
            audit.append(c, at=iso(now_vn()), actor=_os_user(), counter=label,
                         action="store.encrypt", subject=label,
                         detail={"safety_copy": safety.path.name})
    plaintext = sorted(str(p) for p in settings.backups_dir.glob("*.sqlite3")
                       if file_kind(p) == "plain")
    return {"store": str(path), "encrypted": True, "safety_copy": str(safety.path),
            "plaintext_copies": plaintext, "key": "keyfile" if settings.store_key_file
            else "keyring"}
