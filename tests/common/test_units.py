"""Provincial THADS units and regional offices."""
import copy

import pytest
import yaml

from services.common.units import (
    UNIT_COUNT,
    UNITS_FILE,
    UnitDataError,
    UnknownOffice,
    UnknownUnit,
    get_office,
    get_unit,
    parse_units,
    provincial_units,
    symbol_for,
    unit_of_office,
)

KNOWN_CODES = {
    "01": "Thành phố Hà Nội",
    "04": "Tỉnh Cao Bằng",
    "11": "Tỉnh Điện Biên",
    "12": "Tỉnh Lai Châu",
    "14": "Tỉnh Sơn La",
    "20": "Tỉnh Lạng Sơn",
    "22": "Tỉnh Quảng Ninh",
    "38": "Tỉnh Thanh Hóa",
    "40": "Tỉnh Nghệ An",
    "42": "Tỉnh Hà Tĩnh",
    "46": "Thành phố Huế",
    "79": "Thành phố Hồ Chí Minh",
}

CITY_CODES = {"01", "31", "46", "48", "79", "92"}

# Provinces that must list regional offices: Hà Nội, Thành phố Hồ Chí Minh,
# Đà Nẵng, Đồng Nai, Hà Tĩnh, Sơn La, Quảng Ninh, Phú Thọ, Vĩnh Long, Cà
# Mau, Khánh Hòa.
OFFICE_UNITS = ["01", "79", "48", "75", "42", "14", "22", "25", "86", "96", "56"]


def read_units_file():
    with open(UNITS_FILE, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def test_unit_count_and_unique_codes():
    units = provincial_units()
    codes = [unit.code for unit in units]
    assert UNIT_COUNT == 34
    assert len(units) == 34
    assert len(set(codes)) == 34
    assert codes == sorted(codes)
    for code in codes:
        assert len(code) == 2, code
        assert code.isdigit(), code


@pytest.mark.parametrize("code", sorted(KNOWN_CODES))
def test_known_province_code(code):
    assert get_unit(code).province == KNOWN_CODES[code]


def test_unit_names():
    for unit in provincial_units():
        if unit.code == "79":
            assert unit.name == "Thi hành án dân sự Thành phố Hồ Chí Minh"
        elif unit.code in CITY_CODES:
            assert unit.name.startswith("Thi hành án dân sự thành phố "), unit
        else:
            assert unit.name.startswith("Thi hành án dân sự tỉnh "), unit
        assert unit.name.endswith(unit.place), unit


def test_places():
    assert get_unit("01").place == "Hà Nội"
    assert get_unit("79").place == "Thành phố Hồ Chí Minh"
    assert get_unit("46").place == "Huế"
    assert get_unit("40").place == "Nghệ An"


def test_supervisor_defaults_to_file_value():
    default = read_units_file()["default_supervisor"]
    assert {unit.supervisor for unit in provincial_units()} == {default}


def test_merged_provinces_add_up_to_63():
    units = provincial_units()
    merged = [name for unit in units for name in unit.merged_from]
    assert len(units) + len(merged) == 63
    assert len(set(merged)) == len(merged)
    assert sum(1 for unit in units if unit.merged_from) == 23


def test_symbol_for_decision():
    assert symbol_for("79") == "QĐ-THADS"
    assert symbol_for("40", "QD") == "QĐ-THADS"
    assert {unit.symbol for unit in provincial_units()} == {"QĐ-THADS"}


def test_symbol_for_unknown_kind():
    with pytest.raises(ValueError, match="use one of QD"):
        symbol_for("79", "CV")


@pytest.mark.parametrize("code", ["7", "99", 79, None, "Hà Nội"])
def test_unknown_unit(code):
    with pytest.raises(UnknownUnit) as raised:
        get_unit(code)
    message = str(raised.value)
    assert repr(code) in message
    assert "01, 04" in message
    assert "provincial_units()" in message
    assert isinstance(raised.value, LookupError)


@pytest.mark.parametrize("code", OFFICE_UNITS)
def test_regional_offices_listed(code):
    offices = get_unit(code).regional_offices
    assert len(offices) >= 3
    for number, office in enumerate(offices, start=1):
        assert office.code == f"{code}-KV{number:02d}"
        assert office.name == f"Phòng Thi hành án dân sự khu vực {number}"
        assert office.unit_code == code


def test_office_lookup():
    office = get_office("79-KV01")
    assert office.name == "Phòng Thi hành án dân sự khu vực 1"
    assert unit_of_office("79-KV01").code == "79"
    assert unit_of_office("42-KV02").name == "Thi hành án dân sự tỉnh Hà Tĩnh"


@pytest.mark.parametrize("code", ["79-KV99", "79", "KV01", None])
def test_unknown_office(code):
    with pytest.raises(UnknownOffice, match="is unknown"):
        get_office(code)


def test_parse_rejects_missing_unit():
    data = read_units_file()
    data["units"].pop()
    with pytest.raises(UnitDataError, match="expected 34 provincial units, found 33"):
        parse_units(data, "test data")


def test_parse_rejects_duplicate_code():
    data = read_units_file()
    data["units"][1] = copy.deepcopy(data["units"][0])
    with pytest.raises(UnitDataError, match="01 is listed twice"):
        parse_units(data, "test data")


def test_parse_rejects_numeric_code():
    data = read_units_file()
    data["units"][0]["code"] = 1
    with pytest.raises(UnitDataError, match="two digits in quotes"):
        parse_units(data, "test data")


def test_parse_rejects_foreign_office_code():
    data = read_units_file()
    data["units"][0]["regional_offices"][0]["code"] = "79-KV01"
    with pytest.raises(UnitDataError, match="use '01-KV'"):
        parse_units(data, "test data")


def test_parse_applies_unit_supervisor():
    data = read_units_file()
    data["units"][0]["supervisor"] = "BỘ TƯ PHÁP"
    registry = parse_units(data, "test data")
    assert registry.units["01"].supervisor == "BỘ TƯ PHÁP"
    assert registry.units["04"].supervisor == data["default_supervisor"]


def test_parse_rejects_missing_name():
    data = read_units_file()
    del data["units"][0]["name"]
    with pytest.raises(UnitDataError, match="unit 01 name is missing"):
        parse_units(data, "test data")
