"""data versions: one token row per cached kind of data (catalog, stores, loyalty, promotions)

Replaces ``promotion_state`` (its token moves to the ``promotions`` row), so the hot path reads
every token in one statement (ADR 0094).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import op

import omohub.core.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NAMES = ("catalog", "stores", "loyalty", "promotions")


def upgrade() -> None:
    versions = op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("changed_at", omohub.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    now = dt.datetime.now(dt.UTC)
    state = sa.table("promotion_state", sa.column("id"), sa.column("token"))
    kept = op.get_bind().execute(sa.select(state.c.token).where(state.c.id == 1)).scalar()
    rows = [{"name": n, "token": uuid.uuid4().hex, "changed_at": now} for n in NAMES]
    for row in rows:
        if row["name"] == "promotions" and kept:
            row["token"] = kept
    op.bulk_insert(versions, rows)
    op.drop_table("promotion_state")


def downgrade() -> None:
    state = op.create_table(
        "promotion_state",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("changed_at", omohub.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotion_state")),
    )
    op.bulk_insert(state, [{"id": 1, "token": uuid.uuid4().hex, "changed_at": dt.datetime.now(dt.UTC)}])
    op.drop_table("data_versions")
