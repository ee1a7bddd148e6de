"""Promotion checks before saving: parameters, and exclusives the engine could not tell apart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from omohub.promotions.engine import (
    AmountOff,
    BundlePrice,
    BuyXGetY,
    GiftWithPurchase,
    Params,
    PercentOff,
    PriceOverride,
    Promotion,
    Scope,
    Target,
    Threshold,
    ThresholdStep,
    check_promotion,
    conflicts,
)
from tests.promotions.engine.builders import NOW, promo, skus


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        (PercentOff(bp=0), "bp 0 outside 1..10000"),
        (PercentOff(bp=10_001), "bp 10001 outside"),
        (AmountOff(amount=0), "amount must be positive"),
        (BuyXGetY(buy=0, get=1, bp=5_000), "buy must be positive"),
        (BuyXGetY(buy=1, get=0, bp=5_000), "get must be positive"),
        (BundlePrice(size=1, price=999), "bundle size 1 is below 2"),
        (BundlePrice(size=3, price=0), "bundle price must be positive"),
        (Threshold(()), "at least one step"),
        (Threshold((ThresholdStep(2_000, amount_off=300), ThresholdStep(1_000, amount_off=100))), "strictly"),
        (Threshold((ThresholdStep(1_000, amount_off=100), ThresholdStep(1_000, amount_off=200))), "strictly"),
        (Threshold((ThresholdStep(1_000, amount_off=100, bp=500),)), "exactly one of"),
        (Threshold((ThresholdStep(1_000, bp=500),), repeat=True), "repeating"),
        (Threshold((ThresholdStep(0, amount_off=100),)), "min_spend must be positive"),
        (PriceOverride(), "prices per SKU or one price"),
        (PriceOverride(prices={1: -5}), "negative"),
        (GiftWithPurchase(min_spend=1_000, gift_sku_id=9, quantity=0), "gift quantity"),
    ],
)
def test_bad_parameters_are_named(params: Params, problem: str) -> None:
    problems = check_promotion(promo(1, params))
    assert any(problem in p for p in problems), problems


def test_a_sound_promotion_has_no_problems() -> None:
    tiers = Threshold((ThresholdStep(1_000, amount_off=100), ThresholdStep(2_000, amount_off=300)))
    assert check_promotion(promo(1, tiers, starts_at=NOW, ends_at=NOW + timedelta(days=1))) == []
    assert check_promotion(promo(2, PriceOverride(prices={5: 0}), skus(5))) == []


def test_common_problems() -> None:
    bad = promo(
        1,
        PercentOff(bp=1_000),
        Target(),
        stacking="sometimes",
        scope=Scope(audience="tiers"),
        starts_at=NOW,
        ends_at=NOW,
    )
    problems = " | ".join(check_promotion(bad))
    for expected in ("stacking must be", "at least one tier", "target is empty", "ends_at must be after"):
        assert expected in problems


def test_kind_and_parameters_must_agree() -> None:
    with pytest.raises(ValueError, match="percent_off"):
        Promotion(id=1, name="x", kind="amount_off", params=PercentOff(bp=100), target=Target(all=True))


def _exclusive(pid: int, **fields: Any) -> Promotion:
    fields.setdefault("target", skus(1))
    return promo(pid, PercentOff(bp=1_000), stacking="exclusive", **fields)


def test_two_exclusives_on_the_same_sku_at_the_same_priority_conflict() -> None:
    new, other = _exclusive(1), _exclusive(2, name="週年慶")
    assert conflicts(new, [other]) == [
        "conflicts with promotion 2 (週年慶): both exclusive at priority 0 with overlapping schedule, "
        "channels, stores, audience and target"
    ]
    assert conflicts(new, [new]) == []


@pytest.mark.parametrize(
    "other",
    [
        _exclusive(2, priority=1),
        _exclusive(2, target=skus(2)),
        _exclusive(2, starts_at=NOW + timedelta(days=7)),
        _exclusive(2, scope=Scope(channels=frozenset({"web"}))),
        promo(2, PercentOff(bp=1_000), skus(1), stacking="best"),
    ],
)
def test_exclusives_apart_in_priority_time_place_or_target_do_not_conflict(other: Promotion) -> None:
    new = _exclusive(1, ends_at=NOW + timedelta(days=7), scope=Scope(channels=frozenset({"pos"})))
    assert conflicts(new, [other]) == []


def test_empty_scope_and_whole_cart_overlap_everything() -> None:
    new = _exclusive(1, target=Target(all=True))
    other = _exclusive(2, scope=Scope(stores=frozenset({3}), audience="tiers", tiers=frozenset({"gold"})))
    assert len(conflicts(new, [other])) == 1
    gold = _exclusive(3, scope=Scope(audience="tiers", tiers=frozenset({"gold"})))
    silver = _exclusive(4, scope=Scope(audience="tiers", tiers=frozenset({"silver"})))
    assert conflicts(gold, [silver]) == []
