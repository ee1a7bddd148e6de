"""API shapes of checkout: the cart the POS or web shop sends, and the priced answer."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from omohub.orders.schemas import Channel, MemberRef, Text


class CartLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Text = Field(min_length=1, max_length=80, description="SKU code or barcode")
    quantity: int = Field(gt=0, le=10_000)
    unit_price: int | None = Field(None, ge=0, le=100_000_000, description="Default: the SKU's list price")


class CartIn(BaseModel):
    """A cart to price, from any channel. The same cart prices the same at the till and online."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    store_code: Text | None = Field(None, max_length=40, description="Required for pos")
    member: MemberRef | None = Field(None, description="Any one identifier; none for a walk-in")
    lines: list[CartLineIn] = Field(min_length=1, max_length=200)
    coupons: list[Text] = Field(default_factory=list, max_length=10, description="Coupon codes presented")
    points: int = Field(0, ge=0, le=100_000_000, description="Points to redeem (held until the order)")
    quote: bool = Field(True, description="False: a preview only (no quote, nothing reserved)")


class WhyOut(BaseModel):
    """The reason as data, for any language: ``code`` is the promotion kind, ``args`` the
    figures its sentence names (money in whole dollars: spend, min_spend, off, price, was;
    ``bp`` basis points; units, times, size, quantity; sku_id)."""

    code: str
    args: dict[str, int]


class AdjustmentOut(BaseModel):
    promotion_id: int
    name: str
    amount: int
    reason: str = Field(description='In English, e.g. "buy_x_get_y: 1 unit at 50% off"')
    why: WhyOut


class PricedLineOut(BaseModel):
    line_no: int
    sku: str
    quantity: int
    list_unit_price: int = Field(description="The price sent, or the list price")
    unit_price: int = Field(description="After a tier or member price")
    list_amount: int
    discount: int
    total: int
    explanation: list[AdjustmentOut] = Field(description="Why the line costs what it costs")


class AppliedOut(BaseModel):
    promotion_id: int
    name: str
    kind: str
    amount: int
    coupon: str | None


class GiftOut(BaseModel):
    promotion_id: int
    name: str
    sku: str
    quantity: int
    reason: str
    why: WhyOut


class PointsUse(BaseModel):
    redeem: int
    worth: int
    hold_id: int | None


class OrderLineHint(BaseModel):
    """What ``POST /api/v1/orders`` must send for this quote, line by line (gifts at price 0)."""

    sku: str
    quantity: int
    unit_price: int
    line_discount: int


class CartOut(BaseModel):
    quote_id: str | None
    expires_at: dt.datetime | None
    channel: str
    store_code: str | None
    member_id: int | None
    tier: str | None
    free_shipping: bool = Field(False, description="The member's tier ships free (a tier benefit)")
    lines: list[PricedLineOut]
    applied: list[AppliedOut]
    gifts: list[GiftOut]
    coupons_unused: list[str] = Field(description="Valid codes that gave nothing on this cart")
    subtotal: int
    discount_total: int
    total: int
    points: PointsUse
    amount_due: int = Field(description="total less what the points pay")
    points_earned: int = Field(description="Points this order would earn (pending through the return window)")
    order_lines: list[OrderLineHint]
