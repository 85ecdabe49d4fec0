"""Vietnamese lunisolar calendar (âm lịch): lunar and solar date conversion.

The rules are those of the calendar in use in Vietnam since 1968, computed
for the meridian of UTC+7:

- A lunar month starts on the local calendar day of a new moon.
- Month 11 is the month containing the winter solstice (sun at 270°).
- When 13 new moons separate two months 11, one of those months is a leap
  month. It is the first month after month 11 in which the sun crosses no
  multiple of 30° of longitude (no major solar term), and it repeats the
  number of the month before it.

New moons follow Jean Meeus, "Astronomical Algorithms" (2nd ed., 1998),
chapter 49, and the solar longitude follows the low-precision series of
chapter 25 (about 0.01°, i.e. about 15 minutes in time).

NOTE: a new moon or major solar term within a few minutes of local
midnight can land on the wrong day. No such case occurs in the years
checked by the tests, but published almanacs win if they ever disagree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

UTC_OFFSET_HOURS = 7
"""Time zone of the Vietnamese calendar, in hours east of UTC."""

MIN_YEAR = 1900
MAX_YEAR = 2100
"""Lunar years this module converts. The approximation of TT - UT drifts
outside them."""

# Julian Day at 00:00 UT of the day before date.fromordinal(1). Adding a
# date's ordinal gives the Julian Day at 00:00 UT of that date.
_JD_OF_ORDINAL_ZERO = 1721424.5
_SYNODIC_MONTH = 29.530588861
# JDE of the mean new moon numbered k = 0 (6 January 2000), Meeus (49.1).
_NEW_MOON_EPOCH = 2451550.09766


class InvalidLunarDate(ValueError):
    """A lunar date that does not exist, or lies outside MIN_YEAR..MAX_YEAR."""


@dataclass(frozen=True)
class LunarDate:
    """A date of the Vietnamese lunar calendar."""

    year: int
    month: int
    day: int
    leap: bool = False


@dataclass(frozen=True)
class _Month:
    year: int
    number: int
    leap: bool
    start: date
    length: int


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date:
    """Convert a lunar date to the Gregorian date it falls on in Vietnam.

    LEAP selects the leap month that repeats MONTH. Raises InvalidLunarDate
    for a month or day that does not exist in that lunar year.
    """
    _check_year(year)
    if not 1 <= month <= 12:
        raise InvalidLunarDate(f"lunar month {month} is invalid: use 1 to 12")
    # Months 11 and 12 open the solar year after their lunar year's number.
    solar_year = year + 1 if month >= 11 else year
    for lunar_month in _months_from_month11(solar_year):
        if (lunar_month.year, lunar_month.number, lunar_month.leap) == (
            year, month, leap
        ):
            return _day_in_month(lunar_month, day)
    leap_text = "leap " if leap else ""
    raise InvalidLunarDate(
        f"lunar year {year} has no {leap_text}month {month}"
    )


def solar_to_lunar(solar_date: date) -> LunarDate:
    """Convert a Gregorian date to the lunar date it is in Vietnam."""
    if not MIN_YEAR <= solar_date.year <= MAX_YEAR:
        raise InvalidLunarDate(
            f"date {solar_date} is outside the supported years "
            f"{MIN_YEAR}..{MAX_YEAR}"
        )
    months = _months_from_month11(solar_date.year)
    if solar_date >= _months_from_month11(solar_date.year + 1)[0].start:
        months = _months_from_month11(solar_date.year + 1)
    if solar_date < months[0].start:
        months = _months_from_month11(solar_date.year - 1) + months
    current = max(
        (month for month in months if month.start <= solar_date),
        key=lambda month: month.start,
    )
    day = (solar_date - current.start).days + 1
    return LunarDate(current.year, current.number, day, current.leap)


def leap_month(year: int) -> int | None:
    """Return the number of the month repeated as leap month in YEAR, if any."""
    _check_year(year)
    for solar_year in (year, year + 1):
        for lunar_month in _months_from_month11(solar_year):
            if lunar_month.year == year and lunar_month.leap:
                return lunar_month.number
    return None


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidLunarDate(f"lunar year {year!r} is invalid: use an integer")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidLunarDate(
            f"lunar year {year} is outside the supported range "
            f"{MIN_YEAR}..{MAX_YEAR}"
        )


def _day_in_month(lunar_month: _Month, day: int) -> date:
    if not 1 <= day <= lunar_month.length:
        raise InvalidLunarDate(
            f"day {day} is invalid: lunar month {lunar_month.number} of "
            f"{lunar_month.year} has {lunar_month.length} days"
        )
    return date.fromordinal(lunar_month.start.toordinal() + day - 1)


@lru_cache(maxsize=512)
def _months_from_month11(solar_year: int) -> tuple[_Month, ...]:
    """List the lunar months from month 11 of SOLAR_YEAR - 1 up to month 11
    of SOLAR_YEAR, which is excluded, with their numbers and leap flags."""
    first = _month11_index(solar_year - 1)
    after_last = _month11_index(solar_year)
    starts = [_new_moon_date(k) for k in range(first, after_last + 1)]
    count = after_last - first
    leap_index = _leap_index(starts) if count == 13 else None

    months = []
    number, year = 11, solar_year - 1
    for index in range(count):
        is_leap = index == leap_index
        if index > 0 and not is_leap:
            number += 1
            if number == 13:
                number, year = 1, solar_year
        length = (starts[index + 1] - starts[index]).days
        months.append(_Month(year, number, is_leap, starts[index], length))
    return tuple(months)


def _leap_index(starts: list[date]) -> int:
    """Return the index of the first month after month 11 that contains no
    major solar term: its start and the next start are in one 30° sector."""
    sectors = [int(_sun_longitude_at_midnight(start) // 30) for start in starts]
    for index in range(1, len(starts) - 1):
        if sectors[index] == sectors[index + 1]:
            return index
    raise ArithmeticError("13 lunar months without a month lacking a major term")


def _month11_index(solar_year: int) -> int:
    """Return the number k of the new moon that starts month 11, the month
    containing the winter solstice of SOLAR_YEAR."""
    december_31 = date(solar_year, 12, 31)
    k = math.floor((_julian_day(december_31) - _NEW_MOON_EPOCH) / _SYNODIC_MONTH)
    # A month starting after the solstice is month 12, so step back one.
    if _sun_longitude_at_midnight(_new_moon_date(k)) >= 270.0:
        k -= 1
    return k


def _julian_day(day: date) -> float:
    return day.toordinal() + _JD_OF_ORDINAL_ZERO


def _new_moon_date(k: int) -> date:
    """Return the local (UTC+7) calendar date of new moon number K."""
    universal_time = _new_moon_jde(k) - _delta_t_days(k / 12.3685 + 2000)
    local_time = universal_time + UTC_OFFSET_HOURS / 24
    return date.fromordinal(math.floor(local_time - _JD_OF_ORDINAL_ZERO))


def _sun_longitude_at_midnight(day: date) -> float:
    """Return the sun's apparent longitude in degrees at 00:00 UTC+7 of DAY."""
    universal_time = _julian_day(day) - UTC_OFFSET_HOURS / 24
    return _sun_longitude(universal_time + _delta_t_days(day.year))


def _delta_t_days(year: float) -> float:
    """Return TT - UT in days.

    Uses the Espenak-Meeus polynomial fitted for 2005-2050. Against their
    estimates for other years the error is about 1.5 minutes at 1900 and
    1 minute at 2100, which only matters for a new moon or solar term
    within minutes of midnight.
    """
    t = year - 2000
    seconds = 62.92 + 0.32217 * t + 0.005589 * t * t
    return seconds / 86400


def _sun_longitude(jde: float) -> float:
    """Return the sun's apparent geocentric longitude in degrees at JDE,
    per Meeus chapter 25, low accuracy."""
    t = (jde - 2451545.0) / 36525
    mean_longitude = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    mean_anomaly = math.radians(357.52911 + 35999.05029 * t - 0.0001537 * t * t)
    center = (
        (1.914602 - 0.004817 * t - 0.000014 * t * t) * math.sin(mean_anomaly)
        + (0.019993 - 0.000101 * t) * math.sin(2 * mean_anomaly)
        + 0.000289 * math.sin(3 * mean_anomaly)
    )
    omega = math.radians(125.04 - 1934.136 * t)
    apparent = mean_longitude + center - 0.00569 - 0.00478 * math.sin(omega)
    return apparent % 360.0


# Periodic terms of the new-moon correction, Meeus table 49.A: coefficient,
# power of E, and multipliers of the arguments (M, M', F, Omega).
_NEW_MOON_TERMS = (
    (-0.40720, 0, (0, 1, 0, 0)),
    (0.17241, 1, (1, 0, 0, 0)),
    (0.01608, 0, (0, 2, 0, 0)),
    (0.01039, 0, (0, 0, 2, 0)),
    (0.00739, 1, (-1, 1, 0, 0)),
    (-0.00514, 1, (1, 1, 0, 0)),
    (0.00208, 2, (2, 0, 0, 0)),
    (-0.00111, 0, (0, 1, -2, 0)),
    (-0.00057, 0, (0, 1, 2, 0)),
    (0.00056, 1, (1, 2, 0, 0)),
    (-0.00042, 0, (0, 3, 0, 0)),
    (0.00042, 1, (1, 0, 2, 0)),
    (0.00038, 1, (1, 0, -2, 0)),
    (-0.00024, 1, (-1, 2, 0, 0)),
    (-0.00017, 0, (0, 0, 0, 1)),
    (-0.00007, 0, (2, 1, 0, 0)),
    (0.00004, 0, (0, 2, -2, 0)),
    (0.00004, 0, (3, 0, 0, 0)),
    (0.00003, 0, (1, 1, -2, 0)),
    (0.00003, 0, (0, 2, 2, 0)),
    (-0.00003, 0, (1, 1, 2, 0)),
    (0.00003, 0, (-1, 1, 2, 0)),
    (-0.00002, 0, (-1, 1, -2, 0)),
    (-0.00002, 0, (1, 3, 0, 0)),
    (0.00002, 0, (0, 4, 0, 0)),
)

# Planetary arguments A1..A14 of Meeus chapter 49: coefficient, constant
# and rate per lunation in degrees. A1 also has a T squared term.
_PLANETARY_TERMS = (
    (0.000325, 299.77, 0.107408),
    (0.000165, 251.88, 0.016321),
    (0.000164, 251.83, 26.651886),
    (0.000126, 349.42, 36.412478),
    (0.000110, 84.66, 18.206239),
    (0.000062, 141.74, 53.303771),
    (0.000060, 207.14, 2.453732),
    (0.000056, 154.84, 7.306860),
    (0.000047, 34.52, 27.261239),
    (0.000042, 207.19, 0.121824),
    (0.000040, 291.34, 1.844379),
    (0.000037, 161.72, 24.198154),
    (0.000035, 239.56, 25.513099),
    (0.000023, 331.55, 3.592518),
)


def _new_moon_jde(k: int) -> float:
    """Return the JDE (Terrestrial Time) of new moon number K, where K = 0
    is the new moon of 6 January 2000, per Meeus chapter 49."""
    t = k / 1236.85
    t2, t3, t4 = t * t, t ** 3, t ** 4
    jde = (
        _NEW_MOON_EPOCH + _SYNODIC_MONTH * k
        + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4
    )
    eccentricity = 1 - 0.002516 * t - 0.0000074 * t2
    arguments = (
        2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3,
        201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3
        - 0.000000058 * t4,
        160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3
        + 0.000000011 * t4,
        124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3,
    )
    radians = [math.radians(argument) for argument in arguments]
    for coefficient, e_power, multipliers in _NEW_MOON_TERMS:
        angle = sum(m * r for m, r in zip(multipliers, radians))
        jde += coefficient * eccentricity ** e_power * math.sin(angle)

    for index, (coefficient, constant, rate) in enumerate(_PLANETARY_TERMS):
        degrees = constant + rate * k
        if index == 0:
            degrees -= 0.009173 * t2
        jde += coefficient * math.sin(math.radians(degrees))
    return jde
