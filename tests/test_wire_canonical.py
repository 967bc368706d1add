"""The gateway's fast canonical-JSON check agrees with RFC 8785 (rfc8785) on every body."""

from __future__ import annotations

import json

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.wire import is_canonical

values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)
bodies = st.dictionaries(st.text(max_size=6), values, max_size=5)


@settings(max_examples=1500, deadline=None)
@given(bodies)
def test_rfc8785_bytes_are_recognised(body):
    try:
        payload = rfc8785.dumps(body)
    except Exception:  # values JCS cannot encode (e.g. integers beyond 2^53) are not at issue
        return
    assert is_canonical(body, payload)


@settings(max_examples=1500, deadline=None)
@given(bodies)
def test_other_spellings_are_refused(body):
    try:
        canonical = rfc8785.dumps(body)
    except Exception:
        return
    for other in (json.dumps(body, ensure_ascii=True).encode(),
                  json.dumps(body, indent=1, ensure_ascii=False).encode()):
        if other != canonical:
            assert not is_canonical(body, other)


@settings(max_examples=500, deadline=None)
@given(bodies, st.booleans())
def test_plain_found_while_parsing_agrees_with_the_walk(body, canonical):
    """The gateway learns 'plain' (no float, no big integer, nothing beyond the BMP) from the
    parser's hooks instead of a second walk; it never says plain where the walk would not, and
    the canonical verdict with it is the same as with the walk."""
    from sync.wire import _plain_json, loads_checked

    try:
        payload = (rfc8785.dumps(body) if canonical else json.dumps(
            body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
    except Exception:
        return
    parsed, plain = loads_checked(payload)
    if plain:
        assert _plain_json(parsed)

    def verdict(*extra: object) -> object:
        try:
            return is_canonical(parsed, payload, *extra)
        except Exception as exc:
            return type(exc)

    assert verdict(plain) == verdict()
