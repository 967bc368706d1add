"""Settings of one counter's data folder, declared once with their defaults, and the paths
inside it. Which data folder is in effect (command line, environment, site and user
configuration, platform default) is decided by app/config.py."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR_ENV = "MOTCUA_DATA_DIR"
LANG_ENV = "MOTCUA_LANG"


def default_lang() -> str:
    """Vietnamese unless told otherwise by MOTCUA_LANG or an English locale."""
    lang = os.environ.get(LANG_ENV) or ""
    if lang:
        return "en" if lang.lower().startswith("en") else "vi"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX", "C.UTF-8", "C.utf8"):
            return "en" if value.lower().startswith("en") else "vi"
    return "vi"


@dataclass(frozen=True)
class WorkingHours:
    """Counter opening hours: each (start, end) in HH:MM. 8 working hours = 1 working day."""

    periods: tuple[tuple[str, str], ...] = (("07:00", "11:30"), ("13:30", "17:00"))
    hours_per_day: float = 8.0


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    lang: str = "vi"
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    attachment_max_bytes: int = 50 * 1024 * 1024
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # the app.config.Config these settings came from (None: built-in defaults only, as tests
    # build them); a Counter reads every other configured key through it
    config: Any = field(default=None, compare=False, repr=False)
    # encryption at rest (app.storeops): auto | keyring | keyfile | off, and the site key file
    store_encryption: str = "auto"
    store_key_file: str = ""

    @property
    def store_path(self) -> Path:
        return self.data_dir / "motcua.sqlite3"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

