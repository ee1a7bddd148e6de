"""Properties of the pricing engine over random carts and random promotion sets."""

from __future__ import annotations

import os
import random
from collections import Counter
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from omohub.promotions.engine import (
    AmountOff,
    BundlePrice,
    BuyXGetY,
    CartLine,
    GiftWithPurchase,
    Params,
    PercentOff,
    PricedCart,
    PriceOverride,
    Promotion,
    PromotionIndex,
    Scope,
    Shopper,
    Target,
    Threshold,
    ThresholdStep,
    apply_combination,
    candidate_sets,
    price_cart,
)
from tests.promotions.engine.builders import NOW

SKUS = range(1, 9)
CATEGORIES = ("tops", "shoes", "bags")
PROPERTIES = settings(max_examples=int(os.environ.get("OMOHUB_PROPERTY_EXAMPLES", "200")), deadline=None)

bp_st = st.integers(min_value=1, max_value=10_000)
money_st = st.integers(min_value=0, max_value=20_000)


@st.composite
def carts(draw: st.DrawFn) -> list[CartLine]:
    numbers = draw(st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=20, unique=True))
    return [
        CartLine(
            line_no=no,
            sku_id=(sku := draw(st.sampled_from(SKUS))),
            product_id=sku // 2,  # two SKUs (sizes, colours) per product
            category=CATEGORIES[sku % 3],
            unit_price=draw(money_st),
            quantity=draw(st.integers(min_value=1, max_value=5)),
        )
        for no in numbers
    ]


@st.composite
def thresholds(draw: st.DrawFn) -> Threshold:
    spends = sorted(draw(st.sets(st.integers(min_value=1, max_value=40_000), min_size=1, max_size=3)))
    repeat = draw(st.booleans())
    amount_st = st.integers(min_value=1, max_value=5_000)
    if repeat:
        return Threshold(tuple(ThresholdStep(s, amount_off=draw(amount_st)) for s in spends), repeat=True)
    steps = [
        ThresholdStep(s, bp=draw(bp_st)) if draw(st.booleans()) else ThresholdStep(s, draw(amount_st))
        for s in spends
    ]
    return Threshold(tuple(steps))


params_st: st.SearchStrategy[Params] = st.one_of(
    st.builds(PercentOff, bp=bp_st),
    st.builds(AmountOff, amount=st.integers(min_value=1, max_value=5_000)),
    thresholds(),
    st.builds(BuyXGetY, buy=st.integers(1, 3), get=st.integers(1, 2), bp=bp_st),
    st.builds(BundlePrice, size=st.integers(2, 4), price=st.integers(min_value=1, max_value=30_000)),
    st.builds(PriceOverride, prices=st.dictionaries(st.sampled_from(SKUS), money_st, min_size=1, max_size=3)),
    st.builds(PriceOverride, price=money_st),
    st.builds(GiftWithPurchase, min_spend=money_st, gift_sku_id=st.just(900), quantity=st.integers(1, 2)),
)

targets_st = st.one_of(
    st.just(Target(all=True)),
    st.builds(Target, skus=st.frozensets(st.sampled_from(SKUS), min_size=1, max_size=4)),
    st.builds(Target, products=st.frozensets(st.integers(0, 4), min_size=1, max_size=2)),
    st.builds(Target, categories=st.frozensets(st.sampled_from(CATEGORIES), min_size=1, max_size=2)),
)

scopes_st = st.one_of(
    st.just(Scope()),
    st.builds(Scope, channels=st.frozensets(st.sampled_from(["pos", "web"]), max_size=1)),
    st.builds(Scope, stores=st.frozensets(st.integers(1, 2), min_size=1, max_size=1)),
    st.just(Scope(audience="members")),
    st.just(Scope(audience="tiers", tiers=frozenset({"gold"}))),
)

windows_st = st.sampled_from(
    [(None, None), (NOW - timedelta(days=1), None), (NOW + timedelta(hours=1), None)]
)


@st.composite
def promotion_sets(draw: st.DrawFn) -> list[Promotion]:
    count = draw(st.integers(min_value=0, max_value=12))
    return [draw(promotions(pid)) for pid in draw(st.permutations(range(1, count + 1)))]


@st.composite
def promotions(draw: st.DrawFn, pid: int) -> Promotion:
    params = draw(params_st)
    starts_at, ends_at = draw(windows_st)
    return Promotion(
        id=pid,
        name=f"p{pid}",
        kind=params.kind,
        params=params,
        target=draw(targets_st),
        priority=draw(st.integers(0, 2)),
        stacking=draw(st.sampled_from(["stackable", "stackable", "best", "exclusive"])),
        scope=draw(scopes_st),
        starts_at=starts_at,
        ends_at=ends_at,
        coupon=draw(st.booleans()),
    )


shoppers_st = st.sampled_from(
    [Shopper(None, None), Shopper(1, "silver"), Shopper(2, "gold", birthday_month=True)]
)


def assert_consistent(cart: PricedCart) -> None:
    """The invariants every priced cart keeps, whatever produced it."""
    assert cart.total >= 0
    assert sum(line.total for line in cart.lines) == cart.total == cart.subtotal - cart.discount_total
    assert sum(line.list_amount for line in cart.lines) == cart.subtotal
    for line in cart.lines:
        assert 0 <= line.discount <= line.list_amount
        assert line.total == line.list_amount - line.discount
        assert sum(adj.amount for adj in line.explanation) == line.discount
        assert all(adj.amount > 0 for adj in line.explanation)
    allocated: Counter[int] = Counter()
    for line in cart.lines:
        allocated.update({adj.promotion_id: adj.amount for adj in line.explanation})
    assert {a.promotion_id: a.amount for a in cart.applied if a.amount} == dict(allocated)
    assert sum(a.amount for a in cart.applied) == cart.discount_total


@PROPERTIES
@given(carts(), promotion_sets(), shoppers_st, st.sampled_from(["pos", "web"]), st.data())
def test_price_cart_is_consistent_best_and_deterministic(
    lines: list[CartLine], promos: list[Promotion], shopper: Shopper, channel: str, data: st.DataObject
) -> None:
    store_id = None if channel == "web" else data.draw(st.sampled_from([1, 2]))
    coupons = frozenset(
        data.draw(st.sets(st.sampled_from([p.id for p in promos])) if promos else st.just(set()))
    )
    index = PromotionIndex.build(promos)

    def priced(cart_lines: list[CartLine]) -> PricedCart:
        return price_cart(
            index,
            cart_lines,
            channel=channel,
            store_id=store_id,
            shopper=shopper,
            now=NOW,
            coupon_promotion_ids=coupons,
        )

    cart = priced(lines)
    assert_consistent(cart)
    assert priced(lines) == cart
    shuffled = lines[:]
    random.Random(data.draw(st.integers(0, 2**32))).shuffle(shuffled)
    assert priced(shuffled) == cart

    eligible = index.candidates(lines, channel, store_id, shopper, NOW, coupons)
    for p in eligible:
        assert apply_combination([p], lines).discount_total <= cart.discount_total
    for combo in candidate_sets(eligible):
        assert apply_combination(combo, lines).discount_total <= cart.discount_total

    by_id = {p.id: p for p in promos}
    chosen = [by_id[a.promotion_id] for a in cart.applied]
    assert all(p.id in coupons for p in chosen if p.coupon)
    assert sum(p.stacking == "best" for p in chosen) <= 1
    assert len(chosen) == 1 or all(p.stacking != "exclusive" for p in chosen)
    assert apply_combination(chosen, lines) == cart  # the "why" preview shows exactly this cart


@PROPERTIES
@given(carts(), promotion_sets())
def test_any_combination_keeps_the_invariants(lines: list[CartLine], promos: list[Promotion]) -> None:
    cart = apply_combination(promos, lines)
    assert_consistent(cart)
    assert apply_combination(promos[::-1], lines[::-1]) == cart
