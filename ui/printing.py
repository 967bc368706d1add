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
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
    QTextFormat,
)

from app.errors import UserError
from app.receipts import Model, ReceiptModel
from ui.receipts import LAYOUTS, QR_URL, Layout, document_html, layout_spec

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


def _document(model: Model, layout: str, device: Any) -> QTextDocument:
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)  # metrics of the target, not of the screen
    doc.setDocumentMargin(0)
    spec = layout_spec(model, layout)
    doc.setDefaultFont(QFont(font_family(), spec.base_pt))
    if isinstance(model, ReceiptModel):
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(QR_URL),
                        qr_image(model.qr_payload))
    doc.setHtml(document_html(model, layout))
    return doc


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
    doc = _document(model, layout, device)
    dpmm = device.logicalDpiY() / 25.4
    left, top, right, bottom = spec.margins_mm
    width = (spec.width_mm - left - right) * dpmm
    if spec.roll:
        doc.setTextWidth(width)
        height = doc.size().height()
        page_height_mm = height / dpmm + top + bottom
        pages = 1
    else:
        height = ((spec.height_mm or 0) - top - bottom) * dpmm
        doc.setPageSize(QSizeF(width, height))  # paginated: lines never cut between pages
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
            doc.drawContents(painter, QRectF(0, page * height, width, height))
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
