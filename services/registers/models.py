"""Tables of the registers service, and the queries shared by its RPC and CLI.

A register is (form, unit, work_year). `registers.last_stt` is the highest
row number (STT) handed out. A new row takes last_stt + 1 in the
transaction that inserts it. That update locks the register row until
commit, so two workers never give out one number twice. `register_rows` is append-only:
one row per event (unique event_id), its `data` never changes. Later
changes to a row's subject (a revocation, the decision that settled a
request) are appended to `row_notes` and composed into the row at read
time, so a note may arrive before its row and still show once the row
exists. `cursors` stores how far the catch-up has read a source's event
history.
"""
from sqlalchemy import (
    BigInteger, CheckConstraint, Column, Date, DateTime, ForeignKey, Index,
    Integer, MetaData, Numeric, String, Table, Text, UniqueConstraint, and_,
    cast, func, select,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID, aggregate_order_by

from services.common.outbox import define_inbox
from services.registers import rows

metadata = MetaData()

registers = Table(
    "registers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("form", String(2), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("work_year", Integer, nullable=False),
    Column("last_stt", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
    UniqueConstraint("form", "unit", "work_year", name="registers_key"),
)

register_rows = Table(
    "register_rows", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("register_id", Integer, ForeignKey("registers.id"), nullable=False),
    Column("stt", Integer, nullable=False),
    Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("seq", BigInteger),
    # What the row is about: ("decision", decision id) or ("record", id of
    # a received judgment, request or entrustment). Notes attach to this.
    Column("subject_type", String(16), nullable=False),
    Column("subject_id", String(128), nullable=False),
    Column("entry_date", Date, nullable=False),
    Column("data", JSONB, nullable=False),
    # Party names and addresses, and the judgment number, folded by
    # rows.fold (lower case, no diacritics) for the search filters.
    Column("party_search", Text, nullable=False, server_default=""),
    Column("judgment_search", String(256)),
    Column("decision_display", String(128)),
    Column("decision_number", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
    CheckConstraint("stt >= 1", name="register_rows_stt_positive"),
    UniqueConstraint("register_id", "stt", name="register_rows_stt"),
)
Index("register_rows_entry_date", register_rows.c.register_id,
      register_rows.c.entry_date)
Index("register_rows_subject", register_rows.c.subject_type,
      register_rows.c.subject_id)

row_notes = Table(
    "row_notes", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", UUID(as_uuid=False), nullable=False),
    Column("subject_type", String(16), nullable=False),
    Column("subject_id", String(128), nullable=False),
    # revocation, amendment, cancellation or correction for dated notes in
    # "Ghi chú"; enforced_by for the decision that settled a received record.
    Column("kind", String(32), nullable=False),
    Column("noted_on", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("data", JSONB, nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
    UniqueConstraint("event_id", "subject_type", "subject_id", "kind",
                     name="row_notes_event"),
)
Index("row_notes_subject", row_notes.c.subject_type, row_notes.c.subject_id)

cursors = Table(
    "cursors", metadata,
    Column("source", String(64), primary_key=True),
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
)

processed_events = define_inbox(metadata)


def find_register(session, form, unit, work_year):
    """Return the register row of (FORM, UNIT, WORK_YEAR), or None."""
    return session.execute(select(registers).where(
        registers.c.form == form, registers.c.unit == unit,
        registers.c.work_year == work_year,
    )).first()


def notes_column():
    """Return a correlated subquery: the row's notes as a JSON list.

    Each note is {kind, noted_on, text, data}, oldest first; a row without
    notes gets NULL.
    """
    note = func.jsonb_build_object(
        "kind", row_notes.c.kind, "noted_on", row_notes.c.noted_on,
        "text", row_notes.c.text, "data", row_notes.c.data,
    )
    ordered = aggregate_order_by(note, row_notes.c.noted_on, row_notes.c.id)
    return (
        select(func.jsonb_agg(ordered))
        .where(and_(row_notes.c.subject_type == register_rows.c.subject_type,
                    row_notes.c.subject_id == register_rows.c.subject_id))
        .scalar_subquery()
        .label("notes")
    )


def row_select(register_id):
    """Return a SELECT of a register's rows with their notes, in STT order."""
    return (
        select(register_rows.c.stt, register_rows.c.entry_date,
               register_rows.c.data, notes_column())
        .where(register_rows.c.register_id == register_id)
        .order_by(register_rows.c.stt)
    )


# Queries shared by the RPC methods and the command-line helpers


def stored_rows(session, register_id, form, where=(), limit=None, offset=0,
                yield_per=None):
    """Yield the composed rows of a register in STT order.

    WHERE adds conditions on register_rows; YIELD_PER streams the result
    with a server-side cursor in batches of that many rows.
    """
    query = row_select(register_id).where(*where).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    if yield_per:
        query = query.execution_options(yield_per=yield_per)
    for record in session.execute(query):
        yield rows.compose_row(form, record.stt, record.data, record.notes)


def rows_by_event(session, register_id, form):
    """Return {event_id: composed row} of a whole register."""
    query = row_select(register_id).add_columns(register_rows.c.event_id)
    return {
        str(record.event_id): rows.compose_row(
            form, record.stt, record.data, record.notes)
        for record in session.execute(query)
    }


def count_rows(session, register_id, where=()):
    return session.execute(
        select(func.count()).select_from(register_rows)
        .where(register_rows.c.register_id == register_id, *where)
    ).scalar_one()


def closing_lines(session, register, layout, today):
    """Return a rows.Closing for each closing period of REGISTER ended by TODAY.

    The totals are computed in the database from the stored row data, as
    layout.compute_closing_totals would compute them. A total that read a
    path filled only when a row is read (notes, result, Mẫu 06's decision)
    would count nothing, so the layouts must not total such a path.
    """
    closings = []
    for period in rows.ended_periods(register.work_year, today):
        in_period = (register_rows.c.register_id == register.id,
                     register_rows.c.entry_date.between(period.start, period.end))
        totals = {}
        for total in layout.closing_totals:
            totals[total.column] = period_total(session, layout, total, in_period)
        before = session.execute(
            select(func.min(register_rows.c.stt)).where(
                register_rows.c.register_id == register.id,
                register_rows.c.entry_date > period.end)
        ).scalar()
        closings.append(rows.Closing(period, totals, before))
    return closings


def period_total(session, layout, total, where):
    column = layout.columns[layout.column_index(total.column)]
    value = func.jsonb_extract_path_text(
        register_rows.c.data, *column.source.split("."))
    if total.op == "count":
        aggregate = func.count().filter(value != "")
    else:
        aggregate = func.coalesce(func.sum(cast(value, Numeric)), 0)
    return int(session.execute(select(aggregate).where(*where)).scalar_one())
