"""Claims of paper numbers, voids, the gap report and the ledger."""
import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.events import event_dispatcher

from services.common import events
from services.numbering.service import NumberingService
from tests.conftest import wait_until

ISSUED_AT = "2026-10-05T09:00:00+07:00"


@pytest.fixture
def numbering(container_factory, service_config):
    config = service_config("numbering")
    container_factory(NumberingService, config).start()
    return config


def test_claim_of_taken_number_names_number_and_holder(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "decision-a")

    with pytest.raises(RemoteError) as error:
        proxy.numbering.claim("79", "QD", 2027, 1, "paper-1", "giấy số 01")

    assert error.value.exc_type == "NumberTaken"
    assert "number 1" in error.value.value
    assert "decision-a" in error.value.value


def test_allocate_skips_claimed_and_voided_numbers(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.claim("79", "QD", 2027, 1, "paper-1", "issued on paper")
    proxy.numbering.claim("79", "QD", 2027, 2, "paper-2", "issued on paper")
    proxy.numbering.void("79", "QD", 2027, 3, "number skipped on paper")
    proxy.numbering.claim("79", "QD", 2027, 5, "paper-5", "issued on paper")

    got = [proxy.numbering.allocate("79", "QD", ISSUED_AT, f"d{i}")["number"]
           for i in range(3)]

    assert got == [4, 6, 7]


def test_claim_is_idempotent_per_request_id(numbering, rpc_proxy):
    proxy = rpc_proxy()
    first = proxy.numbering.claim("79", "QD", 2027, 7, "paper-7", "paper")
    again = proxy.numbering.claim("79", "QD", 2027, 7, "paper-7", "paper")
    assert first == again == {"number": 7, "work_year": 2027,
                              "display": "07/QĐ-THADS"}


def publish_issued(config, number, decision_id, unit="79"):
    dispatch = event_dispatcher(config)
    data = events.validate_data(events.DECISION_ISSUED, {
        "decision_id": decision_id, "unit": unit, "kind": "QD",
        "decision_kind": "ex_officio", "work_year": 2027, "number": number,
        "display": f"{number:02d}/QĐ-THADS", "issued_on": "2026-10-05",
        "issued_at": ISSUED_AT,
    })
    message = {"event_id": f"00000000-0000-4000-8000-{number:012d}",
               "event_type": events.DECISION_ISSUED, "schema_version": 1,
               "occurred_at": ISSUED_AT, "source": "decisions", "seq": number,
               "data": data}
    dispatch("decisions", events.DECISION_ISSUED, message)
    return message


def test_gap_report_lists_unbound_numbers(numbering, rpc_proxy):
    proxy = rpc_proxy()
    for i in range(1, 5):
        proxy.numbering.allocate("79", "QD", ISSUED_AT, f"d{i}")
    proxy.numbering.claim("79", "QD", 2027, 6, "paper-6", "paper")
    proxy.numbering.void("79", "QD", 2027, 3, "draft abandoned")
    publish_issued(numbering, 1, "d1")
    publish_issued(numbering, 4, "d4")

    def bound_twice():
        report = proxy.numbering.gap_report("79", "QD", 2027)
        return report if report["bound"] == 2 else None

    report = wait_until(bound_twice, message="two numbers bound")

    assert report["highest"] == 6
    assert [gap["number"] for gap in report["gaps"]] == [2, 5, 6]
    assert [gap["status"] for gap in report["gaps"]] == [
        "allocated", "never_allocated", "claimed"]
    assert report["claimed_numbers"] == [6]
    assert report["voided_numbers"] == [3]


def test_redelivered_issued_event_binds_once(numbering, rpc_proxy, sql):
    proxy = rpc_proxy()
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "d1")
    message = publish_issued(numbering, 1, "d1")
    event_dispatcher(numbering)("decisions", events.DECISION_ISSUED, message)

    wait_until(lambda: proxy.numbering.series_status("79", "QD", 2027)["bound"],
               message="number bound")
    url = numbering["NUMBERING_DATABASE_URL"]
    wait_until(lambda: sql(url, "SELECT 1 FROM processed_events"),
               message="event recorded")
    rows = sql(url, "SELECT count(*) AS n FROM processed_events")
    assert rows[0].n == 1


def test_void_of_bound_number_is_rejected(numbering, rpc_proxy):
    proxy = rpc_proxy()
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "d1")
    publish_issued(numbering, 1, "d1")
    wait_until(lambda: proxy.numbering.series_status("79", "QD", 2027)["bound"],
               message="number bound")

    with pytest.raises(RemoteError) as error:
        proxy.numbering.void("79", "QD", 2027, 1, "mistake")

    assert error.value.exc_type == "NumberBound"
    assert "d1" in error.value.value


def test_ledger_verify_names_tampered_entry(numbering, rpc_proxy, sql):
    from services.numbering.ledger import verify
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    proxy = rpc_proxy()
    for i in range(5):
        proxy.numbering.allocate("79", "QD", ISSUED_AT, f"d{i}")
    proxy.numbering.claim("79", "QD", 2027, 9, "paper-9", "paper")
    url = numbering["NUMBERING_DATABASE_URL"]
    engine = create_engine(url)

    with Session(engine) as session:
        assert verify(session) is None

    sql(url, "UPDATE ledger SET number = 42 WHERE position = 3")
    with Session(engine) as session:
        broken = verify(session)
    engine.dispose()

    assert broken["position"] == 3
    assert broken["number"] == 42
    assert "hash" in broken["problem"]
