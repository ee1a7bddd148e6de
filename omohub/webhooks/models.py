from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omohub.core.db import Base, BigId, Json


class Subscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    topics: Mapped[list[str]] = mapped_column(Json)
    description: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]


#: A delivery's life: pending → delivered, or pending → failed after the last attempt, or
#: pending → cancelled when its subscription is deactivated. Redelivery makes it pending again.
STATUSES = ("pending", "delivered", "failed", "cancelled")


class Delivery(Base):
    """One event for one subscription; ``attempts`` also fences a worker whose lease ran out."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    outbox_id: Mapped[int] = mapped_column(BigInteger)
    topic: Mapped[str] = mapped_column(String(100))
    body: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    delivered_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("outbox_id", "subscription_id"),
        # With id the index yields rows in claim order: LIMIT stops early, no sort of the backlog.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at", "id"),
        Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),
    )
