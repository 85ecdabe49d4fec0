"""decision_issued events that are malformed, late, conflicting or racing."""
import uuid

import eventlet
import pytest
from kombu import Connection
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.standalone.events import event_dispatcher
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.common import events
from services.numbering import series as ops
from services.numbering.service import NumberingService
from tests.conftest import wait_until

ISSUED_AT = "2026-10-05T09:00:00+07:00"
HANDLER_QUEUE = "evt-decisions-decision_issued--numbering.bind_issued_number"


def issued_message(number, decision_id, unit="79"):
    data = events.validate_data(events.DECISION_ISSUED, {
        "decision_id": decision_id, "unit": unit, "kind": "QD",
        "decision_kind": "ex_officio", "work_year": 2027, "number": number,
        "display": f"{number:02d}/QĐ-THADS", "issued_on": "2026-10-05",
        "issued_at": ISSUED_AT,
    })
    return {"event_id": str(uuid.uuid4()), "event_type": events.DECISION_ISSUED,
            "schema_version": 1, "occurred_at": ISSUED_AT,
            "source": "decisions", "seq": number, "data": data}


def publish(config, message):
    event_dispatcher(config)("decisions", events.DECISION_ISSUED, message)


def number_row(sql, config, number):
    rows = sql(config["NUMBERING_DATABASE_URL"],
               "SELECT status, decision_id FROM numbers "
               "WHERE unit = '79' AND work_year = 2027 AND number = :number",
               number=number)
    return rows[0] if rows else None


def processed(sql, config, message):
    return sql(config["NUMBERING_DATABASE_URL"],
               "SELECT 1 FROM processed_events WHERE event_id = :id",
               id=message["event_id"])


def queued_messages(config, queue):
    with Connection(config["AMQP_URI"]) as connection:
        declared = connection.default_channel.queue_declare(
            queue=queue, passive=True)
    return declared.message_count


@pytest.fixture
def numbering(container_factory, service_config):
    config = service_config("numbering")
    container = container_factory(NumberingService, config)
    container.start()
    return config, container


# Defects: each test below fails on the current service code.

def test_malformed_event_not_requeued_for_ever(numbering, rpc_proxy, sql):
    config, container = numbering
    proxy = rpc_proxy()
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "d1")
    bad_payload = issued_message(2, "d2")
    del bad_payload["data"]["number"]
    out_of_range = issued_message(3, "d3")
    out_of_range["data"]["number"] = 2 ** 40
    good = issued_message(1, "d1")

    publish(config, bad_payload)
    publish(config, out_of_range)
    publish(config, good)
    wait_until(lambda: number_row(sql, config, 1).decision_id,
               message="number 1 bound")
    eventlet.sleep(1)
    container.stop()

    # Stopping returns unacknowledged messages to the queue. An event that
    # can never be applied must have been dropped or dead-lettered.
    assert queued_messages(config, HANDLER_QUEUE) == 0


@pytest.mark.parametrize("poison_count", [9, 10])
def test_malformed_events_do_not_starve_queue(
        numbering, rpc_proxy, sql, poison_count):
    # The prefetch count equals max_workers, which is 10. Nine requeued
    # messages leave one delivery slot free, and ten fill every slot.
    config, _ = numbering
    proxy = rpc_proxy()
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "d1")
    for _ in range(poison_count):
        poison = issued_message(2, "d2")
        poison["data"] = {"decision_id": "d2"}
        publish(config, poison)
    publish(config, issued_message(1, "d1"))

    wait_until(lambda: number_row(sql, config, 1).decision_id, timeout=10,
               message=f"number 1 bound behind {poison_count} malformed events")


def answering(proxy_factory):
    def answers():
        try:
            proxy_factory(timeout=2).numbering.series_status("79", "QD", 2027)
            return True
        except (RpcTimeout, UnknownService):
            return False
    wait_until(answers, timeout=60, message="numbering answers")


def test_bind_racing_void_leaves_voided_unbound(
        service_config, spawn_services, rpc_proxy, sql):
    # The service runs in its own process, so its bind can wait on the row
    # lock that this test keeps without blocking the test.
    config = service_config("numbering")
    process = spawn_services(config, "numbering")
    answering(rpc_proxy)
    rpc_proxy().numbering.allocate("79", "QD", ISSUED_AT, "d1")
    url = config["NUMBERING_DATABASE_URL"]
    database = url.rsplit("/", 1)[1]
    engine = create_engine(url)
    message = issued_message(1, "d1")

    with Session(engine) as session:
        ops.void(session, "79", "QD", 2027, 1, None,
                 {"op": "void", "unit": "79", "kind": "QD",
                  "work_year": 2027, "number": 1}, "looked lost")
        publish(config, message)
        wait_until(lambda: sql(url, "SELECT 1 FROM pg_stat_activity "
                                    "WHERE datname = :db "
                                    "AND wait_event_type = 'Lock'",
                               db=database),
                   message="bind waiting on the void's row lock")
        session.commit()
    engine.dispose()
    wait_until(lambda: processed(sql, config, message), message="event applied")
    process.terminate()

    row = number_row(sql, config, 1)
    assert row.status == "voided"
    assert row.decision_id is None


# Behaviour that held when this file was written.

@pytest.mark.parametrize("setup, outcome", [
    ("unknown", None),
    ("voided", None),
    ("bound_to_other", "d-other"),
])
def test_issued_event_for_unusable_number(
        numbering, rpc_proxy, sql, setup, outcome):
    config, _ = numbering
    proxy = rpc_proxy()
    proxy.numbering.allocate("79", "QD", ISSUED_AT, "d-other")
    if setup == "voided":
        proxy.numbering.void("79", "QD", 2027, 1, "draft abandoned")
    if setup == "bound_to_other":
        first = issued_message(1, "d-other")
        publish(config, first)
        wait_until(lambda: processed(sql, config, first), message="first bind")
    number = 5 if setup == "unknown" else 1
    message = issued_message(number, "d-late")

    publish(config, message)
    wait_until(lambda: processed(sql, config, message), message="event applied")

    row = number_row(sql, config, number)
    if setup == "unknown":
        assert row is None
    else:
        assert row.decision_id == outcome
