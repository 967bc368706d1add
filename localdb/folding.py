"""Text folding for search: diacritic-, case- and đ-insensitive, whitespace-collapsed.

SQLite's FTS5 `remove_diacritics` does not fold đ/Đ to d, and clerks type without diacritics
("nguyen van duc" must find "Nguyễn Văn Đức"), so every searchable text goes through `fold`
both when indexed and when queried.
"""

from __future__ import annotations

import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text: str) -> str:
    """Return `text` without combining marks, with đ→d, lower-cased, whitespace collapsed.

    Idempotent: fold(fold(x)) == fold(x).
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = stripped.casefold().translate(_D_MAP)
    # casefold/NFKD can reintroduce combining marks or compose forms; normalise once more.
    lowered = unicodedata.normalize("NFKD", lowered)
    lowered = "".join(ch for ch in lowered if not unicodedata.combining(ch))
    return " ".join(lowered.split())
