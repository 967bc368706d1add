"""Working calendar and appointment calculator.

The holiday facts below were printed from holidays 0.109 (holidays.VN, language "vi") before
being written down, and agree with the government's announcements for 2025-2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import VN_TZ, ProcessingTime
from app.settings import WorkingHours
from app.workcalendar import (
    NO_APPOINTMENT_VI,
    OVERRIDE_DAY_OFF_VI,
    WorkCalendar,
    weekday_vi,
    words_en,
    words_vi,
)

CAL = WorkCalendar()


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN_TZ)


def days(a: date, b: date) -> list[date]:
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


WD = ProcessingTime("working_days", 1)


# ---- real holidays (2025-2026) ----------------------------------------------------------


def test_tet_at_ty_2025_is_nine_days_off():
    for d in days(date(2025, 1, 25), date(2025, 2, 2)):
        assert not CAL.is_working_day(d), d
    assert CAL.is_working_day(date(2025, 1, 24))
    assert CAL.is_working_day(date(2025, 2, 3))
    assert CAL.holiday_name(date(2025, 1, 29)) == "Tết Nguyên Đán"
    assert CAL.holiday_name(date(2025, 1, 28)) == "Giao thừa Tết Nguyên Đán"
    assert CAL.holiday_name(date(2025, 1, 27)) == "29 Tết"


def test_tet_binh_ngo_2026_is_14_to_22_february():
    for d in days(date(2026, 2, 14), date(2026, 2, 22)):
        assert not CAL.is_working_day(d), d
    # the library lists Mon 16/2 (Giao thừa) .. Fri 20/2 (Mùng bốn); the rest are weekends
    assert CAL.holiday_name(date(2026, 2, 16)) == "Giao thừa Tết Nguyên Đán"
    assert CAL.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert CAL.holiday_name(date(2026, 2, 20)) == "Mùng bốn Tết Nguyên Đán"
    assert CAL.holiday_name(date(2026, 2, 14)) is None  # a plain Saturday
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))


def test_hung_kings_2025_and_2026_observed():
    assert CAL.holiday_name(date(2025, 4, 7)) == "Ngày Giỗ Tổ Hùng Vương"
    assert not CAL.is_working_day(date(2025, 4, 7))
    # 10/3 lunar 2026 is Sunday 26/4: the day off is Monday 27/4
    assert CAL.holiday_name(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert not CAL.is_working_day(date(2026, 4, 27))


def test_reunification_and_labour_day_2025_with_bridge_day_and_makeup_saturday():
    for d in (date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)):
        assert not CAL.is_working_day(d), d
    assert CAL.holiday_name(date(2025, 4, 30)) == "Ngày Chiến thắng"
    assert CAL.holiday_name(date(2025, 5, 1)) == "Ngày Quốc tế Lao động"
    assert CAL.holiday_name(date(2025, 5, 2)) == "Ngày nghỉ (thay cho ngày 26/04/2025)"
    # the bridge day is paid back by working Saturday 26/4/2025
    assert CAL.is_working_day(date(2025, 4, 26))
    assert CAL.holiday_name(date(2025, 4, 26)) is None


def test_national_day_2025_and_2026():
    assert not CAL.is_working_day(date(2025, 9, 1))
    assert not CAL.is_working_day(date(2025, 9, 2))
    assert CAL.holiday_name(date(2025, 9, 2)) == "Quốc khánh"
    assert CAL.is_working_day(date(2025, 9, 3))
    # 2026: 1/9 and 2/9, plus Monday 31/8 swapped with working Saturday 22/8
    for d in (date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)):
        assert not CAL.is_working_day(d), d
    assert CAL.holiday_name(date(2026, 8, 31)) == "Ngày nghỉ (thay cho ngày 22/08/2026)"
    assert CAL.is_working_day(date(2026, 8, 22))
    assert CAL.is_working_day(date(2026, 9, 3))


def test_vietnamese_culture_day_from_2026():
    assert CAL.holiday_name(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert CAL.holiday_name(date(2026, 11, 24), "en") == "Vietnam Cultural Day"
    assert not CAL.is_working_day(date(2026, 11, 24))
    assert CAL.is_working_day(date(2025, 11, 24))  # not a holiday before 2026


def test_new_year_2026():
    assert CAL.holiday_name(date(2026, 1, 1)) == "Tết Dương lịch"
    assert CAL.is_working_day(date(2026, 1, 2))  # no bridge day in the library


def test_plain_weekend_and_weekday():
    assert not CAL.is_working_day(date(2026, 11, 21))  # Saturday
    assert not CAL.is_working_day(date(2026, 11, 22))  # Sunday
    assert CAL.is_working_day(date(2026, 11, 23))  # Monday
    assert CAL.holiday_name(date(2026, 11, 23)) is None


# ---- appointments across real holidays ---------------------------------------------------


def test_today_example_culture_day_pushes_appointment_to_wednesday():
    assert CAL.appointment(vn(2026, 11, 23, 10), WD) == vn(2026, 11, 25, 10)


def test_one_day_keeps_clock_time():
    assert CAL.appointment(vn(2026, 11, 16, 9), WD) == vn(2026, 11, 17, 9)


def test_friday_afternoon_to_monday():
    assert CAL.appointment(vn(2026, 11, 20, 16), WD) == vn(2026, 11, 23, 16)


def test_friday_to_tuesday_when_monday_is_a_holiday():
    # Fri 24/4/2026 -> Mon 27/4/2026 is the Hùng Kings day off
    assert CAL.appointment(vn(2026, 4, 24, 16), WD) == vn(2026, 4, 28, 16)


def test_across_tet_2025():
    assert CAL.appointment(vn(2025, 1, 24, 10), WD) == vn(2025, 2, 3, 10)


def test_across_tet_2026():
    assert CAL.appointment(vn(2026, 2, 13, 16), WD) == vn(2026, 2, 23, 16)


def test_across_national_day_2026():
    assert CAL.appointment(vn(2026, 8, 28, 10), WD) == vn(2026, 9, 3, 10)


def test_across_30_4_2025_bridge():
    # Tue 29/4/2025 + 1 day: 30/4, 1/5, 2/5 off, Sat/Sun -> Mon 5/5
    assert CAL.appointment(vn(2025, 4, 29, 9, 30), WD) == vn(2025, 5, 5, 9, 30)


def test_makeup_saturday_from_library_counts():
    # Fri 21/8/2026 + 1 day -> Saturday 22/8/2026 is a working day
    assert CAL.appointment(vn(2026, 8, 21, 10), WD) == vn(2026, 8, 22, 10)


def test_multi_day_procedure():
    # 5 working days from Mon 16/11/2026 10:00: Tue, Wed, Thu, Fri, Mon
    assert CAL.appointment(vn(2026, 11, 16, 10), ProcessingTime("working_days", 5)) == vn(
        2026, 11, 23, 10
    )
    # across the culture day: Mon 23/11 + 3 -> Wed, Thu, Fri
    assert CAL.appointment(vn(2026, 11, 23, 10), ProcessingTime("working_days", 3)) == vn(
        2026, 11, 27, 10
    )


def test_half_working_day():
    assert CAL.appointment(vn(2026, 11, 16, 8), ProcessingTime("working_days", 0.5)) == vn(
        2026, 11, 16, 14
    )


# ---- overrides ---------------------------------------------------------------------------


def test_declared_makeup_saturday_counts():
    cal = WorkCalendar(overrides={date(2026, 11, 28): True})
    assert cal.is_working_day(date(2026, 11, 28))
    assert cal.appointment(vn(2026, 11, 27, 10), WD) == vn(2026, 11, 28, 10)
    assert CAL.appointment(vn(2026, 11, 27, 10), WD) == vn(2026, 11, 30, 10)


def test_declared_bridge_day_is_skipped():
    cal = WorkCalendar(overrides={date(2026, 1, 2): False})
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.holiday_name(date(2026, 1, 2)) == OVERRIDE_DAY_OFF_VI
    assert cal.appointment(vn(2025, 12, 31, 10), WD) == vn(2026, 1, 5, 10)
    assert CAL.appointment(vn(2025, 12, 31, 10), WD) == vn(2026, 1, 2, 10)


def test_override_wins_over_library_holiday():
    cal = WorkCalendar(overrides={date(2026, 11, 24): True})
    assert cal.is_working_day(date(2026, 11, 24))
    assert cal.holiday_name(date(2026, 11, 24)) is None
    cal = WorkCalendar(overrides={date(2026, 11, 24): False})
    assert cal.holiday_name(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"


def test_bad_overrides_are_refused():
    with pytest.raises(TypeError):
        WorkCalendar(overrides={vn(2026, 1, 2): False})  # datetime, not date
    with pytest.raises(TypeError):
        WorkCalendar(overrides={date(2026, 1, 2): "no"})  # type: ignore[dict-item]


def test_overrides_are_read_only():
    source = {date(2026, 1, 2): False}
    cal = WorkCalendar(overrides=source)
    source[date(2026, 1, 2)] = True
    assert not cal.is_working_day(date(2026, 1, 2))
    with pytest.raises(TypeError):
        cal.overrides[date(2026, 1, 3)] = True  # type: ignore[index]


# ---- working moments and period edges ---------------------------------------------------


@pytest.mark.parametrize(
    "given_at, expected",
    [
        (vn(2026, 11, 23, 6, 30), vn(2026, 11, 23, 7)),  # before opening
        (vn(2026, 11, 23, 7), vn(2026, 11, 23, 7)),  # at opening
        (vn(2026, 11, 23, 9, 15), vn(2026, 11, 23, 9, 15)),  # inside
        (vn(2026, 11, 23, 11, 30), vn(2026, 11, 23, 13, 30)),  # period end is not working
        (vn(2026, 11, 23, 12, 10), vn(2026, 11, 23, 13, 30)),  # lunch
        (vn(2026, 11, 23, 17), vn(2026, 11, 25, 7)),  # closing; 24/11 is a holiday
        (vn(2026, 11, 20, 20), vn(2026, 11, 23, 7)),  # Friday evening
        (vn(2026, 11, 21, 9), vn(2026, 11, 23, 7)),  # Saturday
    ],
)
def test_next_working_moment(given_at, expected):
    assert CAL.next_working_moment(given_at) == expected


def test_appointment_on_period_end_stays_there():
    # from opening, a full working day ends exactly at closing the same day
    assert CAL.appointment(vn(2026, 11, 16, 7), WD) == vn(2026, 11, 16, 17)
    assert CAL.add_working_hours(vn(2026, 11, 16, 7), 4.5) == vn(2026, 11, 16, 11, 30)
    assert CAL.add_working_hours(vn(2026, 11, 16, 7), 8) == vn(2026, 11, 16, 17)


def test_after_closing_counts_from_next_morning():
    assert CAL.appointment(vn(2026, 11, 16, 17, 45), WD) == vn(2026, 11, 17, 17)
    assert CAL.appointment(vn(2026, 11, 16, 17, 45), ProcessingTime("working_hours", 2)) == vn(
        2026, 11, 17, 9
    )


def test_received_during_lunch_counts_from_afternoon():
    assert CAL.appointment(vn(2026, 11, 16, 12), ProcessingTime("working_hours", 4)) == vn(
        2026, 11, 17, 7, 30
    )


def test_seconds_are_dropped_like_on_the_receipt():
    assert CAL.appointment(vn(2026, 11, 16, 9, 15, 42), WD) == vn(2026, 11, 17, 9, 15)


def test_add_zero_hours_is_identity():
    assert CAL.add_working_hours(vn(2026, 11, 21, 3), 0) == vn(2026, 11, 21, 3)


def test_negative_hours_refused():
    with pytest.raises(ValueError):
        CAL.add_working_hours(vn(2026, 11, 16, 9), -1)


# ---- calendar days, same day, none -------------------------------------------------------


def test_calendar_days_same_clock_time():
    assert CAL.appointment(vn(2026, 11, 16, 9, 15), ProcessingTime("calendar_days", 3)) == vn(
        2026, 11, 19, 9, 15
    )


def test_calendar_days_landing_on_day_off_moves_to_next_opening():
    # Mon 23/11 + 5 = Sat 28/11 -> Mon 30/11 07:00
    assert CAL.appointment(vn(2026, 11, 23, 10), ProcessingTime("calendar_days", 5)) == vn(
        2026, 11, 30, 7
    )
    # Sun 22/11... received Fri 20/11 + 4 = Tue 24/11 (culture day) -> Wed 25/11 07:00
    assert CAL.appointment(vn(2026, 11, 20, 16), ProcessingTime("calendar_days", 4)) == vn(
        2026, 11, 25, 7
    )


def test_calendar_days_clamps_lunch_and_after_hours():
    assert CAL.appointment(vn(2026, 11, 16, 12), ProcessingTime("calendar_days", 2)) == vn(
        2026, 11, 18, 13, 30
    )
    # Friday evening counts from Monday morning
    assert CAL.appointment(vn(2026, 11, 13, 19), ProcessingTime("calendar_days", 2)) == vn(
        2026, 11, 18, 7
    )


def test_calendar_days_must_be_whole():
    with pytest.raises(ValueError):
        CAL.appointment(vn(2026, 11, 16, 9), ProcessingTime("calendar_days", 1.5))


@pytest.mark.parametrize(
    "received, cutoff, expected",
    [
        (vn(2026, 11, 16, 9), None, vn(2026, 11, 16, 17)),
        (vn(2026, 11, 16, 6, 50), None, vn(2026, 11, 16, 17)),  # before opening
        (vn(2026, 11, 16, 14, 59), None, vn(2026, 11, 16, 17)),
        (vn(2026, 11, 16, 15), None, vn(2026, 11, 17, 17)),  # at the cutoff -> next day
        (vn(2026, 11, 16, 18), None, vn(2026, 11, 17, 17)),  # after closing
        (vn(2026, 11, 23, 15, 30), None, vn(2026, 11, 25, 17)),  # next day is culture day
        (vn(2026, 11, 21, 9), None, vn(2026, 11, 23, 17)),  # Saturday
        (vn(2026, 11, 16, 16), "16:30", vn(2026, 11, 16, 17)),
        (vn(2026, 11, 16, 11), "10:00", vn(2026, 11, 17, 17)),
    ],
)
def test_same_day(received, cutoff, expected):
    assert CAL.appointment(received, ProcessingTime("same_day", cutoff=cutoff)) == expected


def test_none_has_no_appointment():
    assert CAL.appointment(vn(2026, 11, 16, 9), ProcessingTime("none")) is None
    assert NO_APPOINTMENT_VI == "Không có ngày hẹn trả cụ thể theo quy định"


@pytest.mark.parametrize(
    "pt",
    [
        ProcessingTime("working_days"),
        ProcessingTime("working_days", 0),
        ProcessingTime("working_hours", -2),
        ProcessingTime("working_hours", float("nan")),
        ProcessingTime("fortnights", 1),
        ProcessingTime("same_day", cutoff="3pm"),
    ],
)
def test_bad_processing_times(pt):
    with pytest.raises(ValueError):
        CAL.appointment(vn(2026, 11, 16, 9), pt)


# ---- time zones --------------------------------------------------------------------------


def test_naive_datetimes_refused():
    naive = datetime(2026, 11, 16, 9)
    for call in (
        lambda: CAL.appointment(naive, WD),
        lambda: CAL.next_working_moment(naive),
        lambda: CAL.add_working_hours(naive, 1),
        lambda: words_vi(naive),
    ):
        with pytest.raises(ValueError):
            call()


def test_other_zones_are_converted_to_vietnam_time():
    utc = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    result = CAL.appointment(utc, WD)
    assert result == vn(2026, 11, 25, 10)
    assert result.utcoffset() == timedelta(hours=7)
    # 17:30 UTC on Sunday is 00:30 Monday in Vietnam
    assert CAL.next_working_moment(datetime(2026, 11, 15, 17, 30, tzinfo=UTC)) == vn(
        2026, 11, 16, 7
    )


# ---- days ------------------------------------------------------------------------------


def test_next_working_day_and_between():
    assert CAL.next_working_day(date(2026, 11, 23)) == date(2026, 11, 25)
    assert CAL.next_working_day(date(2025, 1, 24)) == date(2025, 2, 3)
    assert CAL.working_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 4
    assert CAL.working_days_between(date(2026, 11, 27), date(2026, 11, 20)) == -4
    assert CAL.working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0
    assert CAL.working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1


def test_working_periods_and_weekday():
    assert CAL.working_periods(date(2026, 11, 24)) == []
    assert CAL.working_periods(date(2026, 11, 23)) == [
        (vn(2026, 11, 23, 7), vn(2026, 11, 23, 11, 30)),
        (vn(2026, 11, 23, 13, 30), vn(2026, 11, 23, 17)),
    ]
    assert weekday_vi(date(2026, 11, 25)) == "Thứ Tư"
    assert weekday_vi(date(2026, 11, 29)) == "Chủ nhật"


def test_custom_working_hours():
    cal = WorkCalendar(WorkingHours(periods=(("08:00", "12:00"), ("13:00", "17:00"))))
    assert cal.next_working_moment(vn(2026, 11, 16, 12, 30)) == vn(2026, 11, 16, 13)
    assert cal.appointment(vn(2026, 11, 16, 10), WD) == vn(2026, 11, 17, 10)
    assert cal.appointment(vn(2026, 11, 16, 10), ProcessingTime("same_day")) == vn(
        2026, 11, 16, 17
    )


@pytest.mark.parametrize(
    "periods",
    [
        (("11:00", "10:00"),),
        (("07:00", "12:00"), ("11:00", "17:00")),
        (("7h", "11:30"),),
        (),
    ],
)
def test_bad_working_hours(periods):
    with pytest.raises(ValueError):
        WorkCalendar(WorkingHours(periods=periods))


# ---- printed forms -----------------------------------------------------------------------


def test_words():
    assert words_vi(vn(2026, 11, 24, 9, 15)) == "09 giờ 15 phút, ngày 24 tháng 11 năm 2026"
    assert words_vi(vn(2027, 1, 5, 14)) == "14 giờ 00 phút, ngày 05 tháng 01 năm 2027"
    assert words_en(vn(2026, 11, 24, 9, 15)) == "09:15, 24 November 2026"
    # converted to Vietnam time first
    assert words_vi(datetime(2026, 11, 23, 20, 0, tzinfo=UTC)).endswith(
        "ngày 24 tháng 11 năm 2026"
    )


# ---- properties --------------------------------------------------------------------------

# Receipts between 2024 and 2027, to the second, in Vietnam time or UTC.
received_times = st.builds(
    lambda base, secs, utc: (base + timedelta(seconds=secs)).astimezone(
        UTC if utc else VN_TZ
    ),
    st.just(vn(2024, 12, 1)),
    st.integers(0, 3 * 365 * 24 * 3600),
    st.booleans(),
)
processing_times = st.one_of(
    st.builds(ProcessingTime, st.just("working_days"), st.integers(1, 30).map(float)),
    st.builds(ProcessingTime, st.just("working_days"), st.sampled_from([0.5, 1.5, 2.5])),
    st.builds(ProcessingTime, st.just("working_hours"), st.integers(1, 80).map(float)),
    st.builds(ProcessingTime, st.just("calendar_days"), st.integers(1, 60).map(float)),
    st.builds(
        ProcessingTime,
        st.just("same_day"),
        st.none(),
        st.sampled_from([None, "15:00", "10:00", "16:45"]),
    ),
)
overrides = st.dictionaries(
    st.dates(date(2024, 12, 1), date(2028, 1, 1)), st.booleans(), max_size=30
)
minutes = st.integers(0, 40 * 8 * 60).map(lambda m: timedelta(minutes=m))


def in_working_time(cal: WorkCalendar, dt: datetime) -> bool:
    return any(s <= dt <= e for s, e in cal.working_periods(dt.date()))


def working_time_between(cal: WorkCalendar, a: datetime, b: datetime) -> timedelta:
    """Reference count of working time in [a, b], period by period."""
    total = timedelta(0)
    d = a.astimezone(VN_TZ).date()
    while d <= b.astimezone(VN_TZ).date():
        for s, e in cal.working_periods(d):
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        d += timedelta(days=1)
    return total


@settings(max_examples=300, deadline=None)
@given(received=received_times, pt=processing_times, ov=overrides)
def test_appointment_is_after_receipt_and_inside_working_hours(received, pt, ov):
    cal = WorkCalendar(overrides=ov)
    due = cal.appointment(received, pt)
    assert due is not None
    assert due >= received
    assert due.utcoffset() == timedelta(hours=7)
    assert cal.is_working_day(due.date())
    assert in_working_time(cal, due)
    assert due.second == 0 and due.microsecond == 0


@settings(max_examples=300, deadline=None)
@given(a=received_times, b=received_times, pt=processing_times, ov=overrides)
def test_appointment_is_monotone_in_received_time(a, b, pt, ov):
    cal = WorkCalendar(overrides=ov)
    first, second = sorted((a, b))
    assert cal.appointment(first, pt) <= cal.appointment(second, pt)


@settings(max_examples=300, deadline=None)
@given(x=received_times, a=minutes, b=minutes, ov=overrides)
def test_add_working_hours_is_additive(x, a, b, ov):
    cal = WorkCalendar(overrides=ov)
    assert cal.add_working_hours(x, a + b) == cal.add_working_hours(cal.add_working_hours(x, a), b)
    hours_a = a.total_seconds() / 3600
    assert cal.add_working_hours(x, hours_a) == cal.add_working_hours(x, a)


@settings(max_examples=200, deadline=None)
@given(x=received_times, h=minutes, ov=overrides)
def test_add_working_hours_adds_exactly_that_much_working_time(x, h, ov):
    cal = WorkCalendar(overrides=ov)
    result = cal.add_working_hours(x, h)
    assert result >= x
    assert working_time_between(cal, x, result) == h
    if h:
        assert in_working_time(cal, result)
        # earliest such moment: one minute earlier is not enough
        assert working_time_between(cal, x, result - timedelta(minutes=1)) < h


@settings(max_examples=200, deadline=None)
@given(x=received_times, ov=overrides)
def test_next_working_moment_properties(x, ov):
    cal = WorkCalendar(overrides=ov)
    m = cal.next_working_moment(x)
    assert m >= x
    assert cal.next_working_moment(m) == m
    assert any(s <= m < e for s, e in cal.working_periods(m.date()))
    assert working_time_between(cal, x, m) == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(
    a=st.dates(date(2024, 12, 1), date(2027, 12, 31)),
    b=st.dates(date(2024, 12, 1), date(2027, 12, 31)),
    c=st.dates(date(2024, 12, 1), date(2027, 12, 31)),
    ov=overrides,
)
def test_working_days_between_is_additive(a, b, c, ov):
    cal = WorkCalendar(overrides=ov)
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == (
        cal.working_days_between(a, c)
    )
    n = cal.next_working_day(a)
    assert n > a and cal.is_working_day(n)
    assert cal.working_days_between(a, n) == 1
