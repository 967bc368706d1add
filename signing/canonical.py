"""RFC 8785 JSON Canonicalization Scheme: the exact bytes each event signature covers.

Delegates to the maintained `rfc8785` library (number formatting and UTF-16 key ordering are
easy to get subtly wrong by hand).
"""

from __future__ import annotations

from typing import Any

import rfc8785

from signing.errors import MALFORMED, SigningError


def canonical_bytes(obj: Any) -> bytes:
    """Canonical UTF-8 bytes of a JSON-compatible object (dict/list/str/int/float/bool/None).

    Raises SigningError(code="malformed") for values JCS cannot represent (NaN, integers
    outside the IEEE-754 safe range, non-JSON types) instead of signing something ambiguous.
    """
    try:
        return rfc8785.dumps(obj)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise SigningError(
            f"Dữ liệu không chuyển được sang dạng chuẩn để ký: {exc}",
            f"Data cannot be canonicalised for signing: {exc}",
            code=MALFORMED,
        ) from exc
