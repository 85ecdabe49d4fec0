"""Registers, register rows, row notes, cursors and processed events.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "registers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("form", sa.String(2), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("work_year", sa.Integer, nullable=False),
        sa.Column("last_stt", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("form", "unit", "work_year", name="registers_key"),
    )
    op.create_table(
        "register_rows",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("register_id", sa.Integer, sa.ForeignKey("registers.id"),
                  nullable=False),
        sa.Column("stt", sa.Integer, nullable=False),
        sa.Column("event_id", postgresql.UUID(as_uuid=False), nullable=False,
                  unique=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("entry_date", sa.Date, nullable=False),
        sa.Column("data", postgresql.JSONB, nullable=False),
        sa.Column("party_search", sa.Text, nullable=False, server_default=""),
        sa.Column("judgment_search", sa.String(256)),
        sa.Column("decision_display", sa.String(128)),
        sa.Column("decision_number", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint("stt >= 1", name="register_rows_stt_positive"),
        sa.UniqueConstraint("register_id", "stt", name="register_rows_stt"),
    )
    op.create_index("register_rows_entry_date", "register_rows",
                    ["register_id", "entry_date"])
    op.create_index("register_rows_subject", "register_rows",
                    ["subject_type", "subject_id"])
    op.create_table(
        "row_notes",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", postgresql.UUID(as_uuid=False), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("noted_on", sa.Date, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", postgresql.JSONB, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("event_id", "subject_type", "subject_id", "kind",
                            name="row_notes_event"),
    )
    op.create_index("row_notes_subject", "row_notes",
                    ["subject_type", "subject_id"])
    op.create_table(
        "cursors",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("last_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", postgresql.UUID(as_uuid=False), primary_key=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )


def downgrade():
    for table in ("processed_events", "cursors", "row_notes", "register_rows",
                  "registers"):
        op.drop_table(table)
