"""Folding text for search: no diacritics, no case, đ/Đ -> d.

SQLite's unicode61 tokenizer removes diacritics but leaves đ alone, so every indexed and queried
string goes through fold() first ("Đặng Thị Hương" and "dang thi huong" fold alike).
"""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"[0-9a-z]+")


# Vietnamese diacritics after NFD (tones and the circumflex, breve and horn): all have a
# non-zero combining class, so deleting them is what the general loop below does to them.
_VN_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"))


def fold(text: str) -> str:
    """Lowercase ASCII-folded text with single spaces; idempotent."""
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = decomposed.translate(_VN_MARKS)
    if stripped.isascii():  # fast path (Vietnamese text): nothing else to strip, NFC a no-op
        return _WS.sub(" ", stripped.lower()).strip()
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WS.sub(" ", unicodedata.normalize("NFC", stripped).lower()).strip()


def tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens: what search indexes and what a query is split into."""
    return _TOKEN.findall(fold(text))
