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


def _shape_verdict(payload: bytes) -> object:
    from sync.wire import WireError, canonical_body

    try:
        canonical_body(payload)
    except WireError as exc:
        return exc.code
    return "ok"


def test_the_fast_path_keeps_the_depth_and_number_limits():
    """The usual body skips the string-blanking shape scan; nesting beyond MAX_JSON_DEPTH and
    numbers longer than MAX_NUMBER_CHARS are still refused with their reasons, and a bracket or
    a long digit run inside a string does not count against the body."""
    from sync.wire import MAX_JSON_DEPTH, MAX_NUMBER_CHARS

    def nested(levels: int) -> bytes:
        return b'{"a":' + b"[" * (levels - 1) + b"1" + b"]" * (levels - 1) + b"}"

    assert _shape_verdict(nested(MAX_JSON_DEPTH)) == "ok"
    assert _shape_verdict(nested(MAX_JSON_DEPTH + 1)) == "too_deep"
    assert _shape_verdict(b'{"a":"' + b"[" * 200 + b'"}') == "ok"
    long_int = b"1" * (MAX_NUMBER_CHARS + 1)
    assert _shape_verdict(b'{"a":' + long_int + b"}") == "number_too_large"
    assert _shape_verdict(b'{"a":"' + long_int + b'"}') == "ok"
    assert _shape_verdict(b'{"a":"x,' + long_int + b'"}') == "ok"
    assert _shape_verdict(b'{"a":9007199254740993}') == "not_canonical"  # beyond 2^53
    assert _shape_verdict(b'{"a":9007199254740992}') == "not_canonical"  # orjson reads it
    assert _shape_verdict(b'{"a":-9007199254740991}') == "ok"
    assert _shape_verdict(b'{"a":123456789012345678901234}') == "not_canonical"  # a float to orjson
    assert _shape_verdict(b'{"a":1.0}') == "not_canonical"  # orjson writes 1.0, JCS 1
    assert _shape_verdict(b'{"a":1e21}') == "not_canonical"  # orjson writes 1e21, JCS 1e+21
    assert _shape_verdict(b'{"a":[[{"b":[]}],{}]}') == "ok"
    many = b'{"a":[' + b",".join([b"{}"] * MAX_JSON_DEPTH) + b"]}"  # wide, not deep
    assert _shape_verdict(many) == "ok"
    assert _shape_verdict(b'{"a":"t:10.5"}') == "ok"
    assert _shape_verdict(b'{"a":1.5}') == "ok"
    assert _shape_verdict(b'{"a":1.50}') == "not_canonical"


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=40), st.integers(0, 80), st.sampled_from(
    ["", "=", "==", "\n", " ", "-", "_", "é", "A", "====", "\x00", "QQ=="]), st.integers(0, 2))
def test_base64_decoding_gives_the_verdicts_of_strict_binascii(data, where, edit, how):
    """The envelope's base64 (payload, signature) is decoded by pybase64 when installed, else
    by binascii's strict mode, which also takes excess padding after a full quantum ("AAAA=",
    which pybase64 refuses): both accept exactly the padded RFC 4648 spelling, the same bytes."""
    import base64
    import binascii

    from sync.wire import WireError, _b64

    text = base64.b64encode(data).decode("ascii")
    k = where % (len(text) + 1)
    if how == 1:
        text = text[:k] + edit + text[k:]
    elif how == 2:
        text = text[:k] + edit + text[k + len(edit):]

    def reference() -> object:
        try:
            out = binascii.a2b_base64(text, strict_mode=True)
        except (binascii.Error, ValueError):
            return "refused"
        return out if len(text) == len(base64.b64encode(out)) else "refused"

    import sync.wire as wire

    for accelerated in (True, False):
        saved = wire.pybase64
        if not accelerated:
            wire.pybase64 = None
        try:
            got: object = _b64(text, "payload")
        except WireError:
            got = "refused"
        finally:
            wire.pybase64 = saved
        assert got == reference(), accelerated
    assert all(c in _B64 + "=" for c in text) or got == "refused"


@settings(max_examples=1500, deadline=None)
@given(st.lists(values, max_size=4) | bodies, st.integers(0, 10_000),
       st.sampled_from(_EDITS + [b"[" * 70, b"]" * 70, b"7" * 45]), st.integers(0, 2))
def test_the_fast_request_parse_decides_only_what_the_stdlib_path_would(doc, where, edit, how):
    """A request body is parsed by orjson when that alone decides (`fast_loads`); whatever it
    returns, the shape check passes and json.loads gives the same value, so the verdicts and
    reasons (too_deep, number_too_large, bad_json) are those of the stdlib path."""
    from sync.wire import UNDECIDED, WireError, check_json_shape, fast_loads

    raw = json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
    k = where % (len(raw) + 1)
    if how == 1:
        raw = raw[:k] + edit + raw[k:]
    elif how == 2:
        raw = raw[:k] + edit + raw[k + len(edit):]
    fast = fast_loads(raw)
    if fast is UNDECIDED:
        return
    try:
        check_json_shape(raw)
    except WireError as exc:
        raise AssertionError(f"fast parse accepted what the shape check refuses: {exc}") from exc
    assert fast == json.loads(raw)
