"""Allocate in one database round trip.

Revision ID: 0002
Revises: 0001

`numbering_allocate` does in the server what `series.allocate` did in
several statements: return the stored result of a known request id, or
lock the series row, step over claimed and voided numbers, store the
number, append the hash-chained ledger entry and move the series head.
The ledger text it hashes must match `ledger.entry_hash`.
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FUNCTION = r"""
CREATE FUNCTION numbering_allocate(
    p_unit text, p_kind text, p_year integer, p_request text,
    p_arguments jsonb, p_recorded_at text)
RETURNS TABLE (out_number integer, out_status text, out_arguments jsonb,
               out_reason text)
LANGUAGE plpgsql AS $$
DECLARE
    s series%ROWTYPE;
    known numbers%ROWTYPE;
    n integer;
    pos integer;
    digest text;
BEGIN
    SELECT * INTO known FROM numbers WHERE request_id = p_request;
    IF FOUND THEN
        RETURN QUERY SELECT known.number, known.status::text, known.arguments,
                            known.reason;
        RETURN;
    END IF;

    INSERT INTO series AS t (unit, kind, work_year)
    VALUES (p_unit, p_kind, p_year)
    ON CONFLICT (unit, kind, work_year) DO UPDATE SET unit = t.unit
    RETURNING * INTO s;

    -- Another call with this request id may have committed while this
    -- one waited for the series lock.
    SELECT * INTO known FROM numbers WHERE request_id = p_request;
    IF FOUND THEN
        RETURN QUERY SELECT known.number, known.status::text, known.arguments,
                            known.reason;
        RETURN;
    END IF;

    n := s.last_allocated + 1;
    IF s.highest >= n THEN
        WHILE EXISTS (
            SELECT 1 FROM numbers x
            WHERE x.unit = p_unit AND x.kind = p_kind
              AND x.work_year = p_year AND x.number = n
        ) LOOP
            n := n + 1;
        END LOOP;
    END IF;

    pos := s.ledger_length + 1;
    digest := encode(sha256(convert_to(concat_ws(E'\x1f',
        s.ledger_head, p_unit, p_kind, p_year::text, pos::text, 'allocated',
        n::text, p_request, '', p_recorded_at), 'UTF8')), 'hex');

    INSERT INTO numbers (unit, kind, work_year, number, status, request_id,
                         arguments)
    VALUES (p_unit, p_kind, p_year, n, 'allocated', p_request, p_arguments);
    INSERT INTO ledger (unit, kind, work_year, position, action, number,
                        request_id, reason, recorded_at, prev_hash, hash)
    VALUES (p_unit, p_kind, p_year, pos, 'allocated', n, p_request, NULL,
            p_recorded_at, s.ledger_head, digest);
    UPDATE series
       SET last_allocated = n, highest = greatest(highest, n),
           ledger_length = pos, ledger_head = digest
     WHERE unit = p_unit AND kind = p_kind AND work_year = p_year;

    RETURN QUERY SELECT n, 'allocated'::text, p_arguments, NULL::text;
END
$$;
"""


def upgrade():
    op.execute(FUNCTION)


def downgrade():
    op.execute("DROP FUNCTION numbering_allocate(text, text, integer, text, "
               "jsonb, text)")
