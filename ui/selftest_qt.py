"""The Qt half of `motcua --self-test`, run in its own process (a Qt crash still leaves a
report): platform plugin, print support, bundled fonts, a rendered receipt, the GUI import.
Prints one JSON line per check; app/selftest.py collects them."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from app.selftest import (
    CHILD_CODE_ENV,
    CHILD_DATA_ENV,
    CHILD_LAYOUT_ENV,
    CHILD_PRINTER_ENV,
    FAIL,
    OK,
    QT_CHECKS,
    VIETNAMESE_SAMPLE,
    WARN,
    Check,
    _emit,
    _guard,
)


def _platform_plugin_present(name: str) -> bool | None:
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    if not folder.is_dir():
        return None  # plugins elsewhere (static build, QT_PLUGIN_PATH): let Qt decide
    return any(name in p.name.lower() for p in folder.iterdir())


def qt_child_main() -> int:
    """The Qt half of the self-test; prints one JSON line per check. Runs in its own process."""
    checks = {k: Check(k, vi, en) for k, vi, en in QT_CHECKS}
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                  or os.environ.get("WAYLAND_DISPLAY")):
        if not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    wanted = (os.environ.get("QT_QPA_PLATFORM") or {"win32": "windows", "darwin": "cocoa"}.get(
        sys.platform, "xcb")).split(":")[0]
    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        for c in checks.values():
            _emit(c.set(FAIL, f"không nạp được PySide6: {exc}", f"cannot load PySide6: {exc}"))
        return 1
    if _platform_plugin_present(wanted) is False:
        _emit(checks["qt"].set(FAIL, f"thiếu plugin nền tảng Qt '{wanted}'",
                               f"Qt platform plugin '{wanted}' is missing"))
        return 1
    app = QApplication.instance() or QApplication([sys.argv[0] or "motcua"])
    _emit(checks["qt"].set(OK, f"Qt {qVersion()} (PySide6 {pyside_version}), nền tảng "
                               f"'{app.platformName()}'",
                           f"Qt {qVersion()} (PySide6 {pyside_version}), platform '{app.platformName()}'"))
    with tempfile.TemporaryDirectory(prefix="motcua-qt-", ignore_cleanup_errors=True) as t:
        tmp = Path(t)  # the probe PDFs are removed with it (nothing left in the temp folder)
        _emit(_guard(checks["print"], lambda c: _qt_print(c, tmp)))
        _emit(_guard(checks["fonts"], _qt_fonts))
        _emit(_guard(checks["receipt"], lambda c: _qt_receipt(c, tmp)))
        _emit(_guard(checks["gui"], _qt_gui))
    app.processEvents()
    return 0


def _qt_print(check: Check, tmp: Path) -> None:
    from PySide6.QtGui import QPainter
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    out = tmp / "print-probe.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    painter = QPainter()
    if not painter.begin(printer):
        check.set(FAIL, "QPainter không mở được QPrinter", "QPainter could not open the QPrinter")
        return
    painter.drawText(100, 100, "MotCua " + VIETNAMESE_SAMPLE)
    painter.end()
    head = out.read_bytes()[:5] if out.exists() else b""
    if head != b"%PDF-":
        check.set(FAIL, "QPrinter không tạo được tệp PDF", "QPrinter produced no PDF")
        return
    names = QPrinterInfo.availablePrinterNames()
    default = QPrinterInfo.defaultPrinterName() or "-"
    configured = os.environ.get(CHILD_PRINTER_ENV, "")
    if configured and configured not in names:
        check.set(WARN, f"PDF được; máy in đã cấu hình '{configured}' chưa cài (có: {names or '-'})",
                  f"PDF works; the configured printer '{configured}' is not installed "
                  f"(found: {names or '-'})")
        return
    if not names:  # a warning, not a failure: receipts can still be saved as PDF
        check.set(WARN, "PDF được; máy này chưa cài máy in nào (chỉ lưu được giấy tiếp nhận ra PDF)",
                  "PDF works; no printer is installed on this PC (receipts can only be saved "
                  "as PDF)")
        return
    check.set(OK, f"PDF được; {len(names)} máy in, mặc định: {default}",
              f"PDF works; {len(names)} printers, default: {default}")


def _qt_fonts(check: Check) -> None:
    from PySide6.QtGui import QFont, QFontMetrics, QRawFont

    from ui.printing import font_family

    family = font_family()
    raw = QRawFont.fromFont(QFont(family))
    metrics = QFontMetrics(QFont(family))
    # ord(): PySide6 maps a one-character str to a Latin-1 QChar, which loses "Đ"
    missing = [ch for ch in VIETNAMESE_SAMPLE
               if not (raw.supportsCharacter(ord(ch)) and metrics.inFontUcs4(ord(ch)))]
    if missing or not raw.isValid():
        check.set(FAIL, f"'{family}' thiếu {''.join(missing)}", f"'{family}' lacks {''.join(missing)}")
        return
    check.set(OK, f"'{family}' (đi kèm) có đủ {VIETNAMESE_SAMPLE}",
              f"bundled '{family}' covers {VIETNAMESE_SAMPLE}")


def _qt_receipt(check: Check, tmp: Path) -> None:
    data, code = os.environ.get(CHILD_DATA_ENV, ""), os.environ.get(CHILD_CODE_ENV, "")
    layout = os.environ.get(CHILD_LAYOUT_ENV, "a4")
    if not data or not code:
        check.set(FAIL, "không có hồ sơ mẫu để in (bước tiếp nhận đã lỗi)",
                  "no sample dossier to print (intake failed)")
        return
    try:
        from ui import printing
    except ImportError as exc:
        if getattr(exc, "name", "") in ("ui.printing", "ui.receipts", "app.receipts"):
            check.set(WARN, "bản này chưa có chức năng in giấy tiếp nhận",
                      "receipts are not part of this build")
            return
        raise
    from app.context import open_counter
    from app.receipts import receipt_model
    from app.settings import Settings

    with open_counter(Settings(data_dir=Path(data))) as counter:
        model = receipt_model(counter, code)
    out = tmp / f"receipt-{layout}.pdf"
    pages = printing.render_pdf(model, out, layout)
    blob = out.read_bytes()
    embedded = b"/FontFile2" in blob or b"/FontFile" in blob
    if not blob.startswith(b"%PDF-") or not pages or not embedded:
        check.set(FAIL, f"PDF lỗi (trang: {pages}, phông nhúng: {embedded})",
                  f"bad PDF (pages: {pages}, embedded fonts: {embedded})")
        return
    check.set(OK, f"{code}, khổ {layout}, {pages} trang, {len(blob) // 1024} KB, phông đã nhúng",
              f"{code}, layout {layout}, {pages} page(s), {len(blob) // 1024} KB, fonts embedded")


def _qt_gui(check: Check) -> None:
    import importlib

    try:
        gui = importlib.import_module("app.gui")
    except ModuleNotFoundError as exc:
        if exc.name == "app.gui":
            check.set(WARN, "bản này chưa có giao diện (app.gui)", "this build has no GUI yet (app.gui)")
            return
        raise
    if not callable(getattr(gui, "run_gui", None)):
        check.set(FAIL, "app.gui không có run_gui", "app.gui has no run_gui")
        return
    check.set(OK, "app.gui nạp được", "app.gui loads")


# ----------------------------------------------------------------------------- report
