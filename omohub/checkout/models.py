from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from omohub.core.db import Base, Json


class Quote(Base):
    """A priced cart, good until ``expires_at``, consumed by at most one order."""

    __tablename__ = "quotes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), info={"rehome": True})
    #: The priced cart as returned (``CartOut``), and the order lines it expects.
    result: Mapped[dict[str, Any]] = mapped_column(Json)
    total: Mapped[int]
    points: Mapped[int] = mapped_column(default=0)
    points_worth: Mapped[int] = mapped_column(default=0)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("point_holds.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_quotes_created", "created_at"),)
