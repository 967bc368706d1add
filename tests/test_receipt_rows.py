"""One listed row is never cut between two pages: a document of the receipt (its number, name,
form and count), a missing item of the supplement request, a hand-over of the control slip.
Swept over the number of rows and the length of the names on A4 and A5; the 80 mm roll stays
one page. Real PDFs read back with poppler: each row's first and last words (unique markers)
are on one page, and no page starts with the rest of a row from the page before."""

from __future__ import annotations

import dataclasses
import re

import pytest
from helpers import demo_signer, dossier_json, make_counter

from app import actions, intake, receipts
from tests.pdf_support import need, page_info, page_words, run

LONG_NAME = "Tôn Nữ Thị Phương Thảo Nguyễn Huỳnh Hoàng Bảo Ngọc Khánh Linh"
LONG_ADDRESS = ("Căn hộ 1208, Tầng 12, Tòa nhà Sunrise Riverside, Số 1234/56/78 Đường Nguyễn "
                "Hữu Thọ, Khu phố 5, Ấp Phước Lộc")
FILLER = ("bản sao giấy chứng nhận quyền sử dụng đất quyền sở hữu nhà ở và tài sản khác gắn "
          "liền với đất kèm theo trích lục bản đồ địa chính thửa đất văn bản ủy quyền ") * 6
RECEIPT_HEAD = {"STT", "Tên", "giấy", "tờ", "Hình", "thức", "Số", "lượng"}


def marked(i: int, length: int) -> str:
    """A name of exactly `length` characters from "Đầu<i>" to "Cuối<i>" (words unique to it)."""
    head, tail = f"Đầu{i} ", f" Cuối{i}"
    body = FILLER[:max(0, length - len(head) - len(tail))].rstrip()
    return f"{head}{body}{tail}".replace("  ", " ")


@pytest.fixture(scope="module")
def dossier(tmp_path_factory):
    """A real signed dossier with a long name and address; twelve supplement rounds whose
    notes (long, marked) fill the control slip."""
    counter = make_counter(tmp_path_factory.mktemp("rows") / "data")
    applicant = dossier_json()["applicant"]
    applicant["full_name"] = LONG_NAME
    applicant["address"] = {**applicant["address"], "detail": LONG_ADDRESS}
    docs = [{"name": marked(i, 300), "form": "certified_copy", "count": 1} for i in range(1, 41)]
    with demo_signer(counter=counter) as signer:
        code = intake.receive(counter, intake.parse_request(
            dossier_json(documents=docs, applicant=applicant)), clerk="lan", signer=signer)["code"]
        receipt = receipts.receipt_model(counter, code)
        for k in range(1, 13):
            actions.request_supplement(counter, code, [{"name": marked(k, 120)}],
                                       reason="Thiếu giấy tờ", clerk="lan", signer=signer)
            actions.record_supplement_received(counter, code, note=marked(k, 40 + 30 * k),
                                               clerk="lan", signer=signer)
    control = receipts.control_model(counter, code)
    yield counter, code, receipt, control
    counter.close()


@pytest.fixture(scope="module")
def render():
    from ui.printing import render_pdf

    return render_pdf


def _text(page) -> str:
    return " ".join(" ".join(w[0] for w in page).split())  # no-break spaces folded too


def _on(words, text: str) -> list[tuple[int, float]]:
    """(page index, top) of every occurrence of the word `text`."""
    return [(p, w[2]) for p, page in enumerate(words) for w in page if w[0] == text]


def _whole_rows(words, rows: list[tuple[str, ...]], head: set[str], first_head: str) -> None:
    """Each row's words are on one page (every marker once, all on the page of the row's
    first marker); on every page, nothing but the table's header row lies between the header
    and the first row that starts there (else it is the rest of a row cut on the page before)."""
    for markers in rows:
        found = [_on(words, m) for m in markers]
        assert all(len(f) == 1 for f in found), (markers, found)
        assert len({f[0][0] for f in found}) == 1, (markers, found)
    firsts = {m[0] for m in rows}
    for p, page in enumerate(words):
        heads = [w[2] for w in page if w[0] == first_head]
        tops = [w[2] for w in page if w[0] in firsts]
        if not heads or not tops:
            continue
        stray = [w[0] for w in page if heads[0] - 1 < w[2] < min(tops) - 1 and w[0] not in head]
        assert not stray, (p + 1, stray)


def _receipt_checks(m, out, pages: int) -> None:
    assert page_info(out)[0] == pages
    words = page_words(out)
    rows = [(f"Đầu{d.index}", f"Cuối{d.index}") for d in m.documents]
    _whole_rows(words, rows, RECEIPT_HEAD, "STT")
    # the heading "1. Thành phần hồ sơ nộp gồm:" and the table's header stay with row 1
    first = _on(words, "Đầu1")[0][0]
    assert _on(words, "phần")[0][0] == first and _on(words, "STT")[0][0] == first
    last = _on(words, f"Cuối{len(m.documents)}")[0][0]
    text = _text(words[-1])
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "Lan" in text
    assert last <= pages - 1
    for n in range(1, pages + 1) if pages > 1 else ():
        page = _text(words[n - 1])
        assert f"Mã hồ sơ: {m.code} — {m.copy_label} — Trang {n}/{pages}" in page, n


@pytest.mark.parametrize("layout", ["a4", "a5"])
def test_receipt_document_rows_never_split(dossier, render, tmp_path, layout):
    """1 to 60 documents, names of 24 to 300 characters and mixed: every row whole on one
    page, its heading and the table's header with the first row, the signature block whole,
    every page numbered."""
    need("pdftotext", "pdfinfo")
    base = dossier[2]
    cases = [(n, length) for n in (1, 7, 19, 33, 60) for length in (24, 150, 300)]
    cases += [(40, 0), (60, 0)]  # 0: lengths cycle 30, 300, 90, 220, 60 …
    for n, length in cases:
        sizes = [length or (30, 300, 90, 220, 60, 160)[i % 6] for i in range(n)]
        docs = tuple(dataclasses.replace(base.documents[0], index=i + 1, name=marked(i + 1, s))
                     for i, s in enumerate(sizes))
        m = dataclasses.replace(base, documents=docs)
        out = tmp_path / f"r-{layout}-{n}-{length}.pdf"
        pages = render(m, out, layout)
        _receipt_checks(m, out, pages)
        out.unlink()


def test_receipt_forty_long_documents_on_the_roll_stay_one_page(dossier, render, tmp_path):
    need("pdftotext", "pdfinfo")
    m = dossier[2]
    out = tmp_path / "roll.pdf"
    assert render(m, out, "roll80") == 1 and page_info(out)[0] == 1
    words = page_words(out)
    for d in m.documents:
        assert len(_on(words, f"Đầu{d.index}")) == 1 and len(_on(words, f"Cuối{d.index}")) == 1


@pytest.mark.parametrize("layout", ["a4", "a5"])
def test_supplement_items_never_split(dossier, render, tmp_path, layout):
    need("pdftotext", "pdfinfo")
    counter, code = dossier[0], dossier[1]
    for n, length in ((1, 300), (13, 300), (40, 300), (60, 120), (60, 300)):
        items = [receipts.MissingItem(marked(i, length), "certified_copy", 1,
                                      "bản có dấu giáp lai" if i % 2 else "")
                 for i in range(1, n + 1)]
        s = receipts.supplement_model(counter, code, items, "Thành phần hồ sơ chưa đầy đủ")
        out = tmp_path / f"s-{layout}-{n}-{length}.pdf"
        pages = render(s, out, layout)
        assert page_info(out)[0] == pages
        texts = [" ".join(run("pdftotext", "-enc", "UTF-8", "-f", str(p), "-l", str(p), str(out),
                              "-").split()) for p in range(1, pages + 1)]
        for line in s.items:  # the whole item, number to "bản", on exactly one page
            assert sum(" ".join(line.split()) in t for t in texts) == 1, (n, length, line[:20])
        first = next(p for p, t in enumerate(texts) if "1) Đầu1 " in t)
        assert s.list_heading in texts[first]  # the heading never alone at a page's foot
        assert "NGƯỜI HƯỚNG DẪN" in texts[-1] and "Lý do: Thành phần hồ sơ" in " ".join(texts)
        if pages > 1:
            assert all(f"Mã hồ sơ: {code} — Trang {p}/{pages}" in t
                       for p, t in enumerate(texts, start=1))
        out.unlink()


@pytest.mark.parametrize("layout", ["a4", "a5"])
def test_control_slip_rows_never_split(dossier, render, tmp_path, layout):
    """25 hand-overs with notes of up to 400 characters and the three blank rows."""
    need("pdftotext", "pdfinfo")
    c = dossier[3]
    assert len(c.rows) == 28
    out = tmp_path / f"control-{layout}.pdf"
    pages = render(c, out, layout)
    assert pages >= 2 and page_info(out)[0] == pages
    words = page_words(out)
    rows = []
    for i, row in enumerate(c.rows, start=1):
        note = re.match(r"Đầu(\d+) ", row[3])
        rows.append((f"{i}.", *((f"Đầu{note[1]}", f"Cuối{note[1]}") if note else ())))
    assert sum(len(r) == 3 for r in rows) == 12
    _whole_rows(words, rows, set(" ".join(c.columns).split()), "TÊN")
    text = _text(words[-1])
    assert "Người giao và người nhận ký" in text


@pytest.mark.parametrize("layout", ["a4", "a5"])
def test_tracking_book_lines_never_split(dossier, render, tmp_path, layout):
    """The book (landscape) with 60 lines whose procedure names run to 300 characters."""
    need("pdftotext", "pdfinfo")
    counter = dossier[0]
    from app.domain import now_vn

    book = receipts.tracking_book_model(counter, now_vn().date(), now_vn().date())
    assert len(book.rows) == 1
    line = book.rows[0]
    lines = tuple((str(i), line[1], marked(i, (60, 300, 140)[i % 3]), *line[3:])
                  for i in range(1, 61))
    b = dataclasses.replace(book, rows=lines)
    out = tmp_path / f"book-{layout}.pdf"
    pages = render(b, out, layout)
    assert pages >= 2 and page_info(out)[0] == pages
    words = page_words(out)
    _whole_rows(words, [(f"Đầu{i}", f"Cuối{i}") for i in range(1, 61)],
                set(" ".join(b.columns).split()), "TT")
