"""The customer 360 as the API returns it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from omohub.members.schemas import MemberOut


class ChannelStats(BaseModel):
    orders: int
    spend: int
    refunded: int
    net_spend: int
    last_order_at: dt.datetime | None


class PurchaseLine(BaseModel):
    sku: str
    product: str
    size: str
    color: str
    quantity: int
    line_total: int
    returned_quantity: int


class Purchase(BaseModel):
    order_id: int
    channel: str
    store: str | None
    ordered_at: dt.datetime
    business_date: dt.date
    total: int
    refunded_total: int
    status: str
    lines: list[PurchaseLine]


class ViewedProduct(BaseModel):
    product_ref: str
    name: str | None
    viewed_at: dt.datetime
    channel: str | None


class TimelineItem(BaseModel):
    at: dt.datetime
    kind: str
    summary: str
    detail: dict[str, Any] = {}


class Profile360(BaseModel):
    member: MemberOut
    currency: str
    online: ChannelStats
    offline: ChannelStats
    lifetime_net_spend: int
    home_store: str | None
    last_purchases: list[Purchase]
    recently_viewed: list[ViewedProduct]
    timeline: list[TimelineItem]
    masked: bool
