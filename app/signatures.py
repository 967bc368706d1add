"""Re-verifying the store and exporting evidence for an outside party.

`verify_store` streams the store (constant memory: one dossier's events at a time, chain facts
spilled into a TEMP table) and checks, against someone who can write the file and has read the
source:

* every event carries a valid CMS signature from the key its origin requires — a clerk's
  certificate for counter events, the gateway's pinned certificate for province events; a
  NULL signature or a relabelled origin fails;
* the CMS signer is the certificate named in the signed ``signer`` field (clerk2's CMS over
  bytes naming clerk1 fails);
* the event's columns match its signed body; the dossier row, its attachments and its status
  are exactly what the signed events say;
* the dossier chain (``dossier_prev``) and this counter's own chain (``counter_seq``,
  ``counter_prev``) have no hole, so a deleted, inserted or reordered event or a deleted whole
  dossier is named; gaps in this counter's daily code numbers are reported;
* the audit rows anchored by signed ``audit_head`` values still hash to what was signed.

v1 events (stores from before format v2) verify as before; the chains start at the first v2
event (audit action ``evidence.chain_start``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import evidence
from app.binding import BindingCache
from app.context import Counter
from app.errors import UserError
from app.status import derive_status
from app.trust import load_trust
from localdb import audit
from localdb import dossiers as repo
from localdb.search import search_text

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hashes

log = logging.getLogger(__name__)

# Projection columns and where they come from in the signed first event's data.
_PROJECTION: dict[str, Callable[[dict[str, Any]], Any]] = {
    "code": lambda d: d["code"],
    "procedure_code": lambda d: d["procedure"]["code"],
    "procedure_name": lambda d: d["procedure"]["name"],
    "applicant_name": lambda d: d["applicant"]["full_name"],
    "citizen_id": lambda d: d["applicant"].get("citizen_id") or "",
    "phone": lambda d: d["applicant"].get("phone") or "",
    "channel": lambda d: d["channel"],
    "received_at": lambda d: d["received_at"],
    "clerk": lambda d: d["clerk"]["username"],
}

FIRST_TYPES = ("received", "refused", "submitted_online")

_PROBLEM_TEXT = {
    "unsigned": ("sự kiện không có chữ ký", "event has no signature"),
    "body_mismatch": ("cột của sự kiện khác nội dung đã ký", "event columns differ from the signed body"),
    "origin_mismatch": ("nguồn (quầy/tỉnh) ghi trong kho khác nội dung đã ký",
                        "the origin (counter/province) stored differs from the signed body"),
    "payload_unreadable": ("nội dung đã ký không đọc được", "signed body is unreadable"),
    "signer_mismatch": ("chữ ký không phải của chứng thư được ghi trong nội dung đã ký",
                        "the signature is not made by the certificate named in the signed body"),
    "not_gateway": ("sự kiện của tỉnh không được ký bằng chứng thư đã ghim của cổng tỉnh",
                    "province event is not signed by the gateway's pinned certificate"),
    "gateway_retired": ("sự kiện của tỉnh được ký bằng chứng thư cũ của cổng tỉnh sau thời điểm "
                        "chứng thư đó đã được thay thế",
                        "province event signed by a replaced gateway certificate after the "
                        "moment it was replaced"),
    "gateway_as_counter": ("sự kiện của quầy lại được ký bằng chứng thư của cổng tỉnh",
                           "counter event is signed by the gateway's certificate"),
    "no_gateway_pin": ("chưa ghim chứng thư của cổng tỉnh nên không kiểm được sự kiện của tỉnh",
                       "no pinned gateway certificate: province events cannot be checked"),
    "v1_after_upgrade": ("sự kiện định dạng cũ (v1) xuất hiện sau khi đã chuyển sang v2",
                         "old-format (v1) event appears after the switch to v2"),
    "row_mismatch": ("dữ liệu hồ sơ khác nội dung đã ký", "dossier row differs from the signed data"),
    "attachments_mismatch": ("danh sách tệp đính kèm khác nội dung đã ký",
                             "attachment list differs from the signed data"),
    "status_mismatch": ("trạng thái khác trạng thái suy ra từ sự kiện",
                        "status differs from the one derived from events"),
    "no_receipt": ("hồ sơ không có sự kiện tiếp nhận do quầy ký",
                   "the dossier has no received event signed at a counter"),
    "dossier_chain": ("chuỗi sự kiện của hồ sơ bị đứt", "the dossier's event chain is broken"),
    "counter_chain": ("chuỗi sự kiện của quầy bị đứt", "the counter's event chain is broken"),
    "code_gap": ("thiếu số hồ sơ trong ngày (hồ sơ bị xoá?)",
                 "daily dossier numbers are missing (dossier deleted?)"),
    "audit_anchor": ("nhật ký khác với đầu chuỗi nhật ký đã được ký",
                     "the audit log differs from the signed audit head"),
    "trigger_missing": ("thiếu ràng buộc bảo vệ dữ liệu (chạy 'motcua repair')",
                        "a protective trigger is missing (run 'motcua repair')"),
    "not_queued": ("sự kiện chưa được cổng tỉnh xác nhận mà không còn trong hàng đợi gửi "
                   "(chạy 'motcua repair')",
                   "event never acknowledged by the gateway and no longer queued "
                   "(run 'motcua repair')"),
    "not_acknowledged": ("sự kiện được ghi là đã gửi nhưng cổng tỉnh chưa xác nhận đã nhận "
                         "(không có dấu thời gian) — chạy 'motcua repair'",
                         "event marked sent but not acknowledged by the gateway (no time-stamp "
                         "token) — run 'motcua repair'"),
    "audit_orphan": ("nhật ký ghi một sự kiện không còn (bị xoá?)",
                     "an audit row names an event that is gone (deleted?)"),
    "pin_unaudited": ("chứng thư cổng tỉnh được ghim mà nhật ký không ghi nhận (bị thêm vào tệp?)",
                      "a pinned gateway certificate the audit log never recorded (added to "
                      "the file?)"),
    "binding_unaudited": ("chứng thư gắn với tài khoản khác với nhật ký (bị thêm, gỡ hoặc mở "
                          "lại trong tệp?)",
                          "a certificate binding differs from the audit log (added, removed "
                          "or re-opened in the file?)"),
    "orphan_event": ("sự kiện thuộc hồ sơ không tồn tại (hồ sơ bị xoá?)",
                     "event of a dossier that does not exist (dossier deleted?)"),
    "anchor_unaudited": ("chứng thư tin cậy trong thư mục trust/anchors mà nhật ký không ghi "
                         "nhận (bị chép vào tay?)",
                         "a trusted certificate in trust/anchors that the audit log never "
                         "recorded (copied in by hand?)"),
}


#: problems of the store as a whole (chains, numbering, audit log, queue, protections): the
#: dossier named, if any, is where the hole shows, not a dossier whose signed data is wrong
STORE_PROBLEMS = frozenset({"counter_chain", "code_gap", "audit_anchor", "trigger_missing",
                            "not_queued", "not_acknowledged", "audit_orphan", "pin_unaudited",
                            "orphan_event", "binding_unaudited", "anchor_unaudited"})

#: short words for each kind of store problem (the summary line of `motcua verify`)
STORE_PROBLEM_WORDS = {
    "counter_chain": ("chuỗi sự kiện của quầy bị đứt", "counter event chain broken"),
    "code_gap": ("thiếu số hồ sơ", "dossier numbers missing"),
    "audit_anchor": ("nhật ký khác đầu chuỗi đã ký", "audit log differs from the signed heads"),
    "trigger_missing": ("thiếu ràng buộc bảo vệ", "protective trigger missing"),
    "not_queued": ("sự kiện không còn trong hàng đợi gửi", "event no longer queued"),
    "not_acknowledged": ("sự kiện ghi là đã gửi mà cổng tỉnh chưa xác nhận",
                         "event marked sent, not acknowledged by the gateway"),
    "audit_orphan": ("nhật ký ghi sự kiện không còn", "audit row names a missing event"),
    "pin_unaudited": ("chứng thư cổng tỉnh ghim không có trong nhật ký",
                      "gateway pin not in the audit log"),
    "orphan_event": ("sự kiện không thuộc hồ sơ nào", "event without its dossier"),
    "binding_unaudited": ("chứng thư gắn với tài khoản không khớp nhật ký",
                          "certificate binding not in the audit log"),
    "anchor_unaudited": ("chứng thư tin cậy không có trong nhật ký",
                         "trust anchor not in the audit log"),
}


def is_store_problem(p: dict[str, Any]) -> bool:
    return bool(p.get("store")) or p["problem"] in STORE_PROBLEMS or not p["code"]


def _short_words(p: dict[str, Any]) -> tuple[str, str]:
    """A store problem's kind in a few words (summary line); never the bare code."""
    words = STORE_PROBLEM_WORDS.get(p["problem"]) or p.get("short")
    if words is None:
        words = _PROBLEM_TEXT.get(p["problem"]) or (f"vấn đề khác [{p['problem']}]",
                                                    f"other problem [{p['problem']}]")
    return words[0], words[1]


@dataclass
class VerifyReport:
    dossiers: int = 0
    signatures: int = 0
    events: int = 0
    # {code, event_id, problem, message_vi, message_en, detail (en), detail_vi}
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: set[str] = field(default_factory=set)
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)  # warning -> (vi, en) words
    timestamped: int = 0  # counter signatures with a verified RFC 3161 time proof
    not_timestamped: list[str] = field(default_factory=list)  # dossier codes awaiting a token
    #                                                           (the first 10,000 listed)
    not_timestamped_total: int = 0  # every dossier awaiting a token, listed or not
    _last_unstamped: str = field(default="", repr=False)
    gateway_time_stamps: bool = True  # as proven (app.timestamps): decides the "no token" note

    @property
    def bad_dossiers(self) -> list[str]:
        """Dossiers whose own signed data does not verify (store problems not counted)."""
        return sorted({p["code"] for p in self.problems if not is_store_problem(p)})

    @property
    def store_problems(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if is_store_problem(p)]

    def problems_of(self, code: str) -> list[dict[str, Any]]:
        return [p for p in self.problems if p["code"] == code]

    def summary(self, lang: str = "vi") -> str:
        """The last line of `motcua verify`: dossiers, signatures, failing dossiers and the
        store's own problems by kind — it agrees with the exit code."""
        en = lang == "en"
        bad = len(self.bad_dossiers)
        text = (f"{self.dossiers} dossier(s), {self.signatures} signature(s): {bad} dossier(s) "
                "failing" if en else
                f"{self.dossiers} hồ sơ, {self.signatures} chữ ký: {bad} hồ sơ không hợp lệ")
        store = self.store_problems
        if store:
            kinds: dict[str, tuple[int, tuple[str, str]]] = {}
            for p in store:
                n, words = kinds.get(p["problem"], (0, _short_words(p)))
                kinds[p["problem"]] = (n + 1, words)
            parts = []
            for n, words in kinds.values():
                parts.append(f"{n} × {words[1 if en else 0]}" if n > 1 else words[1 if en else 0])
            text += (f"; {len(store)} store problem(s): " if en
                     else f"; {len(store)} vấn đề của kho: ") + ", ".join(parts)
        return text + "."


def _problem(report: VerifyReport, code: str, event_id: str | None, problem: str,
             vi: str | None = None, en: str | None = None,
             detail: str | tuple[str, str] = "") -> None:
    """One problem; `detail` is (vi, en) words appended to the kind's words (a plain string
    only from a verifier that already speaks both languages through vi/en)."""
    dvi, den = _PROBLEM_TEXT.get(problem, (problem, problem))
    detail_vi, detail_en = detail if isinstance(detail, tuple) else (detail, detail)
    if detail_vi and vi is None:
        vi, en = f"{dvi} — {detail_vi}", f"{den} — {detail_en}"
    report.problems.append({"code": code, "event_id": event_id, "problem": problem,
                            "message_vi": vi or dvi, "message_en": en or den,
                            "detail": detail_en, "detail_vi": detail_vi})


def gateway_pins(conn: sqlite3.Connection) -> evidence.PinSet:
    """SHA-256 of every gateway signing certificate this counter pinned (rotations kept), with
    the moment each replaced one stopped signing (from meta and the anchored audit log)."""
    return evidence.pins_of(conn, from_audit=True)


def verify_store(counter: Counter, *, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Every dossier of the store and every chain (see the module docstring)."""
    return _verify(counter, None, progress=progress)


def verify_dossier(counter: Counter, code: str) -> VerifyReport:
    """One dossier, for the detail screen, receipts and slips (no whole-store scan)."""
    report = _verify(counter, code.strip().upper())
    if report.dossiers == 0:
        raise UserError(f"Không tìm thấy hồ sơ '{code}'.", f"Dossier '{code}' not found.",
                        code="not_found")
    return report


MISMATCH_CODE = "signature_mismatch"


def require_verified(counter: Counter, code: str) -> VerifyReport:
    """Verify one dossier; raise the one-line refusal (naming `motcua verify`) when its row
    and its signed events disagree or any signature fails. Receipts, slips and `--sign` call
    this before rendering, so nothing unverified is printed or signed for a citizen."""
    report = verify_dossier(counter, code)
    if report.problems:
        first = report.problems[0]
        err = UserError(
            f"Hồ sơ {report.problems[0]['code'] or code} không khớp chữ ký "
            f"({first['message_vi']}); không in, không ký. Chạy 'motcua verify' để xem chi tiết.",
            f"Dossier {report.problems[0]['code'] or code} does not match its signatures "
            f"({first['message_en']}); nothing printed or signed. Run 'motcua verify' for details.",
            code=MISMATCH_CODE)
        err.exit_code = 1  # type: ignore[attr-defined]  # a check found a problem, not bad input
        raise err
    return report


def signed_view(counter: Counter, code: str) -> dict[str, Any]:
    """What a printed document shows, taken from the verified signed events: the dossier data
    of the first signed event, the status derived from the signed events, the current
    appointment (a supplement moves it) and the signed events' timeline. Raises like
    :func:`require_verified`."""
    from app import queries

    require_verified(counter, code)
    with counter.store._lock:
        row = repo.get(counter.store.conn, code=code.strip())
        events = repo.events_of(counter.store.conn, row["id"]) if row else []
    if row is None:
        raise UserError(f"Không tìm thấy hồ sơ '{code}'.", f"Dossier '{code}' not found.",
                        code="not_found")
    shown = queries.show(counter, code)  # timeline and sync state, same store snapshot
    first: dict[str, Any] | None = None
    appointment = None
    for ev in events:
        body = json.loads(ev["payload"])
        if ev["type"] in FIRST_TYPES and first is None and ev["origin"] == "counter":
            first = body.get("data") or {}
            appointment = first.get("appointment_at")
        elif ev["type"] == "supplement_received" and ev["origin"] == "counter":
            appointment = (body.get("data") or {}).get("appointment_at") or appointment
    derived = derive_status(events)
    return {**shown, **(first or {}), "appointment_at": appointment,
            "first_appointment_at": (first or {}).get("appointment_at"),
            "status": derived.status.slug, "status_code": int(derived.status),
            "status_label": derived.status.label_vi, "status_label_en": derived.status.label_en,
            "verified": True}


@dataclass
class _Ctx:
    conn: sqlite3.Connection
    trust: object
    verify_detached: Callable[..., Any]
    report: VerifyReport
    pins: evidence.PinSet
    agency: str
    counter_no: int
    first_v2: int | None | bool  # False: not computed yet (only needed when a v1 event shows)
    whole_store: bool
    never_bound: set[str] = field(default_factory=set)  # actors without any certificate binding
    binding_cache: BindingCache = field(default_factory=dict)  # actor -> bound periods
    time_stamping: bool = False  # the gateway time-stamps: a sent event needs its token

    @property
    def first_v2_seq(self) -> int | None:
        if self.first_v2 is False:
            self.first_v2 = _first_v2_seq(self.conn)
        return self.first_v2


def _first_v2_seq(conn: sqlite3.Connection) -> int | None:
    # canonical JSON sorts keys: ..."type":"…","v":2} — the version is the last key.
    row = conn.execute("SELECT min(seq) FROM events WHERE CAST(payload AS TEXT) LIKE '%\"v\":2}'"
                       ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _verify(counter: Counter, code: str | None, *,
            progress: Callable[[int], None] | None = None) -> VerifyReport:
    from signing.verify import verify_detached

    trust = load_trust(counter.settings)
    report = VerifyReport()
    with counter.store._lock:
        conn = counter.store.conn
        own_tx = not conn.in_transaction
        if own_tx:
            conn.execute("BEGIN")
        try:
            ctx = _Ctx(conn, trust, verify_detached, report, gateway_pins(conn),
                       counter.agency_code, counter.counter_no, False, code is None)
            from app.timestamps import gateway_proven_time_stamps

            report.gateway_time_stamps = gateway_proven_time_stamps(conn, trust)
            if code is None:
                ctx.time_stamping = report.gateway_time_stamps
            if code is None:
                conn.execute("DROP TABLE IF EXISTS temp.vchain")
                conn.execute("CREATE TEMP TABLE vchain (cseq INTEGER, hash TEXT, prev TEXT, "
                             "event_id TEXT, code TEXT, audit_seq INTEGER, audit_hash TEXT)")
                rows = conn.execute("SELECT * FROM dossiers ORDER BY rowid")
            else:
                rows = conn.execute("SELECT * FROM dossiers WHERE code = ?", (code,))
            cols = [c[0] for c in rows.description]
            while True:
                chunk = [dict(zip(cols, raw, strict=True)) for raw in rows.fetchmany(_CHUNK)]
                if not chunk:
                    break
                _verify_chunk(ctx, chunk, progress)
            if code is None:
                _orphans(ctx)
                _crosschecks(ctx)
                _trust_folder(ctx, counter.settings)
                _counter_chain(ctx)
                _code_gaps(ctx)
                _audit_anchors(ctx)
                conn.execute("DROP TABLE IF EXISTS temp.vchain")
        finally:
            if own_tx:
                conn.execute("COMMIT")
    return report


def _declared_origin(body: dict[str, Any]) -> str:
    if "origin" in body:
        return str(body["origin"])
    return "counter" if isinstance(body.get("counter"), dict) else "province"  # v1 bodies


def _is_own(ctx: _Ctx, body: dict[str, Any]) -> bool:
    who = body.get("counter") or {}
    return (isinstance(who, dict) and who.get("agency_code") == ctx.agency
            and str(who.get("counter_no")) == str(ctx.counter_no))


def _check_event(ctx: _Ctx, code: str, dossier_id: str, ev: dict[str, Any], body: dict[str, Any],
                 tst: bytes | None = None) -> None:
    report = ctx.report
    expected = {"id": ev["id"], "dossier_id": dossier_id, "type": ev["type"],
                "occurred_at": ev["occurred_at"], "actor": ev["actor"]}
    if any(body.get(k) != v for k, v in expected.items()):
        _problem(report, code, ev["id"], "body_mismatch",
                 detail=_columns_words(ev, [k for k, v in expected.items() if body.get(k) != v]))
    origin = _declared_origin(body)
    if origin != ev["origin"]:
        _problem(report, code, ev["id"], "origin_mismatch", detail=_relabel_words(ctx, ev, body))
    v2 = body.get("v") == evidence.PAYLOAD_VERSION
    if not v2 and ctx.first_v2_seq is not None and ev["seq"] > ctx.first_v2_seq:
        _problem(report, code, ev["id"], "v1_after_upgrade", detail=_event_words(ev))
    if ev["signature"] is None:
        if not v2 and origin == "province" and ev["origin"] == "province" and (
                ctx.first_v2_seq is None or ev["seq"] < ctx.first_v2_seq):
            report.warnings.add("legacy_unsigned_province_event")  # v1 stores: as before
            report.notes["legacy_unsigned_province_event"] = LEGACY_UNSIGNED_WORDS
        else:
            _problem(report, code, ev["id"], "unsigned", detail=_event_words(ev))
        return
    report.signatures += 1
    res = ev.get("_verified")  # the chunk's batch through the fast path
    if res is None:
        res = ctx.verify_detached(bytes(ev["payload"]), bytes(ev["signature"]), ctx.trust,
                                  tst=tst)
    report.warnings.update(res.warnings)
    report.notes.update(res.notes)
    if (res.time_proof is None and ctx.whole_store and ev.get("synced_at") is not None
            and ev["origin"] == "counter" and ctx.time_stamping and _is_own(ctx, body)
            and ctx.conn.execute("SELECT 1 FROM outbox WHERE event_id = ?",
                                 (ev["id"],)).fetchone() is None
            and not (tst is not None and not res.ok and _token_proves(ctx, tst, ev))):
        # marked sent (synced_at, which nobody signs) without the gateway's token that proves
        # it holds the event, although the gateway time-stamps (app.timestamps). A token over
        # this very signature value is that proof even when the bytes no longer verify (they
        # were changed after the gateway acknowledged them: that is the event's own problem,
        # and `check`/`repair` judge the token the same way)
        from app.repair import unacknowledged_finding

        f = unacknowledged_finding(ev["id"], ev["type"], code,
                                   "no_token" if tst is None else "token_invalid")
        _problem(report, code, ev["id"], "not_acknowledged", f["vi"], f["en"])
    if res.time_proof is not None:
        report.timestamped += 1
    elif (tst is None and origin == "counter" and code != report._last_unstamped
          and (body.get("v") != evidence.PAYLOAD_VERSION or _is_own(ctx, body))):
        # this counter's event not yet sent/answered: not invalid (other counters' events
        # arrive by pull without their token). A dossier's events come one after another,
        # so each dossier is counted once; the first 10,000 are listed.
        report._last_unstamped = code
        report.not_timestamped_total += 1
        if len(report.not_timestamped) < 10_000:
            report.not_timestamped.append(code)
    if not res.ok:
        on_vi, on_en = _event_words(ev)
        _problem(report, code, ev["id"], res.code, f"{on_vi}: {res.message_vi}",
                 f"{on_en}: {res.message_en}", res.detail)
        if tst is not None and res.code == "timestamp_invalid":
            # the token's problem can hide the bytes' own (rewritten bytes + a token copied
            # in from another event): judge the signature without the token too, name both
            bare = ctx.verify_detached(bytes(ev["payload"]), bytes(ev["signature"]), ctx.trust,
                                       tst=None)
            if not bare.ok:
                _problem(report, code, ev["id"], bare.code, f"{on_vi}: {bare.message_vi}",
                         f"{on_en}: {bare.message_en}", bare.detail)
        return
    named = (body.get("signer") or {}).get("sha256") if isinstance(body.get("signer"), dict) \
        else None
    actual = res.signer.sha256 if res.signer is not None else None
    if (v2 or named) and named != actual:
        _problem(report, code, ev["id"], "signer_mismatch", detail=_event_words(ev))
    if origin == "province":
        if not ctx.pins:
            _problem(report, code, ev["id"], "no_gateway_pin", detail=_event_words(ev))
        elif actual not in ctx.pins:
            _problem(report, code, ev["id"], "not_gateway", detail=_event_words(ev))
        elif actual in ctx.pins.retired and evidence.signed_after_retirement(
                res, ctx.pins.retired[actual]):
            from app import checkwords as w

            on_vi, on_en = _event_words(ev)
            since = w.when(ctx.pins.retired[actual].isoformat())
            _problem(report, code, ev["id"], "gateway_retired", detail=(
                f"{on_vi}: chứng thư SHA-256 {actual[:16]}… đã được thay từ {since}",
                f"{on_en}: certificate SHA-256 {actual[:16]}… was replaced from {since}"))
    elif actual in ctx.pins:
        _problem(report, code, ev["id"], "gateway_as_counter", detail=_event_words(ev))
    elif v2 and named == actual and _is_own(ctx, body):
        from app.binding import (  # was the signer bound to this clerk then?
            NEVER_BOUND,
            binding_problem,
            never_bound_note,
        )

        bound = binding_problem(ctx.conn, body, res, ctx.binding_cache)
        if bound is not None and bound[0] == NEVER_BOUND:
            ctx.never_bound.add(bound[1])
            report.warnings.add(NEVER_BOUND)
            report.notes[NEVER_BOUND] = never_bound_note(ctx.never_bound)
        elif bound is not None:
            on_vi, on_en = _event_words(ev)
            _problem(report, code, ev["id"], bound[0], f"{on_vi}: {bound[1]}",
                     f"{on_en}: {bound[2]}")


#: words for verifier warnings that come without their own (vi, en) note
WARNING_WORDS = {
    "crl_stale": ("danh sách thu hồi (CRL) đã quá hạn cập nhật: chạy 'motcua trust refresh' khi "
                  "có mạng", "a revocation list (CRL) is past its next update: run 'motcua "
                  "trust refresh' when online"),
    "no_signing_time": ("có chữ ký không ghi thời điểm ký: thời điểm kiểm tra được dùng thay",
                        "a signature carries no signing time: the time of checking is used "
                        "instead"),
}


def warning_words(report: VerifyReport, warning: str, lang: str = "vi") -> str:
    """A warning of `verify` in words (its note, else the table above, else the code in
    brackets after words)."""
    words = report.notes.get(warning) or WARNING_WORDS.get(warning)
    if words is None:
        return f"cảnh báo [{warning}]" if lang != "en" else f"warning [{warning}]"
    return words[1 if lang == "en" else 0]


LEGACY_UNSIGNED_WORDS = (
    "có sự kiện của tỉnh định dạng cũ (trước khi nâng cấp) không có chữ ký — đúng như thiết kế "
    "lúc đó, không phải lỗi",
    "old-format province events (from before the upgrade) carry no signature — as designed "
    "then, not an error")


def _relabel_words(ctx: _Ctx, ev: dict[str, Any], body: dict[str, Any]) -> tuple[str, str]:
    """What a relabelled origin really is: the stored column says one origin, the signed
    bytes (and, for this counter's events, their place in the counter chain) another."""
    from app import checkwords as w

    signed = _declared_origin(body)
    seq = body.get("counter_seq") if signed == "counter" and _is_own(ctx, body) else None
    place = (f" (sự kiện #{seq} trong chuỗi của quầy này)", f" (event #{seq} of this "
             "counter's chain)") if isinstance(seq, int) else ("", "")
    return (f"sự kiện {w.event(ev['type'])} lúc {w.when(ev['occurred_at'])} được ghi trong kho "
            f"là {w.origin(ev['origin'])}, nhưng nội dung đã ký ghi là {w.origin(signed)}"
            f"{place[0]}: nhãn nguồn đã bị đổi",
            f"the {w.event(ev['type'], 'en')} event at {w.when(ev['occurred_at'])} is stored as "
            f"{w.origin(ev['origin'], 'en')}, but its signed body says "
            f"{w.origin(signed, 'en')}{place[1]}: its origin label was changed")


def _event_words(ev: dict[str, Any]) -> tuple[str, str]:
    """«sự kiện «tiếp nhận hồ sơ» lúc 23/11/2026 10:00» — which event a problem is about."""
    from app import checkwords as w

    return (f"sự kiện {w.event(ev['type'])} lúc {w.when(ev['occurred_at'])}",
            f"the {w.event(ev['type'], 'en')} event at {w.when(ev['occurred_at'])}")


_COLUMN_WORDS = {"id": ("mã sự kiện", "event id"), "dossier_id": ("hồ sơ", "dossier"),
                 "type": ("loại", "type"), "occurred_at": ("thời điểm", "time"),
                 "actor": ("người thực hiện", "actor")}


def _columns_words(ev: dict[str, Any], keys: list[str]) -> tuple[str, str]:
    on_vi, on_en = _event_words(ev)
    return (f"{on_vi}: " + ", ".join(_COLUMN_WORDS[k][0] for k in keys)
            + " ghi trong kho khác nội dung đã ký",
            f"{on_en}: the stored " + ", ".join(_COLUMN_WORDS[k][1] for k in keys)
            + (" does" if len(keys) == 1 else " do") + " not match the signed body")


_CHUNK = 1000  # dossiers read (with their events and attachments) per round of queries

_EVENT_COLS = ("dossier_id", "seq", "id", "type", "occurred_at", "origin", "actor", "payload",
               "signature", "recorded_at", "synced_at", "tst")


def _verify_chunk(ctx: _Ctx, chunk: list[dict[str, Any]],
                  progress: Callable[[int], None] | None) -> None:
    """A chunk of dossier rows: their events, time-stamps and attachments in one query each
    (same columns and order as repo.events_of / attachments_of), the chunk's signatures
    through the fast path in one batch, then the per-dossier checks."""
    from signing.verify import iter_verify

    ids = json.dumps([row["id"] for row in chunk])
    events: dict[str, list[dict[str, Any]]] = {}
    for raw in ctx.conn.execute(
            # CAST: bytes stay bytes even if someone stored them as TEXT behind our back
            "SELECT dossier_id, seq, id, type, occurred_at, origin, actor, "
            "CAST(payload AS BLOB), CAST(signature AS BLOB), recorded_at, synced_at, "
            "CAST(tst AS BLOB) FROM events WHERE dossier_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY dossier_id, occurred_at, seq", (ids,)):
        events.setdefault(raw[0], []).append(dict(zip(_EVENT_COLS, raw, strict=True)))
    atts: dict[str, list[dict[str, Any]]] = {}
    for did, sha, name, media, size in ctx.conn.execute(
            "SELECT dossier_id, sha256, name, media_type, size FROM attachments "
            "WHERE dossier_id IN (SELECT value FROM json_each(?)) ORDER BY dossier_id, name",
            (ids,)):
        atts.setdefault(did, []).append({"sha256": sha, "name": name, "media_type": media,
                                         "size": size})
    signed = [ev for evs in events.values() for ev in evs if ev["signature"] is not None]
    if ctx.verify_detached is not None and signed:
        for ev, res in zip(signed, iter_verify(
                ((bytes(ev["payload"]), bytes(ev["signature"]), ev["tst"]) for ev in signed),
                ctx.trust), strict=True):
            ev["_verified"] = res
    for row in chunk:
        _verify_one(ctx, row, events.get(row["id"], []), atts.get(row["id"], []))
        if progress is not None and ctx.report.dossiers % 1000 == 0:
            progress(ctx.report.dossiers)


def _verify_one(ctx: _Ctx, row: dict[str, Any], events: list[dict[str, Any]],
                attachments: list[dict[str, Any]]) -> None:
    report = ctx.report
    report.dossiers += 1
    code = row["code"]
    tsts = {ev["id"]: ev["tst"] for ev in events if ev["tst"] is not None}
    report.events += len(events)
    first = None
    appointment = None
    hashes: dict[str, dict[str, Any]] = {}
    bodies: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for ev in events:
        try:
            body = json.loads(ev["payload"])
            if not isinstance(body, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            _problem(report, code, ev["id"], "payload_unreadable", detail=_event_words(ev))
            continue
        _check_event(ctx, code, row["id"], ev, body, tsts.get(ev["id"]))
        digest = evidence.event_hash(ev["payload"])
        hashes[digest] = ev
        bodies.append((ev, body))
        # the signed origin decides (a relabelled column is reported as origin_mismatch above,
        # and is not also a missing receipt or a hole in the counter chain)
        signed_origin = _declared_origin(body)
        if ev["type"] in FIRST_TYPES and first is None and signed_origin == "counter":
            first = body.get("data")
            appointment = (first or {}).get("appointment_at")
        elif ev["type"] == "supplement_received" and signed_origin == "counter":
            appointment = (body.get("data") or {}).get("appointment_at") or appointment
        if (ctx.whole_store and body.get("v") == evidence.PAYLOAD_VERSION
                and signed_origin == "counter" and _is_own(ctx, body)):
            head = body.get("audit_head") if isinstance(body.get("audit_head"), dict) else {}
            ctx.conn.execute(
                "INSERT INTO temp.vchain VALUES (?, ?, ?, ?, ?, ?, ?)",
                (body.get("counter_seq"), digest,
                 body.get("counter_prev"), ev["id"], code, head.get("seq"), head.get("hash")))
    _dossier_chain(ctx, code, bodies, hashes)
    if first is None:
        _problem(report, code, None, "no_receipt")
        return
    try:
        # the row is written as json.dumps(data, ensure_ascii=False, sort_keys=True) (intake,
        # app.remote); encoding the signed data is cheaper than decoding the row, and any
        # other spelling of equal data falls back to comparing decoded values
        text = json.dumps(first, ensure_ascii=False, sort_keys=True)
        mismatch = (text != row["data"] and json.loads(row["data"]) != first) or any(
            row[c] != f(first) for c, f in _PROJECTION.items())
        mismatch = mismatch or row["appointment_at"] != appointment
        mismatch = mismatch or row["search_text"] != search_text(
            applicant_name=row["applicant_name"], citizen_id=row["citizen_id"],
            phone=row["phone"], code=row["code"])
    except (ValueError, KeyError, TypeError):
        mismatch = True
    if mismatch:
        _problem(report, code, None, "row_mismatch")
    atts = {(a["sha256"], a["name"], a["media_type"], a["size"]) for a in attachments}
    signed_atts = {(a["sha256"], a["name"], a["media_type"], a["size"])
                   for a in first.get("attachments", [])}
    if atts != signed_atts:
        _problem(report, code, None, "attachments_mismatch")
    if int(derive_status(events).status) != row["status"]:
        from app.domain import PortalStatus

        try:
            stored: PortalStatus | None = PortalStatus(row["status"])
        except ValueError:
            stored = None
        derived = derive_status(events).status
        _problem(report, code, None, "status_mismatch", detail=(
            f"kho ghi «{stored.label_vi if stored else row['status']}», các sự kiện đã ký cho "
            f"«{derived.label_vi}»",
            f"the store says «{stored.label_en if stored else row['status']}», the signed "
            f"events give «{derived.label_en}»"))


def _dossier_chain(ctx: _Ctx, code: str, bodies: list[tuple[dict[str, Any], dict[str, Any]]],
                   hashes: dict[str, dict[str, Any]]) -> None:
    """Each v2 event names its dossier's previous event: it must be here; one first event."""
    from app import checkwords as w

    roots = 0
    for ev, body in bodies:
        if body.get("v") != evidence.PAYLOAD_VERSION:
            continue
        prev = body.get("dossier_prev")
        if prev is None:
            roots += 1
            if ev["type"] not in FIRST_TYPES or roots > 1:
                _problem(ctx.report, code, ev["id"], "dossier_chain", detail=(
                    f"sự kiện {w.event(ev['type'])} lúc {w.when(ev['occurred_at'])} không nối "
                    "vào sự kiện nào trước nó, dù không phải sự kiện đầu tiên của hồ sơ "
                    "(bị chèn thêm)" if roots == 1 else
                    f"sự kiện {w.event(ev['type'])} lúc {w.when(ev['occurred_at'])} là sự kiện "
                    "đầu tiên thứ hai của hồ sơ (bị chèn thêm, hoặc chuỗi của hồ sơ bị rẽ nhánh)",
                    f"the {w.event(ev['type'], 'en')} event at {w.when(ev['occurred_at'])} "
                    "names no event before it, yet is not the dossier's first (inserted)"
                    if roots == 1 else
                    f"the {w.event(ev['type'], 'en')} event at {w.when(ev['occurred_at'])} is a "
                    "second first event of the dossier (inserted, or the dossier's chain forked)"))
            continue
        before = hashes.get(str(prev))
        if before is None:
            _problem(ctx.report, code, ev["id"], "dossier_chain", detail=(
                f"thiếu sự kiện được ký ngay trước sự kiện {w.event(ev['type'])} lúc "
                f"{w.when(ev['occurred_at'])} (đã bị xoá, hoặc bị sửa nên không còn khớp)",
                f"the event signed just before the {w.event(ev['type'], 'en')} event at "
                f"{w.when(ev['occurred_at'])} is missing (deleted, or changed so it no longer "
                "matches)"))
        # no time-order check: the chain, not the clocks, orders a dossier's events (a province
        # event may carry an earlier gateway time than the counter event it follows)


def _orphans(ctx: _Ctx) -> None:
    """Events whose dossier row is gone (the dossier row deleted, its events kept). This
    counter's own v2 events among them still take their place in the counter chain, so the
    chain does not also call them deleted."""
    from app import checkwords as w

    for eid, did, etype, at, payload in ctx.conn.execute(
            "SELECT e.id, e.dossier_id, e.type, e.occurred_at, CAST(e.payload AS BLOB) "
            "FROM events e LEFT JOIN dossiers d ON d.id = e.dossier_id WHERE d.id IS NULL"):
        try:
            body = json.loads(payload)
        except (ValueError, UnicodeDecodeError, TypeError):
            body = None
        body = body if isinstance(body, dict) else {}
        code = str(body.get("dossier_code") or "")
        named_vi = f"hồ sơ {code}" if code else f"hồ sơ có mã nội bộ {did}"
        named_en = f"dossier {code}" if code else f"the dossier with internal id {did}"
        _problem(ctx.report, "", eid, "orphan_event", detail=(
            f"sự kiện {w.event(etype)} lúc {w.when(at)} còn trong kho nhưng {named_vi} thì "
            "không còn",
            f"the {w.event(etype, 'en')} event at {w.when(at)} is still stored but {named_en} "
            "is gone"))
        if (ctx.whole_store and body.get("v") == evidence.PAYLOAD_VERSION
                and _declared_origin(body) == "counter" and _is_own(ctx, body)):
            head: dict[str, Any] = body["audit_head"] \
                if isinstance(body.get("audit_head"), dict) else {}
            ctx.conn.execute(
                "INSERT INTO temp.vchain VALUES (?, ?, ?, ?, ?, ?, ?)",
                (body.get("counter_seq"), evidence.event_hash(payload), body.get("counter_prev"),
                 eid, code, head.get("seq"), head.get("hash")))


def _crosschecks(ctx: _Ctx) -> None:
    from app import repair

    for f in repair.store_findings(ctx.conn):  # all store-level, whatever their kind
        _problem(ctx.report, f.get("code") or "", f.get("event_id"), f["kind"], f["vi"], f["en"])
        ctx.report.problems[-1]["store"] = True
        if f.get("short"):  # (vi, en) words for the summary line
            ctx.report.problems[-1]["short"] = tuple(f["short"])
    for pin in sorted(ctx.pins):  # meta is in the file; the audit row is anchored
        if ctx.conn.execute("SELECT 1 FROM audit WHERE action IN ('sync.pin_gateway', "
                            "'gateway.pin_rotated', 'gateway.pin_added') "
                            "AND subject = ? LIMIT 1", (pin,)).fetchone() is None:
            _problem(ctx.report, "", None, "pin_unaudited", detail=(
                f"SHA-256 {pin[:16]}…", f"SHA-256 {pin[:16]}…"))
    from localdb.crosscheck import unaudited_bindings

    for user, sha in unaudited_bindings(ctx.conn):  # who may sign is decided by this table
        _problem(ctx.report, "", None, "binding_unaudited", detail=(
            f"tài khoản '{user}', chứng thư SHA-256 {sha[:16]}…",
            f"account '{user}', certificate SHA-256 {sha[:16]}…"))


ANCHORS_UNAUDITED_LEGACY = "anchors_unaudited_legacy"


def _trust_folder(ctx: _Ctx, settings: Any) -> None:
    """Certificates in the trust anchors folder that the audit log does not record as trusted
    (app.trust): a problem, or a warning on a store from before audited trust."""
    from app.trust import unaudited_anchors

    missing, legacy = unaudited_anchors(settings, ctx.conn)
    if not missing:
        return
    if legacy:
        ctx.report.warnings.add(ANCHORS_UNAUDITED_LEGACY)
        ctx.report.notes[ANCHORS_UNAUDITED_LEGACY] = anchors_legacy_words(missing)
        return
    for e in missing:
        _problem(ctx.report, "", None, "anchor_unaudited", detail=anchor_words(e))


def anchor_words(e: dict[str, Any]) -> tuple[str, str]:
    return (f"«{e['name']}», SHA-256 {e['sha256'][:16]}… (tệp {e['file']}); kiểm tra rồi ghi "
            "nhận bằng 'motcua trust add TỆP' hoặc bỏ bằng 'motcua trust remove SHA256'",
            f"«{e['name']}», SHA-256 {e['sha256'][:16]}… (file {e['file']}); check it, then "
            "record it with 'motcua trust add FILE' or drop it with 'motcua trust remove "
            "SHA256'")


def anchors_legacy_words(missing: list[dict[str, Any]]) -> tuple[str, str]:
    names = ", ".join(f"«{e['name']}» ({e['sha256'][:12]}…)" for e in missing[:5])
    return (f"{len(missing)} chứng thư tin cậy cài từ phiên bản trước chưa được ghi vào nhật ký "
            f"({names}); quản trị viên kiểm tra rồi ghi nhận bằng 'motcua trust add TỆP' hoặc "
            "bỏ bằng 'motcua trust remove SHA256'",
            f"{len(missing)} trusted certificate(s) installed by an earlier version are not in "
            f"the audit log ({names}); an administrator checks them, then records them with "
            "'motcua trust add FILE' or drops them with 'motcua trust remove SHA256'")


def _dossier_words(code: str, lang: str) -> str:
    if not code:
        return "một hồ sơ không còn mã" if lang != "en" else "a dossier without a code"
    return f"hồ sơ {code}" if lang != "en" else f"dossier {code}"


def _counter_chain(ctx: _Ctx) -> None:
    """This counter's own v2 events, by counter_seq: 1, 2, 3… each naming the one before."""
    expected, prev_hash, prev_code = 1, None, ""
    for cseq, digest, prev, eid, code, _a, _h in ctx.conn.execute(
            "SELECT * FROM temp.vchain ORDER BY cseq"):
        here_vi, here_en = _dossier_words(code, "vi"), _dossier_words(code, "en")
        if not isinstance(cseq, int):
            _problem(ctx.report, code, eid, "counter_chain", detail=(
                f"một sự kiện của {here_vi} không có số thứ tự trong chuỗi của quầy",
                f"an event of {here_en} has no number in the counter's chain"))
            continue
        if cseq < expected:
            both_vi = (f"cả hai của {here_vi}" if prev_code == code else
                       f"{_dossier_words(prev_code, 'vi')} và {here_vi}")
            both_en = (f"both of {here_en}" if prev_code == code else
                       f"{_dossier_words(prev_code, 'en')} and {here_en}")
            _problem(ctx.report, code, eid, "counter_chain", detail=(
                f"hai sự kiện khác nhau cùng mang số #{cseq} trong chuỗi của quầy ({both_vi}): "
                "một sự kiện bị chèn thêm, hoặc chuỗi của quầy bị rẽ nhánh",
                f"two different events both carry number #{cseq} of the counter's chain "
                f"({both_en}): one was inserted, or the counter's chain forked"))
            continue
        if cseq > expected:
            missing = f"#{expected}" if cseq == expected + 1 else f"#{expected}–#{cseq - 1}"
            many = cseq > expected + 1
            if expected == 1:
                where_vi, where_en = f"trước {here_vi}", f"before {here_en}"
            elif prev_code == code:
                where_vi = f"giữa hai sự kiện của {here_vi}"
                where_en = f"between two events of {here_en}"
            else:
                where_vi = f"giữa {_dossier_words(prev_code, 'vi')} và {here_vi}"
                where_en = f"between {_dossier_words(prev_code, 'en')} and {here_en}"
            _problem(ctx.report, code, eid, "counter_chain", detail=(
                f"không còn sự kiện {missing} của quầy ({where_vi}): đã bị xoá, hoặc bị sửa "
                "nên không còn là sự kiện đã ký của quầy này",
                f"counter event{'s' if many else ''} {missing} {'are' if many else 'is'} no "
                f"longer in the store ({where_en}): deleted, or changed so "
                f"{'they are' if many else 'it is'} no longer this counter's signed "
                f"event{'s' if many else ''}"))
        elif prev != prev_hash:
            _problem(ctx.report, code, eid, "counter_chain", detail=(
                f"sự kiện #{cseq} ({here_vi}) không nối vào sự kiện #{cseq - 1} đang có trong "
                f"kho ({_dossier_words(prev_code, 'vi')}): một trong hai đã bị thay bằng nội "
                "dung khác",
                f"event #{cseq} ({here_en}) does not link to the event #{cseq - 1} now in the "
                f"store ({_dossier_words(prev_code, 'en')}): one of the two was replaced by "
                "different content"))
        expected, prev_hash, prev_code = cseq + 1, digest, code
    head_seq, head_hash = evidence.counter_head(ctx.conn)
    if head_seq >= expected:
        missing = f"#{expected}" if head_seq == expected else f"#{expected}–#{head_seq}"
        _problem(ctx.report, "", None, "counter_chain", detail=(
            f"không còn (các) sự kiện mới nhất của quầy {missing}, dù kho đã ghi nhận quầy "
            "đã ký tới đó (bị xoá?)",
            f"the newest counter event(s) {missing} are no longer in the store, though the "
            "store records that the counter signed that far (deleted?)"))
    elif head_seq == expected - 1 and head_seq and head_hash != prev_hash:
        _problem(ctx.report, prev_code, None, "counter_chain", detail=(
            f"sự kiện mới nhất của quầy #{head_seq} ({_dossier_words(prev_code, 'vi')}) khác "
            "sự kiện kho đã ghi nhận là mới nhất: đã bị thay",
            f"the newest counter event #{head_seq} ({_dossier_words(prev_code, 'en')}) is not "
            "the one the store recorded as newest: it was replaced"))


#: missing number ranges named per day before "… and N more"
_GAP_RANGES_SHOWN = 5


def _code_gaps(ctx: _Ctx) -> None:
    """Holes in this counter's daily numbers (…-01 0001, 0002, …) and numbers issued (per the
    code_sequences high-water mark) but no longer present. Streams the codes in order (one
    day at a time) and names the missing codes."""
    from app.dossier_code import parse_code

    if not ctx.agency:
        return
    prefix = f"{ctx.agency}-"
    issued = dict(ctx.conn.execute("SELECT day, last FROM code_sequences"))
    seen_days: set[str] = set()
    day, top = "", 0
    holes: list[tuple[int, int]] = []

    def close_day() -> None:
        high = max(top, int(issued.get(day) or 0))
        if high > top:
            holes.append((top + 1, high))
        if holes:
            _report_gap(ctx, day, holes, high)

    for (code,) in ctx.conn.execute("SELECT code FROM dossiers WHERE code LIKE ? ORDER BY code",
                                    (f"{ctx.agency}-%-{ctx.counter_no:02d}____",)):
        try:
            parsed = parse_code(code)
        except UserError:
            continue
        if not code.startswith(prefix):
            continue
        this_day = parsed.day.isoformat()
        if this_day != day:
            if day:
                close_day()
            day, top, holes = this_day, 0, []
            seen_days.add(day)
        if parsed.number > top + 1:
            holes.append((top + 1, parsed.number - 1))
        top = max(top, parsed.number)
    if day:
        close_day()
    for only_issued in sorted(set(issued) - seen_days):  # every number of the day is gone
        high = int(issued.get(only_issued) or 0)
        if high > 0:
            day, top, holes = only_issued, 0, []
            close_day()


def _report_gap(ctx: _Ctx, day: str, holes: list[tuple[int, int]], high: int) -> None:
    from datetime import date as _date

    from app import checkwords as w
    from app.dossier_code import format_code

    def code_of(n: int) -> str:
        return format_code(ctx.agency, _date.fromisoformat(day), ctx.counter_no, n)

    count = sum(b - a + 1 for a, b in holes)
    shown = [code_of(a) if a == b else f"{code_of(a)}–{code_of(b)}"
             for a, b in holes[:_GAP_RANGES_SHOWN]]
    more = len(holes) - len(shown)
    more_vi = f" và {more} khoảng khác" if more > 0 else ""
    more_en = f" and {more} more range(s)" if more > 0 else ""
    _problem(ctx.report, "", None, "code_gap", detail=(
        f"ngày {w.day(day)}: thiếu {count} trong các số 1–{high}: {', '.join(shown)}{more_vi}",
        f"{w.day(day)}: {count} of numbers 1–{high} missing: {', '.join(shown)}{more_en}"))


def _audit_anchors(ctx: _Ctx) -> None:
    skipped: list[str] = []
    for p in audit_anchor_problems(ctx.conn, skipped=skipped):
        _problem(ctx.report, p.get("code", ""), p.get("event_id"), "audit_anchor",
                 detail=(p["detail_vi"], p["detail"]))
    if skipped:
        ctx.report.warnings.add(ROLLED_BACK)
        ctx.report.notes[ROLLED_BACK] = rolled_back_words(len(skipped))


ROLLED_BACK = "anchors_rolled_back"


def _token_proves(ctx: Any, tst: bytes, ev: dict[str, Any]) -> bool:
    """Whether the token proves the gateway acknowledged this event's signature value (as
    `check` judges it, app.timestamps.token_problem)."""
    from app.timestamps import token_problem

    return token_problem(ctx.trust, tst, bytes(ev["signature"])) is None


def rolled_back_words(n: int) -> tuple[str, str]:
    """The note for anchors a restore rolled back (not a failure: the restore is audited)."""
    return (f"{n} sự kiện lấy lại từ cổng tỉnh sau lần khôi phục ('motcua sync recover') ghi đầu "
            "chuỗi của phần nhật ký mà bản sao lưu không có (phần đó nằm trong bản an toàn lúc "
            "khôi phục); chúng không được dùng làm mốc",
            f"{n} event(s) taken back from the gateway after a restore ('motcua sync recover') "
            "carry audit heads of the log rows the backup lacked (those rows are in the "
            "restore's safety copy); they are not used as anchors")


def _recovered_after_restore(conn: sqlite3.Connection) -> dict[str, tuple[int, int | None]]:
    """Event id -> (seq of the audited restore before it was taken back, the replaced store's
    audit head seq) for events `sync recover` applied after a restore: their signed audit heads
    point into the rolled-back log, which this store no longer has."""
    restores: list[tuple[int, int | None]] = []
    for seq, detail in conn.execute("SELECT seq, detail FROM audit WHERE action = "
                                    "'store.restore' ORDER BY seq"):
        try:
            head = (json.loads(detail) or {}).get("rolled_back_audit_head") or {}
            restores.append((int(seq), int(head["seq"]) if "seq" in head else None))
        except (ValueError, TypeError, AttributeError):
            restores.append((int(seq), None))
    if not restores:
        return {}
    recovered: list[tuple[int, str]] = [
        (int(seq), str(eid)) for seq, eid in conn.execute(
            "SELECT seq, json_extract(detail, '$.event_id') FROM audit WHERE action LIKE 'sync.%' "
            "AND json_valid(detail) AND json_extract(detail, '$.source') = 'recover' "
            "ORDER BY seq") if eid]
    if not recovered:
        return {}
    # A real restore rolls the log back past the event's own action row (that is why its head
    # points into rows this store lacks), so an event whose own action row is still in the log
    # was not taken back by `sync recover`: a forged restore + "recover" rows cannot excuse it.
    still_logged = {str(eid) for (eid,) in conn.execute(
        "SELECT DISTINCT json_extract(detail, '$.event_id') FROM audit WHERE json_valid(detail) "
        "AND json_extract(detail, '$.event_id') IS NOT NULL "
        "AND (action NOT LIKE 'sync.%' OR coalesce(json_extract(detail, '$.source'), '') "
        "!= 'recover')")}
    out: dict[str, tuple[int, int | None]] = {}
    for seq, eid in recovered:
        before = [r for r in restores if r[0] < seq]
        if before and eid not in still_logged:
            out[eid] = before[-1]
    return out


def _own_anchors(conn: sqlite3.Connection, skipped: list[str] | None = None
                 ) -> Iterator[tuple[int, str, str, str]]:
    """(audit seq, signed hash, event id, dossier code) from the temp chain table, without the
    anchors a restore rolled back (named in `skipped`): an event taken back by `sync recover`
    after an audited restore whose head lies between the restore point and the replaced
    store's head."""
    recovered = _recovered_after_restore(conn)
    for seq, digest, eid, code in conn.execute(
            "SELECT audit_seq, audit_hash, event_id, code FROM temp.vchain "
            "WHERE audit_seq IS NOT NULL ORDER BY audit_seq"):
        restore = recovered.get(str(eid))
        if restore is not None and int(seq) >= restore[0] - 1 and (
                restore[1] is None or int(seq) <= restore[1]):
            if skipped is not None:
                skipped.append(str(eid))
            continue
        yield int(seq), str(digest), str(eid), str(code)


def audit_anchor_problems(conn: sqlite3.Connection,
                          skipped: list[str] | None = None) -> list[dict[str, Any]]:
    """Compare the audit chain with the heads signed into this counter's events. Needs the
    temp.vchain table (filled by a whole-store verify pass or by :func:`fill_anchor_table`).
    Anchors a restore rolled back are left out and named in `skipped`."""
    return [{"code": p.label, "event_id": p.event_id, "seq": p.seq,
             "detail": p.describe("en"), "detail_vi": p.describe("vi")}
            for p in audit.check_anchors(conn, _own_anchors(conn, skipped))]


_ANCHOR_COLS = ("id", "dossier_id", "code", "seq", "type", "occurred_at", "origin", "actor",
                "payload", "signature", "tst")


def fill_anchor_table(counter: Counter, conn: sqlite3.Connection, *,
                      check_signatures: bool = False) -> list[dict[str, Any]]:
    """temp.vchain from this counter's own v2 events (by their signed origin, so a relabelled
    column does not hide an anchor). Without `check_signatures` it only parses (`motcua
    check`: quick); with it, each event whose signed audit head is used is judged first by the
    same per-event verifier as `motcua verify` (`_check_event`: CMS, trust, signer named in the
    bytes, binding, columns against the body), and an event that fails is not used as an
    anchor but returned as a problem ({code, event_id, seq, detail, detail_vi})."""
    conn.execute("DROP TABLE IF EXISTS temp.vchain")
    conn.execute("CREATE TEMP TABLE vchain (cseq INTEGER, hash TEXT, prev TEXT, "
                 "event_id TEXT, code TEXT, audit_seq INTEGER, audit_hash TEXT)")
    ctx = _Ctx(conn, None, None, VerifyReport(), evidence.PinSet(set()), counter.agency_code,
               counter.counter_no, None, True)
    if check_signatures:
        from signing.verify import verify_detached

        ctx = _Ctx(conn, load_trust(counter.settings), verify_detached, VerifyReport(),
                   gateway_pins(conn), counter.agency_code, counter.counter_no, False, False)
    unproven: list[dict[str, Any]] = []
    rows = conn.execute(
        "SELECT e.id, e.dossier_id, coalesce(d.code, ''), e.seq, e.type, e.occurred_at, "
        "e.origin, e.actor, CAST(e.payload AS BLOB), CAST(e.signature AS BLOB), "
        "CAST(e.tst AS BLOB) FROM events e LEFT JOIN dossiers d ON d.id = e.dossier_id "
        "ORDER BY e.seq")
    while True:
        chunk: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for raw in rows.fetchmany(_CHUNK):
            ev = dict(zip(_ANCHOR_COLS, raw, strict=True))
            try:
                body = json.loads(ev["payload"])
            except (ValueError, UnicodeDecodeError, TypeError):
                continue
            if isinstance(body, dict) and body.get("v") == evidence.PAYLOAD_VERSION \
                    and _declared_origin(body) == "counter" and _is_own(ctx, body):
                chunk.append((ev, body))
        if not chunk:
            break
        if check_signatures:
            unproven += _judge_anchors(ctx, chunk)
        for ev, body in chunk:
            if ev.get("_unproven"):
                continue
            head = body["audit_head"] if isinstance(body.get("audit_head"), dict) else {}
            conn.execute("INSERT INTO temp.vchain VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (body.get("counter_seq"), evidence.event_hash(ev["payload"]),
                          body.get("counter_prev"), ev["id"], ev["code"], head.get("seq"),
                          head.get("hash")))
    return unproven


def _judge_anchors(ctx: _Ctx, chunk: list[tuple[dict[str, Any], dict[str, Any]]]
                   ) -> list[dict[str, Any]]:
    """The chunk's signatures through the fast path in one batch, then `_check_event` on each
    (the verifier of `motcua verify`); the events it faults are marked `_unproven`."""
    from signing.verify import iter_verify

    signed = [ev for ev, _ in chunk if ev["signature"] is not None]
    for ev, res in zip(signed, iter_verify(
            ((bytes(ev["payload"]), bytes(ev["signature"]), ev["tst"]) for ev in signed),
            ctx.trust), strict=True):
        ev["_verified"] = res
    out: list[dict[str, Any]] = []
    for ev, body in chunk:
        before = len(ctx.report.problems)
        _check_event(ctx, ev["code"], ev["dossier_id"], ev, body, ev["tst"])
        found = ctx.report.problems[before:]
        if not found:
            continue
        ev["_unproven"] = True
        head = body.get("audit_head") if isinstance(body.get("audit_head"), dict) else None
        seq = head.get("seq") if head else None
        at_vi = f"#{seq}: " if isinstance(seq, int) else ""
        where_vi = f"hồ sơ {ev['code']}" if ev["code"] else "một hồ sơ không còn"
        where_en = f"dossier {ev['code']}" if ev["code"] else "a dossier that is gone"
        out.append({"code": ev["code"], "event_id": ev["id"], "seq": seq,
                    "detail_vi": f"{at_vi}đầu chuỗi nhật ký ghi trong một sự kiện của {where_vi} "
                                 "không dùng làm mốc được vì sự kiện đó không qua kiểm tra chữ "
                                 f"ký: {found[0]['message_vi']}",
                    "detail": f"{at_vi}the audit head inside an event of {where_en} cannot be "
                              "used as an anchor because that event fails the signature "
                              f"check: {found[0]['message_en']}"})
    return out


def audit_report(counter: Counter, skipped: list[str] | None = None
                 ) -> tuple[int, list[Any], list[dict[str, Any]]]:
    """`motcua audit verify`: (rows, chain problems, anchor problems). Every anchoring event's
    signature is checked first (see :func:`fill_anchor_table`); one that fails is a problem.
    Anchors a restore rolled back are named in `skipped`."""
    with counter.store._lock:
        conn = counter.store.conn
        conn.execute("BEGIN")
        try:
            count, problems = audit.verify(conn)
            unproven = fill_anchor_table(counter, conn, check_signatures=True)
            anchors = unproven + audit_anchor_problems(conn, skipped)
            conn.execute("DROP TABLE IF EXISTS temp.vchain")
        finally:
            conn.execute("COMMIT")
    return count, problems, anchors


def anchor_check(counter: Counter, skipped: list[str] | None = None) -> list[dict[str, Any]]:
    """`motcua check`: the audit chain against the heads signed into this counter's events,
    offline and quick (positions and hashes; `audit verify` and `verify` also check that the
    anchoring events are genuinely signed)."""
    with counter.store._lock:
        conn = counter.store.conn
        own_tx = not conn.in_transaction
        if own_tx:
            conn.execute("BEGIN")
        try:
            fill_anchor_table(counter, conn)
            anchors = audit_anchor_problems(conn, skipped)
            conn.execute("DROP TABLE IF EXISTS temp.vchain")
        finally:
            if own_tx:
                conn.execute("COMMIT")
    return anchors


def export_dossier(counter: Counter, code: str, out_dir: Path) -> list[Path]:
    """Write each event's canonical bytes, its .p7s, the certificates and a how-to, so an
    outside party can check everything with openssl alone."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    with counter.store._lock:
        row = repo.get(counter.store.conn, code=code.strip())
        if row is None:
            raise UserError(f"Không tìm thấy hồ sơ '{code}'.", f"Dossier '{code}' not found.",
                            code="not_found")
        events = repo.events_of(counter.store.conn, row["id"])
        tsts = repo.time_stamps_of(counter.store.conn, row["id"])
    folder = Path(out_dir) / row["code"]
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    chain: dict[bytes, bytes] = {}
    checked = verify_dossier(counter, row["code"])
    lines = [
        f"Hồ sơ / Dossier {row['code']}",
        "",
        "Kết quả kiểm tra tại quầy / Verification at the counter: "
        + ("khớp chữ ký / matches its signatures" if not checked.problems else
           "KHÔNG KHỚP CHỮ KÝ / DOES NOT MATCH ITS SIGNATURES"),
        *(f"  - {p['message_vi']} / {p['message_en']}" for p in checked.problems),
        "",
        "Kiểm tra chữ ký bằng OpenSSL / Verify each signature with OpenSSL:",
    ]
    for i, ev in enumerate(events, 1):
        stem = f"{i:02d}-{ev['type']}"
        data = folder / f"{stem}.json"
        data.write_bytes(bytes(ev["payload"]))
        written.append(data)
        if ev["signature"] is not None:
            sig = folder / f"{stem}.p7s"
            cms_der = bytes(ev["signature"])
            token = tsts.get(ev["id"])
            if token is not None:  # RFC 3161 token as the unsigned signatureTimeStampToken
                from signing.tsa import signature_value, with_timestamp

                cms_der = with_timestamp(cms_der, bytes(token))
                tst_file = folder / f"{stem}.tst"
                tst_file.write_bytes(bytes(token))
                written.append(tst_file)
                sv_digest = hashlib.sha256(signature_value(cms_der)).hexdigest()
            sig.write_bytes(cms_der)
            written.append(sig)
            for cert in pkcs7.load_der_pkcs7_certificates(bytes(ev["signature"])):
                chain[cert.fingerprint(cert.signature_hash_algorithm or _sha256())] = \
                    cert.public_bytes(Encoding.PEM)
            lines.append(f"  openssl cms -verify -binary -inform DER -in {stem}.p7s "
                         f"-content {stem}.json -CAfile root.pem -purpose any -out /dev/null")
            if token is not None:
                lines.append(f"  openssl ts -verify -in {stem}.tst -token_in -digest {sv_digest} "
                             "-CAfile root.pem")
        else:
            lines.append(f"  ({stem}: sự kiện từ tỉnh, không có chữ ký của quầy / province event, "
                         "not signed by the counter)")
    if chain:
        p = folder / "chain.pem"
        p.write_bytes(b"".join(chain.values()))
        written.append(p)
    anchors = b"".join(f.read_bytes() for f in _anchor_pems(counter))
    if anchors:
        p = folder / "root.pem"
        p.write_bytes(anchors)
        written.append(p)
    readme = folder / "VERIFY.txt"
    readme.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written.append(readme)
    return written


def _sha256() -> hashes.SHA256:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _anchor_pems(counter: Counter) -> list[Path]:
    from app.trust import anchor_files

    return [p for p in anchor_files(counter.settings) if p.suffix.lower() in (".pem", ".crt")]


def witness_check(counter: Counter, *, online: bool = True) -> dict[str, Any]:
    """Compare the audit chain with the head the gateway witnessed (sent with every push).
    Offline or not enrolled: says so, checks nothing."""
    out: dict[str, Any] = {"checked": False, "problems_en": [], "problems_vi": [], "note_en": "",
                 "note_vi": ""}
    if not online:
        return out
    from app import sync_service

    try:
        client = sync_service.make_client(counter, connect_timeout=3.0, read_timeout=5.0)
    except UserError:
        return out  # not enrolled: nothing to compare with
    try:
        head, breaks = client.witness_and_breaks()
    except Exception as exc:
        log.info("witness not checked: %s", exc)
        out["note_en"] = "Gateway not reachable: the witness was not checked."
        out["note_vi"] = "Không kết nối được cổng tỉnh: chưa đối chiếu với bản chứng kiến."
        return out
    finally:
        client.close()
    out["checked"] = True
    for vi, en in (witness_break_words(b) for b in breaks):
        if vi is None:  # an audited restore: said, not a problem
            out["restores_vi"] = [*out.get("restores_vi", []), en[0]]
            out["restores_en"] = [*out.get("restores_en", []), en[1]]
        else:
            out["problems_vi"].append(vi)
            out["problems_en"].append(en)
    if not head:
        return out
    seq, digest = int(head["seq"]), str(head["hash"])
    with counter.store._lock:
        actual = audit.row_hash_at(counter.store.conn, seq)
    if actual is None:
        p = audit.AuditProblem(seq, "witness_missing")
    elif actual != digest:
        p = audit.AuditProblem(seq, "witness_mismatch")
    else:
        return out
    out["problems_en"].append(p.describe("en"))
    out["problems_vi"].append(p.describe("vi"))
    return out


def witness_break_words(b: dict[str, Any]) -> tuple[Any, Any]:
    """(vi, en) of a break the gateway recorded in this counter's witnessed audit log; for an
    audited restore (None, (vi, en)): a note."""
    from app import checkwords

    at, w, first = checkwords.when(b.get("at")), int(b["witnessed_seq"]), int(b["first_seq"])
    if b.get("kind") == "restore":
        return None, (
            f"cổng tỉnh ghi nhận lúc {at}: nhật ký của quầy được khôi phục từ bản sao lưu ở dòng "
            f"#{first} (cổng tỉnh đã chứng kiến đến #{w}; các dòng đó thay bằng nhật ký khôi "
            "phục, theo dòng {checkwords.action('store.restore', 'vi')})",
            f"the gateway recorded at {at}: this counter's audit log was restored from a backup "
            f"at row #{first} (the gateway had witnessed up to #{w}; those rows were replaced by "
            f"the restored log, as the row {checkwords.action('store.restore', 'en')} says)")
    return (
        f"#{first}: cổng tỉnh ghi nhận lúc {at} nhật ký không còn nối tiếp chuỗi cổng tỉnh đã "
        f"chứng kiến đến dòng #{w}: các dòng đến #{w} đã bị sửa, xoá hoặc chèn sau khi gửi",
        f"#{first}: the gateway recorded at {at} that the audit log no longer continues the "
        f"chain it witnessed up to row #{w}: rows up to #{w} were edited, deleted or inserted "
        "after they were sent")
