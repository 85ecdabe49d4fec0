"""Tables of the numbering service.

A series is (unit, kind, work_year). `numbers` has one row per number that
was allocated, claimed or voided; its primary key is the series plus the
number, so two processes can never both store the same number. `ledger`
is the append-only, hash-chained record of every allocation, claim and
void; each series has its own chain, whose head is kept on the series row
that allocation already locks.
"""
from sqlalchemy import (
    BigInteger, CheckConstraint, Column, DateTime, ForeignKeyConstraint,
    Integer, MetaData, String, Table, Text, UniqueConstraint, func,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.common.outbox import define_inbox

metadata = MetaData()

SERIES_KEY = ("unit", "kind", "work_year")

series = Table(
    "series", metadata,
    Column("unit", String(16), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("work_year", Integer, primary_key=True),
    # Highest number that allocate has handed out or stepped over.
    Column("last_allocated", Integer, nullable=False, server_default="0"),
    # Highest number present in `numbers` for this series.
    Column("highest", Integer, nullable=False, server_default="0"),
    Column("ledger_length", Integer, nullable=False, server_default="0"),
    Column("ledger_head", String(64), nullable=False, server_default=""),
)

numbers = Table(
    "numbers", metadata,
    Column("unit", String(16), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("work_year", Integer, primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("request_id", String(128), unique=True),
    Column("arguments", JSONB, nullable=False),
    Column("reason", Text),
    Column("decision_id", String(128)),
    Column("bound_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
    CheckConstraint("number >= 1", name="numbers_positive"),
    CheckConstraint(
        "status IN ('allocated', 'claimed', 'voided')", name="numbers_status"
    ),
    ForeignKeyConstraint(SERIES_KEY, [f"series.{c}" for c in SERIES_KEY]),
)

ledger = Table(
    "ledger", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("unit", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("work_year", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("number", Integer, nullable=False),
    Column("request_id", String(128)),
    Column("reason", Text),
    Column("recorded_at", String(40), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint(*SERIES_KEY, "position", name="ledger_series_position"),
)

processed_events = define_inbox(metadata)
