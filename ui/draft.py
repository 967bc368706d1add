"""Intake draft autosave: the form as JSON in the data folder, so nothing typed is lost.

Written atomically (temp file + fsync + rename) so a crash mid-write leaves the previous
draft; removed once the dossier is saved. Qt-free.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
DRAFT_NAME = "intake-draft.json"


class DraftStore:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / DRAFT_NAME

    def save(self, draft: dict) -> None:
        tmp = self.path.with_suffix(".tmp")
        data = json.dumps(draft, ensure_ascii=False, indent=1).encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with Path(tmp).open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(self.path)

    def load(self) -> dict | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, OSError):
            log.warning("unreadable intake draft %s kept aside", self.path, exc_info=True)
            with contextlib.suppress(OSError):
                Path(self.path).replace(self.path.with_suffix(".bad"))
            return None
        return data if isinstance(data, dict) else None

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
