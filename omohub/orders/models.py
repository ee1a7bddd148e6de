from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omohub.core.db import Base, BigId, Json

ORDER_CHANNELS = ("pos", "web", "app", "line", "marketplace", "delivery")
ONLINE_CHANNELS = frozenset({"web", "app", "line", "marketplace", "delivery"})
ORDER_STATUSES = ("completed", "partially_refunded", "refunded")


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(80))
    external_id: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(20))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), info={"rehome": True})
    status: Mapped[str] = mapped_column(String(20), default="completed")
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int]
    discount_total: Mapped[int]
    total: Mapped[int]
    refunded_total: Mapped[int] = mapped_column(default=0)
    ordered_at: Mapped[dt.datetime]
    business_date: Mapped[dt.date] = mapped_column(Date)
    einvoice_type: Mapped[str | None] = mapped_column(String(20))
    einvoice_value: Mapped[str | None] = mapped_column(String(20))
    meta: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    #: SHA-256 of the request that created it: a retry must send the same body.
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # the console finds an order by the selling system's number, whatever the source
        Index("ix_orders_external_id", "external_id"),
        Index("ix_orders_member", "member_id", "ordered_at"),
        Index("ix_orders_store_date", "store_id", "business_date"),
        Index("ix_orders_ordered_at", "ordered_at"),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    line_no: Mapped[int]
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    quantity: Mapped[int]
    unit_price: Mapped[int]
    line_discount: Mapped[int] = mapped_column(default=0)
    #: This line's share of the order-level discount (largest-remainder allocation).
    order_discount: Mapped[int] = mapped_column(default=0)
    #: What was paid for the line: quantity * unit_price - line_discount - order_discount.
    line_total: Mapped[int]
    returned_quantity: Mapped[int] = mapped_column(default=0)
    refunded_amount: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        Index("ix_order_lines_sku", "sku_id"),
    )


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    tender: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int]
    reference: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (Index("ix_payments_order", "order_id"),)


class Return(Base):
    """A return of some lines of one order, in any channel or store."""

    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    #: The caller's Idempotency-Key header or external_id; unique per order.
    idempotency_key: Mapped[str] = mapped_column(String(160))
    source: Mapped[str] = mapped_column(String(80))
    request_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    refund_total: Mapped[int]
    reason: Mapped[str] = mapped_column(String(300), default="")
    refunds: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    returned_at: Mapped[dt.datetime]
    business_date: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("order_id", "idempotency_key"),)


class ReturnLine(Base):
    __tablename__ = "return_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    quantity: Mapped[int]
    refund_amount: Mapped[int]

    __table_args__ = (Index("ix_return_lines_return", "return_id"),)
