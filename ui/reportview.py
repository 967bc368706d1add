"""Reports: counts per day and per procedure, on-time/late rates, a bar chart, CSV export.

The queries are app.reports (store worker, month by month with progress); the chart is painted
with QPainter (QtCharts lives in PySide6-Addons, which the app does not depend on)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import is_user_facing, message_of
from ui.fmt import number_vn, today_vn
from ui.qtutil import Banner, spawn, with_progress
from ui.session import Session


class BarChart(QWidget):
    """Received dossiers per day (or per month for long ranges) as bars."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.points: list[tuple[str, int]] = []
        self.setMinimumHeight(self.fontMetrics().height() * 10)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_points(self, points: list[tuple[str, int]]) -> None:
        self.points = points
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        r = QRectF(self.rect()).adjusted(fm.horizontalAdvance("00000") + 4, fm.height(),
                                         -fm.height(), -fm.height() * 2)
        p.fillRect(self.rect(), self.palette().base())
        if not self.points or r.width() <= 0:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No data"))
            return
        top = max(1, max(v for _, v in self.points))
        p.setPen(QPen(QColor("#888")))
        p.drawLine(r.bottomLeft(), r.bottomRight())
        ticks = {0, top} | ({top // 2} if top >= 4 else set())
        for value in sorted(ticks):
            y = r.bottom() - r.height() * value / top
            p.drawText(QRectF(0, y - fm.height() / 2, r.left() - 4, fm.height()),
                       Qt.AlignmentFlag.AlignRight, number_vn(value))
        n = len(self.points)
        slot = r.width() / n
        bar = max(1.0, min(slot * 0.7, fm.horizontalAdvance("0000")))  # one day: no wall
        every = max(1, int(fm.horizontalAdvance("00/00 ") / max(slot, 1)) + 1)
        for i, (label, v) in enumerate(self.points):
            h = r.height() * v / top
            x = r.left() + i * slot + (slot - bar) / 2
            p.fillRect(QRectF(x, r.bottom() - h, bar, h), QColor("#2f6db5"))
            if i % every == 0:
                p.setPen(QPen(self.palette().text().color()))
                p.drawText(QRectF(r.left() + i * slot - slot, r.bottom() + 2, slot * 3,
                                  fm.height()), Qt.AlignmentFlag.AlignHCenter, label)
        p.end()


def chart_points(per_day: dict[str, int], date_from: date | None = None,
                 date_to: date | None = None) -> list[tuple[str, int]]:
    """Per day up to ~2 months, per month beyond (a year stays readable). Every day of the
    range has its slot, days without dossiers too, so one busy day is one bar among many."""
    if date_from and date_to and date_from <= date_to and (date_to - date_from).days <= 400:
        from datetime import timedelta

        full: dict[str, int] = {}
        day = date_from
        while day <= date_to:
            full[day.isoformat()] = per_day.get(day.isoformat(), 0)
            day += timedelta(days=1)
        per_day = full
    if len(per_day) <= 62:
        return [(f"{d[8:10]}/{d[5:7]}", n) for d, n in per_day.items()]
    months: dict[str, int] = {}
    for d, n in per_day.items():
        key = f"{d[5:7]}/{d[:4]}"
        months[key] = months.get(key, 0) + n
    return list(months.items())


class ReportsPage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.report = None
        today = today_vn()
        self.date_from = QDateEdit(today.addDays(-30))  # the last 30 days: never empty on the 1st
        self.date_to = QDateEdit(today)
        for d in (self.date_from, self.date_to):
            d.setDisplayFormat("dd/MM/yyyy")
            d.setCalendarPopup(True)
        self.month_btn = QPushButton(self.tr("This &month"))
        self.year_btn = QPushButton(self.tr("This &year"))
        self.build_btn = QPushButton(self.tr("&Build report"))
        self.csv_btn = QPushButton(self.tr("Export &CSV…"))
        self.book_btn = QPushButton(self.tr("Tracking &book (05)"))
        self.day_btn = QPushButton(self.tr("My &day (end of day)"))
        self.csv_btn.setEnabled(False)
        self.banner = Banner(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.chart = BarChart()
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Procedure"),
                                              self.tr("Received"), self.tr("On time"),
                                              self.tr("Late"), self.tr("Open overdue")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        lf, lt = QLabel(self.tr("&From:")), QLabel(self.tr("&To:"))
        lf.setBuddy(self.date_from)
        lt.setBuddy(self.date_to)
        row = QHBoxLayout()
        for w in (lf, self.date_from, lt, self.date_to, self.month_btn, self.year_btn,
                  self.build_btn):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.day_btn)
        row.addWidget(self.book_btn)
        row.addWidget(self.csv_btn)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.table)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.banner)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        self.build_btn.clicked.connect(lambda: spawn(self.build()))
        self.month_btn.clicked.connect(self._this_month)
        self.year_btn.clicked.connect(self._this_year)
        self.csv_btn.clicked.connect(self._export)
        self.book_btn.clicked.connect(lambda: spawn(self.print_book()))
        self.day_btn.clicked.connect(lambda: spawn(self.end_of_day()))

    async def print_book(self) -> str:
        """Form 05 for the chosen dates: printed, or saved as a PDF without a printer."""
        from ui.receipt_actions import print_model

        a, b = self._d(self.date_from.date()), self._d(self.date_to.date())
        try:
            model = await self.session.slip("book", date_from=a, date_to=b)
            where = await print_model(self.session, model, f"book-{a.isoformat()}-{b.isoformat()}")
        except Exception as e:
            if not is_user_facing(e):
                raise
            self.banner.show_text(message_of(e, self.session.lang), "error")
            return ""
        self.banner.show_text(self.tr("Tracking book printed: %1").replace("%1", where), "ok")
        return where

    async def end_of_day(self) -> dict[str, Any]:
        """This clerk's day (the "To" date): received, returned, fees collected — printed
        (or a PDF) and exported as CSV beside it, for the cash reconciliation."""
        from app import reports
        from ui.receipt_actions import print_model

        s = self.session
        day = self._d(self.date_to.date())
        rep = await s.run(reports.clerk_day, s.counter, s.username, day)
        name = (s.user or {}).get("display_name", s.username)
        model = await s.run(reports.clerk_day_model, s.counter, rep, name)
        stem = f"end-of-day-{s.username}-{day.isoformat()}"
        where = await print_model(s, model, stem)
        csv_path = s.settings.data_dir / "slips" / f"{stem}.csv"
        await s.run(reports.clerk_day_csv, rep, csv_path, s.lang)
        self.summary.setText(
            self.tr("%1 on %2: %3 received, %4 results returned, fees collected %5 VND.")
            .replace("%1", name).replace("%2", day.strftime("%d/%m/%Y"))
            .replace("%3", str(rep["received"])).replace("%4", str(rep["returned"]))
            .replace("%5", number_vn(rep["fees_vnd"])))
        self.banner.show_text(self.tr("End-of-day report: %1 · CSV: %2")
                              .replace("%1", where).replace("%2", str(csv_path)), "ok")
        return {**rep, "printed": where, "csv": str(csv_path)}

    def _this_month(self) -> None:
        t = today_vn()
        self.date_from.setDate(QDate(t.year(), t.month(), 1))
        self.date_to.setDate(t)
        spawn(self.build())

    def _this_year(self) -> None:
        t = today_vn()
        self.date_from.setDate(QDate(t.year(), 1, 1))
        self.date_to.setDate(t)
        spawn(self.build())

    @staticmethod
    def _d(q: QDate) -> date:
        return date(q.year(), q.month(), q.day())

    async def build(self) -> None:
        from app import reports

        a, b = self._d(self.date_from.date()), self._d(self.date_to.date())
        counter = self.session.counter

        async def work(report):
            return await self.session.run(lambda: reports.build_report(counter, a, b,
                                                                       progress=report))

        self.build_btn.setEnabled(False)
        try:
            rep = await with_progress(self, self.tr("Report"), self.tr("Counting dossiers…"), work)
        finally:
            self.build_btn.setEnabled(True)
        self.report = rep
        self.csv_btn.setEnabled(True)
        rate = rep.on_time_rate
        self.summary.setText(
            self.tr("Received: %1 · done on time: %2 · late: %3 · open and overdue: %4 · "
                    "on-time rate: %5")
            .replace("%1", number_vn(rep.received)).replace("%2", number_vn(rep.on_time))
            .replace("%3", number_vn(rep.late)).replace("%4", number_vn(rep.overdue))
            .replace("%5", f"{rate * 100:.1f} %".replace(".", ",") if rate is not None else "—"))
        self.chart.set_points(chart_points(rep.per_day, a, b))
        lines = sorted(rep.per_procedure.values(), key=lambda p: (-p.received, p.code))
        self.table.setRowCount(len(lines))
        for i, p in enumerate(lines):
            for c, v in enumerate((p.code, p.name, number_vn(p.received), number_vn(p.done_on_time),
                                   number_vn(p.done_late), number_vn(p.open_overdue))):
                item = QTableWidgetItem(v)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, c, item)

    def _export(self) -> None:
        dlg = QFileDialog(self, self.tr("Export report"))
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setDefaultSuffix("csv")
        dlg.setNameFilter(self.tr("CSV files (*.csv)"))
        dlg.fileSelected.connect(lambda path: spawn(self.export_csv(path)))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    async def export_csv(self, path: str) -> None:
        from app import reports

        if self.report is None:
            return
        rep = self.report
        await self.session.run(reports.write_csv, rep, path, self.session.lang)
        self.banner.show_text(self.tr("Saved %1").replace("%1", path), "ok")
