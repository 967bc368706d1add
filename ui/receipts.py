"""Layouts of the one-stop documents (receipt, slips, tracking book) as Qt rich text.

The text comes from `app.receipts` (no wording is decided here); this module only decides
how it sits on A4, A5 and an 80 mm thermal roll. Output is HTML for QTextDocument, whose
layout engine wraps long procedure names and table cells; `ui.printing` paints it on a PDF
writer or a printer. Sizes are in points (fonts) and CSS pixels of 1/96 inch (images), both
scaled by Qt to the paint device.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from app.receipts import Field, Header, Model, ReceiptModel, SignatureBlock, SlipModel, TableModel

QR_URL = "motcua://qr"
LAYOUTS = ("a4", "a5", "roll80")
# Named anchors that `ui.printing` finds in the laid-out document: "keep:<group>:<i>" marks
# one row of a list or table (a document, a missing item, a hand-over) that must never be
# split between two pages; "lead:<group>" the heading that must stay with its first row.
KEEP = "keep:"
LEAD = "lead:"
BREAK = "page-break-before:always; "


@dataclass(frozen=True)
class Layout:
    """Paper and type sizes of one layout (millimetres, points)."""

    name: str
    width_mm: float
    height_mm: float | None  # None: continuous roll, height follows the content
    margins_mm: tuple[float, float, float, float]  # left, top, right, bottom
    base_pt: float
    title_pt: float
    small_pt: float
    qr_mm: float
    sign_space: int  # empty lines left for a handwritten signature

    @property
    def roll(self) -> bool:
        return self.height_mm is None

    def landscape(self) -> Layout:
        if self.roll:
            return self
        return Layout(self.name, self.height_mm or 0, self.width_mm, self.margins_mm,
                      self.base_pt, self.title_pt, self.small_pt, self.qr_mm, self.sign_space)


LAYOUT_SPECS: dict[str, Layout] = {
    "a4": Layout("a4", 210, 297, (20, 15, 15, 15), 11, 13.5, 9.5, 28, 4),
    "a5": Layout("a5", 148, 210, (12, 10, 10, 10), 8.5, 10.5, 7.5, 22, 3),
    # 80 mm paper, 72 mm printable on common thermal heads.
    "roll80": Layout("roll80", 80, None, (4, 3, 4, 8), 7.5, 9, 6.5, 34, 3),
}


def layout_spec(model: Model, layout: str) -> Layout:
    """The paper for a model: wide tables (the tracking book) go landscape on sheets."""
    if layout not in LAYOUT_SPECS:
        from app.errors import UserError

        raise UserError(f"Khổ giấy '{layout}' không hợp lệ (a4, a5, roll80).",
                        f"Unknown layout '{layout}' (a4, a5, roll80).", field="layout")
    spec = LAYOUT_SPECS[layout]
    if isinstance(model, TableModel) and model.kind == "book":
        return spec.landscape()
    return spec


# Date/time phrases wrap as a whole ("ngày 23 tháng 11 năm" / "2026" looks broken).
# So do a number and its unit ("Số thứ tự: 12", "01 ngày làm việc", "01 bản"). A table cell may
# be narrower than a whole date: there only each word stays with its number ("tháng 12"), or Qt
# would cut the phrase inside a word ("nă / m 2026").
_KEEP_RE = re.compile(r"\d\d giờ \d\d phút|ngày \d\d tháng \d\d năm \d{4}|Số thứ tự: \d+|"
                      r"Quyển số: [\d/]+|\d+ (?:ngày|giờ) làm việc|\d+ (?:bản|bộ)\b")
_CELL_RE = re.compile(r"\d+ (?:giờ|phút)|(?:ngày|tháng|năm) \d+|\d+ (?:bản|bộ)\b")


def _e(text: str, *, cell: bool = False) -> str:
    out = escape(text, quote=True)
    out = (_CELL_RE if cell else _KEEP_RE).sub(lambda m: m.group(0).replace(" ", "&nbsp;"), out)
    return out.replace("\n", "<br>")


# Vietnamese writes one word as several syllables ("kết quả", "hồ sơ"): a heading that wraps
# between them reads as broken ("TRẢ KẾT / QUẢ"). Headings bind the words of their forms and
# a place name ("PHƯỜNG SÀI GÒN") so they only wrap between words.
_WORDS = ("trả kết quả", "kết quả", "hồ sơ", "tiếp nhận", "bổ sung", "hoàn thiện", "từ chối",
          "giải quyết", "kiểm soát", "quá trình", "theo dõi", "cơ quan", "thời gian", "ghi chú",
          "số lượng", "hình thức", "giấy tờ", "ủy ban", "nhân dân", "hành chính", "phục vụ",
          "trung tâm", "cộng hòa", "xã hội", "chủ nghĩa", "việt nam", "độc lập", "tự do",
          "hạnh phúc", "khách hàng", "trước hạn", "đúng hạn", "quá hạn", "cán bộ", "họ tên",
          "người nộp", "người nhận", "người tiếp nhận", "ghi rõ", "hồ sơ của", "bản sao",
          "bản chính", "chứng thực", "đối chiếu")
_WORDS_RE = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(_WORDS, key=len,
                                                                              reverse=True))
                       + r")(?!\w)", re.IGNORECASE)
_PLACE_RE = re.compile(r"(?<!\w)(?:phường|xã|thị trấn|đặc khu|quận|huyện|tỉnh|thành phố)"
                       r"(?: [^\s,()]+){1,3}$", re.IGNORECASE)


def heading(text: str) -> str:
    """The text with its multi-syllable words and a trailing place name bound by no-break
    spaces (plain text; `_h` escapes it for rich text)."""
    text = _WORDS_RE.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)
    return _PLACE_RE.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)


def _h(text: str) -> str:
    return _e(heading(text))


def _balanced(text: str) -> str:
    """A long title on the roll: break it into two lines of similar length, between words
    (never between the syllables of one word, see `heading`)."""
    words = heading(text).split(" ")  # the no-break spaces stay inside their word
    if len(text) < 28 or len(words) < 2:
        return _h(text)
    best = min(range(1, len(words)),
               key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return _e(" ".join(words[:best])) + "<br>" + _e(" ".join(words[best:]))


def _px(mm: float) -> int:
    return round(mm / 25.4 * 96)


def _header(h: Header, spec: Layout) -> str:
    left = []
    if h.authority:
        left.append(f"<div>{_h(h.authority)}</div>")
    left.append(f"<div><b><u>{_h(h.office)}</u></b></div>")
    right = (f"<div><b>{_h(h.nation)}</b></div>"
             f"<div><b><u>{_h(h.motto)}</u></b></div>")
    date = f'<div style="margin-top:6px;"><i>{_e(h.place_date)}</i></div>'
    if spec.roll:
        return (f'<div align="center" style="font-size:{spec.small_pt}pt;">{"".join(left)}</div>'
                f'<div align="center" style="margin-top:4px;">{right}</div>'
                f'<div align="center" style="font-size:{spec.small_pt}pt;">{date}</div>')
    return (f'<table width="100%" cellspacing="0" cellpadding="0"><tr>'
            f'<td width="42%" align="center" style="font-size:{spec.small_pt + 0.5}pt;">'
            f'{"".join(left)}</td>'
            f'<td width="58%" align="center">{right}</td></tr>'
            f'<tr><td></td><td align="center">{date}</td></tr></table>')


def _title(text: str, spec: Layout, sub: str = "") -> str:
    out = (f'<p align="center" style="margin-top:{10 if not spec.roll else 6}px; '
           f'margin-bottom:2px; font-size:{spec.title_pt}pt;">'
           f"<b>{_balanced(text) if spec.roll else _h(text)}</b></p>")
    if sub:
        out += (f'<p align="center" style="margin-top:0px; margin-bottom:6px;">'
                f"<i>{_e(sub)}</i></p>")
    return out


# A place name inside running text ("…, Phường Sài Gòn, Thành phố Hồ Chí Minh") wraps as a
# whole too: the unit word and the capitalised words of its name.
_PLACE_IN_TEXT_RE = re.compile(r"(?<!\w)(?:phường|xã|thị trấn|đặc khu|thành phố|tỉnh)"
                               r"((?: [^\W\d_][^\s,()]*){1,3})", re.IGNORECASE)


def _places(text: str) -> str:
    def bind(m: re.Match[str]) -> str:
        words = m.group(1).split(" ")[1:]
        keep = len(words)
        for i, w in enumerate(words):
            if not w[:1].isupper():
                keep = i
                break
        if not keep:
            return m.group(0)
        bound = m.group(0)[:len(m.group(0)) - len(m.group(1))] + " " + " ".join(words[:keep])
        return bound.replace(" ", "\u00a0") + m.group(0)[len(bound):]

    return _PLACE_IN_TEXT_RE.sub(bind, text)


def _field(f: Field) -> str:
    value = f"<b>{_e(_places(f.value))}</b>" if f.strong else _e(_places(f.value))
    label = f"{_e(f.label)}: " if f.label else ""
    return f'<p style="margin-top:2px; margin-bottom:2px;">{label}{value}</p>'


def _signatures(blocks: tuple[SignatureBlock, ...], spec: Layout) -> str:
    space = "<br>" * spec.sign_space

    # On the roll two titles share 72 mm: a smaller size keeps each on one line.
    title_pt = spec.small_pt - 0.5 if spec.roll else spec.base_pt

    def cell(b: SignatureBlock, width: int) -> str:
        return (f'<td width="{width}%" align="center" valign="top">'
                f'<b style="font-size:{title_pt}pt;">{_h(b.title)}</b><br>'
                f'<i style="font-size:{spec.small_pt}pt;">{_h(b.hint)}</i>{space}'
                f"<b>{_e(b.name)}</b></td>")

    if len(blocks) == 1 and not spec.roll:  # a lone signer signs on the right, as on paper
        cells = '<td width="45%"></td>' + cell(blocks[0], 55)
    else:
        cells = "".join(cell(b, 100 // max(1, len(blocks))) for b in blocks)
    return (f'<table width="100%" cellspacing="0" cellpadding="0" style="margin-top:10px;">'
            f"<tr>{cells}</tr></table>")


def _anchor(name: str, html: str) -> str:
    """`html` under a named anchor (never empty: Qt drops an anchor around nothing)."""
    return f'<a name="{name}">{html or "&nbsp;"}</a>'


def _lead(group: str, html: str, style: str, breaks: frozenset[str]) -> str:
    """The heading paragraph of a list or table: it moves to the next page with the first
    row (`keep:<group>:0` in `breaks`), never stays alone at a page's foot."""
    brk = BREAK if f"{KEEP}{group}:0" in breaks else ""
    return f'<p style="{brk}{style}">{_anchor(LEAD + group, html)}</p>'


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...],
           spec: Layout, numeric: tuple[int, ...] = (), *, group: str = "rows",
           breaks: frozenset[str] = frozenset(), led: bool = False) -> str:
    """A bordered table whose header row repeats on every page. Each body row is marked
    `keep:<group>:<i>`; a row in `breaks` starts a new table on the next page (Qt cannot keep
    a table row together), whose header row comes along. `led`: a `_lead` heading precedes
    the table and takes the page break of row 0 instead."""
    pad = 2 if spec.roll else 3
    head = "".join(f'<th width="{w}%" bgcolor="#e8e8e8" align="center">{_h(c)}</th>'
                   for c, w in zip(columns, widths, strict=True))

    def row(n: int, r: tuple[str, ...]) -> str:
        cells = [_e(c, cell=True) for c in r]
        if cells:
            cells[0] = _anchor(f"{KEEP}{group}:{n}", cells[0])
        return "<tr>" + "".join(
            f'<td valign="top"{" align=center" if i in numeric else ""}>{c}</td>'
            for i, c in enumerate(cells)) + "</tr>"

    starts = [0] + [n for n in range(1, len(rows)) if f"{KEEP}{group}:{n}" in breaks]
    out = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(rows)
        brk = BREAK if k or (not led and f"{KEEP}{group}:0" in breaks) else ""
        body = "".join(row(n, rows[n]) for n in range(start, end))
        # 99%: the outer border is drawn outside the width; keep it inside the margin.
        out.append(f'<table width="99%" border="1" cellspacing="0" cellpadding="{pad}" '
                   f'style="{brk}border-collapse:collapse; border-color:#000; margin-top:4px;">'
                   f"<thead><tr>{head}</tr></thead>{body}</table>")
    return "".join(out)


def _qr_img(spec: Layout, mm: float | None = None) -> str:
    size = _px(mm or spec.qr_mm)
    return f'<img src="{QR_URL}" width="{size}" height="{size}">'


# ------------------------------------------------------------------------------- receipt


def _receipt(m: ReceiptModel, spec: Layout, breaks: frozenset[str]) -> str:
    out = [_header(m.header, spec), _title(m.title, spec)]
    code = (f'<p align="center" style="margin-top:0px; margin-bottom:0px;">'
            f'Mã hồ sơ: <b>{_e(m.code)}</b></p>'
            f'<p align="center" style="margin-top:0px; margin-bottom:4px;">'
            f"<i>({_e(m.copy_label)})</i></p>")
    if m.reprint:
        code += (f'<p align="center" style="margin-top:0px; margin-bottom:4px; '
                 f'font-size:{spec.small_pt}pt;">'
                 f'<b>{_e(m.reprint.text)}</b></p>')
    out.append(code)
    body = [f'<p style="margin-top:2px; margin-bottom:2px;">{_h(m.intro)}</p>']
    body += [_field(f) for f in m.applicant]
    if spec.roll:
        out += body
    else:  # applicant block beside the QR code
        caption = (f'<br><span style="font-size:{spec.small_pt - 1}pt;">'
                   f'{_e(m.qr_caption)}</span>')
        out.append(f'<table width="100%" cellspacing="0" cellpadding="0"><tr>'
                   f'<td valign="top">{"".join(body)}</td>'
                   f'<td width="{_px(spec.qr_mm + 4)}" align="center" valign="top">'
                   f'{_qr_img(spec)}{caption}</td></tr></table>')
    out.append(_field(m.procedure))
    if spec.roll:
        out.append(f'<p style="margin-top:4px; margin-bottom:2px;">{_e(m.documents_heading)}</p>')
        out += [f'<p style="margin-top:0px; margin-bottom:1px; margin-left:22px; '
                f'text-indent:-16px;">{_e(heading(d.text))}</p>' for d in m.documents]
    else:
        out.append(_lead("doc", _e(m.documents_heading), "margin-top:4px; margin-bottom:2px;",
                         breaks))
        out.append(_table(("STT", "Tên giấy tờ", "Hình thức", "Số lượng"),
                          [(str(d.index), d.name, heading(d.form_label), f"{d.count:02d}")
                           for d in m.documents], (7, 52, 25, 16), spec, numeric=(0, 3),
                          group="doc", breaks=breaks, led=True))
    out += [_field(f) for f in m.items]
    out.append(f'<p style="margin-top:4px;"><i>{_e(m.book)}</i></p>')
    out.append(_signatures(m.signatures, spec))
    if spec.roll:
        out.append(f'<p align="center" style="margin-top:10px; margin-bottom:0px;">'
                   f'{_qr_img(spec)}</p>'
                   f'<p align="center" style="margin-top:0px; font-size:{spec.small_pt}pt;">'
                   f'{_e(m.qr_caption)}<br>{_e(m.code)}</p>')
    return "".join(out)


# ------------------------------------------------------------------------------- slips


def _slip(m: SlipModel, spec: Layout, breaks: frozenset[str]) -> str:
    out = [_header(m.header, spec), _title(m.title, spec)]
    if m.code:
        out.append(f'<p align="center" style="margin-top:0px; margin-bottom:6px;">'
                   f"Mã hồ sơ: <b>{_e(m.code)}</b></p>")
    out += [_field(f) for f in m.fields]
    if m.list_heading:
        out.append(_lead("item", f"<b>{_e(m.list_heading)}</b>",
                         "margin-top:6px; margin-bottom:2px;", breaks))
        # each item a paragraph marked keep:item:<i> (moved whole to the next page)
        out += [f'<p style="{BREAK if n and f"{KEEP}item:{n}" in breaks else ""}'
                f'margin-top:1px; margin-bottom:1px; margin-left:34px; text-indent:-22px;">'
                f'{_anchor(f"{KEEP}item:{n}", _e(heading(i)))}</p>'
                for n, i in enumerate(m.items)]
    out += [f'<p style="margin-top:6px; margin-bottom:2px;">{_e(p)}</p>' for p in m.paragraphs]
    out.append(_signatures(m.signatures, spec))
    return "".join(out)


def _table_doc(m: TableModel, spec: Layout, breaks: frozenset[str]) -> str:
    out = [_header(m.header, spec), _title(m.title, spec, m.subtitle)]
    out += [_field(f) for f in m.fields]
    if spec.roll:  # no room for columns on a roll: one block per row
        for r in m.rows:
            lines = "".join(f"<br>{_e(c)}: {_e(v)}" for c, v in zip(m.columns[1:], r[1:],
                                                                    strict=True) if v)
            out.append(f'<p style="margin-top:5px; margin-bottom:0px;">'
                       f"<b>{_e(m.columns[0])} {_e(r[0])}</b>{lines}</p><hr>")
    else:
        numeric = (0, 3) if m.kind == "book" else ()
        # The book has ten columns: small type (smaller still on A5) keeps codes on one line.
        book_pt = 8 if spec.name == "a4" else 6
        size = f' style="font-size:{book_pt}pt;"' if m.kind == "book" else ""
        out.append(f"<div{size}>" + _table(m.columns, list(m.rows), m.widths, spec, numeric,
                                           group="row", breaks=breaks) + "</div>")
    out += [f'<p style="margin-top:6px;"><i>{_e(t)}</i></p>' for t in m.footer]
    if m.signatures:
        out.append(_signatures(m.signatures, spec))
    return "".join(out)


def document_html(model: Model, layout: str, breaks: frozenset[str] = frozenset()) -> str:
    """The model laid out for `layout` as Qt rich text (the QR code is the image QR_URL).
    `breaks`: the `keep:…` rows that start a new page (decided by `ui.printing`, which
    measures the laid-out document)."""
    spec = layout_spec(model, layout)
    if isinstance(model, ReceiptModel):
        body = _receipt(model, spec, breaks)
    elif isinstance(model, SlipModel):
        body = _slip(model, spec, breaks)
    elif isinstance(model, TableModel):
        body = _table_doc(model, spec, breaks)
    else:
        raise TypeError(f"not a printable model: {type(model).__name__}")
    return f'<html><body style="font-size:{spec.base_pt}pt;">{body}</body></html>'
