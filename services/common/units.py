"""The provincial THADS units and their regional offices.

Since 1 July 2025 each of the 34 provinces and centrally-run cities has one
enforcement unit, which issues and numbers enforcement decisions. Its
regional offices (Phòng Thi hành án dân sự khu vực) do not issue them. A
unit's code is its province's two-digit administrative code, e.g. "79" for
Thành phố Hồ Chí Minh. The data is read once from data/units.yaml.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

log = logging.getLogger(__name__)

UNITS_FILE = Path(__file__).with_name("data") / "units.yaml"
UNIT_COUNT = 34

# Document kinds that have a symbol, mapped to the Unit field holding it.
_SYMBOL_FIELDS = {"QD": "symbol"}

_UNIT_CODE = re.compile(r"^\d{2}$")
_OFFICE_CODE = re.compile(r"^(\d{2})-KV\d{2}$")
_UNIT_KEYS = {"code", "code_confirmed", "name", "province", "place",
              "supervisor", "symbol", "merged_from", "regional_offices"}


class UnknownUnit(LookupError):
    """A unit code that is not one of the provincial units."""


class UnknownOffice(LookupError):
    """A regional office code that is not in the unit data."""


class UnitDataError(ValueError):
    """Unit data that is malformed or contradicts itself."""


@dataclass(frozen=True)
class RegionalOffice:
    """A regional office (Phòng Thi hành án dân sự khu vực) of a unit."""

    code: str
    name: str
    unit_code: str


@dataclass(frozen=True)
class Unit:
    """A provincial THADS unit.

    province is the official name of the province or city, e.g. "Tỉnh Nghệ
    An" or "Thành phố Hà Nội". place is the short name printed before the
    date, e.g. "Nghệ An". supervisor is the upper line of the document
    header.
    """

    code: str
    name: str
    province: str
    place: str
    supervisor: str
    symbol: str
    code_confirmed: bool
    merged_from: tuple[str, ...]
    regional_offices: tuple[RegionalOffice, ...]


@dataclass(frozen=True)
class UnitRegistry:
    """Units and regional offices indexed by code."""

    units: dict[str, Unit]
    offices: dict[str, RegionalOffice]


def get_unit(code: str) -> Unit:
    """Return the unit with the two-digit CODE, or raise UnknownUnit."""
    registry = _registry()
    try:
        return registry.units[code]
    except (KeyError, TypeError):
        valid = ", ".join(registry.units)
        raise UnknownUnit(
            f"unit code {code!r} is unknown; use the two-digit province code "
            f"as a string, one of: {valid} (listed in {UNITS_FILE} and "
            f"returned by provincial_units())"
        ) from None


def provincial_units() -> list[Unit]:
    """Return all provincial units, ordered by code."""
    return list(_registry().units.values())


def get_office(code: str) -> RegionalOffice:
    """Return the regional office with CODE ("79-KV01"), or raise
    UnknownOffice."""
    try:
        return _registry().offices[code]
    except (KeyError, TypeError):
        raise UnknownOffice(
            f"regional office code {code!r} is unknown; codes have the form "
            f"'<unit code>-KV<number>', e.g. '79-KV01', and are listed under "
            f"regional_offices in {UNITS_FILE}"
        ) from None


def unit_of_office(office_code: str) -> Unit:
    """Return the provincial unit that the regional office belongs to."""
    return get_unit(get_office(office_code).unit_code)


def symbol_for(code: str, kind: str = "QD") -> str:
    """Return the symbol printed after the number of a document of KIND
    issued by unit CODE, e.g. "QĐ-THADS" for enforcement decisions."""
    unit = get_unit(code)
    try:
        field = _SYMBOL_FIELDS[kind]
    except (KeyError, TypeError):
        raise ValueError(
            f"document kind {kind!r} has no symbol; use one of "
            f"{', '.join(_SYMBOL_FIELDS)}"
        ) from None
    return getattr(unit, field)


@lru_cache(maxsize=1)
def _registry() -> UnitRegistry:
    with open(UNITS_FILE, encoding="utf-8") as stream:
        data = yaml.safe_load(stream)
    registry = parse_units(data, str(UNITS_FILE))
    log.info("read %d units from %s", len(registry.units), UNITS_FILE)
    return registry


def parse_units(data: Any, source: str) -> UnitRegistry:
    """Validate the content of a units file and index it by code.

    Raises UnitDataError naming SOURCE unless there are exactly UNIT_COUNT
    units with unique codes and all fields are present.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("units"), list):
        raise UnitDataError(f"{source}: expected a mapping with a 'units' list")
    supervisor = _text(data.get("default_supervisor"),
                       f"{source}: default_supervisor")
    units: dict[str, Unit] = {}
    offices: dict[str, RegionalOffice] = {}
    for entry in data["units"]:
        unit = _parse_unit(entry, supervisor, source)
        if unit.code in units:
            raise UnitDataError(f"{source}: unit code {unit.code} is listed twice")
        units[unit.code] = unit
        for office in unit.regional_offices:
            if office.code in offices:
                raise UnitDataError(
                    f"{source}: regional office {office.code} is listed twice"
                )
            offices[office.code] = office
    if len(units) != UNIT_COUNT:
        raise UnitDataError(
            f"{source}: expected {UNIT_COUNT} provincial units, found {len(units)}"
        )
    return UnitRegistry(dict(sorted(units.items())), offices)


def _parse_unit(entry: Any, default_supervisor: str, source: str) -> Unit:
    if not isinstance(entry, Mapping) or not _UNIT_KEYS >= set(entry):
        raise UnitDataError(
            f"{source}: unit entry {entry!r} is invalid; allowed keys are "
            f"{', '.join(sorted(_UNIT_KEYS))}"
        )
    code = entry.get("code")
    if not isinstance(code, str) or not _UNIT_CODE.match(code):
        raise UnitDataError(
            f"{source}: unit code {code!r} is invalid; write two digits in "
            f"quotes, e.g. \"01\""
        )
    where = f"{source}: unit {code}"
    confirmed = entry.get("code_confirmed")
    if not isinstance(confirmed, bool):
        raise UnitDataError(f"{where}: code_confirmed must be true or false")
    return Unit(
        code=code,
        name=_text(entry.get("name"), f"{where} name"),
        province=_text(entry.get("province"), f"{where} province"),
        place=_text(entry.get("place"), f"{where} place"),
        supervisor=_text(entry.get("supervisor", default_supervisor),
                         f"{where} supervisor"),
        symbol=_text(entry.get("symbol"), f"{where} symbol"),
        code_confirmed=confirmed,
        merged_from=tuple(
            _text(name, f"{where} merged_from")
            for name in _list(entry.get("merged_from"), f"{where} merged_from")
        ),
        regional_offices=tuple(
            _parse_office(office, code, where)
            for office in _list(entry.get("regional_offices"),
                                f"{where} regional_offices")
        ),
    )


def _parse_office(entry: Any, unit_code: str, where: str) -> RegionalOffice:
    if not isinstance(entry, Mapping) or set(entry) != {"code", "name"}:
        raise UnitDataError(
            f"{where}: regional office {entry!r} is invalid; use the keys "
            f"code and name"
        )
    code = entry["code"]
    match = _OFFICE_CODE.match(code) if isinstance(code, str) else None
    if match is None or match.group(1) != unit_code:
        raise UnitDataError(
            f"{where}: regional office code {code!r} is invalid; use "
            f"'{unit_code}-KV' and two digits, e.g. '{unit_code}-KV01'"
        )
    name = _text(entry["name"], f"{where} regional office {code} name")
    return RegionalOffice(code, name, unit_code)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UnitDataError(f"{where} is missing or empty")
    return value.strip()


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise UnitDataError(f"{where} must be a list")
    return value
