"""Wire format of sync events (counter <-> provincial gateway), shared by client and gateway.

The contract is in docs/ARCHITECTURE.md ("Sync wire format"): an envelope whose fields repeat
what the signed body says, the exact signed bytes as base64 ``payload`` and a detached CMS
``signature`` (null for province events). Keeping the (de)serialisation in one module means
the client engine and the gateway cannot drift apart.

Every check here raises :class:`WireError` with a machine-readable ``code`` so that the gateway
can answer per event and the client can park an event with a reason a clerk can read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import rfc8785

try:  # the base64 accelerator (SIMD, motcua[gateway]); binascii otherwise
    import pybase64 as pybase64  # re-exported, as orjson below
except ImportError:  # pragma: no cover - a counter installed without the gateway extra
    pybase64 = None  # type: ignore[assignment]

try:  # the gateway's JSON accelerator (motcua[gateway]); without it the stdlib path decides
    import orjson as orjson  # re-exported: the sync modules use the same optional import
except ImportError:  # pragma: no cover - a counter installed without the gateway extra
    orjson = None  # type: ignore[assignment]

#: Vietnam has no daylight saving time: every local timestamp is +07:00.
VN_TZ = timezone(timedelta(hours=7), "ICT")

ORIGIN_COUNTER = "counter"
ORIGIN_PROVINCE = "province"
ORIGINS = (ORIGIN_COUNTER, ORIGIN_PROVINCE)

#: Envelope fields that the signed body must repeat verbatim.
MIRRORED_FIELDS = ("id", "dossier_id", "dossier_code", "type", "occurred_at", "actor")

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class WireError(ValueError):
    """A wire event that cannot be accepted; ``code`` is the machine-readable reason."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


#: limits applied to JSON text BEFORE it is parsed (the stdlib parser recurses per level and
#: refuses integers beyond 4,300 digits with errors nobody expects): an honest event body is
#: about 6 levels deep and its numbers are short.
MAX_JSON_DEPTH = 64
MAX_NUMBER_CHARS = 40

_JSON_STRING_RE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET_RE = re.compile(rb"[^\[\]{}]+")
_NUMBER_RUN_RE = re.compile(rb"[-+0-9.eE]{%d,}" % (MAX_NUMBER_CHARS + 1))
_DEPTH_STEP = [0] * 256
_DEPTH_STEP[ord("[")] = _DEPTH_STEP[ord("{")] = 1
_DEPTH_STEP[ord("]")] = _DEPTH_STEP[ord("}")] = -1


def check_json_shape(raw: bytes, max_depth: int = MAX_JSON_DEPTH,
                     max_number_chars: int = MAX_NUMBER_CHARS) -> None:
    """Refuse JSON text nested deeper than ``max_depth`` or with a number longer than
    ``max_number_chars`` characters, without parsing it (C-speed scans: strings blanked by
    one regex, brackets summed by ``itertools.accumulate``). Raises WireError ``too_deep`` /
    ``number_too_large``; malformed text is left for the parser to refuse."""
    _shape_checked(raw, max_depth, max_number_chars)


#: what `fast_loads` returns when it cannot decide alone
UNDECIDED: Any = object()


def fast_loads(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """JSON text parsed by orjson when that alone decides: it parsed, the value is at most
    ``max_depth`` deep and holds no float (orjson's integers fit 64 bits, far below
    MAX_NUMBER_CHARS). Anything else — orjson missing or refusing (NaN, lone surrogates, huge
    integers, 1,024+ levels), too deep, a float — returns `UNDECIDED`: `check_json_shape`
    and the stdlib parser then give the verdict and its reason, as before. A request body is
    parsed in C without the string-blanking scan that the stdlib parser needs before it."""
    if orjson is None:
        return UNDECIDED
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return UNDECIDED
    if type(doc) is not dict and type(doc) is not list:
        return UNDECIDED
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return UNDECIDED
        values = node.values() if type(node) is dict else node
        for v in values:
            t = type(v)
            if t is dict or t is list:
                stack.append((v, depth + 1))
            elif t is float:
                return UNDECIDED
    return doc


#: a run of number characters long enough to need a closer look (an integer of 16 digits or
#: more may lie beyond 2^53, where RFC 8785 and the stdlib encoder part ways)
_LONG_NUMBER_RE = re.compile(rb"[-+0-9.eE]{16,}")
_BIG_INT_RE = re.compile(rb"[0-9]{16,}")
#: outside strings a digit is part of a number, so a digit followed by ".", "e" or "E" is a
#: float (valid JSON puts a separator between a number and a literal)
_FLOAT_RE = re.compile(rb"[0-9][.eE]")


def _shape_checked(raw: bytes, max_depth: int = MAX_JSON_DEPTH,
                   max_number_chars: int = MAX_NUMBER_CHARS) -> tuple[bool, bool]:
    """`check_json_shape`, returning (big, floats): whether the text outside strings holds an
    integer of 16 digits or more, and whether it holds a float (found by the same scan:
    `canonical_body` needs to know)."""
    from itertools import accumulate

    # no escapes (the usual case): strings are every other quote run
    bare = b"".join(raw.split(b'"')[0::2]) if b"\\" not in raw else _JSON_STRING_RE.sub(b'""', raw)
    big = False
    if max_number_chars >= 16 and _LONG_NUMBER_RE.search(bare) is not None:  # rare
        big = _BIG_INT_RE.search(bare) is not None
        number_re = _NUMBER_RUN_RE if max_number_chars == MAX_NUMBER_CHARS else \
            re.compile(rb"[-+0-9.eE]{%d,}" % (max_number_chars + 1))
        if number_re.search(bare):
            raise WireError("number_too_large",
                            f"a number is longer than {max_number_chars} characters")
    elif max_number_chars < 16 and re.search(rb"[-+0-9.eE]{%d,}" % (max_number_chars + 1),
                                             bare):
        raise WireError("number_too_large",
                        f"a number is longer than {max_number_chars} characters")
    brackets = _NOT_BRACKET_RE.sub(b"", bare)
    if len(brackets) > max_depth and \
            max(accumulate(map(_DEPTH_STEP.__getitem__, brackets))) > max_depth:
        raise WireError("too_deep", f"JSON is nested deeper than {max_depth} levels")
    return big, _FLOAT_RE.search(bare) is not None


def is_sha256_hex(value: object) -> bool:
    """Lower-case 64-hex-digit SHA-256, the only spelling used for content addresses."""
    return isinstance(value, str) and bool(_SHA256_RE.match(value))


def canonical_bytes(body: dict[str, Any]) -> bytes:
    """RFC 8785 (JCS) bytes of an event body: what gets signed and stored."""
    return rfc8785.dumps(body)


_MAX_SAFE_INT = 2**53 - 1


def _plain_json(node: object) -> bool:
    """True when the stdlib encoder spells `node` exactly as RFC 8785 does: no floats (JCS
    number formatting differs), integers within ±2^53, and keys/strings within the BMP (JCS
    sorts keys by UTF-16 code units, Python by code points; they agree inside the BMP)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            for k, v in n.items():
                if not k.isascii() and max(k) > "\uffff":
                    return False
                stack.append(v)
        elif isinstance(n, list):
            stack.extend(n)
        elif isinstance(n, bool) or n is None:
            continue
        elif isinstance(n, int):
            if abs(n) > _MAX_SAFE_INT:
                return False
        elif isinstance(n, str):
            continue
        else:
            return False
    return True


def is_canonical(body: dict[str, Any], payload: bytes, plain: bool | None = None) -> bool:
    """Is `payload` the RFC 8785 spelling of `body`? The stdlib encoder (C, ~20x faster than
    the pure-Python rfc8785) decides whenever it spells JSON exactly as JCS; anything else
    falls back to rfc8785. `plain` is `_plain_json(body)` when the caller already knows it
    (see `loads_checked`)."""
    if plain is None:
        plain = _plain_json(body)
    if plain:
        fast = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return fast.encode("utf-8") == payload
    return canonical_bytes(body) == payload


class _NotPlain(Exception):
    """A float or a NaN/Infinity constant: the stdlib encoder may spell it otherwise than
    RFC 8785 (or JCS cannot represent it at all)."""


def _not_plain(text: str) -> Any:
    raise _NotPlain(text)


#: parses JSON that has no float and no NaN/Infinity, raising _NotPlain at the first one;
#: stateless (no per-call hooks), so one instance serves every thread
_PLAIN_DECODER = json.JSONDecoder(parse_float=_not_plain, parse_constant=_not_plain)
#: the stdlib C encoder spelling plain JSON exactly as RFC 8785 does (see `_plain_json`)
_PLAIN_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                                  allow_nan=False)


def _plain_tree(node: object, max_depth: int) -> bool:
    """Of a value orjson parsed: no float anywhere and at most ``max_depth`` objects and
    arrays in all (so never deeper). A walk over the parsed value (~4 µs for a 2 KB body)
    costs less than cutting the strings out of the text to look at what is left (~9 µs)."""
    stack: list[Any] = [node]
    containers = 0
    while stack:
        n = stack.pop()
        t = type(n)
        if t is dict:
            containers += 1
            stack.extend(n.values())
        elif t is list:
            containers += 1
            stack.extend(n)
        elif t is float:
            return False
    return containers <= max_depth


#: every byte below a UTF-8 lead byte of a character beyond the BMP (bytes.translate deletes
#: them; what is left is empty exactly when the text has no such character)
_BELOW_NON_BMP = bytes(range(0xF0))


def _orjson_canonical(payload: bytes, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any] | None:
    """The body when orjson parses `payload` to an object that is plain (`_plain_tree`; an
    integer beyond ±2^53 makes orjson's strict writer refuse) and writes it back byte for
    byte (for plain JSON, orjson's spelling is RFC 8785's); None leaves the verdict and its
    reason to the stdlib path."""
    try:
        fast = orjson.loads(payload)
        if isinstance(fast, dict) and _plain_tree(fast, max_depth) and orjson.dumps(
                fast, option=orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER) == payload:
            return fast
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass  # the stdlib path gives the verdict and its reason
    return None


def canonical_body(payload: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse `payload` and require it to be RFC 8785 canonical JSON; raises WireError
    (``too_deep``, ``number_too_large``, ``malformed``, ``not_canonical``).

    The usual body takes one orjson parse and one re-encoding compared with the bytes
    (`_orjson_canonical`): when it has no character beyond the BMP, no float, no integer beyond
    ±2^53 and few enough objects and arrays, orjson spells it exactly as RFC 8785 does. orjson
    may only accept: anything it refuses or re-encodes otherwise is decided by the stdlib path,
    whose shape scan gives the depth and number reasons, whose parser refuses floats and
    NaN/Infinity by raising from its hooks, and which compares a body that is not plain with
    the rfc8785 library's bytes, so the verdict is always that of `is_canonical`
    (tests/test_wire_canonical.py)."""
    if orjson is not None and not payload.translate(None, _BELOW_NON_BMP):
        fast = _orjson_canonical(payload, max_depth)
        if fast is not None:
            return fast
    big, floats = _shape_checked(payload, max_depth)  # the reasons, for any other body
    plain = not big and not floats and not payload.translate(None, _BELOW_NON_BMP)
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WireError("malformed", "payload is not UTF-8 JSON") from exc
    try:
        try:
            body = _PLAIN_DECODER.decode(text)
        except _NotPlain:
            body, plain = json.loads(text), False
    except json.JSONDecodeError as exc:
        raise WireError("malformed", "payload is not UTF-8 JSON") from exc
    if not isinstance(body, dict):
        raise WireError("malformed", "payload must be a JSON object")
    try:
        canonical = (_PLAIN_ENCODER.encode(body) == text if plain
                     else canonical_bytes(body) == payload)
    except Exception as exc:  # rfc8785 refuses e.g. integers beyond 2**53, NaN, surrogates
        raise WireError("not_canonical", f"payload cannot be canonicalised: {exc}") from exc
    if not canonical:
        raise WireError("not_canonical", "payload is not RFC 8785 canonical JSON")
    return body


#: a UTF-8 lead byte of a character beyond the BMP (4-byte sequence)
_NON_BMP_UTF8 = re.compile(rb"[\xf0-\xf7]")


def loads_checked(payload: bytes) -> tuple[Any, bool]:
    """(parsed JSON, plain) where plain is what `_plain_json` would say of the result, found
    while parsing instead of by a second walk over the tree: the C parser reports every float
    and integer through the hooks, and a character beyond the BMP shows as a 4-byte UTF-8
    sequence in the bytes (plain is then False even when only a value has one: the slower,
    exact comparison decides). NaN and Infinity (which Python's parser accepts and JCS cannot
    represent) are not plain either. (The gateway's path is `canonical_body`.)"""
    odd: list[bool] = []

    def on_float(text: str) -> float:
        odd.append(True)
        return float(text)

    def on_constant(text: str) -> float:
        odd.append(True)
        return float(text)

    def on_int(text: str) -> int:
        n = int(text)
        if abs(n) > _MAX_SAFE_INT:
            odd.append(True)
        return n

    doc = json.loads(payload.decode("utf-8"), parse_float=on_float, parse_int=on_int,
                     parse_constant=on_constant)
    return doc, not odd and _NON_BMP_UTF8.search(payload) is None


def now_vn() -> datetime:
    """Current time in Vietnam, second precision (receipt times are legal facts, not micros)."""
    return datetime.now(VN_TZ).replace(microsecond=0)


def parse_timestamp(value: object, field_name: str = "occurred_at") -> datetime:
    """ISO 8601 timestamp that carries its UTC offset; naive times are ambiguous, so refused."""
    if not isinstance(value, str):
        raise WireError("malformed", f"{field_name} must be an ISO 8601 string")
    try:
        ts = datetime.fromisoformat(value)
    except ValueError as exc:
        raise WireError("malformed", f"{field_name} is not ISO 8601: {value!r}") from exc
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise WireError("malformed", f"{field_name} has no UTC offset: {value!r}")
    return ts


#: exactly the spellings `str(uuid.UUID(v)) == v.lower()` accepts: 8-4-4-4-12 hex digits
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                      r"[0-9a-fA-F]{12}")


def _uuid(value: object, field_name: str) -> str:
    if not isinstance(value, str):
        raise WireError("malformed", f"{field_name} must be a UUID string")
    if _UUID_RE.fullmatch(value):
        return value
    try:
        parsed = uuid.UUID(value)
    except ValueError as exc:
        raise WireError("malformed", f"{field_name} is not a UUID: {value!r}") from exc
    if str(parsed) != value.lower():
        raise WireError("malformed", f"{field_name} must use the canonical UUID spelling")
    return value


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: object, field_name: str, max_len: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise WireError("malformed", f"{field_name} must be a non-empty string (≤ {max_len})")
    if _CONTROL_RE.search(value):  # NUL cannot even be stored in a PostgreSQL text column
        raise WireError("malformed", f"{field_name} contains control characters")
    return value


def _b64(value: object, field_name: str) -> bytes:
    if not isinstance(value, str):
        raise WireError("malformed", f"{field_name} must be a base64 string")
    try:  # what base64.b64decode(value.encode("ascii"), validate=True) does, without the copy
        if pybase64 is not None:  # ~9x faster on a 4 KB signature; the same verdicts
            return pybase64.b64decode(value, validate=True)
        data = binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, ValueError) as exc:  # ValueError: a character beyond ASCII
        raise WireError("malformed", f"{field_name} is not valid base64") from exc
    if len(value) != 4 * -(-len(data) // 3):  # strict binascii takes "AAAA=" (pybase64 not)
        raise WireError("malformed", f"{field_name} is not valid base64")
    return data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def counter_no_of(value: object) -> int | None:
    """Counter number as an int; accepts 3 or "03" (bodies may carry either), nothing else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def attachment_refs(data: object) -> list[dict[str, Any]]:
    """Every attachment reference in a body's ``data``: objects listed under any key named
    ``attachments`` that carry a ``sha256``. Searched recursively so the gateway does not depend
    on how the counter nests its dossier."""
    found: list[dict[str, Any]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "attachments" and isinstance(value, list):
                    for item in value:
                        if isinstance(item, dict) and "sha256" in item:
                            found.append(item)
                        else:
                            walk(item)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return found


@dataclass(frozen=True)
class WireEvent:
    """One event as it travels; ``payload`` is the exact signed bytes (decoded)."""

    id: str
    dossier_id: str
    dossier_code: str
    type: str
    occurred_at: str
    origin: str
    actor: str
    payload: bytes
    signature: bytes | None
    attachments: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dossier_id": self.dossier_id,
            "dossier_code": self.dossier_code,
            "type": self.type,
            "occurred_at": self.occurred_at,
            "origin": self.origin,
            "actor": self.actor,
            "payload": b64(self.payload),
            "signature": b64(self.signature) if self.signature is not None else None,
            "attachments": list(self.attachments),
        }

    @classmethod
    def from_json(cls, obj: object) -> WireEvent:
        """Parse the envelope (shape and types only; see :meth:`body` for the signed part)."""
        if not isinstance(obj, dict):
            raise WireError("malformed", "event must be a JSON object")
        origin = obj.get("origin")
        if origin not in ORIGINS:
            raise WireError("malformed", f"origin must be one of {ORIGINS}")
        sig_raw = obj.get("signature")
        signature = None if sig_raw is None else _b64(sig_raw, "signature")
        atts = obj.get("attachments", [])
        if atts is None:
            atts = []
        if not isinstance(atts, list) or not all(is_sha256_hex(a) for a in atts):
            raise WireError("malformed", "attachments must be a list of lower-case sha256 hex")
        occurred_at = obj.get("occurred_at")
        when = parse_timestamp(occurred_at)
        fields = {
            "id": _uuid(obj.get("id"), "id"),
            "dossier_id": _uuid(obj.get("dossier_id"), "dossier_id"),
            "dossier_code": _text(obj.get("dossier_code"), "dossier_code", 100),
            "type": _text(obj.get("type"), "type", 64),
            "occurred_at": str(occurred_at),
            "origin": str(origin),
            "actor": _text(obj.get("actor"), "actor", 200),
            "payload": _b64(obj.get("payload"), "payload"),
            "signature": signature,
            "attachments": tuple(atts),
            "_occurred_at_dt": when,  # parsed once (see occurred_at_dt)
        }
        # every field checked above: filled in directly (the frozen dataclass's __init__
        # sets them one by one through object.__setattr__, ~3 µs of a gateway's per-event CPU)
        wire = object.__new__(cls)
        wire.__dict__.update(fields)
        return wire

    @property
    def payload_sha256(self) -> str:
        """The event hash: SHA-256 (lowercase hex) of the exact payload bytes, computed once
        (a gateway worker computes it, and it travels with the event)."""
        digest: str | None = self.__dict__.get("_payload_sha256")
        if digest is None:
            digest = hashlib.sha256(self.payload).hexdigest()
            self.__dict__["_payload_sha256"] = digest
        return digest

    @property
    def occurred_at_dt(self) -> datetime:
        """`occurred_at` parsed (once per event: the verifier and the authorization table
        both ask; no lock, as functools.cached_property has: a race computes it twice)."""
        when: datetime | None = self.__dict__.get("_occurred_at_dt")
        if when is None:
            when = parse_timestamp(self.occurred_at)
            self.__dict__["_occurred_at_dt"] = when
        return when

    def body(self, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
        """The signed body, decoded. Must be RFC 8785 canonical so that the bytes a clerk
        signed are the only spelling of the event. Depth and number size are checked before
        parsing (``too_deep``, ``number_too_large``); see `canonical_body`."""
        body: dict[str, Any] = canonical_body(self.payload, max_depth)
        return body

    def check_envelope(self, body: dict[str, Any]) -> None:
        """Envelope and signed body must say the same thing: the envelope is only an index,
        the signed body is the truth."""
        for name in MIRRORED_FIELDS:
            if body.get(name) != getattr(self, name):
                raise WireError(
                    "envelope_mismatch", f"envelope {name!r} differs from the signed body"
                )
        if "origin" in body and body["origin"] != self.origin:
            raise WireError("envelope_mismatch", "envelope 'origin' differs from the signed body")
        # canonical JSON never escapes a plain key: a body where every list under an
        # "attachments" key is empty has no reference, and the walk over it can be skipped
        p = self.payload
        refs = (attachment_refs(body.get("data"))
                if p.count(b'"attachments":[') != p.count(b'"attachments":[]') else [])
        body_atts = sorted({str(a.get("sha256")) for a in refs})
        if body_atts != sorted(set(self.attachments)):
            raise WireError(
                "envelope_mismatch", "envelope attachments differ from those in the signed body"
            )


def province_event(
    *,
    dossier_id: str,
    dossier_code: str,
    event_type: str,
    note: str | None = None,
    occurred_at: datetime | None = None,
    event_id: str | None = None,
    dossier_prev: str | None = None,
    signer: Any = None,
) -> WireEvent:
    """A province-origin event in the v2 format (see docs/ARCHITECTURE.md): origin, signer and
    ``dossier_prev`` inside the signed bytes, signed by the gateway's own certificate
    (``signer``: anything with ``sign(bytes) -> CMS`` and ``info``). Without a signer the
    event is unsigned, which every counter refuses."""
    import uuid6

    occurred = (occurred_at or now_vn()).astimezone(VN_TZ).replace(microsecond=0)
    info = getattr(signer, "info", None)
    the_id = event_id or str(uuid6.uuid7())
    occurred_iso = occurred.isoformat()
    body = {
        "v": 2,
        "id": the_id,
        "dossier_id": dossier_id,
        "dossier_code": dossier_code,
        "type": event_type,
        "occurred_at": occurred_iso,
        "actor": "province",
        "origin": ORIGIN_PROVINCE,
        "signer": ({"subject": info.subject, "serial": info.serial_hex, "sha256": info.sha256}
                   if info is not None else {}),
        "dossier_prev": dossier_prev,
        "data": {"note": note or ""},
    }
    payload = canonical_bytes(body)
    return WireEvent(
        id=the_id,
        dossier_id=dossier_id,
        dossier_code=dossier_code,
        type=event_type,
        occurred_at=occurred_iso,
        origin=ORIGIN_PROVINCE,
        actor="province",
        payload=payload,
        signature=signer.sign(payload) if signer is not None else None,
        attachments=(),
    )


@dataclass(frozen=True)
class PushResult:
    """The gateway's answer for one pushed event."""

    id: str | None
    status: str  # accepted | duplicate | rejected
    reason: str | None = None
    detail: str | None = None
    tst: str | None = None  # accepted/duplicate: base64 DER RFC 3161 token over the signature

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "status": self.status, "reason": self.reason, "detail": self.detail}
        if self.tst is not None:
            out["tst"] = self.tst
        return out
