"""The printed receipt keeps its shape on sheets: with 40 documents and a long name and address
the signature block and its captions stay on one page, every page of a multi-page receipt
carries the dossier code, the copy label and its page number, headings never wrap between the
syllables of one word, and the 80 mm roll stays one page. Real PDFs, read back with poppler."""

from __future__ import annotations

import dataclasses
import re

import pytest
from helpers import demo_signer, dossier_json, make_counter

from app import intake, receipts
from tests.pdf_support import need, page_info, run

LONG_NAME = "Tôn Nữ Thị Phương Thảo Nguyễn Huỳnh Hoàng Bảo Ngọc Khánh Linh"
LONG_ADDRESS = ("Căn hộ 1208, Tầng 12, Tòa nhà Sunrise Riverside, Số 1234/56/78 Đường Nguyễn "
                "Hữu Thọ, Khu phố 5, Ấp Phước Lộc")
# words of the headings that must never be cut in two at a line end
WORDS = ("KẾT QUẢ", "HỒ SƠ", "TIẾP NHẬN", "HÀNH CHÍNH", "SÀI GÒN", "Số lượng", "Hình thức",
         "Tên giấy tờ", "ghi rõ")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    counter = make_counter(tmp_path_factory.mktemp("layout") / "data")
    docs = [{"name": f"Giấy tờ kèm theo số {i} (bản sao có chứng thực từ sổ gốc)",
             "form": "certified_copy", "count": 1} for i in range(1, 41)]
    applicant = dossier_json()["applicant"]
    applicant["full_name"] = LONG_NAME
    applicant["address"] = {**applicant["address"], "detail": LONG_ADDRESS}
    with demo_signer(counter=counter) as signer:
        code = intake.receive(counter, intake.parse_request(
            dossier_json(documents=docs, applicant=applicant)), clerk="lan", signer=signer)["code"]
    m = receipts.receipt_model(counter, code)
    counter.close()
    assert len(m.documents) == 40
    return m


@pytest.fixture(scope="module")
def render():
    from ui.printing import render_pdf

    return render_pdf


def _page(path, n: int, layout: bool = False) -> str:
    return run("pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []),
               "-f", str(n), "-l", str(n), str(path), "-")


def _fold(text: str) -> str:
    return " ".join(text.split())


def _signature_pages(m, path, pages: int) -> set[int]:
    """Pages on which a part of the signature block is printed; the page holding its titles
    must also hold both captions and, after them, both names (the block's last lines)."""
    titles = [b.title for b in m.signatures]
    hints = [b.hint for b in m.signatures]
    found = set()
    for n in range(1, pages + 1):
        text = _fold(_page(path, n))
        if any(p in text for p in titles + hints):
            found.add(n)
            tail = text[min(text.find(t) for t in titles if t in text):]
            for part in (*titles, *hints, "Nguyễn Thị Lan", LONG_NAME.split()[-1]):
                assert part in tail, (n, part, tail)
    return found


@pytest.mark.parametrize("layout", ["a4", "a5"])
def test_forty_documents_keep_the_signature_block_on_one_page(model, render, tmp_path, layout):
    need("pdftotext", "pdfinfo", "pdftoppm")
    out = tmp_path / f"receipt-{layout}.pdf"
    pages = render(model, out, layout)
    count, width, height = page_info(out)
    assert count == pages >= 2
    assert (round(width), round(height)) == {"a4": (595, 842), "a5": (420, 595)}[layout]
    assert _signature_pages(model, out, pages) == {pages}
    for n in range(1, pages + 1):
        text = _fold(_page(out, n))
        # every page, continuation pages above all, names the dossier, the copy and the page
        assert f"Mã hồ sơ: {model.code} — {model.copy_label} — Trang {n}/{pages}" in text, n
    first = _fold(_page(out, 1))
    assert LONG_NAME in first and "Giấy tờ kèm theo số 1 " in first
    assert "Giấy tờ kèm theo số 40" in _fold(_page(out, pages))
    run("pdftoppm", "-r", "60", "-png", str(out), str(tmp_path / f"page-{layout}"))
    assert len(list(tmp_path.glob(f"page-{layout}*.png"))) == pages


@pytest.mark.parametrize("layout", ["a4", "a5"])
def test_signature_block_never_cut_whatever_the_number_of_documents(model, render, tmp_path,
                                                                    layout):
    """Each count of documents puts the block at another height; at some of them the page
    ends inside it (A4: 31–33, A5: 25 with this name and address), and there it moves to the
    next page whole."""
    need("pdftotext")
    for n in range(20, 41):
        m = dataclasses.replace(model, documents=model.documents[:n])
        out = tmp_path / f"n{n}-{layout}.pdf"
        pages = render(m, out, layout)
        assert _signature_pages(m, out, pages) == {pages}, n
        out.unlink()


@pytest.mark.parametrize("layout", ["a4", "a5", "roll80"])
def test_headings_wrap_between_words_only(model, render, tmp_path, layout):
    need("pdftotext")
    out = tmp_path / f"words-{layout}.pdf"
    render(model, out, layout)
    lines = [" ".join(line.split()) for line in _page(out, 1, layout=True).splitlines()]
    joined = "\n".join(lines)
    for word in WORDS:
        if word == "SÀI GÒN" or word.upper() == word or layout != "roll80":
            first, _, rest = word.partition(" ")
            cut = re.search(rf"(^|\s){re.escape(first)}\n{re.escape(rest)}", joined)
            assert cut is None, (word, joined[max(0, cut.start() - 80):cut.end() + 40])
    folded = _fold(_page(out, 1))
    for word in WORDS[:-1] if layout != "roll80" else ("KẾT QUẢ", "HỒ SƠ", "TIẾP NHẬN"):
        assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded), word  # not "Số lượn g"
    title = receipts.RECEIPT_TITLE
    if layout == "roll80":  # two balanced lines, the cut between "HỒ SƠ" and "VÀ"
        assert "GIẤY TIẾP NHẬN HỒ SƠ" in lines and "VÀ HẸN TRẢ KẾT QUẢ" in lines
    else:
        assert title in lines
    assert not any(line.endswith("SÀI") for line in lines)


def test_roll_stays_one_page_without_page_numbers(model, render, tmp_path):
    need("pdftotext", "pdfinfo")
    out = tmp_path / "roll.pdf"
    assert render(model, out, "roll80") == 1
    pages, width, _height = page_info(out)
    assert pages == 1 and abs(width - 226.77) <= 1
    text = _fold(_page(out, 1))
    assert "Trang" not in text and "Giấy tờ kèm theo số 40" in text and LONG_NAME in text
