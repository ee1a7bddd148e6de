"""API shapes of the loyalty domain."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from omohub.loyalty.rules import ProgramSettings, RuleSpec
from omohub.orders.schemas import Channel, MemberRef, Text

__all__ = ["ProgramSettings", "RuleSpec"]


class EntryOut(BaseModel):
    id: int
    kind: Literal["earn", "redeem", "expire", "adjust", "reverse"]
    points: int
    order_id: int | None
    reason: str
    actor: str
    at: dt.datetime


class LotOut(BaseModel):
    id: int
    points: int
    remaining: int
    held: int
    available_at: dt.datetime
    expires_at: dt.datetime | None


class TierOut(BaseModel):
    code: str
    name: str
    threshold: int
    benefits: dict[str, Any]


class MemberTierOut(BaseModel):
    tier: TierOut | None
    since: dt.datetime | None
    review_at: dt.datetime | None
    basis: int = Field(description="Rolling spend (or points) over the window, all channels, net of returns")
    next_tier: TierOut | None
    to_next: int | None = Field(description="How much more reaches the next tier")


class PointsOut(BaseModel):
    """The member's points: what the POS and the web shop show at checkout."""

    member_id: int
    available: int = Field(description="Spendable now")
    held: int = Field(description="Reserved by open checkouts")
    pending: int = Field(description="Earned, usable after the return window")
    total: int = Field(description="The ledger sum")
    worth: int = Field(description="What the available points pay, in NT$")
    next_expiry: dt.datetime | None
    next_expiry_points: int
    tier: MemberTierOut
    lots: list[LotOut]
    entries: list[EntryOut]


class HoldIn(BaseModel):
    """Reserve points for a checkout. ``key`` makes retries safe (the same key, the same hold)."""

    model_config = ConfigDict(extra="forbid")

    member: MemberRef
    points: int = Field(gt=0, le=100_000_000)
    key: Text = Field(min_length=1, max_length=160, description="Idempotency key, e.g. the cart id")
    channel: Channel
    order_total: int | None = Field(None, ge=0, description="Checks the share points may pay")


class CaptureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: int | None = Field(None, ge=1, le=2**63 - 1)


class HoldOut(BaseModel):
    id: int
    member_id: int
    points: int
    worth: int
    status: Literal["held", "captured", "released"]
    channel: str
    expires_at: dt.datetime
    order_id: int | None


class AdjustIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: int = Field(ge=-10_000_000, le=10_000_000, description="Positive adds, negative removes")
    reason: Text = Field(min_length=1, max_length=300)
    key: Text = Field(min_length=1, max_length=160, description="Idempotency key")


class ProgramPatch(BaseModel):
    """Any subset of the program's settings; the result as a whole must be valid."""

    model_config = ConfigDict(extra="forbid")

    spend_unit: int | None = None
    points_per_unit: int | None = None
    pending_days: int | None = None
    expiry: Literal["end_of_next_year", "months", "never"] | None = None
    expiry_months: int | None = None
    redeem_points: int | None = None
    redeem_amount: int | None = None
    min_redeem_points: int | None = None
    max_redeem_points: int | None = None
    max_redeem_percent: int | None = None
    hold_minutes: int | None = None
    tier_basis: Literal["spend", "points"] | None = None
    tier_window_months: int | None = None
    tier_review_months: int | None = None


class EarnRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=120)
    spec: RuleSpec


class EarnRuleOut(BaseModel):
    id: int
    name: str
    active: bool
    spec: RuleSpec


class EarnRulePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool


class TierBenefits(BaseModel):
    """Benefits are data: the pricing engine and the earn rules read them."""

    model_config = ConfigDict(extra="forbid")

    earn_multiplier_bp: int = Field(10_000, ge=0, le=100_000, description="15000 = 1.5x base points")
    free_shipping: bool = False
    birthday_coupon_promotion_id: int | None = Field(None, ge=1)


class TierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=120)
    threshold: int = Field(ge=0, le=10**12)
    benefits: TierBenefits = Field(default_factory=TierBenefits)
