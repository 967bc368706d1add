"""Printing receipts from the GUI: models come from app.receipts on the store worker, paper or
PDF output from ui.printing off the GUI thread (ui.printing says it is thread-safe)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from ui.session import Session

log = logging.getLogger(__name__)


class ReceiptPrinter:
    """Print (or, with no printer installed, save as PDF) the receipt of a dossier."""

    def __init__(self, session: Session):
        self.session = session
        self.last_output: Path | None = None  # the PDF written when there was no printer

    async def _models(self, code: str, copies: int, reprint: Any = None) -> list[Any]:
        from app import receipts

        counter = self.session.counter
        labels = [receipts.COPY_ARCHIVE, receipts.COPY_CITIZEN][-max(1, min(2, copies)):]
        return await self.session.run(lambda: [
            receipts.receipt_model(counter, code, copy_label=label, reprint=reprint)
            for label in labels])

    async def print_code(self, code: str, reprint: object = None) -> str:
        """Send the receipt's copies to the configured printer. Without any installed printer
        the receipt goes to <data>/receipts/CODE.pdf instead; returns where it went."""
        from app.errors import UserError
        from ui import printing

        prefs = await self.session.preferences()
        layout = prefs.get("receipt_layout") or "a5"
        copies = int(prefs.get("receipt_copies") or 2)
        models = await self._models(code, copies, reprint)
        try:
            for m in models:
                await asyncio.to_thread(printing.print_document, m, prefs.get("printer") or None,
                                        layout)
            return prefs.get("printer") or "default"
        except UserError as e:
            if e.code != "no_printer":
                raise
            log.info("no printer: receipt %s saved as PDF", code)
        path = self.session.settings.data_dir / "receipts" / f"{code}.pdf"
        await self.save_pdf(code, path, layout=layout)
        return str(path)

    async def save_pdf(self, code: str, path: Path, *, layout: str | None = None,
                       reprint: object = None) -> Path:
        from ui import printing

        if layout is None:
            layout = (await self.session.preferences()).get("receipt_layout") or "a5"
        model = (await self._models(code, 1, reprint))[0]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(printing.render_pdf, model, path, layout)
        self.last_output = path
        return path

    async def reprint(self, code: str, reason: str) -> str:
        """Log the reprint with its reason (mandatory) and print it marked as a reprint."""
        from app import receipts

        s = self.session
        await s.run(lambda: receipts.record_reprint(s.counter, code, reason, s.username))
        rp = await s.run(receipts.last_reprint, s.counter, code)
        return await self.print_code(code, reprint=rp)


async def print_model(session: Session, model: Any, name: str) -> str:
    """Print any slip model on the counter's printer; without a printer it is saved as
    <data>/slips/NAME.pdf. Returns where it went."""
    from app.errors import UserError
    from ui import printing

    prefs = await session.preferences()
    layout = "a4" if getattr(model, "kind", "") in ("control", "book") else \
        (prefs.get("receipt_layout") or "a4")
    if layout == "roll80" and getattr(model, "kind", "") != "receipt":
        layout = "a5"
    try:
        await asyncio.to_thread(printing.print_document, model, prefs.get("printer") or None,
                                layout)
        return prefs.get("printer") or "default"
    except UserError as e:
        if e.code != "no_printer":
            raise
    path = session.settings.data_dir / "slips" / f"{name}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(printing.render_pdf, model, path, layout)
    return str(path)
