"""Loyalty tables. The ledger is append-only; a member's balance is the sum of its entries.

Lots are where points live between earning and spending: each earning makes a lot with its
own expiry; spending, expiring and reversing take from lots and record which (allocations),
so ``sum(entries) == sum(lot.remaining)`` per member is the invariant ``omohub loyalty check``
proves. Rows that belong to a member follow it on merge (``info={"rehome": True}``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from omohub.core.db import Base, BigId, Json

ENTRY_KINDS = ("earn", "redeem", "expire", "adjust", "reverse")
HOLD_STATES = ("held", "captured", "released")


class Program(Base):
    """The brand's one loyalty program (a single row, id 1); ``settings`` per ``ProgramSettings``."""

    __tablename__ = "loyalty_program"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(Json)
    updated_at: Mapped[dt.datetime]


class EarnRule(Base):
    """Extra points on top of the base rate, for a channel/store/category/tier/birthday/first order."""

    __tablename__ = "earn_rules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    #: ``RuleSpec`` as JSON: kind (rate|bonus), amounts and conditions.
    spec: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[dt.datetime]


class Tier(Base):
    __tablename__ = "tiers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Rolling spend (or points) over the program's window needed to reach the tier.
    threshold: Mapped[int]
    #: Benefits as data: earn_multiplier_bp, free_shipping, birthday_coupon_promotion_id …
    benefits: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class MemberTier(Base):
    """The member's current tier. Not rehomed: a merge re-evaluates the survivor instead."""

    __tablename__ = "member_tiers"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tier_code: Mapped[str] = mapped_column(String(40))
    since: Mapped[dt.datetime]
    #: Downgrades happen only at this date (upgrades at once).
    review_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_member_tiers_review", "review_at"),)


class TierChange(Base):
    __tablename__ = "tier_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    from_tier: Mapped[str | None] = mapped_column(String(40))
    to_tier: Mapped[str | None] = mapped_column(String(40))
    basis: Mapped[int]
    reason: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_tier_changes_member", "member_id", "id"),)


class PointEntry(Base):
    """One line of the ledger. ``points`` is signed; ``key`` makes every writer idempotent."""

    __tablename__ = "point_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), info={"rehome": True})
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int]
    key: Mapped[str] = mapped_column(String(200), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    actor: Mapped[str] = mapped_column(String(120), default="system")
    detail: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_point_entries_member", "member_id", "id"),
        Index("ix_point_entries_order", "order_id"),
    )


class PointLot(Base):
    """Points earned together: usable from ``available_at``, gone at ``expires_at``."""

    __tablename__ = "point_lots"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), info={"rehome": True})
    entry_id: Mapped[int] = mapped_column(ForeignKey("point_entries.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    points: Mapped[int]
    remaining: Mapped[int]
    #: Reserved by open holds; never more than ``remaining``.
    held: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]

    @property
    def free(self) -> int:
        """What can still be taken: what is left less what open holds reserve."""
        return self.remaining - self.held

    __table_args__ = (
        Index(
            "ix_point_lots_open",
            "member_id",
            "expires_at",
            postgresql_where=text("remaining > 0"),
            sqlite_where=text("remaining > 0"),
        ),
        Index(
            "ix_point_lots_expiring",
            "expires_at",
            postgresql_where=text("remaining > 0"),
            sqlite_where=text("remaining > 0"),
        ),
        Index("ix_point_lots_order", "order_id"),
    )


class PointAllocation(Base):
    """How many points an entry (or an open hold) took from which lot."""

    __tablename__ = "point_allocations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("point_lots.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("point_entries.id"))
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("point_holds.id"))
    points: Mapped[int]

    __table_args__ = (
        Index("ix_point_allocations_entry", "entry_id"),
        Index("ix_point_allocations_hold", "hold_id"),
        Index("ix_point_allocations_lot", "lot_id"),
    )


class PointHold(Base):
    """Points reserved for a checkout: captured when the order completes, or released."""

    __tablename__ = "point_holds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), info={"rehome": True})
    key: Mapped[str] = mapped_column(String(200), unique=True)
    points: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="held")
    channel: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("point_entries.id"))

    __table_args__ = (
        Index(
            "ix_point_holds_open",
            "expires_at",
            postgresql_where=text("status = 'held'"),
            sqlite_where=text("status = 'held'"),
        ),
        Index("ix_point_holds_member", "member_id"),
    )
