"""Pure loyalty rules: earning, expiry dates, which lots to spend, clawback, tiers, limits.

Plain functions on plain values, property-tested; the services feed them rows and write
back what they decide. All points and money are integers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from omohub.core.clock import add_months
from omohub.orders.rules import split


class ProgramSettings(BaseModel):
    """The program as the brand configures it (console: 點數設定)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spend_unit: int = Field(100, ge=1, le=1_000_000, description="Spend (NT$) that earns points_per_unit")
    points_per_unit: int = Field(1, ge=0, le=10_000, description="Base points per spend_unit spent")
    pending_days: int = Field(7, ge=0, le=365, description="Return window: earned points usable after it")
    expiry: Literal["end_of_next_year", "months", "never"] = Field(
        "end_of_next_year",
        description="When a lot expires: 31 Dec of the year after earning, N months, never",
    )
    expiry_months: int = Field(12, ge=1, le=120)
    redeem_points: int = Field(1, ge=1, le=100_000, description="This many points …")
    redeem_amount: int = Field(1, ge=1, le=100_000, description="… are worth this many NT$")
    min_redeem_points: int = Field(0, ge=0, description="Smallest redemption per order")
    max_redeem_points: int | None = Field(None, ge=1, description="Largest redemption per order")
    max_redeem_percent: int = Field(100, ge=1, le=100, description="Share of the order points may pay")
    hold_minutes: int = Field(30, ge=1, le=7 * 24 * 60, description="How long a checkout may reserve points")
    tier_basis: Literal["spend", "points"] = "spend"
    tier_window_months: int = Field(12, ge=1, le=60)
    tier_review_months: int = Field(12, ge=1, le=60)

    @model_validator(mode="after")
    def _limits(self) -> ProgramSettings:
        if self.max_redeem_points is not None and self.max_redeem_points < self.min_redeem_points:
            raise ValueError("max_redeem_points is below min_redeem_points")
        return self


class RuleSpec(BaseModel):
    """An earn rule: extra ``points`` per ``per`` NT$ (rate) or a fixed ``points`` (bonus)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["rate", "bonus"]
    points: int = Field(ge=1, le=1_000_000)
    per: int = Field(100, ge=1, le=1_000_000, description="Spend unit for rate rules")
    channels: frozenset[str] = frozenset()
    stores: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    birthday_month: bool = Field(False, description="Only in the member's birthday month")
    first_order: bool = Field(False, description="Only on the member's first order in the channel")


@dataclass(frozen=True)
class EarnLine:
    line_id: int
    category: str
    amount: int


@dataclass(frozen=True)
class Purchase:
    channel: str
    store_code: str | None
    tier: str | None
    birthday_month: bool
    first_in_channel: bool
    multiplier_bp: int = 10_000


@dataclass(frozen=True)
class Earned:
    total: int
    per_line: dict[int, int]
    why: list[tuple[str, int]] = field(default_factory=list)


def earn(
    lines: Sequence[EarnLine], buy: Purchase, program: ProgramSettings, rules: Iterable[tuple[str, RuleSpec]]
) -> Earned:
    """Points for a purchase: the base rate (times the tier multiplier) plus every matching rule.

    Each part is rounded down once on its whole spend, then spread over the lines it came
    from by amount, so a later return claws back exactly that line's share.
    """
    per_line = dict.fromkeys((ln.line_id for ln in lines), 0)
    why: list[tuple[str, int]] = []
    spend = sum(ln.amount for ln in lines)
    base = spend * program.points_per_unit * buy.multiplier_bp // (program.spend_unit * 10_000)
    _spread(per_line, lines, base, why, "base")
    for name, spec in rules:
        matched = [ln for ln in lines if _matches(spec, buy, ln)]
        if not matched:
            continue
        if spec.kind == "rate":
            points = sum(ln.amount for ln in matched) * spec.points // spec.per
        else:
            points = spec.points
        _spread(per_line, matched, points, why, name)
    return Earned(sum(per_line.values()), per_line, why)


def less_points(lines: Sequence[EarnLine], points_paid: int) -> list[EarnLine]:
    """The lines less their share of what points paid (points do not earn points)."""
    amounts = [ln.amount for ln in lines]
    if not points_paid or not sum(amounts):
        return list(lines)
    less = split(min(points_paid, sum(amounts)), amounts)
    return [EarnLine(ln.line_id, ln.category, ln.amount - x) for ln, x in zip(lines, less, strict=True)]


def _spread(
    per_line: dict[int, int], lines: Sequence[EarnLine], points: int, why: list[tuple[str, int]], name: str
) -> None:
    if points <= 0 or not lines:
        return
    weights = [ln.amount for ln in lines]
    shares = split(points, weights if sum(weights) > 0 else [1] * len(lines))
    for ln, share in zip(lines, shares, strict=True):
        per_line[ln.line_id] += share
    why.append((name, points))


def _matches(spec: RuleSpec, buy: Purchase, line: EarnLine) -> bool:
    return (
        (not spec.channels or buy.channel in spec.channels)
        and (not spec.stores or buy.store_code in spec.stores)
        and (not spec.categories or line.category in spec.categories)
        and (not spec.tiers or buy.tier in spec.tiers)
        and (not spec.birthday_month or buy.birthday_month)
        and (not spec.first_order or buy.first_in_channel)
    )


def expires_at(earned_at: dt.datetime, program: ProgramSettings, tz: ZoneInfo) -> dt.datetime | None:
    """The instant a lot earned at ``earned_at`` stops being usable (exclusive)."""
    if program.expiry == "never":
        return None
    if program.expiry == "months":
        return add_months(earned_at, program.expiry_months)
    year = earned_at.astimezone(tz).year
    return dt.datetime(year + 2, 1, 1, tzinfo=tz).astimezone(dt.UTC)  # after 31 Dec of next year


@dataclass(frozen=True)
class Lot:
    id: int
    free: int  # remaining minus held


def plan_take(lots: Sequence[Lot], points: int) -> list[tuple[int, int]]:
    """Which lots to take ``points`` from, in the given order (soonest-expiring first).

    Raises ValueError if they do not hold enough: callers check the balance first.
    """
    plan: list[tuple[int, int]] = []
    left = points
    for lot in lots:
        if left == 0:
            break
        n = min(lot.free, left)
        if n > 0:
            plan.append((lot.id, n))
            left -= n
    if left:
        raise ValueError(f"lots hold {points - left} of the {points} points asked for")
    return plan


def clawback(earned: int, quantity: int, returned_before: int, returned_now: int) -> int:
    """Points to take back when ``returned_now`` more units of a line come back.

    Cumulative, so several partial returns add up to exactly what the line earned.
    """
    after = earned * (returned_before + returned_now) // quantity
    before = earned * returned_before // quantity
    return after - before


@dataclass(frozen=True)
class TierDef:
    code: str
    threshold: int


def tier_for(tiers: Sequence[TierDef], basis: int) -> str | None:
    """The highest tier whose threshold ``basis`` reaches (None below every tier)."""
    reached = [t for t in tiers if basis >= t.threshold]
    return max(reached, key=lambda t: (t.threshold, t.code)).code if reached else None


def tier_move(
    tiers: Sequence[TierDef], current: str | None, earned: str | None, *, at_review: bool
) -> str | None:
    """The tier to hold now: up at once, down only at the review date."""
    rank = {t.code: t.threshold for t in tiers}
    if current not in rank:
        return earned
    if earned is None:
        return None if at_review else current
    if rank[earned] > rank[current] or at_review:
        return earned
    return current


def redeem_problem(program: ProgramSettings, points: int, order_total: int | None) -> str | None:
    """Why ``points`` cannot pay for an order of ``order_total`` (None when they can)."""
    if points % program.redeem_points:
        return f"points are redeemed in steps of {program.redeem_points}"
    if points < program.min_redeem_points:
        return f"at least {program.min_redeem_points} points per order"
    if program.max_redeem_points is not None and points > program.max_redeem_points:
        return f"at most {program.max_redeem_points} points per order"
    if order_total is not None:
        cap = order_total * program.max_redeem_percent // 100
        if points_value(program, points) > cap:
            return f"points may pay at most {program.max_redeem_percent}% of the order (NT${cap})"
    return None


def points_value(program: ProgramSettings, points: int) -> int:
    """What ``points`` are worth in money (whole steps only)."""
    return points // program.redeem_points * program.redeem_amount
