"""The reference provincial gateway as a FastAPI application (``/api/v1``).

Stateless in front of its store: every piece of state lives in the database (and, for SQLite,
the attachment folder next to it), so any number of processes can serve one PostgreSQL.

Errors are always JSON ``{"reason": <machine code>, "detail": <text>}`` — a counter must be able
to tell a permanent refusal (4xx, park the event) from a transient one (5xx/429, retry).
"""

from __future__ import annotations

import asyncio
import email.utils
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.gateway import models
from sync.gateway.checks import CheckPool, poolable, warm
from sync.gateway.service import ingest, province_act
from sync.gateway.store import (
    Counter,
    HashMismatch,
    OffsetMismatch,
    QuotaExceeded,
    Store,
    StoreError,
    StoreUnavailable,
    open_store,
    version_key,
)
from sync.gateway.verify import Verifier, reject_all
from sync.wire import UNDECIDED, WireError, check_json_shape, fast_loads, is_sha256_hex, orjson

log = logging.getLogger(__name__)

API = "/api/v1"
MiB = 1024 * 1024
MAX_CURSOR = 2**63 - 1  # event sequence numbers are 64-bit signed integers on both stores
MAX_PULL_LIMIT_PARAM = 1_000_000


@dataclass
class GatewayConfig:
    """Everything the app needs; the CLI fills it from flags, tests build it directly."""

    db_url: str | None = None
    data_dir: Path | None = None
    verifier: Verifier | None = None
    admin_token: str | None = None
    #: signs province events (signing.signer.Signer or anything with sign()/info/cert)
    signer: Any = None
    #: rotation (sync/gateway/rotation.py): this certificate signs province events from
    #: `next_signing_from` on; the announcement, signed by `signer`, is published at start
    next_signer: Any = None
    next_signing_from: datetime | None = None
    max_batch_events: int = 500
    max_batch_bytes: int = 8 * MiB
    max_chunk_bytes: int = 8 * MiB
    max_attachment_bytes: int = 200 * MiB
    max_pull_limit: int = 1000
    partial_quota_bytes: int = 1024 * MiB  # unfinished uploads one counter may hold
    partial_max_age_s: float = 48 * 3600.0  # unfinished uploads untouched this long are removed
    pg_pool_size: int = 8
    store: Store | None = field(default=None, repr=False)  # an already open store (tests)
    # RFC 3161 time-stamping authority (signing.tsa.TimeStampAuthority): when set, every
    # accepted event's signature is time-stamped and the push answer carries the token.
    tsa: Any = field(default=None, repr=False)
    # Worker processes for the per-event checks (signature verification above all); 0 checks
    # in the request's thread. `serve` uses one per core. Only a verifier that pickles (the
    # signing verifier) can be copied into workers; any other is used in-process.
    verify_processes: int = 0
    # Pushes being checked or stored at once; further ones wait before their body is read, so
    # the gateway's memory stays bounded (about this many times max_batch_bytes, times ~3 for
    # the parsed form) whatever the number of counters draining together.
    max_inflight_pushes: int = 8
    # Freeze the start-up heap (sync.heap) once the app serves: `serve` and the benchmarks,
    # which run one gateway per process; never tests, which build many apps in one process.
    freeze_heap: bool = False


@dataclass
class PushGauge:
    """The bound on pushes in flight, as it stands: ``in_flight`` pushes hold one of the
    ``limit`` slots (body being read, checked or stored), ``waiting`` ones wait for a slot
    before their body is read; ``peak`` is the most ever in flight. Kept on the event loop
    (no lock needed); ``app.state.pushes`` for tests and diagnostics."""

    limit: int
    in_flight: int = 0
    waiting: int = 0
    peak: int = 0


class ApiError(Exception):
    """An HTTP error with a machine-readable reason (and optional extra JSON fields)."""

    def __init__(
        self,
        status: int,
        reason: str,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.reason = reason
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers


def _server_time() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _error(status: int, reason: str, detail: str, headers: dict[str, str] | None = None,
           **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"reason": reason, "detail": detail, **extra}, status_code=status, headers=headers
    )


class ServerTimeMiddleware:
    """Adds ``Date`` and ``X-Server-Time`` to every response (errors included) so a counter can
    measure its clock skew on any exchange. Pure ASGI: no per-request overhead worth noting."""

    def __init__(self, app: Callable[..., Awaitable[None]]):
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_time(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                now = time.time()
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"date"
                ]
                headers.append((b"date", email.utils.formatdate(now, usegmt=True).encode()))
                headers.append(
                    (b"x-server-time",
                     datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").encode())
                )
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_time)


async def _read_limited(request: Request, limit: int, what: str) -> bytes:
    """The request body, refused with 413 as soon as it exceeds ``limit`` (never buffered
    whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() \
            and int(declared) > limit:
        raise ApiError(413, "too_large", f"{what} exceeds {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"{what} exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)  # one copy (a growing bytearray and bytes() of it made two)


def parse_json_body(raw: bytes) -> Any:
    """A request body as JSON, refused with 400 and a reason when it is not JSON, nested deeper
    than the limit or carries an over-long number: checked BEFORE parsing, so no parser
    recursion or integer-conversion limit can turn hostile input into a 500."""
    return parse_json_body_plain(raw)[0]


def parse_json_body_plain(raw: bytes) -> tuple[Any, bool]:
    """`parse_json_body`, and whether orjson alone parsed it (`fast_loads`: no float, no
    huge integer, no lone surrogate — orjson writes it back exactly, so the events can travel
    to the signature workers as orjson bytes instead of pickles)."""
    doc = fast_loads(raw)
    if doc is not UNDECIDED:
        return doc, True
    return _parse_json_body_slow(raw), False


def _parse_json_body_slow(raw: bytes) -> Any:
    try:
        check_json_shape(raw)
    except WireError as exc:
        raise ApiError(400, exc.code, exc.detail) from exc
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "bad_json", f"body is not JSON: {exc}") from exc
    except (RecursionError, ValueError) as exc:  # belt and braces behind the shape check
        raise ApiError(400, "bad_json", f"body cannot be parsed: {type(exc).__name__}") from exc


_bearer = HTTPBearer(auto_error=False, description="per-counter token from `motcua-gateway enrol`")


class _Gateway:
    """What every route needs: the store, the configuration, the per-event checks (verifier and
    optional worker pool), the bound on pushes in flight, and the two authentication
    dependencies."""

    def __init__(self, config: GatewayConfig):
        self.config = config
        self.store = config.store or open_store(
            config.db_url, config.data_dir, pg_pool_size=config.pg_pool_size
        )
        self.owns_store = config.store is None
        from sync.gateway.rotation import signing_keys

        self.keys = signing_keys(config.data_dir, config.signer, config.next_signer,
                                 config.next_signing_from)
        self.verifier = config.verifier or reject_all()
        self.pool: CheckPool | None = None
        if config.verify_processes > 0:
            if poolable(self.verifier):
                self.pool = CheckPool(self.verifier, config.verify_processes, tsa=config.tsa)
            else:
                log.warning("the verifier cannot be copied into worker processes: checking"
                            " signatures in-process")
        if self.pool is None:
            warm(self.verifier)
        self.inflight = asyncio.Semaphore(max(1, config.max_inflight_pushes))
        self.pushes = PushGauge(max(1, config.max_inflight_pushes))
        self.last_partial_purge = 0.0

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        if self.owns_store:
            self.store.close()

    async def counter_auth(
        self, creds: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> Counter:
        """The calling counter, before anything of its request is read. The look-up is one
        indexed read: on a local SQLite file it runs on the event loop (tens of µs, less than
        a hop to a worker thread); over the network (PostgreSQL) in a worker thread."""
        challenge = {"WWW-Authenticate": "Bearer"}
        if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
            raise ApiError(401, "missing_token", "Authorization: Bearer <token> required",
                           headers=challenge)
        token = creds.credentials
        counter = (self.store.counter_by_token(token) if self.store.local_reads
                   else await run_in_threadpool(self.store.counter_by_token, token))
        if counter is None:
            raise ApiError(401, "unknown_token", "token not recognised", headers=challenge)
        if not counter.active:
            raise ApiError(401, "counter_revoked", f"counter {counter.id} was revoked",
                           headers=challenge)
        return counter

    def admin_auth(self, creds: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
        admin_token = self.config.admin_token
        if not admin_token:
            raise ApiError(403, "admin_disabled", "no admin token configured on this gateway")
        given = creds.credentials if creds else ""
        if not hmac.compare_digest(given.encode(), admin_token.encode()):
            raise ApiError(401, "bad_admin_token", "admin token required",
                           headers={"WWW-Authenticate": "Bearer"})

    def purge_partials(self) -> None:
        """Remove expired partial uploads, at most once a minute per process."""
        now = time.monotonic()
        if now - self.last_partial_purge < 60:
            return
        self.last_partial_purge = now
        max_age = self.config.partial_max_age_s
        n = self.store.purge_partial_uploads(max_age)
        if n:
            log.info("removed %d partial upload(s) older than %.0f h", n, max_age / 3600)


def create_app(config: GatewayConfig) -> FastAPI:
    """Build the gateway app; opens (and migrates) the store now so a bad URL fails at once."""
    gw = _Gateway(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if config.freeze_heap:
            from sync.heap import freeze_startup_heap

            freeze_startup_heap("gateway")
        yield
        gw.close()

    app = FastAPI(
        title="MotCua provincial gateway",
        version="1.0",
        description="Reference provincial gateway for MotCua Counter (sync contract v1).",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = gw.store
    app.state.pushes = gw.pushes
    app.state.config = config
    app.add_middleware(ServerTimeMiddleware)
    _install_error_handlers(app)
    # the order of the groups is the order of the paths in the OpenAPI document
    for routes in (_meta_routes, _event_routes, _attachment_routes, _catalogue_routes,
                   _province_routes):
        app.include_router(routes(gw))
    _document_errors(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as JSON ``{"reason", "detail"}``."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.reason, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        log.error("store unavailable: %s", exc.detail)
        return _error(503, exc.code, "storage temporarily unavailable", {"Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            loc = ".".join(str(x) for x in err.get("loc", ()))
            parts.append(f"{loc}: {err.get('msg')}")
        return _error(422, "bad_request", "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        reasons = {400: "bad_json", 404: "not_found", 405: "method_not_allowed"}
        return _error(
            exc.status_code, reasons.get(exc.status_code, "http_error"), str(exc.detail),
            dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "internal_error", "internal error; see the gateway log")


_ERR = {"model": models.ErrorModel}


def _meta_routes(gw: _Gateway) -> APIRouter:
    """Health, clock, the gateway's signing certificate, and the counter's audit witness."""
    r = APIRouter(prefix=API)
    store = gw.store

    @r.get("/health", response_model=models.HealthResponse, responses={503: _ERR},
           tags=["meta"])
    def health() -> Any:
        """Liveness plus a database round trip (503 while the store is unreachable)."""
        store.ping()
        return {"status": "ok", "store": "ok"}

    @r.get("/witness", response_model=models.WitnessResponse, responses={401: _ERR},
           tags=["events"])
    def witness(counter: Counter = Depends(gw.counter_auth)) -> Any:
        """The newest audit head this counter sent with a push (``null`` before the first):
        ``motcua audit verify`` compares its chain with it. Also whether this gateway
        time-stamps, and what it holds of the counter's own event chain (counter_seq ranges,
        gaps, forks, breaks): the counter compares the events it believes sent with it."""
        w = store.witness(counter.id)
        breaks = [{k: b[k] for k in ("kind", "witnessed_seq", "witnessed_hash", "first_seq", "at")}
                  for b in store.witness_breaks(counter.id)]
        return {"audit_head": ({"seq": w["seq"], "hash": w["hash"]} if w else None),
                "at": w["at"] if w else None, "computed": bool(w and w["verified"]),
                "breaks": breaks, "time_stamps": gw.config.tsa is not None,
                "counter_chain": store.counter_chain_report(counter.agency_code,
                                                            counter.counter_no)}

    @r.get("/gateway-certificate", response_model=models.GatewayCertificateResponse,
           responses={404: _ERR}, tags=["meta"])
    def gateway_certificate() -> Any:
        """The certificate that signs province events; counters pin its SHA-256 at enrolment
        and check it chains to their own trust anchors."""
        signer = gw.keys.at()
        if signer is None:
            raise ApiError(404, "no_signing_certificate",
                           "this gateway has no signing certificate configured")
        from cryptography.hazmat.primitives.serialization import Encoding

        return {"pem": signer.certificate.public_bytes(Encoding.PEM).decode("ascii"),
                "sha256": signer.info.sha256, "subject": signer.info.subject}

    @r.get("/gateway-rotations", response_model=models.GatewayRotationsResponse,
           tags=["meta"])
    def gateway_rotations() -> Any:
        """Every announcement of a new signing certificate for province events, oldest first:
        the new certificate, its SHA-256 and effective time, signed (detached CMS) by the
        certificate it replaces. Counters pin the new one only when that signature verifies
        under the certificate they pin now (sync/rotation.py)."""
        return {"rotations": [a.to_json() for a in gw.keys.announcements]}

    @r.get("/time", response_model=models.TimeResponse, tags=["meta"])
    def server_time() -> Any:
        """Server clock, for the counter's clock-skew check."""
        return {"server_time": _server_time(), "unix_ms": int(time.time() * 1000)}

    return r


def _check_audit_head(head: Any) -> None:
    if not (isinstance(head, dict) and isinstance(head.get("seq"), int)
            and not isinstance(head.get("seq"), bool) and 0 <= head["seq"] < 2**62
            and is_sha256_hex(head.get("hash"))):
        raise ApiError(422, "bad_request",
                       "audit_head must be {seq: integer >= 0, hash: sha256 hex}")


def _check_audit_rows(rows: Any) -> list[list[Any]]:
    """``audit_rows``: the counter's audit rows [seq, at, actor, counter, action, subject,
    detail, hash], consecutive seqs, at most MAX_AUDIT_ROWS."""
    from sync.gateway.store import MAX_AUDIT_ROWS

    if not isinstance(rows, list) or not rows:
        raise ApiError(422, "bad_request", "audit_rows must be a non-empty list")
    if len(rows) > MAX_AUDIT_ROWS:
        raise ApiError(413, "too_many_audit_rows", f"at most {MAX_AUDIT_ROWS} audit rows per push")
    expect = None
    for row in rows:
        if not (isinstance(row, list) and len(row) == 8 and isinstance(row[0], int)
                and not isinstance(row[0], bool) and 1 <= row[0] < 2**62
                and all(isinstance(x, str) for x in row[1:7]) and is_sha256_hex(row[7])
                and (expect is None or row[0] == expect)):
            raise ApiError(422, "bad_request", "audit_rows must be consecutive [seq, at, actor,"
                           " counter, action, subject, detail, sha256 hex] rows")
        expect = row[0] + 1
    try:
        if orjson is not None:  # refuses a lone surrogate as the stdlib encoding does
            orjson.dumps(rows)
        else:
            json.dumps(rows, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, TypeError) as exc:  # orjson.JSONEncodeError is a TypeError
        raise ApiError(422, "bad_request", "audit_rows hold text that is not UTF-8") from exc
    return rows


def _pull_after(since: str | None) -> int:
    """The sequence number a pull cursor stands for (0 without one)."""
    if not since:
        return 0
    if not since.isascii() or not since.isdigit() or len(since) > 19 or int(since) > MAX_CURSOR:
        raise ApiError(400, "bad_cursor", "cursor must be one returned by this gateway")
    return int(since)


def _check_code_prefix(code_prefix: str, counter: Counter) -> None:
    own = f"{counter.agency_code}-"
    tail = code_prefix[len(own):]
    if not code_prefix.startswith(own) or len(tail) != 9 or tail[6] != "-" \
            or not (tail[:6] + tail[7:]).isdigit() \
            or int(tail[7:]) != counter.counter_no:
        raise ApiError(400, "bad_code_prefix",
                       "code_prefix must be AGENCY-YYMMDD-CC of the calling counter")


def _event_routes(gw: _Gateway) -> APIRouter:
    """Push a batch of signed events; pull the events of the counter's centre."""
    r = APIRouter(prefix=API)
    store, config = gw.store, gw.config
    push_doc: dict[str, Any] = {
        "summary": "Push a batch of signed counter events",
        "responses": {200: {"model": models.PushResponse}, 401: _ERR, 413: _ERR, 400: _ERR,
                      422: _ERR},
        "openapi_extra": {
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": models.PushRequest.model_json_schema(
                    ref_template="#/components/schemas/{model}")}},
            }
        },
        "tags": ["events"],
    }

    async def push(request: Request, counter: Counter = Depends(gw.counter_auth)) -> Response:
        """Per-event answer; idempotent by event id; every accepted event is durably stored
        before the answer leaves."""
        gauge = gw.pushes
        gauge.waiting += 1
        try:  # bounded memory: wait here, before the body is read
            await gw.inflight.acquire()
        finally:
            gauge.waiting -= 1
        gauge.in_flight += 1
        gauge.peak = max(gauge.peak, gauge.in_flight)
        try:
            raw = await _read_limited(request, config.max_batch_bytes, "batch")
            # one hop to a worker thread for all the rest: each hop costs ~100 µs of GIL
            # hand-offs, which for a batch of 25 events was more than their checks
            body = await run_in_threadpool(handle_push, raw, counter)
        finally:
            gauge.in_flight -= 1
            gw.inflight.release()
        return Response(body, media_type="application/json")

    def handle_push(raw: bytes, counter: Counter) -> bytes:
        """Parse, check and store a pushed batch (and its audit rows); the answer's bytes."""
        doc, plain = parse_json_body_plain(raw)
        del raw
        if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
            raise ApiError(422, "bad_request", 'body must be {"events": [...]}')
        events = doc["events"]
        head = doc.get("audit_head")
        if head is not None:
            _check_audit_head(head)
        rows = doc.get("audit_rows")
        if rows is not None:
            rows = _check_audit_rows(rows)
        if len(events) > config.max_batch_events:
            raise ApiError(413, "too_many_events",
                           f"at most {config.max_batch_events} events per batch")
        results = ingest(store, gw.verifier, counter, events, config.tsa, gw.pool,
                         plain) if events else []
        if head is not None:  # an older counter's claimed head (kept until rows come)
            store.record_witness(counter.id, head["seq"], head["hash"])
        witnessed = None
        if rows is not None:  # the witness, computed here over the rows sent (events first: a
            # break never costs the citizens' data)
            witnessed = store.advance_witness(counter.id, rows)
        answer: dict[str, Any] = {"results": [x.to_json() for x in results],
                                  "server_time": _server_time(),
                                  "time_stamps": config.tsa is not None}
        if witnessed is not None:
            answer["audit_witness"] = witnessed
        if orjson is not None:  # ~10x faster than json.dumps on 250 results
            return orjson.dumps(answer)
        return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    r.add_api_route("/events:push", push, methods=["POST"], operation_id="push_events",
                    **push_doc)
    r.add_api_route("/events/push", push, methods=["POST"], operation_id="push_events_alias",
                    include_in_schema=False)

    @r.get("/events", responses={200: {"model": models.PullResponse}, 400: _ERR, 401: _ERR},
           tags=["events"])
    def pull(
        since: str | None = Query(default=None, description="cursor from the previous pull"),
        limit: int = Query(default=200, ge=1, le=MAX_PULL_LIMIT_PARAM),
        include_own: bool = Query(default=False, description="also return this counter's own"),
        code_prefix: str | None = Query(
            default=None, max_length=40,
            description="AGENCY-YYMMDD-CC of the calling counter: the answer then carries "
                        "last_code, its highest code of that day held here (restore recovery)"),
        counter: Counter = Depends(gw.counter_auth),
    ) -> Response:
        """Events of the counter's centre after ``since``: status changes made at the province
        and events pushed by the centre's other counters (so every counter sees the same dossier
        life), oldest first."""
        after = _pull_after(since)
        n = min(limit, config.max_pull_limit)
        extra: dict[str, Any] = {}
        if code_prefix is not None:
            _check_code_prefix(code_prefix, counter)
            extra["last_code"] = store.last_code(counter.agency_code, code_prefix)
        rows = store.pull(counter.agency_code, after, n,
                          None if include_own else counter.id)
        cursor = rows[-1].seq if rows else after
        if config.tsa is not None and rows:  # the RFC 3161 tokens issued for these events
            import base64

            tokens = store.time_stamps([e.wire.id for e in rows])
            if tokens:
                extra["tsts"] = {k: base64.b64encode(v).decode("ascii")
                                 for k, v in tokens.items()}
        if gw.keys.announcements:  # the newest announced certificate: counters that do not
            # pin it yet fetch /gateway-rotations
            extra["rotation_sha256"] = gw.keys.announcements[-1].next_sha256
        return JSONResponse({
            "events": [e.wire.to_json() for e in rows],
            "cursor": f"{cursor:016d}",
            "more": len(rows) == n,
            **extra,
        })

    return r


def _sha(sha256: str) -> str:
    if not is_sha256_hex(sha256):
        raise ApiError(422, "bad_sha256", "attachment id must be lower-case sha256 hex")
    return sha256


def _attachment_routes(gw: _Gateway) -> APIRouter:
    """Resumable, per-counter attachment uploads and downloads within the counter's scope."""
    r = APIRouter(prefix=API)
    store, config = gw.store, gw.config

    @r.get("/attachments/{sha256}", response_model=models.AttachmentStateModel,
           response_model_exclude_none=True, responses={404: _ERR, 401: _ERR, 422: _ERR},
           tags=["attachments"])
    def attachment_state(sha256: str, counter: Counter = Depends(gw.counter_auth)) -> Any:
        """How much of an attachment this counter's upload holds (resume point, with the
        SHA-256 of the bytes held), or ``complete`` when it is in the counter's scope (its
        centre's events reference it, or it uploaded it). 404 otherwise: a counter cannot
        learn whether another centre holds a scan."""
        st = store.attachment_state_for(_sha(sha256), counter.id, counter.agency_code)
        if st is None:
            raise ApiError(404, "unknown_attachment", "no upload of this attachment yet")
        return st.to_json()

    @r.get("/attachments/{sha256}/content", tags=["attachments"],
           responses={200: {"content": {"application/octet-stream": {
               "schema": {"type": "string", "format": "binary"}}}}, 404: _ERR, 401: _ERR,
               422: _ERR})
    def attachment_content(sha256: str, counter: Counter = Depends(gw.counter_auth)) -> Response:
        """The bytes of a complete attachment in the counter's scope (a scan of a dossier of
        its centre), so every counter of the centre holds the scans of the dossiers it shows."""
        data = store.read_attachment_for(_sha(sha256), counter.id, counter.agency_code)
        if data is None:
            raise ApiError(404, "unknown_attachment", "no such attachment for this centre")
        return Response(data, media_type="application/octet-stream")

    @r.put(
        "/attachments/{sha256}",
        response_model=models.AttachmentStateModel,
        response_model_exclude_none=True,
        responses={409: {"model": models.OffsetErrorModel}, 413: _ERR, 422: _ERR, 401: _ERR,
                   429: _ERR},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
        tags=["attachments"],
    )
    async def attachment_put(
        request: Request,
        sha256: str,
        offset: int = Query(ge=0, le=2**53),
        total: int = Query(ge=0, le=2**53),
        restart: bool = Query(default=False, description="drop this counter's partial upload"
                              " and start again at offset 0"),
        counter: Counter = Depends(gw.counter_auth),
    ) -> Any:
        """Append a raw chunk at ``offset`` to this counter's own upload (must equal
        ``received``, else 409 with the resume point). When ``received == total`` the
        content's SHA-256 is checked: complete, or 422 ``hash_mismatch`` and the upload is
        discarded. Unfinished uploads count against a per-counter quota (429
        ``partial_quota``) and are removed after a configurable age."""
        _sha(sha256)
        if total > config.max_attachment_bytes:
            raise ApiError(413, "too_large",
                           f"attachments are limited to {config.max_attachment_bytes} bytes")
        chunk = await _read_limited(request, config.max_chunk_bytes, "chunk")
        if offset == 0:
            await run_in_threadpool(gw.purge_partials)
        try:
            st = await run_in_threadpool(
                lambda: store.attachment_put(sha256, offset, total, chunk,
                                             counter_id=counter.id,
                                             agency_code=counter.agency_code, restart=restart,
                                             partial_quota=config.partial_quota_bytes))
        except OffsetMismatch as exc:
            raise ApiError(409, exc.code, exc.detail, extra={
                "received": exc.state.received, "size": exc.state.size,
                "complete": exc.state.complete}) from exc
        except QuotaExceeded as exc:
            raise ApiError(429, exc.code, exc.detail, headers={"Retry-After": "60"}) from exc
        except HashMismatch as exc:
            raise ApiError(422, exc.code, exc.detail) from exc
        except StoreUnavailable:
            raise
        except StoreError as exc:
            raise ApiError(422, exc.code, exc.detail) from exc
        return st.to_json()

    return r


def _catalogue_routes(gw: _Gateway) -> APIRouter:
    """The procedure catalogue counters download."""
    r = APIRouter(prefix=API)
    store = gw.store

    @r.get("/catalogue", responses={200: {"content": {"application/json": {}}},
                                    204: {"description": "no newer catalogue"}, 401: _ERR},
           tags=["catalogue"])
    def catalogue(
        since_version: str | None = Query(default=None, max_length=64),
        counter: Counter = Depends(gw.counter_auth),
    ) -> Response:
        """The newest procedure catalogue, if newer than ``since_version`` (204 otherwise)."""
        latest = store.latest_catalogue()
        if latest is None:
            return Response(status_code=204)
        if since_version and version_key(latest[0]) <= version_key(since_version):
            # named even so: a counter ahead of the gateway says so instead of staying silent
            return Response(status_code=204, headers={"X-Catalogue-Version": latest[0]})
        return Response(latest[1].encode("utf-8"), media_type="application/json",
                        headers={"X-Catalogue-Version": latest[0]})

    return r


def _province_routes(gw: _Gateway) -> APIRouter:
    """The province simulation (admin token)."""
    r = APIRouter(prefix=API)
    store, config = gw.store, gw.config

    @r.post("/province/act", status_code=201, response_model=models.ProvinceActResponse,
            responses={401: _ERR, 403: _ERR, 404: _ERR}, tags=["province"])
    def act(body: models.ProvinceActRequest, _: None = Depends(gw.admin_auth)) -> Any:
        """Simulate the provincial system acting on a dossier (admin token)."""
        try:
            wire = province_act(store, body.dossier_code, body.action, body.note,
                                signer=gw.keys.at(), tsa=config.tsa)
        except StoreUnavailable:
            raise
        except StoreError as exc:
            status = 404 if exc.code == "unknown_dossier" else 422
            raise ApiError(status, exc.code, exc.detail) from exc
        return {"event": wire.to_json(), "status": "accepted"}

    return r


#: every status the gateway's handlers can answer with an error body, and when
_ERROR_STATUSES = {
    400: "Refused input: not JSON, nested too deep, a number too long, a bad cursor",
    401: "Missing, unknown or revoked credential",
    403: "Admin endpoint disabled",
    404: "Unknown path, dossier or attachment (for this counter)",
    405: "Method not allowed",
    413: "Body, chunk or batch too large",
    422: "A parameter or body field does not match this document",
    429: "Over a quota: retry after Retry-After",
    500: "Internal error (never expected; see the gateway log)",
    503: "Storage temporarily unavailable: retry after Retry-After",
}


def _document_errors(app: FastAPI) -> None:
    """Make the OpenAPI document say what the gateway really answers on errors: always
    ``{"reason", "detail"}`` (``models.ErrorModel``), never FastAPI's default validation body."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description,
                          routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["ErrorModel"] = models.ErrorModel.model_json_schema(
            ref_template="#/components/schemas/{model}")
        ref = {"$ref": "#/components/schemas/ErrorModel"}
        for ops in doc.get("paths", {}).values():
            for op in ops.values():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                responses = op["responses"]
                for code, text in _ERROR_STATUSES.items():
                    entry = responses.get(str(code))
                    schema = (((entry or {}).get("content") or {}).get("application/json")
                              or {}).get("schema") or {}
                    if entry is None or "HTTPValidationError" in str(schema.get("$ref", "")):
                        responses[str(code)] = {
                            "description": text,
                            "content": {"application/json": {"schema": ref}},
                        }
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
