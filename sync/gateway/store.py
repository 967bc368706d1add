"""Gateway storage behind a URL: SQLite (one machine) or PostgreSQL (a province).

One class holds the logic and the SQL (written with ``?`` placeholders, always parameterised);
the two dialects differ only in how a connection is obtained, how a write transaction is
serialised, the DDL, and where attachment bytes live. That keeps both back-ends behaving the
same, which the tests check by running the same cases on both.

Pull cursor and concurrent writers
----------------------------------
The pull cursor is the event's server sequence number (``events.seq``). A plain sequence is not
safe on PostgreSQL: transaction A may draw seq 10, B draws 11 and commits first; a reader sees 11,
moves its cursor past 10, and never sees A's row when A commits. We avoid that by making commit
order equal sequence order: every transaction that inserts events first takes one
transaction-scoped advisory lock (``pg_advisory_xact_lock``), so event writers commit one after
the other and a sequence number is drawn only while holding the lock. PostgreSQL releases
transaction locks only after the commit is visible, so when the next writer draws its number,
every lower number is already committed (or rolled back, leaving a harmless gap). Readers take no
lock: what they can see is always a gap-free prefix of the sequence. The lock is held only for
the short insert transaction of a batch (signatures are verified before it is taken), so one
batch costs one lock round and one commit; ingestion stays far above what counters produce.
SQLite gives the same guarantee by itself: ``BEGIN IMMEDIATE`` admits one writer at a time.

Attachment bytes: SQLite mode writes them to files under the data folder (``partial/`` while
uploading, ``ab/<sha256>`` once complete); the database row is the truth about how many bytes
were received and every append happens inside a write transaction, so several processes on one
machine cannot interleave. PostgreSQL mode keeps them in the database as ``bytea`` chunks, so any
number of gateway processes on any number of machines share them without a shared folder; the
attachment row is locked (``SELECT … FOR UPDATE``) while a chunk is appended.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import queue
import re
import secrets
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sync.wire import WireEvent, orjson

#: advisory-lock keys (arbitrary 64-bit constants, private to this schema)
EVENTS_LOCK_KEY = 0x4D6F74437561_01
MIGRATE_LOCK_KEY = 0x4D6F74437561_02
WITNESS_LOCK_CLASS = 0x4D435731  # (class, counter id): one counter's witness updates in turn

TOKEN_PREFIX = "mct_"  # noqa: S105 - the prefix of issued tokens, not a secret
_AGENCY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


#: v4 (both dialects): the witness of each counter's audit chain
_WITNESS_DDL = ("CREATE TABLE audit_witness (counter_id BIGINT PRIMARY KEY, seq BIGINT NOT NULL,"
                " hash TEXT NOT NULL, at TEXT NOT NULL)")

#: v6: the witness is computed by the gateway from the audit rows a counter sends (``verified``
#: = 1 from then on, a bare claimed head no longer moves it), and every time a counter's rows did
#: not continue the witnessed chain is kept (append-only: only ever inserted)
_WITNESS_V6 = "ALTER TABLE audit_witness ADD COLUMN verified SMALLINT NOT NULL DEFAULT 0"
_WITNESS_BREAKS_COLS = ("counter_id BIGINT NOT NULL, kind TEXT NOT NULL,"
                        " witnessed_seq BIGINT NOT NULL, witnessed_hash TEXT NOT NULL,"
                        " first_seq BIGINT NOT NULL, at TEXT NOT NULL)")
#: hash of "no row before" in a counter's audit chain (localdb.audit.GENESIS)
AUDIT_GENESIS = "0" * 64
#: the page size of a new SQLite gateway database (see SQLiteStore._conn)
SQLITE_PAGE_SIZE = 16384
#: at most this many audit rows in one push (the witness advances as far as the rows sent)
MAX_AUDIT_ROWS = 2000
#: at most this many witness breaks/restores reported per counter (the newest)
WITNESS_BREAKS_LIMIT = 100


def audit_row_hash(prev_hash: str, row: Sequence[Any]) -> str:
    """The counter's audit row hash (``localdb.audit._row_hash``, which sync/ may not import):
    SHA-256 of the previous row's hash + the compact JSON of [seq, at, actor, counter, action,
    subject, detail]. ``tests/test_witness.py`` holds the two equal."""
    items = list(row[:7])
    if orjson is not None and type(items[0]) is int and all(type(v) is str for v in items[1:]):
        try:  # the same bytes as json.dumps below for an int and strings, ~10x faster
            body = orjson.dumps(items)
        except orjson.JSONEncodeError:  # a lone surrogate: the stdlib says what is wrong
            pass
        else:
            return hashlib.sha256(prev_hash.encode("utf-8") + body).hexdigest()
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


#: v5 (both dialects): each counter's own chain (counter_seq / counter_prev of its signed
#: events) as the gateway received it: gaps, forks and breaks are recorded, never refused
#: (events of one counter arrive out of order across parallel batches)
_CHAIN_DDL = ("CREATE TABLE counter_chain (agency_code TEXT NOT NULL, counter_no INTEGER NOT NULL,"
              " counter_seq BIGINT NOT NULL, event_id TEXT NOT NULL, hash TEXT NOT NULL,"
              " prev TEXT, PRIMARY KEY (agency_code, counter_no, counter_seq, event_id))")
_CHAIN_BACKFILL_SQLITE = (
    "INSERT INTO counter_chain (agency_code, counter_no, counter_seq, event_id, hash, prev)"
    " SELECT agency_code, CAST(json_extract(CAST(payload AS TEXT), '$.counter.counter_no')"
    " AS INTEGER), json_extract(CAST(payload AS TEXT), '$.counter_seq'), id, payload_sha256,"
    " json_extract(CAST(payload AS TEXT), '$.counter_prev') FROM events"
    " WHERE origin = 'counter' AND json_valid(CAST(payload AS TEXT))"
    " AND json_type(CAST(payload AS TEXT), '$.counter_seq') = 'integer'"
    " AND json_extract(CAST(payload AS TEXT), '$.counter_seq') >= 1"
    " ON CONFLICT DO NOTHING")
_CHAIN_BACKFILL_PG = (
    "INSERT INTO counter_chain (agency_code, counter_no, counter_seq, event_id, hash, prev)"
    " SELECT agency_code, (j->'counter'->>'counter_no')::int, (j->>'counter_seq')::bigint, id,"
    " payload_sha256, j->>'counter_prev' FROM (SELECT agency_code, id, payload_sha256,"
    " convert_from(payload, 'UTF8')::jsonb AS j FROM events WHERE origin = 'counter') e"
    " WHERE jsonb_typeof(j->'counter_seq') = 'number' AND (j->>'counter_seq')::numeric >= 1"
    " AND (j->>'counter_seq')::numeric = trunc((j->>'counter_seq')::numeric)"
    " ON CONFLICT DO NOTHING")
#: at most this many ranges / seqs in one chain report
CHAIN_REPORT_LIMIT = 10_000


class StoreError(Exception):
    """A refused store operation; ``code`` is machine-readable."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class StoreUnavailable(StoreError):
    """The database cannot be reached or stays locked: transient, the client should retry."""

    def __init__(self, detail: str):
        super().__init__("store_unavailable", detail)


class OffsetMismatch(StoreError):
    def __init__(self, state: AttachmentState):
        super().__init__("offset_mismatch", f"upload must continue at offset {state.received}")
        self.state = state


class QuotaExceeded(StoreError):
    def __init__(self, held: int, quota: int):
        super().__init__("partial_quota", f"this counter already holds {held} bytes of"
                         f" unfinished uploads (quota {quota}); finish or wait for them to expire")


def _partial_key(sha256: str, counter_id: int) -> str:
    """Blob key of one counter's unfinished upload of ``sha256``."""
    return f"{sha256}.{int(counter_id)}"


class HashMismatch(StoreError):
    def __init__(self, sha256: str, actual: str):
        super().__init__("hash_mismatch", f"content hashes to {actual}, not {sha256}; discarded")


def utcnow_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def token_hash(token: str) -> str:
    """SHA-256 of a bearer token. The token is 256 random bits, so a fast hash is enough (no
    dictionary to guess from) and keeps every request's lookup cheap; only the hash is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Counter:
    id: int
    agency_code: str
    counter_no: int
    centre_name: str | None
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "agency_code": self.agency_code,
            "counter_no": self.counter_no,
            "centre_name": self.centre_name,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


@dataclass(frozen=True)
class AttachmentState:
    sha256: str
    size: int
    received: int
    complete: bool
    prefix_sha256: str | None = None  # SHA-256 of the bytes held so far (partial uploads)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "sha256": self.sha256,
            "size": self.size,
            "received": self.received,
            "complete": self.complete,
        }
        if self.prefix_sha256 is not None:
            out["prefix_sha256"] = self.prefix_sha256
        return out


@dataclass(frozen=True)
class NewEvent:
    """An event ready to store: checked, verified; ``counter_id`` None for province events."""

    wire: WireEvent
    agency_code: str
    counter_id: int | None
    tst: bytes | None = None  # an RFC 3161 token issued for it, stored with it when accepted
    #: (counter_no, counter_seq, counter_prev) of a counter event's signed body, recorded in
    #: counter_chain when accepted (None: province event or a body without the chain)
    chain: tuple[int, int, str | None] | None = None

    @property
    def payload_sha256(self) -> str:
        """SHA-256 of the payload (lowercase hex), computed once per event."""
        return self.wire.payload_sha256


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    wire: WireEvent
    agency_code: str
    counter_id: int | None
    received_at: str


_EVENT_COLS = (
    "seq, id, dossier_id, dossier_code, type, occurred_at, origin, actor, payload, signature,"
    " attachments, agency_code, counter_id, received_at"
)


def _row_to_event(row: Sequence[Any]) -> StoredEvent:
    wire = WireEvent(
        id=row[1],
        dossier_id=row[2],
        dossier_code=row[3],
        type=row[4],
        occurred_at=row[5],
        origin=row[6],
        actor=row[7],
        payload=bytes(row[8]),
        signature=bytes(row[9]) if row[9] is not None else None,
        attachments=tuple(json.loads(row[10] or "[]")),
    )
    return StoredEvent(
        seq=int(row[0]), wire=wire, agency_code=row[11], counter_id=row[12], received_at=row[13]
    )


MAX_TIME_DAYS = 365  # as app.catalogue: no procedure takes more than a year
_MAX_TIME = {"working_days": MAX_TIME_DAYS, "calendar_days": MAX_TIME_DAYS,
             "working_hours": MAX_TIME_DAYS * 8}


def catalogue_time_problems(doc: dict[str, Any]) -> list[str]:
    """Processing times out of bounds (a number of days/hours that is not a positive number
    up to a year), so a published catalogue never makes counters compute absurd dates. The
    counters validate the whole document again (app.catalogue.parse_catalogue)."""
    out: list[str] = []
    procs = doc.get("procedures")
    if not isinstance(procs, list):
        return []  # nothing to bound here; the counters refuse a malformed document

    def check(where: str, t: object) -> None:
        if not isinstance(t, dict):
            return
        kind, value = t.get("kind"), t.get("value")
        if kind in _MAX_TIME and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not 0 < value <= _MAX_TIME[kind]):
            out.append(f"{where}: {kind} value {str(value)[:20]} is not within "
                       f"1..{_MAX_TIME[kind]}")
        for sub in ("by_channel", "by_case"):
            nested = t.get(sub)
            if isinstance(nested, dict):
                for key, val in nested.items():
                    check(f"{where}.{sub}.{str(key)[:30]}", val)

    for i, proc in enumerate(procs):
        if isinstance(proc, dict):
            code = str(proc.get("code", f"#{i + 1}"))[:20]
            check(f"procedure {code} processing_time", proc.get("processing_time"))
    return out


def version_key(version: object) -> tuple[tuple[int, Any], ...]:
    """Natural ordering for catalogue versions: 9 < 10, "2026.1" < "2026.10"."""
    parts = re.findall(r"\d+|\D+", str(version))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def _chunks(keys: Sequence[str], size: int = 500) -> list[list[str]]:
    return [list(keys[i:i + size]) for i in range(0, len(keys), size)]


def _known_dossiers(tx: Any, dossier_ids: Sequence[str]) -> dict[str, Any]:
    """The gateway's record (code, centre) of the dossiers among ``dossier_ids`` it holds, as
    ``sync.gateway.authz.KnownDossier``, inside the caller's read transaction."""
    from sync.gateway.authz import KnownDossier

    out: dict[str, Any] = {}
    for part in _chunks(list(dossier_ids)):
        marks = ",".join("?" * len(part))
        for r in tx.all(
            "SELECT dossier_id, dossier_code, agency_code FROM dossiers"  # noqa: S608 - only placeholders
            f" WHERE dossier_id IN ({marks})",
            part,
        ):
            out[r[0]] = KnownDossier(r[1], r[2])
    return out


@functools.lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """Our SQL is written once with ``?`` placeholders; psycopg speaks ``%s``. Translate
    outside quoted literals and identifiers only, and double a literal ``%`` (psycopg would
    read it as a placeholder). Cached: the statements are a fixed set."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    return "".join(out)


class _Tx:
    """A cursor wrapper that speaks ``?`` placeholders on both dialects."""

    def __init__(self, cur: Any, paramstyle: str):
        self._cur = cur
        self._pg = paramstyle == "pg"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self._cur.execute(_pg_sql(sql) if self._pg else sql, tuple(params))
        return self._cur

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cur.executemany(_pg_sql(sql) if self._pg else sql, [tuple(r) for r in rows])

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.execute(sql, params).fetchall())


@dataclass(eq=False)
class _GroupItem:
    items: list[NewEvent]
    outcomes: list[str] = field(default_factory=list)
    error: BaseException | None = None
    done: bool = False


class _GroupCommit:
    def __init__(self) -> None:
        self.queue_lock = threading.Lock()
        self.leader = threading.Lock()
        self.queue: list[_GroupItem] = []


_GROUP_INIT = threading.Lock()


class Store(ABC):
    """The gateway's state. Thread-safe: FastAPI runs sync endpoints on a thread pool."""

    #: reads are local file reads (SQLite), cheap enough for the event loop
    local_reads = False

    url: str

    # ---- dialect hooks -------------------------------------------------------------------
    @abstractmethod
    def _read(self) -> Any:
        """Context manager yielding a :class:`_Tx` for reads (one consistent snapshot)."""

    @abstractmethod
    def _write(self, *, events_lock: bool = False) -> Any:
        """Context manager yielding a :class:`_Tx` in a write transaction; with
        ``events_lock`` it is serialised against every other event writer (see module doc)."""

    @abstractmethod
    def _migrations(self) -> list[list[str]]:
        """DDL per schema version (index 0 -> version 1)."""

    @abstractmethod
    def _blob_write(self, tx: _Tx, sha256: str, offset: int, chunk: bytes) -> None: ...

    @abstractmethod
    def _blob_digest(self, tx: _Tx, sha256: str) -> str: ...

    @abstractmethod
    def _blob_finish(self, tx: _Tx, key: str, sha256: str) -> None:
        """Make the partial blob ``key`` the complete content of ``sha256``."""

    @abstractmethod
    def _blob_discard(self, tx: _Tx, sha256: str) -> None: ...

    @abstractmethod
    def read_attachment(self, sha256: str) -> bytes:
        """Whole content of a complete attachment (province side, tests)."""

    @abstractmethod
    def close(self) -> None: ...

    # ---- schema ----------------------------------------------------------------------------
    def migrate(self) -> int:
        """Bring the schema to the newest version; safe when several processes start at once."""
        migrations = self._migrations()
        with self._write(events_lock=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = tx.one("SELECT version FROM schema_version")
            current = int(row[0]) if row else 0
            if row is None:
                tx.execute("INSERT INTO schema_version (version) VALUES (0)")
            for version in range(current + 1, len(migrations) + 1):
                for stmt in migrations[version - 1]:
                    tx.execute(stmt)
                tx.execute("UPDATE schema_version SET version = ?", (version,))
        return len(migrations)

    def ping(self) -> None:
        with self._read() as tx:
            tx.one("SELECT 1")

    # ---- counters --------------------------------------------------------------------------
    def enrol(
        self, agency_code: str, counter_no: int, centre_name: str | None = None
    ) -> tuple[Counter, str]:
        """Create a counter credential; returns the counter and its token (shown once)."""
        if not _AGENCY_RE.match(agency_code or ""):
            raise StoreError("bad_agency_code", f"invalid agency code {agency_code!r}")
        if isinstance(counter_no, bool) or not isinstance(counter_no, int):
            raise StoreError("bad_counter_no", "counter number must be an integer")
        if not 1 <= counter_no <= 999:
            raise StoreError("bad_counter_no", "counter number must be between 1 and 999")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = utcnow_iso()
        try:
            return self._enrol(agency_code, counter_no, centre_name, token, now)
        except Exception as exc:
            # two administrators enrolling the same number at once: the partial unique index
            # decides, and the loser gets the same answer as a sequential second attempt
            if type(exc).__name__ in ("IntegrityError", "UniqueViolation"):
                raise StoreError("counter_taken", f"counter {counter_no} of {agency_code} is"
                                 " already enrolled") from exc
            raise

    def _enrol(self, agency_code: str, counter_no: int, centre_name: str | None, token: str,
               now: str) -> tuple[Counter, str]:
        with self._write() as tx:
            taken = tx.one(
                "SELECT id FROM counters WHERE agency_code = ? AND counter_no = ?"
                " AND revoked_at IS NULL",
                (agency_code, counter_no),
            )
            if taken:
                raise StoreError(
                    "counter_taken",
                    f"counter {counter_no} of {agency_code} is already enrolled (id {taken[0]});"
                    " revoke it first",
                )
            row = tx.one(
                "INSERT INTO counters (agency_code, counter_no, centre_name, token_sha256,"
                " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (agency_code, counter_no, centre_name, token_hash(token), now),
            )
        return Counter(int(row[0]), agency_code, counter_no, centre_name, now, None), token

    def revoke(self, counter_id: int) -> Counter:
        now = utcnow_iso()
        with self._write() as tx:
            row = tx.one(
                "SELECT id, agency_code, counter_no, centre_name, created_at, revoked_at"
                " FROM counters WHERE id = ?",
                (counter_id,),
            )
            if row is None:
                raise StoreError("unknown_counter", f"no counter with id {counter_id}")
            if row[5] is not None:
                raise StoreError("already_revoked", f"counter {counter_id} was revoked {row[5]}")
            tx.execute("UPDATE counters SET revoked_at = ? WHERE id = ?", (now, counter_id))
        return Counter(int(row[0]), row[1], int(row[2]), row[3], row[4], now)

    def list_counters(self) -> list[Counter]:
        with self._read() as tx:
            rows = tx.all(
                "SELECT id, agency_code, counter_no, centre_name, created_at, revoked_at"
                " FROM counters ORDER BY id"
            )
        return [Counter(int(r[0]), r[1], int(r[2]), r[3], r[4], r[5]) for r in rows]

    @contextmanager
    def _one_read(self) -> Iterator[_Tx]:
        """For ONE read statement (a snapshot of its own) that looks rows up by the keys of
        unique indexes: no transaction around it where the backend's connection is in
        autocommit mode (a BEGIN/COMMIT pair cost more than the indexed SELECT of every
        request's token); PostgreSQL plans these once (see PostgresStore.__init__)."""
        with self._read() as tx:
            yield tx

    def counter_by_token(self, token: str) -> Counter | None:
        with self._one_read() as tx:
            r = tx.one(
                "SELECT id, agency_code, counter_no, centre_name, created_at, revoked_at"
                " FROM counters WHERE token_sha256 = ?",
                (token_hash(token),),
            )
        return Counter(int(r[0]), r[1], int(r[2]), r[3], r[4], r[5]) if r else None

    # ---- events ----------------------------------------------------------------------------
    def existing_payload_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """payload SHA-256 of the events among ``ids`` already stored (fast duplicate path)."""
        return self.batch_lookup(ids, ())[0]

    def batch_lookup(self, ids: Sequence[str], dossier_ids: Sequence[str]
                     ) -> tuple[dict[str, str], dict[str, Any]]:
        """`existing_payload_hashes` and `dossiers_by_ids` in one read transaction: what a
        push needs before judging its events (on PostgreSQL each transaction is ~4 round
        trips, a fair share of a small batch's time)."""
        known: dict[str, str] = {}
        dossiers: dict[str, Any] = {}
        if not ids and not dossier_ids:
            return known, dossiers
        with self._read() as tx:
            for part in _chunks(list(ids)):
                marks = ",".join("?" * len(part))
                for r in tx.all(
                    f"SELECT id, payload_sha256 FROM events WHERE id IN ({marks})",  # noqa: S608 - only placeholders
                    part,
                ):
                    known[r[0]] = r[1]
            dossiers = _known_dossiers(tx, dossier_ids)
        return known, dossiers

    def time_stamps(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The RFC 3161 tokens already issued for these events."""
        out: dict[str, bytes] = {}
        with self._read() as tx:
            for part in _chunks(sorted(set(ids))):
                marks = ",".join("?" * len(part))
                for r in tx.all(
                    f"SELECT event_id, tst FROM event_tsts WHERE event_id IN ({marks})",  # noqa: S608 - only placeholders
                    part,
                ):
                    out[r[0]] = bytes(r[1])
        return out

    def stored_signatures(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The CMS signatures stored for these events (counter events; province ones too)."""
        out: dict[str, bytes] = {}
        with self._read() as tx:
            for part in _chunks(sorted(set(ids))):
                marks = ",".join("?" * len(part))
                for r in tx.all(
                    f"SELECT id, signature FROM events WHERE id IN ({marks})"  # noqa: S608 - only placeholders
                    " AND signature IS NOT NULL",
                    part,
                ):
                    out[r[0]] = bytes(r[1])
        return out

    def save_time_stamps(self, tokens: dict[str, bytes]) -> None:
        """Keep issued tokens (first one wins), so a retried push gets the same token back."""
        if not tokens:
            return
        now = utcnow_iso()
        with self._write() as tx:
            tx.executemany(
                "INSERT INTO event_tsts (event_id, tst, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (event_id) DO NOTHING",
                [(k, v, now) for k, v in sorted(tokens.items())],
            )

    def insert_events(self, items: Sequence[NewEvent]) -> list[str]:
        """Store events in one durable transaction; per item "accepted", "duplicate" (same id,
        same bytes), "id_conflict" (same id, other bytes) or "dossier_conflict" (the dossier
        code already belongs to another dossier or centre).

        Group commit: batches that arrive while another thread of this process is committing
        wait, then the next of them commits all the waiting batches in ONE transaction (one
        durable commit, one round under the events lock) — the answers are exactly those of
        the batches stored one after the other in arrival order. Under many concurrent
        counters the number of commits per second, not their size, bounds ingestion.
        """
        if not items:
            return []
        req = _GroupItem(list(items))
        gc = self._group()
        with gc.queue_lock:
            gc.queue.append(req)
        with gc.leader:  # one committer at a time; the others' batches ride along
            if not req.done:
                with gc.queue_lock:
                    group, gc.queue = gc.queue, []
                try:
                    outcomes = self._insert_events_tx([it for g in group for it in g.items])
                except BaseException as exc:
                    for g in group:
                        g.error, g.done = exc, True
                else:
                    k = 0
                    for g in group:
                        g.outcomes, g.done = outcomes[k:k + len(g.items)], True
                        k += len(g.items)
        if req.error is not None:
            raise req.error
        return req.outcomes

    def _group(self) -> _GroupCommit:
        gc = getattr(self, "_gc", None)
        if gc is None:
            with _GROUP_INIT:
                gc = getattr(self, "_gc", None)
                if gc is None:
                    gc = self._gc = _GroupCommit()
        return gc

    def _locked_lookup(self, tx: _Tx, ids: Sequence[str], d_ids: Sequence[str],
                       d_codes: Sequence[str]) -> tuple[dict[str, str], dict[str, tuple[str, str]],
                                                       dict[str, tuple[str, str]]]:
        """Under the events lock: payload SHA-256 of the stored events among ``ids``, and the
        dossiers whose id is among ``d_ids`` or whose code is among ``d_codes``, by id ->
        (code, centre) and by code -> (id, centre)."""
        known_events: dict[str, str] = {}
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            for r in tx.all(
                f"SELECT id, payload_sha256 FROM events WHERE id IN ({marks})",  # noqa: S608 - only placeholders
                part,
            ):
                known_events[r[0]] = r[1]
        by_id: dict[str, tuple[str, str]] = {}
        by_code: dict[str, tuple[str, str]] = {}
        for col, keys in (("dossier_id", d_ids), ("dossier_code", d_codes)):
            for part in _chunks(keys):
                marks = ",".join("?" * len(part))
                for r in tx.all(
                    "SELECT dossier_id, dossier_code, agency_code FROM dossiers"  # noqa: S608 - constant column name
                    f" WHERE {col} IN ({marks})",
                    part,
                ):
                    by_id[r[0]] = (r[1], r[2])
                    by_code[r[1]] = (r[0], r[2])
        return known_events, by_id, by_code

    def _insert_events_tx(self, items: Sequence[NewEvent]) -> list[str]:
        """One transaction under the events lock; the look-ups below are authoritative and
        set-wise (two SELECTs, two multi-row INSERTs per group) because the time under the
        lock bounds the whole province's ingestion rate."""
        now = utcnow_iso()
        with self._write(events_lock=True) as tx:
            known_events, by_id, by_code = self._locked_lookup(
                tx, sorted({it.wire.id for it in items}),
                sorted({it.wire.dossier_id for it in items}),
                sorted({it.wire.dossier_code for it in items}))

            outcomes: list[str] = []
            event_rows: list[tuple[Any, ...]] = []
            dossier_rows: list[tuple[Any, ...]] = []
            for item in items:
                w = item.wire
                digest = item.payload_sha256
                prev = known_events.get(w.id)
                if prev is not None:
                    outcomes.append("duplicate" if prev == digest else "id_conflict")
                    continue
                d_known = by_id.get(w.dossier_id)
                c_known = by_code.get(w.dossier_code)
                if (d_known and d_known != (w.dossier_code, item.agency_code)) or (
                    c_known and c_known != (w.dossier_id, item.agency_code)
                ):
                    outcomes.append("dossier_conflict")
                    continue
                event_rows.append((
                    w.id, w.dossier_id, w.dossier_code, w.type, w.occurred_at, w.origin, w.actor,
                    w.payload, digest, w.signature,
                    json.dumps(list(w.attachments)) if w.attachments else "[]",
                    item.agency_code, item.counter_id, now,
                ))
                known_events[w.id] = digest  # a later copy in this batch is a duplicate
                if d_known is None:
                    dossier_rows.append((w.dossier_id, w.dossier_code, item.agency_code, now))
                    by_id[w.dossier_id] = (w.dossier_code, item.agency_code)
                    by_code[w.dossier_code] = (w.dossier_id, item.agency_code)
                outcomes.append("accepted")
            if event_rows:
                # No conflict is possible: every event writer holds the events lock, the
                # look-ups above saw every committed row and the loop kept each new id and
                # dossier once. So no ON CONFLICT clause: a broken invariant fails the whole
                # transaction (the pushes get an error and are retried; the look-ups then find
                # the rows) instead of answering "accepted" for a row that was skipped — and on
                # PostgreSQL, ON CONFLICT costs an extra probe of each unique index and a
                # speculative-insertion lock per row (~6% of the server's CPU per event).
                tx.executemany(
                    "INSERT INTO events (id, dossier_id, dossier_code, type, occurred_at, origin,"
                    " actor, payload, payload_sha256, signature, attachments, agency_code,"
                    " counter_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    event_rows,
                )
            if dossier_rows:
                tx.executemany(
                    "INSERT INTO dossiers (dossier_id, dossier_code, agency_code, first_seen)"
                    " VALUES (?, ?, ?, ?)",
                    dossier_rows,
                )
            refs = sorted({(sha, it.agency_code) for it, outcome in zip(items, outcomes,
                                                                        strict=True)
                           if outcome == "accepted" for sha in it.wire.attachments})
            if refs:  # the centre may now read these scans (see attachments_visible)
                tx.executemany("INSERT INTO attachment_refs (sha256, agency_code) VALUES (?, ?)"
                               " ON CONFLICT DO NOTHING", refs)
            tsts = [(it.wire.id, it.tst, now) for it, outcome in zip(items, outcomes, strict=True)
                    if outcome == "accepted" and it.tst is not None]
            if tsts:  # the token commits with its event (first one wins, as save_time_stamps)
                tx.executemany("INSERT INTO event_tsts (event_id, tst, created_at) VALUES (?, ?, ?)"
                               " ON CONFLICT (event_id) DO NOTHING", tsts)
            chain = [(it.agency_code, it.chain[0], it.chain[1], it.wire.id, it.payload_sha256,
                      it.chain[2]) for it, outcome in zip(items, outcomes, strict=True)
                     if outcome == "accepted" and it.chain is not None]
            if chain:  # the counter's own chain, as received (see counter_chain_report); the
                # key holds the event id, new here: no conflict is possible (as for events)
                tx.executemany("INSERT INTO counter_chain (agency_code, counter_no, counter_seq,"
                               " event_id, hash, prev) VALUES (?, ?, ?, ?, ?, ?)", chain)
        return outcomes

    def pull(
        self, agency_code: str, after_seq: int, limit: int, exclude_counter_id: int | None
    ) -> list[StoredEvent]:
        """Events of one centre after a cursor, oldest first (see module doc for why no
        concurrent writer can make this skip one)."""
        with self._read() as tx:
            rows = tx.all(
                f"SELECT {_EVENT_COLS} FROM events WHERE agency_code = ? AND seq > ?"  # noqa: S608 - constant column list
                " AND (counter_id IS NULL OR counter_id <> ?) ORDER BY seq LIMIT ?",
                (agency_code, after_seq, -1 if exclude_counter_id is None else exclude_counter_id,
                 limit),
            )
        return [_row_to_event(r) for r in rows]

    def last_code(self, agency_code: str, prefix: str) -> str | None:
        """The highest dossier code starting with ``prefix`` (``AGENCY-YYMMDD-CC``: one
        counter's codes of one day, which sort by their number) that this gateway holds: a
        restored counter learns from it never to issue those numbers again."""
        with self._read() as tx:
            row = tx.one("SELECT max(dossier_code) FROM dossiers WHERE agency_code = ?"
                         " AND substr(dossier_code, 1, ?) = ?", (agency_code, len(prefix), prefix))
        return str(row[0]) if row and row[0] else None

    def get_event(self, event_id: str) -> StoredEvent | None:
        with self._read() as tx:
            r = tx.one(f"SELECT {_EVENT_COLS} FROM events WHERE id = ?", (event_id,))  # noqa: S608
        return _row_to_event(r) if r else None

    def event_count(self) -> int:
        with self._read() as tx:
            return int(tx.one("SELECT COUNT(*) FROM events")[0])

    def all_event_ids(self) -> list[str]:
        with self._read() as tx:
            return [r[0] for r in tx.all("SELECT id FROM events ORDER BY seq")]

    def dossiers_by_ids(self, dossier_ids: Sequence[str]) -> dict[str, Any]:
        """The gateway's record (code, centre) of the dossiers among ``dossier_ids`` it holds,
        as ``sync.gateway.authz.KnownDossier``."""
        with self._read() as tx:
            return _known_dossiers(tx, dossier_ids)

    def dossier_by_code(self, dossier_code: str) -> tuple[str, str] | None:
        """(dossier_id, agency_code) of a dossier the gateway has seen."""
        with self._read() as tx:
            r = tx.one(
                "SELECT dossier_id, agency_code FROM dossiers WHERE dossier_code = ?",
                (dossier_code,),
            )
        return (r[0], r[1]) if r else None

    # ---- audit witness ----------------------------------------------------------------------
    def record_witness(self, counter_id: int, seq: int, digest: str) -> None:
        """Keep the newest audit head a counter *claims* (``audit_head``, older counters): the
        witness its `audit verify` compares with. Never moves back, and never once the witness
        was computed here from the counter's rows (`advance_witness`)."""
        with self._write() as tx:
            tx.execute(
                "INSERT INTO audit_witness (counter_id, seq, hash, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (counter_id) DO UPDATE SET seq = excluded.seq,"
                " hash = excluded.hash, at = excluded.at WHERE excluded.seq >= audit_witness.seq"
                " AND audit_witness.verified = 0",
                (counter_id, seq, digest, utcnow_iso()),
            )

    def witness(self, counter_id: int) -> dict[str, Any] | None:
        with self._read() as tx:
            r = tx.one("SELECT seq, hash, at, verified FROM audit_witness WHERE counter_id = ?",
                       (counter_id,))
        return {"seq": int(r[0]), "hash": str(r[1]), "at": str(r[2]),
                "verified": bool(r[3])} if r else None

    def _lock_witness(self, tx: _Tx, counter_id: int) -> None:  # noqa: B027 - a no-op hook
        """Serialise the witness updates of one counter (SQLite: the write lock does)."""

    def advance_witness(self, counter_id: int, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
        """Move the counter's audit witness over the rows it sent (each ``[seq, at, actor,
        counter, action, subject, detail, hash]``, consecutive seqs, checked by the caller).

        The gateway recomputes the chain itself from the head it holds (W, H): rows up to W are
        skipped (row W's stated hash must be H), row W+1 is hashed over H, each next one over
        the hash computed before it, and every stated hash must be the computed one. Then the
        head *computed here* is stored. Rows that start after W+1 move nothing (``behind``:
        the answer tells the counter where to start). Rows that do not continue the witnessed
        chain move nothing either and are recorded (``break``) — unless the rows hold the
        counter's audited restore (`store.restore` at seq <= W+1): the witness then continues
        from that row, which is recorded as ``restore``. Returns ``{seq, hash, status}``:
        ok | behind | break | restore | unchanged."""
        if not rows:
            raise StoreError("bad_audit_rows", "no audit rows")
        now = utcnow_iso()
        with self._write() as tx:
            self._lock_witness(tx, counter_id)
            r = tx.one("SELECT seq, hash, verified FROM audit_witness WHERE counter_id = ?",
                       (counter_id,))
            w_seq, w_hash = (int(r[0]), str(r[1])) if r else (0, AUDIT_GENESIS)
            first = int(rows[0][0])
            if first > w_seq + 1:
                return {"seq": w_seq, "hash": w_hash, "status": "behind"}
            if int(rows[-1][0]) < w_seq:  # nothing to judge yet (e.g. a restored, shorter log)
                return {"seq": w_seq, "hash": w_hash, "status": "unchanged"}
            new = rows[w_seq + 1 - first:]
            stated_w = rows[w_seq - first][7] if first <= w_seq else w_hash
            bad = None if stated_w == w_hash else w_seq
            head = (w_seq, w_hash)
            if bad is None:
                prev = w_hash
                for row in new:
                    prev = audit_row_hash(prev, row)
                    if prev != row[7]:
                        bad = int(row[0])
                        break
                    head = (int(row[0]), prev)
            if bad is None:
                if not new:
                    if r is not None and not r[2]:  # a claimed head the rows confirm
                        self._set_witness(tx, counter_id, head, now)
                    return {"seq": w_seq, "hash": w_hash, "status": "unchanged"}
                self._set_witness(tx, counter_id, head, now)
                return {"seq": head[0], "hash": head[1], "status": "ok"}
            kind, first_bad = "break", bad
            restore = next((k for k in range(len(rows) - 1, -1, -1)
                            if rows[k][4] == "store.restore" and int(rows[k][0]) <= w_seq + 1),
                           None)
            if restore is not None:  # continue from the audited restore row, as the counter says
                prev, ok = str(rows[restore][7]), True
                for row in rows[restore + 1:]:
                    prev = audit_row_hash(prev, row)
                    if prev != row[7]:
                        ok = False
                        break
                if ok:
                    kind, first_bad = "restore", int(rows[restore][0])
                    head = (int(rows[-1][0]), str(rows[-1][7]))
                    self._set_witness(tx, counter_id, head, now)
            if not tx.one("SELECT 1 FROM audit_witness_breaks WHERE counter_id = ? AND kind = ?"
                          " AND witnessed_seq = ? AND witnessed_hash = ? AND first_seq = ?",
                          (counter_id, kind, w_seq, w_hash, first_bad)):
                tx.execute("INSERT INTO audit_witness_breaks (counter_id, kind, witnessed_seq,"
                           " witnessed_hash, first_seq, at) VALUES (?, ?, ?, ?, ?, ?)",
                           (counter_id, kind, w_seq, w_hash, first_bad, now))
                _log_witness(counter_id, kind, w_seq, first_bad)
            return {"seq": head[0], "hash": head[1], "status": kind}

    def _set_witness(self, tx: _Tx, counter_id: int, head: tuple[int, str], now: str) -> None:
        tx.execute(
            "INSERT INTO audit_witness (counter_id, seq, hash, at, verified) VALUES (?, ?, ?, ?, 1)"
            " ON CONFLICT (counter_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,"
            " at = excluded.at, verified = 1",
            (counter_id, head[0], head[1], now),
        )

    def witness_breaks(self, counter_id: int | None = None,
                       limit: int = WITNESS_BREAKS_LIMIT) -> list[dict[str, Any]]:
        """The recorded breaks and restores of a counter's witnessed audit chain (all counters
        without ``counter_id``), oldest first, at most the newest ``limit``."""
        where, params = ("WHERE counter_id = ?", (counter_id,)) if counter_id is not None \
            else ("", ())
        with self._read() as tx:
            rows = tx.all("SELECT id, counter_id, kind, witnessed_seq, witnessed_hash, first_seq,"  # noqa: S608 - fixed text
                          f" at FROM audit_witness_breaks {where} ORDER BY id DESC LIMIT ?",
                          (*params, int(limit)))
        return [{"counter_id": int(r[1]), "kind": str(r[2]), "witnessed_seq": int(r[3]),
                 "witnessed_hash": str(r[4]), "first_seq": int(r[5]), "at": str(r[6])}
                for r in reversed(rows)]

    # ---- counters' own chains --------------------------------------------------------------
    def counter_chain_report(self, agency_code: str, counter_no: int,
                             limit: int = CHAIN_REPORT_LIMIT) -> dict[str, Any]:
        """What this gateway holds of one counter's chain (counter_seq 1, 2, 3 … each naming
        the hash of the one before): ``held`` as [first, last] ranges, the ``gaps`` between
        them (a gap may still be in flight: parallel batches, events queued or parked at the
        counter), ``forks`` (two different events under one number: a counter restored from
        an old backup, or a forgery), ``breaks`` (an event whose ``counter_prev`` is not the
        event held under the number before), and the ``last`` event {seq, hash}. Lists hold
        at most ``limit`` entries (``truncated`` says so)."""
        key = (agency_code, int(counter_no))
        with self._read() as tx:
            n, last_seq = tx.one("SELECT COUNT(*), MAX(counter_seq) FROM counter_chain"
                                 " WHERE agency_code = ? AND counter_no = ?", key)
            held = [[int(r[0]), int(r[1])] for r in tx.all(
                "SELECT MIN(s), MAX(s) FROM (SELECT s, s - ROW_NUMBER() OVER (ORDER BY s) AS g"
                " FROM (SELECT DISTINCT counter_seq AS s FROM counter_chain"
                " WHERE agency_code = ? AND counter_no = ?) t) u GROUP BY g ORDER BY 1 LIMIT ?",
                (*key, limit + 1))]
            forks = [int(r[0]) for r in tx.all(
                "SELECT counter_seq FROM counter_chain WHERE agency_code = ? AND counter_no = ?"
                " GROUP BY counter_seq HAVING COUNT(*) > 1 ORDER BY 1 LIMIT ?", (*key, limit + 1))]
            breaks = [int(r[0]) for r in tx.all(
                "SELECT DISTINCT a.counter_seq FROM counter_chain a"
                " WHERE a.agency_code = ? AND a.counter_no = ? AND ("
                "(a.counter_seq = 1 AND a.prev IS NOT NULL) OR ("
                " EXISTS (SELECT 1 FROM counter_chain b WHERE b.agency_code = a.agency_code"
                " AND b.counter_no = a.counter_no AND b.counter_seq = a.counter_seq - 1)"
                " AND NOT EXISTS (SELECT 1 FROM counter_chain b WHERE b.agency_code ="
                " a.agency_code AND b.counter_no = a.counter_no AND b.counter_seq ="
                " a.counter_seq - 1 AND b.hash = a.prev))) ORDER BY 1 LIMIT ?", (*key, limit + 1))]
            last = tx.one("SELECT counter_seq, hash FROM counter_chain WHERE agency_code = ?"
                          " AND counter_no = ? ORDER BY counter_seq DESC, event_id LIMIT 1", key)
        truncated = max(len(held), len(forks), len(breaks)) > limit
        held, forks, breaks = held[:limit], forks[:limit], breaks[:limit]
        gaps = []
        expected = 1
        for lo, hi in held:
            if lo > expected:
                gaps.append([expected, lo - 1])
            expected = hi + 1
        return {"events": int(n or 0), "last_seq": int(last_seq) if last_seq is not None else 0,
                "last": {"seq": int(last[0]), "hash": str(last[1])} if last else None,
                "held": held, "gaps": gaps, "forks": forks, "breaks": breaks,
                "truncated": truncated}

    def chain_counters(self) -> list[tuple[str, int]]:
        """(agency code, counter number) of every counter whose chain this gateway holds."""
        with self._read() as tx:
            return [(str(r[0]), int(r[1])) for r in tx.all(
                "SELECT DISTINCT agency_code, counter_no FROM counter_chain ORDER BY 1, 2")]

    def dossier_head(self, dossier_id: str) -> str | None:
        """Event hash (SHA-256 of the signed bytes) of the dossier's latest event here."""
        with self._read() as tx:
            r = tx.one(
                "SELECT payload_sha256 FROM events WHERE dossier_id = ?"
                " ORDER BY occurred_at DESC, seq DESC LIMIT 1",
                (dossier_id,),
            )
        return str(r[0]) if r else None

    # ---- attachments -----------------------------------------------------------------------
    def attachment_states(self, shas: Sequence[str]) -> dict[str, AttachmentState]:
        if not shas:
            return {}
        marks = ",".join("?" * len(shas))
        with self._read() as tx:
            rows = tx.all(
                f"SELECT sha256, total, received, complete FROM attachments WHERE sha256 IN ({marks})",  # noqa: S608 - only placeholders
                list(shas),
            )
        return {r[0]: AttachmentState(r[0], int(r[1]), int(r[2]), bool(r[3])) for r in rows}

    def attachment_state(self, sha256: str) -> AttachmentState | None:
        return self.attachment_states([sha256]).get(sha256)

    # Scope: a counter may see (probe, read, short-cut an upload of) an attachment only when
    # its own centre's events reference it (attachment_refs) or it uploaded it itself
    # (attachment_uploads). Each counter uploads into its OWN partial (blob key
    # "<sha>.<counter id>"), so nobody can poison another counter's upload; a completed upload
    # whose content hashes right becomes the shared, content-addressed blob.

    def attachments_visible(self, counter_id: int, agency_code: str,
                            shas: Sequence[str]) -> set[str]:
        """The complete attachments among ``shas`` this counter may use in an event or read."""
        if not shas:
            return set()
        out: set[str] = set()
        with self._read() as tx:
            for part in _chunks(list(shas)):
                marks = ",".join("?" * len(part))
                for (sha,) in tx.all(
                    "SELECT a.sha256 FROM attachments a WHERE a.complete = 1"  # noqa: S608 - only placeholders
                    f" AND a.sha256 IN ({marks}) AND (EXISTS (SELECT 1 FROM attachment_uploads u"
                    " WHERE u.sha256 = a.sha256 AND u.counter_id = ? AND u.complete = 1)"
                    " OR EXISTS (SELECT 1 FROM attachment_refs r WHERE r.sha256 = a.sha256"
                    " AND r.agency_code = ?))",
                    [*part, counter_id, agency_code],
                ):
                    out.add(sha)
        return out

    def attachment_state_for(self, sha256: str, counter_id: int,
                             agency_code: str) -> AttachmentState | None:
        """What this counter may know of an attachment: complete (when in its scope), its own
        partial upload with the SHA-256 of the bytes held, or None (404: never says whether
        another centre holds it)."""
        with self._read() as tx:
            own = tx.one("SELECT total, received, complete FROM attachment_uploads"
                         " WHERE sha256 = ? AND counter_id = ?", (sha256, counter_id))
            done = tx.one("SELECT total FROM attachments WHERE sha256 = ? AND complete = 1",
                          (sha256,))
            if done is not None and (
                (own is not None and own[2])
                or tx.one("SELECT 1 FROM attachment_refs WHERE sha256 = ? AND agency_code = ?",
                          (sha256, agency_code)) is not None
            ):
                return AttachmentState(sha256, int(done[0]), int(done[0]), True)
            if own is None or own[2]:
                return None
            prefix = self._blob_digest(tx, _partial_key(sha256, counter_id))
        return AttachmentState(sha256, int(own[0]), int(own[1]), False, prefix)

    def attachment_put(self, sha256: str, offset: int, total: int, chunk: bytes, *,
                       counter_id: int, agency_code: str, restart: bool = False,
                       partial_quota: int | None = None) -> AttachmentState:
        """Append a chunk at ``offset`` to this counter's own upload. ``restart`` (with offset
        0) drops what it held. Raises :class:`OffsetMismatch` (resume from
        ``state.received``), :class:`HashMismatch` (content discarded), QuotaExceeded or
        StoreError."""
        mismatch: str | None = None
        key = _partial_key(sha256, counter_id)
        now = utcnow_iso()
        with self._write() as tx:
            own = self._lock_upload(tx, sha256, counter_id)
            done = tx.one("SELECT total FROM attachments WHERE sha256 = ? AND complete = 1",
                          (sha256,))
            if done is not None and ((own is not None and own[2]) or tx.one(
                    "SELECT 1 FROM attachment_refs WHERE sha256 = ? AND agency_code = ?",
                    (sha256, agency_code)) is not None):
                return AttachmentState(sha256, int(done[0]), int(done[0]), True)
            fresh = own is None or bool(own[2]) or restart or int(own[0]) != total
            if fresh:
                if offset != 0:
                    if own is not None and not own[2] and int(own[0]) == total:
                        raise OffsetMismatch(AttachmentState(sha256, total, int(own[1]), False))
                    raise OffsetMismatch(AttachmentState(sha256, total, 0, False))
                if partial_quota is not None:
                    held = tx.one("SELECT COALESCE(SUM(total), 0) FROM attachment_uploads"
                                  " WHERE counter_id = ? AND complete = 0 AND sha256 <> ?",
                                  (counter_id, sha256))
                    if int(held[0]) + total > partial_quota:
                        raise QuotaExceeded(int(held[0]), partial_quota)
                self._blob_discard(tx, key)
                tx.execute("DELETE FROM attachment_uploads WHERE sha256 = ? AND counter_id = ?",
                           (sha256, counter_id))
                tx.execute("INSERT INTO attachment_uploads (sha256, counter_id, total, received,"
                           " complete, updated_at) VALUES (?, ?, ?, 0, 0, ?)",
                           (sha256, counter_id, total, now))
                received = 0
            else:
                received = int(own[1])
            if offset != received:
                raise OffsetMismatch(AttachmentState(sha256, total, received, False))
            if received + len(chunk) > total:
                raise StoreError("exceeds_total", "chunk goes beyond the declared total")
            if chunk:
                self._blob_write(tx, key, offset, chunk)
            received += len(chunk)
            complete = False
            if received == total:
                actual = self._blob_digest(tx, key)
                if actual != sha256:
                    self._blob_discard(tx, key)
                    tx.execute("DELETE FROM attachment_uploads WHERE sha256 = ? AND counter_id = ?",
                               (sha256, counter_id))
                    mismatch = actual
                else:
                    if done is None:
                        self._blob_finish(tx, key, sha256)
                        tx.execute(
                            "INSERT INTO attachments (sha256, total, received, complete,"
                            " created_at, completed_at) VALUES (?, ?, ?, 1, ?, ?)"
                            " ON CONFLICT (sha256) DO UPDATE SET total = EXCLUDED.total,"
                            " received = EXCLUDED.received, complete = 1,"
                            " completed_at = EXCLUDED.completed_at",
                            (sha256, total, total, now, now))
                    else:  # another counter's identical content is already stored
                        self._blob_discard(tx, key)
                    complete = True
            if mismatch is None:
                tx.execute("UPDATE attachment_uploads SET received = ?, complete = ?,"
                           " updated_at = ? WHERE sha256 = ? AND counter_id = ?",
                           (received, 1 if complete else 0, now, sha256, counter_id))
        if mismatch is not None:
            raise HashMismatch(sha256, mismatch)
        return AttachmentState(sha256, total, received, complete)

    def _lock_upload(self, tx: _Tx, sha256: str, counter_id: int) -> Any:
        return tx.one("SELECT total, received, complete FROM attachment_uploads"
                      " WHERE sha256 = ? AND counter_id = ?", (sha256, counter_id))

    def purge_partial_uploads(self, max_age_s: float) -> int:
        """Remove partial uploads untouched for ``max_age_s`` seconds; returns how many."""
        cutoff = datetime.fromtimestamp(datetime.now(UTC).timestamp() - max_age_s,
                                        UTC).isoformat(timespec="microseconds")
        with self._write() as tx:
            rows = tx.all("SELECT sha256, counter_id FROM attachment_uploads"
                          " WHERE complete = 0 AND updated_at < ?", (cutoff,))
            for sha, cid in rows:
                self._blob_discard(tx, _partial_key(sha, int(cid)))
                tx.execute("DELETE FROM attachment_uploads WHERE sha256 = ? AND counter_id = ?",
                           (sha, cid))
        self._purge_orphans(max_age_s)
        return len(rows)

    def _purge_orphans(self, max_age_s: float) -> None:  # noqa: B027 - optional hook
        """Dialect hook: partial bytes no row describes (e.g. from an older schema)."""

    def read_attachment_for(self, sha256: str, counter_id: int, agency_code: str) -> bytes | None:
        """Content of a complete attachment in this counter's scope, else None."""
        if sha256 not in self.attachments_visible(counter_id, agency_code, [sha256]):
            return None
        return self.read_attachment(sha256)

    # ---- catalogue -------------------------------------------------------------------------
    def publish_catalogue(self, document: str) -> str:
        """Store a catalogue document (JSON text with a "version"); refuses a version that is
        not newer than the current one, so counters never go backwards."""
        try:
            parsed = json.loads(document)
        except json.JSONDecodeError as exc:
            raise StoreError("bad_catalogue", f"catalogue is not JSON: {exc}") from exc
        if not isinstance(parsed, dict) or parsed.get("version") in (None, ""):
            raise StoreError("bad_catalogue", "catalogue must be an object with a 'version'")
        problems = catalogue_time_problems(parsed)
        if problems:
            raise StoreError("bad_catalogue", "; ".join(problems[:5]))
        version = str(parsed["version"])
        with self._write() as tx:
            cur = tx.one("SELECT version FROM catalogues ORDER BY seq DESC LIMIT 1")
            if cur is not None and version_key(version) <= version_key(cur[0]):
                raise StoreError(
                    "catalogue_not_newer", f"version {version} is not newer than {cur[0]}"
                )
            tx.execute(
                "INSERT INTO catalogues (version, document, published_at) VALUES (?, ?, ?)",
                (version, document, utcnow_iso()),
            )
        return version

    def latest_catalogue(self) -> tuple[str, str] | None:
        with self._read() as tx:
            r = tx.one("SELECT version, document FROM catalogues ORDER BY seq DESC LIMIT 1")
        return (r[0], r[1]) if r else None


# ============================================================================================
# SQLite
# ============================================================================================

_ATTACHMENT_SCOPE_DDL = [
    "DELETE FROM attachments WHERE complete = 0",  # partials now live per counter
    "CREATE TABLE attachment_uploads (sha256 TEXT NOT NULL, counter_id BIGINT NOT NULL,"
    " total BIGINT NOT NULL, received BIGINT NOT NULL, complete SMALLINT NOT NULL,"
    " updated_at TEXT NOT NULL, PRIMARY KEY (sha256, counter_id))",
    "CREATE INDEX attachment_uploads_counter ON attachment_uploads (counter_id, complete)",
    "CREATE TABLE attachment_refs (sha256 TEXT NOT NULL, agency_code TEXT NOT NULL,"
    " PRIMARY KEY (sha256, agency_code))",
]

_COMMON_DDL_TAIL = [
    "CREATE INDEX events_agency_seq ON events (agency_code, seq)",
    "CREATE INDEX events_dossier ON events (dossier_id)",
    "CREATE UNIQUE INDEX counters_active_no ON counters (agency_code, counter_no)"
    " WHERE revoked_at IS NULL",
]


class SQLiteStore(Store):
    """One file, WAL + synchronous=FULL; one connection per thread."""

    local_reads = True

    def __init__(self, path: Path, blob_dir: Path, busy_timeout_s: float = 30.0):
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self.blob_dir = Path(blob_dir)
        self._busy = busy_timeout_s
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        (self.blob_dir / "partial").mkdir(parents=True, exist_ok=True)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=self._busy, isolation_level=None, check_same_thread=False
            )
            # a new file only (ignored once the file has pages): a signed event (~5 KB of
            # payload and CMS) fits a 16 KB page; 4 KB pages put it in an overflow chain, which
            # cost ~1.6x the insert CPU (bench/bare.py uses the same size)
            conn.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={int(self._busy * 1000)}")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _tx(self, begin: str) -> Iterator[_Tx]:
        conn = self._conn()
        try:
            conn.execute(begin)
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"database busy: {exc}") from exc
        try:
            yield _Tx(conn.cursor(), "sqlite")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK")
            raise StoreUnavailable(f"commit failed: {exc}") from exc

    def _read(self) -> Any:
        return self._tx("BEGIN")

    @contextmanager
    def _one_read(self) -> Iterator[_Tx]:
        # isolation_level=None: a lone statement is its own transaction
        try:
            yield _Tx(self._conn().cursor(), "sqlite")
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"database busy: {exc}") from exc

    @contextmanager
    def _write(self, *, events_lock: bool = False) -> Iterator[_Tx]:
        # One writer at a time, for everything (BEGIN IMMEDIATE). Threads of this process
        # queue on a lock first: SQLite's busy handler polls with growing sleeps, which lets
        # unlucky threads starve for seconds under 50 concurrent counters.
        with self._write_lock, self._tx("BEGIN IMMEDIATE") as tx:
            yield tx

    def _migrations(self) -> list[list[str]]:
        return [
            [
                "CREATE TABLE counters (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " agency_code TEXT NOT NULL, counter_no INTEGER NOT NULL, centre_name TEXT,"
                " token_sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT)",
                "CREATE TABLE dossiers (dossier_id TEXT PRIMARY KEY, dossier_code TEXT NOT NULL"
                " UNIQUE, agency_code TEXT NOT NULL, first_seen TEXT NOT NULL)",
                "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL"
                " UNIQUE, dossier_id TEXT NOT NULL, dossier_code TEXT NOT NULL, type TEXT NOT NULL,"
                " occurred_at TEXT NOT NULL, origin TEXT NOT NULL, actor TEXT NOT NULL,"
                " payload BLOB NOT NULL, payload_sha256 TEXT NOT NULL, signature BLOB,"
                " attachments TEXT NOT NULL, agency_code TEXT NOT NULL,"
                " counter_id INTEGER REFERENCES counters(id), received_at TEXT NOT NULL)",
                "CREATE TABLE attachments (sha256 TEXT PRIMARY KEY, total INTEGER NOT NULL,"
                " received INTEGER NOT NULL, complete INTEGER NOT NULL, created_at TEXT NOT NULL,"
                " completed_at TEXT)",
                "CREATE TABLE catalogues (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                " version TEXT NOT NULL, document TEXT NOT NULL, published_at TEXT NOT NULL)",
                *_COMMON_DDL_TAIL,
            ],
            [  # v2: the RFC 3161 token the gateway issued for each accepted event
                "CREATE TABLE event_tsts (event_id TEXT PRIMARY KEY, tst BLOB NOT NULL,"
                " created_at TEXT NOT NULL)",
            ],
            [  # v3: attachments scoped to centres; per-counter partial uploads
                *_ATTACHMENT_SCOPE_DDL,
                "INSERT INTO attachment_refs (sha256, agency_code) SELECT DISTINCT j.value,"
                " e.agency_code FROM events e, json_each(e.attachments) j"
                " WHERE true ON CONFLICT DO NOTHING",
            ],
            [_WITNESS_DDL],  # v4: each counter's latest audit head, witnessed
            [_CHAIN_DDL, _CHAIN_BACKFILL_SQLITE],  # v5: each counter's own chain, as received
            [_WITNESS_V6, "CREATE TABLE audit_witness_breaks (id INTEGER PRIMARY KEY"
             " AUTOINCREMENT, " + _WITNESS_BREAKS_COLS],  # v6: witness computed here; breaks
        ]

    def _part(self, key: str) -> Path:
        return self.blob_dir / "partial" / f"{key}.part"

    def _final(self, sha256: str) -> Path:
        return self.blob_dir / sha256[:2] / sha256

    def _blob_write(self, tx: _Tx, sha256: str, offset: int, chunk: bytes) -> None:
        part = self._part(sha256)
        mode = "r+b" if part.exists() else "w+b"
        with Path(part).open(mode) as f:
            f.seek(offset)
            f.write(chunk)
            f.truncate()  # bytes past the DB's `received` are leftovers of a crashed append
            f.flush()
            os.fsync(f.fileno())

    def _blob_digest(self, tx: _Tx, sha256: str) -> str:
        h = hashlib.sha256()
        part = self._part(sha256)
        if not part.exists():  # total == 0: nothing was ever written
            part.touch()
        with Path(part).open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()

    def _blob_finish(self, tx: _Tx, key: str, sha256: str) -> None:
        final = self._final(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        Path(self._part(key)).replace(final)
        _fsync_dir(final.parent)

    def _purge_orphans(self, max_age_s: float) -> None:
        import time as _time

        cutoff = _time.time() - max_age_s
        for part in (self.blob_dir / "partial").glob("*.part"):
            try:
                if part.stat().st_mtime < cutoff:
                    part.unlink()
            except FileNotFoundError:
                pass

    def _blob_discard(self, tx: _Tx, sha256: str) -> None:
        self._part(sha256).unlink(missing_ok=True)

    def read_attachment(self, sha256: str) -> bytes:
        return self._final(sha256).read_bytes()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()


def _log_witness(counter_id: int, kind: str, witnessed_seq: int, first_seq: int) -> None:
    import logging

    if kind == "restore":
        logging.getLogger(__name__).warning(
            "counter %s: audit log restored at row #%s (the witness held #%s): the witness"
            " continues from the restored log", counter_id, first_seq, witnessed_seq)
    else:
        logging.getLogger(__name__).warning(
            "counter %s: audit rows no longer continue the witnessed chain (witness #%s, first"
            " row not continuing it #%s): witness kept, break recorded", counter_id,
            witnessed_seq, first_seq)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ============================================================================================
# PostgreSQL
# ============================================================================================


class _PgPool:
    """A small bounded pool that connects on demand (autocommit connections; writes use explicit
    ``conn.transaction()`` blocks). Kept instead of psycopg_pool on purpose: that pool
    reconnects in the background with a growing back-off, so after the database comes back the
    gateway kept answering 503 for seconds (tests/test_gateway_faults.py); connecting at the
    first request after an outage recovers at once, and dead connections are dropped on return.
    ``failures`` counts the connection failures seen (shared by the pools of one store); with
    ``probe``, an idle connection put back before the latest failure is checked (``SELECT 1``)
    before it is handed out, and replaced when dead: for a pool of one connection that only some
    requests reach (the events writer), which an outage would otherwise leave dead until one
    more push failed on it. Without failures there is no probe."""

    def __init__(self, url: str, max_size: int,
                 settings: str = "plan_cache_mode = force_custom_plan", *,
                 failures: list[int] | None = None, probe: bool = False):
        self._url = url
        self._settings = [f"SET {x.strip()}" for x in settings.split(";") if x.strip()]
        self._failures = failures if failures is not None else [0]
        self._probe = probe
        self._idle: queue.LifoQueue[tuple[Any, int]] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(max_size)
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[Any]:
        import psycopg

        if not self._slots.acquire(timeout=30):
            raise StoreUnavailable("no free database connection")
        conn = None
        try:
            try:
                conn, since = self._idle.get_nowait()
                if conn.closed or conn.broken:
                    conn = None
                elif self._probe and since != self._failures[0]:
                    try:
                        conn.execute("SELECT 1")
                    except psycopg.Error:
                        with contextlib.suppress(Exception):
                            conn.close()
                        conn = None
            except queue.Empty:
                conn = None
            if conn is None:
                try:
                    conn = psycopg.connect(self._url, autocommit=True, connect_timeout=10)
                    # By default, plan each execution with its own values: psycopg prepares a
                    # statement after 5 runs and PostgreSQL then may keep a generic plan made
                    # while the table was nearly empty (a sequential scan of events for every
                    # batch look-up, 3 ms a batch at 10,000 events and growing, until an
                    # autovacuum ANALYZE happens to invalidate it). Parsing is still saved.
                    # (The events writer's connection settles this otherwise: PostgresStore.)
                    for stmt in self._settings:
                        conn.execute(stmt)
                except psycopg.OperationalError as exc:
                    self._failures[0] += 1
                    raise StoreUnavailable(f"cannot connect to the database: {exc}") from exc
            try:
                yield conn
            except psycopg.OperationalError as exc:
                self._failures[0] += 1
                raise StoreUnavailable(f"database error: {exc}") from exc
        finally:
            if conn is not None:
                if conn.closed or conn.broken or self._closed:
                    with contextlib.suppress(Exception):  # closing a dead connection
                        conn.close()
                else:
                    self._idle.put((conn, self._failures[0]))
            self._slots.release()

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait()[0].close()
            except queue.Empty:
                return


#: ``INSERT INTO t (a, b) VALUES (?, ?) [tail]``, the multi-row insert _PgTx sends as one statement
_INSERT_VALUES_RE = re.compile(r"\s*INSERT INTO (\w+) \(([\w\s,]+)\) VALUES \(([?,\s]+)\)(.*)",
                               re.DOTALL)


#: column types a binary COPY row can carry as our Python values (str, bytes, int, bool)
_COPY_TYPES = frozenset({"text", "bytea", "bigint", "integer", "smallint", "boolean"})


class _PgTx(_Tx):
    """The PostgreSQL cursor wrapper: ``executemany`` of a plain ``INSERT … VALUES (?, …)``
    becomes ONE statement: a binary ``COPY`` when it has no tail, else ``INSERT … SELECT *
    FROM unnest(<one array per column>)`` with the same ON CONFLICT tail (DO NOTHING also
    skips a repeat of a key within the one statement, as row by row). psycopg's executemany
    runs the statement once per row (pipelined, but each row still costs a Bind/Execute on
    both sides: ~80 µs of server CPU per event row); one statement costs a fraction of that,
    and less time under the events lock. Same rows in the same order (so ``seq`` follows it)."""

    def __init__(self, cur: Any, column_types: Any):
        super().__init__(cur, "pg")
        self._column_types = column_types

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        rows = [tuple(r) for r in rows]
        m = _INSERT_VALUES_RE.fullmatch(sql)
        if len(rows) < 2 or m is None or "?" in m[4]:
            super().executemany(sql, rows)
            return
        table, cols = m[1], [c.strip() for c in m[2].split(",")]
        types = self._column_types(self, table)
        if m[3].count("?") != len(cols) or any(c not in types for c in cols) \
                or any(len(r) != len(cols) for r in rows):
            super().executemany(sql, rows)
            return
        if not m[4].strip() and all(types[c] in _COPY_TYPES for c in cols):
            # no ON CONFLICT tail: binary COPY, whose rows psycopg formats in C (the arrays
            # below are built element by element in Python: ~10 µs per event of a push)
            with self._cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN"
                                " (FORMAT BINARY)") as copy:
                copy.set_types([types[c] for c in cols])
                for row in rows:
                    copy.write_row(row)
            return
        # %b: each array travels in PostgreSQL's binary format; psycopg's text format for
        # arrays is escaped element by element in Python (~200 µs per event row of bytea) and
        # parsed again by the server
        arrays = ", ".join(f"%b::{types[c]}[]" for c in cols)
        self._cur.execute(f"INSERT INTO {table} ({', '.join(cols)})"  # noqa: S608 - names from our own SQL, values are parameters
                          f" SELECT * FROM unnest({arrays}){_pg_sql(m[4])}",
                          [list(c) for c in zip(*rows, strict=True)])

    def pg_all(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Rows of one statement written in psycopg's own placeholders (``%s``, ``%b``)."""
        return list(self._cur.execute(sql, params).fetchall())


#: The look-ups of a push (before the events lock, and again under it) as ONE statement over
#: array parameters: one text whatever the number of keys, so psycopg prepares it and the
#: server parses it once per connection (``IN (?, …)`` was a new text per group size, parsed
#: afresh each time), and one statement instead of two or three (each planned and executed).
#: The arrays travel in the binary format (%b). The dossiers by id and by code are two branches,
#: each an index scan: with ``dossier_id = ANY(…) OR dossier_code = ANY(…)`` the planner often
#: chose to read the whole dossiers table (its estimate for the bitmap OR of ~200 keys exceeds a
#: sequential scan of a young table: 2.7 ms a group at 30,000 dossiers, and growing).
_PG_LOOKUP = ("SELECT false, id, payload_sha256, NULL FROM events WHERE id = ANY(%b::text[])"
              " UNION ALL SELECT true, dossier_id, dossier_code, agency_code FROM dossiers"
              " WHERE dossier_id = ANY(%b::text[])")
#: under the lock, the dossiers by code too (a new dossier's code may already be taken)
_PG_LOCKED_LOOKUP = (_PG_LOOKUP + " UNION ALL SELECT true, dossier_id, dossier_code,"  # noqa: S608 - constant text
                     " agency_code FROM dossiers WHERE dossier_code = ANY(%b::text[])")


#: v7 (PostgreSQL only). An event row is ~2 KB of signed JSON + ~3 KB of CMS. With the defaults
#: (pglz past a 2 KB row) every insert ran pglz over both and moved the signature to TOAST: a
#: third of the server's CPU per event, 6.5 KB on disk. With lz4 and rows kept whole up to 4 KB:
#: about half the server CPU of that part and 4.3 KB per event (two rows a page, the signature
#: inline). Where the server lacks lz4 (built without it, or before PostgreSQL 14) rows up to
#: 8 KB stay whole and uncompressed instead (as little CPU, 8.4 KB per event). The same for
#: the ~3.7 KB RFC 3161 token of each event (event_tsts; not measured separately). Only rows
#: written from now on; pulls decompress lz4 faster than pglz.
_EVENTS_STORAGE_PG = """DO $$ BEGIN
IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'
           AND 'lz4' = ANY(enumvals)) THEN
  EXECUTE 'ALTER TABLE events ALTER COLUMN payload SET COMPRESSION lz4,'
          ' ALTER COLUMN signature SET COMPRESSION lz4, SET (toast_tuple_target = 4080)';
  EXECUTE 'ALTER TABLE event_tsts ALTER COLUMN tst SET COMPRESSION lz4,'
          ' SET (toast_tuple_target = 4080)';
ELSE
  EXECUTE 'ALTER TABLE events SET (toast_tuple_target = 8160)';
  EXECUTE 'ALTER TABLE event_tsts SET (toast_tuple_target = 8160)';
END IF;
END $$"""


#: v8 (PostgreSQL only): events.counter_id without its foreign key to counters. The key never
#: fired: an event's counter_id is the id of the counter whose token authenticated the push
#: (``counter_by_token``, a row read from counters) and counters are never deleted (revoking sets
#: revoked_at), and province events have none. Its check was a query per inserted row (an RI
#: trigger, ~10% of the server's CPU per event). The constraint is found by what it is (the
#: foreign key of events), not by the name PostgreSQL gave it.
_EVENTS_NO_COUNTER_FK_PG = """DO $$ DECLARE c name; BEGIN
FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'events'::regclass
         AND contype = 'f' AND confrelid = 'counters'::regclass LOOP
  EXECUTE format('ALTER TABLE events DROP CONSTRAINT %I', c);
END LOOP;
END $$"""


#: v9 (PostgreSQL only): the text keys that every pushed event probes and inserts into (event
#: ids, dossier ids and codes, centres, token hashes, chain keys) compare byte by byte (COLLATE
#: "C") instead of by the database's locale: their btree indexes were half of the server's CPU
#: per event, and a locale comparison (strcoll) costs several times a memcmp (~10% of the
#: server's CPU per event less even under C.UTF-8, more under a language's locale). They are
#: identifiers, never sorted for people; byte order is also SQLite's. Equality is unchanged (the
#: locales PostgreSQL uses by default are deterministic). The tables are not rewritten; their
#: indexes on these columns are rebuilt once (on a large database that takes a while, under
#: the table's lock: plan the upgrade).
_TEXT_KEYS_C_PG = [
    "ALTER TABLE events ALTER COLUMN id TYPE TEXT COLLATE \"C\","
    " ALTER COLUMN dossier_id TYPE TEXT COLLATE \"C\", ALTER COLUMN agency_code TYPE TEXT"
    " COLLATE \"C\"",
    "ALTER TABLE dossiers ALTER COLUMN dossier_id TYPE TEXT COLLATE \"C\","
    " ALTER COLUMN dossier_code TYPE TEXT COLLATE \"C\"",
    "ALTER TABLE counters ALTER COLUMN token_sha256 TYPE TEXT COLLATE \"C\"",
    "ALTER TABLE counter_chain ALTER COLUMN agency_code TYPE TEXT COLLATE \"C\","
    " ALTER COLUMN event_id TYPE TEXT COLLATE \"C\"",
    "ALTER TABLE event_tsts ALTER COLUMN event_id TYPE TEXT COLLATE \"C\"",
]


class PostgresStore(Store):
    """Many gateway processes over one PostgreSQL; attachment bytes as bytea chunks."""

    def __init__(self, url: str, pool_size: int = 8):
        self.url = url
        failures = [0]  # connection failures seen by either pool (see _PgPool)
        self._pool = _PgPool(url, pool_size, failures=failures)
        # The event writes (one group commit at a time per process, see insert_events) on a
        # connection of their own: the same server backend every time, so its prepared
        # statements are reused (psycopg prepares a statement on its 5th run on a connection)
        # and it has the events table's and indexes' buffers mapped already (a backend's first
        # touch of a shared buffer is a page fault: ~10% of the server CPU when each group
        # landed on another of the pool's backends)
        # Its statements are fixed (the lock, the look-up over the unique indexes, multi-row
        # inserts), so it plans them once: generic plans, and no sequential scan (with them the
        # planner read the whole young dossiers table for a group's ~200 keys until it held some
        # 20,000 rows, 2 ms a group; the index probes cost ~0.2 ms at any size). Planning each
        # execution was ~10% of the server's CPU per event.
        fixed = "plan_cache_mode = force_generic_plan; enable_seqscan = off"
        self._events_pool = _PgPool(url, 1, fixed, failures=failures, probe=True)
        # The two look-ups of every push (the token, then the push's events and dossiers: unique
        # index probes, see _one_read) likewise, on connections of their own: planning them
        # afresh each time was ~10% of the server's CPU per event
        self._keys_pool = _PgPool(url, pool_size, fixed, failures=failures, probe=True)
        self._types: dict[str, dict[str, str]] = {}
        self._types_lock = threading.Lock()

    def _column_types(self, tx: _Tx, table: str) -> dict[str, str]:
        """Column name -> SQL type of ``table`` (read from the catalogue once per process)."""
        types = self._types.get(table)
        if types is None:
            types = {r[0]: r[1] for r in tx.all(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped", (table,))}
            with self._types_lock:
                self._types[table] = types
        return types

    def batch_lookup(self, ids: Sequence[str], dossier_ids: Sequence[str]
                     ) -> tuple[dict[str, str], dict[str, Any]]:
        from sync.gateway.authz import KnownDossier

        known: dict[str, str] = {}
        dossiers: dict[str, Any] = {}
        if not ids and not dossier_ids:
            return known, dossiers
        with self._one_read() as tx:  # one statement: one snapshot, no transaction around it
            for is_dossier, key, a, b in tx.pg_all(_PG_LOOKUP, (list(ids), list(dossier_ids))):
                if is_dossier:
                    dossiers[key] = KnownDossier(a, b)
                else:
                    known[key] = a
        return known, dossiers

    def _locked_lookup(self, tx: _Tx, ids: Sequence[str], d_ids: Sequence[str],
                       d_codes: Sequence[str]) -> tuple[dict[str, str], dict[str, tuple[str, str]],
                                                       dict[str, tuple[str, str]]]:
        known: dict[str, str] = {}
        by_id: dict[str, tuple[str, str]] = {}
        by_code: dict[str, tuple[str, str]] = {}
        for is_dossier, key, a, b in cast(_PgTx, tx).pg_all(_PG_LOCKED_LOOKUP,
                                               (list(ids), list(d_ids), list(d_codes))):
            if is_dossier:
                by_id[key] = (a, b)
                by_code[a] = (key, b)
            else:
                known[key] = a
        return known, by_id, by_code

    @contextmanager
    def _read(self) -> Iterator[_Tx]:
        from psycopg import IsolationLevel

        with self._pool.connection() as conn:
            # one round trip: BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY (was BEGIN, then
            # SET TRANSACTION); the connection goes back to the pool with the defaults
            conn.isolation_level, conn.read_only = IsolationLevel.REPEATABLE_READ, True
            try:
                with conn.transaction(), conn.cursor() as cur:
                    yield _PgTx(cur, self._column_types)
            finally:
                conn.isolation_level, conn.read_only = None, None

    @contextmanager
    def _one_read(self) -> Iterator[_PgTx]:
        # autocommit connection: one round trip instead of BEGIN … COMMIT around it. Only for
        # look-ups by the keys of unique indexes (counter_by_token, batch_lookup): these
        # connections plan once and never scan a table whole (see __init__)
        with self._keys_pool.connection() as conn, conn.cursor() as cur:
            yield _PgTx(cur, self._column_types)

    @contextmanager
    def _write(self, *, events_lock: bool = False) -> Iterator[_Tx]:
        pool = self._events_pool if events_lock else self._pool
        with pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            tx = _PgTx(cur, self._column_types)
            if events_lock:
                tx.execute("SELECT pg_advisory_xact_lock(?)", (EVENTS_LOCK_KEY,))
            yield tx

    def migrate(self) -> int:
        # Two processes starting together must not both run the DDL.
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK_KEY,))
            tx = _Tx(cur, "pg")
            tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = tx.one("SELECT version FROM schema_version")
            current = int(row[0]) if row else 0
            if row is None:
                tx.execute("INSERT INTO schema_version (version) VALUES (0)")
            migrations = self._migrations()
            for version in range(current + 1, len(migrations) + 1):
                for stmt in migrations[version - 1]:
                    tx.execute(stmt)
                tx.execute("UPDATE schema_version SET version = ?", (version,))
        return len(self._migrations())

    def _migrations(self) -> list[list[str]]:
        return [
            [
                "CREATE TABLE counters (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                " agency_code TEXT NOT NULL, counter_no INTEGER NOT NULL, centre_name TEXT,"
                " token_sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT)",
                "CREATE TABLE dossiers (dossier_id TEXT PRIMARY KEY, dossier_code TEXT NOT NULL"
                " UNIQUE, agency_code TEXT NOT NULL, first_seen TEXT NOT NULL)",
                "CREATE TABLE events (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " id TEXT NOT NULL UNIQUE, dossier_id TEXT NOT NULL, dossier_code TEXT NOT NULL,"
                " type TEXT NOT NULL, occurred_at TEXT NOT NULL, origin TEXT NOT NULL,"
                " actor TEXT NOT NULL, payload BYTEA NOT NULL, payload_sha256 TEXT NOT NULL,"
                " signature BYTEA, attachments TEXT NOT NULL, agency_code TEXT NOT NULL,"
                " counter_id BIGINT REFERENCES counters(id), received_at TEXT NOT NULL)",
                "CREATE TABLE attachments (sha256 TEXT PRIMARY KEY, total BIGINT NOT NULL,"
                " received BIGINT NOT NULL, complete SMALLINT NOT NULL, created_at TEXT NOT NULL,"
                " completed_at TEXT)",
                "CREATE TABLE attachment_chunks (sha256 TEXT NOT NULL, pos BIGINT NOT NULL,"
                " data BYTEA NOT NULL, PRIMARY KEY (sha256, pos))",
                "CREATE TABLE catalogues (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " version TEXT NOT NULL, document TEXT NOT NULL, published_at TEXT NOT NULL)",
                *_COMMON_DDL_TAIL,
            ],
            [  # v2: the RFC 3161 token the gateway issued for each accepted event
                "CREATE TABLE event_tsts (event_id TEXT PRIMARY KEY, tst BYTEA NOT NULL,"
                " created_at TEXT NOT NULL)",
            ],
            [  # v3: attachments scoped to centres; per-counter partial uploads
                *_ATTACHMENT_SCOPE_DDL,
                "INSERT INTO attachment_refs (sha256, agency_code) SELECT DISTINCT"
                " jsonb_array_elements_text(attachments::jsonb), agency_code FROM events"
                " ON CONFLICT DO NOTHING",
                "DELETE FROM attachment_chunks WHERE sha256 NOT IN"
                " (SELECT sha256 FROM attachments WHERE complete = 1)",
            ],
            [_WITNESS_DDL],  # v4: each counter's latest audit head, witnessed
            [_CHAIN_DDL, _CHAIN_BACKFILL_PG],  # v5: each counter's own chain, as received
            [_WITNESS_V6, "CREATE TABLE audit_witness_breaks (id BIGINT GENERATED ALWAYS AS"
             " IDENTITY PRIMARY KEY, " + _WITNESS_BREAKS_COLS],  # v6: witness computed; breaks
            [_EVENTS_STORAGE_PG],  # v7 (PostgreSQL only): how an event row is stored
            [_EVENTS_NO_COUNTER_FK_PG],  # v8 (PostgreSQL only): no per-row counter_id check
            _TEXT_KEYS_C_PG,  # v9 (PostgreSQL only): text keys compared byte by byte
        ]

    def _lock_witness(self, tx: _Tx, counter_id: int) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(?, ?)", (WITNESS_LOCK_CLASS, int(counter_id)))

    def _lock_upload(self, tx: _Tx, sha256: str, counter_id: int) -> Any:
        # one counter's chunks of one upload append one after the other
        tx.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (_partial_key(sha256, counter_id),))
        return super()._lock_upload(tx, sha256, counter_id)

    def _blob_write(self, tx: _Tx, sha256: str, offset: int, chunk: bytes) -> None:
        tx.execute(
            "INSERT INTO attachment_chunks (sha256, pos, data) VALUES (?, ?, ?)"
            " ON CONFLICT (sha256, pos) DO UPDATE SET data = EXCLUDED.data",
            (sha256, offset, chunk),
        )

    def _iter_chunks(self, tx: _Tx, sha256: str) -> Iterator[bytes]:
        pos = -1
        while True:  # one chunk at a time: a 20 MB scan never sits in memory whole
            r = tx.one(
                "SELECT pos, data FROM attachment_chunks WHERE sha256 = ? AND pos > ?"
                " ORDER BY pos LIMIT 1",
                (sha256, pos),
            )
            if r is None:
                return
            pos = int(r[0])
            yield bytes(r[1])

    def _blob_digest(self, tx: _Tx, sha256: str) -> str:
        h = hashlib.sha256()
        for chunk in self._iter_chunks(tx, sha256):
            h.update(chunk)
        return h.hexdigest()

    def _blob_finish(self, tx: _Tx, key: str, sha256: str) -> None:
        tx.execute("DELETE FROM attachment_chunks WHERE sha256 = ?", (sha256,))
        tx.execute("UPDATE attachment_chunks SET sha256 = ? WHERE sha256 = ?", (sha256, key))

    def _blob_discard(self, tx: _Tx, sha256: str) -> None:
        tx.execute("DELETE FROM attachment_chunks WHERE sha256 = ?", (sha256,))

    def read_attachment(self, sha256: str) -> bytes:
        with self._read() as tx:
            return b"".join(self._iter_chunks(tx, sha256))

    def close(self) -> None:
        self._pool.close()
        self._events_pool.close()
        self._keys_pool.close()


def open_store(url: str | None, data_dir: Path | None = None, *, pg_pool_size: int = 8) -> Store:
    """Open (and migrate) the store named by ``url``: ``sqlite:///path``, a bare file path, or
    ``postgresql://…``. With no URL, ``gateway.sqlite3`` in ``data_dir``."""
    if not url:
        if data_dir is None:
            raise StoreError("no_store", "neither a database URL nor a data folder was given")
        # absolute first: "sqlite:///" + a relative path would read as a path from the root
        url = f"sqlite:///{Path(data_dir).expanduser().absolute() / 'gateway.sqlite3'}"
    store: Store
    if url.startswith(("postgresql://", "postgres://")):
        store = PostgresStore(url, pool_size=pg_pool_size)
    else:
        path_text = url[len("sqlite://"):] if url.startswith("sqlite://") else url
        if re.match(r"^/[A-Za-z]:[/\\]", path_text):  # sqlite:///C:/x on Windows
            path_text = path_text[1:]
        if path_text.startswith("//"):  # sqlite:////abs/path (SQLAlchemy spelling)
            path_text = path_text[1:]
        if "://" in path_text or not path_text:
            raise StoreError("bad_db_url", "database URL must be sqlite:///path or postgresql://…")
        path = Path(path_text).expanduser()
        blob_dir = (Path(data_dir).expanduser().absolute() if data_dir else path.parent) \
            / "attachments"
        store = SQLiteStore(path, blob_dir)
    store.migrate()
    return store
