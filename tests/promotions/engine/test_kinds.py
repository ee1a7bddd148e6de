"""Each promotion kind on a real retail case, with the exact dollars a clerk would check."""

from __future__ import annotations

import datetime as dt

from omohub.promotions.engine import (
    KINDS,
    AmountOff,
    BundlePrice,
    BuyXGetY,
    GiftWithPurchase,
    Params,
    PercentOff,
    PriceOverride,
    Scope,
    Target,
    Threshold,
    ThresholdStep,
    apply_combination,
)
from tests.promotions.engine.builders import GOLD, GUEST, MEMBER, by_no, discounts, line, price, promo, skus

HALF_PRICE_SECOND = BuyXGetY(buy=1, get=1, bp=5_000)


def test_every_kind_has_a_rule_and_a_stage() -> None:
    kinds = {params.kind for params in Params.__args__}
    assert kinds == set(KINDS)
    assert KINDS["price_override"].stage < KINDS["percent_off"].stage < KINDS["threshold"].stage


def test_second_item_half_price_discounts_the_cheaper_one() -> None:
    cart = apply_combination([promo(1, HALF_PRICE_SECOND)], [line(1, 590), line(2, 490)])
    assert discounts(cart) == {2: 245}
    assert by_no(cart)[2].explanation[0].reason == "buy_x_get_y: 1 unit at 50% off"
    assert cart.total == 590 + 245


def test_second_item_half_price_on_one_line_of_two_units() -> None:
    cart = apply_combination([promo(1, HALF_PRICE_SECOND)], [line(1, 590, qty=2)])
    assert cart.discount_total == 295


def test_odd_unit_out_pays_full_price() -> None:
    cart = apply_combination([promo(1, HALF_PRICE_SECOND)], [line(1, 500, qty=3)])
    assert cart.discount_total == 250  # one pair, the third unit alone


def test_buy_two_get_one_free_takes_the_cheapest_units_of_the_cart() -> None:
    cart = apply_combination(
        [promo(1, BuyXGetY(buy=2, get=1, bp=10_000))], [line(1, 300), line(2, 200, qty=2), line(3, 100)]
    )
    # 4 units: one group of three, so one free unit, the cheapest
    assert discounts(cart) == {3: 100}
    six = apply_combination(
        [promo(1, BuyXGetY(buy=2, get=1, bp=10_000))], [line(1, 300, qty=3), line(2, 200, qty=3)]
    )
    assert discounts(six) == {2: 400}


def test_equal_units_tie_to_the_lower_line_no() -> None:
    cart = apply_combination([promo(1, HALF_PRICE_SECOND)], [line(2, 400), line(1, 400)])
    assert discounts(cart) == {1: 200}


def test_any_three_for_999_groups_the_dearest_units() -> None:
    cart = apply_combination(
        [promo(1, BundlePrice(size=3, price=999))], [line(1, 500), line(2, 400), line(3, 300), line(4, 200)]
    )
    # 500 + 400 + 300 = 1200 → 999 saves 201, shared by value: 83.75 / 67 / 50.25
    assert discounts(cart) == {1: 84, 2: 67, 3: 50}
    assert by_no(cart)[1].explanation[0].reason == "bundle_price: 1 unit in bundles of 3 for NT$999"


def test_a_bundle_that_would_cost_more_is_not_made() -> None:
    cart = apply_combination([promo(1, BundlePrice(size=3, price=999))], [line(1, 300, qty=4)])
    assert cart.discount_total == 0
    assert cart.applied == ()


def test_bundles_repeat_while_they_save() -> None:
    cart = apply_combination(
        [promo(1, BundlePrice(size=2, price=500))],
        [line(1, 400, qty=2), line(2, 260, qty=2), line(3, 200, qty=2)],
    )
    # (400, 400) saves 300, (260, 260) saves 20, (200, 200) would cost more; the 320 is
    # shared by the value of the bundled units (800 and 520), like every other discount
    assert cart.discount_total == 320
    assert discounts(cart) == {1: 194, 2: 126}


def test_spend_1000_get_100_off_with_tiers() -> None:
    tiered = promo(1, Threshold((ThresholdStep(1_000, amount_off=100), ThresholdStep(2_000, amount_off=300))))
    assert apply_combination([tiered], [line(1, 999)]).discount_total == 0
    assert apply_combination([tiered], [line(1, 1_500)]).discount_total == 100
    assert apply_combination([tiered], [line(1, 1_200), line(2, 1_300)]).discount_total == 300


def test_every_1000_gets_100_off() -> None:
    repeat = promo(1, Threshold((ThresholdStep(1_000, amount_off=100),), repeat=True))
    cart = apply_combination([repeat], [line(1, 1_750), line(2, 1_750)])
    assert cart.discount_total == 300
    assert (
        by_no(cart)[1].explanation[0].reason == "threshold: spent NT$3,500, reached 3 × NT$1,000, NT$300 off"
    )
    assert discounts(cart) == {1: 150, 2: 150}


def test_a_percentage_threshold_takes_its_share_of_what_is_left() -> None:
    nine_tenths = promo(1, Threshold((ThresholdStep(2_000, bp=1_000),)))
    assert apply_combination([nine_tenths], [line(1, 2_345)]).discount_total == 235  # 234.5 half up


def test_threshold_spend_is_what_is_left_to_pay_after_line_promotions() -> None:
    twenty_off = promo(1, PercentOff(bp=2_000))
    spend_1000 = promo(2, Threshold((ThresholdStep(1_000, amount_off=100),)))
    cart = apply_combination([spend_1000, twenty_off], [line(1, 1_000)])
    assert cart.discount_total == 200  # 20% first: NT$800 left to pay, 滿1000 not reached
    assert [a.promotion_id for a in cart.applied] == [1]
    cart = apply_combination([spend_1000, twenty_off], [line(1, 1_300)])
    assert cart.discount_total == 260 + 100  # NT$1,040 left: reached
    assert [a.promotion_id for a in cart.applied] == [1, 2]


def test_best_for_customer_prices_a_threshold_without_the_line_promotion_that_would_block_it() -> None:
    from omohub.promotions.engine import PromotionIndex, Shopper, price_cart

    tiny = promo(1, PercentOff(bp=100))  # 1% off would leave NT$990: 滿1000 not reached
    spend_1000 = promo(2, Threshold((ThresholdStep(1_000, amount_off=100),)))
    index = PromotionIndex.build([tiny, spend_1000])
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    cart = price_cart(
        index, [line(1, 1_000)], channel="pos", store_id=None, shopper=Shopper(None, None), now=now
    )
    assert cart.discount_total == 100 and [a.promotion_id for a in cart.applied] == [2]


def test_threshold_counts_only_its_targeted_lines() -> None:
    shoes_only = promo(
        1, Threshold((ThresholdStep(1_000, amount_off=100),)), Target(categories=frozenset({"shoes"}))
    )
    cart = apply_combination([shoes_only], [line(1, 900, category="shoes"), line(2, 900)])
    assert cart.discount_total == 0


def test_percent_off_rounds_once_per_promotion_half_up() -> None:
    cart = apply_combination([promo(1, PercentOff(bp=1_000))], [line(1, 105), line(2, 105), line(3, 105)])
    # 10% of 315 is 31.5 → 32 for the promotion (per line it would have been 3 × 11 = 33)
    assert cart.discount_total == 32
    assert discounts(cart) == {1: 11, 2: 11, 3: 10}


def test_amount_off_is_shared_by_amount_and_capped() -> None:
    cart = apply_combination([promo(1, AmountOff(amount=100))], [line(1, 300), line(2, 100)])
    assert discounts(cart) == {1: 75, 2: 25}
    capped = apply_combination([promo(1, AmountOff(amount=500))], [line(1, 300)])
    assert capped.total == 0
    assert capped.discount_total == 300


def test_tier_price_for_gold_members_only() -> None:
    gold_price = promo(
        1,
        PriceOverride(prices={101: 890}),
        skus(101),
        scope=Scope(audience="tiers", tiers=frozenset({"gold"})),
    )
    gold = by_no(price([gold_price], [line(1, 1_000, qty=2)], shopper=GOLD))[1]
    assert (gold.unit_price, gold.list_amount, gold.discount, gold.total) == (890, 2_000, 220, 1_780)
    assert gold.explanation[0].reason == "price_override: unit price NT$1,000 → NT$890"
    silver = by_no(price([gold_price], [line(1, 1_000, qty=2)], shopper=MEMBER))[1]
    assert (silver.unit_price, silver.total) == (1_000, 2_000)


def test_member_only_price_needs_a_member() -> None:
    member_price = promo(1, PriceOverride(price=799), skus(101), scope=Scope(audience="members"))
    assert price([member_price], [line(1, 990)], shopper=MEMBER).total == 799
    assert price([member_price], [line(1, 990)], shopper=GUEST).total == 990


def test_an_override_never_raises_a_price_and_discounts_work_on_the_new_one() -> None:
    dearer = promo(1, PriceOverride(price=1_200))
    assert apply_combination([dearer], [line(1, 1_000)]).total == 1_000
    member = promo(1, PriceOverride(price=800))
    cart = apply_combination([promo(2, PercentOff(bp=1_000)), member], [line(1, 1_000)])
    assert cart.total == 720  # 800, then 10% off
    assert [a.amount for a in cart.applied] == [200, 80]


def test_gift_with_purchase_adds_a_free_line_and_changes_no_total() -> None:
    gift = promo(1, GiftWithPurchase(min_spend=3_000, gift_sku_id=900, quantity=1), name="滿3000送帆布袋")
    cart = apply_combination([gift], [line(1, 1_800), line(2, 1_200)])
    assert [(g.sku_id, g.quantity, g.name) for g in cart.gifts] == [(900, 1, "滿3000送帆布袋")]
    assert (cart.total, cart.discount_total) == (3_000, 0)
    assert [(a.kind, a.amount) for a in cart.applied] == [("gift", 0)]
    assert apply_combination([gift], [line(1, 2_999)]).gifts == ()
