"""Store errors with their message in Vietnamese and English (localdb may not import app)."""

from __future__ import annotations


class StoreError(Exception):
    """The store refused or could not do something; nothing was changed."""

    exit_code: int  # set only on some errors (read with getattr and a default)

    def __init__(self, vi: str, en: str, *, code: str = "store_error"):
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.code = code

    def message(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi
