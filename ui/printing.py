"""PDF output and printing of receipts and slips (Qt).

Why painting by hand: `QTextDocument.print_()` adds page numbers and splits content across
pages, which an 80 mm roll must never get. So the document is laid out against the target
device (its resolution decides the font metrics), then painted page by page with QPainter; for
the roll the single page is as tall as the laid-out content.

Fonts: DejaVu Sans (bundled in ui/fonts, Bitstream Vera licence, full Vietnamese coverage) is
registered as an application font, so a PC without Vietnamese fonts prints the same thing, and
Qt embeds the subset it uses in every PDF.

Threads: every call builds its own document, writer and painter, so `render_pdf` and
`print_document` may run in a worker thread (asyncio.to_thread) to keep the GUI responsive.
The dialog (`open_printer_dialog`) must run on the GUI thread; offscreen
(tests, CLI) it returns "no choice" at once instead of waiting for a user who is not there.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextBlock,
    QTextDocument,
    QTextFormat,
    QTextTable,
)

from app.errors import UserError
from app.receipts import Model, ReceiptModel
from ui.receipts import KEEP, LAYOUTS, LEAD, QR_URL, Layout, document_html, layout_spec

log = logging.getLogger("motcua.printing")

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
              "DejaVuSans-BoldOblique.ttf")
PDF_DPI = 600
QR_MODULE_PX = 8  # image pixels per QR module; the PDF viewer scales the image crisply

_lock = threading.Lock()
_state: dict[str, Any] = {"app": None, "family": None}


def ensure_app() -> QGuiApplication:
    """The running Qt application, or a headless one for the CLI/tests (offscreen, so it
    needs no display and never shows anything)."""
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([sys.argv[0] if sys.argv and sys.argv[0] else "motcua"])
        _state["app"] = app  # keep a reference: Qt objects need it alive
    return app  # type: ignore[return-value]


def font_family() -> str:
    """Register the bundled fonts once; the family every layout uses."""
    with _lock:
        if _state["family"]:
            return str(_state["family"])
        ensure_app()
        family = ""
        for name in FONT_FILES:
            fid = QFontDatabase.addApplicationFont(str(FONT_DIR / name))
            if fid < 0:
                log.warning("could not load bundled font %s", FONT_DIR / name)
                continue
            family = family or QFontDatabase.applicationFontFamilies(fid)[0]
        if not family:
            raise UserError("Không nạp được phông chữ tiếng Việt đi kèm ứng dụng (ui/fonts).",
                            "The bundled Vietnamese font (ui/fonts) could not be loaded.",
                            code="font_missing")
        _state["family"] = family
        return family


def qr_image(payload: str, module_px: int = QR_MODULE_PX) -> QImage:
    """The QR code (segno, error correction M, 4-module quiet zone) as a black/white image
    with whole pixels per module, so scaling never blurs a module edge."""
    import segno

    qr = segno.make(payload, error="m", micro=False)
    rows = []
    for row in qr.matrix_iter(scale=1, border=4):
        line = b"".join((b"\x00" if dark else b"\xff") * module_px for dark in row)
        rows.extend([line] * module_px)
    width = len(rows[0])
    data = b"".join(rows)
    image = QImage(data, width, len(rows), width, QImage.Format.Format_Grayscale8)
    return image.copy()  # detach from the Python buffer


def _document(model: Model, layout: str, device: Any,
              breaks: frozenset[str] = frozenset()) -> QTextDocument:
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)  # metrics of the target, not of the screen
    doc.setDocumentMargin(0)
    spec = layout_spec(model, layout)
    doc.setDefaultFont(QFont(font_family(), spec.base_pt))
    if isinstance(model, ReceiptModel):
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(QR_URL),
                        qr_image(model.qr_payload))
    doc.setHtml(document_html(model, layout, breaks))
    return doc


def _marked(doc: QTextDocument) -> dict[str, QTextBlock]:
    """The blocks carrying the `keep:`/`lead:` anchors of `ui.receipts`, by name."""
    found: dict[str, QTextBlock] = {}
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            for name in it.fragment().charFormat().anchorNames():
                if name.startswith((KEEP, LEAD)):
                    found.setdefault(name, block)
            it += 1
        block = block.next()
    return found


def _span(doc: QTextDocument, block: QTextBlock) -> tuple[float, float]:
    """Top and bottom (document coordinates) of what must stay on one page with `block`: its
    table row (every cell, so the document's name, form and count), or the paragraph."""
    layout = doc.documentLayout()
    table = doc.frameAt(block.position())
    if not isinstance(table, QTextTable):
        rect = layout.blockBoundingRect(block)
        return rect.top(), rect.bottom()
    row = table.cellAt(block.position()).row()
    top, bottom = float("inf"), float("-inf")
    for col in range(table.columns()):
        cell = table.cellAt(row, col)
        b, last = cell.firstCursorPosition().block(), cell.lastCursorPosition().block()
        while b.isValid():
            rect = layout.blockBoundingRect(b)
            top, bottom = min(top, rect.top()), max(bottom, rect.bottom())
            if b == last:
                break
            b = b.next()
    if row == table.format().headerRowCount():  # the first row takes the header row along
        top = min(top, layout.frameBoundingRect(table).top())
    return top, bottom


def _first_cut(doc: QTextDocument, page_height: float, breaks: frozenset[str]) -> str | None:
    """The first `keep:` row that pagination cuts between two pages (its first row also when
    it leaves its heading or the table's header row alone at a page's foot), or None. A row
    taller than a page is left to flow (nothing can keep it whole)."""
    doc.pageCount()  # lays the whole document out
    marked = _marked(doc)
    keys = sorted((k for k in marked if k.startswith(KEEP)), key=lambda k: marked[k].position())
    for key in keys:
        if key in breaks:
            continue
        top, bottom = _span(doc, marked[key])
        group, _, n = key[len(KEEP):].rpartition(":")
        lead = marked.get(f"{LEAD}{group}")
        if n == "0" and lead is not None:
            top = min(top, doc.documentLayout().blockBoundingRect(lead).top())
        if bottom - top >= page_height:
            continue
        if int(top // page_height) != int((bottom - 1) // page_height):
            return key
    return None


def _paginated(model: Model, layout: str, device: Any, width: float,
               page_height: float) -> QTextDocument:
    """The document laid out in pages of `page_height` with no `keep:` row (a document of the
    receipt, a missing item, a hand-over, a book line) cut between two pages: Qt splits a
    table row or a paragraph line by line, so each cut row is given a page break and the
    layout redone, until none is cut."""
    breaks: frozenset[str] = frozenset()
    while True:
        doc = _document(model, layout, device, breaks)
        doc.setPageSize(QSizeF(width, page_height))  # paginated: lines never cut between pages
        cut = _first_cut(doc, page_height, breaks)
        if cut is None:
            return doc
        breaks |= {cut}  # each round adds one: the loop ends within len(rows) rounds


def _page_layout(spec: Layout, height_mm: float | None = None) -> QPageLayout:
    zero = QMarginsF(0, 0, 0, 0)
    if spec.roll:
        size = QPageSize(QSizeF(spec.width_mm, height_mm or 100), QPageSize.Unit.Millimeter,
                         f"Roll {spec.width_mm:g} mm", QPageSize.SizeMatchPolicy.ExactMatch)
        return QPageLayout(size, QPageLayout.Orientation.Portrait, zero)
    page_id = QPageSize.PageSizeId.A4 if spec.name == "a4" else QPageSize.PageSizeId.A5
    landscape = spec.width_mm > (spec.height_mm or 0)
    orient = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    return QPageLayout(QPageSize(page_id), orient, zero)


def _keep_signatures_together(doc: QTextDocument, model: Model, page_height: float) -> bool:
    """The signature block (titles, "(Ký và ghi rõ họ tên)" captions, the space to sign and the
    names) is one table: when pagination would cut it, it starts on the next page instead.
    Returns True when it moved."""
    blocks = getattr(model, "signatures", ()) or ()
    if not blocks:
        return False
    doc.pageCount()  # lays the whole document out
    # find() matches a no-break space with a plain one; search from the end (the block is last)
    cursor = doc.find(blocks[0].title, doc.characterCount() - 1,
                      QTextDocument.FindFlag.FindBackward)
    table = None if cursor.isNull() else cursor.currentTable()
    if table is None:
        log.warning("signature block not found in the laid-out %s", type(model).__name__)
        return False
    rect = doc.documentLayout().frameBoundingRect(table)
    if int(rect.top() // page_height) == int((rect.bottom() - 1) // page_height):
        return False
    fmt = table.format()
    fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
    table.setFormat(fmt)
    return True


def _draw_page(doc: QTextDocument, painter: QPainter, rect: QRectF) -> None:
    """`doc.drawContents(painter, rect)`, except that a line starting exactly where the next
    page begins (or ending where this one begins) is not drawn: drawContents would draw it,
    clipped away, so the PDF would carry an invisible copy of it that text extraction,
    search and screen readers find on the wrong page."""
    painter.setClipRect(rect)
    ctx = QAbstractTextDocumentLayout.PaintContext()
    ctx.clip = rect.adjusted(0, 0.5, 0, -0.5)
    doc.documentLayout().draw(painter, ctx)


def running_line(model: Model, page: int, pages: int) -> str:
    """What every page of a multi-page sheet carries at its foot: the dossier code, the copy
    label (a receipt) and "Trang i/n", so a loose continuation page is known for what it is."""
    parts = [f"Mã hồ sơ: {model.code}"] if getattr(model, "code", "") else []
    copy_label = getattr(model, "copy_label", "")
    if copy_label:
        parts.append(copy_label)
    parts.append(f"Trang {page}/{pages}")
    return " — ".join(parts)


def _paint(model: Model, layout: str, device: QPagedPaintDevice) -> int:
    """Lay the model out for `device`, size its page(s) and paint. Returns the page count."""
    spec = layout_spec(model, layout)
    dpmm = device.logicalDpiY() / 25.4
    left, top, right, bottom = spec.margins_mm
    width = (spec.width_mm - left - right) * dpmm
    if spec.roll:
        doc = _document(model, layout, device)
        doc.setTextWidth(width)
        height = doc.size().height()
        page_height_mm = height / dpmm + top + bottom
        pages = 1
    else:
        height = ((spec.height_mm or 0) - top - bottom) * dpmm
        doc = _paginated(model, layout, device, width, height)
        _keep_signatures_together(doc, model, height)
        pages = max(1, doc.pageCount())
        page_height_mm = None
    if not device.setPageLayout(_page_layout(spec, page_height_mm)):
        log.warning("device refused page layout %s; using its own", spec.name)
    painter = QPainter()
    if not painter.begin(device):
        raise UserError("Không mở được máy in/tệp để in.", "Could not open the printer or file.",
                        code="print_failed")
    try:
        for page in range(pages):
            if page:
                device.newPage()
            painter.save()
            painter.translate(left * dpmm, top * dpmm - page * height)
            _draw_page(doc, painter, QRectF(0, page * height, width, height))
            painter.restore()
            if pages > 1:  # in the bottom margin: code, copy label, page number
                painter.save()
                painter.setFont(QFont(font_family(), spec.small_pt))
                box = QRectF(left * dpmm, top * dpmm + height + 1.5 * dpmm, width,
                             max(bottom - 2, 3) * dpmm)
                painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                                 running_line(model, page + 1, pages))
                painter.restore()
    finally:
        painter.end()
    return pages


def _check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise UserError(f"Khổ giấy '{layout}' không hợp lệ (a4, a5, roll80).",
                        f"Unknown layout '{layout}' (a4, a5, roll80).", field="layout")


def render_pdf(model: Model, path: str | Path, layout: str = "a4") -> int:
    """Write `model` as a PDF (fonts embedded) at `path`; returns the number of pages.
    The file appears complete or not at all (written aside, then renamed)."""
    _check_layout(layout)
    ensure_app()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    writer = QPdfWriter(str(tmp))
    writer.setResolution(PDF_DPI)
    writer.setCreator("MotCua Counter")
    code = getattr(model, "code", "")
    writer.setTitle(f"{model.title} {code}".strip())
    try:
        pages = _paint(model, layout, writer)
        del writer  # flush and close the file before renaming it
        Path(tmp).replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return pages


# ------------------------------------------------------------------------------- printers


def installed_printers() -> list[str]:
    """Names of the printers installed on this PC (empty when there are none)."""
    ensure_app()
    from PySide6.QtPrintSupport import QPrinterInfo

    return [p.printerName() for p in QPrinterInfo.availablePrinters()]


def default_printer() -> str | None:
    ensure_app()
    from PySide6.QtPrintSupport import QPrinterInfo

    info = QPrinterInfo.defaultPrinter()
    return None if info.isNull() else info.printerName()


def _printer_info(name: str | None) -> Any:
    from PySide6.QtPrintSupport import QPrinterInfo

    info = QPrinterInfo.printerInfo(name) if name else QPrinterInfo.defaultPrinter()
    if info.isNull():
        if name:
            raise UserError(f"Không tìm thấy máy in '{name}'; hãy chọn lại máy in.",
                            f"Printer '{name}' is not installed; choose a printer again.",
                            field="printer", code="no_printer")
        raise UserError("Máy tính chưa cài máy in nào; hãy lưu thành tệp PDF.",
                        "No printer is installed; save as PDF instead.",
                        field="printer", code="no_printer")
    return info


def print_document(model: Model, printer_name: str | None, layout: str = "a5",
                   parent: Any = None, *, copies: int = 1) -> int:
    """Send `model` to an installed printer (None = the system default) without any dialog;
    returns the page count. `parent` is accepted for symmetry with the dialogs."""
    _check_layout(layout)
    ensure_app()
    from PySide6.QtPrintSupport import QPrinter

    info = _printer_info(printer_name)
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)  # our margins are measured from the paper edge
    printer.setCopyCount(max(1, copies))
    printer.setDocName(f"{model.title} {getattr(model, 'code', '')}".strip())
    if not printer.isValid():
        raise UserError(f"Máy in '{info.printerName()}' không sẵn sàng.",
                        f"Printer '{info.printerName()}' is not ready.", code="print_failed")
    return _paint(model, layout, printer)


def _headless() -> bool:
    app = QGuiApplication.instance()
    return app is None or QGuiApplication.platformName() in ("offscreen", "minimal")


def _dialog_printer(current: str | None) -> Any:
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    info = QPrinterInfo.printerInfo(current) if current else QPrinterInfo.defaultPrinter()
    return QPrinter(info) if not info.isNull() else QPrinter()


def open_printer_dialog(parent: Any, on_done: Callable[[str | None], None],
                        current: str | None = None) -> Any:
    """Non-blocking print dialog (`dialog.open()`): `on_done(name or None)` runs when it
    closes. Offscreen, `on_done(None)` runs on the next event-loop turn. Returns the dialog
    (keep a reference) or None."""
    from PySide6.QtCore import QTimer

    if _headless():
        QTimer.singleShot(0, lambda: on_done(None))
        return None
    from PySide6.QtPrintSupport import QPrintDialog

    printer = _dialog_printer(current)
    dialog = QPrintDialog(printer, parent)

    def finished(result: int) -> None:
        ok = result == QPrintDialog.DialogCode.Accepted
        on_done((printer.printerName() or None) if ok else None)

    dialog.finished.connect(finished)
    dialog.open()  # type: ignore[call-arg]  # PySide6 stubs: only QPrintDialog.open(receiver, member)
    return dialog


__all__ = ["render_pdf", "print_document", "installed_printers", "default_printer",
           "open_printer_dialog", "qr_image", "font_family", "ensure_app",
           "LAYOUTS"]
