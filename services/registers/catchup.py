"""Applying decisions events to the registers, live or from the event history.

The event handlers and the catch-up both call `apply_message`. It records
the event id in the inbox and adds the event's rows and notes in one
transaction. An event applied twice therefore changes nothing the second
time, whether it was redelivered, replayed, or came both from the queue
and from the history.

The catch-up reads the decisions service's `event_history` after the
highest seq it has seen, which covers events published while the
registers queues did not exist yet. It rereads the last HISTORY_OVERLAP
seqs every time: an outbox seq is taken when a transaction inserts the
row, so a transaction that commits late can add a seq below one already
read.
"""
import logging

from marshmallow import ValidationError
from nameko.timer import Timer
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.common import events
from services.common.outbox import first_delivery
from services.common.units import UnknownUnit, get_unit
from services.registers import rows as row_rules
from services.registers.models import (
    cursors, processed_events, register_rows, registers, row_notes,
)

log = logging.getLogger(__name__)

SOURCE = "decisions"
CATCHUP_SECONDS = 30
CATCHUP_SECONDS_KEY = "REGISTERS_CATCHUP_SECONDS"
HISTORY_PAGE = 500
HISTORY_OVERLAP = 200

HANDLED_EVENTS = (
    events.JUDGMENT_RECEIVED, events.REQUEST_RECEIVED,
    events.ENTRUSTMENT_RECEIVED, events.DECISION_ISSUED,
    events.DECISION_REVOKED,
)

APPLIED, DUPLICATE, INVALID, IGNORED = "applied", "duplicate", "invalid", "ignored"


class CatchupTimer(Timer):
    """A nameko timer whose interval the config key
    REGISTERS_CATCHUP_SECONDS may override."""

    def setup(self):
        configured = self.container.config.get(CATCHUP_SECONDS_KEY)
        if configured:
            self.interval = float(configured)
        super().setup()

    def start(self):
        super().start()
        log.info("catch-up from %s started, every %s s", SOURCE, self.interval)

    def stop(self):
        super().stop()
        log.info("catch-up from %s stopped", SOURCE)


catchup_timer = CatchupTimer.decorator


def apply_message(session, message):
    """Apply one event envelope in SESSION's transaction; return the outcome.

    Returns APPLIED, DUPLICATE (its id was applied before), IGNORED (no
    register records it) or INVALID (logged, nothing stored: delivering
    the same malformed envelope again cannot succeed).
    """
    try:
        envelope, data = events.load_envelope(message)
    except (ValidationError, events.UnknownEventType) as error:
        log.error("event %s is invalid and was skipped: %s",
                  _event_id(message), error)
        return INVALID
    if envelope["event_type"] not in HANDLED_EVENTS:
        return IGNORED
    try:
        get_unit(data["unit"])
    except UnknownUnit:
        log.error("event %s names unit %r, which is not a provincial unit; "
                  "skipped", _event_id(message), data["unit"])
        return INVALID
    if not first_delivery(session, processed_events, message):
        log.debug("event %s was applied before", message["event_id"])
        return DUPLICATE
    found = row_rules.effects(envelope["event_type"], data)
    for row in found.rows:
        add_row(session, message, row)
    for note in found.notes:
        add_note(session, message, note)
    if not found.rows and not found.notes:
        log.warning("event %s (%s) adds no register row or note",
                    message["event_id"], envelope["event_type"])
    return APPLIED


def _event_id(message):
    return message.get("event_id") if isinstance(message, dict) else None


def add_row(session, message, row):
    """Insert ROW with the register's next STT and return that STT.

    The upsert takes the register row's lock until the transaction ends,
    so concurrent inserts into one register get consecutive numbers. A
    subject (a decision or a record) that already has a row in the
    register gets no second one, even from an event with a new id, as
    after a restore of the decisions database; None is returned then.
    """
    register_id, last_stt = session.execute(
        pg_insert(registers)
        .values(form=row.form, unit=row.unit, work_year=row.work_year,
                last_stt=0)
        .on_conflict_do_update(
            index_elements=["form", "unit", "work_year"],
            set_={"last_stt": registers.c.last_stt})
        .returning(registers.c.id, registers.c.last_stt)
    ).one()
    if row.subject_id and session.execute(select(register_rows.c.id).where(
            register_rows.c.register_id == register_id,
            register_rows.c.subject_type == row.subject_type,
            register_rows.c.subject_id == row.subject_id)).first():
        log.warning("event %s: %s %s already has a row in form %s unit %s "
                    "work year %s; no second row added", message["event_id"],
                    row.subject_type, row.subject_id, row.form, row.unit,
                    row.work_year)
        return None
    stt = last_stt + 1
    session.execute(update(registers).where(registers.c.id == register_id)
                    .values(last_stt=stt))
    session.execute(insert(register_rows).values(
        register_id=register_id, stt=stt, event_id=message["event_id"],
        event_type=message["event_type"], seq=message.get("seq"),
        subject_type=row.subject_type, subject_id=row.subject_id,
        entry_date=row.entry_date, data=row.data,
        party_search=row.party_search, judgment_search=row.judgment_search,
        decision_display=row.decision_display,
        decision_number=row.decision_number,
    ))
    log.info("event %s: form %s unit %s work year %s row %d",
             message["event_id"], row.form, row.unit, row.work_year, stt)
    return stt


def add_note(session, message, note):
    session.execute(
        pg_insert(row_notes).values(
            event_id=message["event_id"], subject_type=note.subject_type,
            subject_id=note.subject_id, kind=note.kind,
            noted_on=note.noted_on, text=note.text, data=note.data,
        ).on_conflict_do_nothing()
    )
    log.info("event %s: %s note on %s %s", message["event_id"], note.kind,
             note.subject_type, note.subject_id)


# Cursor


def read_cursor(session, source=SOURCE):
    """Return the highest history seq of SOURCE that the catch-up has read."""
    value = session.execute(
        select(cursors.c.last_seq).where(cursors.c.source == source)
    ).scalar()
    return value or 0


def save_cursor(session, seq, source=SOURCE):
    """Store SEQ as SOURCE's cursor unless a higher one is stored already."""
    session.execute(
        pg_insert(cursors).values(source=source, last_seq=seq)
        .on_conflict_do_update(
            index_elements=["source"],
            set_={"last_seq": func.greatest(cursors.c.last_seq, seq),
                  "updated_at": func.now()})
    )


# Catch-up


def history_pages(fetch_history, after=0, page_size=HISTORY_PAGE):
    """Yield pages of envelopes after seq AFTER until the history ends.

    FETCH_HISTORY(after_seq, limit) returns envelopes in seq order, as
    decisions.event_history does, and its errors propagate. A page shorter
    than PAGE_SIZE ends the history, so PAGE_SIZE must not exceed the
    server's own cap (2000 for decisions.event_history).
    """
    while True:
        page = fetch_history(after, page_size)
        if page:
            yield page
        if len(page) < page_size:
            return
        after = page[-1]["seq"]


def catch_up(db, fetch_history, page_size=HISTORY_PAGE):
    """Apply the events of the history that were not applied yet.

    DB is the worker's database handle. Each event commits on its own,
    and the cursor moves after each page, so an error (which propagates)
    loses no work. Returns the count of each outcome.
    """
    with db.transaction() as session:
        start = max(read_cursor(session) - HISTORY_OVERLAP, 0)
    counts = dict.fromkeys((APPLIED, DUPLICATE, INVALID, IGNORED), 0)
    last = start
    for page in history_pages(fetch_history, start, page_size):
        for message in page:
            with db.transaction() as session:
                counts[apply_message(session, message)] += 1
        last = page[-1]["seq"]
        with db.transaction() as session:
            save_cursor(session, last)
    if counts[APPLIED]:
        log.info("catch-up from %s seq %d to %d applied %d events",
                 SOURCE, start, last, counts[APPLIED])
    return counts


def replay_history(fetch_history, include=None, progress=None):
    """Rebuild registers in memory from the whole event history.

    INCLUDE selects registers as in rows.MemoryRegisters. PROGRESS, when
    given, is called with the number of events read after each page.
    Returns (MemoryRegisters, number of events read, invalid event ids).
    """
    memory = row_rules.MemoryRegisters(include)
    read, invalid = 0, []
    for page in history_pages(fetch_history):
        for message in page:
            read += 1
            if message.get("event_type") not in HANDLED_EVENTS:
                continue
            try:
                memory.apply(message)
            except (ValidationError, events.UnknownEventType) as error:
                log.error("event %s is invalid and was skipped: %s",
                          _event_id(message), error)
                invalid.append(_event_id(message))
        if progress is not None:
            progress(read)
    return memory, read, invalid
