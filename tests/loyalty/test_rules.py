"""The pure loyalty rules: earning, expiry, spending order, clawback, tiers, redemption limits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omohub.core.clock import add_months
from omohub.loyalty.rules import (
    EarnLine,
    Lot,
    ProgramSettings,
    Purchase,
    RuleSpec,
    TierDef,
    clawback,
    earn,
    expires_at,
    plan_take,
    redeem_problem,
    split,
    tier_for,
    tier_move,
)

TPE = ZoneInfo("Asia/Taipei")
P = ProgramSettings()
BUY = Purchase(channel="pos", store_code="TPE-XINYI", tier=None, birthday_month=False, first_in_channel=False)


def test_base_rate_is_one_point_per_hundred_rounded_down_once_on_the_whole_spend() -> None:
    lines = [EarnLine(1, "dress", 1980), EarnLine(2, "socks", 380)]
    result = earn(lines, BUY, P, [])
    assert result.total == 23  # 2360 // 100, not 19 + 3
    assert sum(result.per_line.values()) == 23
    assert result.per_line == {1: 19, 2: 4}  # 19.30 and 3.70: the spare point to the larger remainder


def test_birthday_month_doubles_and_first_app_order_earns_a_bonus() -> None:
    rules = [
        ("birthday x2", RuleSpec(kind="rate", points=1, per=100, birthday_month=True)),
        (
            "first app order",
            RuleSpec(kind="bonus", points=100, channels=frozenset({"app"}), first_order=True),
        ),
    ]
    lines = [EarnLine(1, "dress", 1000)]
    plain = earn(lines, BUY, P, rules)
    birthday = earn(lines, Purchase("pos", None, None, True, False), P, rules)
    first_app = earn(lines, Purchase("app", None, None, False, True), P, rules)
    assert (plain.total, birthday.total, first_app.total) == (10, 20, 110)
    assert [name for name, _ in first_app.why] == ["base", "first app order"]


def test_category_store_and_tier_rules_only_touch_what_they_name() -> None:
    rules = [
        ("shoes x3", RuleSpec(kind="rate", points=2, per=100, categories=frozenset({"shoes"}))),
        ("flagship", RuleSpec(kind="bonus", points=50, stores=frozenset({"TPE-XINYI"}))),
        ("vip", RuleSpec(kind="bonus", points=70, tiers=frozenset({"vip"}))),
    ]
    lines = [EarnLine(1, "shoes", 1000), EarnLine(2, "socks", 1000)]
    result = earn(lines, BUY, P, rules)
    assert result.total == 20 + 20 + 50
    assert result.per_line[1] == 10 + 20 + 25


def test_tier_multiplier_scales_the_base_rate() -> None:
    vip = Purchase("web", None, "vip", False, False, multiplier_bp=15_000)
    assert earn([EarnLine(1, "x", 1000)], vip, P, []).total == 15


@given(st.integers(0, 10**6), st.lists(st.integers(0, 10**5), min_size=1, max_size=20))
def test_split_is_exact(amount: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        weights = [1] * len(weights)
    shares = split(amount, weights)
    assert sum(shares) == amount and all(s >= 0 for s in shares)


def test_points_expire_after_the_end_of_the_next_year_in_taipei() -> None:
    # 31 Dec 2025 20:00 UTC is already 1 Jan 2026 in Taipei: the lot lives through 2027
    late = dt.datetime(2025, 12, 31, 20, 0, tzinfo=dt.UTC)
    assert expires_at(late, P, TPE) == dt.datetime(2028, 1, 1, tzinfo=TPE)
    early = dt.datetime(2025, 12, 31, 15, 0, tzinfo=dt.UTC)  # 23:00 in Taipei, still 2025
    assert expires_at(early, P, TPE) == dt.datetime(2027, 1, 1, tzinfo=TPE)
    months = P.model_copy(update={"expiry": "months", "expiry_months": 1})
    assert expires_at(dt.datetime(2026, 1, 31, tzinfo=dt.UTC), months, TPE) == dt.datetime(
        2026, 2, 28, tzinfo=dt.UTC
    )
    assert expires_at(early, P.model_copy(update={"expiry": "never"}), TPE) is None


def test_add_months_goes_backwards_too() -> None:
    assert add_months(dt.datetime(2026, 3, 31, tzinfo=dt.UTC), -13) == dt.datetime(2025, 2, 28, tzinfo=dt.UTC)


def test_spending_takes_the_soonest_expiring_lots_first_and_refuses_more_than_there_is() -> None:
    lots = [Lot(7, 30), Lot(3, 0), Lot(9, 50)]
    assert plan_take(lots, 60) == [(7, 30), (9, 30)]
    with pytest.raises(ValueError, match="80 of the 81"):
        plan_take(lots, 81)


@given(st.integers(0, 1000), st.integers(1, 20), st.data())
def test_partial_returns_claw_back_exactly_what_the_line_earned(
    earned: int, qty: int, data: st.DataObject
) -> None:
    returned, total = 0, 0
    while returned < qty:
        n = data.draw(st.integers(1, qty - returned))
        total += clawback(earned, qty, returned, n)
        returned += n
    assert total == earned


TIERS = [TierDef("silver", 3000), TierDef("gold", 10000), TierDef("vip", 30000)]


def test_tiers_go_up_at_once_and_down_only_at_review() -> None:
    assert tier_for(TIERS, 2999) is None and tier_for(TIERS, 10000) == "gold"
    assert tier_move(TIERS, "silver", "gold", at_review=False) == "gold"
    assert tier_move(TIERS, "gold", "silver", at_review=False) == "gold"
    assert tier_move(TIERS, "gold", None, at_review=False) == "gold"
    assert tier_move(TIERS, "gold", "silver", at_review=True) == "silver"
    assert tier_move(TIERS, "gold", None, at_review=True) is None
    assert tier_move(TIERS, "retired-tier", "silver", at_review=False) == "silver"


def test_redemption_limits() -> None:
    p = P.model_copy(
        update={"redeem_points": 10, "redeem_amount": 10, "min_redeem_points": 100, "max_redeem_percent": 50}
    )
    assert redeem_problem(p, 105, None) == "points are redeemed in steps of 10"
    assert redeem_problem(p, 90, None) == "at least 100 points per order"
    assert redeem_problem(p, 600, 1000) == "points may pay at most 50% of the order (NT$500)"
    assert redeem_problem(p, 500, 1000) is None


def test_settings_refuse_a_maximum_below_the_minimum() -> None:
    with pytest.raises(ValueError, match="below min_redeem_points"):
        ProgramSettings(min_redeem_points=100, max_redeem_points=50)
