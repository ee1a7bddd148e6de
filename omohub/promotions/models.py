"""Promotion and coupon tables. Targets and scopes are stored by id (codes are for the API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from omohub.core.db import Base, BigId, Json

STATUSES = ("active", "paused", "ended")


class Promotion(Base):
    __tablename__ = "promotions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    kind: Mapped[str] = mapped_column(String(20))
    #: The kind's parameters in engine form (SKU ids, not codes).
    params: Mapped[dict[str, Any]] = mapped_column(Json)
    #: ``{"all": bool, "skus": [ids], "products": [ids], "categories": [names]}``
    target: Mapped[dict[str, Any]] = mapped_column(Json)
    priority: Mapped[int] = mapped_column(default=0)
    stacking: Mapped[str] = mapped_column(String(12), default="stackable")
    channels: Mapped[list[str]] = mapped_column(Json, default=list)
    store_ids: Mapped[list[int]] = mapped_column(Json, default=list)
    audience: Mapped[str] = mapped_column(String(12), default="all")
    tiers: Mapped[list[str]] = mapped_column(Json, default=list)
    starts_at: Mapped[dt.datetime | None]
    ends_at: Mapped[dt.datetime | None]
    coupon: Mapped[bool] = mapped_column(default=False)
    #: ``welcome`` (a coupon for every new member) or ``birthday`` (one a year, in the month).
    auto_issue: Mapped[str | None] = mapped_column(String(12))
    max_uses: Mapped[int | None]
    max_uses_per_member: Mapped[int | None]
    budget: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)
    spent: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_promotions_updated", "updated_at"),)


class Coupon(Base):
    """A code that unlocks a coupon promotion: anyone's (``member_id`` NULL) or one member's."""

    __tablename__ = "coupons"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions.id"))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), info={"rehome": True})
    max_uses: Mapped[int] = mapped_column(default=1)
    uses: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[dt.datetime | None]
    valid_until: Mapped[dt.datetime | None]
    source: Mapped[str] = mapped_column(String(12), default="single")
    #: What issued it, for idempotent issuing (``welcome:<member>``, ``birthday:<member>:<year>``).
    issue_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    issued_at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_coupons_member", "member_id", postgresql_where=text("member_id IS NOT NULL")),
        Index("ix_coupons_promotion", "promotion_id"),
    )


class CouponUse(Base):
    """A coupon reserved by a quote (until it expires) or used by an order."""

    __tablename__ = "coupon_uses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), info={"rehome": True})
    quote_id: Mapped[str | None] = mapped_column(String(40))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    status: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[dt.datetime | None]
    at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_coupon_uses_coupon", "coupon_id", "status"),
        Index("ix_coupon_uses_quote", "quote_id"),
    )


class PromotionUse(Base):
    """One order's use of a promotion (usage caps, budgets and reports count these)."""

    __tablename__ = "promotion_uses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), info={"rehome": True})
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    amount: Mapped[int]
    at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_promotion_uses_member", "member_id", "promotion_id"),
        Index("ix_promotion_uses_promotion", "promotion_id"),
    )
