"""Working days, working hours and the appointment date printed on the receipt.

Pure and I/O-free: Vietnamese public holidays come from the maintained `holidays` library
(`holidays.VN`, which also knows the government's swapped days: a bridge day off paid back by
a working Saturday); a province's late announcements go into `overrides` (date -> True for a
declared working day, False for a declared day off). Overrides win over everything.

Conventions (decided here, relied on by the receipt and the overdue reports):

* All datetimes are timezone-aware and are converted to Vietnam time (VN_TZ, +07:00); naive
  datetimes are refused with ValueError, because guessing a zone shifts appointments silently.
* Working time is the union of the WorkingHours periods (default 07:00-11:30 and 13:30-17:00)
  on working days. A moment inside a period, or at its start, is working time; a period's end
  is not (received at exactly 11:30 counts from 13:30, at exactly 17:00 from the next working
  morning).
* A due moment is the *earliest* moment at which enough working time has elapsed. So an
  appointment that lands exactly on a period end stays there: 17:00 means "by closing time
  that day", never "07:00 the next working morning"; 11:30 stays 11:30.
* Appointments are computed from the received time truncated to the minute (the time printed
  on the receipt), so both printed times agree to the minute and results are whole minutes.
* working_days N = N x hours_per_day working hours (8 h = 1 day). With the default periods
  (8 h a day) the appointment keeps the clock time: Mon 09:00 + 1 day -> Tue 09:00. If a
  centre configures periods that do not add up to hours_per_day, a "day" still means
  hours_per_day working hours and the clock time drifts accordingly.
* calendar_days N: counted from the next working moment (for a counter receipt inside working
  hours that is the received time itself), N calendar days later at the same clock time. If
  that day is not a working day the appointment moves to the *opening* of the next working day
  (not the same clock time: that would let a later receipt get an earlier appointment).
* same_day (cutoff HH:MM, default 15:00): received on a working day before the cutoff -> that
  day at closing time; at/after the cutoff, after closing, or on a day off -> closing time of
  the next working day. Received before opening on a working day counts as that day.
* none -> None: the law sets no specific return date (print NO_APPOINTMENT_VI).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

import holidays

from app.domain import VN_TZ, ProcessingTime
from app.settings import WorkingHours

NO_APPOINTMENT_VI = "Không có ngày hẹn trả cụ thể theo quy định"
NO_APPOINTMENT_EN = "No specific return date is set by law"
DEFAULT_SAME_DAY_CUTOFF = "15:00"
OVERRIDE_DAY_OFF_VI = "Ngày nghỉ theo thông báo bổ sung"
OVERRIDE_DAY_OFF_EN = "Day off (additional announcement)"

# Safety net against a calendar with no working day at all (e.g. every override False).
_MAX_SCAN_DAYS = 3700

_WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)


@functools.lru_cache(maxsize=256)
def _year_tables(year: int) -> tuple[Mapping[date, str], Mapping[date, str], frozenset[date]]:
    """Holidays of one year from the library (Vietnamese names, English names) and the
    weekend days the government declared working days. Cached: built once per year."""
    vi = holidays.VN(years=year, language="vi")
    en = holidays.VN(years=year, language="en_US")
    workdays = frozenset(getattr(vi, "weekend_workdays", ()) or ())
    return MappingProxyType(dict(vi)), MappingProxyType(dict(en)), workdays


def _to_vn(dt: datetime) -> datetime:
    if not isinstance(dt, datetime):
        raise TypeError(f"expected a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise ValueError("naive datetime: give a timezone-aware datetime (Vietnam time +07:00)")
    return dt.astimezone(VN_TZ)


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return _to_vn(d).date()
    if not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return d


def _parse_hhmm(text: str) -> time:
    try:
        hh, mm = text.strip().split(":")
        if not (hh.isdigit() and mm.isdigit() and len(mm) == 2 and 1 <= len(hh) <= 2):
            raise ValueError
        return time(int(hh), int(mm))
    except (ValueError, AttributeError):
        raise ValueError(f"not a HH:MM time: {text!r}") from None


def _floor_minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


class WorkCalendar:
    """Which days are worked, which hours are open, and when a dossier is due."""

    def __init__(
        self,
        hours: WorkingHours = WorkingHours(),  # frozen dataclass: a safe default
        overrides: Mapping[date, bool] | None = None,
    ) -> None:
        periods: list[tuple[time, time]] = []
        for start_text, end_text in hours.periods:
            start, end = _parse_hhmm(start_text), _parse_hhmm(end_text)
            if start >= end:
                raise ValueError(f"working period {start_text}-{end_text} ends before it starts")
            if periods and start < periods[-1][1]:
                raise ValueError("working periods must be in order and must not overlap")
            periods.append((start, end))
        if not periods:
            raise ValueError("at least one working period is needed")
        if not hours.hours_per_day > 0:
            raise ValueError("hours_per_day must be positive")
        checked: dict[date, bool] = {}
        for d, worked in (overrides or {}).items():
            if isinstance(d, datetime) or not isinstance(d, date):
                raise TypeError(f"override keys must be dates, got {d!r}")
            if not isinstance(worked, bool):
                raise TypeError(f"override for {d} must be True or False, got {worked!r}")
            checked[d] = worked
        self.hours = hours
        self.overrides: Mapping[date, bool] = MappingProxyType(checked)
        self._periods: tuple[tuple[time, time], ...] = tuple(periods)

    # ---- days -------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Override first, then public holidays (incl. swapped bridge days), then the
        government's declared working Saturdays, then Mon-Fri."""
        d = _as_date(d)
        if d in self.overrides:
            return self.overrides[d]
        names, _, _ = _year_tables(d.year)
        if d in names:
            return False
        if d.weekday() >= 5:
            return any(d in _year_tables(y)[2] for y in (d.year, d.year - 1, d.year + 1))
        return True

    def holiday_name(self, d: date, lang: str = "vi") -> str | None:
        """Name of the public holiday on `d` (Vietnamese by default), None on other days.

        A day declared working by an override has no holiday name; a day declared off by an
        override without a library holiday gets a generic name."""
        d = _as_date(d)
        if self.overrides.get(d) is True:
            return None
        vi, en, _ = _year_tables(d.year)
        name = (en if lang == "en" else vi).get(d)
        if name is None and self.overrides.get(d) is False:
            return OVERRIDE_DAY_OFF_EN if lang == "en" else OVERRIDE_DAY_OFF_VI
        return name

    def next_working_day(self, d: date) -> date:
        """First working day strictly after `d`."""
        d = _as_date(d)
        for _ in range(_MAX_SCAN_DAYS):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise ValueError("no working day found within ten years: check the overrides")

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (e.g. how many working days a dossier is overdue);
        negative when b is before a, 0 when equal."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a + timedelta(days=1)
        while d <= b:
            count += self.is_working_day(d)
            d += timedelta(days=1)
        return count

    def working_periods(self, d: date) -> list[tuple[datetime, datetime]]:
        """Opening periods of day `d` as aware datetimes (empty on a day off)."""
        d = _as_date(d)
        if not self.is_working_day(d):
            return []
        return [
            (datetime.combine(d, s, tzinfo=VN_TZ), datetime.combine(d, e, tzinfo=VN_TZ))
            for s, e in self._periods
        ]

    def opening(self, d: date) -> datetime:
        """Start of the first period of `d` (the day need not be a working day)."""
        return datetime.combine(_as_date(d), self._periods[0][0], tzinfo=VN_TZ)

    def closing(self, d: date) -> datetime:
        """End of the last period of `d` (the day need not be a working day)."""
        return datetime.combine(_as_date(d), self._periods[-1][1], tzinfo=VN_TZ)

    # ---- moments ----------------------------------------------------------------------

    def next_working_moment(self, dt: datetime) -> datetime:
        """`dt` itself if it is working time, else the start of the next period: after closing
        -> next working morning, during lunch -> start of the afternoon."""
        dt = _to_vn(dt)
        d = dt.date()
        for _ in range(_MAX_SCAN_DAYS):
            for start, end in self.working_periods(d):
                if dt < end:
                    return max(dt, start)
            d += timedelta(days=1)
        raise ValueError("no working day found within ten years: check the overrides")

    def add_working_hours(self, dt: datetime, hours: float | timedelta) -> datetime:
        """Earliest moment by which `hours` of working time have elapsed after `dt`.

        Time outside working periods does not count; a result on a period end stays there
        (4.5 h from 07:00 is 11:30, not 13:30). Zero hours returns `dt` unchanged (in VN time).
        """
        dt = _to_vn(dt)
        remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if remaining < timedelta(0):
            raise ValueError("hours must not be negative")
        if remaining == timedelta(0):
            return dt
        cur = dt
        d = dt.date()
        idle_days = 0
        while True:
            periods = self.working_periods(d)
            if not periods:
                idle_days += 1
                if idle_days > _MAX_SCAN_DAYS:
                    raise ValueError("no working day found within ten years: check the overrides")
            else:
                idle_days = 0
            for start, end in periods:
                if cur >= end:
                    continue
                begin = max(cur, start)
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                cur = end
            d += timedelta(days=1)

    # ---- appointment ------------------------------------------------------------------

    def appointment(self, received_at: datetime, time: ProcessingTime) -> datetime | None:
        """Appointment (due moment) for a dossier received at `received_at` under the legal
        processing time `time`; None when the law sets no return date. See module docstring."""
        received = _floor_minute(_to_vn(received_at))
        kind = time.kind
        if kind == "none":
            return None
        if kind == "same_day":
            cutoff = _parse_hhmm(time.cutoff or DEFAULT_SAME_DAY_CUTOFF)
            start = self.next_working_moment(received)
            day = start.date()
            if start.timetz().replace(tzinfo=None) >= cutoff:
                day = self.next_working_day(day)
            return self.closing(day)
        if kind not in ProcessingTime.KINDS:
            raise ValueError(f"unknown processing time kind: {kind!r}")
        value = time.value
        if value is None or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"processing time {kind} needs a positive value, got {value!r}")
        start = self.next_working_moment(received)
        if kind == "calendar_days":
            if value != int(value):
                raise ValueError(f"calendar_days must be a whole number, got {value!r}")
            target = start.date() + timedelta(days=int(value))
            if self.is_working_day(target):
                return datetime.combine(target, start.timetz())
            return self.opening(self.next_working_day(target))
        hours = value * self.hours.hours_per_day if kind == "working_days" else value
        minutes = round(hours * 60)
        if minutes < 1:
            raise ValueError(f"processing time {kind} {value!r} is shorter than a minute")
        return self.add_working_hours(start, timedelta(minutes=minutes))


# ---- printed forms ------------------------------------------------------------------------


def words_vi(dt: datetime) -> str:
    """Receipt wording: "09 giờ 15 phút, ngày 24 tháng 11 năm 2026" (Vietnam time)."""
    dt = _to_vn(dt)
    return (
        f"{dt.hour:02d} giờ {dt.minute:02d} phút, "
        f"ngày {dt.day:02d} tháng {dt.month:02d} năm {dt.year:04d}"
    )


def words_en(dt: datetime) -> str:
    """English receipt wording: "09:15, 24 November 2026" (Vietnam time)."""
    dt = _to_vn(dt)
    return f"{dt.hour:02d}:{dt.minute:02d}, {dt.day:02d} {_MONTHS_EN[dt.month - 1]} {dt.year:04d}"


def weekday_vi(d: date) -> str:
    """Day of the week in Vietnamese ("Thứ Hai" … "Chủ nhật") to print beside a date."""
    return _WEEKDAYS_VI[_as_date(d).weekday()]
