"""Transactional outbox, its relay, and the inbox that de-duplicates events.

A service records an event by inserting an outbox row in the same
transaction as the state change, so the two commit or fail together. The
relay publishes pending rows with publisher confirms and marks a row sent
only after the broker confirmed it; a crash in between publishes the row
again, which the consumers' inbox absorbs.
"""
import logging
import uuid
from datetime import datetime, timezone

import eventlet
from eventlet.event import Event
from nameko.amqp.publish import Publisher
from nameko.events import get_event_exchange
from nameko.extensions import DependencyProvider
from sqlalchemy import (
    BigInteger, Column, DateTime, Index, String, Table, func, insert, select,
    text, update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import sessionmaker

from services.common import events
from services.common.db import make_engine
from services.common.config import database_url_key

log = logging.getLogger(__name__)

RELAY_BATCH = 200
RELAY_IDLE_SECONDS = 0.5
RELAY_RETRY_SECONDS = (0.5, 1, 2, 5, 10)


def define_outbox(metadata):
    """Add the `outbox` table to METADATA and return it."""
    table = Table(
        "outbox", metadata,
        Column("seq", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("schema_version", BigInteger, nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True)),
    )
    Index("outbox_pending", table.c.seq, postgresql_where=table.c.sent_at.is_(None))
    return table


def define_inbox(metadata):
    """Add the `processed_events` table to METADATA and return it."""
    return Table(
        "processed_events", metadata,
        Column("event_id", UUID(as_uuid=False), primary_key=True),
        Column("event_type", String(64), nullable=False),
        Column("source", String(64), nullable=False),
        Column("seq", BigInteger),
        Column("processed_at", DateTime(timezone=True), nullable=False,
               server_default=func.now()),
    )


def add_event(session, outbox, event_type, data):
    """Insert an EVENT_TYPE event into OUTBOX within SESSION's transaction.

    Raises marshmallow.ValidationError when DATA does not fit the schema.
    Returns the new event id.
    """
    payload = events.validate_data(event_type, data)
    event_id = str(uuid.uuid4())
    session.execute(insert(outbox).values(
        event_id=event_id,
        event_type=event_type,
        schema_version=events.SCHEMA_VERSION,
        payload=payload,
        occurred_at=datetime.now(timezone.utc),
    ))
    return event_id


def envelope(row, source):
    """Build the message body of an outbox ROW published by SOURCE."""
    return {
        "event_id": str(row.event_id),
        "event_type": row.event_type,
        "schema_version": row.schema_version,
        "occurred_at": row.occurred_at.isoformat(),
        "source": source,
        "seq": row.seq,
        "data": row.payload,
    }


def read_history(session, outbox, source, after_seq=0, limit=500):
    """Return up to LIMIT envelopes with seq greater than AFTER_SEQ, in order."""
    rows = session.execute(
        select(outbox).where(outbox.c.seq > after_seq)
        .order_by(outbox.c.seq).limit(limit)
    ).all()
    return [envelope(row, source) for row in rows]


def first_delivery(session, inbox, message):
    """Record an incoming event; return False when it was applied before.

    Call inside the transaction that applies the event, so the record and
    the effect commit together.
    """
    inserted = session.execute(
        pg_insert(inbox).values(
            event_id=message["event_id"],
            event_type=message["event_type"],
            source=message["source"],
            seq=message.get("seq"),
        ).on_conflict_do_nothing().returning(inbox.c.event_id)
    ).first()
    return inserted is not None


class OutboxRelay(DependencyProvider):
    """Publish the service's outbox rows as nameko events.

    The events go to the `<service>.events` exchange with the event type
    as routing key, so ordinary nameko `event_handler`s receive them.
    """

    def __init__(self, service, outbox):
        self.service = service
        self.outbox = outbox
        self.wakeup = Event()
        self.gt = None
        self.running = False

    def setup(self):
        config = self.container.config
        self.engine = make_engine(config[database_url_key(self.service)], 2)
        self.session_factory = sessionmaker(bind=self.engine)
        self.exchange = get_event_exchange(self.service, config)
        self.publisher = Publisher(config["AMQP_URI"], declare=[self.exchange])

    def start(self):
        self.running = True
        self.gt = self.container.spawn_managed_thread(self._run)
        log.info("outbox relay started for %s", self.service)

    def stop(self):
        self.running = False
        self.poke()
        if self.gt is not None:
            self.gt.wait()
        self.engine.dispose()
        log.info("outbox relay stopped for %s", self.service)

    def kill(self):
        self.running = False
        if self.gt is not None:
            self.gt.kill()

    def get_dependency(self, worker_ctx):
        return self

    def poke(self):
        """Wake the relay now instead of at its next poll."""
        if not self.wakeup.ready():
            self.wakeup.send(True)

    def _run(self):
        failures = 0
        while self.running:
            try:
                sent = self.publish_pending()
                failures = 0
            except Exception:
                delay = RELAY_RETRY_SECONDS[min(failures, len(RELAY_RETRY_SECONDS) - 1)]
                failures += 1
                log.exception("outbox relay for %s failed; retry %d in %ss",
                              self.service, failures, delay)
                eventlet.sleep(delay)
                continue
            if sent < RELAY_BATCH:
                self._idle()

    def _idle(self):
        with eventlet.Timeout(RELAY_IDLE_SECONDS, False):
            self.wakeup.wait()
        self.wakeup = Event()

    def publish_pending(self):
        """Publish one batch of pending rows; return how many were sent.

        SKIP LOCKED lets several instances of a service relay at once
        without publishing the same row twice in the normal case.
        """
        outbox = self.outbox
        with self.session_factory() as session, session.begin():
            rows = session.execute(
                select(outbox).where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.seq).limit(RELAY_BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                self.publisher.publish(
                    envelope(row, self.service),
                    exchange=self.exchange,
                    routing_key=row.event_type,
                )
                session.execute(
                    update(outbox).where(outbox.c.seq == row.seq)
                    .values(sent_at=text("now()"))
                )
            if rows:
                log.debug("relayed %d %s events up to seq %d",
                          len(rows), self.service, rows[-1].seq)
        return len(rows)
