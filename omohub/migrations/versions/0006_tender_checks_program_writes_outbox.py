"""points tender: the hold checks the program's version, the capture writes its outbox row

Two round trips fewer per redemption on PostgreSQL (ADR 0095):

- ``omohub_points_hold`` takes the loyalty program's version token the caller priced the hold
  with (its cached settings: hold time, minimum and maximum) and returns 0, having written
  nothing, when ``data_versions`` holds another: the caller then reads the program again. So a
  hold no longer reads the version tokens first.
- ``omohub_points_capture`` writes the ``loyalty.points_redeemed`` outbox row in the same
  statement. The caller sends the event (topic, version, payload); the function adds the two
  facts only it knows, ``member_id`` and ``points``, from the hold it captured.

The capture also reads and writes the hold, and each lot, by primary key only, and updates the
hold once. 0004's guarded ``UPDATE … WHERE status = 'held' AND expires_at > now`` could be
planned as a scan of every open hold, and its lots update (a join with the settled allocations)
was, once the function's plan went generic on tables without fresh statistics, a hash join over
every lot: 2 ms a capture, a third of the throughput (seen with ``auto_explain``). Otherwise the
functions are 0004's: they take only the common case and decline
otherwise, and ``loyalty.service.redeem`` does the step on its Python path.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 03:00:00
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _revision_0004() -> ModuleType:
    path = Path(__file__).with_name("0004_points_tender_functions.py")
    spec = importlib.util.spec_from_file_location("omohub_migration_0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_PREVIOUS = _revision_0004()
#: The usable lots with points free, as 0004 defined them (and as the index test checks them).
USABLE: str = _PREVIOUS.USABLE

HOLD = f"""
CREATE FUNCTION omohub_points_hold(
    p_member bigint, p_points integer, p_key varchar, p_channel varchar, p_actor varchar,
    p_now timestamptz, p_expires timestamptz, p_program varchar
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_hold bigint;
    v_left integer := p_points;
    v_take integer;
    r record;
BEGIN
    -- the caller's settings are the program's now, or it reads them again
    IF p_program IS DISTINCT FROM (SELECT token FROM data_versions WHERE name = 'loyalty') THEN
        RETURN 0;
    END IF;
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
CREATE FUNCTION omohub_points_capture(
    p_hold bigint, p_order bigint, p_now timestamptz, p_topic varchar, p_version integer, p_payload jsonb
) RETURNS SETOF point_holds
LANGUAGE plpgsql AS $$
DECLARE
    v_member bigint;
    v_row point_holds;
    v_entry bigint;
    r record;
BEGIN
    SELECT member_id INTO v_member FROM point_holds WHERE id = p_hold;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM 1 FROM members WHERE id = v_member AND status = 'active' FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;  -- a merge moved the hold meanwhile
    END IF;
    -- after the lock, a new snapshot: what a twin committed is seen. Only primary-key reads
    -- and writes below: a predicate on status or expiry can lead the planner to scan every
    -- open hold (or every open allocation), and abandoned checkouts keep thousands open.
    SELECT * INTO v_row FROM point_holds WHERE id = p_hold;
    IF v_row.status <> 'held' OR v_row.expires_at <= p_now OR v_row.member_id <> v_member THEN
        RETURN;  -- captured, released, expired or moved
    END IF;
    INSERT INTO point_entries (member_id, kind, points, key, order_id, reason, actor, detail, at)
    VALUES (v_member, 'redeem', -v_row.points, 'capture:' || p_hold, p_order, '', v_row.actor,
            '{}'::jsonb, p_now)
    ON CONFLICT (key) DO NOTHING
    RETURNING id INTO v_entry;
    IF v_entry IS NULL THEN
        RETURN;  -- captured by a twin (the entry's key is the last word)
    END IF;
    UPDATE point_holds SET status = 'captured', order_id = p_order, closed_at = p_now, entry_id = v_entry
     WHERE id = p_hold
     RETURNING * INTO v_row;
    -- an open hold's allocations are all unsettled: they are settled here, as it closes; each
    -- lot by its key (0004's join could be planned as a hash join over every lot)
    FOR r IN UPDATE point_allocations SET entry_id = v_entry WHERE hold_id = p_hold
             RETURNING lot_id, points
    LOOP
        UPDATE point_lots SET held = held - r.points, remaining = remaining - r.points WHERE id = r.lot_id;
    END LOOP;
    -- core.outbox.emit's row, with the facts only this function knows
    INSERT INTO outbox (topic, version, payload, occurred_at, attempts)
    VALUES (p_topic, p_version,
            p_payload || jsonb_build_object('member_id', v_member, 'points', v_row.points), p_now, 0);
    RETURN NEXT v_row;
END $$;
"""

OLD_HOLD = "omohub_points_hold(bigint, integer, varchar, varchar, varchar, timestamptz, timestamptz)"
OLD_CAPTURE = "omohub_points_capture(bigint, bigint, timestamptz)"
NEW_HOLD = OLD_HOLD.replace("timestamptz)", "timestamptz, varchar)")
NEW_CAPTURE = "omohub_points_capture(bigint, bigint, timestamptz, varchar, integer, jsonb)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite runs the Python path only
    op.execute(f"DROP FUNCTION IF EXISTS {OLD_HOLD}")
    op.execute(f"DROP FUNCTION IF EXISTS {OLD_CAPTURE}")
    op.execute(HOLD)
    op.execute(CAPTURE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {NEW_HOLD}")
    op.execute(f"DROP FUNCTION IF EXISTS {NEW_CAPTURE}")
    op.execute(_PREVIOUS.HOLD)
    op.execute(_PREVIOUS.CAPTURE)

