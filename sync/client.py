"""HTTP client for the provincial gateway (``/api/v1``), blocking, over ``requests``.

Every call has a timeout (a request without one can freeze the GUI's loop on exit), carries
the counter's Bearer credential, and verifies TLS against the configured CA bundle. ``verify=``
is passed on every request, and sessions do not read the environment per request (``trust_env``
off: proxies and a CA bundle named by the environment are resolved once, see `_session`), so
nothing in the environment can replace the configured bundle. Verification is never turned
off; plain ``http://`` is accepted only for loopback (demo and tests).

Failures are sorted here into what the engine must do with them:

* :class:`TransientError` — connection refused/reset, DNS, timeouts (TLS handshake included),
  5xx, 429, a body that is not the JSON we expect: retry later with backoff, never park.
* :class:`TlsError` — the gateway's certificate does not verify against the CA bundle: also
  retried (IT may fix the bundle), but reported with its own clear reason.
* :class:`AuthError` — 401/403: the credential is unknown or revoked; nothing to park, IT must
  re-enrol the counter.
* :class:`BatchRefused` — a 4xx answer to a whole push (too large, malformed request): the
  engine splits the batch to find the event at fault and parks only that one.

The client also measures the counter's clock against the gateway's on every response
(``X-Server-Time``, else ``Date``), because receipt times printed at the counter are legal facts.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import hashlib
import io
import ipaddress
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from sync.backoff import parse_retry_after
from sync.wire import (  # orjson, pybase64: the optional accelerators, imported once in wire
    PushResult,
    WireError,
    WireEvent,
    is_sha256_hex,
    orjson,
    pybase64,
)

log = logging.getLogger(__name__)

API = "/api/v1"
MiB = 1024 * 1024
PUSH_STATUSES = ("accepted", "duplicate", "rejected")


class SyncError(Exception):
    """A failed exchange with a machine-readable ``reason`` (never contains the token)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class TransientError(SyncError):
    """Retry later; ``retry_after`` is the server's wish in seconds, when it said one."""

    def __init__(self, reason: str, detail: str, retry_after: float | None = None,
                 status: int | None = None):
        super().__init__(reason, detail)
        self.retry_after = retry_after
        self.status = status  # the HTTP status when the gateway (or a proxy) answered


class InvalidResponse(TransientError):
    """The gateway (or something in between) answered something we cannot trust."""

    def __init__(self, detail: str):
        super().__init__("invalid_response", detail)


class TlsError(TransientError):
    """The gateway's certificate does not verify against the configured CA bundle."""


class AuthError(SyncError):
    """401/403: the counter credential is missing, unknown or revoked."""


class BatchRefused(SyncError):
    """A 4xx answer about the whole request (not one event): the engine bisects."""

    def __init__(self, status: int, reason: str, detail: str):
        super().__init__(reason, detail)
        self.status = status


class AttachmentRefused(SyncError):
    """The gateway refused an attachment's content (hash mismatch, too large)."""


@dataclass(frozen=True)
class AttachmentState:
    sha256: str
    size: int
    received: int
    complete: bool
    prefix_sha256: str | None = None


@dataclass(frozen=True)
class UploadReport:
    sha256: str
    size: int
    resumed_from: int
    bytes_sent: int
    already_complete: bool


@dataclass(frozen=True)
class PullPage:
    events: list[WireEvent]
    cursor: str
    more: bool
    last_code: str | None = None  # asked with code_prefix: the gateway's high-water mark
    tsts: dict[str, str] = field(default_factory=dict)  # event id -> RFC 3161 token (base64)
    rotation_sha256: str | None = None  # the newest announced gateway signing certificate


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_gateway_url(url: str) -> str:
    """Normalised base URL (no trailing slash, no /api/v1). ``https`` is required except on
    loopback: the Bearer credential must never cross a network in clear."""
    text = url.strip().rstrip("/")
    if text.endswith(API):
        text = text[: -len(API)]
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"gateway URL must be https://host[:port]: {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError("plain http is only allowed on loopback; use https for a gateway")
    return text


#: (text OpenSSL puts in the verify error, reason, what it means), most specific first
_TLS_PROBLEMS = (
    (("hostname mismatch", "ip address mismatch", "doesn't match", "does not match"),
     "tls_hostname", "the gateway's TLS certificate is for another host name"),
    (("certificate has expired",), "tls_expired", "the gateway's TLS certificate has expired"),
    (("certificate is not yet valid",), "tls_not_yet_valid",
     "the gateway's TLS certificate is not valid yet (check this PC's clock)"),
    (("certificate verify failed", "certificate_verify_failed"), "tls_untrusted",
     "the gateway's TLS certificate is not from a trusted issuer"),
)


def classify_tls_error(exc: BaseException) -> tuple[str, str] | None:
    """(reason, sentence) for a certificate problem: host name, expired, not yet valid,
    untrusted issuer; None for other TLS failures (handshake cut, protocol)."""
    seen: set[int] = set()
    parts = []
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:  # requests wraps urllib3 wraps ssl
        seen.add(id(node))
        parts.append(str(node))
        parts.extend(str(a) for a in getattr(node, "args", ()) if not isinstance(a, str))
        node = node.__cause__ or node.__context__
    text = " ".join(parts).lower()
    for needles, code, what in _TLS_PROBLEMS:
        if any(n in text for n in needles):
            return code, what
    return None


def server_time_of(headers: Any) -> float | None:
    """Gateway clock (Unix seconds) from ``X-Server-Time`` (ms precision) or ``Date`` (1 s)."""
    xs = headers.get("X-Server-Time") if headers is not None else None
    if xs:
        try:
            ts = datetime.fromisoformat(xs.strip())
            if ts.tzinfo is not None:
                return ts.timestamp()
        except ValueError:
            pass
    date = headers.get("Date") if headers is not None else None
    if date:
        try:
            dt = email.utils.parsedate_to_datetime(date)
            if dt is not None and dt.tzinfo is not None:
                return dt.timestamp()
        except (TypeError, ValueError, IndexError):
            pass
    return None


#: the environment variables `gateway_proxies` reads (requests' names, both cases)
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy", "NO_PROXY", "no_proxy")
#: the variables that name a CA bundle for requests, in its order (see `_environ_ca_bundle`)
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def gateway_proxies(base_url: str) -> dict[str, str]:
    """The proxies the environment names for the gateway's URL (``HTTPS_PROXY``,
    ``HTTP_PROXY``, ``ALL_PROXY``, minus ``NO_PROXY``), as requests resolves them — none for a
    gateway on loopback (the demo's): a proxy elsewhere cannot reach this PC's loopback, so an
    office PC with a proxy configured would otherwise never reach its own demo gateway."""
    if _is_loopback(urlsplit(base_url).hostname):
        return {}
    proxies: dict[str, str] = requests.utils.get_environ_proxies(base_url)
    return proxies


def _environ_ca_bundle() -> str | None:
    """The CA bundle the environment names for requests (REQUESTS_CA_BUNDLE, then
    CURL_CA_BUNDLE), as requests reads it when a session trusts the environment."""
    return next((os.environ[n] for n in CA_BUNDLE_VARIABLES if os.environ.get(n)), None)


class GatewayClient:
    """Blocking client; safe to call from several worker threads (one Session per thread)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        ca_bundle: str | Path | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
        on_skew: Callable[[float], None] | None = None,
        user_agent: str = "motcua-counter-sync/1",
    ):
        if not token or not isinstance(token, str):
            raise ValueError("a counter credential is required")
        self.base_url = check_gateway_url(base_url)
        self._token = token
        if ca_bundle is not None and not Path(ca_bundle).is_file():
            raise ValueError(f"CA bundle not found: {ca_bundle}")
        # A path string pins the bundle; True means requests' default store. Never False.
        # Without a configured bundle, REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE name one as requests
        # itself would read them (sessions do not read the environment: see `_session`).
        self._verify: str | bool = (str(ca_bundle) if ca_bundle is not None
                                    else _environ_ca_bundle() or True)
        self.timeout = (connect_timeout, read_timeout)
        self.clock = clock
        self.on_skew = on_skew
        self.last_skew: float | None = None
        self.served_catalogue_version: str | None = None  # the gateway's newest catalogue
        self.gateway_time_stamps: bool | None = None  # as the last push answer said
        self._ua = user_agent
        self._local = threading.local()
        self._buffers = threading.local()  # each HTTP thread's push body buffer
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.bytes_uploaded = 0  # attachment body bytes sent (tests count re-sent bytes)

    def __repr__(self) -> str:  # never show the token
        return f"GatewayClient({self.base_url!r})"

    # ---- plumbing -----------------------------------------------------------------------
    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            # The environment is read once, here, not on every request: requests scans all of
            # os.environ twice per request for proxy settings (~35 % of a push's client CPU),
            # and with trust_env a ~/.netrc entry for the gateway's host would replace the
            # Bearer credential with Basic auth. Proxies (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY)
            # are resolved for the gateway's URL as requests would, so a counter behind a
            # proxy still reaches it; a change takes effect when the sync restarts.
            s.trust_env = False
            s.proxies = gateway_proxies(self.base_url)
            s.headers["Authorization"] = f"Bearer {self._token}"
            s.headers["User-Agent"] = self._ua
            s.verify = self._verify
            self._local.session = s
            with self._lock:
                self._sessions.append(s)
        return s

    def close(self) -> None:
        with self._lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()
        self._local = threading.local()
        self._buffers = threading.local()

    def release_buffers(self) -> None:
        """Let go of the HTTP threads' push body buffers (~2 MB each) once a drain is over."""
        self._buffers = threading.local()

    def _request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None,
        data: bytes | memoryview | None = None, headers: dict[str, str] | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> requests.Response:
        url = f"{self.base_url}{API}{path}"
        t0 = self.clock()
        try:
            resp = self._session().request(
                method, url, params=params, data=data, headers=headers,
                timeout=timeout or self.timeout, verify=self._verify, allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            problem = classify_tls_error(exc)
            if problem is not None:
                code, what = problem
                bundle = self._verify if self._verify is not True else "system store"
                raise TlsError(code, f"{what} (CA bundle: {bundle})") from exc
            raise TransientError("tls_error", f"TLS handshake failed: {_short(exc)}") from exc
        except requests.exceptions.ConnectTimeout as exc:
            raise TransientError("timeout", f"connect timed out: {_short(exc)}") from exc
        except requests.exceptions.Timeout as exc:
            raise TransientError("timeout", f"no answer in time: {_short(exc)}") from exc
        except requests.exceptions.ProxyError as exc:  # before ConnectionError, its parent
            raise TransientError("proxy", f"cannot get through the proxy: {_short(exc)}") \
                from exc
        except requests.exceptions.ConnectionError as exc:
            raise TransientError("connection", f"cannot reach the gateway: {_short(exc)}") \
                from exc
        except requests.exceptions.RequestException as exc:  # ChunkedEncodingError, …
            raise TransientError("connection", f"exchange failed: {_short(exc)}") from exc
        t1 = self.clock()
        self._note_clock(resp, (t0 + t1) / 2)
        status = resp.status_code
        if status == 429 or status >= 500:
            reason, detail = _error_of(resp)
            raise TransientError(
                reason or ("rate_limited" if status == 429 else f"http_{status}"),
                f"HTTP {status}: {detail}",
                parse_retry_after(resp.headers.get("Retry-After"), now=time.time()),
                status=status,
            )
        if status in (401, 403):
            reason, detail = _error_of(resp)
            raise AuthError(reason or "unauthorized", f"HTTP {status}: {detail}")
        if 300 <= status < 400:
            raise InvalidResponse(f"unexpected redirect (HTTP {status})")
        return resp

    def _note_clock(self, resp: requests.Response, local_mid: float) -> None:
        server = server_time_of(resp.headers)
        if server is None:
            return
        self.last_skew = server - local_mid
        if self.on_skew is not None:
            try:
                self.on_skew(self.last_skew)
            except Exception:
                log.exception("clock-skew hook failed")

    def _json(self, resp: requests.Response) -> Any:
        try:
            return resp.json()
        except ValueError as exc:
            raise InvalidResponse(
                f"HTTP {resp.status_code} body is not JSON ({len(resp.content)} bytes)"
            ) from exc

    def _fast_json(self, resp: requests.Response) -> Any:
        """`_json` through orjson when it parses the body (~4x faster on a push answer of 250
        results): orjson takes only UTF-8 JSON without NaN or huge numbers, which the stdlib
        reads alike; anything it refuses goes to `_json`, which decides as before."""
        if orjson is not None:
            try:
                return orjson.loads(resp.content)
            except orjson.JSONDecodeError:
                pass
        return self._json(resp)

    # ---- endpoints ----------------------------------------------------------------------
    def server_time(self) -> float:
        """Gateway clock (Unix seconds); also updates ``last_skew``."""
        resp = self._request("GET", "/time")
        body = self._json(resp)
        if not isinstance(body, dict) or not isinstance(body.get("unix_ms"), int):
            raise InvalidResponse("/time answer has no unix_ms")
        unix_ms: int = body["unix_ms"]
        return unix_ms / 1000.0

    def push(self, events: Sequence[dict[str, Any]],
             audit_head: dict[str, Any] | None = None) -> list[PushResult]:
        """Push one batch of wire events (``WireEvent.to_json()`` dicts), with the counter's
        audit head for the gateway to witness. Returns the per-event answers, checked against
        what was sent; raises on anything untrustworthy."""
        doc: dict[str, Any] = {"events": list(events)}
        if audit_head is not None:
            doc["audit_head"] = {"seq": int(audit_head["seq"]), "hash": str(audit_head["hash"])}
        body = json.dumps(doc, separators=(",", ":")).encode()
        return self.push_encoded(body, [str(e.get("id")) for e in events])

    def push_items(self, items: Sequence[dict[str, Any]],
                   audit_head: dict[str, Any] | None = None) -> list[PushResult]:
        """`push` for outbox items (bytes payload/signature, see `wire_json`): the body of
        `encode_push`, written into this thread's reusable buffer and POSTed from it. A fresh
        ~2 MB body per batch (and its ~500 base64 pieces held until the join) cost ~3,400 page
        faults per 1,000 events in the HTTP threads, whose malloc arenas give the memory back
        after each batch: ~0.1 s of CPU in a 10,000-event drain."""
        buffers = self._buffers
        buf: io.BytesIO | None = getattr(buffers, "push", None)
        if buf is None:
            buf = buffers.push = io.BytesIO()
        buf.seek(0)
        write_push(buf.write, items, audit_head)
        whole = buf.getbuffer()
        body = whole[:buf.tell()]
        try:
            return self.push_encoded(body, [str(i["id"]) for i in items])
        finally:
            try:
                body.release()
                whole.release()
            except BufferError:  # something still holds the body: leave that buffer to it
                buffers.push = None

    def push_encoded(self, body: bytes | memoryview, sent_ids: Sequence[str]
                     ) -> list[PushResult]:
        """POST an encoded push body whose events have the ids `sent_ids`."""
        doc = self._post_push(body)
        said = doc.get("time_stamps") if isinstance(doc, dict) else None
        if isinstance(said, bool):  # whether the gateway time-stamps what it accepts
            self.gateway_time_stamps = said
        return check_push_answer(doc, sent_ids)

    def pull(self, since: str | None, limit: int = 500, *, include_own: bool = False,
             code_prefix: str | None = None) -> PullPage:
        params: dict[str, Any] = {"limit": limit}
        if since:
            params["since"] = since
        if include_own:
            params["include_own"] = "true"
        if code_prefix:
            params["code_prefix"] = code_prefix
        resp = self._request("GET", "/events", params=params)
        if resp.status_code != 200:
            reason, detail = _error_of(resp)
            if resp.status_code == 400 and reason == "bad_cursor":
                raise SyncError("bad_cursor", detail)
            raise InvalidResponse(f"pull answered HTTP {resp.status_code}: {detail}")
        doc = self._json(resp)
        if not isinstance(doc, dict) or not isinstance(doc.get("events"), list) or \
                not isinstance(doc.get("cursor"), str) or not isinstance(doc.get("more"), bool):
            raise InvalidResponse("pull answer is not {events, cursor, more}")
        events = []
        for obj in doc["events"]:
            try:
                events.append(WireEvent.from_json(obj))
            except WireError as exc:
                raise InvalidResponse(f"pulled event is malformed: {exc}") from exc
        cursor = doc["cursor"]
        if not cursor.isdigit() or len(cursor) > 20:
            raise InvalidResponse("pull cursor is not one this client understands")
        last_code = doc.get("last_code")
        if last_code is not None and (not isinstance(last_code, str) or
                                      not code_prefix or not last_code.startswith(code_prefix)):
            raise InvalidResponse("pull answer's last_code is not one of this counter's codes")
        tsts: dict[str, str] = {}
        raw_tsts = doc.get("tsts")
        if isinstance(raw_tsts, dict):
            ids = {e.id for e in events}
            for k, v in raw_tsts.items():
                token = _tst_of(v)
                if k in ids and token is not None:
                    tsts[k] = token
        rotation = doc.get("rotation_sha256")
        return PullPage(events, cursor, doc["more"], last_code, tsts,
                        rotation if is_sha256_hex(rotation) else None)

    def gateway_certificate(self) -> dict[str, Any] | None:
        """{pem, sha256, subject} of the certificate that signs province events (None when the
        gateway has none)."""
        resp = self._request("GET", "/gateway-certificate")
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            _, detail = _error_of(resp)
            raise InvalidResponse(f"gateway-certificate answered HTTP {resp.status_code}: "
                                  f"{detail}")
        doc = self._json(resp)
        if not isinstance(doc, dict) or not is_sha256_hex(doc.get("sha256")):
            raise InvalidResponse("gateway-certificate answer has no sha256")
        return doc

    def gateway_rotations(self) -> list[object]:
        """The gateway's signing-certificate rotation announcements, oldest first, unparsed
        and untrusted (app/rotation.py judges each): ``[{"payload", "signature"}, ...]``."""
        from sync.rotation import read_announcements

        resp = self._request("GET", "/gateway-rotations")
        if resp.status_code == 404:
            return []
        if resp.status_code != 200:
            _, detail = _error_of(resp)
            raise InvalidResponse(f"gateway-rotations answered HTTP {resp.status_code}: "
                                  f"{detail}")
        try:
            return read_announcements(self._json(resp))
        except WireError as exc:
            raise InvalidResponse(f"gateway-rotations answer: {exc.detail}") from exc

    def witness(self) -> dict[str, Any] | None:
        """The audit head the gateway witnesses for this counter ({seq, hash})."""
        return self.witness_and_breaks()[0]

    def witness_and_breaks(self) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The witnessed audit head ({seq, hash} or None) and the breaks (and restores) the
        gateway recorded in this counter's witnessed chain ({kind, witnessed_seq,
        witnessed_hash, first_seq, at}; [] from an older gateway)."""
        resp = self._request("GET", "/witness")
        if resp.status_code == 404:
            return None, []
        if resp.status_code != 200:
            _, detail = _error_of(resp)
            raise InvalidResponse(f"witness answered HTTP {resp.status_code}: {detail}")
        doc = self._json(resp)
        head = doc.get("audit_head") if isinstance(doc, dict) else None
        if head is not None and (not isinstance(head, dict) or not _is_int(head.get("seq"))
                                 or not is_sha256_hex(head.get("hash"))):
            raise InvalidResponse("witness answer is not {audit_head: {seq, hash}}")
        breaks = doc.get("breaks", []) if isinstance(doc, dict) else []
        if not isinstance(breaks, list) or not all(
                isinstance(b, dict) and b.get("kind") in ("break", "restore")
                and _is_int(b.get("witnessed_seq")) and _is_int(b.get("first_seq"))
                and isinstance(b.get("at"), str) for b in breaks):
            raise InvalidResponse("witness answer has malformed breaks")
        return head, breaks

    def _post_push(self, body: bytes | memoryview) -> Any:
        """POST a push body; the answer's JSON, or BatchRefused with the gateway's reason."""
        resp = self._request("POST", "/events:push", data=body,
                             headers={"Content-Type": "application/json"})
        if resp.status_code != 200:
            reason, detail = _error_of(resp)
            raise BatchRefused(resp.status_code, reason or f"http_{resp.status_code}", detail)
        return self._fast_json(resp)

    def push_audit(self, rows: Sequence[Sequence[Any]]) -> dict[str, Any] | None:
        """Send audit rows ([seq, at, actor, counter, action, subject, detail, hash], from the
        row after the head the gateway witnesses) with no event. The gateway's witness answer
        {seq, hash, status}, or None from a gateway that does not witness rows."""
        doc = self._post_push(_audit_body(rows))
        w = doc.get("audit_witness") if isinstance(doc, dict) else None
        if w is None:
            return None
        if not (isinstance(w, dict) and _is_int(w.get("seq")) and w["seq"] >= 0
                and is_sha256_hex(w.get("hash")) and isinstance(w.get("status"), str)):
            raise InvalidResponse("push answer has a malformed audit_witness")
        return w

    def counter_chain(self) -> tuple[dict[str, Any] | None, bool | None]:
        """What the gateway holds of this counter's own chain (``counter_chain`` of the
        witness answer: held/gaps ranges, forks, breaks, last) and whether it time-stamps;
        (None, None) from a gateway that does not say."""
        resp = self._request("GET", "/witness")
        if resp.status_code != 200:
            _, detail = _error_of(resp)
            raise InvalidResponse(f"witness answered HTTP {resp.status_code}: {detail}")
        doc = self._json(resp)
        if not isinstance(doc, dict):
            raise InvalidResponse("witness answer is not an object")
        chain, said = doc.get("counter_chain"), doc.get("time_stamps")
        if chain is not None and not (
                isinstance(chain, dict)
                and all(isinstance(chain.get(k), list) for k in ("held", "forks", "breaks"))
                and all(isinstance(r, list) and len(r) == 2
                        and all(isinstance(x, int) and not isinstance(x, bool) for x in r)
                        for r in chain["held"])
                and all(isinstance(x, int) and not isinstance(x, bool)
                        for x in chain["forks"] + chain["breaks"])):
            raise InvalidResponse("witness answer has a malformed counter_chain")
        return chain, said if isinstance(said, bool) else None

    def catalogue(self, since_version: str | None) -> tuple[str, bytes] | None:
        """The newest procedure catalogue if newer than ``since_version`` (else None)."""
        params = {"since_version": since_version} if since_version else None
        resp = self._request("GET", "/catalogue", params=params)
        # the gateway names its newest version even when it sends nothing (older gateways: None)
        self.served_catalogue_version = resp.headers.get("X-Catalogue-Version") or None
        if resp.status_code == 204:
            return None
        if resp.status_code != 200:
            _, detail = _error_of(resp)
            raise InvalidResponse(f"catalogue answered HTTP {resp.status_code}: {detail}")
        version = resp.headers.get("X-Catalogue-Version")
        if not version:
            raise InvalidResponse("catalogue answer has no X-Catalogue-Version")
        return version, resp.content

    def attachment_state(self, sha256: str) -> AttachmentState | None:
        resp = self._request("GET", f"/attachments/{sha256}")
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            reason, detail = _error_of(resp)
            raise AttachmentRefused(reason or f"http_{resp.status_code}", detail)
        return _attachment_state(self._json(resp), sha256)

    def upload_attachment(
        self, sha256: str, path: Path, *, chunk_size: int = MiB, check_hash: bool = True,
    ) -> UploadReport:
        """Resumable upload: ask the gateway how much it holds, then PUT the rest in chunks.
        A cut costs at most the chunk in flight; the next call resumes from what the gateway
        confirmed. Raises TransientError (retry), AttachmentRefused (park the events) or
        FileNotFoundError/LocalAttachmentError for a local problem."""
        if not is_sha256_hex(sha256):
            raise ValueError("attachment id must be lower-case sha256 hex")
        path = Path(path)
        state = self.attachment_state(sha256)
        if state is not None and state.complete:
            return UploadReport(sha256, state.size, state.size, 0, True)
        size = path.stat().st_size
        if check_hash:
            h = hashlib.sha256()
            with Path(path).open("rb") as f:
                for block in iter(lambda: f.read(MiB), b""):
                    h.update(block)
            if h.hexdigest() != sha256:
                raise LocalAttachmentError(
                    "attachment_altered", f"local file {path.name} no longer hashes to {sha256}"
                )
        offset = state.received if state is not None and state.size == size else 0
        restart = state is not None and offset == 0 and state.received > 0
        if offset and state is not None and not _prefix_matches(path, offset,
                                                                 state.prefix_sha256):
            # what the gateway holds is not the start of this file: never build on it
            log.warning("attachment %s…: the gateway's partial upload differs from the local"
                        " file; starting again", sha256[:12])
            offset, restart = 0, True
        resumed_from = offset
        sent = 0
        with Path(path).open("rb") as f:
            while True:
                f.seek(offset)
                chunk = f.read(chunk_size) if offset < size else b""
                params: dict[str, Any] = {"offset": offset, "total": size}
                if restart:
                    params["restart"] = "true"
                    restart = False
                resp = self._request(
                    "PUT", f"/attachments/{sha256}", params=params,
                    data=chunk, headers={"Content-Type": "application/octet-stream"},
                )
                sent += len(chunk)
                self.bytes_uploaded += len(chunk)
                if resp.status_code == 409:
                    doc = self._json(resp)
                    received = doc.get("received") if isinstance(doc, dict) else None
                    if not isinstance(received, int) or not 0 <= received <= size:
                        raise InvalidResponse("409 answer without a usable 'received'")
                    if doc.get("complete"):
                        return UploadReport(sha256, size, resumed_from, sent, False)
                    offset = received
                    continue
                if resp.status_code != 200:
                    reason, detail = _error_of(resp)
                    raise AttachmentRefused(reason or f"http_{resp.status_code}", detail)
                st = _attachment_state(self._json(resp), sha256)
                if st.complete:
                    return UploadReport(sha256, size, resumed_from, sent, False)
                if st.received <= offset and chunk:
                    raise InvalidResponse("gateway did not advance the upload")
                offset = st.received


    def download_attachment(self, sha256: str) -> bytes | None:
        """The bytes of an attachment of this counter's centre (None when the gateway has
        none for it); checked against ``sha256`` before they are returned."""
        if not is_sha256_hex(sha256):
            raise ValueError("attachment id must be lower-case sha256 hex")
        resp = self._request("GET", f"/attachments/{sha256}/content")
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            reason, detail = _error_of(resp)
            raise AttachmentRefused(reason or f"http_{resp.status_code}", detail)
        data = resp.content
        if hashlib.sha256(data).hexdigest() != sha256:
            raise InvalidResponse(f"downloaded attachment does not hash to {sha256}")
        return data


def _prefix_matches(path: Path, length: int, expected: str | None) -> bool:
    """Do the first ``length`` bytes of ``path`` hash to ``expected``?"""
    if not expected:
        return False
    h = hashlib.sha256()
    left = length
    with Path(path).open("rb") as f:
        while left > 0:
            block = f.read(min(MiB, left))
            if not block:
                return False
            h.update(block)
            left -= len(block)
    return h.hexdigest() == expected


class LocalAttachmentError(SyncError):
    """The counter's own copy of an attachment is missing or altered."""


def check_push_answer(doc: Any, sent_ids: Sequence[str]) -> list[PushResult]:
    """Per-event answers, refusing any answer for an event that was not in the batch (a proxy
    mixing responses up, or a gateway bug): trusting it could mark unsent events delivered."""
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise InvalidResponse("push answer has no 'results' list")
    sent = set(sent_ids)
    seen: dict[str, PushResult] = {}
    for r in doc["results"]:
        if not isinstance(r, dict):
            raise InvalidResponse("push result is not an object")
        rid, status = r.get("id"), r.get("status")
        if not isinstance(rid, str) or rid not in sent:
            raise InvalidResponse(f"push answer names an event that was not sent: {rid!r}")
        if status not in PUSH_STATUSES:
            raise InvalidResponse(f"push result has an unknown status {status!r}")
        reason = r.get("reason")
        detail = r.get("detail")
        res = PushResult(rid, status, str(reason) if reason is not None else None,
                         str(detail) if detail is not None else None,
                         _tst_of(r.get("tst")))
        prev = seen.get(rid)
        if prev is not None and prev.status != res.status:
            raise InvalidResponse(f"push answer contradicts itself for {rid}")
        seen[rid] = res
    return list(seen.values())


def _tst_of(value: Any) -> str | None:
    """A time-stamp token as sent (base64 text), or None when absent or not base64 (the
    token is checked properly before it is stored; a bad one only costs the proof of time)."""
    if not isinstance(value, str) or not value or len(value) > 64 * 1024:
        return None
    try:
        b64decode_checked(value)
    except ValueError:
        return None
    return value


def b64decode_checked(text: str) -> bytes:
    """What ``base64.b64decode(text, validate=True)`` returns or raises (binascii.Error or
    ValueError). pybase64, when installed, decodes first (~8x faster on a 5 KB time-stamp
    token): it takes only canonical base64, which the stdlib decodes alike; whatever it
    refuses goes to the stdlib, which decides as before."""
    if pybase64 is not None:
        try:
            return pybase64.b64decode(text, validate=True)
        except ValueError:  # binascii.Error too
            pass
    return base64.b64decode(text, validate=True)


def _attachment_state(doc: Any, sha256: str) -> AttachmentState:
    if not isinstance(doc, dict) or doc.get("sha256") != sha256:
        raise InvalidResponse("attachment state is not for the requested attachment")
    prefix = doc.get("prefix_sha256")
    try:
        return AttachmentState(sha256, int(doc["size"]), int(doc["received"]),
                               bool(doc["complete"]),
                               prefix if isinstance(prefix, str) else None)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidResponse("attachment state is incomplete") from exc


def _error_of(resp: requests.Response) -> tuple[str | None, str]:
    """(reason, detail) from a gateway error body; tolerant of proxies' HTML pages."""
    try:
        doc = resp.json()
    except ValueError:
        return None, (resp.text or "")[:200].strip() or resp.reason or ""
    if isinstance(doc, dict):
        reason = doc.get("reason")
        return (str(reason) if reason else None), str(doc.get("detail") or "")[:500]
    return None, str(doc)[:200]


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:300] + "…"


def wire_json(item: dict[str, Any]) -> dict[str, Any]:
    """Wire JSON of an outbox item (bytes payload/signature), as ``WireEvent.to_json``."""
    sig = item.get("signature")
    return {
        "id": item["id"],
        "dossier_id": item["dossier_id"],
        "dossier_code": item["dossier_code"],
        "type": item["type"],
        "occurred_at": item["occurred_at"],
        "origin": item["origin"],
        "actor": item["actor"],
        "payload": base64.b64encode(item["payload"]).decode("ascii"),
        "signature": base64.b64encode(sig).decode("ascii") if sig is not None else None,
        "attachments": list(item.get("attachments") or ()),
    }


_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def encode_push(items: Sequence[dict[str, Any]], audit_head: dict[str, Any] | None = None
                ) -> bytes:
    """The push body of outbox items, byte for byte what ``json.dumps({"events":
    [wire_json(i) …], "audit_head": …}, separators=(",", ":"))`` writes (see `write_push`)."""
    out = io.BytesIO()
    write_push(out.write, items, audit_head)
    return out.getvalue()


def write_push(write: Callable[[bytes], object], items: Sequence[dict[str, Any]],
               audit_head: dict[str, Any] | None = None) -> None:
    """Write the push body of `encode_push` piece by piece: the small fields go through the
    JSON encoder's string escape, the base64 of payload and signature (which never needs
    escaping) is written as it is. The encoder scanning ~7 KB of base64 per event was the
    largest part of the counter's CPU in a drain; the base64 itself was next (pybase64 when
    present)."""
    enc = _COMPACT.encode
    b64 = _b64encode
    esc = _json_string
    write(b'{"events":[')
    first = True
    for item in items:
        values = tuple(item[k] for k in _HEAD_FIELDS)
        try:  # the encoder's own C string escape, field by field (half the cost of a dict)
            head = _HEAD_TEMPLATE % tuple(map(esc, values))
        except TypeError:  # a field that is not a string: the encoder decides
            head = enc(dict(zip(_HEAD_FIELDS, values, strict=True)))[1:-1]
        write(b"{" if first else b",{")
        first = False
        write(head.encode("ascii"))
        write(b',"payload":"')
        write(b64(item["payload"]))
        sig = item.get("signature")
        if sig is not None:
            write(b'","signature":"')
            write(b64(sig))
            write(b'","attachments":')
        else:
            write(b'","signature":null,"attachments":')
        atts = item.get("attachments")
        write(enc(list(atts)).encode("ascii") if atts else b"[]")
        write(b"}")
    if audit_head is not None:
        write(b'],"audit_head":' + enc({"seq": int(audit_head["seq"]),
                                         "hash": str(audit_head["hash"])}).encode("ascii") + b"}")
    else:
        write(b"]}")


def _audit_body(rows: Sequence[Sequence[Any]]) -> bytes:
    """``json.dumps({"events": [], "audit_rows": rows}, ensure_ascii=False, compact)`` as
    UTF-8; orjson writes the same bytes ~20x faster (a first witness push sends ~2,000 rows of
    ~400 bytes), the stdlib whatever orjson refuses (e.g. an integer beyond 64 bits)."""
    doc = {"events": [], "audit_rows": [list(r) for r in rows]}
    if orjson is not None:
        try:
            return orjson.dumps(doc)
        except orjson.JSONEncodeError:
            pass
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _b64encode_stdlib(data: bytes) -> bytes:
    return binascii.b2a_base64(data, newline=False)


_b64encode: Callable[[bytes], bytes] = \
    pybase64.b64encode if pybase64 is not None else _b64encode_stdlib


_HEAD_FIELDS = ("id", "dossier_id", "dossier_code", "type", "occurred_at", "origin", "actor")
_HEAD_TEMPLATE = ",".join(f'"{k}":%s' for k in _HEAD_FIELDS)
#: how JSONEncoder (ensure_ascii) writes a str: the C function it calls itself
_json_string: Callable[[str], str] = json.encoder.encode_basestring_ascii
