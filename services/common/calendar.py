"""Dates in Vietnam: work years, reporting and closing periods, working days.

THADS work year N (năm công tác N) runs from 1 October of N - 1 to
30 September of N, by the calendar date in Asia/Ho_Chi_Minh. Statistics
are reported for cumulative periods from 1 October, and registers are
closed every quarter, every half year and at the end of the work year.

Working days exclude Saturdays, Sundays and the public holidays listed per
year in data/holidays.yaml, which also lists make-up working Saturdays.
A year missing from that file raises CalendarYearMissing instead of
counting its holidays as working days.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import yaml

log = logging.getLogger(__name__)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOLIDAYS_FILE = Path(__file__).with_name("data") / "holidays.yaml"

# Saturday and Sunday, as date.weekday() numbers, are the weekly days off
# of State agencies.
WEEKEND = frozenset({5, 6})

_MOMENT_EXAMPLE = "2026-09-30T16:59:59Z or 2026-09-30T23:59:59+07:00"
_YEAR_STATUSES = ("announced", "projected")
_ENTRY_KEYS = {"date", "name", "lunar"}


class NaiveDateTimeError(ValueError):
    """A datetime without a UTC offset where an instant is required."""


class InvalidMomentError(ValueError):
    """Text that is not an ISO 8601 date-time with a UTC offset."""


class CalendarYearMissing(LookupError):
    """A date in a year that the holiday data does not cover."""


class HolidayDataError(ValueError):
    """Holiday data that is malformed or contradicts itself."""


def local_date(moment: datetime) -> date:
    """Return the calendar date in Vietnam of the aware datetime MOMENT."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDateTimeError(
            f"datetime {moment.isoformat()} has no UTC offset, so its date in "
            f"Vietnam is unknown; attach a time zone, e.g. "
            f"moment.replace(tzinfo=VN_TZ) for a Vietnamese wall-clock time"
        )
    return moment.astimezone(VN_TZ).date()


def parse_moment(text: str) -> datetime:
    """Parse an ISO 8601 date-time that carries a UTC offset.

    Raises InvalidMomentError for anything else, including a date-time
    without an offset, because its instant would depend on the server.
    """
    if not isinstance(text, str):
        raise InvalidMomentError(
            f"moment {text!r} is not a string; send an ISO 8601 date-time "
            f"with a UTC offset, e.g. {_MOMENT_EXAMPLE}"
        )
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidMomentError(
            f"moment {text!r} is not an ISO 8601 date-time; send e.g. "
            f"{_MOMENT_EXAMPLE}"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidMomentError(
            f"moment {text!r} has no UTC offset; an offset is required "
            f"('Z' or '+07:00'), e.g. {_MOMENT_EXAMPLE}"
        )
    return moment


def work_year(moment: datetime | date) -> int:
    """Return the THADS work year of MOMENT.

    An aware datetime counts by its date in Vietnam. A date is taken as a
    Vietnamese calendar date already.
    """
    if isinstance(moment, datetime):
        day = local_date(moment)
    elif isinstance(moment, date):
        day = moment
    else:
        raise TypeError(f"expected a datetime or date, got {type(moment).__name__}")
    return day.year + 1 if day.month >= 10 else day.year


def work_year_bounds(year: int) -> tuple[date, date]:
    """Return the first and last day of work year YEAR."""
    _check_work_year(year)
    return date(year - 1, 10, 1), date(year, 9, 30)


def _check_work_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not 2 <= year <= 9999:
        raise ValueError(
            f"work year {year!r} is invalid: use the year in which it ends, "
            f"e.g. 2026 for 1 October 2025 to 30 September 2026"
        )


@dataclass(frozen=True)
class Period:
    """A reporting or register-closing period of one work year."""

    year: int
    code: str
    label: str
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


# Cumulative reporting periods: code, Vietnamese label, months from 1 October.
_REPORTING = (("M3", "3 tháng", 3), ("M6", "6 tháng", 6),
              ("M10", "10 tháng", 10), ("M12", "12 tháng", 12))

# Closing periods: code, Vietnamese label, first and last month counted
# from 1 October (1 = October).
_CLOSING = (
    ("Q1", "Quý I", 1, 3),
    ("Q2", "Quý II", 4, 6),
    ("Q3", "Quý III", 7, 9),
    ("Q4", "Quý IV", 10, 12),
    ("H1", "6 tháng đầu năm", 1, 6),
    ("H2", "6 tháng cuối năm", 7, 12),
)


def reporting_periods(year: int) -> list[Period]:
    """Return the 3, 6, 10 and 12-month reporting periods of work year YEAR.

    Each starts on 1 October and ends on 31/12, 31/3, 31/7 or 30/9.
    """
    _check_work_year(year)
    return [
        Period(year, code, label, _month_start(year, 1), _month_end(year, months))
        for code, label, months in _REPORTING
    ]


def closing_periods(year: int) -> list[Period]:
    """Return the register closing periods of work year YEAR.

    Quarters Q1 (October-December) to Q4 (July-September), half years H1
    and H2, then the whole year Y.
    """
    _check_work_year(year)
    periods = [
        Period(year, code, label, _month_start(year, first), _month_end(year, last))
        for code, label, first, last in _CLOSING
    ]
    first_day, last_day = work_year_bounds(year)
    periods.append(Period(year, "Y", f"Năm công tác {year}", first_day, last_day))
    return periods


def _calendar_month(year: int, month_of_work_year: int) -> tuple[int, int]:
    """Return (calendar year, month) of month N of work year YEAR, N = 1 for
    October of YEAR - 1."""
    month = (month_of_work_year + 8) % 12 + 1
    return (year - 1, month) if month >= 10 else (year, month)


def _month_start(year: int, month_of_work_year: int) -> date:
    calendar_year, month = _calendar_month(year, month_of_work_year)
    return date(calendar_year, month, 1)


def _month_end(year: int, month_of_work_year: int) -> date:
    calendar_year, month = _calendar_month(year, month_of_work_year)
    if month == 12:
        return date(calendar_year, 12, 31)
    return date(calendar_year, month + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class _YearData:
    status: str
    holidays: dict[date, str]
    working_days: dict[date, str]


class HolidayCalendar:
    """Working-day arithmetic over per-year holiday data.

    DATA is the parsed content of a holidays file: {"years": {YEAR: {"status",
    "holidays": [{"date", "name"}], "working_days": [...]}}}. With no DATA,
    the packaged data/holidays.yaml is read. SOURCE names the data in errors.
    """

    def __init__(self, data: Mapping[str, Any] | None = None,
                 source: str | Path | None = None):
        if data is None:
            data, source = _read_yaml(HOLIDAYS_FILE), HOLIDAYS_FILE
        self.source = str(source or "<holiday data>")
        self._years = _parse_years(data, self.source)

    @classmethod
    def from_yaml(cls, path: str | Path) -> HolidayCalendar:
        """Load a calendar from the YAML file at PATH."""
        return cls(_read_yaml(Path(path)), path)

    @property
    def years(self) -> list[int]:
        """Calendar years covered by the data, in order."""
        return sorted(self._years)

    def year_status(self, year: int) -> str:
        """Return "announced" or "projected" for the holidays of YEAR."""
        return self._year(year).status

    def holidays(self, year: int) -> list[tuple[date, str]]:
        """Return the days off of YEAR other than weekends, with their names.

        Holidays that fall on a weekend are listed too.
        """
        return sorted(self._year(year).holidays.items())

    def is_working_day(self, day: date) -> bool:
        """Return whether DAY is a working day of State agencies."""
        # A datetime never equals the date keys, so it would miss holidays.
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(
                f"expected a date, got {type(day).__name__}; convert a "
                f"datetime with local_date() first"
            )
        year = self._year(day.year)
        if day in year.working_days:
            return True
        return day.weekday() not in WEEKEND and day not in year.holidays

    def next_working_day(self, day: date) -> date:
        """Return DAY if it is a working day, else the first one after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, count: int) -> date:
        """Return the day on which a period of COUNT working days ends.

        The start day is not counted, and weekends and holidays are
        skipped. COUNT = 0 returns next_working_day(START).
        """
        _check_count(count)
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return self.next_working_day(day)

    def add_calendar_days(self, start: date, count: int) -> date:
        """Return the day on which a period of COUNT calendar days ends.

        The start day is not counted. An end on a weekend or holiday moves
        to the next working day, as Civil Code 2015 Art. 148 provides.
        """
        _check_count(count)
        return self.next_working_day(start + timedelta(days=count))

    def _year(self, year: int) -> _YearData:
        try:
            return self._years[year]
        except KeyError:
            covered = ", ".join(str(known) for known in self.years) or "none"
            raise CalendarYearMissing(
                f"holiday data has no year {year} (years covered: {covered}); "
                f"add the year's holidays and make-up working days to "
                f"{self.source}"
            ) from None


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"day count {count!r} is invalid: use an integer >= 0")


@lru_cache(maxsize=1)
def default_calendar() -> HolidayCalendar:
    """Return the calendar of the packaged holidays file, read once."""
    return HolidayCalendar()


def add_working_days(start: date, count: int) -> date:
    """Add COUNT working days to START with the default calendar."""
    return default_calendar().add_working_days(start, count)


def _read_yaml(path: Path) -> Mapping[str, Any]:
    with open(path, encoding="utf-8") as stream:
        data = yaml.safe_load(stream)
    log.info("read holiday data from %s", path)
    return data


def _parse_years(data: Mapping[str, Any], source: str) -> dict[int, _YearData]:
    if not isinstance(data, Mapping) or not isinstance(data.get("years"), Mapping):
        raise HolidayDataError(f"{source}: expected a mapping with a 'years' key")
    years = {}
    for key, content in data["years"].items():
        year = _parse_year_key(key, source)
        years[year] = _parse_year(year, content, f"{source}: year {year}")
    return years


def _parse_year_key(key: Any, source: str) -> int:
    try:
        year = int(key)
    except (TypeError, ValueError):
        raise HolidayDataError(f"{source}: year key {key!r} is not a year") from None
    if isinstance(key, bool) or not 1900 <= year <= 2200:
        raise HolidayDataError(f"{source}: year key {key!r} is not a year")
    return year


def _parse_year(year: int, content: Any, where: str) -> _YearData:
    if not isinstance(content, Mapping):
        raise HolidayDataError(f"{where}: expected a mapping")
    status = content.get("status")
    if status not in _YEAR_STATUSES:
        raise HolidayDataError(
            f"{where}: status {status!r} is invalid; use one of "
            f"{', '.join(_YEAR_STATUSES)}"
        )
    holidays = _parse_entries(year, content.get("holidays"), f"{where} holidays")
    working_days = _parse_entries(
        year, content.get("working_days") or [], f"{where} working_days"
    )
    for day in working_days:
        if day in holidays:
            raise HolidayDataError(
                f"{where}: {day} is listed both as a holiday and a working day"
            )
        if day.weekday() not in WEEKEND:
            raise HolidayDataError(
                f"{where}: working day {day} is not a Saturday or Sunday, so "
                f"listing it changes nothing; check the date"
            )
    return _YearData(status, holidays, working_days)


def _parse_entries(year: int, entries: Any, where: str) -> dict[date, str]:
    if not isinstance(entries, list):
        raise HolidayDataError(f"{where}: expected a list of {{date, name}} entries")
    parsed = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or not _ENTRY_KEYS >= set(entry):
            raise HolidayDataError(
                f"{where}: entry {entry!r} is invalid; use the keys date, name "
                f"and optionally lunar"
            )
        day = _parse_date(entry.get("date"), where)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise HolidayDataError(f"{where}: {day} has no name")
        if day.year != year:
            raise HolidayDataError(f"{where}: {day} is not in {year}")
        if day in parsed:
            raise HolidayDataError(f"{where}: {day} is listed twice")
        parsed[day] = name.strip()
    return parsed


def _parse_date(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise HolidayDataError(f"{where}: date {value!r} is not a YYYY-MM-DD date")
