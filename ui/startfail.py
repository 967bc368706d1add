"""The message box a clerk sees when the window cannot start (bad site configuration, corrupt
store…): the same one line the command line prints, and where the log is. Shown with exec()
outside any event loop (the qasync loop is gone by then)."""

from __future__ import annotations

import os
from pathlib import Path


def show_start_failure(line: str, log_file: Path | str | None, lang: str = "vi") -> str:
    """Show the box (blocks until OK); returns the full text shown."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from ui.app import make_app

    app = make_app()
    en = lang == "en"
    where = str(log_file) if log_file else ("(no log file)" if en else "(không có tệp nhật ký)")
    info = (f"Details for IT are in the log: {where}" if en else
            f"Chi tiết cho bộ phận CNTT có trong nhật ký: {where}")
    box = QMessageBox(QMessageBox.Icon.Critical,
                      "MotCua — the window cannot start" if en else "MotCua — không mở được cửa sổ",
                      line, QMessageBox.StandardButton.Ok)
    box.setInformativeText(info)
    box.button(QMessageBox.StandardButton.Ok).setText("OK" if en else "Đồng ý")
    box.setTextInteractionFlags(box.textInteractionFlags())
    shown = f"{line}\n{info}"
    if os.environ.get("MOTCUA_START_FAILURE_AUTOCLOSE"):  # tests/bench: read it back, close
        def report() -> None:
            print("MOTCUA_START_FAILURE_BOX", box.isVisible(), box.text(), "|",
                  box.informativeText(), flush=True)
            box.accept()

        QTimer.singleShot(200, report)
    box.exec()
    app.processEvents()
    return shown
