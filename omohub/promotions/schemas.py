"""API shapes of the promotions domain. SKUs, products and stores are named by code here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from omohub.orders.schemas import Channel, MemberRef, Text

Kind = Literal[
    "percent_off", "amount_off", "threshold", "buy_x_get_y", "bundle_price", "price_override", "gift"
]
Stacking = Literal["exclusive", "stackable", "best"]
Audience = Literal["all", "members", "tiers", "birthday"]
Money = Annotated[int, Field(ge=0, le=100_000_000)]
BasisPoints = Annotated[int, Field(ge=1, le=10_000, description="10% = 1000")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PercentOffIn(_Strict):
    bp: BasisPoints


class AmountOffIn(_Strict):
    amount: Annotated[int, Field(ge=1, le=100_000_000)]


class StepIn(_Strict):
    min_spend: Annotated[int, Field(ge=1, le=100_000_000)]
    amount_off: Money = 0
    bp: Annotated[int, Field(ge=0, le=10_000)] = 0

    @model_validator(mode="after")
    def _one(self) -> StepIn:
        if bool(self.amount_off) == bool(self.bp):
            raise ValueError("give either amount_off or bp for each step")
        return self


class ThresholdIn(_Strict):
    steps: list[StepIn] = Field(min_length=1, max_length=10)
    repeat: bool = Field(False, description="每滿: per whole min_spend (one step only)")


class BuyXGetYIn(_Strict):
    buy: Annotated[int, Field(ge=1, le=100)]
    get: Annotated[int, Field(ge=1, le=100)]
    bp: BasisPoints = Field(10_000, description="Off the 'get' units: 5000 = half price, 10000 = free")


class BundlePriceIn(_Strict):
    size: Annotated[int, Field(ge=2, le=100)]
    price: Annotated[int, Field(ge=1, le=100_000_000)]


class PriceOverrideIn(_Strict):
    prices: dict[Text, Money] = Field(default_factory=dict, description="SKU code → unit price")
    price: Money | None = Field(None, description="One unit price for every targeted line")

    @model_validator(mode="after")
    def _some(self) -> PriceOverrideIn:
        if not self.prices and self.price is None:
            raise ValueError("give prices (per SKU code) or one price")
        return self


class GiftIn(_Strict):
    min_spend: Money
    gift_sku: Text = Field(min_length=1, max_length=80)
    quantity: Annotated[int, Field(ge=1, le=100)] = 1


PARAMS: dict[str, type[BaseModel]] = {
    "percent_off": PercentOffIn,
    "amount_off": AmountOffIn,
    "threshold": ThresholdIn,
    "buy_x_get_y": BuyXGetYIn,
    "bundle_price": BundlePriceIn,
    "price_override": PriceOverrideIn,
    "gift": GiftIn,
}


class TargetIn(_Strict):
    """Which lines the promotion looks at: the whole order, or SKUs, products or categories."""

    all: bool = False
    skus: list[Text] = Field(default_factory=list, max_length=5000)
    products: list[Text] = Field(default_factory=list, max_length=5000)
    categories: list[Text] = Field(default_factory=list, max_length=500)


class PromotionIn(_Strict):
    """A promotion. Omnichannel by default: empty channels and stores mean every one."""

    name: Text = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=1000)
    kind: Kind
    params: dict[str, Any] = Field(description="The kind's parameters (see docs/promotions.md)")
    target: TargetIn
    priority: int = Field(0, ge=-1000, le=1000)
    stacking: Stacking = "stackable"
    channels: list[Channel] = Field(default_factory=list)
    stores: list[Text] = Field(default_factory=list, description="Store codes", max_length=2000)
    audience: Audience = "all"
    tiers: list[Text] = Field(default_factory=list)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    coupon: bool = Field(False, description="Applies only with one of its coupon codes")
    auto_issue: Literal["welcome", "birthday"] | None = Field(
        None, description="Issue a coupon to every new member, or to each member in their birthday month"
    )
    max_uses: int | None = Field(None, ge=1, description="Orders that may use it, in all")
    max_uses_per_member: int | None = Field(None, ge=1)
    budget: int | None = Field(None, ge=1, description="Total discount it may give, NT$")


class PromotionOut(PromotionIn):
    id: int
    status: Literal["active", "paused", "ended"]
    uses: int
    spent: int
    created_at: dt.datetime
    updated_at: dt.datetime


class StatusIn(_Strict):
    status: Literal["active", "paused", "ended"]


class CouponsIn(_Strict):
    """Issue coupons for a coupon promotion: one code, ``count`` unique codes, or into a wallet."""

    code: Text | None = Field(None, min_length=3, max_length=40, description="A shared code, e.g. WELCOME50")
    count: int | None = Field(None, ge=1, le=100_000, description="Bulk unique codes")
    prefix: Text = Field("", max_length=10)
    member: MemberRef | None = Field(None, description="Issue into this member's wallet")
    max_uses: int = Field(1, ge=1, le=1_000_000, description="Uses per code (1 = single use)")
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None


class CouponOut(BaseModel):
    code: str
    promotion_id: int
    promotion_name: str
    member_id: int | None
    max_uses: int
    uses: int
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    status: str
    usable: bool
    why_not: str | None = None


class IssuedOut(BaseModel):
    promotion_id: int
    issued: int
    codes: list[str]


class ChannelOnly(_Strict):
    channel: Channel
