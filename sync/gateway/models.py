"""Pydantic models that describe the API in the OpenAPI document.

The hot paths (push, pull) build their JSON by hand and are only *documented* with these models,
so a 500-event batch is not validated twice; small endpoints use them directly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class WireEventModel(BaseModel):
    id: str = Field(description="event UUID (v7); the idempotency key")
    dossier_id: str
    dossier_code: str
    type: str
    occurred_at: str = Field(description="ISO 8601 with offset, e.g. 2026-11-23T09:15:02+07:00")
    origin: Literal["counter", "province"]
    actor: str
    payload: str = Field(description="base64 of the exact signed bytes (RFC 8785 JSON body)")
    signature: str | None = Field(description="base64 DER detached CMS; null for province events")
    attachments: list[str] = Field(default_factory=list, description="sha256 hex of attachments")


class AuditHeadModel(BaseModel):
    seq: int = Field(ge=0)
    hash: str = Field(pattern="^[0-9a-f]{64}$")


class PushRequest(BaseModel):
    events: list[WireEventModel]
    audit_head: AuditHeadModel | None = Field(
        default=None, description="the counter's audit chain head as it claims it (older "
        "counters); kept as its witness until the counter sends audit_rows")
    audit_rows: list[list[int | str]] | None = Field(
        default=None, max_length=2000,
        description="the counter's audit rows [seq, at, actor, counter, action, subject, detail,"
        " hash] from the row after the witnessed head (consecutive seqs): the gateway recomputes"
        " the chain from the head it holds and keeps the head it computed; rows that do not "
        "continue it are recorded as a break (the witness stays)")


class AuditWitnessModel(BaseModel):
    seq: int = Field(description="the audit row the gateway now witnesses (0: none)")
    hash: str
    status: Literal["ok", "behind", "break", "restore", "unchanged"] = Field(
        description="ok: advanced; behind: the rows must start at seq + 1; break: the rows do "
        "not continue the witnessed chain (recorded, witness kept); restore: continued from "
        "the counter's audited store.restore row (recorded); unchanged: nothing new")


class WitnessBreakModel(BaseModel):
    kind: Literal["break", "restore"]
    witnessed_seq: int
    witnessed_hash: str
    first_seq: int = Field(description="break: the first row that did not continue the "
                           "witnessed chain; restore: the store.restore row")
    at: str


class ChainEventModel(BaseModel):
    seq: int
    hash: str


class CounterChainModel(BaseModel):
    """What the gateway holds of the calling counter's own chain (counter_seq 1, 2, 3 …)."""

    events: int = Field(description="events of this counter held (v2 bodies)")
    last_seq: int = Field(description="highest counter_seq held (0: none)")
    last: ChainEventModel | None = Field(default=None, description="the event held under "
                                         "last_seq: {seq, hash of its signed bytes}")
    held: list[list[int]] = Field(description="[first, last] ranges of counter_seq held")
    gaps: list[list[int]] = Field(description="[first, last] ranges missing below last_seq "
                                  "(in flight, queued or parked at the counter — or lost)")
    forks: list[int] = Field(description="counter_seq held with two different events")
    breaks: list[int] = Field(description="counter_seq whose counter_prev is not the hash of "
                              "the event held under the number before")
    truncated: bool = False


class WitnessResponse(BaseModel):
    audit_head: AuditHeadModel | None
    at: str | None = None
    time_stamps: bool | None = Field(
        default=None, description="whether this gateway time-stamps (RFC 3161) what it accepts")
    counter_chain: CounterChainModel | None = None
    computed: bool = Field(default=False, description="the head was computed here from the "
                           "counter's audit rows (not only claimed by it)")
    breaks: list[WitnessBreakModel] = Field(
        default_factory=list, description="times the counter's audit rows did not continue the "
        "witnessed chain (and audited restores), oldest first, at most the newest 100")


class PushResultModel(BaseModel):
    id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = Field(
        default=None,
        description="machine code when rejected: malformed, not_canonical, envelope_mismatch,"
        " bad_origin, signature_missing, wrong_counter, id_conflict, dossier_conflict,"
        " attachment_missing, attachment_mismatch; the authorization table's codes:"
        " type_not_allowed, province_only, bad_code, not_your_code, future_dated,"
        " not_your_dossier, unknown_dossier; too_deep, number_too_large;"
        " and the signature verifier's codes:"
        " digest_mismatch, bad_signature, signature_malformed, untrusted, revoked,"
        " expired_at_signing, not_yet_valid_at_signing, key_usage, no_crl",
    )
    detail: str | None = None
    tst: str | None = Field(
        default=None,
        description="accepted or duplicate events, when the gateway is a time-stamping"
        " authority: base64 DER RFC 3161 TimeStampToken over the event's CMS signature value"
        " (the CMS unsigned attribute signatureTimeStampToken)",
    )


class PushResponse(BaseModel):
    results: list[PushResultModel]
    server_time: str
    time_stamps: bool | None = Field(
        default=None, description="whether this gateway time-stamps (RFC 3161) what it "
        "accepts: each accepted or duplicate result then carries `tst`, and a counter counts "
        "an event as acknowledged only with that token")
    audit_witness: AuditWitnessModel | None = Field(
        default=None, description="with audit_rows: the head the gateway witnesses now")


class PullResponse(BaseModel):
    events: list[WireEventModel]
    cursor: str = Field(description="opaque; pass back as ?since= to continue")
    more: bool = Field(description="true when the page was full: pull again at once")
    last_code: str | None = Field(
        default=None, description="with ?code_prefix=: the counter's highest code of that day "
                                  "held by the gateway (null: none)")
    tsts: dict[str, str] | None = Field(
        default=None, description="when the gateway is a time-stamping authority: event id ->"
                                  " base64 DER RFC 3161 token over that event's signature value")
    rotation_sha256: str | None = Field(
        default=None, description="SHA-256 of the newest announced signing certificate for "
                                  "province events: a counter that does not pin it yet reads "
                                  "/gateway-rotations")


class AttachmentStateModel(BaseModel):
    sha256: str
    size: int
    received: int
    complete: bool
    prefix_sha256: str | None = Field(
        default=None, description="SHA-256 of the bytes this counter's partial upload holds:"
        " resume only if it matches the local file's first `received` bytes, else restart")


class ErrorModel(BaseModel):
    """Every error answer of the gateway (4xx and 5xx), whatever raised it."""

    reason: str = Field(description="machine-readable reason code, e.g. bad_request, bad_json,"
                        " too_deep, number_too_large, bad_cursor, missing_token, unknown_token,"
                        " counter_revoked, not_found, too_large, partial_quota, hash_mismatch,"
                        " store_unavailable, internal_error")
    detail: str = Field(description="human-readable explanation (English)")


class OffsetErrorModel(ErrorModel):
    received: int = Field(description="bytes the gateway has: resume the upload from here")
    size: int
    complete: bool


class TimeResponse(BaseModel):
    server_time: str
    unix_ms: int


class HealthResponse(BaseModel):
    status: str
    store: str


class GatewayCertificateResponse(BaseModel):
    """The certificate that signs province events (counters pin its SHA-256)."""

    pem: str
    sha256: str
    subject: str


class RotationAnnouncementModel(BaseModel):
    payload: str = Field(description="base64 of the RFC 8785 JSON announcement (sync/rotation.py)")
    signature: str = Field(description="base64 DER detached CMS over payload, by the certificate"
                                       " being replaced")


class GatewayRotationsResponse(BaseModel):
    """Announcements of new signing certificates for province events, oldest first."""

    rotations: list[RotationAnnouncementModel]


class ProvinceActRequest(BaseModel):
    dossier_code: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    action: Literal["processing", "supplement", "result-ready", "reject", "fee"]
    note: str | None = Field(default=None, max_length=2000)


class ProvinceActResponse(BaseModel):
    event: WireEventModel
    status: str
