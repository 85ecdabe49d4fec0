"""Hostile arguments and request-id reuse against the numbering RPC."""
import eventlet
import pytest
from nameko.exceptions import RemoteError

from services.numbering.service import NumberingService

ISSUED_AT = "2026-10-05T09:00:00+07:00"


@pytest.fixture
def numbering(container_factory, service_config):
    config = service_config("numbering")
    container_factory(NumberingService, config).start()
    return config


def remote_error(call, *args):
    with pytest.raises(RemoteError) as error:
        call(*args)
    return error.value


# Defects: each test below fails on the current service code.

@pytest.mark.parametrize("issued_at", [
    "2150-01-01T00:00:00+07:00",
    "1999-06-01T00:00:00+07:00",
])
def test_allocate_rejects_year_outside_range(numbering, rpc_proxy, issued_at):
    # claim, void, series_status and gap_report accept work years 2000 to
    # 2100 only, so a number allocated outside them cannot be reported.
    proxy = rpc_proxy()
    error = remote_error(proxy.numbering.allocate, "79", "QD", issued_at, "r1")
    assert error.exc_type == "InvalidArgument"
    assert "issued_at" in error.value


@pytest.mark.parametrize("issued_at", [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
])
def test_allocate_extreme_date_is_invalid_argument(
        numbering, rpc_proxy, issued_at):
    proxy = rpc_proxy()
    error = remote_error(proxy.numbering.allocate, "79", "QD", issued_at, "r1")
    assert error.exc_type == "InvalidArgument"


@pytest.mark.parametrize("request_id", ["r1\n", "a" * 128 + "\n"])
def test_request_id_trailing_newline_rejected(numbering, rpc_proxy, request_id):
    # REQUEST_ID ends in `$`, which also matches before a final newline.
    proxy = rpc_proxy()
    error = remote_error(
        proxy.numbering.allocate, "79", "QD", ISSUED_AT, request_id)
    assert error.exc_type == "InvalidArgument"


@pytest.mark.parametrize("number", [2 ** 31, 10 ** 20])
def test_claim_number_above_int32_is_invalid(numbering, rpc_proxy, number):
    proxy = rpc_proxy()
    error = remote_error(
        proxy.numbering.claim, "79", "QD", 2027, number, "p1", "paper")
    assert error.exc_type == "InvalidArgument"


def test_void_typo_far_above_rejected(numbering, rpc_proxy):
    # gap_report lists every number from 1 to the highest, and a void cannot
    # be undone, so one typo makes every later gap report enumerate
    # 2 000 000 000 numbers.
    proxy = rpc_proxy()
    error = remote_error(
        proxy.numbering.void, "79", "QD", 2027, 2_000_000_000, "typo")
    assert error.exc_type == "InvalidArgument"


@pytest.mark.parametrize("reason", ["giấy\x00số", "giấy\ud800"])
def test_claim_reason_unstorable_is_invalid(numbering, rpc_proxy, reason):
    proxy = rpc_proxy()
    error = remote_error(
        proxy.numbering.claim, "79", "QD", 2027, 3, "p1", reason)
    assert error.exc_type == "InvalidArgument"


def test_void_reusing_allocate_request_id_conflicts(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "decision-a")

    error = remote_error(
        proxy.numbering.void, "79", "QD", 2027, 5, "typo", "decision-a")

    assert error.exc_type == "RequestConflict"
    assert "decision-a" in error.value


def test_void_request_id_on_two_numbers_conflicts(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.void("79", "QD", 2027, 3, "skipped", "void-1")

    error = remote_error(
        proxy.numbering.void, "79", "QD", 2027, 4, "skipped", "void-1")

    assert error.exc_type == "RequestConflict"


def test_allocate_retry_after_void_not_reused(numbering, rpc_proxy):
    # A caller that timed out retries with the same request id after an
    # operator voided the number. The retry must not return a voided number.
    proxy = rpc_proxy()
    first = proxy.numbering.allocate("79", "QD", ISSUED_AT, "decision-a")
    proxy.numbering.void("79", "QD", 2027, first["number"], "looked lost")

    with pytest.raises(RemoteError) as error:
        proxy.numbering.allocate("79", "QD", ISSUED_AT, "decision-a")

    assert str(first["number"]) in error.value.value


def test_claim_retry_after_void_not_reused(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.claim("79", "QD", 2027, 7, "paper-7", "paper")
    proxy.numbering.void("79", "QD", 2027, 7, "wrong number on paper")

    with pytest.raises(RemoteError):
        proxy.numbering.claim("79", "QD", 2027, 7, "paper-7", "paper")


def test_allocate_retry_same_instant_other_offset(numbering, rpc_proxy):
    # 02:00Z and 09:00+07:00 are one instant, so the retry is the same
    # request, e.g. when the caller's database session time zone differs.
    proxy = rpc_proxy()
    first = proxy.numbering.allocate(
        "79", "QD", "2026-10-05T09:00:00+07:00", "decision-a")
    again = proxy.numbering.allocate(
        "79", "QD", "2026-10-05T02:00:00Z", "decision-a")
    assert again == first


# Behaviour that held when this file was written.

@pytest.mark.parametrize("issued_at, year", [
    ("2026-09-30T23:59:59.999+07:00", 2026),
    ("2026-09-30T16:59:59.999999Z", 2026),
    ("2026-09-30T17:00:00Z", 2027),
    ("2026-09-30T10:00:00+14:00", 2026),
    ("2026-09-30T12:00:00-12:00", 2027),
    ("2028-02-29T12:00:00+07:00", 2028),
    ("2026-10-05T09:00:00.123456789+07:00", 2027),
])
def test_allocate_work_year_of_odd_offsets(
        numbering, rpc_proxy, issued_at, year):
    proxy = rpc_proxy()
    reply = proxy.numbering.allocate("79", "QD", issued_at, "r1")
    assert reply["work_year"] == year
    assert reply["number"] == 1


@pytest.mark.parametrize("args, field", [
    (("79-KV01", "QD", 2027, 1), "79-KV01"),
    (("79", "qd", 2027, 1), "qd"),
    (("79", "QD", 2027, True), "number"),
    (("79", "QD", 2027, 1.0), "number"),
    (("79", "QD", 2027, "1"), "number"),
    (("79", "QD", 2027, 0), "number"),
    (("79", "QD", True, 1), "work_year"),
    (("79", "QD", 2027.0, 1), "work_year"),
    (("79", "QD", "2027", 1), "work_year"),
])
def test_claim_invalid_values_name_field(numbering, rpc_proxy, args, field):
    proxy = rpc_proxy()
    error = remote_error(proxy.numbering.claim, *args, "p1", "paper")
    assert error.exc_type == "InvalidArgument"
    assert field in error.value


@pytest.mark.parametrize("request_id", [7, None, "", "x" * 129, "số-1", "a b"])
def test_request_id_invalid_values_rejected(numbering, rpc_proxy, request_id):
    proxy = rpc_proxy()
    error = remote_error(
        proxy.numbering.allocate, "79", "QD", ISSUED_AT, request_id)
    assert error.exc_type == "InvalidArgument"


def test_request_id_across_operations_conflicts(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "shared")

    claim_error = remote_error(
        proxy.numbering.claim, "79", "QD", 2027, 9, "shared", "paper")
    other_unit = remote_error(
        proxy.numbering.allocate, "01", "QD", ISSUED_AT, "shared")

    assert claim_error.exc_type == "RequestConflict"
    assert other_unit.exc_type == "RequestConflict"


def test_same_request_id_from_many_callers(numbering, rpc_proxy, sql):
    replies = []

    def caller():
        replies.append(rpc_proxy().numbering.allocate(
            "79", "QD", ISSUED_AT, "one-request"))

    pool = eventlet.GreenPool(20)
    for _ in range(20):
        pool.spawn(caller)
    pool.waitall()

    url = numbering["NUMBERING_DATABASE_URL"]
    assert len(replies) == 20
    assert {reply["number"] for reply in replies} == {1}
    assert sql(url, "SELECT count(*) AS n FROM numbers")[0].n == 1
    assert sql(url, "SELECT count(*) AS n FROM ledger")[0].n == 1


def test_concurrent_claims_of_one_number(numbering, rpc_proxy):
    outcomes = []

    def claimant(index):
        try:
            rpc_proxy().numbering.claim(
                "79", "QD", 2027, 12, f"paper-{index}", "paper")
            outcomes.append("claimed")
        except RemoteError as error:
            outcomes.append(error.exc_type)

    pool = eventlet.GreenPool(10)
    for index in range(10):
        pool.spawn(claimant, index)
    pool.waitall()

    assert outcomes.count("claimed") == 1
    assert outcomes.count("NumberTaken") == 9


def test_allocate_across_far_claims(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.claim("79", "QD", 2027, 1000, "paper-1000", "paper")
    proxy.numbering.claim("79", "QD", 2027, 2, "paper-2", "paper")
    proxy.numbering.void("79", "QD", 2027, 3, "skipped")

    got = [proxy.numbering.allocate("79", "QD", ISSUED_AT, f"d{i}")["number"]
           for i in range(3)]
    report = proxy.numbering.gap_report("79", "QD", 2027)

    assert got == [1, 4, 5]
    assert report["highest"] == 1000
    assert len(report["gaps"]) == 1000 - 1  # all but the voided 3


def test_void_then_claim_same_number(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.void("79", "QD", 2027, 4, "skipped")

    error = remote_error(
        proxy.numbering.claim, "79", "QD", 2027, 4, "paper-4", "paper")

    assert error.exc_type == "NumberTaken"
    assert "voided" in error.value


def test_void_of_allocated_number_leaves_gaps(numbering, rpc_proxy):
    from services.numbering.ledger import verify
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    proxy = rpc_proxy()
    for i in range(3):
        proxy.numbering.allocate("79", "QD", ISSUED_AT, f"d{i}")
    reply = proxy.numbering.void("79", "QD", 2027, 2, "draft abandoned", "v2")
    again = proxy.numbering.void("79", "QD", 2027, 2, "draft abandoned", "v2")
    report = proxy.numbering.gap_report("79", "QD", 2027)

    assert reply["status"] == again["status"] == "voided"
    assert [gap["number"] for gap in report["gaps"]] == [1, 3]
    assert report["voided_numbers"] == [2]
    engine = create_engine(numbering["NUMBERING_DATABASE_URL"])
    with Session(engine) as session:
        assert verify(session) is None
    engine.dispose()
