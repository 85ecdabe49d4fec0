"""Tables of the decisions service.

`records` holds what a unit receives (judgments, enforcement requests,
entrustment decisions), each entered once. `decisions` holds drafts and
issued decisions; an issued decision is never updated except to record
that a later decision revoked or amended it. `history` keeps every
workflow step with its actor.
"""
from sqlalchemy import (
    Boolean, Column, Date, DateTime, Index, Integer, LargeBinary, MetaData,
    String, Table, Text, UniqueConstraint, func,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.common.outbox import define_inbox, define_outbox

metadata = MetaData()

records = Table(
    "records", metadata,
    Column("id", String(36), primary_key=True),
    Column("record_type", String(16), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("office", String(16)),
    Column("work_year", Integer, nullable=False),
    Column("received_on", Date, nullable=False),
    # issuing body, number and date of a judgment; null for other records
    Column("dedupe_key", Text),
    Column("request_id", String(128), unique=True),
    Column("data", JSONB, nullable=False),
    Column("warnings", JSONB, nullable=False, server_default="[]"),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
    UniqueConstraint("unit", "record_type", "dedupe_key", name="records_once"),
)
Index("records_unit_year", records.c.unit, records.c.work_year)

decisions = Table(
    "decisions", metadata,
    Column("id", String(36), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("office", String(16)),
    Column("decision_kind", String(32), nullable=False),
    Column("mode", String(16)),
    Column("status", String(16), nullable=False),
    Column("judgment_record_id", String(36)),
    Column("request_record_id", String(36)),
    Column("entrustment_record_id", String(36)),
    Column("related_decision_id", String(36)),
    Column("content", JSONB, nullable=False),
    Column("deadline", Date),
    Column("deadline_rule", Text),
    Column("late_reason", Text),
    Column("check_overrides", JSONB, nullable=False, server_default="{}"),
    Column("officer", String(64)),
    Column("signer", JSONB),
    Column("issued_at", DateTime(timezone=True)),
    Column("issued_on", Date),
    Column("work_year", Integer),
    Column("number", Integer),
    Column("display", String(64)),
    Column("on_paper", Boolean, nullable=False, server_default="false"),
    Column("paper_number", Integer),
    Column("pdf", LargeBinary),
    Column("pdf_sha256", String(64)),
    Column("revoked_by", String(36)),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("request_id", String(128), unique=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
    UniqueConstraint("unit", "work_year", "number", name="decisions_number_once"),
)
Index("decisions_unit_status", decisions.c.unit, decisions.c.status)

history = Table(
    "history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", String(36), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("note", Text),
    Column("at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
)

fallback_windows = Table(
    "fallback_windows", metadata,
    Column("fault_id", String(64), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
)

outbox = define_outbox(metadata)
processed_events = define_inbox(metadata)
