"""Login (local accounts, lockout, idle lock) and unlocking the signing key once per session.

Only Qt widgets and the login flow live here; the password check and the key opening run on
the store worker through Session, so Argon2id (64 MiB) never freezes the window.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import is_user_facing, message_of
from ui.qtutil import Banner, spawn
from ui.session import Session, SignerInfo

log = logging.getLogger(__name__)


class LoginPage(QWidget):
    """The first screen: who is at the counter. Also the idle-lock screen."""

    logged_in = Signal(dict)
    language_changed = Signal(str)

    def __init__(self, session: Session, *, centre: str = "", demo: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.locked_user = ""
        title = QLabel(self.tr("MotCua Counter"))
        f = title.font()
        f.setPointSizeF(f.pointSizeF() * 1.8)
        f.setBold(True)
        title.setFont(f)
        self.centre = QLabel(centre)
        self.centre.setWordWrap(True)
        self.banner = Banner(self)
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.language = QComboBox()
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(1 if session.lang == "en" else 0)
        self.button = QPushButton(self.tr("&Log in"))
        self.button.setDefault(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("QLabel { color:#555; }")

        form = QFormLayout()
        for text, w in ((self.tr("&Username:"), self.username), (self.tr("&Password:"), self.password),
                        (self.tr("Lan&guage:"), self.language)):
            lab = QLabel(text)
            lab.setBuddy(w)
            form.addRow(lab, w)
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        v = QVBoxLayout(box)
        v.addWidget(title)
        v.addWidget(self.centre)
        v.addWidget(self.banner)
        v.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        v.addLayout(row)
        v.addWidget(self.hint)
        box.setMaximumWidth(self.fontMetrics().averageCharWidth() * 70)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        h = QHBoxLayout()
        h.addStretch(1)
        h.addWidget(box, 2)
        h.addStretch(1)
        outer.addLayout(h)
        outer.addStretch(2)

        self.button.clicked.connect(self.on_login)
        self.password.returnPressed.connect(self.on_login)
        self.username.returnPressed.connect(self.password.setFocus)
        self.language.currentIndexChanged.connect(
            lambda *_: self.language_changed.emit(self.language.currentData()))
        if demo:
            from app.demo import DEMO_USER, DEMO_USER_PASSWORD

            self.username.setText(DEMO_USER)
            self.password.setText(DEMO_USER_PASSWORD)
            self.hint.setText(self.tr("DEMO: user %1, password %2 (test-only data).")
                              .replace("%1", DEMO_USER).replace("%2", DEMO_USER_PASSWORD))

    def lock(self, username: str, minutes: int) -> None:
        """Idle lock: the same clerk types their password again (the form draft is kept)."""
        self.locked_user = username
        self.username.setText(username)
        self.username.setReadOnly(False)
        self.password.clear()
        if minutes:
            text = self.tr("Locked after %1 minutes without activity. Enter your password to "
                           "continue.").replace("%1", str(minutes))
        else:  # Ctrl+L
            text = self.tr("Screen locked. Enter your password to continue; another clerk can "
                           "log in with their own account.")
        self.banner.show_text(text, "warn")
        self.password.setFocus()

    def reset(self, message: str = "", *, clear: bool = True) -> None:
        self.locked_user = ""
        if clear:
            self.password.clear()
        if message:
            self.banner.show_text(message, "ok")
        else:
            self.banner.clear_text()
        (self.password if self.username.text() else self.username).setFocus()

    def on_login(self) -> None:
        spawn(self.login())

    async def login(self) -> dict[str, Any] | None:
        self.button.setEnabled(False)
        self.banner.clear_text()
        try:
            user = await self.session.login(self.username.text(), self.password.text())
        except Exception as e:
            if not is_user_facing(e):
                raise
            self.banner.show_text(message_of(e, self.session.lang), "error")
            self.password.selectAll()
            self.password.setFocus()
            return None
        finally:
            self.button.setEnabled(True)
        self.password.clear()
        self.logged_in.emit(user)
        return user


class UnlockKeyDialog(QDialog):
    """Unlock the clerk's signing key: a .p12 file + password, or a USB token + PIN."""

    def __init__(self, session: Session, *, p12_path: str = "", hint: str = "",
                 message: str = "", remembered: dict[str, Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.info: SignerInfo | None = None
        self.setWindowTitle(self.tr("Unlock signing key"))
        self.banner = Banner(self)
        if message:
            self.banner.show_text(message, "error")
        intro = QLabel(self.tr("Every dossier is signed with your digital certificate. Unlock "
                               "it once for this session; the password or PIN is never "
                               "stored."))
        intro.setWordWrap(True)
        self.tabs = QTabWidget()
        # -- .p12
        p12 = QWidget()
        self.p12_path = QLineEdit(p12_path)
        browse = QPushButton(self.tr("&Browse…"))
        browse.clicked.connect(self._browse)
        self.p12_password = QLineEdit()
        self.p12_password.setEchoMode(QLineEdit.EchoMode.Password)
        path_row = QHBoxLayout()
        path_row.addWidget(self.p12_path, 1)
        path_row.addWidget(browse)
        f = QFormLayout(p12)
        lab = QLabel(self.tr("Certificate &file:"))
        lab.setBuddy(self.p12_path)
        f.addRow(lab, path_row)
        lab = QLabel(self.tr("Pass&word:"))
        lab.setBuddy(self.p12_password)
        f.addRow(lab, self.p12_password)
        if hint:
            f.addRow("", QLabel(hint))
        self.tabs.addTab(p12, self.tr("Certificate file (.p12)"))
        # -- token
        tok = QWidget()
        self.module = QLineEdit()
        self.module.setPlaceholderText("/usr/lib/…/libpkcs11.so")
        self.token_label = QLineEdit()
        self.key_label = QLineEdit()
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        t = QFormLayout(tok)
        for text, w in ((self.tr("PKCS#11 &module:"), self.module),
                        (self.tr("Token &label:"), self.token_label),
                        (self.tr("&Key label (optional):"), self.key_label),
                        (self.tr("P&IN:"), self.pin)):
            lab = QLabel(text)
            lab.setBuddy(w)
            t.addRow(lab, w)
        self.tabs.addTab(tok, self.tr("USB token"))
        rem = remembered or {}
        self.module.setText(rem.get("token_module", ""))
        self.token_label.setText(rem.get("token_label", ""))
        self.key_label.setText(rem.get("key_label", ""))
        if rem.get("key_kind") == "token" and not hint:
            self.tabs.setCurrentIndex(1)
        self.buttons = QDialogButtonBox()
        self.unlock_btn = self.buttons.addButton(self.tr("&Unlock"),
                                                 QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.tr("Later"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(lambda: spawn(self.unlock()))
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.banner)
        lay.addWidget(self.tabs)
        lay.addWidget(self.buttons)
        self._busy = False  # Return reaches both the field and the default button
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        if self.tabs.currentIndex() == 1:
            (self.pin if self.module.text() else self.module).setFocus()
        else:
            (self.p12_password if p12_path else self.p12_path).setFocus()

    def where(self) -> dict[str, str]:
        """What to remember for this clerk: the file path or the token's names (no secret)."""
        if self.tabs.currentIndex() == 0:
            return {"key_kind": "p12", "p12_path": self.p12_path.text().strip()}
        return {"key_kind": "token", "token_module": self.module.text().strip(),
                "token_label": self.token_label.text().strip(),
                "key_label": self.key_label.text().strip()}

    def _browse(self) -> None:
        dlg = QFileDialog(self, self.tr("Certificate file"))
        dlg.setNameFilter(self.tr("PKCS#12 files (*.p12 *.pfx)"))
        dlg.fileSelected.connect(self.p12_path.setText)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    async def unlock(self) -> SignerInfo | None:
        if self._busy or self.info is not None:
            return self.info
        self._busy = True
        self.unlock_btn.setEnabled(False)
        try:
            if self.tabs.currentIndex() == 0:
                info = await self.session.unlock_p12(self.p12_path.text().strip(),
                                                     self.p12_password.text())
            else:
                info = await self.session.unlock_token(self.module.text().strip(),
                                                       self.token_label.text().strip(),
                                                       self.pin.text(), self.key_label.text().strip())
        except Exception as e:
            if not is_user_facing(e):
                raise
            self.banner.show_text(message_of(e, self.session.lang), "error")
            (self.p12_password if self.tabs.currentIndex() == 0 else self.pin).selectAll()
            return None
        finally:
            self.unlock_btn.setEnabled(True)
            self._busy = False
        self.info = info
        self.p12_password.clear()
        self.pin.clear()
        self.accept()
        return info
