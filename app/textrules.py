"""Text that is safe to show: which characters a name or a note may not hold, and how
stored text is printed (no pydantic here: the CLI and the GUI import this at start-up).

Refused in every input text (app.inputs) and escaped in everything the CLI prints: control
characters (C0, DEL, C1; a note may keep line breaks and tabs), format characters (bidi
overrides and isolates, zero-width characters, BOM, soft hyphen), lone surrogates and the
Unicode line/paragraph separators.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible or layout-changing characters that have no place in a name or a note: bidi
# overrides/isolates (they reorder what a receipt shows), zero-width characters, BOM.
_INVISIBLE = {"\u061c", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff",
              *(chr(c) for c in range(0x202A, 0x202F)), *(chr(c) for c in range(0x2066, 0x206A))}


def forbidden(ch: str, multiline: bool = False) -> bool:
    if multiline and ch in "\n\t":
        return False
    if ch in _INVISIBLE:
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def _escape_char(ch: str) -> str:
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def printable(text: object, *, limit: int | None = None) -> str:
    """Text safe to print on one terminal line: control, invisible and line-breaking
    characters escaped (`\\x1b`, `\\u202e`); optionally cut to `limit` characters."""
    s = str(text)
    if limit is not None and len(s) > limit:
        s = s[:limit] + "…"
    return "".join(_escape_char(c) if forbidden(c) else c for c in s)


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
                          r"\ud800-\udfff]")


def json_printable(text: str) -> str:
    """JSON text (json.dumps output) with the characters json leaves raw escaped as \\uXXXX
    (DEL, C1 controls, bidi and zero-width characters, lone surrogates): still valid JSON
    meaning the same strings."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
