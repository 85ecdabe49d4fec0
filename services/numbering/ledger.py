"""The hash-chained ledger of every allocation, claim and void.

Each entry's hash covers its own fields and the previous entry's hash in
the same series, so changing, removing or reordering an entry breaks the
chain from that entry on.
"""
import hashlib

from sqlalchemy import and_, select

from services.numbering.models import ledger, numbers, series

GENESIS = ""


# The fields an entry's hash covers, in order. The database function
# `numbering_allocate` builds the same text, so both must change together.
HASHED_FIELDS = ("unit", "kind", "work_year", "position", "action", "number",
                 "request_id", "reason", "recorded_at")
SEPARATOR = "\x1f"  # ASCII unit separator; reasons may not contain it


def entry_hash(prev_hash, entry):
    """Return the SHA-256 hex digest chaining ENTRY to PREV_HASH.

    The hashed text is the previous hash and the entry's fields joined by
    the unit separator, with an absent value as an empty string.
    """
    parts = [prev_hash] + ["" if entry[name] is None else str(entry[name])
                           for name in HASHED_FIELDS]
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()


def verify(session, progress=None):
    """Check every series' chain; return the first broken entry or None.

    Besides each entry's hash and position, the end of each chain must
    match the head and length kept on the series row (so deleting the
    last entries is seen), and replaying the chain must give the stored
    status of every number (so a changed or deleted number row is seen).
    The result names the entry or number and what is wrong. PROGRESS,
    when given, is called with the number of entries checked so far.
    """
    checked = 0
    for head in session.execute(
            select(series).order_by(series.c.unit, series.c.kind,
                                    series.c.work_year)).all():
        broken, count = _verify_series(session, head)
        checked += count
        if progress:
            progress(checked)
        if broken:
            return broken
    return _orphan_entries(session)


def _verify_series(session, head):
    key = (head.unit, head.kind, head.work_year)
    rows = session.execute(
        select(ledger).where(series_filter(ledger, *key))
        .order_by(ledger.c.position).execution_options(yield_per=5000)
    )
    prev_hash, expected_position, replayed, last = GENESIS, 1, {}, None
    for row in rows:
        problem = _check_entry(row, prev_hash, expected_position)
        if problem:
            return _broken(key, row.id, row.position, row.number, problem), 0
        replayed[row.number] = row.action
        prev_hash, expected_position, last = row.hash, expected_position + 1, row
    count = expected_position - 1
    if count != head.ledger_length or prev_hash != head.ledger_head:
        return _broken(
            key, last.id if last else None, count + 1, None,
            f"chain ends at position {count} but the series records "
            f"{head.ledger_length} entries ending in another hash; entries "
            f"were removed"), count
    return _compare_numbers(session, key, replayed), count


def _compare_numbers(session, key, replayed):
    stored = dict(session.execute(
        select(numbers.c.number, numbers.c.status)
        .where(series_filter(numbers, *key))).all())
    for number in sorted(set(stored) | set(replayed)):
        if stored.get(number) != replayed.get(number):
            return _broken(
                key, None, None, number,
                f"number {number} is {stored.get(number) or 'missing'} in the "
                f"numbers table but {replayed.get(number) or 'absent'} in the "
                f"ledger")
    return None


def _orphan_entries(session):
    orphan = session.execute(
        select(ledger).outerjoin(series, and_(
            series.c.unit == ledger.c.unit, series.c.kind == ledger.c.kind,
            series.c.work_year == ledger.c.work_year))
        .where(series.c.unit.is_(None)).limit(1)).first()
    if orphan is None:
        return None
    return _broken((orphan.unit, orphan.kind, orphan.work_year), orphan.id,
                   orphan.position, orphan.number,
                   "entry belongs to a series that has no series row")


def _broken(key, entry_id, position, number, problem):
    unit, kind, work_year = key
    return {"id": entry_id, "unit": unit, "kind": kind, "work_year": work_year,
            "position": position, "number": number, "problem": problem}


def series_filter(table, unit, kind, work_year):
    return and_(table.c.unit == unit, table.c.kind == kind,
                table.c.work_year == work_year)


def _check_entry(row, prev_hash, expected_position):
    if row.position != expected_position:
        return f"position {row.position}, expected {expected_position}"
    if row.prev_hash != prev_hash:
        return "prev_hash does not match the previous entry's hash"
    if entry_hash(prev_hash, row._mapping) != row.hash:
        return "hash does not match the entry's content"
    return None
