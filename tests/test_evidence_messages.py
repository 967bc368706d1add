"""What `verify`, `check`, `audit verify`, `repair` and the slips print for each attacker case of
tests/test_evidence.py: the exact lines, wholly Vietnamese by default and wholly English with
--lang en, and exit codes that agree with what is printed (issue 10, messages)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from localdb import audit, crosscheck
from signing.canonical import canonical_bytes
from tests.helpers import P12_PASSWORD, demo_signer, motcua, shared_pki
from tests.test_evidence import MON_10, _bodies, _drop_triggers, _receive

CODE = "000.20.27.H57-261123-01000"  # + the day's number (all receipts here on 23/11/2026)
#: a line with an English word of the checks' vocabulary inside a Vietnamese line
ENGLISH = re.compile(r"\b(event|events|missing|deleted|dossier|store|audit|between|the|row|"
                     r"counter|trigger|signature|received|supplement_\w+|is|are|of)\b")


def _run(counter, *args, lang="vi", env=None):
    return motcua(*args, data_dir=counter.settings.data_dir, lang=lang, env=env)


def _lines(out) -> list[str]:
    """stdout lines without the CRL warning the demo PKI gives and the time-stamp note."""
    return [x for x in out.stdout.splitlines()
            if not x.startswith(("Cảnh báo: Chưa có danh sách thu hồi",
                                 "Warning: No revocation list"))
            and "dấu thời gian" not in x and "time-stamped" not in x]


def _both(counter, *args):
    vi, en = _run(counter, *args), _run(counter, *args, lang="en")
    for line in _lines(vi):
        assert not ENGLISH.search(re.sub(r"\[[^\]]*\]|'motcua [^']*'|«[^»]*»", "", line)), line
    return vi, en


def _triggers_back(counter) -> None:
    """The attacker (or the test) puts the dropped triggers back, so only the change shows."""
    c = counter.store.conn
    crosscheck.recreate_triggers(c, crosscheck.missing_triggers(c))


# ---- verify ---------------------------------------------------------------------------------

def test_relabelled_origin_is_named_as_relabelled_not_deleted(counter, signer):
    _receive(counter, signer)
    _receive(counter, signer)
    c = _drop_triggers(counter)
    c.execute("UPDATE events SET origin = 'province' WHERE id = ?", (_bodies(counter)[0][0],))
    _triggers_back(counter)
    vi, en = _both(counter, "verify")
    assert vi.returncode == en.returncode == 1
    assert _lines(vi) == [
        f"{CODE}1: nguồn (quầy/tỉnh) ghi trong kho khác nội dung đã ký — sự kiện «tiếp nhận hồ "
        "sơ» lúc 23/11/2026 10:00 được ghi trong kho là của tỉnh, nhưng nội dung đã ký ghi là "
        "của quầy (sự kiện #1 trong chuỗi của quầy này): nhãn nguồn đã bị đổi",
        "2 hồ sơ, 2 chữ ký: 1 hồ sơ không hợp lệ.",
    ]
    assert _lines(en) == [
        f"{CODE}1: the origin (counter/province) stored differs from the signed body — the "
        "«received at the counter» event at 23/11/2026 10:00 is stored as made at the province, "
        "but its signed body says made at a counter (event #1 of this counter's chain): its "
        "origin label was changed",
        "2 dossier(s), 2 signature(s): 1 dossier(s) failing.",
    ]


def test_forged_unsigned_province_receipt_lines(counter, signer):
    _receive(counter, signer)
    bad = _receive(counter, signer)
    _receive(counter, signer)
    c = _drop_triggers(counter)
    eid, _, body = _bodies(counter, bad["code"])[0]
    body["data"]["applicant"]["full_name"] = "Kẻ Giả Mạo"
    body["origin"] = "province"
    c.execute("UPDATE events SET payload = ?, signature = NULL, origin = 'province' WHERE id = ?",
              (canonical_bytes(body), eid))
    c.execute("UPDATE dossiers SET applicant_name = 'Kẻ Giả Mạo', data = ? WHERE code = ?",
              (json.dumps(body["data"], ensure_ascii=False, sort_keys=True), bad["code"]))
    _triggers_back(counter)
    vi, en = _both(counter, "verify")
    assert vi.returncode == en.returncode == 1
    assert _lines(vi) == [
        f"{CODE}2: sự kiện không có chữ ký — sự kiện «tiếp nhận hồ sơ» lúc 23/11/2026 10:00",
        f"{CODE}2: hồ sơ không có sự kiện tiếp nhận do quầy ký",
        "kho dữ liệu: chuỗi sự kiện của quầy bị đứt — không còn sự kiện #2 của quầy (giữa hồ sơ "
        f"{CODE}1 và hồ sơ {CODE}3): đã bị xoá, hoặc bị sửa nên không còn là sự kiện đã ký của "
        "quầy này",
        "3 hồ sơ, 2 chữ ký: 1 hồ sơ không hợp lệ; 1 vấn đề của kho: chuỗi sự kiện của quầy bị "
        "đứt.",
    ]
    assert _lines(en) == [
        f"{CODE}2: event has no signature — the «received at the counter» event at 23/11/2026 "
        "10:00",
        f"{CODE}2: the dossier has no received event signed at a counter",
        "store: the counter's event chain is broken — counter event #2 is no longer in the store "
        f"(between dossier {CODE}1 and dossier {CODE}3): deleted, or changed so it is no longer "
        "this counter's signed event",
        "3 dossier(s), 2 signature(s): 1 dossier(s) failing; 1 store problem(s): counter event "
        "chain broken.",
    ]


def test_deleted_dossier_counts_store_problems_in_the_summary(counter, signer):
    """The exit code is 1 and the summary says why, though no remaining dossier is invalid."""
    _receive(counter, signer)
    b = _receive(counter, signer)
    _receive(counter, signer)
    c = _drop_triggers(counter)
    did = counter.store.query("SELECT id FROM dossiers WHERE code = ?", (b["code"],))[0]["id"]
    c.execute("DELETE FROM outbox WHERE event_id IN (SELECT id FROM events WHERE dossier_id = ?)",
              (did,))
    c.execute("DELETE FROM events WHERE dossier_id = ?", (did,))
    c.execute("DELETE FROM dossiers WHERE id = ?", (did,))
    _triggers_back(counter)
    seq = counter.store.scalar("SELECT seq FROM audit WHERE subject = ? AND action = ?",
                               (b["code"], "dossier.receive"))
    vi, en = _both(counter, "verify")
    assert vi.returncode == en.returncode == 1
    assert _lines(vi) == [
        f"kho dữ liệu: dòng nhật ký #{seq} («tiếp nhận hồ sơ» [dossier.receive] lúc 23/11/2026 "
        f"10:00, hồ sơ {CODE}2) ghi một sự kiện không còn trong kho (bị xoá?); không sửa được — "
        "bản sao lưu hoặc cổng tỉnh còn giữ sự kiện đó",
        "kho dữ liệu: chuỗi sự kiện của quầy bị đứt — không còn sự kiện #2 của quầy (giữa hồ sơ "
        f"{CODE}1 và hồ sơ {CODE}3): đã bị xoá, hoặc bị sửa nên không còn là sự kiện đã ký của "
        "quầy này",
        "kho dữ liệu: thiếu số hồ sơ trong ngày (hồ sơ bị xoá?) — ngày 23/11/2026: thiếu 1 "
        f"trong các số 1–3: {CODE}2",
        "2 hồ sơ, 2 chữ ký: 0 hồ sơ không hợp lệ; 3 vấn đề của kho: nhật ký ghi sự kiện không "
        "còn, chuỗi sự kiện của quầy bị đứt, thiếu số hồ sơ.",
    ]
    assert _lines(en) == [
        f"store: audit row #{seq} («dossier received» [dossier.receive] at 23/11/2026 10:00, "
        f"dossier {CODE}2) names an event that is no longer in the store (deleted?); cannot be "
        "repaired — a backup or the gateway still holds it",
        "store: the counter's event chain is broken — counter event #2 is no longer in the store "
        f"(between dossier {CODE}1 and dossier {CODE}3): deleted, or changed so it is no longer "
        "this counter's signed event",
        "store: daily dossier numbers are missing (dossier deleted?) — 23/11/2026: 1 of numbers "
        f"1–3 missing: {CODE}2",
        "2 dossier(s), 2 signature(s): 0 dossier(s) failing; 3 store problem(s): audit row names "
        "a missing event, counter event chain broken, dossier numbers missing.",
    ]
    out = json.loads(_run(counter, "verify", "--json").stdout)
    assert out["bad_dossiers"] == [] and out["store_problems"] == 3


def test_deleted_middle_event_and_orphaned_events(counter, signer):
    d = _receive(counter, signer)
    from app import actions

    actions.request_supplement(counter, d["code"], [{"name": "Bản sao CCCD"}], reason="thiếu",
                               clerk="lan", signer=signer, now=MON_10 + timedelta(hours=1))
    actions.record_supplement_received(counter, d["code"], clerk="lan", signer=signer,
                                       now=MON_10 + timedelta(hours=2))
    e = _receive(counter, signer, at=MON_10 + timedelta(hours=3))
    c = _drop_triggers(counter)
    middle = _bodies(counter, d["code"])[1][0]
    c.execute("DELETE FROM outbox WHERE event_id = ?", (middle,))
    c.execute("DELETE FROM events WHERE id = ?", (middle,))
    c.execute("PRAGMA foreign_keys = OFF")  # as anyone with the file can
    c.execute("DELETE FROM dossiers WHERE code = ?", (e["code"],))  # its event stays
    _triggers_back(counter)
    vi, en = _both(counter, "verify")
    assert vi.returncode == 1
    lines = _lines(vi)
    assert (f"{d['code']}: chuỗi sự kiện của hồ sơ bị đứt — thiếu sự kiện được ký ngay trước sự "
            "kiện «nhận hồ sơ bổ sung» lúc 23/11/2026 12:00 (đã bị xoá, hoặc bị sửa nên không "
            "còn khớp)") in lines
    assert (f"{d['code']}: trạng thái khác trạng thái suy ra từ sự kiện — kho ghi «Đang xử lý», "
            "các sự kiện đã ký cho «Được tiếp nhận»") in lines
    assert ("kho dữ liệu: chuỗi sự kiện của quầy bị đứt — không còn sự kiện #2 của quầy (giữa "
            f"hai sự kiện của hồ sơ {d['code']}): đã bị xoá, hoặc bị sửa nên không còn là sự "
            "kiện đã ký của quầy này") in lines
    # the dossier row is gone, its event is not: named as such, and not also a chain hole
    assert ("kho dữ liệu: sự kiện thuộc hồ sơ không tồn tại (hồ sơ bị xoá?) — sự kiện «tiếp "
            f"nhận hồ sơ» lúc 23/11/2026 13:00 còn trong kho nhưng hồ sơ {e['code']} thì không "
            "còn") in lines
    assert sum(x.startswith("kho dữ liệu: chuỗi sự kiện của quầy") for x in lines) == 1
    assert (f"{d['code']}: the dossier's event chain is broken — the event signed just before "
            "the «supplement received» event at 23/11/2026 12:00 is missing (deleted, or changed "
            "so it no longer matches)") in _lines(en)


def test_swapped_signature_names_the_event(counter, signer):
    d = _receive(counter, signer)
    eid, payload, _ = _bodies(counter, d["code"])[0]
    with demo_signer("clerk2", counter) as other:
        swapped = other.sign(payload)
    c = _drop_triggers(counter)
    c.execute("UPDATE events SET signature = ? WHERE id = ?", (swapped, eid))
    _triggers_back(counter)
    vi, en = _both(counter, "verify")
    assert vi.returncode == 1
    assert _lines(vi)[0] == (
        f"{d['code']}: chữ ký không phải của chứng thư được ghi trong nội dung đã ký — sự kiện "
        "«tiếp nhận hồ sơ» lúc 23/11/2026 10:00")
    assert _lines(en)[0] == (
        f"{d['code']}: the signature is not made by the certificate named in the signed body — "
        "the «received at the counter» event at 23/11/2026 10:00")


def test_untouched_store_summary_and_exit_code(counter, signer):
    _receive(counter, signer)
    vi, en = _both(counter, "verify")
    assert (vi.returncode, _lines(vi)) == (0, ["1 hồ sơ, 1 chữ ký: 0 hồ sơ không hợp lệ."])
    assert (en.returncode, _lines(en)) == (0, ["1 dossier(s), 1 signature(s): 0 dossier(s) "
                                               "failing."])


# ---- slips: a reprint of what is signed needs no key ------------------------------------------

def test_reprints_need_no_key(counter, signer, tmp_path):
    d = _receive(counter, signer)
    key = ("--p12", str(shared_pki().clerk("clerk1").p12), "--secret-env", "P12PW")
    env = {"P12PW": P12_PASSWORD}
    r = _run(counter, "slip", "supplement", d["code"], "--item", "Giấy chứng sinh",
             "--reason", "Thiếu bản sao", "--clerk", "lan", "--out", str(tmp_path / "s.pdf"),
             *key, env=env)
    assert r.returncode == 0, r.stderr
    events = counter.store.scalar("SELECT count(*) FROM events")
    again = _run(counter, "slip", "supplement", d["code"], "--out", str(tmp_path / "again.pdf"))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["signed"] is False and (tmp_path / "again.pdf").exists()
    assert counter.store.scalar("SELECT count(*) FROM events") == events  # nothing recorded
    bad = _run(counter, "slip", "supplement", d["code"], "--reason", "khác", "--out",
               str(tmp_path / "x.pdf"))
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "Lỗi: --reason chỉ dùng khi lập yêu cầu bổ sung mới (cùng --item); bản in lại lấy lý do "
        "từ yêu cầu đã ký.")
    # a new request or refusal without its reason is refused before any key is asked for
    r = _run(counter, "slip", "supplement", d["code"], "--item", "Giấy chứng sinh", "--out",
             str(tmp_path / "m.pdf"), "--p12", str(shared_pki().clerk("clerk1").p12))
    assert (r.returncode, r.stderr.strip()) == (2, "Lỗi: Lý do: bắt buộc, không được để trống.")
    r = _run(counter, "slip", "refusal", "--file", str(_intake_file(tmp_path)), "--out",
             str(tmp_path / "n.pdf"), "--p12", str(shared_pki().clerk("clerk1").p12))
    assert (r.returncode, r.stderr.strip()) == (2, "Lỗi: Phải nêu lý do từ chối tiếp nhận "
                                                   "(--reason).")
    # a refusal already recorded: the slip again, from the signed record, without a key
    r = _run(counter, "slip", "refusal", "--reason", "Không thuộc thẩm quyền", "--clerk", "lan",
             "--file", str(_intake_file(tmp_path)), "--out", str(tmp_path / "r.pdf"), *key,
             env=env)
    assert r.returncode == 0, r.stderr
    refused = json.loads(r.stdout)["recorded"]["code"]
    events = counter.store.scalar("SELECT count(*) FROM events")
    again = _run(counter, "slip", "refusal", refused, "--out", str(tmp_path / "r2.pdf"))
    assert again.returncode == 0, again.stderr
    assert counter.store.scalar("SELECT count(*) FROM events") == events
    other = _run(counter, "slip", "refusal", refused, "--reason", "Lý do khác", "--out",
                 str(tmp_path / "r3.pdf"), lang="en")
    assert other.returncode == 2 and not (tmp_path / "r3.pdf").exists()
    assert other.stderr.strip() == (
        f"Error: Dossier {refused} already has a signed refusal with another reason; a reprint "
        "keeps the signed reason (leave out --reason).")


def _intake_file(tmp_path):
    from tests.helpers import dossier_json

    path = tmp_path / "refused.json"
    path.write_text(json.dumps(dossier_json(), ensure_ascii=False), encoding="utf-8")
    return path


# ---- check, audit verify, repair --------------------------------------------------------------

def _rewrite_audit(counter, victim: int, *, fix_heads: bool = False) -> None:
    """Delete audit row `victim`, renumber, recompute the unkeyed chain and the meta head; with
    `fix_heads`, also rewrite the audit heads inside the events (their signatures then fail)."""
    c = _drop_triggers(counter)
    rows = c.execute("SELECT seq, at, actor, counter, action, subject, detail FROM audit "
                     "ORDER BY seq").fetchall()
    kept = [r for r in rows if r[0] != victim]
    c.execute("DELETE FROM audit")
    prev, hashes = audit.GENESIS, {0: audit.GENESIS}
    for new_seq, (_, at, actor, ctr, action, subject, detail) in enumerate(kept, 1):
        digest = audit._row_hash(prev, new_seq, at, actor, ctr, action, subject, detail)
        c.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (new_seq, at, actor, ctr, action, subject, detail, prev, digest))
        prev = hashes[new_seq] = digest
    c.execute("UPDATE meta SET value = ? WHERE key = ?", (f"{len(kept)}:{prev}", audit.HEAD_KEY))
    if fix_heads:
        for eid, _, body in _bodies(counter):
            seq = body["audit_head"]["seq"]
            seq = seq - 1 if seq >= victim else seq
            body["audit_head"] = {"seq": seq, "hash": hashes[seq]}
            c.execute("UPDATE events SET payload = ? WHERE id = ?", (canonical_bytes(body), eid))
    _triggers_back(counter)


def test_check_compares_the_audit_log_with_the_signed_heads(counter, signer):
    for i in range(3):
        _receive(counter, signer, at=MON_10 + timedelta(minutes=i))
    ok = _run(counter, "check")
    assert ok.returncode == 0 and ok.stdout.splitlines() == [
        "Dữ liệu toàn vẹn: cơ sở dữ liệu, chỉ mục tìm kiếm, nhật ký (khớp các đầu chuỗi ghi trong "
        "sự kiện), tệp quét, hàng đợi gửi và các ràng buộc bảo vệ. Chữ ký được kiểm bằng "
        "'motcua verify'."]
    second = counter.store.query("SELECT seq FROM audit WHERE action = 'dossier.receive' "
                                 "ORDER BY seq")[1]["seq"]
    _rewrite_audit(counter, second - 1)  # the row just before the 2nd receipt's own row
    vi, en = _both(counter, "check")
    assert vi.returncode == en.returncode == 1
    assert vi.stdout.splitlines() == [
        "Phát hiện 1 vấn đề:",
        f"  - #{second - 1}: dòng nhật ký khác giá trị đã được ký trong sự kiện (hồ sơ {CODE}2); "
        f"các dòng sau #{second - 3} đã bị viết lại"]
    assert en.stdout.splitlines() == [
        "Problems found: 1",
        f"  - #{second - 1}: audit row differs from the head signed into an event (dossier "
        f"{CODE}2); rows after #{second - 3} were rewritten"]
    vi, en = _both(counter, "audit", "verify", "--offline")
    assert vi.returncode == en.returncode == 1
    assert vi.stdout.splitlines() == [
        "Nhật ký không còn nguyên vẹn (1 vấn đề):",
        f"  - #{second - 1}: dòng nhật ký khác giá trị đã được ký trong sự kiện (hồ sơ {CODE}2); "
        f"các dòng sau #{second - 3} đã bị viết lại"]
    assert en.stdout.splitlines()[0] == "The audit log does not hold up (1 problem(s)):"


def test_an_audit_row_deleted_before_the_first_anchor_is_said_in_words(counter, signer):
    """A row deleted before the first signed head (none holds before it): the log is said to
    be rewritten from its first row, not "rows after #0"."""
    _receive(counter, signer, at=MON_10)
    _rewrite_audit(counter, 1)
    vi, en = _both(counter, "check")
    assert vi.returncode == en.returncode == 1
    assert vi.stdout.splitlines()[1].endswith("; nhật ký đã bị viết lại từ dòng đầu tiên")
    assert "#0" not in vi.stdout and "#0" not in en.stdout
    assert en.stdout.splitlines()[1].endswith("; the log was rewritten from its first row")
    vi = _run(counter, "audit", "verify", "--offline")
    assert vi.returncode == 1 and "nhật ký đã bị viết lại từ dòng đầu tiên" in vi.stdout


def test_audit_verify_checks_the_signature_of_each_anchoring_event(counter, signer):
    """Rewrite the audit chain *and* the heads inside the events to match: positions and hashes
    agree again (so the quick `check` is satisfied), but the anchoring events' signatures fail,
    and `audit verify` refuses to use them."""
    for i in range(2):
        _receive(counter, signer, at=MON_10 + timedelta(minutes=i))
    first_own = counter.store.scalar("SELECT min(seq) FROM audit WHERE action = "
                                     "'dossier.receive'")
    _rewrite_audit(counter, first_own - 1, fix_heads=True)
    assert _run(counter, "check").returncode == 0  # quick: positions and hashes only
    vi, en = _both(counter, "audit", "verify", "--offline")
    assert vi.returncode == en.returncode == 1
    lines = vi.stdout.splitlines()
    assert lines[0] == "Nhật ký không còn nguyên vẹn (2 vấn đề):"
    assert lines[1] == (
        f"  - #{first_own - 2}: đầu chuỗi nhật ký ghi trong một sự kiện của hồ sơ {CODE}1 không "
        "dùng làm mốc được vì sự kiện đó không qua kiểm tra chữ ký: sự kiện «tiếp nhận hồ sơ» "
        "lúc 23/11/2026 10:00: Dữ liệu đã bị thay đổi sau khi ký (không khớp giá trị băm đã ký).")
    assert en.stdout.splitlines()[1].startswith(
        f"  - #{first_own - 2}: the audit head inside an event of dossier {CODE}1 cannot be used "
        "as an anchor because that event fails the signature check: the «received at the "
        "counter» event at 23/11/2026 10:00: ")


def test_repair_says_what_it_did_and_what_is_left(counter, signer):
    d = _receive(counter, signer)
    _receive(counter, signer)
    c = _drop_triggers(counter)
    c.execute("DELETE FROM outbox")
    eid = _bodies(counter, d["code"])[0][0]
    vi = _run(counter, "check")
    assert vi.returncode == 1 and vi.stdout.splitlines()[0] == "Phát hiện 6 vấn đề:"
    assert (f"  - hồ sơ {d['code']}: sự kiện «tiếp nhận hồ sơ» lúc 23/11/2026 10:00 chưa được "
            "cổng tỉnh xác nhận mà không còn trong hàng đợi gửi (sẽ không bao giờ đến tỉnh) — "
            "chạy 'motcua repair'") in vi.stdout.splitlines()
    r = _run(counter, "repair")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines() == [
        "Đã tạo lại 4 ràng buộc bảo vệ: «chặn xoá nhật ký» [audit_no_delete], «chặn sửa nhật "
        "ký» [audit_no_update], «chặn sửa sự kiện» [events_append_only], «chặn xoá sự kiện» "
        "[events_no_delete].",
        "Đã đưa lại 2 sự kiện vào hàng đợi gửi lên tỉnh.",
        "Đã ghi vào nhật ký [store.repair]."]
    again = _run(counter, "repair", lang="en")
    assert (again.returncode, again.stdout.splitlines()) == (0, ["Nothing to repair."])
    # a deleted event cannot be repaired: named, exit 1
    c = _drop_triggers(counter)
    c.execute("DELETE FROM outbox WHERE event_id = ?", (eid,))
    c.execute("DELETE FROM events WHERE id = ?", (eid,))
    _triggers_back(counter)
    seq = counter.store.scalar("SELECT seq FROM audit WHERE action = 'dossier.receive' "
                               "AND subject = ?", (d["code"],))
    r = _run(counter, "repair", lang="en")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "Nothing to repair.",
        "Still to fix (1; 'motcua repair' cannot):",
        f"  - audit row #{seq} («dossier received» [dossier.receive] at 23/11/2026 10:00, "
        f"dossier {d['code']}) names an event that is no longer in the store (deleted?); cannot "
        "be repaired — a backup or the gateway still holds it"]
    out = json.loads(_run(counter, "repair", "--json").stdout)
    assert out["requeued"] == 0 and [f["kind"] for f in out["remaining"]] == ["audit_orphan"]


def test_export_of_a_mismatched_dossier_says_so_and_exits_1(counter, signer, tmp_path):
    d = _receive(counter, signer)
    ok = _run(counter, "export", d["code"], "--out", str(tmp_path / "ok"))
    assert ok.returncode == 0 and ok.stderr == ""
    c = _drop_triggers(counter)
    c.execute("UPDATE dossiers SET appointment_at = '2026-12-30T10:00:00+07:00'")
    _triggers_back(counter)
    vi = _run(counter, "export", d["code"], "--out", str(tmp_path / "vi"))
    en = _run(counter, "export", d["code"], "--out", str(tmp_path / "en"), lang="en")
    assert vi.returncode == en.returncode == 1
    assert (tmp_path / "vi" / d["code"] / "VERIFY.txt").exists()  # still exported
    shown = _run(counter, "show", d["code"], "--json")
    assert shown.returncode == 1 and json.loads(shown.stdout)["evidence_problem"]
    # printing refuses: exit 1 (a check found a problem), one line naming `motcua verify`
    r = _run(counter, "slip", "control", d["code"], "--out", str(tmp_path / "c.pdf"))
    assert r.returncode == 1 and not (tmp_path / "c.pdf").exists()
    assert r.stderr.strip() == (
        f"Lỗi: Hồ sơ {d['code']} không khớp chữ ký (dữ liệu hồ sơ khác nội dung đã ký); không in, "
        "không ký. Chạy 'motcua verify' để xem chi tiết.")
    assert vi.stderr.strip() == (
        f"Cảnh báo: hồ sơ {d['code']} không khớp chữ ký (dữ liệu hồ sơ khác nội dung đã ký); đã "
        "xuất để đối chiếu, xem VERIFY.txt.")
    assert en.stderr.strip() == (
        f"Warning: dossier {d['code']} does not match its signatures (dossier row differs from "
        "the signed data); exported for the investigation, see VERIFY.txt.")


def test_show_prints_times_and_events_in_words(counter, signer):
    d = _receive(counter, signer)
    vi, en = _both(counter, "show", d["code"])
    assert vi.returncode == en.returncode == 0
    assert vi.stdout.splitlines()[3] == ("Tiếp nhận: 23/11/2026 10:00   Hẹn trả: "
                                         f"{_appointment(counter, d['code'])}")
    assert vi.stdout.splitlines()[-1] == f"  23/11/2026 10:00  {'tiếp nhận hồ sơ':<34} quầy     lan"
    assert en.stdout.splitlines()[-1] == (f"  23/11/2026 10:00  {'received at the counter':<34} "
                                          "counter  lan")


def _appointment(counter, code):
    from app import checkwords

    return checkwords.when(counter.store.scalar("SELECT appointment_at FROM dossiers WHERE "
                                                "code = ?", (code,)))


def test_replaced_and_forked_counter_events_are_named_as_such(counter, signer):
    """Someone holding the clerk's key (an insider) re-signs event #2 with other content, and
    signs a second event carrying number #2: the chain names a replacement and a fork, not a
    deletion."""
    import uuid

    for i in range(3):
        _receive(counter, signer, at=MON_10 + timedelta(minutes=i))
    c = _drop_triggers(counter)
    eid, _, body = _bodies(counter, f"{CODE}2")[0]
    body["data"]["note"] = "đã sửa"
    c.execute("UPDATE events SET payload = ?, signature = ? WHERE id = ?",
              (canonical_bytes(body), signer.sign(canonical_bytes(body)), eid))
    twin = dict(body, id=str(uuid.uuid4()))
    twin_bytes = canonical_bytes(twin)
    c.execute("INSERT INTO events (id, dossier_id, type, occurred_at, origin, actor, payload, "
              "signature, recorded_at) SELECT ?, dossier_id, type, occurred_at, origin, actor, ?, "
              "?, recorded_at FROM events WHERE id = ?",
              (twin["id"], twin_bytes, signer.sign(twin_bytes), eid))
    _triggers_back(counter)
    vi, en = _both(counter, "verify")
    assert vi.returncode == 1
    chain = [x for x in _lines(vi) if x.startswith("kho dữ liệu: chuỗi sự kiện của quầy")]
    assert chain == [
        "kho dữ liệu: chuỗi sự kiện của quầy bị đứt — hai sự kiện khác nhau cùng mang số #2 trong "
        f"chuỗi của quầy (cả hai của hồ sơ {CODE}2): một sự kiện bị chèn thêm, hoặc chuỗi của "
        "quầy bị rẽ nhánh",
        f"kho dữ liệu: chuỗi sự kiện của quầy bị đứt — sự kiện #3 (hồ sơ {CODE}3) không nối vào "
        f"sự kiện #2 đang có trong kho (hồ sơ {CODE}2): một trong hai đã bị thay bằng nội dung "
        "khác"]
    assert [x for x in _lines(en) if x.startswith("store: the counter's")][1] == (
        f"store: the counter's event chain is broken — event #3 (dossier {CODE}3) does not link "
        f"to the event #2 now in the store (dossier {CODE}2): one of the two was replaced by "
        "different content")


def test_the_counters_language_setting_is_followed(counter, signer):
    """No --lang, no MOTCUA_LANG: the language stored for this counter decides every line."""
    from app import preferences

    _receive(counter, signer)
    preferences.set_pref(counter, "language", "en")
    env = {"MOTCUA_LANG": "", "MOTCUA_LANGUAGE": "", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    for args, first in ((("check",), "Store is healthy: "),
                        (("audit", "verify", "--offline"), "12 audit rows, hash chain intact"),
                        (("repair",), "Nothing to repair."),
                        (("verify",), "1 dossier(s), 1 signature(s): 0 dossier(s) failing.")):
        r = _run(counter, *args, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        assert _lines(r)[-1].startswith(first), (args, r.stdout)


def test_every_protective_trigger_and_event_type_has_words():
    """A trigger or event type added later gets its words here too (else it shows as a bare
    internal name)."""
    from app import checkwords
    from app.domain import EventType

    assert set(crosscheck.expected_triggers()) <= set(checkwords.TRIGGER_WORDS)
    assert {t.value for t in EventType} <= set(checkwords.EVENT_WORDS)


def test_check_names_an_edited_audit_row_in_words(counter, signer):
    _receive(counter, signer)
    c = _drop_triggers(counter)
    c.execute("UPDATE audit SET actor = 'someone-else' WHERE seq = 2")
    _triggers_back(counter)
    vi, en = _both(counter, "check")
    assert vi.returncode == en.returncode == 1
    assert "  - #2: dòng nhật ký đã bị sửa" in vi.stdout.splitlines()
    assert "  - #2: audit row was edited" in en.stdout.splitlines()


def test_province_event_relabelled_as_the_counters(counter, signer):
    from app import actions
    from tests.helpers import pin_demo_gateway, signed_province_event

    d = _receive(counter, signer)
    pin_demo_gateway(counter)
    ev = signed_province_event(d, "processing", MON_10 + timedelta(hours=2), counter=counter)
    assert actions.apply_remote_events(counter, [ev])["applied"] == 1
    c = _drop_triggers(counter)
    c.execute("UPDATE events SET origin = 'counter' WHERE type = 'processing'")
    _triggers_back(counter)
    vi, en = _both(counter, "verify")
    assert vi.returncode == en.returncode == 1
    assert _lines(vi) == [
        f"{d['code']}: nguồn (quầy/tỉnh) ghi trong kho khác nội dung đã ký — sự kiện «bắt đầu xử "
        "lý» lúc 23/11/2026 12:00 được ghi trong kho là của quầy, nhưng nội dung đã ký ghi là của "
        "tỉnh: nhãn nguồn đã bị đổi",
        "1 hồ sơ, 2 chữ ký: 1 hồ sơ không hợp lệ."]
    assert _lines(en)[0] == (
        f"{d['code']}: the origin (counter/province) stored differs from the signed body — the "
        "«processing started» event at 23/11/2026 12:00 is stored as made at a counter, but its "
        "signed body says made at the province: its origin label was changed")


def test_a_pin_slipped_into_meta_is_not_shown_as_pinned_at_enrolment(counter, signer):
    """The attack: a second gateway certificate written into meta by hand (no audit row).
    `verify` names it; `gateway-pin list` and `sync status` must not call it "pinned at
    enrolment" either, in both languages."""
    from app import evidence
    from tests.helpers import pin_demo_gateway

    _receive(counter, signer)
    genuine = pin_demo_gateway(counter)
    counter.store.conn.execute("UPDATE meta SET value = value || ',' || ? WHERE key = ?",
                               ("ab" * 32, evidence.META_GATEWAY_PIN))
    vi, en = _both(counter, "gateway-pin", "list")
    assert vi.returncode == en.returncode == 0
    assert f"Chứng thư ký của cổng tỉnh: {genuine[:16]}… (cũ; ghim khi đăng ký)" in vi.stdout
    assert (f"Chứng thư ký của cổng tỉnh: {'ab' * 8}… (đang dùng; ghim mà nhật ký không ghi "
            "nhận — bị thêm vào tệp? chạy 'motcua verify')") in vi.stdout
    assert (f"Gateway signing certificate: {'ab' * 8}… (current; pinned but the audit log does "
            "not record it — added to the file? run 'motcua verify')") in en.stdout
    status = _run(counter, "sync", "status")
    assert "ghim mà nhật ký không ghi nhận" in status.stdout
    ver = _run(counter, "verify")
    assert ver.returncode == 1 and f"SHA-256 {'ab' * 8}…" in ver.stdout
