"""Allocation, claims and voids on one number series.

Every operation runs inside the caller's transaction and starts by
locking the series row, so operations on one series are serialized by
PostgreSQL whatever the number of numbering processes. The primary key of
`numbers` backs the lock: a number can be stored once only.
"""
from datetime import datetime, timezone

from sqlalchemy import and_, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.numbering.exceptions import (
    InvalidArgument, NumberBound, NumberTaken, NumberVoided, RequestConflict,
)

# A claim or void this far above the series' highest number is taken for a
# typing error: no unit issues that many decisions between two entries.
MAX_AHEAD = 50_000
from services.numbering.ledger import entry_hash
from services.numbering.models import ledger, numbers, series


def series_filter(table, unit, kind, work_year):
    return and_(table.c.unit == unit, table.c.kind == kind,
                table.c.work_year == work_year)


def previous_result(session, request_id, arguments):
    """Return the stored result of REQUEST_ID, or None if it is new.

    Raises RequestConflict when the request id was used with other
    arguments.
    """
    row = session.execute(
        select(numbers).where(numbers.c.request_id == request_id)
    ).first()
    if row is None:
        return None
    return check_previous(row, request_id, arguments)


def check_previous(row, request_id, arguments):
    """Return ROW, the stored result of REQUEST_ID, if ARGUMENTS match it."""
    if row.arguments != arguments:
        raise RequestConflict(
            f"request id {request_id!r} was already used for "
            f"{row.arguments}; it cannot be reused for {arguments}. "
            f"Send a new request id for a new request."
        )
    if row.status == "voided" and arguments.get("op") != "void":
        raise NumberVoided(
            f"number {row.number} of request {request_id!r} was voided "
            f"({row.reason}); it must not be printed. Start a new request."
        )
    return row


def check_not_far_ahead(locked, number):
    if number > locked.highest + MAX_AHEAD:
        raise InvalidArgument(
            f"number {number} is more than {MAX_AHEAD} above the highest "
            f"number {locked.highest} of series {locked.unit}/{locked.kind}/"
            f"{locked.work_year}; check it for a typing error"
        )


def lock_series(session, unit, kind, work_year):
    """Create the series if needed and lock its row until commit."""
    statement = pg_insert(series).values(
        unit=unit, kind=kind, work_year=work_year
    )
    statement = statement.on_conflict_do_update(
        index_elements=["unit", "kind", "work_year"],
        set_={"unit": statement.excluded.unit},
    ).returning(series)
    return session.execute(statement).one()


def append_ledger(session, locked, number, action, request_id, reason):
    """Append the ledger entry for NUMBER and move the series' chain head."""
    entry = {
        "unit": locked.unit, "kind": locked.kind,
        "work_year": locked.work_year,
        "position": locked.ledger_length + 1, "action": action,
        "number": number, "request_id": request_id, "reason": reason,
        "recorded_at": datetime.now(timezone.utc).isoformat(),
    }
    digest = entry_hash(locked.ledger_head, entry)
    session.execute(ledger.insert().values(
        **entry, prev_hash=locked.ledger_head, hash=digest
    ))
    session.execute(
        update(series)
        .where(series_filter(series, locked.unit, locked.kind, locked.work_year))
        .values(
            highest=func.greatest(series.c.highest, number),
            ledger_length=entry["position"],
            ledger_head=digest,
        )
    )


def record(session, locked, number, action, request_id, arguments, reason):
    """Store NUMBER with status ACTION and append the ledger entry."""
    session.execute(pg_insert(numbers).values(
        unit=locked.unit, kind=locked.kind, work_year=locked.work_year,
        number=number, status=action, request_id=request_id,
        arguments=arguments, reason=reason,
    ))
    append_ledger(session, locked, number, action, request_id, reason)


ALLOCATE = text(
    "SELECT out_number AS number, out_status AS status, "
    "out_arguments AS arguments, out_reason AS reason "
    "FROM numbering_allocate(:unit, :kind, :work_year, :request_id, "
    ":arguments, :recorded_at)"
).bindparams(bindparam("arguments", type_=JSONB))


def allocate(session, unit, kind, work_year, request_id, arguments):
    """Allocate the next free number of the series to REQUEST_ID.

    The database function `numbering_allocate` does the whole allocation
    in one round trip. For a known request id it returns the stored row,
    which is checked here like any earlier result.
    """
    row = session.execute(ALLOCATE, {
        "unit": unit, "kind": kind, "work_year": work_year,
        "request_id": request_id, "arguments": arguments,
        "recorded_at": datetime.now(timezone.utc).isoformat(),
    }).one()
    return check_previous(row, request_id, arguments).number


def claim(session, unit, kind, work_year, number, request_id, arguments, reason):
    """Record NUMBER as issued on paper under REQUEST_ID."""
    done = previous_result(session, request_id, arguments)
    if done is not None:
        return done.number

    locked = lock_series(session, unit, kind, work_year)
    done = previous_result(session, request_id, arguments)
    if done is not None:
        return done.number

    check_not_far_ahead(locked, number)
    holder = find_number(session, unit, kind, work_year, number)
    if holder is not None:
        raise NumberTaken(
            f"number {number} of series {unit}/{kind}/{work_year} is already "
            f"{holder.status} by request {holder.request_id!r}; "
            f"check the paper register for the right number"
        )
    record(session, locked, number, "claimed", request_id, arguments, reason)
    return number


def void(session, unit, kind, work_year, number, request_id, arguments, reason):
    """Mark NUMBER as never to be used; return its row's status."""
    if request_id is not None:
        done = previous_result(session, request_id, arguments)
        if done is not None:
            return "voided"
    locked = lock_series(session, unit, kind, work_year)
    holder = find_number(session, unit, kind, work_year, number)
    if holder is None:
        check_not_far_ahead(locked, number)
        record(session, locked, number, "voided", request_id, arguments, reason)
        return "voided"
    if holder.status == "voided":
        return "voided"
    if holder.decision_id is not None:
        raise NumberBound(
            f"number {number} of series {unit}/{kind}/{work_year} is carried "
            f"by issued decision {holder.decision_id}; revoke that decision "
            f"with a new decision instead of voiding its number"
        )
    _append_void(session, locked, holder, request_id, reason)
    return "voided"


def _append_void(session, locked, holder, request_id, reason):
    """Void a number that was allocated or claimed but never bound."""
    session.execute(
        update(numbers)
        .where(series_filter(numbers, locked.unit, locked.kind, locked.work_year))
        .where(numbers.c.number == holder.number)
        .values(status="voided", reason=reason)
    )
    append_ledger(session, locked, holder.number, "voided", request_id, reason)


def find_number(session, unit, kind, work_year, number):
    return session.execute(
        select(numbers)
        .where(series_filter(numbers, unit, kind, work_year))
        .where(numbers.c.number == number)
    ).first()


def bind(session, unit, kind, work_year, number, decision_id):
    """Bind NUMBER to DECISION_ID; return 'bound', 'already', or a problem.

    The series lock serializes binding with voids of the same number.
    """
    lock_series(session, unit, kind, work_year)
    row = find_number(session, unit, kind, work_year, number)
    if row is None:
        return "unknown_number"
    if row.decision_id == decision_id:
        return "already"
    if row.decision_id is not None:
        return "bound_to_other"
    if row.status == "voided":
        return "voided"
    session.execute(
        update(numbers)
        .where(series_filter(numbers, unit, kind, work_year))
        .where(numbers.c.number == number)
        .values(decision_id=decision_id, bound_at=func.now())
    )
    return "bound"


def status(session, unit, kind, work_year):
    """Summarise the series: highest number, counts, claims and voids."""
    rows = session.execute(
        select(numbers.c.status, func.count(),
               func.count(numbers.c.decision_id))
        .where(series_filter(numbers, unit, kind, work_year))
        .group_by(numbers.c.status)
    ).all()
    counts = {row[0]: row[1] for row in rows}
    highest = session.execute(
        select(func.coalesce(func.max(numbers.c.number), 0))
        .where(series_filter(numbers, unit, kind, work_year))
    ).scalar_one()
    return {
        "unit": unit, "kind": kind, "work_year": work_year,
        "highest": highest,
        "allocated": counts.get("allocated", 0),
        "claimed": counts.get("claimed", 0),
        "voided": counts.get("voided", 0),
        "bound": sum(row[2] for row in rows),
        "claimed_numbers": numbers_with_status(
            session, unit, kind, work_year, "claimed"),
        "voided_numbers": numbers_with_status(
            session, unit, kind, work_year, "voided"),
    }


def numbers_with_status(session, unit, kind, work_year, wanted):
    return list(session.execute(
        select(numbers.c.number)
        .where(series_filter(numbers, unit, kind, work_year))
        .where(numbers.c.status == wanted)
        .order_by(numbers.c.number)
    ).scalars())


GAPS = text("""
    SELECT g.n AS number, x.status, x.request_id
    FROM generate_series(1, :highest) AS g(n)
    LEFT JOIN numbers x
      ON x.unit = :unit AND x.kind = :kind AND x.work_year = :work_year
     AND x.number = g.n
    WHERE x.number IS NULL
       OR (x.status <> 'voided' AND x.decision_id IS NULL)
    ORDER BY g.n
""")


def gaps(session, unit, kind, work_year):
    """List numbers below the highest that no issued decision carries.

    Voided numbers are not gaps: they were recorded as never to be used.
    """
    summary = status(session, unit, kind, work_year)
    rows = session.execute(GAPS, {
        "highest": summary["highest"], "unit": unit, "kind": kind,
        "work_year": work_year,
    }).all()
    summary["gaps"] = [
        {"number": row.number, "status": row.status or "never_allocated",
         "request_id": row.request_id}
        for row in rows
    ]
    return summary
