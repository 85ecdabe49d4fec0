"""Odd, repeated and misaddressed events, and odd query arguments, against
the registers service on RabbitMQ and PostgreSQL."""
import base64
import io

import eventlet
import pytest
from nameko.exceptions import RemoteError
from openpyxl import load_workbook

from services.common import events
from tests.registers.test_rows import (
    envelope, intake, issued, judgment_received, request_received, revoked,
)
from tests.registers.test_service import (  # noqa: F401  (fixtures)
    CENTRAL, CLERK_79, config, db_url, entries, publish, registers, rows_of,
    start_registers, wait_processed,
)


def again_with_new_id(message):
    """Return MESSAGE as a second, distinct event about the same subject."""
    return envelope(message["event_type"], message["data"])


def register_units(sql, config):
    found = sql(db_url(config), "SELECT DISTINCT unit FROM registers ORDER BY unit")
    return [row.unit for row in found]


# One subject, one row


def test_relayed_twice_same_id_one_row(registers, publish, sql, config,
                                       rpc_proxy):
    first = issued(1, decision_id="d-79-1")

    publish(first, first)
    wait_processed(sql, config, first)
    later = issued(2)
    publish(later)
    wait_processed(sql, config, later)

    rows = entries(rows_of(rpc_proxy(), "03"))
    assert [row["decision"]["display"] for row in rows] == [
        "01/QĐ-THADS", "02/QĐ-THADS"]


def test_decision_issued_twice_new_id_one_row(registers, publish, sql, config,
                                              rpc_proxy):
    # Mẫu 03 has one line per decision. A second decision_issued for the
    # same decision id (another event id) must not give it a second STT.
    first = issued(1, decision_id="d-79-1")
    second = again_with_new_id(first)

    publish(first)
    wait_processed(sql, config, first)
    publish(second)
    wait_processed(sql, config, second)

    rows = entries(rows_of(rpc_proxy(), "03"))
    assert [row["decision"]["display"] for row in rows] == ["01/QĐ-THADS"]


def test_judgment_received_twice_new_id_one_row(registers, publish, sql,
                                                config, rpc_proxy):
    first = judgment_received(record_id="r-79-1")
    second = again_with_new_id(first)

    publish(first)
    wait_processed(sql, config, first)
    publish(second)
    wait_processed(sql, config, second)

    assert len(entries(rows_of(rpc_proxy(), "01"))) == 1


# Events for units that have no register


@pytest.mark.parametrize("unit", ["99", "79-KV01"], ids=["unknown", "office"])
def test_event_for_non_provincial_unit_is_not_stored(registers, publish, sql,
                                                     config, unit):
    stray = issued(1, unit=unit)

    good = issued(1)
    publish(stray, good)
    wait_processed(sql, config, good)
    # The stray event may be rejected without an inbox row, so give it
    # the time the good one took instead of waiting for its id.
    eventlet.sleep(1)

    assert register_units(sql, config) == ["79"]


def test_event_of_unknown_decision_kind_adds_nothing(registers, publish, sql,
                                                     config, rpc_proxy):
    odd = issued(1, kind="correction")
    good = issued(2)

    publish(odd, good)
    wait_processed(sql, config, odd, good)

    rows = entries(rows_of(rpc_proxy(), "03"))
    assert [row["decision"]["display"] for row in rows] == ["02/QĐ-THADS"]
    assert sql(db_url(config), "SELECT count(*) AS n FROM register_rows")[0].n == 1


def test_malformed_event_does_not_block_queue(registers, publish, sql, config,
                                              rpc_proxy):
    broken = issued(1)
    broken["data"] = dict(broken["data"], issued_on="không phải ngày")
    good = issued(2)

    publish(broken, good)
    wait_processed(sql, config, good)

    rows = entries(rows_of(rpc_proxy(), "03"))
    assert [row["decision"]["display"] for row in rows] == ["02/QĐ-THADS"]


# Notes


def test_note_on_decision_skips_record_with_same_id(registers, publish, sql,
                                                    config, rpc_proxy):
    # Notes are keyed by subject type as well as id, so a revocation of
    # decision "x" never lands on a received record that is also "x".
    shared_id = "cung-mot-ma"
    judgment = judgment_received(record_id=shared_id)
    target = issued(1, decision_id=shared_id)
    revocation = issued(2, kind="revocation")
    note = revoked(target, revocation)

    publish(judgment, target, note)
    wait_processed(sql, config, judgment, target, note)

    judgment_row = entries(rows_of(rpc_proxy(), "01"))[0]
    decision_row = entries(rows_of(rpc_proxy(), "03"))[0]
    assert judgment_row["notes"] is None
    assert "thu hồi" in decision_row["notes"]


def test_enforced_by_note_only_on_request_row(registers, publish, sql, config,
                                              rpc_proxy):
    judgment = judgment_received(record_id="j-1")
    request = request_received(record_id="q-1")
    decision = issued(1, kind="on_request", request_record_id="q-1",
                      judgment_record_id="j-1")

    publish(judgment, request, decision)
    wait_processed(sql, config, judgment, request, decision)

    proxy = rpc_proxy()
    assert entries(rows_of(proxy, "02"))[0]["result"].startswith(
        "Quyết định thi hành án số 01/QĐ-THADS")
    assert entries(rows_of(proxy, "01"))[0]["notes"] is None
    assert entries(rows_of(proxy, "03"))[0]["notes"] is None


# Work years


def test_judgment_and_decision_in_different_work_years(registers, publish,
                                                       sql, config, rpc_proxy):
    judgment = envelope(events.JUDGMENT_RECEIVED, intake(
        record_id="j-2026", received_on="2026-09-28", parties=[]))
    decision = issued(1, issued_on="2026-10-02", judgment_record_id="j-2026")

    publish(judgment, decision)
    wait_processed(sql, config, judgment, decision)

    proxy = rpc_proxy()
    assert len(entries(rows_of(proxy, "01", year=2026))) == 1
    assert entries(rows_of(proxy, "01", year=2027)) == []
    assert len(entries(rows_of(proxy, "03", year=2027))) == 1


# Queries


def test_export_of_empty_register(registers, rpc_proxy):
    proxy = rpc_proxy()

    xlsx = proxy.registers.export(CLERK_79, "03", "79", 2027, "xlsx")
    pdf = proxy.registers.export(CLERK_79, "05", "79", 2027, "pdf")

    workbook = load_workbook(io.BytesIO(base64.b64decode(xlsx["content_base64"])))
    assert workbook.active.max_row >= 1
    assert base64.b64decode(pdf["content_base64"]).startswith(b"%PDF")


@pytest.mark.parametrize("months", [0, 1, 4, 9, 11, 13, -3, "3", None, True])
def test_statistics_other_months_rejected(registers, rpc_proxy, months):
    with pytest.raises(RemoteError) as error:
        rpc_proxy().registers.statistics(CENTRAL, 2027, months)

    assert error.value.exc_type == "InvalidArgument"


def test_party_filter_treats_wildcards_literally(registers, publish, sql,
                                                 config, rpc_proxy):
    plain = issued(1)
    marked = issued(2, debtors=[{"name": "Công ty 100% vốn_A", "address": None}])
    publish(plain, marked)
    wait_processed(sql, config, plain, marked)
    proxy = rpc_proxy()

    def displays(text):
        found = entries(rows_of(proxy, "03", party=text))
        return sorted(row["decision"]["display"] for row in found)

    assert displays("%") == ["02/QĐ-THADS"]
    assert displays("_") == ["02/QĐ-THADS"]
    assert displays("100% vốn_a") == ["02/QĐ-THADS"]
    assert displays("0%") == ["02/QĐ-THADS"]
    assert displays("\\") == []
    assert displays("ĐỨC") == ["01/QĐ-THADS"]
    assert displays("nguyen van duc") == ["01/QĐ-THADS"]
    assert displays("Nguyễn Văn Đức") == ["01/QĐ-THADS"]
    assert displays("Nguye\u0302\u0303n") == ["01/QĐ-THADS"]


@pytest.mark.parametrize("filters", [
    {"limit": -1}, {"limit": True}, {"limit": 1001}, {"offset": -1},
    {"limit": "10"}, {"date_from": "2026-13-01"}, {"date_to": "hôm nay"},
    {"sort": "stt"}, {"decision_number": "²"}, {"decision_number": "1²"},
], ids=["negative-limit", "bool-limit", "big-limit", "negative-offset",
        "text-limit", "bad-month", "text-date", "unknown-key",
        "superscript", "digit-superscript"])
def test_odd_row_filters_are_invalid_argument(registers, publish, sql, config,
                                              rpc_proxy, filters):
    row = issued(1)
    publish(row)
    wait_processed(sql, config, row)

    try:
        result = rpc_proxy().registers.rows(CLERK_79, "03", "79", 2027, filters)
    except RemoteError as error:
        assert error.exc_type == "InvalidArgument", error
        return
    assert "decision_number" in filters, result
    assert entries(result) == []


def test_huge_decision_number_filter(registers, publish, sql, config,
                                     rpc_proxy):
    row = issued(1)
    publish(row)
    wait_processed(sql, config, row)

    result = rpc_proxy().registers.rows(CLERK_79, "03", "79", 2027, {
        "decision_number": "9" * 40})

    assert entries(result) == []
