"""The GUI's window onto the app services — Qt-free, so it is tested with pytest-asyncio.

Anki-style: every call that touches the store or a signing token runs on ONE worker thread
(`StoreWorker`), so SQLite and the PKCS#11 session are only ever used from that thread and
calls are naturally serialised; the GUI awaits the result as a value. Nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from app.errors import is_user_facing
from app.settings import Settings

if TYPE_CHECKING:  # the store and its libraries load on the worker, off the start-up path
    from app.context import Counter

log = logging.getLogger(__name__)
T = TypeVar("T")

EXPIRY_WARNING_DAYS = 30


class StoreWorker:
    """One thread for all store and token work: SQLite connection and token session stay on it."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="motcua-store")

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args))

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _open_counter(settings: Settings) -> Counter:
    from app.context import open_counter

    return open_counter(settings)


class SessionClosed(RuntimeError):
    """A screen asked for data after the window closed (a late refresh): nothing to show."""


@dataclass
class SignerInfo:
    """What the GUI shows about the unlocked key (never the secret)."""

    subject: str
    kind: str  # "p12" | "token"
    days_left: int
    expiring: bool
    where: str


@dataclass
class Session:
    """One running counter: settings, the open store, the logged-in clerk and their signer."""

    settings: Settings
    counter: Counter
    worker: StoreWorker = field(default_factory=StoreWorker)
    user: dict[str, Any] | None = None
    signer: Any = None
    signer_info: SignerInfo | None = None
    lang: str = "vi"
    key_lost: Exception | None = None  # why the signer was dropped (token removed…)
    closed: bool = False
    sync: Any = None  # app.sync_service.BackgroundSync while the counter is enrolled
    # "dossiers changed": called on the GUI loop with the changed codes ([] = maybe all) after
    # every action here and every pull the sync engine applied
    listeners: list[Callable[[list[str]], None]] = field(default_factory=list)
    # dossiers whose row and signed events were found to disagree (by the detail screen's
    # check, or a receipt/slip refusal): the search list marks them without verifying rows
    mismatched: set[str] = field(default_factory=set)

    # ----------------------------------------------------------------- opening
    @classmethod
    async def open(cls, settings: Settings, worker: StoreWorker | None = None) -> Session:
        """Open the store on the worker thread (its imports too), so the GUI thread can build
        the first screen meanwhile."""
        worker = worker or StoreWorker()
        counter = await worker.run(_open_counter, settings)
        return cls(settings, counter, worker, lang=settings.lang)

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.sync is not None:
            self.sync.stop()
            await self.sync.stopped()
            self.sync = None
        await self.lock_key()
        await self.worker.run(self.counter.close)
        self.worker.shutdown()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run any app service call on the store worker."""
        if self.closed:
            raise SessionClosed("the session is closed")
        return await self.worker.run(fn, *args)

    # ------------------------------------------------------- dossiers changed
    def on_dossiers_changed(self, fn: Callable[[list[str]], None]) -> None:
        self.listeners.append(fn)

    def dossiers_changed(self, codes: list[str]) -> None:
        """Tell every screen (GUI loop thread only)."""
        for fn in list(self.listeners):
            try:
                fn(list(codes))
            except Exception:
                log.exception("a 'dossiers changed' listener failed")

    def _changed_from_thread(self, loop: asyncio.AbstractEventLoop) -> Callable[[list[str]], None]:
        def notify(codes: list[str]) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(self.dossiers_changed, codes)
        return notify

    # ------------------------------------------------------------------ set-up
    async def needs_setup(self) -> bool:
        from app import setup

        return await self.run(setup.needs_setup, self.counter)

    async def initial_setup(self, values: dict[str, Any]) -> None:
        from app import setup

        await self.run(lambda: setup.initial_setup(self.counter, **values))

    async def counter_identity(self) -> dict[str, Any]:
        c = self.counter
        return await self.run(lambda: {"agency_code": c.agency_code, "counter_no": c.counter_no,
                                       "centre_name": c.centre_name, "label": c.label})

    # ------------------------------------------------------------- accounts
    async def login(self, username: str, password: str) -> dict[str, Any]:
        from app import accounts

        s = self.settings
        user = await self.run(lambda: accounts.authenticate(
            self.counter.store, username, password, max_failures=s.login_max_failures,
            lockout_minutes=s.login_lockout_minutes))
        if self.user and self.user["username"] != user["username"]:
            await self.lock_key()  # another clerk: never sign with the previous clerk's key
        self.user = user
        return user

    async def logout(self) -> None:
        await self.lock_key()
        self.user = None

    @property
    def username(self) -> str:
        return self.user["username"] if self.user else ""

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.get("role") == "administrator")

    async def preload(self) -> None:
        """Warm the catalogue and calendar on the worker so the intake form computes locally,
        and import the input schema (pydantic) there, not on the first save."""
        import importlib

        await self.run(lambda: (self.counter.catalogue(), self.counter.calendar(),
                                importlib.import_module("app.inputs")))

    # ---------------------------------------------------------------- signing key
    async def unlock_p12(self, path: str | Path, password: str) -> SignerInfo:
        from app.trust import load_trust
        from signing.signer import P12Signer

        def open_() -> Any:
            signer = P12Signer.open(Path(path), password, trust=load_trust(self.settings))
            signer.check()
            return signer

        signer = await self.run(open_)
        return await self._adopt(signer, "p12", str(path))

    async def unlock_token(self, module: str, token_label: str, pin: str,
                           key_label: str = "") -> SignerInfo:
        from app.trust import load_trust
        from signing.signer import Pkcs11Signer

        def open_() -> Any:
            signer = Pkcs11Signer.open(module, token_label=token_label or None, pin=pin,
                                       key_label=key_label or None,
                                       trust=load_trust(self.settings))
            signer.check()
            return signer

        signer = await self.run(open_)
        return await self._adopt(signer, "token", token_label or module)

    async def _adopt(self, signer: Any, kind: str, where: str) -> SignerInfo:
        old = self.signer
        self.signer = signer  # swap first: there is never a moment without a key
        self.signer_info = SignerInfo(
            subject=signer.info.subject, kind=kind, days_left=signer.days_left(),
            expiring=signer.expires_within(EXPIRY_WARNING_DAYS), where=where)
        self.key_lost = None
        if old is not None and old is not signer:
            try:
                await self.run(old.close)
            except Exception:
                log.warning("closing the previous signer failed", exc_info=True)
        return self.signer_info

    async def lock_key(self) -> None:
        signer, self.signer, self.signer_info = self.signer, None, None
        if signer is not None:
            try:
                await self.worker.run(signer.close)
            except Exception:  # a removed token may fail to close: nothing to keep
                log.warning("closing the signer failed", exc_info=True)

    def require_signer(self) -> Any:
        if self.signer is None:
            from app.errors import UserError

            raise UserError("Chưa mở khoá chứng thư số để ký; hãy mở khoá khoá ký.",
                            "The signing key is not unlocked; unlock it first.", code="no_signer")
        return self.signer

    # ------------------------------------------------------------------- intake
    async def save_intake(self, form: dict[str, Any], attachments: list[str]) -> dict[str, Any]:
        """Validate (ValidationError with every field) then receive + sign in one transaction.

        A SigningError with code token_removed drops the signer so the GUI asks to re-unlock."""
        from app import intake

        req = intake.parse_request(form, [Path(p) for p in attachments])
        signer = self.require_signer()
        try:
            result = await self.run(lambda: intake.receive(self.counter, req,
                                                           clerk=self.username, signer=signer))
        except Exception as exc:
            if getattr(exc, "code", "") in ("token_removed", "token_not_found", "token_error"):
                self.signer, self.signer_info, self.key_lost = None, None, exc
            raise
        self.dossiers_changed([result["code"]])
        return result

    def appointment_preview(self, procedure_code: str, channel: str = "in_person",
                            now: datetime | None = None) -> tuple[datetime | None, bool]:
        """(appointment, has_fixed_date) computed locally from the warmed catalogue/calendar."""
        from app.domain import now_vn

        proc = self.counter.catalogue().get(procedure_code) if procedure_code else None
        if proc is None:
            return None, False
        when = self.counter.calendar().appointment(now or now_vn(), proc.time_for(channel))
        return when, when is not None

    # ------------------------------------------------------------- reading
    async def search_page(self, text: str = "", *, before: int | None = None,
                          status: int | None = None, procedure_code: str = "",
                          date_from: date | None = None, date_to: date | None = None,
                          limit: int = 100) -> dict[str, Any]:
        from app import reports

        page = await self.run(lambda: reports.dossier_page(
            self.counter, text, before=before, status=status, procedure_code=procedure_code,
            date_from=date_from, date_to=date_to, limit=limit))
        for r in page["results"]:
            r["signature_mismatch"] = r["code"] in self.mismatched
        return page

    async def show(self, code: str) -> dict[str, Any]:
        from app import queries

        return await self.run(queries.show, self.counter, code)

    async def work_queue(self) -> dict[str, Any]:
        from app import reports

        return await self.run(reports.work_queue, self.counter)

    async def verify_dossier(self, code: str) -> list[dict[str, Any]]:
        """Signature problems of one dossier ([] = every signature verifies)."""
        from app import signatures

        report = await self.run(signatures.verify_dossier, self.counter, code)
        self.note_verified(code, not report.problems)
        return report.problems

    def note_verified(self, code: str, ok: bool) -> None:
        """Remember whether a dossier's row matches its signed events (search list mark)."""
        code = code.strip().upper()
        if ok:
            self.mismatched.discard(code)
        else:
            self.mismatched.add(code)

    # ------------------------------------------------------------- actions
    async def request_supplement(self, code: str, items: list[dict[str, Any]], reason: str) -> dict[str, Any]:
        from app import actions

        signer = self.require_signer()
        return await self._act(code, lambda: actions.request_supplement(
            self.counter, code, items, reason=reason, clerk=self.username, signer=signer))

    async def supplement_received(self, code: str, note: str = "") -> dict[str, Any]:
        from app import actions

        signer = self.require_signer()
        return await self._act(code, lambda: actions.record_supplement_received(
            self.counter, code, note=note, clerk=self.username, signer=signer))

    async def return_result(self, code: str, *, recipient_name: str, recipient_id: str = "",
                            relation: str = "self", method: str = "at_counter",
                            note: str = "") -> dict[str, Any]:
        from app import actions

        signer = self.require_signer()
        return await self._act(code, lambda: actions.return_result(
            self.counter, code, recipient_name=recipient_name, recipient_id=recipient_id,
            relation=relation, method=method, note=note, clerk=self.username, signer=signer))

    async def _act(self, code: str, fn: Callable[[], T]) -> T:
        result = await self.run(fn)
        self.dossiers_changed([code])
        return result

    async def withdraw(self, code: str, reason: str) -> dict[str, Any]:
        from app import actions

        signer = self.require_signer()
        return await self._act(code, lambda: actions.record_withdrawal(
            self.counter, code, reason=reason, clerk=self.username, signer=signer))

    # ------------------------------------------------------------- sync
    async def start_sync(self) -> bool:
        """Run the sync engine in the background on this loop when the counter is enrolled;
        going offline then changes nothing for the clerk but the indicator."""
        if self.sync is not None:
            return True

        def enrolled() -> bool:  # the HTTP stack is imported here, on the worker
            from app import sync_service

            return sync_service.is_enrolled(self.counter)

        if not await self.run(enrolled) or self.closed or self.sync is not None:
            return self.sync is not None
        from app import sync_service

        loop = asyncio.get_running_loop()
        self.sync = sync_service.start_background(
            self.counter, loop, on_applied=self._changed_from_thread(loop))
        return True

    async def restart_sync(self) -> bool:
        """Settings take effect at once: a changed gateway restarts the engine on it."""
        if self.sync is not None:
            self.sync.stop()
            await self.sync.stopped()
            self.sync = None
        return await self.start_sync()

    def wake_sync(self) -> None:
        """"Retry now": end the current back-off wait at once."""
        if self.sync is not None:
            self.sync.wake()

    async def sync_state(self) -> dict[str, Any]:
        from app import syncstate

        return await self.run(syncstate.read, self.counter)

    async def parked_events(self) -> list[dict[str, Any]]:
        from app import syncstate

        return await self.run(syncstate.parked_events, self.counter)

    async def retry_parked(self) -> int:
        from app import syncstate

        n = await self.run(lambda: syncstate.retry_parked(self.counter, actor=self.username))
        self.wake_sync()
        return n

    async def send_now(self) -> None:
        """"Send now": wake the engine (it retries at once, online or not)."""
        self.wake_sync()

    # ------------------------------------------------------------- preferences
    async def preferences(self) -> dict[str, str]:
        from app import preferences

        return await self.run(preferences.all_prefs, self.counter)

    async def set_preferences(self, values: dict[str, str]) -> None:
        from app import preferences

        def apply() -> None:
            for k, v in values.items():
                preferences.set_pref(self.counter, k, v)

        await self.run(apply)

    async def user_prefs(self, username: str = "") -> dict[str, str]:
        from app import preferences

        return await self.run(preferences.user_prefs, self.counter, username or self.username)

    async def set_user_pref(self, key: str, value: str, username: str = "") -> None:
        from app import preferences

        user = username or self.username
        if user:
            await self.run(preferences.set_user_pref, self.counter, user, key, value)

    # --------------------------------------------------------- administration
    def require_admin(self) -> None:
        if not self.is_admin:
            from app.errors import UserError

            raise UserError("Việc này cần phiên đăng nhập của quản trị viên.",
                            "This needs an administrator session.", code="not_admin")

    async def check_password(self, password: str) -> bool:
        """Re-type your password to confirm (backups hold every citizen's data)."""
        from app import accounts

        s = self.settings
        try:
            await self.run(lambda: accounts.authenticate(
                self.counter.store, self.username, password, max_failures=s.login_max_failures,
                lockout_minutes=s.login_lockout_minutes))
        except Exception as e:
            if not is_user_facing(e):
                raise
            return False
        return True

    async def backup(self, dest: str | Path) -> dict[str, Any]:
        from app import setup

        self.require_admin()
        return await self.run(setup.backup, self.counter, Path(dest))

    async def restore(self, src: str | Path, typed_code: str) -> dict[str, Any]:
        from app import setup

        self.require_admin()
        await self.run(setup.check_restore_confirmation, self.counter, typed_code)
        had_sync = self.sync is not None
        if had_sync:  # the engine must not write while the store is replaced
            self.sync.stop()
            await self.sync.stopped()
            self.sync = None

        try:
            result = await self.run(lambda: setup.restore(
                self.counter, Path(src), confirm=typed_code, actor=self.username))
        finally:
            if had_sync:
                await self.start_sync()
        self.dossiers_changed([])
        return result

    async def import_catalogue(self, path: str | Path) -> dict[str, Any]:
        from app.context import import_catalogue

        self.require_admin()
        return await self.run(lambda: import_catalogue(self.counter, Path(path),
                                                       actor=self.username))

    async def enrol(self, line: str, ca_bundle: str | None = None) -> dict[str, Any]:
        """Paste the `MOTCUA-ENROL1:` line the province gives (administrators)."""
        from app import sync_service

        self.require_admin()
        return await self.run(lambda: sync_service.enrol(self.counter, line, ca_bundle=ca_bundle,
                                                         actor=self.username))

    async def change_own_password(self, current: str, new: str, again: str) -> None:
        """A clerk changes their own password: the current one first, the new one twice."""
        from app import accounts
        from app.errors import UserError, ValidationError

        errors = []
        if not await self.check_password(current):
            errors.append(UserError("Mật khẩu hiện tại không đúng.", "The current password is "
                                    "wrong.", field="current"))
        if new != again:
            errors.append(UserError("Hai lần nhập mật khẩu mới không khớp.",
                                    "The two new passwords differ.", field="again"))
        if errors:
            raise ValidationError(errors)
        await self.run(lambda: accounts.set_password(self.counter.store, self.username, new,
                                                     actor=self.username))

    async def reset_password(self, username: str, new: str) -> None:
        """An administrator sets another account's password (the clerk changes it after)."""
        from app import accounts

        self.require_admin()
        await self.run(lambda: accounts.set_password(self.counter.store, username, new,
                                                     actor=self.username))

    # ------------------------------------------------------------- slips
    async def refuse_at_counter(self, form: dict[str, Any], reason: str) -> tuple[dict[str, Any], Any]:
        from app import slips

        signer = self.require_signer()
        recorded, slip = await self.run(lambda: slips.refuse_at_counter(
            self.counter, form, reason, clerk=self.username, signer=signer))
        self.dossiers_changed([recorded["code"]])
        return recorded, slip

    async def slip(self, kind: str, code: str = "", date_from: date | None = None,
                   date_to: date | None = None) -> Any:
        """Form 02 (supplement), 04 (control) or 05 (tracking book) as a printable model."""
        from app import slips

        if kind == "supplement":
            return await self.run(lambda: slips.supplement_slip(self.counter, code,
                                                                clerk=self.username))
        if kind == "control":
            return await self.run(slips.control_slip, self.counter, code)
        if kind == "book":
            return await self.run(slips.tracking_book, self.counter, date_from, date_to)
        raise ValueError(kind)

    async def bind_certificate(self, username: str, cert_path: str | Path,
                               admin_password: str) -> dict[str, Any]:
        """An administrator binds a clerk's signing certificate to the account (confirmed
        with the administrator's password; audited)."""
        from app import binding
        from app.errors import UserError
        from signing.trust import load_certificates

        self.require_admin()

        def work() -> dict[str, Any]:
            try:
                certs = load_certificates(Path(cert_path).read_bytes())
            except (OSError, ValueError) as exc:
                raise UserError(f"Không đọc được chứng thư {cert_path}: {exc}",
                                f"Cannot read the certificate {cert_path}: {exc}",
                                field="certificate") from None
            if not certs:
                raise UserError("Tệp không chứa chứng thư.", "The file holds no certificate.",
                                field="certificate")
            return binding.bind_certificate(self.counter.store, username, certs[0],
                                            admin=self.username, admin_password=admin_password)

        return await self.run(work)

    def field_errors(self, form: dict[str, Any]) -> dict[str, str]:
        """The form's problems by field, without saving (validation as each field is left);
        pure and fast: the same parse the save runs first."""
        from app import intake
        from app.errors import ValidationError

        try:
            intake.parse_request(form, [])
        except ValidationError as e:
            return e.by_field(self.lang)
        return {}
