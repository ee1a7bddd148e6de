"""``price_cart`` against a straightforward reference: every candidate combination priced in full
with :func:`apply_combination`, the first with the largest (discount, gift units) kept.

The engine is free to price candidates any way it likes (resuming from shared states, reusing
what a slipped-in promotion cannot reach, explaining only the winner); its answer must be this
one exactly: the same lines, allocations, applied promotions, gifts and explanations.
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from omohub.promotions.engine import (
    CartLine,
    PricedCart,
    Promotion,
    PromotionIndex,
    Shopper,
    Target,
    apply_combination,
    candidate_sets,
    price_cart,
)
from tests.promotions.engine.builders import NOW
from tests.promotions.engine.test_properties import (
    PROPERTIES,
    SKUS,
    carts,
    params_st,
    promotion_sets,
    shoppers_st,
    targets_st,
)


def reference_price(
    index: PromotionIndex,
    lines: list[CartLine],
    *,
    channel: str,
    store_id: int | None,
    shopper: Shopper,
    now: datetime,
    coupons: frozenset[int],
) -> PricedCart:
    eligible = index.candidates(lines, channel, store_id, shopper, now, coupons)
    best, best_rank = apply_combination([], lines), (-1, -1)
    for combo in candidate_sets(eligible):
        cart = apply_combination(combo, lines)
        rank = (cart.discount_total, sum(gift.quantity for gift in cart.gifts))
        if rank > best_rank:  # strictly: the earlier candidate wins a tie
            best, best_rank = cart, rank
    return best


def assert_same_as_reference(
    promos: list[Promotion],
    lines: list[CartLine],
    *,
    shopper: Shopper = Shopper(None, None),
    channel: str = "pos",
    store_id: int | None = 1,
    coupons: frozenset[int] = frozenset(),
) -> None:
    index = PromotionIndex.build(promos)
    got = price_cart(
        index,
        lines,
        channel=channel,
        store_id=store_id,
        shopper=shopper,
        now=NOW,
        coupon_promotion_ids=coupons,
    )
    expected = reference_price(
        index, lines, channel=channel, store_id=store_id, shopper=shopper, now=NOW, coupons=coupons
    )
    assert got == expected


@PROPERTIES
@given(carts(), promotion_sets(), shoppers_st, st.sampled_from(["pos", "web"]), st.data())
def test_price_cart_equals_the_reference(
    lines: list[CartLine], promos: list[Promotion], shopper: Shopper, channel: str, data: st.DataObject
) -> None:
    store_id = None if channel == "web" else data.draw(st.sampled_from([1, 2]))
    coupons = frozenset(
        data.draw(st.sets(st.sampled_from([p.id for p in promos])) if promos else st.just(set()))
    )
    assert_same_as_reference(
        promos, lines, shopper=shopper, channel=channel, store_id=store_id, coupons=coupons
    )


line_targets_st = st.one_of(
    st.builds(Target, skus=st.frozensets(st.sampled_from(SKUS), min_size=1, max_size=2)),
    targets_st,
)


@st.composite
def crowded_sets(draw: st.DrawFn) -> list[Promotion]:
    """Many promotions that all apply, mostly on one or two SKUs, like a real brand's: most of a
    candidate is then shared with the others, and what one promotion changes reaches only some
    of the promotions after it."""
    count = draw(st.integers(min_value=1, max_value=24))
    return [
        Promotion(
            id=pid,
            name=f"p{pid}",
            kind=(params := draw(params_st)).kind,
            params=params,
            target=draw(line_targets_st),
            priority=draw(st.integers(0, 2)),
            stacking=draw(st.sampled_from(["stackable", "stackable", "best", "best", "exclusive"])),
        )
        for pid in draw(st.permutations(range(1, count + 1)))
    ]


@PROPERTIES
@given(carts(), crowded_sets())
def test_price_cart_equals_the_reference_on_crowded_carts(
    lines: list[CartLine], promos: list[Promotion]
) -> None:
    assert_same_as_reference(promos, lines)
