"""`motcua enrol` and `motcua sync …`: connect this counter to the provincial gateway and sync.

    motcua enrol LINE_OR_URL [--token-env VAR] [--ca-bundle FILE] [--gateway-url URL]
    motcua sync once [--json]        drain the outbox and pull once
    motcua sync run                  keep syncing (Ctrl-C / SIGTERM to stop)
    motcua sync status [--json]      online/offline, pending, parked, last success/error, skew
    motcua sync retry-parked         put parked events back in the queue

Exit codes of `sync once` (scripts and monitoring rely on them):
    0  everything delivered, nothing pending or parked
    3  the gateway answered, but events remain pending or parked (see `sync status`)
    4  the gateway could not be reached or answered a transient error (offline; retry later)
    5  the gateway refused this counter's credential (re-enrol)
    6  the procedure catalogue the gateway serves was refused here (see `sync status`)
    2  refused input, e.g. the counter is not enrolled (as every other command)
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from app.cli.common import counter_of, emit
from app.errors import UserError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_REMAINING, EXIT_OFFLINE, EXIT_AUTH, EXIT_CATALOGUE = 0, 3, 4, 5, 6


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("enrol", help="enrol this counter with the provincial gateway")
    p.add_argument("line", metavar="LINE_OR_URL",
                   help="the MOTCUA-ENROL1:… line from 'motcua-gateway enrol', or the gateway URL")
    p.add_argument("--token-env", metavar="VAR",
                   help="environment variable holding the counter credential (with a URL)")
    p.add_argument("--ca-bundle", metavar="FILE",
                   help="CA certificate(s) that issued the gateway's TLS certificate")
    p.add_argument("--gateway-url", metavar="URL", help="override the URL in the line")
    p.add_argument("--gateway-cert-sha256", metavar="HEX",
                   help="SHA-256 of the gateway's signing certificate to pin (the enrolment line "
                        "carries it; otherwise it is asked from the gateway)")
    p.add_argument("--no-check", action="store_true", help="do not contact the gateway now")
    p.set_defaults(func=cmd_enrol)

    p = sub.add_parser("sync", help="sync with the provincial gateway")
    ss = p.add_subparsers(dest="sync_cmd", required=True)
    o = ss.add_parser("once", help="drain the outbox and pull once (exit 0/3/4/5)")
    o.add_argument("--json", action="store_true")
    o.set_defaults(func=cmd_once)
    r = ss.add_parser("run", help="keep syncing until stopped")
    r.set_defaults(func=cmd_run)
    s = ss.add_parser("status", help="sync state")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)
    rp = ss.add_parser("retry-parked", help="queue parked events again")
    rp.set_defaults(func=cmd_retry_parked)
    rc = ss.add_parser("recover", help="after a restore: pull back this counter's own events "
                       "from the gateway, verify them, re-create the dossiers the restore lost "
                       "and learn the gateway's highest code of today")
    rc.set_defaults(func=cmd_recover)

    p = sub.add_parser("gateway-pin", help="the gateway's signing certificates pinned here "
                       "(province events); add one from the province's letter")
    gs = p.add_subparsers(dest="pin_cmd", required=True)
    a = gs.add_parser("list", help="pinned gateway signing certificates (current, replaced)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_pin_list)
    a = gs.add_parser("add", help="pin a new gateway signing certificate by its SHA-256, read "
                      "from the province's letter (compromise of the old key; administrator "
                      "confirmation). The certificate pinned until now is replaced from "
                      "--effective-at (default: now)")
    a.add_argument("sha256")
    a.add_argument("--cert", metavar="FILE", help="the new certificate (PEM/DER): checked to "
                   "have this SHA-256 and to chain to the trust anchors")
    a.add_argument("--effective-at", metavar="TIME", help="ISO 8601 time with offset from which "
                   "the old certificate no longer signs (the letter's date), default now")
    a.add_argument("--admin", required=True, help="administrator who confirms")
    a.add_argument("--admin-password-env", help="environment variable holding the "
                                                "administrator's password (else a prompt)")
    a.set_defaults(func=cmd_pin_add)


def _t(args: argparse.Namespace, vi: str, en: str) -> str:
    return en if args.lang == "en" else vi


def cmd_enrol(args: argparse.Namespace) -> int:
    from app import sync_service

    token = None
    if args.token_env:
        token = os.environ.get(args.token_env)
        if not token:
            raise UserError(f"Biến môi trường {args.token_env} chưa được đặt.",
                            f"Environment variable {args.token_env} is not set.",
                            code="secret_missing")
    with counter_of(args, create=True) as counter:
        info = sync_service.enrol(counter, args.line, token=token, ca_bundle=args.ca_bundle,
                                  gateway_url=args.gateway_url,
                                  gateway_cert_sha256=args.gateway_cert_sha256,
                                  fetch_pin=not args.no_check)
        if not args.no_check:
            info["check"] = _probe(counter)
    emit(info)
    check = info.get("check")
    if check and not check["ok"]:
        print(_t(args, "Đã lưu đăng ký, nhưng chưa kết nối được cổng: ",
                 "Enrolment saved, but the gateway could not be reached: ")
              + f"{check['reason']}: {check['detail']}", file=sys.stderr)
    return 0


def _probe(counter) -> dict:  # type: ignore[no-untyped-def]
    """One authenticated read, so IT learns at once whether URL, CA and credential work."""
    from app import sync_service
    from sync.client import SyncError

    client = sync_service.make_client(counter, read_timeout=15)
    try:
        client.pull(None, limit=1)
        skew = client.last_skew
        return {"ok": True, "clock_skew_seconds": None if skew is None else round(skew, 1)}
    except SyncError as exc:
        return {"ok": False, "reason": exc.reason, "detail": exc.detail}
    finally:
        client.close()


def cmd_once(args: argparse.Namespace) -> int:
    from app import sync_service, syncstate
    from sync.client import AuthError

    with counter_of(args) as counter:
        result = sync_service.sync_once(counter)
        reported_skew = syncstate.read(counter)["clock_skew_seconds"]  # beyond the limit only
    from sync.reasons import clock_skew_words

    skew_words = clock_skew_words(reported_skew, args.lang) if reported_skew else None
    if args.json:
        out = result.to_json()
        out["clock_skew_vi"] = clock_skew_words(reported_skew, "vi") if reported_skew else None
        out["clock_skew_en"] = clock_skew_words(reported_skew, "en") if reported_skew else None
        emit(out)
    else:
        print(_t(args, "Đã gửi", "Delivered") + f": {result.delivered}, "
              + _t(args, "tạm giữ", "parked") + f": {result.parked}, "
              + _t(args, "nhận về", "pulled") + f": {result.pulled}; "
              + _t(args, "còn chờ", "pending") + f": {result.pending}, "
              + _t(args, "đang tạm giữ", "parked in total") + f": {result.parked_total}")
        if result.refused:
            from app.syncstate import refused_words

            print(_t(args, "Sự kiện nhận về bị từ chối (không áp dụng)",
                     "Pulled events refused (not applied)")
                  + f": {result.refused} — {refused_words(result.refused_reasons, args.lang)}",
                  file=sys.stderr)
        if result.refused_lifted:
            print(_t(args, "Sự kiện nhận về bị từ chối trước đây nay đã áp dụng (sau khi thay đổi"
                     " tin cậy)", "Pulled events refused earlier, applied now (after a trust "
                     "change)") + f": {result.refused_lifted}", file=sys.stderr)
        if result.rotations_applied:
            print(_t(args, "Đã ghim chứng thư ký mới của cổng tỉnh theo thông báo có chữ ký",
                     "Pinned the gateway's new signing certificate from its signed announcement")
                  + f": {result.rotations_applied}", file=sys.stderr)
        if result.rotations_refused:
            from app.syncstate import refused_words

            print(_t(args, "Thông báo đổi chứng thư ký của cổng tỉnh bị từ chối (không ghim)",
                     "Gateway signing-certificate announcements refused (not pinned)")
                  + f": {sum(result.rotations_refused.values())} — "
                  + refused_words(result.rotations_refused, args.lang), file=sys.stderr)
        if result.catalogue_error:
            said = (result.catalogue_error_words or {}).get("en" if args.lang == "en" else "vi")
            print(_t(args, "Danh mục thủ tục từ cổng tỉnh bị từ chối",
                     "The gateway's procedure catalogue was refused")
                  + f": {said or result.catalogue_error}", file=sys.stderr)
        if skew_words:
            print(_t(args, "CẢNH BÁO: ", "WARNING: ") + skew_words
                  + _t(args, " so với cổng tỉnh", " compared with the gateway"), file=sys.stderr)
        if result.error is not None:
            from sync.reasons import round_error_words

            # the clerk's sentence in their language; the client's (English) detail is in the log
            words = round_error_words(result.error.reason)
            text = _t(args, *words) if words else result.error.detail
            print(_t(args, "Lỗi đồng bộ", "Sync error")
                  + f" ({result.error.reason}): {text}", file=sys.stderr)
    if isinstance(result.error, AuthError):
        return EXIT_AUTH
    if result.offline:
        return EXIT_OFFLINE
    if result.error is not None or result.pending or result.parked_total:
        return EXIT_REMAINING
    if result.catalogue_error:
        return EXIT_CATALOGUE
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from app import sync_service

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    with counter_of(args) as counter:
        from sync.heap import freeze_startup_heap

        freeze_startup_heap("counter sync")  # `motcua sync run`: this process runs nothing else
        try:
            sync_service.run_forever(counter, stop)
        except KeyboardInterrupt:
            return 130
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from app import syncstate

    with counter_of(args, readonly=True) as counter:
        state = syncstate.read(counter)
        state["parked_events"] = syncstate.parked_events(counter)
        from app.timestamps import gateway_proven_time_stamps  # sent without the proof
        from app.trust import load_trust
        from localdb.crosscheck import sent_without_token, unqueued_count

        try:
            trust = load_trust(counter.settings)
        except OSError as exc:  # a read-only disk without the CRL folder: the audit row only
            log.warning("trust anchors not read for the acknowledgement count: %s", exc)
            trust = None
        with counter.store._lock:
            conn = counter.store.conn
            state["unacknowledged"] = sent_without_token(
                conn, counter.agency_code, counter.counter_no) \
                if gateway_proven_time_stamps(conn, trust) else 0
            state["unqueued"] = unqueued_count(conn)  # would never reach the province
    if args.json:
        emit(state)
        return 0
    if not state["configured"]:
        print(_t(args, "Chưa đăng ký với cổng tỉnh (motcua enrol).",
                 "Not enrolled with the gateway (motcua enrol)."))
    online = state["online"]
    label = (_t(args, "chưa thử", "never tried") if online is None else
             _t(args, "trực tuyến", "online") if online else
             _t(args, "ngoại tuyến từ ", "offline since ") + _when(state["offline_since"]))
    print(_t(args, "Cổng", "Gateway") + f": {state['gateway_url'] or '-'} ({label})")
    print(_t(args, "Chờ gửi", "Pending") + f": {state['pending']}  "
          + _t(args, "Tạm giữ", "Parked") + f": {state['parked']}")
    if state.get("unqueued"):
        print(_t(args, "CẢNH BÁO: sự kiện chưa gửi mà không còn trong hàng đợi gửi (sẽ không bao "
                 "giờ đến tỉnh): ", "WARNING: events not sent and no longer in the send queue "
                 "(they would never reach the province): ") + f"{state['unqueued']} — "
              + _t(args, "chạy 'motcua check' rồi 'motcua repair'",
                   "run 'motcua check', then 'motcua repair'"))
    if state.get("unacknowledged"):
        print(_t(args, "CẢNH BÁO: sự kiện ghi là đã gửi nhưng cổng tỉnh chưa xác nhận (không có "
                 "dấu thời gian): ", "WARNING: events marked sent but not acknowledged by the "
                 "gateway (no time-stamp token): ") + f"{state['unacknowledged']} — "
              + _t(args, "chạy 'motcua check' rồi 'motcua repair'",
                   "run 'motcua check', then 'motcua repair'"))
    if state.get("waiting"):
        print(_t(args, "Sự kiện nhận về đang chờ hồ sơ gốc", "Pulled events waiting for their"
                 " dossier") + f": {state['waiting']}")
    print(_t(args, "Thành công gần nhất", "Last success")
          + f": {_when(state['last_success']) if state['last_success'] else '-'}")
    if state["last_error"]:
        words = state["last_error_en"] if args.lang == "en" else state["last_error_vi"]
        print(_t(args, "Lỗi gần nhất", "Last error")
              + f": {_when(state['last_error'])} ({state['last_error_reason']})"
              + (f" — {words}" if words else ""))
    if state.get("catalogue_error"):
        print(_t(args, "CẢNH BÁO: danh mục thủ tục từ cổng tỉnh không được dùng: ",
                 "WARNING: the gateway's procedure catalogue was not installed: ")
              + str(state["catalogue_error_en"] if args.lang == "en"
                    else state["catalogue_error_vi"]))
    refused = state.get("pull_refused")
    if refused:
        print(_t(args, "CẢNH BÁO: sự kiện nhận về bị từ chối (không áp dụng) lúc ",
                 "WARNING: pulled events refused (not applied) at ")
              + f"{_when(refused.get('at'))}: {refused.get('count')} — "
              + str(refused["reasons_en"] if args.lang == "en" else refused["reasons_vi"]))
    rotation = state.get("rotation_refused")
    if rotation:
        print(_t(args, "CẢNH BÁO: thông báo đổi chứng thư ký của cổng tỉnh bị từ chối (không "
                 "ghim) lúc ", "WARNING: gateway signing-certificate announcements refused (not "
                 "pinned) at ")
              + f"{_when(rotation.get('at'))}: {rotation.get('count')} — "
              + str(rotation["reasons_en"] if args.lang == "en" else rotation["reasons_vi"]))
    for pin in state.get("gateway_pins") or []:
        print(_pin_line(args, pin))
    held = state.get("refused_events") or []
    if held:
        print(_t(args, "Sự kiện nhận về đang bị từ chối (chưa áp dụng)",
                 "Pulled events refused here (not applied)")
              + f": {state.get('refused_events_count', len(held))}")
    for ev in held:
        en = args.lang == "en"
        who = ev.get("signer_subject") or "?"
        sha = (ev.get("signer_sha256") or "")[:16]
        etype = ev.get("type_en" if en else "type_vi") or ev["type"]
        print(f"  - {ev['dossier_code']} «{etype}» ({_origin_words(args, ev['origin'])}, "
              + _t(args, "nhận lúc ", "pulled at ") + f"{_when(ev['refused_at'])}): "
              + (ev["reason_en"] if en else ev["reason_vi"]) + f" ({ev['reason']}) — "
              + _t(args, "người ký ", "signer ") + f"«{who}»" + (f" {sha}…" if sha else "")
              + " — " + (ev["kind_en"] if en else ev["kind_vi"]))
    if state["clock_skew_seconds"]:
        words = state["clock_skew_en"] if args.lang == "en" else state["clock_skew_vi"]
        print(_t(args, "CẢNH BÁO: ", "WARNING: ") + words
              + _t(args, " so với cổng tỉnh", " compared with the gateway"))
    for ev in state["parked_events"]:
        words = ev["reason_en"] if args.lang == "en" else ev["reason_vi"]
        print(f"  - {ev['dossier_code']} {ev['type']}: {words} ({ev['parked_reason']})")
    return 0


def _when(value: object) -> str:
    """An ISO time as the clerk reads it: dd/mm/yyyy HH:MM, Vietnam time (`--json` keeps ISO)."""
    from app.checkwords import when

    return when(value)


def _origin_words(args: argparse.Namespace, origin: str) -> str:
    return {"province": _t(args, "của tỉnh", "province"),
            "counter": _t(args, "của quầy khác", "another counter")}.get(origin, origin)


def cmd_retry_parked(args: argparse.Namespace) -> int:
    from app import sync_service

    with counter_of(args) as counter:
        n = sync_service.retry_parked(counter)
    emit({"requeued": n})
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    from app.recover import recover

    with counter_of(args) as counter:
        emit(recover(counter))
    return EXIT_OK


def _pin_line(args: argparse.Namespace, pin: dict) -> str:
    """One pinned gateway signing certificate, in words."""
    state = (_t(args, "đang dùng", "current") if pin["current"] else
             _t(args, "đã thay thế từ ", "replaced from ") + _when(pin["retired_from"] or "?")
             if pin["retired_from"] else _t(args, "cũ", "older"))
    via = {"enrolment": _t(args, "khi đăng ký", "at enrolment"),
           "announcement": _t(args, "theo thông báo có chữ ký", "by signed announcement"),
           "admin": _t(args, "do quản trị viên", "by an administrator"),
           "unaudited": _t(args, "mà nhật ký không ghi nhận — bị thêm vào tệp? chạy 'motcua "
                           "verify'", "but the audit log does not record it — added to the "
                           "file? run 'motcua verify'")}.get(pin["via"], pin["via"])
    return (_t(args, "Chứng thư ký của cổng tỉnh", "Gateway signing certificate")
            + f": {pin['sha256'][:16]}… ({state}; {_t(args, 'ghim', 'pinned')} {via}"
            + (f", {pin['subject']}" if pin.get("subject") else "") + ")")


def cmd_pin_list(args: argparse.Namespace) -> int:
    from app.rotation import pinned_certificates

    with counter_of(args, readonly=True) as counter:
        pins = pinned_certificates(counter)
    if args.json:
        emit(pins)
        return 0
    if not pins:
        print(_t(args, "Chưa ghim chứng thư ký nào của cổng tỉnh (motcua enrol).",
                 "No gateway signing certificate pinned yet (motcua enrol)."))
    for pin in pins:
        print(_pin_line(args, pin))
        print(f"  SHA-256: {pin['sha256']}")
    return 0


def cmd_pin_add(args: argparse.Namespace) -> int:
    from datetime import datetime
    from pathlib import Path

    from app.cli.common import secret
    from app.rotation import admin_add_pin

    when = None
    if args.effective_at:
        try:
            when = datetime.fromisoformat(args.effective_at)
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            raise UserError("Thời điểm hiệu lực phải theo ISO 8601 kèm múi giờ, ví dụ "
                            "2026-12-15T08:00:00+07:00.",
                            "The effective time must be ISO 8601 with its offset, e.g. "
                            "2026-12-15T08:00:00+07:00.", field="effective_at",
                            code="bad_effective_at")
    cert = None
    if args.cert:
        from app.binding import certificate_from_file

        cert = certificate_from_file(Path(args.cert))
    with counter_of(args) as counter:
        admin_pw = secret(args, "admin_password_env",
                          "Mật khẩu quản trị viên / Administrator password: ")
        emit(admin_add_pin(counter, args.sha256, admin=args.admin, admin_password=admin_pw,
                           cert=cert, effective_at=when))
    return 0
