"""The push body the counter sends (`sync.client.encode_push`, base64 spliced in, pybase64
when installed) is byte for byte the stdlib JSON of the wire events, with either base64."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import client
from sync.client import encode_push, wire_json

_text = st.text(max_size=12)
_field = _text | st.none() | st.integers(-5, 5)  # not a string: the encoder's own path
_item = st.fixed_dictionaries({
    "id": _text, "dossier_id": _text, "dossier_code": _text, "type": _text,
    "occurred_at": _text, "origin": _text, "actor": _field,
    "payload": st.binary(max_size=300), "signature": st.none() | st.binary(max_size=300),
    "attachments": st.lists(st.text("0123456789abcdef", min_size=64, max_size=64),
                            max_size=2),
    "outbox_seq": st.integers(1, 10**6),  # outbox bookkeeping: never on the wire
})
_head = st.none() | st.fixed_dictionaries({"seq": st.integers(0, 10**9),
                                           "hash": st.text("0123456789abcdef", max_size=64)})


@pytest.mark.parametrize("fast", [True, False])
@settings(max_examples=150, deadline=None)
@given(items=st.lists(_item, max_size=4), head=_head)
def test_body_is_the_stdlib_json_of_the_wire_events(fast, items, head):
    encoder = client._b64encode if fast else client._b64encode_stdlib
    saved = client._b64encode
    client._b64encode = encoder
    try:
        body = encode_push(items, head)
    finally:
        client._b64encode = saved
    doc: dict = {"events": [wire_json(i) for i in items]}
    if head is not None:
        doc["audit_head"] = {"seq": head["seq"], "hash": head["hash"]}
    assert body == json.dumps(doc, separators=(",", ":")).encode()


_cell = st.none() | st.integers(-(2**70), 2**70) | st.text(max_size=20) | st.booleans()


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(_cell, min_size=8, max_size=8), max_size=5))
def test_audit_rows_body_is_the_stdlib_json(rows):
    """The witness push body (orjson when installed) is byte for byte the stdlib's, or fails
    as the stdlib fails (a lone surrogate cannot be UTF-8)."""
    want: bytes | type[Exception]
    try:
        want = json.dumps({"events": [], "audit_rows": rows}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        want = UnicodeEncodeError
    if want is UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            client._audit_body(rows)
    else:
        assert client._audit_body(rows) == want


@settings(max_examples=500, deadline=None)
@given(text=st.text("ABCDEFabcdef0189+/=\n -_é", max_size=24) | st.binary(max_size=18).map(
    lambda b: __import__("base64").b64encode(b).decode()))
def test_token_base64_is_decoded_as_the_stdlib_decodes(text):
    """A time-stamp token's base64 (pybase64 first when installed) decodes to what
    base64.b64decode(validate=True) gives, and is refused where it refuses."""
    import base64

    def outcome(fn):
        try:
            return fn(text)
        except ValueError:
            return "refused"

    assert outcome(client.b64decode_checked) == outcome(
        lambda t: base64.b64decode(t, validate=True))


def test_push_items_posts_the_encoded_body_from_a_reused_buffer():
    """`push_items` writes into the thread's reused buffer: a shorter second body after a
    longer one is sent alone (never the stale tail), with its own Content-Length."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    bodies: list[bytes] = []

    def serve() -> None:
        conn, _ = srv.accept()
        data = b""
        for _ in range(2):
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, data = data.partition(b"\r\n\r\n")
            n = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-length:"))
            while len(data) < n:
                data += conn.recv(65536)
            body, data = data[:n], data[n:]
            bodies.append(body)
            ids = [e["id"] for e in json.loads(body)["events"]]
            answer = json.dumps({"results": [{"id": i, "status": "accepted"} for i in ids]})
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(answer), answer.encode()))
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    item = {"id": "e1", "dossier_id": "d", "dossier_code": "c", "type": "received",
            "occurred_at": "t", "origin": "counter", "actor": "lan", "payload": b"x" * 3000,
            "signature": b"s" * 1000, "attachments": []}
    small = dict(item, id="e2", payload=b"y", signature=None)
    cl = client.GatewayClient(f"http://127.0.0.1:{srv.getsockname()[1]}", "token")
    try:
        assert [r.id for r in cl.push_items([item])] == ["e1"]
        assert [r.id for r in cl.push_items([small])] == ["e2"]
    finally:
        t.join(10)
        cl.close()
        srv.close()
    assert bodies == [encode_push([item]), encode_push([small])]
