"""Number series, numbers, ledger and processed events.

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
        "series",
        sa.Column("unit", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("work_year", sa.Integer, primary_key=True),
        sa.Column("last_allocated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("highest", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ledger_length", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ledger_head", sa.String(64), nullable=False, server_default=""),
    )
    op.create_table(
        "numbers",
        sa.Column("unit", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("work_year", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(128), unique=True),
        sa.Column("arguments", postgresql.JSONB, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("decision_id", sa.String(128)),
        sa.Column("bound_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint("number >= 1", name="numbers_positive"),
        sa.CheckConstraint("status IN ('allocated', 'claimed', 'voided')",
                           name="numbers_status"),
        sa.ForeignKeyConstraint(
            ["unit", "kind", "work_year"],
            ["series.unit", "series.kind", "series.work_year"],
        ),
    )
    op.create_table(
        "ledger",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("work_year", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("request_id", sa.String(128)),
        sa.Column("reason", sa.Text),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("unit", "kind", "work_year", "position",
                            name="ledger_series_position"),
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
    for table in ("processed_events", "ledger", "numbers", "series"):
        op.drop_table(table)
