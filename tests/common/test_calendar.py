"""Work years, periods and working days in Vietnam."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.common import calendar
from services.common.calendar import (
    HOLIDAYS_FILE,
    VN_TZ,
    CalendarYearMissing,
    HolidayCalendar,
    HolidayDataError,
    InvalidMomentError,
    NaiveDateTimeError,
    closing_periods,
    default_calendar,
    local_date,
    parse_moment,
    reporting_periods,
    work_year,
    work_year_bounds,
)


@pytest.fixture
def vn():
    return default_calendar()


# Work years


@pytest.mark.parametrize(
    "text, year",
    [
        ("2026-09-30T16:59:59Z", 2026),
        ("2026-09-30T17:00:00Z", 2027),
        ("2026-09-30T23:59:59+07:00", 2026),
        ("2026-10-01T00:00:00+07:00", 2027),
        ("2025-09-30T17:00:00+00:00", 2026),
    ],
)
def test_work_year_boundary(text, year):
    assert work_year(parse_moment(text)) == year


def test_work_year_local_half_past_midnight():
    moment = datetime(2026, 10, 1, 0, 30, tzinfo=VN_TZ)
    assert work_year(moment) == 2027
    assert local_date(moment) == date(2026, 10, 1)


def test_work_year_of_date():
    assert work_year(date(2026, 9, 30)) == 2026
    assert work_year(date(2026, 10, 1)) == 2027
    assert work_year(date(2026, 1, 1)) == 2026


def test_work_year_rejects_other_types():
    with pytest.raises(TypeError):
        work_year("2026-09-30")


def test_local_date_converts_utc():
    moment = datetime(2026, 2, 16, 17, 0, tzinfo=timezone.utc)
    assert local_date(moment) == date(2026, 2, 17)


def test_local_date_rejects_naive():
    with pytest.raises(NaiveDateTimeError, match="no UTC offset"):
        local_date(datetime(2026, 9, 30, 12, 0))
    assert issubclass(NaiveDateTimeError, ValueError)


def test_parse_moment_keeps_offset():
    moment = parse_moment("2026-09-30T23:59:59+07:00")
    assert moment.utcoffset() == timedelta(hours=7)
    assert moment == datetime(2026, 9, 30, 16, 59, 59, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["2026-09-30T16:59:59", "2026-09-30"])
def test_parse_moment_requires_offset(text):
    with pytest.raises(InvalidMomentError) as raised:
        parse_moment(text)
    assert text in str(raised.value)
    assert "offset is required" in str(raised.value)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("value", ["yesterday", "", "2026-13-01T00:00:00Z"])
def test_parse_moment_rejects_garbage(value):
    with pytest.raises(InvalidMomentError, match="not an ISO 8601"):
        parse_moment(value)


def test_parse_moment_rejects_non_string():
    with pytest.raises(InvalidMomentError, match="not a string"):
        parse_moment(1790000000)


def test_work_year_bounds():
    assert work_year_bounds(2026) == (date(2025, 10, 1), date(2026, 9, 30))


@pytest.mark.parametrize("year", [True, "2026", 0])
def test_work_year_bounds_rejects_invalid(year):
    with pytest.raises(ValueError, match="work year"):
        work_year_bounds(year)


# Reporting and closing periods


def test_reporting_periods():
    periods = reporting_periods(2026)
    assert [p.code for p in periods] == ["M3", "M6", "M10", "M12"]
    assert [p.label for p in periods] == ["3 tháng", "6 tháng", "10 tháng", "12 tháng"]
    assert {p.start for p in periods} == {date(2025, 10, 1)}
    assert [p.end for p in periods] == [
        date(2025, 12, 31), date(2026, 3, 31), date(2026, 7, 31), date(2026, 9, 30)
    ]
    assert {p.year for p in periods} == {2026}


def test_closing_periods():
    periods = {p.code: p for p in closing_periods(2026)}
    assert list(periods) == ["Q1", "Q2", "Q3", "Q4", "H1", "H2", "Y"]
    expected = {
        "Q1": ("Quý I", date(2025, 10, 1), date(2025, 12, 31)),
        "Q2": ("Quý II", date(2026, 1, 1), date(2026, 3, 31)),
        "Q3": ("Quý III", date(2026, 4, 1), date(2026, 6, 30)),
        "Q4": ("Quý IV", date(2026, 7, 1), date(2026, 9, 30)),
        "H1": ("6 tháng đầu năm", date(2025, 10, 1), date(2026, 3, 31)),
        "H2": ("6 tháng cuối năm", date(2026, 4, 1), date(2026, 9, 30)),
        "Y": ("Năm công tác 2026", date(2025, 10, 1), date(2026, 9, 30)),
    }
    for code, (label, start, end) in expected.items():
        assert periods[code].label == label, code
        assert periods[code].start == start, code
        assert periods[code].end == end, code


def test_quarters_cover_work_year():
    quarters = closing_periods(2027)[:4]
    first, last = work_year_bounds(2027)
    assert quarters[0].start == first
    assert quarters[-1].end == last
    for before, after in zip(quarters, quarters[1:]):
        assert after.start == before.end + timedelta(days=1)


def test_period_contains_day():
    q2 = closing_periods(2026)[1]
    assert date(2026, 2, 17) in q2
    assert date(2025, 12, 31) not in q2


# Working days


@pytest.mark.parametrize(
    "day",
    [date(2026, 2, 16) + timedelta(days=offset) for offset in range(5)]
    + [date(2027, 2, 5) + timedelta(days=offset) for offset in range(7)],
)
def test_tet_not_working_day(vn, day):
    assert not vn.is_working_day(day)


def test_days_around_tet_2026(vn):
    assert vn.is_working_day(date(2026, 2, 13))
    assert vn.is_working_day(date(2026, 2, 23))


@pytest.mark.parametrize(
    "day", [date(2025, 9, 1), date(2025, 9, 2), date(2026, 9, 1), date(2026, 9, 2)]
)
def test_national_day_and_adjacent_day_off(vn, day):
    assert not vn.is_working_day(day)


def test_national_day_2026_swap(vn):
    # Monday 31/8/2026 is off, made up on Saturday 22/8/2026.
    assert not vn.is_working_day(date(2026, 8, 31))
    assert vn.is_working_day(date(2026, 8, 22))
    assert vn.is_working_day(date(2026, 9, 3))


def test_new_year_2026_swap(vn):
    assert not vn.is_working_day(date(2026, 1, 1))
    assert not vn.is_working_day(date(2026, 1, 2))
    assert vn.is_working_day(date(2026, 1, 10))


def test_gio_to_2026_compensatory_day(vn):
    assert not vn.is_working_day(date(2026, 4, 26))
    assert not vn.is_working_day(date(2026, 4, 27))
    assert vn.is_working_day(date(2026, 4, 28))


def test_working_day_rejects_datetime(vn):
    moment = datetime(2026, 2, 17, 9, 0, tzinfo=VN_TZ)
    with pytest.raises(TypeError, match="local_date"):
        vn.is_working_day(moment)
    with pytest.raises(TypeError, match="local_date"):
        vn.add_working_days(moment, 1)


def test_weekends_are_days_off(vn):
    assert not vn.is_working_day(date(2026, 3, 7))
    assert not vn.is_working_day(date(2026, 3, 8))
    assert vn.is_working_day(date(2026, 3, 9))


def test_every_year_has_fixed_holidays(vn):
    for year in vn.years:
        days = dict(vn.holidays(year))
        for month, day in [(1, 1), (4, 30), (5, 1), (9, 2)]:
            assert date(year, month, day) in days, (year, month, day)


def test_holidays_listed_with_names(vn):
    holidays = vn.holidays(2026)
    assert holidays == sorted(holidays)
    assert (date(2026, 2, 17), "Tết Nguyên đán (mùng 1 tháng Giêng)") in holidays
    assert (date(2026, 9, 2), "Quốc khánh (2/9)") in holidays


def test_year_status(vn):
    assert vn.year_status(2025) == "announced"
    assert vn.year_status(2026) == "announced"
    assert vn.year_status(2027) == "projected"
    assert vn.years == [2025, 2026, 2027, 2028, 2029, 2030]


def test_deadline_across_weekend_and_tet(vn):
    # Thursday 12/2/2026: Friday 13/2 counts, 14/2-22/2 are off.
    assert vn.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)


def test_deadline_across_april_holidays(vn):
    # Tuesday 28/4/2026: 29/4 counts, 30/4-3/5 are off.
    assert vn.add_working_days(date(2026, 4, 28), 5) == date(2026, 5, 7)


def test_deadline_across_weekend(vn):
    assert vn.add_working_days(date(2026, 3, 5), 3) == date(2026, 3, 10)


def test_deadline_counts_make_up_saturday(vn):
    # Friday 21/8/2026: Saturday 22/8 is a make-up working day.
    assert vn.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)


def test_zero_working_days(vn):
    assert vn.add_working_days(date(2026, 2, 17), 0) == date(2026, 2, 23)
    assert vn.add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)


def test_negative_days_rejected(vn):
    with pytest.raises(ValueError, match="day count"):
        vn.add_working_days(date(2026, 3, 9), -1)
    with pytest.raises(ValueError, match="day count"):
        vn.add_calendar_days(date(2026, 3, 9), -1)


def test_calendar_deadline_moves_off_day_off(vn):
    # 10 days from 5/2/2026 end on Sunday 15/2, inside Tết.
    assert vn.add_calendar_days(date(2026, 2, 5), 10) == date(2026, 2, 23)
    # 10 days from 21/8/2026 end on Monday 31/8, a swapped day off.
    assert vn.add_calendar_days(date(2026, 8, 21), 10) == date(2026, 9, 3)


def test_calendar_deadline_on_working_day(vn):
    assert vn.add_calendar_days(date(2026, 3, 2), 10) == date(2026, 3, 12)


def test_next_working_day(vn):
    assert vn.next_working_day(date(2026, 4, 30)) == date(2026, 5, 4)
    assert vn.next_working_day(date(2026, 5, 4)) == date(2026, 5, 4)


def test_missing_year_raises(vn):
    with pytest.raises(CalendarYearMissing) as raised:
        vn.is_working_day(date(2031, 1, 2))
    message = str(raised.value)
    assert "2031" in message
    assert str(HOLIDAYS_FILE) in message
    assert isinstance(raised.value, LookupError)


def test_deadline_into_missing_year_raises(vn):
    with pytest.raises(CalendarYearMissing, match="2031"):
        vn.add_working_days(date(2030, 12, 27), 5)
    with pytest.raises(CalendarYearMissing, match="2024"):
        vn.add_calendar_days(date(2024, 12, 1), 1)


def test_module_add_working_days():
    assert calendar.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    assert default_calendar() is default_calendar()


# Holiday data


def make_calendar(holidays, working_days=(), status="announced"):
    return HolidayCalendar(
        {"years": {2026: {"status": status, "holidays": list(holidays),
                          "working_days": list(working_days)}}},
        source="test data",
    )


def test_custom_data_with_text_dates():
    custom = make_calendar(
        [{"date": "2026-03-09", "name": "Nghỉ"}],
        [{"date": "2026-03-14", "name": "Làm bù"}],
    )
    assert not custom.is_working_day(date(2026, 3, 9))
    assert custom.is_working_day(date(2026, 3, 14))
    assert custom.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 10)


def test_from_yaml_matches_default(tmp_path):
    copy = tmp_path / "holidays.yaml"
    copy.write_bytes(HOLIDAYS_FILE.read_bytes())
    loaded = HolidayCalendar.from_yaml(copy)
    assert loaded.holidays(2026) == default_calendar().holidays(2026)
    with pytest.raises(CalendarYearMissing, match=str(copy)):
        loaded.is_working_day(date(2031, 1, 1))


@pytest.mark.parametrize(
    "holidays, working_days, message",
    [
        ([{"date": "2026-03-14", "name": "Nghỉ"}],
         [{"date": "2026-03-14", "name": "Làm bù"}], "both"),
        ([], [{"date": "2026-03-11", "name": "Làm bù"}], "not a Saturday"),
        ([{"date": "2026-03-09", "name": "A"}, {"date": "2026-03-09", "name": "B"}],
         [], "listed twice"),
        ([{"date": "2027-03-09", "name": "Nghỉ"}], [], "not in 2026"),
        ([{"date": "09/03/2026", "name": "Nghỉ"}], [], "YYYY-MM-DD"),
        ([{"date": "2026-03-09", "name": " "}], [], "no name"),
        ([{"date": "2026-03-09", "nmae": "Nghỉ"}], [], "keys date, name"),
    ],
)
def test_invalid_data_rejected(holidays, working_days, message):
    with pytest.raises(HolidayDataError, match=message):
        make_calendar(holidays, working_days)


def test_invalid_status_rejected():
    with pytest.raises(HolidayDataError, match="status"):
        make_calendar([], status="draft")
