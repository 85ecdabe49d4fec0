"""The outbox relay and the inbox, against RabbitMQ and PostgreSQL."""
import time
import uuid

from nameko.events import event_handler
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.common import events
from services.common.db import Database
from services.common.outbox import OutboxRelay, add_event, first_delivery
from services.decisions.models import outbox, processed_events
from tests.conftest import wait_until

received = []


class Source:
    """Stands in for a service that owns an outbox: only its relay runs."""

    name = "decisions"
    relay = OutboxRelay("decisions", outbox)


class Sink:
    name = "sink"
    db = Database("decisions")

    @event_handler("decisions", events.DEADLINE_DUE, requeue_on_error=True)
    def on_deadline(self, message):
        with self.db.transaction() as session:
            if first_delivery(session, processed_events, message):
                received.append(message)


def add_events(url, count):
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        ids = [add_event(session, outbox, events.DEADLINE_DUE, {
            "unit": "79", "deadline": "2026-10-19", "what": f"item {i}",
            "record_id": str(uuid.uuid4())}) for i in range(count)]
    engine.dispose()
    return ids


def test_relay_publishes_and_marks_sent(
        container_factory, service_config, sql):
    received.clear()
    config = service_config("decisions")
    container_factory(Sink, config).start()
    ids = add_events(config["DECISIONS_DATABASE_URL"], 5)
    container_factory(Source, config).start()

    wait_until(lambda: len(received) == 5, message="five events delivered")
    # Handlers run concurrently, so only the seq numbers carry the order.
    by_seq = sorted(received, key=lambda message: message["seq"])
    assert [message["event_id"] for message in by_seq] == ids
    pending = sql(config["DECISIONS_DATABASE_URL"],
                  "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL")
    assert pending[0].n == 0


def test_republished_rows_are_applied_once(
        container_factory, service_config, sql):
    received.clear()
    config = service_config("decisions")
    container_factory(Sink, config).start()
    container_factory(Source, config).start()
    url = config["DECISIONS_DATABASE_URL"]
    add_events(url, 3)
    wait_until(lambda: len(received) == 3, message="three events delivered")

    # A relay that died after the broker confirmed but before it marked the
    # rows sent publishes them again.
    sql(url, "UPDATE outbox SET sent_at = NULL")
    wait_until(lambda: not sql(url, "SELECT 1 FROM outbox WHERE sent_at IS NULL"),
               message="rows published again")
    wait_until(lambda: sql(url, "SELECT count(*) AS n FROM processed_events")[0].n
               == 3, message="inbox settled")

    assert len(received) == 3


def test_rows_wait_while_broker_is_unreachable(
        container_factory, service_config, sql):
    received.clear()
    config = service_config("decisions")
    url = config["DECISIONS_DATABASE_URL"]
    container_factory(Sink, config).start()
    unreachable = dict(config, AMQP_URI="pyamqp://guest:guest@127.0.0.1:9/")
    cut_off = container_factory(Source, unreachable)
    cut_off.start()
    add_events(url, 2)

    time.sleep(2)
    pending = sql(url, "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL")
    assert pending[0].n == 2
    assert received == []

    cut_off.stop()
    container_factory(Source, config).start()
    wait_until(lambda: len(received) == 2, timeout=30,
               message="events delivered once the broker is reachable")
