"""Which promotions apply together: schedules, scopes, coupons, exclusive/stackable/best, order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omohub.promotions.engine import (
    AmountOff,
    BuyXGetY,
    GiftWithPurchase,
    PercentOff,
    Scope,
    Target,
    Threshold,
    ThresholdStep,
    apply_combination,
    candidate_sets,
)
from tests.promotions.engine.builders import (
    MEMBER,
    NOW,
    applied_ids,
    by_no,
    discounts,
    line,
    price,
    promo,
    skus,
)

TEN_OFF = PercentOff(bp=1_000)
SPEND_1000 = Threshold((ThresholdStep(1_000, amount_off=100),))


def test_stackables_combine_in_stage_order() -> None:
    cart = price([promo(1, SPEND_1000), promo(2, TEN_OFF)], [line(1, 1_200)])
    assert applied_ids(cart) == [2, 1]  # the line discount first, the order threshold after
    assert cart.total == 1_200 - 120 - 100


def test_an_exclusive_applies_alone_when_it_is_better() -> None:
    thirty = promo(3, PercentOff(bp=3_000), stacking="exclusive")
    cart = price([promo(1, SPEND_1000), promo(2, TEN_OFF), thirty], [line(1, 1_200)])
    assert applied_ids(cart) == [3]
    assert cart.total == 840


def test_an_exclusive_loses_to_stackables_that_give_more() -> None:
    fifteen = promo(3, PercentOff(bp=1_500), stacking="exclusive")
    cart = price([promo(1, SPEND_1000), promo(2, TEN_OFF), fifteen], [line(1, 1_200)])
    assert applied_ids(cart) == [2, 1]


def test_an_exclusive_shuts_out_coupons() -> None:
    coupon = promo(2, AmountOff(amount=50), coupon=True)
    half = promo(3, PercentOff(bp=5_000), stacking="exclusive")
    cart = price([coupon, half], [line(1, 1_000)], coupons=frozenset({2}))
    assert applied_ids(cart) == [3]


def test_only_the_best_of_the_best_promotions_applies() -> None:
    twenty = promo(2, PercentOff(bp=2_000), stacking="best")
    half_second = promo(3, BuyXGetY(buy=1, get=1, bp=5_000), stacking="best")
    cart = price([promo(1, TEN_OFF), twenty, half_second], [line(1, 1_000), line(2, 800)])
    # after the stackable 10% (900 and 720 left): half of the cheaper unit, 360, beats 20% of
    # 1620, 324; only one of the two applies
    assert applied_ids(cart) == [1, 3]
    assert cart.discount_total == 180 + 360
    assert applied_ids(price([promo(1, TEN_OFF), twenty, half_second], [line(1, 1_000), line(2, 300)])) == [
        1,
        2,
    ]


def test_equal_best_promotions_tie_to_the_lower_id() -> None:
    a = promo(5, AmountOff(amount=100), stacking="best")
    b = promo(4, AmountOff(amount=100), stacking="best")
    assert applied_ids(price([a, b], [line(1, 1_000)])) == [4]


def test_equal_exclusives_tie_to_the_lower_id() -> None:
    a = promo(9, AmountOff(amount=100), stacking="exclusive")
    b = promo(8, PercentOff(bp=1_000), stacking="exclusive")
    assert applied_ids(price([a, b], [line(1, 1_000)])) == [8]


def test_a_coupon_promotion_needs_its_coupon() -> None:
    welcome = promo(1, AmountOff(amount=50), coupon=True, name="新會員折50")
    assert price([welcome], [line(1, 500)]).applied == ()
    cart = price([welcome], [line(1, 500)], coupons=frozenset({1}))
    assert [(a.name, a.amount, a.coupon) for a in cart.applied] == [("新會員折50", 50, True)]


def test_schedule_is_start_inclusive_end_exclusive() -> None:
    spring = promo(1, TEN_OFF, starts_at=NOW, ends_at=NOW + timedelta(days=7))
    assert price([spring], [line(1, 1_000)]).discount_total == 100
    assert price([spring], [line(1, 1_000)], now=NOW - timedelta(seconds=1)).discount_total == 0
    assert price([spring], [line(1, 1_000)], now=NOW + timedelta(days=7)).discount_total == 0


def test_an_unrestricted_promotion_runs_in_every_channel_and_store() -> None:
    everywhere = promo(1, TEN_OFF)
    assert price([everywhere], [line(1, 1_000)], channel="web", store_id=None).discount_total == 100
    assert price([everywhere], [line(1, 1_000)], channel="pos", store_id=3).discount_total == 100


def test_channel_and_store_restrictions() -> None:
    online = promo(1, TEN_OFF, scope=Scope(channels=frozenset({"web", "app"})))
    taipei = promo(2, AmountOff(amount=30), scope=Scope(stores=frozenset({3})))
    lines = [line(1, 1_000)]
    assert applied_ids(price([online, taipei], lines, channel="web", store_id=None)) == [1]
    assert applied_ids(price([online, taipei], lines, channel="pos", store_id=3)) == [2]
    assert applied_ids(price([online, taipei], lines, channel="pos", store_id=4)) == []


def test_priority_orders_promotions_within_a_stage() -> None:
    first_ten = promo(1, TEN_OFF, priority=5)
    then_100 = promo(2, AmountOff(amount=100))
    assert apply_combination([then_100, first_ten], [line(1, 1_000)]).total == 800  # 1000 → 900 → 800
    first_100 = promo(2, AmountOff(amount=100), priority=9)
    assert apply_combination([first_100, first_ten], [line(1, 1_000)]).total == 810  # 1000 → 900 → 810


def test_a_gift_counts_when_discounts_tie() -> None:
    bag = promo(1, GiftWithPurchase(min_spend=1_000, gift_sku_id=900), stacking="exclusive")
    cart = price([bag], [line(1, 1_200)])
    assert [g.sku_id for g in cart.gifts] == [900]


def test_why_is_this_line_399() -> None:
    tee = Target(categories=frozenset({"tees"}))
    member_day = promo(1, PercentOff(bp=2_000), tee, name="會員日8折", scope=Scope(audience="members"))
    pair = promo(2, BuyXGetY(buy=1, get=1, bp=5_000), skus(102), name="第二件半價")
    lines = [line(1, 499, category="tees"), line(2, 499, qty=2, category="tees")]
    cart = price([member_day, pair], lines, shopper=MEMBER)
    first = by_no(cart)[1]
    assert (first.list_amount, first.total) == (499, 399)
    assert [(a.name, a.amount, a.reason) for a in first.explanation] == [
        ("會員日8折", 100, "percent_off: 20% off")
    ]
    second = by_no(cart)[2]
    assert [a.reason for a in second.explanation] == [
        "percent_off: 20% off",
        "buy_x_get_y: 1 unit at 50% off",
    ]
    assert sum(a.amount for a in second.explanation) == second.discount == 998 - second.total


def test_line_order_does_not_matter() -> None:
    promotions = [
        promo(1, BuyXGetY(buy=1, get=1, bp=5_000)),
        promo(2, AmountOff(amount=101)),
        promo(3, SPEND_1000),
    ]
    lines = [line(1, 333), line(2, 333, qty=2), line(3, 250)]
    assert price(promotions, lines) == price(promotions, lines[::-1])
    assert discounts(price(promotions, lines))


def test_duplicate_line_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="line_no"):
        price([], [line(1, 100), line(1, 200)])


def test_an_empty_cart_prices_to_zero() -> None:
    cart = price([promo(1, TEN_OFF), promo(2, GiftWithPurchase(min_spend=0, gift_sku_id=1))], [])
    assert (cart.lines, cart.applied, cart.gifts, cart.total) == ((), (), (), 0)


def test_candidate_combinations_in_tie_break_order() -> None:
    s1, s2 = promo(1, TEN_OFF), promo(2, SPEND_1000)
    b3, b4 = promo(3, AmountOff(amount=10), stacking="best"), promo(4, TEN_OFF, stacking="best")
    x5 = promo(5, AmountOff(amount=20), stacking="exclusive")
    sets = [[p.id for p in combo] for combo in candidate_sets([x5, b4, s2, b3, s1])]
    # (a) stackables, (b) with each best, (c) exclusives alone, (d) each alone; repeats dropped
    assert sets == [[1, 2], [1, 3, 2], [1, 4, 2], [5], [1], [2], [3], [4]]
