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
