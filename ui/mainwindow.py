"""The main window: a stack of the login screen and the work area (tabs), a status bar with the
user, the signing key and the sync indicator, menus with mnemonics and shortcuts.

Only the login screen is built at start-up (fast cold start); the work area's screens are
imported and built after the first login. A language switch rebuilds the screens (the intake
draft survives it, as it survives a crash).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from app.errors import is_user_facing, message_of
from ui.login import LoginPage
from ui.qtutil import run_dialog, show_message, spawn
from ui.session import Session

log = logging.getLogger(__name__)
SYNC_POLL_MS = 3000


class MainWindow(QMainWindow):
    closed = Signal()
    sync_starting: asyncio.Task[bool] | None = None  # set by ui.app.open_window
    language_switched = Signal(str)
    dossiers_changed = Signal(list)  # codes ([] = any): after every action and applied pull

    def __init__(self, session: Session, *, demo: object | None = None,
                 switch_language=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.demo = demo  # app.demo.Demo in demo mode (pre-fills login and the .p12)
        self.switch_language = switch_language  # installs a translator; set by ui.app
        self.work: QTabWidget | None = None
        self._work_lang = ""
        self.pages: dict[str, QWidget] = {}
        self.idle_minutes = 10
        self.last_activity = time.monotonic()
        self._key_future: asyncio.Future | None = None
        self._polling = False
        self.receipts = None
        self.counter_lang = session.lang  # the login screen's language, whoever logged in last
        self._login_lang = ""  # a language picked on the login screen for this login only
        self.setWindowTitle(self.tr("MotCua Counter"))
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.user_label = QLabel()
        self.key_label = QLabel()
        self.sync_label = None
        self._build_login()
        self._build_actions()
        self.stack.currentChanged.connect(lambda *_: self._update_actions())
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.key_label)
        fm = self.fontMetrics()
        self.resize(fm.averageCharWidth() * 150, fm.height() * 45)
        self._changed_poll = QTimer(self, singleShot=True, interval=300)
        self._changed_poll.timeout.connect(lambda: spawn(self.poll_sync()))
        session.on_dossiers_changed(self.dossiers_changed.emit)
        self.dossiers_changed.connect(self._refresh_screens)

    # ------------------------------------------------------------------ screens
    def _build_login(self) -> None:
        centre = self.session.counter.centre_name if self.session.counter else ""
        self.login = LoginPage(self.session, centre=centre, demo=self.demo is not None)
        self.login.logged_in.connect(lambda user: spawn(self.after_login(user)))
        self.login.language_changed.connect(self._login_language)
        self.stack.addWidget(self.login)
        self.stack.setCurrentWidget(self.login)

    def _build_work(self) -> None:
        """Import and build the work screens (after the first login: keeps start-up fast)."""
        from ui.detail import DetailPage
        from ui.helppage import HelpPage
        from ui.home import HomePage
        from ui.intake import IntakePage
        from ui.receipt_actions import ReceiptPrinter
        from ui.reportview import ReportsPage
        from ui.search import SearchPage
        from ui.syncpanel import SyncIndicator, SyncPanel

        s = self.session
        self.receipts = ReceiptPrinter(s)
        self.home = HomePage(s)
        self.intake = IntakePage(s, ensure_key=self.ensure_key, print_receipt=self.print_receipt)
        self.search = SearchPage(s.search_page, self.intake._search_procedures, s.lang)
        self.detail = DetailPage(s, ensure_key=self.ensure_key, reprint=self.reprint)
        self.sync = SyncPanel(s)
        self.reports = ReportsPage(s)
        self.helppage = HelpPage()
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        # tabs have no mnemonic (Ctrl+1…7 switch them): no clash with the fields' Alt keys
        for i, (key, page, text) in enumerate((("home", self.home, self.tr("Home")),
                                               ("intake", self.intake, self.tr("Intake")),
                                               ("search", self.search, self.tr("Search")),
                                               ("detail", self.detail, self.tr("Dossier")),
                                               ("sync", self.sync, self.tr("Sync")),
                                               ("reports", self.reports, self.tr("Reports"))), 1):
            tabs.addTab(page, text)
            tabs.setTabToolTip(tabs.count() - 1, f"Ctrl+{i}")
            self.pages[key] = page
        if s.is_admin:
            from ui.admin import SettingsPage

            self.settings_page = SettingsPage(s)
            tabs.addTab(self.settings_page, self.tr("Settings"))
            tabs.setTabToolTip(tabs.count() - 1, "Ctrl+7")
            self.pages["settings"] = self.settings_page
        tabs.addTab(self.helppage, self.tr("Help"))
        self.pages["help"] = self.helppage
        tabs.currentChanged.connect(self._tab_changed)
        self.work = tabs
        self._work_lang = s.lang
        self.stack.addWidget(tabs)

        self.home.open_dossier.connect(self.open_dossier)
        self.home.new_intake.connect(lambda: self.show_page("intake"))
        self.search.open_dossier.connect(self.open_dossier)
        self.intake.open_dossier.connect(self.open_dossier)
        self.detail.signature_state.connect(lambda _code: self.search.refresh())

        self.sync_label = SyncIndicator()
        self.sync_label.clicked.connect(lambda: self.show_page("sync"))
        self.statusBar().insertPermanentWidget(0, self.sync_label)
        self._sync_timer = QTimer(self, interval=SYNC_POLL_MS)
        self._sync_timer.timeout.connect(lambda: spawn(self.poll_sync()))
        self._sync_timer.start()
        self._idle_timer = QTimer(self, interval=15_000)
        self._idle_timer.timeout.connect(self._check_idle)
        self._idle_timer.start()
        QApplication.instance().installEventFilter(self)
        self._update_actions()

    # ------------------------------------------------------------------ actions
    VIEW_KEYS = ("home", "intake", "search", "detail", "sync", "reports", "settings")

    def _build_actions(self) -> None:
        """Every action and shortcut is created ONCE per window (re-login, a language switch or
        another clerk only re-enable and re-label them: no duplicate, no ambiguous shortcut)."""
        A = {}

        def act(key: str, fn, shortcut: str = "") -> QAction:
            a = QAction(self)
            a.setObjectName(f"action_{key}")
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(lambda _=False: fn())
            self.addAction(a)  # shortcuts work with the menu bar hidden too
            A[key] = a
            return a

        act("backup", lambda: spawn(self.admin_task("backup")))
        act("restore", lambda: spawn(self.admin_task("restore")))
        act("catalogue", lambda: spawn(self.admin_task("catalogue")))
        act("quit", self.close, "Ctrl+Q")
        act("unlock_key", lambda: spawn(self.ensure_key(force=True)), "Ctrl+K")
        act("lock", self.lock_screen, "Ctrl+L")
        act("logout", lambda: spawn(self.logout()))
        act("password", lambda: spawn(self.change_password()))
        act("font_up", lambda: spawn(self.set_font_size(+1)), "Ctrl++")
        act("font_down", lambda: spawn(self.set_font_size(-1)), "Ctrl+-")
        act("font_reset", lambda: spawn(self.set_font_size(0)), "Ctrl+0")
        for i, key in enumerate(self.VIEW_KEYS, 1):
            act(f"view_{key}", lambda k=key: self.show_page(k), f"Ctrl+{i}")
        act("go_intake", lambda: self.show_page("intake"), "F2")
        act("go_search", lambda: self.show_page("search"), "F3")
        act("go_help", lambda: self.show_page("help"), "F1")
        act("lang_vi", lambda: self.set_language("vi"))
        act("lang_en", lambda: self.set_language("en"))
        act("shortcuts", lambda: self.show_page("help"))
        act("about", self._about)
        A["lang_vi"].setText("Tiếng Việt")
        A["lang_en"].setText("English")
        self.actions_by_key = A
        mb = self.menuBar()
        self.menus = {}
        for key, keys in (("file", ["backup", "restore", "catalogue", None, "quit"]),
                          ("session", ["unlock_key", "password", "lock", "logout"]),
                          ("view", [*(f"view_{k}" for k in self.VIEW_KEYS), None,
                                    "font_up", "font_down", "font_reset"]),
                          ("language", ["lang_vi", "lang_en"]),
                          ("help", ["shortcuts", "about"])):
            m = mb.addMenu("")
            for k in keys:
                if k is None:
                    sep = m.addSeparator()
                    if key == "file":
                        self.admin_separator = sep
                else:
                    m.addAction(A[k])
            self.menus[key] = m
        self._retranslate_actions()
        self._update_actions()

    def _retranslate_actions(self) -> None:
        A = self.actions_by_key
        for key, text in (("file", self.tr("&File")), ("session", self.tr("S&ession")),
                          ("view", self.tr("&View")), ("language", self.tr("&Language")),
                          ("help", self.tr("&Help"))):
            self.menus[key].setTitle(text)
        for key, text in (("backup", self.tr("&Back up…")), ("restore", self.tr("&Restore…")),
                          ("catalogue", self.tr("Import &catalogue…")), ("quit", self.tr("&Quit")),
                          ("unlock_key", self.tr("&Unlock signing key…")),
                          ("lock", self.tr("&Lock screen")), ("logout", self.tr("Log &out")),
                          ("password", self.tr("Change my &password…")),
                          ("font_up", self.tr("Larger text")),
                          ("font_down", self.tr("Smaller text")),
                          ("font_reset", self.tr("Normal text size")),
                          ("shortcuts", self.tr("&Keyboard shortcuts")),
                          ("about", self.tr("&About")),
                          ("view_home", self.tr("Home")), ("view_intake", self.tr("Intake")),
                          ("view_search", self.tr("Search")), ("view_detail", self.tr("Dossier")),
                          ("view_sync", self.tr("Sync")), ("view_reports", self.tr("Reports")),
                          ("view_settings", self.tr("Settings"))):
            A[key].setText(text)

    @property
    def at_work(self) -> bool:
        """A clerk is logged in and the work area is on screen (not the login/lock screen)."""
        return self.work is not None and self.session.user is not None \
            and self.stack.currentWidget() is self.work

    def _update_actions(self) -> None:
        """On the login/lock screen nothing but the unlock form: the menu bar is hidden and
        every action and shortcut disabled."""
        work = self.at_work
        admin = work and self.session.is_admin
        self.menuBar().setVisible(work)
        self.statusBar().setVisible(work)  # who is logged in, the key, the queue: not here
        for key, a in self.actions_by_key.items():
            if key in ("backup", "restore", "catalogue"):
                a.setEnabled(admin)
                a.setVisible(admin)
            elif key.startswith("view_"):
                page = key[5:]
                a.setEnabled(work and page in self.pages)
                a.setVisible(page in self.pages or not work)
            else:
                a.setEnabled(work)
        self.admin_separator.setVisible(admin)

    def _about(self) -> None:
        import app

        show_message(self, self.tr("About"), self.tr("MotCua Counter %1 — dossier intake for "
                                                     "commune public-administration service "
                                                     "centres.").replace("%1", app.__version__))

    def show_page(self, key: str) -> None:
        if self.work is None or key not in self.pages or self.stack.currentWidget() is not self.work:
            return
        self.work.setCurrentWidget(self.pages[key])
        if key == "search":
            self.search.focus_search()
        elif key == "intake":
            self.intake.name.setFocus()

    def _tab_changed(self, index: int) -> None:
        page = self.work.widget(index) if self.work else None
        if page is self.home:
            self.home.refresh()
        elif page is self.sync:
            spawn(self.sync.refresh())
        elif page is getattr(self, "settings_page", None):
            spawn(self.settings_page.load())
        elif page is self.reports and self.reports.report is None:
            spawn(self.reports.build())  # this month at once, no button to find first
        elif page is self.search and (self.search.model.rowCount() == 0 or self.search.stale):
            self.search.stale = False
            self.search.run_query()

    def open_dossier(self, code: str) -> None:
        self.show_page("detail")
        spawn(self.detail.show_code(code))

    def _refresh_screens(self, codes: list[str]) -> None:
        """One "dossiers changed" signal: the open dossier, the lists and the indicator follow."""
        if self.work is None:
            return
        if self.detail.code and (not codes or self.detail.code in codes):
            spawn(self.detail.show_code(self.detail.code, keep_banner=True))
        self.search.refresh()  # each reloads now if on screen, else when shown next
        if self.home.isVisible():
            self.home.refresh()
        self._changed_poll.start()  # the indicator's count, once for a burst of changes

    async def admin_task(self, kind: str) -> object:
        """File → Back up / Restore / Import catalogue: an administrator at work only."""
        if not self.at_work or not self.session.is_admin or "settings" not in self.pages:
            return None
        self.show_page("settings")
        return await self.settings_page.start_task(kind)

    # ------------------------------------------------------------------ session
    async def start(self) -> None:
        """First run → wizard; otherwise the login screen."""
        if await self.session.needs_setup():
            from ui.wizard import SetupWizard

            self.wizard = SetupWizard(self.session, self)
            self.wizard.done_ok.connect(self._after_setup)
            self.wizard.open()
        else:
            self.login.reset(clear=False)

    def _after_setup(self) -> None:
        lang = self.wizard.language.currentData()
        self.counter_lang = lang  # the counter's language, chosen in the wizard
        self._switch_translator(lang)
        self.login.centre.setText(self.session.counter.centre_name)
        self.login.username.setText(self.wizard.admin_user.text())
        self.login.reset(self.tr("The counter is set up. Log in with the administrator account."))
        spawn(self.session.start_sync())  # enrolled in the wizard: sync starts now

    async def after_login(self, user: dict[str, Any]) -> None:
        s = self.session
        locked_user = self.login.locked_user
        uprefs = await s.user_prefs(user["username"])
        if self._login_lang:  # picked on the login screen: this clerk's choice from now on
            await s.set_user_pref("language", self._login_lang, user["username"])
            self._login_lang = ""
        elif (uprefs["language"] or self.counter_lang) != s.lang:  # theirs, else the counter's
            self._switch_translator(uprefs["language"] or self.counter_lang)
        self.login.locked_user = ""
        relogin = bool(locked_user) and locked_user == user["username"] \
            and self.work is not None and self._work_lang == s.lang
        if not relogin:
            if self.work is not None:
                self._drop_work()
            await s.preload()
            self._build_work()
            self._restore_geometry(uprefs.get("geometry", ""))
        self._apply_font(int(uprefs["font_size"]) if uprefs.get("font_size") else 0)
        prefs = await s.preferences()
        self.idle_minutes = int(prefs.get("idle_lock_minutes") or 10)
        self.intake._print_after_save = prefs.get("print_after_save") == "1"
        self.user_label.setText(f"{user['display_name']} ({user['username']})")
        self.stack.setCurrentWidget(self.work)
        self.last_activity = time.monotonic()
        if not relogin:
            self.work.setCurrentWidget(self.intake)
            self.home.refresh()
            self.intake.name.setFocus()
            await self.intake.load_favourites()
        self._update_key_label()
        spawn(self.poll_sync())
        if s.signer is None:
            await self.ensure_key()

    def _drop_work(self) -> None:
        QApplication.instance().removeEventFilter(self)
        if self.sync_label is not None:
            self.statusBar().removeWidget(self.sync_label)
            self.sync_label.deleteLater()
            self.sync_label = None
        for t in ("_sync_timer", "_idle_timer"):
            if hasattr(self, t):
                getattr(self, t).stop()
        if self.work is not None:
            self.intake.save_draft()
            self.stack.removeWidget(self.work)
            self.work.deleteLater()
        self.work = None
        self.pages = {}
        self._update_actions()

    async def logout(self) -> None:
        if self.work is not None:
            self.intake.save_draft()
        await self._save_geometry()
        await self.session.logout()
        self._drop_work()
        self.user_label.clear()
        self._update_key_label()
        if self.session.lang != self.counter_lang:  # the next clerk gets the counter's language
            self._switch_translator(self.counter_lang)
        self.stack.setCurrentWidget(self.login)
        self.login.reset()

    def lock_screen(self, idle: bool = False) -> None:
        if not self.at_work:
            return
        self.intake.save_draft()
        spawn(self._save_geometry())
        for w in QApplication.topLevelWidgets():  # the work area's dialogs close too
            if isinstance(w, QDialog) and w.isVisible() and self._owns(w):
                w.reject()
        self.login.lock(self.session.username, self.idle_minutes if idle else 0)
        self.stack.setCurrentWidget(self.login)
        self._update_actions()

    def _owns(self, w: QWidget) -> bool:
        p = w.parentWidget()
        while p is not None:
            if p is self:
                return True
            p = p.parentWidget()
        return False

    def _check_idle(self) -> None:
        if time.monotonic() - self.last_activity >= self.idle_minutes * 60:
            self.lock_screen(idle=True)

    # ------------------------------------------------------------- own account
    async def change_password(self) -> bool:
        """Session → Change my password: current, new, new again (never logged)."""
        from PySide6.QtWidgets import QLineEdit

        from ui.detail import ActionDialog

        if not self.at_work:
            return False
        fields: list[tuple[str, str, QWidget]] = []
        edits: list[QLineEdit] = []
        for name, text in (("current", self.tr("&Current password:")),
                           ("password", self.tr("&New password (8+ characters):")),
                           ("again", self.tr("New password &again:"))):
            e = QLineEdit()
            e.setEchoMode(QLineEdit.EchoMode.Password)
            fields.append((name, text, e))
            edits.append(e)

        async def submit(v: dict[str, Any]) -> object:
            await self.session.change_own_password(v["current"], v["password"], v["again"])
            return True

        dlg = ActionDialog(self.tr("Change my password"), list(fields), submit,
                           self.session.lang, self)
        self.password_dialog = dlg
        try:
            ok = await run_dialog(dlg) == QDialog.DialogCode.Accepted
        finally:
            self.password_dialog = None
            for edit in edits:
                edit.clear()
        if ok:
            self.statusBar().showMessage(self.tr("Your password was changed."), 10_000)
        return ok

    password_dialog: QDialog | None = None

    async def set_font_size(self, step: int) -> int:
        """Larger/smaller text for this clerk (older eyes), remembered for them; 0 = the
        system's size."""
        size = 0 if step == 0 else int(round(max(7.0, min(24.0, QApplication.font().pointSizeF()
                                                            + step))))
        self._apply_font(size)
        if self.session.user is not None:
            await self.session.set_user_pref("font_size", str(size) if size else "")
        return size

    def _apply_font(self, size: int) -> None:
        from PySide6.QtGui import QFont

        if not hasattr(self, "_base_point_size"):
            self._base_point_size = QApplication.font().pointSizeF()
        font = QFont(QApplication.font())
        font.setPointSizeF(size or self._base_point_size)
        QApplication.setFont(font)

    # ------------------------------------------------------------------ geometry
    def _restore_geometry(self, hexdata: str) -> None:
        """Each clerk's window size and place; maximised the first time."""
        from PySide6.QtCore import QByteArray

        if hexdata and self.restoreGeometry(QByteArray.fromHex(hexdata.encode("ascii"))):
            return
        self.showMaximized()

    async def _save_geometry(self) -> None:
        if self.session.user is None or self.session.closed:
            return
        try:
            hexed = self.saveGeometry().toHex().data().decode("ascii")
            await self.session.set_user_pref("geometry", hexed)
        except Exception:
            log.warning("saving the window geometry failed", exc_info=True)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                            QEvent.Type.Wheel):
            self.last_activity = time.monotonic()
        return False

    # ------------------------------------------------------------------ signing key
    async def ensure_key(self, force: bool = False) -> bool:
        """Unlock the clerk's key once per session (dialog); True when a key is ready."""
        s = self.session
        if s.signer is not None and not force:
            return True
        if self._key_future is not None:
            return await asyncio.shield(self._key_future)
        self._key_future = asyncio.get_running_loop().create_future()
        try:
            from ui.login import UnlockKeyDialog

            hint, path = "", ""
            if self.demo is not None:
                from app.demo import DEMO_P12_PASSWORD

                path = str(self.demo.clerk_p12)
                hint = self.tr("DEMO certificate, password: %1").replace("%1", DEMO_P12_PASSWORD)
            message = ""
            if s.key_lost is not None:
                message = message_of(s.key_lost, s.lang) + " " + self.tr(
                    "Unlock it again; the form is kept.")
                s.key_lost = None
            remembered = await s.user_prefs() if s.user else {}
            if not path:
                path = remembered.get("p12_path", "")
            self.key_dialog = UnlockKeyDialog(s, p12_path=path, hint=hint, message=message,
                                              remembered=remembered, parent=self)
            await run_dialog(self.key_dialog)
            self._update_key_label()
            if self.key_dialog.info is not None and s.user:  # where the key is, never the secret
                for k, v in self.key_dialog.where().items():
                    await s.set_user_pref(k, v)
            info = s.signer_info
            if info is not None and info.expiring:
                show_message(self, self.tr("Certificate expires soon"),
                             self.tr("Your signing certificate expires in %1 days. Ask IT to "
                                     "renew it.").replace("%1", str(info.days_left)))
            ok = s.signer is not None
            self._key_future.set_result(ok)
            return ok
        finally:
            self._key_future = None
            self.key_dialog = None

    def _update_key_label(self) -> None:
        info = self.session.signer_info
        if info is None:
            text, color = self.tr("Signing key locked"), "#b00020"
        else:
            name = info.subject.split("CN=")[-1].split(",")[0]
            if info.expiring:
                text = self.tr("Key: %1 — expires in %2 days, renew it!")
                color = "#b35c00"
            else:
                text = self.tr("Key: %1 (%2 days left)")
                color = "#0b5a1e"
            text = text.replace("%1", name).replace("%2", str(info.days_left))
        self.key_label.setText(text)
        self.key_label.setStyleSheet(f"QLabel {{ color:{color}; }}")

    # ------------------------------------------------------------------ receipts
    async def print_receipt(self, code: str) -> str | None:
        try:
            where = await self.receipts.print_code(code)
        except Exception as e:
            if not is_user_facing(e):
                raise
            self.intake.banner.show_text(self.tr("Receipt not printed: ") +
                                         message_of(e, self.session.lang), "error")
            return None
        if where.endswith(".pdf"):
            msg = self.tr("No printer installed: receipt %1 saved as %2").replace("%1", code) \
                .replace("%2", where)
        else:
            msg = self.tr("Receipt %1 sent to the printer.").replace("%1", code)
        self.statusBar().showMessage(msg, 10_000)
        if where.endswith(".pdf"):  # the status bar cuts long paths: say it where it wraps
            b = self.intake.banner
            b.show_text(f"{b.text()}  {msg}" if b.isVisible() and b.property("kind") == "ok"
                        and msg not in b.text() else msg, "ok")
            self.intake.banner.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse)
        return where

    async def reprint(self, code: str, reason: str) -> str:
        where = await self.receipts.reprint(code, reason)
        self.statusBar().showMessage(self.tr("Receipt %1 reprinted.").replace("%1", code), 10_000)
        return where

    # ------------------------------------------------------------------ sync
    async def poll_sync(self) -> dict[str, Any] | None:
        if self._polling or self.sync_label is None or self.session.closed:
            return None
        self._polling = True
        try:
            st = await self.session.sync_state()
        except Exception:
            log.warning("reading sync state failed", exc_info=True)
            return None
        finally:
            self._polling = False
        if self.sync_label is not None:
            self.sync_label.update_state(st)
        return st

    # ------------------------------------------------------------------ language
    def _switch_translator(self, lang: str) -> None:
        """Install `lang` and rebuild the login screen (the lock state and username survive)."""
        if lang == self.session.lang:
            return
        self.session.lang = lang
        if self.switch_language:
            self.switch_language(lang)
        self.setWindowTitle(self.tr("MotCua Counter"))
        username, locked = self.login.username.text(), self.login.locked_user
        on_login = self.stack.currentWidget() is self.login
        self.stack.removeWidget(self.login)
        self.login.deleteLater()
        self._build_login()
        self.login.username.setText(username)
        if locked:
            self.login.lock(locked, 0)
        else:
            self.login.reset()
        if not on_login and self.work is not None:
            self.stack.setCurrentWidget(self.work)
        self._retranslate_actions()
        self._update_key_label()
        self.language_switched.emit(lang)

    def _login_language(self, lang: str) -> None:
        """Picked on the login screen: for the clerk who logs in now (saved as theirs)."""
        self._login_lang = lang
        self._switch_translator(lang)

    def set_language(self, lang: str) -> None:
        """The View → Language menu: this clerk's language (not the next clerk's)."""
        if lang == self.session.lang:
            return
        on_work = self.at_work
        if self.work is not None:
            self.intake.save_draft()
        self._switch_translator(lang)
        if on_work:
            self._drop_work()
            self._build_work()
            self.user_label.setText(f"{self.session.user['display_name']} "
                                    f"({self.session.username})")
            spawn(self.poll_sync())
            self.stack.setCurrentWidget(self.work)
            self.work.setCurrentWidget(self.intake)
            self._update_actions()
        if self.session.user is not None:
            spawn(self.session.set_user_pref("language", lang))

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event) -> None:
        for t in ("_sync_timer", "_idle_timer", "_changed_poll"):  # none may fire after close
            if hasattr(self, t):
                getattr(self, t).stop()
        if self.work is not None:
            self.intake.save_draft()
        QApplication.instance().removeEventFilter(self)
        super().closeEvent(event)
        self.closed.emit()
