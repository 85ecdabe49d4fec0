"""Lunar calendar conversion against published Vietnamese dates."""
from datetime import date, timedelta

import pytest
import yaml

from services.common.calendar import HOLIDAYS_FILE
from services.common.lunar import (
    InvalidLunarDate,
    LunarDate,
    leap_month,
    lunar_to_solar,
    solar_to_lunar,
)

# Tết Nguyên đán (1/1 lunar). In 2030 the new moon falls at 23:07 on
# 2 February in Vietnam (UTC+7) but after midnight in China (UTC+8), so
# Vietnam's Tết is one day before China's 3 February.
TET = {
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 2),
}

# Giỗ Tổ Hùng Vương (10/3 lunar).
GIO_TO = {
    2025: date(2025, 4, 7),
    2026: date(2026, 4, 26),
    2027: date(2027, 4, 16),
    2028: date(2028, 4, 4),
    2029: date(2029, 4, 23),
    2030: date(2030, 4, 12),
}


@pytest.mark.parametrize("year", sorted(TET))
def test_tet_date(year):
    assert lunar_to_solar(year, 1, 1) == TET[year]


@pytest.mark.parametrize("year", sorted(GIO_TO))
def test_gio_to_date(year):
    assert lunar_to_solar(year, 3, 10) == GIO_TO[year]


@pytest.mark.parametrize(
    "year, expected",
    [
        # Years in which Vietnam's Tết differs from China's.
        (1968, date(1968, 1, 29)),
        (1985, date(1985, 1, 21)),
        (2007, date(2007, 2, 17)),
    ],
)
def test_tet_differs_from_china(year, expected):
    assert lunar_to_solar(year, 1, 1) == expected


@pytest.mark.parametrize(
    "year, month",
    [(2020, 4), (2023, 2), (2025, 6), (2026, None), (2028, 5)],
)
def test_leap_month(year, month):
    assert leap_month(year) == month


def test_leap_month_2025_days():
    # Month 6 of Ất Tỵ runs 25/6-24/7/2025, leap month 6 runs 25/7-22/8.
    assert solar_to_lunar(date(2025, 7, 24)) == LunarDate(2025, 6, 30)
    assert solar_to_lunar(date(2025, 7, 25)) == LunarDate(2025, 6, 1, leap=True)
    assert solar_to_lunar(date(2025, 8, 22)) == LunarDate(2025, 6, 29, leap=True)
    assert solar_to_lunar(date(2025, 8, 23)) == LunarDate(2025, 7, 1)
    assert lunar_to_solar(2025, 6, 1, leap=True) == date(2025, 7, 25)


def test_last_day_of_at_ty():
    # The 12th month of Ất Tỵ has 29 days, so Tết eve is 29 tháng Chạp.
    assert solar_to_lunar(date(2026, 2, 16)) == LunarDate(2025, 12, 29)
    with pytest.raises(InvalidLunarDate, match="has 29 days"):
        lunar_to_solar(2025, 12, 30)


def test_round_trip_every_day():
    day = date(2024, 1, 1)
    while day <= date(2031, 12, 31):
        lunar = solar_to_lunar(day)
        assert lunar_to_solar(lunar.year, lunar.month, lunar.day, lunar.leap) == day
        day += timedelta(days=1)


def test_months_and_days_are_consecutive():
    previous = solar_to_lunar(date(2024, 12, 31))
    day = date(2025, 1, 1)
    while day <= date(2027, 12, 31):
        current = solar_to_lunar(day)
        if current.day != 1:
            assert current.day == previous.day + 1, day
            assert current.month == previous.month, day
        else:
            assert previous.day in (29, 30), day
        previous = current
        day += timedelta(days=1)


def test_missing_leap_month_rejected():
    with pytest.raises(InvalidLunarDate, match="no leap month 6"):
        lunar_to_solar(2026, 6, 1, leap=True)


@pytest.mark.parametrize("month", [0, 13])
def test_invalid_month_rejected(month):
    with pytest.raises(InvalidLunarDate):
        lunar_to_solar(2026, month, 1)


def test_year_outside_range_rejected():
    with pytest.raises(InvalidLunarDate, match="outside the supported range"):
        lunar_to_solar(1800, 1, 1)
    with pytest.raises(InvalidLunarDate, match="outside the supported years"):
        solar_to_lunar(date(1850, 1, 1))


def test_holiday_yaml_agrees_with_lunar():
    with open(HOLIDAYS_FILE, encoding="utf-8") as stream:
        data = yaml.safe_load(stream)
    for year, content in data["years"].items():
        markers = {}
        for entry in content["holidays"]:
            if "lunar" in entry:
                month, day = (int(part) for part in entry["lunar"].split("-"))
                markers[entry["lunar"]] = entry["date"]
                assert lunar_to_solar(year, month, day) == entry["date"], entry
        assert set(markers) == {"01-01", "03-10"}, year
        assert markers["01-01"] == TET[year]
        assert markers["03-10"] == GIO_TO[year]
