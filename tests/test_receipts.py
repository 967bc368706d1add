"""Receipts and slips: the text models, real PDFs checked with poppler and zbar, PAdES
signatures checked with pdfsig, reprints in the audit log, the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from helpers import demo_signer, dossier_json, make_counter

from app import demo, intake, receipts
from app.context import Counter, open_counter
from app.domain import VN_TZ, now_vn
from app.errors import UserError
from app.settings import Settings
from app.workcalendar import NO_APPOINTMENT_VI, words_vi
from tests.pdf_support import need, page_info, pdf_text, qr_payloads, run

TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo", "pdfsig", "zbarimg")












# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> tuple[Path, list[str]]:
    d = tmp_path_factory.mktemp("receipts-demo")
    prepared = demo.prepare(d)
    return d, prepared.codes


@pytest.fixture
def counter(demo_dir) -> Counter:
    c = open_counter(Settings(data_dir=demo_dir[0]))
    yield c
    c.close()


@pytest.fixture
def codes(demo_dir) -> list[str]:
    return demo_dir[1]


@pytest.fixture(scope="module")
def render():
    from ui.printing import render_pdf

    return render_pdf


# ----------------------------------------------------------------------------- models


def test_receipt_model_has_every_line_of_form_01(counter, codes):
    m = receipts.receipt_model(counter, codes[0])
    lines = m.lines()
    text = "\n".join(lines)
    assert lines[:2] == ["ỦY BAN NHÂN DÂN PHƯỜNG SÀI GÒN",
                         "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG SÀI GÒN (DEMO)"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    received = m.received_at
    assert m.header.place_date == (f"Phường Sài Gòn, ngày {received.day:02d} tháng "
                                   f"{received.month:02d} năm {received.year}")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in lines
    assert f"Mã hồ sơ: {codes[0]}" in lines
    assert "(Liên 2: giao người nộp)" in lines
    assert "Họ và tên: Đặng Thị Hương" in lines
    assert "Địa chỉ: 12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh" in lines
    assert "Số điện thoại: 0912345678" in lines
    assert "Nội dung yêu cầu giải quyết: Thủ tục đăng ký khai sinh" in lines
    assert "1) Tờ khai đăng ký khai sinh — Bản chính: 01 bản" in lines
    assert "2. Số lượng hồ sơ: 01 bộ" in lines
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 01 ngày làm việc" in lines
    assert f"4. Thời gian nhận hồ sơ: {words_vi(received)}" in lines
    assert re.search(r"^5\. Thời gian trả kết quả giải quyết hồ sơ: \d\d giờ \d\d phút, "
                     r"ngày \d\d tháng \d\d năm \d{4}$", text, re.M)
    assert any(line.startswith("6. Đăng ký nhận kết quả tại: Trực tiếp tại") for line in lines)
    assert re.search(r"^Vào Sổ theo dõi hồ sơ, Quyển số: \d{4}/01, Số thứ tự: 1$", text, re.M)
    assert [x for x in lines if x in (
                "NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", "Đặng Thị Hương",
                "NGƯỜI TIẾP NHẬN HỒ SƠ", "Cán bộ Demo")][-6:] == ["NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", "Đặng Thị Hương", "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "(Ký và ghi rõ họ tên)", "Cán bộ Demo"]
    assert m.qr_payload == receipts.DEFAULT_LOOKUP_URL.replace("{code}", codes[0])
    assert receipts.receipt_model(counter, codes[0], copy_label=1).copy_label == "Liên 1: lưu"


def test_book_numbers_follow_entry_order_per_year(counter, codes):
    numbers = [receipts.receipt_model(counter, c).book_number for c in codes]
    assert numbers == [1, 2, 3, 4]


def test_lookup_url_is_a_setting(counter, codes):
    counter.store.set_meta(receipts.META_LOOKUP_URL, "https://dvc.example.vn/tra-cuu?ma={code}")
    try:
        m = receipts.receipt_model(counter, codes[1])
        assert m.qr_payload == f"https://dvc.example.vn/tra-cuu?ma={codes[1]}"
    finally:
        counter.store.set_meta(receipts.META_LOOKUP_URL, "")
    assert receipts.receipt_model(counter, codes[1]).qr_payload.startswith(
        "https://dichvucong.gov.vn/")


def test_processing_time_words():
    assert receipts.processing_time_vi({"kind": "working_days", "value": 3}) == "03 ngày làm việc"
    assert receipts.processing_time_vi({"kind": "calendar_days", "value": 15}) == "15 ngày"
    assert receipts.processing_time_vi({"kind": "working_hours", "value": 4}) == \
        "04 giờ làm việc"
    assert receipts.processing_time_vi({"kind": "working_days", "value": 0.5}) == \
        "0,5 ngày làm việc"
    assert "sau 15 giờ 00" in receipts.processing_time_vi({"kind": "same_day",
                                                          "cutoff": "15:00"})
    assert receipts.processing_time_vi({"kind": "none"}) == "Không quy định thời hạn cụ thể"


# ----------------------------------------------------------------------------- PDFs


@pytest.mark.parametrize("layout", ["a4", "a5", "roll80"])
def test_receipt_pdf_text_fonts_and_qr(counter, codes, render, tmp_path, layout):
    need(*TOOLS[:4], "zbarimg")
    m = receipts.receipt_model(counter, codes[2])  # the longest procedure name of the demo
    out = tmp_path / f"r-{layout}.pdf"
    assert render(m, out, layout) == 1
    text = pdf_text(out)
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Trần Đức Đông", codes[2],
                     words_vi(m.received_at), words_vi(m.appointment_at),
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Cán bộ Demo",
                     m.procedure.value, "Bằng tốt nghiệp", m.book):
        assert expected in text, expected
    fonts = run("pdffonts", str(out)).splitlines()[2:]
    assert fonts, "no font in the PDF"
    for row in fonts:
        cols = row.split()
        assert "DejaVu" in cols[0]
        assert cols[-5] == "yes", f"font not embedded: {row}"  # emb column
    assert any(codes[2] in p and p == m.qr_payload for p in qr_payloads(out, tmp_path))


def test_roll_is_one_page_80mm_whatever_the_length(tmp_path, render):
    need("pdfinfo", "pdftotext")
    counter = make_counter(tmp_path / "data")
    docs = [{"name": f"Giấy tờ kèm theo số {i} (bản sao có chứng thực từ sổ gốc)",
             "form": "certified_copy", "count": 1} for i in range(1, 61)]
    with demo_signer(counter=counter) as signer:
        code = intake.receive(counter, intake.parse_request(dossier_json(documents=docs)),
                              clerk="lan", signer=signer)["code"]
    m = receipts.receipt_model(counter, code)
    out = tmp_path / "long.pdf"
    assert render(m, out, "roll80") == 1
    pages, width, height = page_info(out)
    assert pages == 1
    assert abs(width - 226.77) <= 1
    assert height > 1.5 * 842  # far longer than an A4 page, still one page
    text = pdf_text(out)
    assert "Giấy tờ kèm theo số 60" in text and "Trang" not in text
    a4 = tmp_path / "long-a4.pdf"
    assert render(m, a4, "a4") >= 2  # sheets paginate instead
    counter.close()


def test_no_appointment_procedure_prints_the_legal_wording(tmp_path, render):
    counter = make_counter(tmp_path / "data")
    with demo_signer(counter=counter) as signer:
        code = intake.receive(counter, intake.parse_request(dossier_json(
            procedure_code="2.001019")), clerk="lan", signer=signer)["code"]  # Chứng thực di chúc
    m = receipts.receipt_model(counter, code)
    assert m.appointment_at is None
    assert f"5. Thời gian trả kết quả giải quyết hồ sơ: {NO_APPOINTMENT_VI}" in m.lines()
    for layout in ("a4", "roll80"):
        out = tmp_path / f"none-{layout}.pdf"
        render(m, out, layout)
        assert "Không có ngày hẹn trả cụ thể theo quy định" in pdf_text(out)
    counter.close()


def test_reprint_is_logged_and_printed(tmp_path, render):
    counter = make_counter(tmp_path / "data")
    with demo_signer(counter=counter) as signer:
        code = intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan",
                              signer=signer)["code"]
    audit_rows = lambda: counter.store.query(  # noqa: E731
        "SELECT actor, subject, detail FROM audit WHERE action = 'receipt.reprint'")
    for bad in ("", "   "):
        with pytest.raises(UserError) as err:
            receipts.record_reprint(counter, code, bad, "lan")
        assert err.value.code == "reprint_reason"
        assert "lý do" in err.value.vi and "reason" in err.value.en
    with pytest.raises(UserError):
        receipts.record_reprint(counter, code, "mất", "nobody")
    assert audit_rows() == []
    assert receipts.record_reprint(counter, code, "Người nộp làm mất bản gốc", "lan") == 1
    at = datetime(2026, 11, 24, 8, 5, tzinfo=VN_TZ)
    assert receipts.record_reprint(counter, code, "Bản trước in mờ", "lan", now=at) == 2
    rows = audit_rows()
    assert [(r["actor"], r["subject"]) for r in rows] == [("lan", code)] * 2
    assert '"reason":"Bản trước in mờ"' in rows[1]["detail"]
    last = receipts.last_reprint(counter, code)
    assert last.number == 2 and last.reason == "Bản trước in mờ"
    m = receipts.receipt_model(counter, code, reprint=last)
    assert "Bản in lại lần 2 ngày 24/11/2026 08:05 — lý do: Bản trước in mờ" in m.lines()
    out = tmp_path / "reprint.pdf"
    render(m, out, "a5")
    assert "Bản in lại lần 2 ngày 24/11/2026 08:05 — lý do: Bản trước in mờ" in pdf_text(out)
    from localdb import audit

    assert audit.verify(counter.store.conn)[1] == []
    counter.close()


@pytest.mark.parametrize("clerk", ["clerk1", "clerk2"])  # RSA-2048, ECDSA P-256
def test_signed_receipt_is_valid_for_pdfsig(counter, codes, render, tmp_path, clerk):
    need("pdfsig", "pdftotext")
    from signing.pdf import sign_pdf

    m = receipts.receipt_model(counter, codes[0])
    plain = tmp_path / "plain.pdf"
    render(m, plain, "a4")
    signed = tmp_path / f"signed-{clerk}.pdf"
    with demo_signer(clerk) as signer:
        sign_pdf(plain, signed, signer, location="Phường Sài Gòn")
    out = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid" in out.stdout, out.stdout + out.stderr
    assert "ETSI.CAdES.detached" in out.stdout
    assert "Total document signed" in out.stdout
    assert "Đặng Thị Hương" in pdf_text(signed)
    # one changed byte in the signed range breaks it
    data = bytearray(signed.read_bytes())
    i = data.index(b"/Creator")
    data[i + 1] = ord("c")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    out = subprocess.run(["pdfsig", str(tampered)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid" not in out.stdout


def test_signing_refuses_a_revoked_certificate(tmp_path, render):
    from signing.errors import SigningError
    from signing.pdf import sign_pdf

    counter = make_counter(tmp_path / "data")
    with demo_signer(counter=counter) as signer:
        code = intake.receive(counter, intake.parse_request(dossier_json()), clerk="lan",
                              signer=signer)["code"]
    plain = tmp_path / "plain.pdf"
    render(receipts.receipt_model(counter, code), plain, "a4")
    with demo_signer("clerk3", counter=counter) as signer, \
            pytest.raises(SigningError) as err:  # clerk3 is revoked in the demo CRL
        sign_pdf(plain, tmp_path / "nope.pdf", signer)
    assert err.value.code == "revoked"
    assert not (tmp_path / "nope.pdf").exists()
    counter.close()


def test_supplement_refusal_control_and_book(counter, codes, render, tmp_path):
    need("pdftotext", "pdfinfo")
    items = [receipts.parse_missing_item("Giấy chứng sinh|certified_copy|1|bản sao bị mờ"),
             receipts.parse_missing_item("Tờ khai đăng ký khai sinh")]
    s = receipts.supplement_model(counter, codes[0], items, "Thành phần hồ sơ chưa đầy đủ",
                                  contact_phone="028 3829 0000")
    out = tmp_path / "supplement.pdf"
    render(s, out, "a4")
    text = pdf_text(out)
    for expected in ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", codes[0], "Đặng Thị Hương",
                     "1) Giấy chứng sinh — Bản sao có chứng thực: 01 bản (bản sao bị mờ)",
                     "2) Tờ khai đăng ký khai sinh — Bản chính: 01 bản",
                     "Lý do: Thành phần hồ sơ chưa đầy đủ", "028 3829 0000", "NGƯỜI HƯỚNG DẪN"):
        assert expected in text, expected
    with pytest.raises(UserError):
        receipts.supplement_model(counter, codes[0], [], "x")
    with pytest.raises(UserError):
        receipts.supplement_model(counter, codes[0], items, " ")
    with pytest.raises(UserError):
        receipts.parse_missing_item("Giấy|photocopy-ish")

    r = receipts.refusal_model(counter, reason="Không thuộc thẩm quyền của cấp xã",
                               applicant_name="Phạm Văn Bình", procedure_name="Đăng ký kinh doanh")
    render(r, tmp_path / "refusal.pdf", "a5")
    text = pdf_text(tmp_path / "refusal.pdf")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Phạm Văn Bình" in text and "Không thuộc thẩm quyền của cấp xã" in text

    c = receipts.control_model(counter, codes[1])
    render(c, tmp_path / "control.pdf", "a4")
    text = pdf_text(tmp_path / "control.pdf")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and "Nguyễn Văn An" in text
    assert "Bộ phận Một cửa tiếp nhận hồ sơ" in text

    days = [datetime.fromisoformat(receipts.receipt_model(counter, x).received_at.isoformat())
            for x in codes]
    b = receipts.tracking_book_model(counter, days[0].date(), days[-1].date())
    assert [row[0] for row in b.rows] == ["1", "2", "3", "4"]
    assert [row[1] for row in b.rows] == codes
    for layout in ("a4", "roll80"):
        out = tmp_path / f"book-{layout}.pdf"
        render(b, out, layout)
        text = pdf_text(out)
        assert "SỔ THEO DÕI HỒ SƠ" in text and all(x in text for x in codes)
        assert "Trần Đức Đông" in text
    pages, width, height = page_info(tmp_path / "book-a4.pdf")
    assert width > height  # the book's many columns print landscape
    assert page_info(tmp_path / "book-roll80.pdf")[:2] == (1, pytest.approx(226.77, abs=1))
    one_day = receipts.tracking_book_model(counter, days[1].date(), days[1].date())
    assert [row[1] for row in one_day.rows] == [codes[1]]
    with pytest.raises(UserError):
        receipts.tracking_book_model(counter, date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(UserError):
        receipts.tracking_book_model(counter, date(2025, 1, 1), date(2026, 1, 1) +
                                     timedelta(days=30))


def test_bundled_font_and_printers(counter, codes):
    from ui import printing

    fonts = Path(printing.FONT_DIR)
    for name in (*printing.FONT_FILES, "LICENSE-DejaVu.txt"):
        assert (fonts / name).is_file(), name
    assert printing.font_family() == "DejaVu Sans"
    assert isinstance(printing.installed_printers(), list)
    m = receipts.receipt_model(counter, codes[0])
    with pytest.raises(UserError) as err:
        printing.print_document(m, "Máy in không tồn tại 42", "a5")
    assert err.value.code == "no_printer"
    results = []
    assert printing.open_printer_dialog(None, results.append) is None
    from PySide6.QtCore import QCoreApplication

    for _ in range(5):
        QCoreApplication.processEvents()
    assert results == [None]
    with pytest.raises(UserError):
        printing.render_pdf(m, "/tmp/never.pdf", "a3")


# ----------------------------------------------------------------------------- CLI


def _cli(monkeypatch, data_dir: Path, *args: str) -> int:
    import app.cli as cli

    if "app.cli.receipts" not in cli.COMMAND_MODULES:  # until the lead registers it
        monkeypatch.setattr(cli, "COMMAND_MODULES", [*cli.COMMAND_MODULES, "app.cli.receipts"])
    return cli.main(["--data-dir", str(data_dir), *args])


def test_cli_receipt_signed_reprint_and_slips(demo_dir, monkeypatch, tmp_path, capsys):
    need("pdfsig", "pdftotext", "pdfinfo")
    data_dir, codes = demo_dir
    p12 = data_dir / "demo-pki" / "clerk1.p12"
    monkeypatch.setenv("MOTCUA_TEST_P12", demo.DEMO_P12_PASSWORD)
    out = tmp_path / "cli.pdf"
    assert _cli(monkeypatch, data_dir, "receipt", codes[3], "--out", str(out), "--layout",
                "roll80", "--copy", "1", "--sign", "--p12", str(p12),
                "--secret-env", "MOTCUA_TEST_P12") == 0
    summary = capsys.readouterr().out
    assert '"signed": true' in summary
    assert "Signature is Valid" in run("pdfsig", str(out))
    assert page_info(out)[:2] == (1, pytest.approx(226.77, abs=1))
    assert "Liên 1: lưu" in pdf_text(out)

    out = tmp_path / "reprint.pdf"
    assert _cli(monkeypatch, data_dir, "receipt", codes[3], "--out", str(out),
                "--reprint-reason", "Công dân làm mất", "--clerk", "lan") == 0
    assert "Bản in lại lần 1" in pdf_text(out) and "Công dân làm mất" in pdf_text(out)
    assert _cli(monkeypatch, data_dir, "receipt", codes[3], "--out", str(tmp_path / "x.pdf"),
                "--reprint-reason", "", "--clerk", "lan") == 2
    assert "lý do" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()

    key = ("--p12", str(p12), "--secret-env", "MOTCUA_TEST_P12")
    assert _cli(monkeypatch, data_dir, "slip", "supplement", codes[0], "--item",
                "Giấy chứng sinh|certified_copy", "--reason", "Thiếu bản sao",
                "--out", str(tmp_path / "s.pdf"), "--layout", "a5", *key) == 0
    assert "Giấy chứng sinh — Bản sao có chứng thực" in pdf_text(tmp_path / "s.pdf")
    dossier = tmp_path / "refused.json"
    dossier.write_text('{"procedure_code": "1.001193", "applicant": {"full_name": "Phạm Văn '
                       'Bình", "address": {"province_code": "79", "commune_code": "26740"}}}',
                       encoding="utf-8")
    assert _cli(monkeypatch, data_dir, "slip", "refusal", "--file", str(dossier), "--reason",
                "Sai thẩm quyền", "--out", str(tmp_path / "f.pdf"), "--clerk", "lan", *key) == 0
    text = pdf_text(tmp_path / "f.pdf")
    assert "Phạm Văn Bình" in text and "Thủ tục đăng ký khai sinh" in text
    assert _cli(monkeypatch, data_dir, "slip", "control", codes[0], "--out",
                str(tmp_path / "c.pdf")) == 0
    first = receipts.receipt_model(open_counter(Settings(data_dir=data_dir)), codes[0])
    assert _cli(monkeypatch, data_dir, "slip", "book", "--from",
                first.received_at.date().isoformat(), "--to", now_vn().date().isoformat(),
                "--out", str(tmp_path / "b.pdf")) == 0
    assert all(c in pdf_text(tmp_path / "b.pdf") for c in codes)
    assert _cli(monkeypatch, data_dir, "slip", "book", "--from", "2026-13-01",
                "--out", str(tmp_path / "b2.pdf")) == 2


def test_cli_parser_does_not_load_qt():
    code = (
        "import sys, argparse\n"
        "import app.cli.receipts as r\n"
        "p = argparse.ArgumentParser(); r.register(p.add_subparsers())\n"
        "p.parse_args(['receipt', 'X', '--out', 'x.pdf'])\n"
        "bad = sorted(n for n in sys.modules if n.startswith(('PySide6', 'shiboken6')))\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent,
                         env={**os.environ, "PYTHONPATH": "."}, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
