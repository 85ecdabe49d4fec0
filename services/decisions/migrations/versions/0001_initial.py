"""Records, decisions, history, fallback windows, outbox and inbox

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('decisions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('office', sa.String(length=16), nullable=True),
    sa.Column('decision_kind', sa.String(length=32), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('judgment_record_id', sa.String(length=36), nullable=True),
    sa.Column('request_record_id', sa.String(length=36), nullable=True),
    sa.Column('entrustment_record_id', sa.String(length=36), nullable=True),
    sa.Column('related_decision_id', sa.String(length=36), nullable=True),
    sa.Column('content', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('deadline_rule', sa.Text(), nullable=True),
    sa.Column('late_reason', sa.Text(), nullable=True),
    sa.Column('check_overrides', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('officer', sa.String(length=64), nullable=True),
    sa.Column('signer', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('work_year', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('display', sa.String(length=64), nullable=True),
    sa.Column('on_paper', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('paper_number', sa.Integer(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('revoked_by', sa.String(length=36), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('request_id', sa.String(length=128), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id'),
    sa.UniqueConstraint('unit', 'work_year', 'number', name='decisions_number_once')
    )
    op.create_index('decisions_unit_status', 'decisions', ['unit', 'status'], unique=False)
    op.create_table('fallback_windows',
    sa.Column('fault_id', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('fault_id')
    )
    op.create_table('history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_history_decision_id'), 'history', ['decision_id'], unique=False)
    op.create_table('outbox',
    sa.Column('seq', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('schema_version', sa.BigInteger(), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('event_id')
    )
    op.create_index('outbox_pending', 'outbox', ['seq'], unique=False, postgresql_where=sa.text('sent_at IS NULL'))
    op.create_table('processed_events',
    sa.Column('event_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('record_type', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('office', sa.String(length=16), nullable=True),
    sa.Column('work_year', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('dedupe_key', sa.Text(), nullable=True),
    sa.Column('request_id', sa.String(length=128), nullable=True),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('warnings', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id'),
    sa.UniqueConstraint('unit', 'record_type', 'dedupe_key', name='records_once')
    )
    op.create_index('records_unit_year', 'records', ['unit', 'work_year'], unique=False)


def downgrade():
    op.drop_index('records_unit_year', table_name='records')
    op.drop_table('records')
    op.drop_table('processed_events')
    op.drop_index('outbox_pending', table_name='outbox', postgresql_where=sa.text('sent_at IS NULL'))
    op.drop_table('outbox')
    op.drop_index(op.f('ix_history_decision_id'), table_name='history')
    op.drop_table('history')
    op.drop_table('fallback_windows')
    op.drop_index('decisions_unit_status', table_name='decisions')
    op.drop_table('decisions')
