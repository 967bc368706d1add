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


def _reference_verdict(payload: bytes) -> bool:
    """The definition: the payload parses as a JSON object and is exactly what RFC 8785
    (the rfc8785 library) writes for it."""
    try:
        body = json.loads(payload.decode("utf-8"))
        return isinstance(body, dict) and rfc8785.dumps(body) == payload
    except Exception:
        return False


def _gateway_verdict(payload: bytes) -> bool:
    """canonical_body's verdict; what it accepts it returns parsed exactly as json.loads does
    (whether orjson or the stdlib parsed it)."""
    from sync.wire import WireError, canonical_body

    try:
        body = canonical_body(payload)
    except WireError:
        return False
    assert body == json.loads(payload)
    return True


#: spellings a hostile or buggy sender could use for the same or a near value
_EDITS = [b" ", b"\n", b"\\u0041", b"\\/", b"-0", b"1.0", b"1e2", b"NaN", b"Infinity",
          b"9007199254740993", b"\\u00e9", "\U0001F600".encode(), b'"\\ud800"', b"\\u001F",
          b"\\u001f", b'"\\b"', b"\\u0008", b"{}", b"[]", b'"a":1,', b",", b":"]


@settings(max_examples=1500, deadline=None)
@given(bodies, st.integers(0, 10_000), st.sampled_from(_EDITS), st.integers(0, 3))
def test_the_gateway_check_agrees_with_rfc8785_on_any_bytes(body, where, edit, how):
    """`canonical_body` (one parse, one C re-encoding, fallbacks to rfc8785) accepts exactly
    the payloads that RFC 8785 spells so, on canonical bytes and on bytes edited anywhere:
    inserted whitespace, other escapes, -0, floats, NaN/Infinity, integers beyond 2^53,
    characters beyond the BMP, lone surrogates, duplicated keys, broken JSON."""
    try:
        payload = rfc8785.dumps(body)
    except Exception:
        return
    k = where % (len(payload) + 1)
    if how == 1:
        payload = payload[:k] + edit + payload[k:]
    elif how == 2:
        payload = payload[:k] + edit + payload[k + len(edit):]
    elif how == 3:  # a duplicated member / another spelling of the whole body
        payload = json.dumps(body, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")).encode("utf-8", "surrogatepass")
        if k % 2 and payload.startswith(b'{"'):
            first = payload[1:payload.index(b":") + 1]
            payload = b"{" + first + b"0," + payload[1:]
    assert _gateway_verdict(payload) == _reference_verdict(payload)


def test_nan_and_infinity_are_not_canonical():
    """Python's parser reads NaN and Infinity, which JCS cannot write: refused (the earlier
    hook-based check took them for plain JSON and accepted b'{"a":NaN}')."""
    for payload in (b'{"a":NaN}', b'{"a":Infinity}', b'{"a":-Infinity}', b'{"a":[NaN]}'):
        assert not _gateway_verdict(payload)
        assert not _reference_verdict(payload)
