"""The promotion index: only promotions that can touch the cart are looked at."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omohub.promotions.engine import (
    AmountOff,
    BundlePrice,
    CartLine,
    PercentOff,
    PromotionIndex,
    Scope,
    Shopper,
    Target,
)
from tests.promotions.engine.builders import GUEST, MEMBER, NOW, line, promo, skus

TEN_OFF = PercentOff(bp=1_000)


def _ids(
    index: PromotionIndex,
    lines: list[CartLine],
    *,
    channel: str = "pos",
    shopper: Shopper = GUEST,
    coupon_ids: frozenset[int] = frozenset(),
) -> list[int]:
    return [p.id for p in index.candidates(lines, channel, 1, shopper, NOW, coupon_ids)]


def test_promotions_are_found_by_sku_product_category_and_whole_cart() -> None:
    index = PromotionIndex.build(
        [
            promo(1, TEN_OFF, skus(101)),
            promo(2, TEN_OFF, Target(products=frozenset({102}))),
            promo(3, TEN_OFF, Target(categories=frozenset({"shoes"}))),
            promo(4, TEN_OFF, Target(all=True)),
            promo(5, TEN_OFF, skus(999)),
            promo(6, TEN_OFF, Target(categories=frozenset({"bags"}))),
        ]
    )
    assert _ids(index, [line(1, 100), line(2, 100), line(3, 100, category="shoes")]) == [1, 2, 3, 4]
    assert _ids(index, [line(9, 100)]) == [4]


def test_a_promotion_listed_under_two_keys_of_a_line_targets_it_once() -> None:
    both = promo(1, TEN_OFF, Target(skus=frozenset({101}), categories=frozenset({"tops"})))
    index = PromotionIndex.build([both])
    found = index.touching([line(1, 100), line(2, 100)])
    assert found[1][1] == [0, 1]


def test_filters_run_after_the_lookup() -> None:
    index = PromotionIndex.build(
        [
            promo(1, TEN_OFF, starts_at=NOW + timedelta(days=1)),
            promo(2, TEN_OFF, scope=Scope(audience="members")),
            promo(3, TEN_OFF, coupon=True),
            promo(4, TEN_OFF, scope=Scope(channels=frozenset({"web"}))),
            promo(5, TEN_OFF, scope=Scope(audience="birthday")),
        ]
    )
    lines = [line(1, 100)]
    assert _ids(index, lines) == []
    assert _ids(index, lines, shopper=MEMBER, coupon_ids=frozenset({3})) == [2, 3]
    assert _ids(index, lines, channel="web") == [4]
    birthday = Shopper(member_id=7, tier=None, birthday_month=True)
    assert _ids(index, lines, shopper=birthday) == [2, 5]


def test_the_index_refuses_invalid_promotions_and_repeated_ids() -> None:
    with pytest.raises(ValueError, match="bundle size 1"):
        PromotionIndex.build([promo(1, BundlePrice(size=1, price=100))])
    with pytest.raises(ValueError, match="repeated"):
        PromotionIndex.build([promo(1, TEN_OFF), promo(1, AmountOff(amount=5))])
