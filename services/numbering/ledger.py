"""The hash-chained ledger of every allocation, claim and void.

Each entry's hash covers its own fields and the previous entry's hash in
the same series, so changing, removing or reordering an entry breaks the
chain from that entry on.
"""
import hashlib
import json

from sqlalchemy import select

from services.numbering.models import ledger

GENESIS = ""


def entry_hash(prev_hash, entry):
    """Return the SHA-256 hex digest chaining ENTRY to PREV_HASH."""
    content = json.dumps(
        [
            prev_hash, entry["unit"], entry["kind"], entry["work_year"],
            entry["position"], entry["action"], entry["number"],
            entry["request_id"], entry["reason"], entry["recorded_at"],
        ],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def verify(session, progress=None):
    """Walk every series' chain; return the first broken entry or None.

    The result names the entry (id, series, position) and what is wrong.
    PROGRESS, when given, is called with the number of entries checked.
    """
    rows = session.execute(
        select(ledger).order_by(
            ledger.c.unit, ledger.c.kind, ledger.c.work_year, ledger.c.position
        ).execution_options(yield_per=5000)
    )
    series, prev_hash, expected_position = None, GENESIS, 1
    for checked, row in enumerate(rows, start=1):
        key = (row.unit, row.kind, row.work_year)
        if key != series:
            series, prev_hash, expected_position = key, GENESIS, 1
        problem = _check_entry(row, prev_hash, expected_position)
        if problem:
            return {"id": row.id, "unit": row.unit, "kind": row.kind,
                    "work_year": row.work_year, "position": row.position,
                    "number": row.number, "problem": problem}
        prev_hash, expected_position = row.hash, expected_position + 1
        if progress and checked % 10000 == 0:
            progress(checked)
    return None


def _check_entry(row, prev_hash, expected_position):
    if row.position != expected_position:
        return f"position {row.position}, expected {expected_position}"
    if row.prev_hash != prev_hash:
        return "prev_hash does not match the previous entry's hash"
    if entry_hash(prev_hash, row._mapping) != row.hash:
        return "hash does not match the entry's content"
    return None
