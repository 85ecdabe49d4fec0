"""Allocation through the numbering RPC, against RabbitMQ and PostgreSQL."""
import eventlet
import pytest
from nameko.exceptions import RemoteError

from services.numbering.service import NumberingService

ISSUED_AT = "2026-10-05T09:00:00+07:00"


@pytest.fixture
def numbering(container_factory, service_config):
    config = service_config("numbering")
    container = container_factory(NumberingService, config)
    container.start()
    return config


def allocated_numbers(sql, config, unit):
    rows = sql(config["NUMBERING_DATABASE_URL"],
               "SELECT number FROM numbers WHERE unit = :unit ORDER BY number",
               unit=unit)
    return [row.number for row in rows]


def test_concurrent_callers_get_every_number_once(numbering, rpc_proxy, sql):
    units = ("01", "79", "48")
    callers, per_caller = 50, 40
    results = {unit: [] for unit in units}

    def caller(index):
        proxy = rpc_proxy()
        unit = units[index % len(units)]
        for call in range(per_caller):
            reply = proxy.numbering.allocate(
                unit, "QD", ISSUED_AT, f"c{index}-{call}")
            results[unit].append(reply["number"])

    pool = eventlet.GreenPool(callers)
    for index in range(callers):
        pool.spawn(caller, index)
    pool.waitall()

    for unit in units:
        expected_count = sum(
            per_caller for index in range(callers) if units[index % 3] == unit)
        assert sorted(results[unit]) == list(range(1, expected_count + 1))
        assert allocated_numbers(sql, numbering, unit) == list(
            range(1, expected_count + 1))


def test_repeated_request_id_returns_same_number(numbering, rpc_proxy):
    proxy = rpc_proxy()
    first = proxy.numbering.allocate("79", "QD", ISSUED_AT, "decision-1")
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "decision-2")
    again = proxy.numbering.allocate("79", "QD", ISSUED_AT, "decision-1")

    assert first == {"number": 1, "work_year": 2027, "display": "01/QĐ-THADS"}
    assert again == first


def test_request_id_with_other_arguments_is_rejected(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "decision-1")

    with pytest.raises(RemoteError) as error:
        proxy.numbering.allocate("01", "QD", ISSUED_AT, "decision-1")

    assert error.value.exc_type == "RequestConflict"
    assert "decision-1" in error.value.value


def test_display_pads_to_two_digits_and_grows(numbering, rpc_proxy):
    proxy = rpc_proxy()
    displays = [
        proxy.numbering.allocate("01", "QD", ISSUED_AT, f"r{i}")["display"]
        for i in range(1, 12)
    ]
    assert displays[0] == "01/QĐ-THADS"
    assert displays[8] == "09/QĐ-THADS"
    assert displays[10] == "11/QĐ-THADS"


def test_work_year_boundary_restarts_at_one(numbering, rpc_proxy):
    proxy = rpc_proxy()
    last_of_2026 = proxy.numbering.allocate(
        "79", "QD", "2026-09-30T16:59:59Z", "a")
    proxy.numbering.allocate("79", "QD", "2026-09-30T16:00:00Z", "b")
    first_of_2027 = proxy.numbering.allocate(
        "79", "QD", "2026-09-30T17:00:00Z", "c")

    assert last_of_2026["work_year"] == 2026
    assert last_of_2026["number"] == 1
    assert first_of_2027 == {"number": 1, "work_year": 2027,
                             "display": "01/QĐ-THADS"}


@pytest.mark.parametrize("args, field", [
    (("99", "QD", ISSUED_AT, "r"), "99"),
    (("79", "XX", ISSUED_AT, "r"), "XX"),
    (("79", "QD", "2026-10-05T09:00:00", "r"), "issued_at"),
    (("79", "QD", "not a date", "r"), "issued_at"),
    (("79", "QD", ISSUED_AT, ""), "request_id"),
])
def test_invalid_arguments_name_the_field(numbering, rpc_proxy, args, field):
    proxy = rpc_proxy()
    with pytest.raises(RemoteError) as error:
        proxy.numbering.allocate(*args)
    assert error.value.exc_type == "InvalidArgument"
    assert field in error.value.value
