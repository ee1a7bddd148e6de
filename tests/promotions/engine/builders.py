"""Short constructors for engine tests: a line, a promotion (its kind taken from its params),
and a priced cart in one call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from omohub.promotions.engine import (
    CartLine,
    Params,
    PricedCart,
    PricedLine,
    Promotion,
    PromotionIndex,
    Shopper,
    Target,
    price_cart,
)

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
GUEST = Shopper(member_id=None, tier=None)
MEMBER = Shopper(member_id=7, tier="silver")
GOLD = Shopper(member_id=8, tier="gold")
ALL = Target(all=True)


def line(no: int, price: int, qty: int = 1, *, sku: int | None = None, category: str = "tops") -> CartLine:
    """A line whose SKU (and product) defaults to ``100 + no``."""
    sku_id = 100 + no if sku is None else sku
    return CartLine(
        line_no=no, sku_id=sku_id, product_id=sku_id, category=category, unit_price=price, quantity=qty
    )


def promo(pid: int, params: Params, target: Target = ALL, **fields: Any) -> Promotion:
    return Promotion(
        id=pid,
        name=fields.pop("name", f"promotion {pid}"),
        kind=params.kind,
        params=params,
        target=target,
        **fields,
    )


def skus(*ids: int) -> Target:
    return Target(skus=frozenset(ids))


def price(
    promotions: Sequence[Promotion],
    lines: Sequence[CartLine],
    *,
    shopper: Shopper = GUEST,
    channel: str = "pos",
    store_id: int | None = 1,
    coupons: frozenset[int] = frozenset(),
    now: datetime = NOW,
) -> PricedCart:
    return price_cart(
        PromotionIndex.build(promotions),
        lines,
        channel=channel,
        store_id=store_id,
        shopper=shopper,
        now=now,
        coupon_promotion_ids=coupons,
    )


def by_no(cart: PricedCart) -> dict[int, PricedLine]:
    return {priced.line_no: priced for priced in cart.lines}


def discounts(cart: PricedCart) -> dict[int, int]:
    """line_no -> discount, for the lines that have one."""
    return {priced.line_no: priced.discount for priced in cart.lines if priced.discount}


def applied_ids(cart: PricedCart) -> list[int]:
    return [applied.promotion_id for applied in cart.applied]
