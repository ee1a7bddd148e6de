"""points tender functions (PostgreSQL)

The checkout's hot path as two functions, so a hold and a capture are one statement each on
PostgreSQL (ADR 0092). They take only the common case — the member is active, the points are
there, the key is new, the hold is open — and return NULL (hold) or no row (capture)
otherwise: the Python path in ``loyalty.service.redeem`` then does the same step with every
case handled. Both paths keep ``sum(entries) == sum(lots.remaining)`` and the lots' ``held``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: The usable lots with points free; ``remaining > 0`` lets the planner use the partial index
#: ``ix_point_lots_open`` (``remaining > held`` alone would scan every lot).
USABLE = """member_id = p_member AND remaining > 0 AND remaining > held AND available_at <= p_now
          AND (expires_at IS NULL OR expires_at > p_now)"""

HOLD = f"""
CREATE OR REPLACE FUNCTION omohub_points_hold(
    p_member bigint, p_points integer, p_key varchar, p_channel varchar, p_actor varchar,
    p_now timestamptz, p_expires timestamptz
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_hold bigint;
    v_left integer := p_points;
    v_take integer;
    r record;
BEGIN
    -- the account lock, as loyalty.repository.lock_account takes it
    PERFORM 1 FROM members WHERE id = p_member AND status = 'active' FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;  -- merged, gone or unknown
    END IF;
    IF (SELECT coalesce(sum(remaining - held), 0) FROM point_lots WHERE {USABLE}) < p_points THEN
        RETURN NULL;  -- a retry, expired holds to release first, or not enough
    END IF;
    INSERT INTO point_holds (member_id, key, points, status, channel, actor, expires_at, created_at)
    VALUES (p_member, p_key, p_points, 'held', p_channel, p_actor, p_expires, p_now)
    ON CONFLICT (key) DO NOTHING
    RETURNING id INTO v_hold;
    IF v_hold IS NULL THEN
        RETURN NULL;  -- the key was used before
    END IF;
    -- loyalty.rules.plan_take: soonest expiry first, never-expiring last, then by id
    FOR r IN SELECT id, remaining - held AS free FROM point_lots WHERE {USABLE}
             ORDER BY expires_at IS NULL, expires_at, id
    LOOP
        v_take := least(r.free, v_left);
        INSERT INTO point_allocations (lot_id, hold_id, points) VALUES (r.id, v_hold, v_take);
        UPDATE point_lots SET held = held + v_take WHERE id = r.id;
        v_left := v_left - v_take;
        EXIT WHEN v_left = 0;
    END LOOP;
    RETURN v_hold;
END $$;
"""

CAPTURE = """
CREATE OR REPLACE FUNCTION omohub_points_capture(p_hold bigint, p_order bigint, p_now timestamptz)
RETURNS SETOF point_holds
LANGUAGE plpgsql AS $$
DECLARE
    v_member bigint;
    v_row point_holds;
    v_entry bigint;
BEGIN
    SELECT member_id INTO v_member FROM point_holds WHERE id = p_hold;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM 1 FROM members WHERE id = v_member AND status = 'active' FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;  -- a merge moved the hold meanwhile
    END IF;
    -- after the lock, a new snapshot: what a twin committed is seen
    UPDATE point_holds SET status = 'captured', order_id = p_order, closed_at = p_now
     WHERE id = p_hold AND status = 'held' AND expires_at > p_now AND member_id = v_member
     RETURNING * INTO v_row;
    IF NOT FOUND THEN
        RETURN;  -- captured, released, expired or moved
    END IF;
    INSERT INTO point_entries (member_id, kind, points, key, order_id, reason, actor, detail, at)
    VALUES (v_member, 'redeem', -v_row.points, 'capture:' || p_hold, p_order, '', v_row.actor,
            '{}'::jsonb, p_now)
    RETURNING id INTO v_entry;
    UPDATE point_holds SET entry_id = v_entry WHERE id = p_hold;
    WITH taken AS (
        UPDATE point_allocations SET entry_id = v_entry
         WHERE hold_id = p_hold AND entry_id IS NULL
         RETURNING lot_id, points
    )
    UPDATE point_lots l SET held = l.held - taken.points, remaining = l.remaining - taken.points
      FROM taken WHERE l.id = taken.lot_id;
    v_row.entry_id := v_entry;
    RETURN NEXT v_row;
END $$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite runs the Python path only
    op.execute(HOLD)
    op.execute(CAPTURE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS omohub_points_capture(bigint, bigint, timestamptz)")
    op.execute(
        "DROP FUNCTION IF EXISTS omohub_points_hold(bigint, integer, varchar, varchar, varchar,"
        " timestamptz, timestamptz)"
    )
