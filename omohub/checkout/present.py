"""The priced cart as the API returns it (and as the quote keeps it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from omohub.catalog.lookup import SkuRow
from omohub.checkout.models import Quote
from omohub.checkout.schemas import (
    AdjustmentOut,
    AppliedOut,
    CartIn,
    CartOut,
    GiftOut,
    OrderLineHint,
    PointsUse,
    PricedLineOut,
    WhyOut,
)
from omohub.promotions import engine as e
from omohub.promotions.service.coupons import Presented


def cart_out(
    data: CartIn,
    skus: Sequence[SkuRow],
    presented: Sequence[Presented],
    priced: e.PricedCart,
    quote: Quote | None,
    *,
    worth: int,
    earned: int,
    tier: str | None,
    member_id: int | None,
    gift_codes: dict[int, str],
) -> CartOut:
    code_by_promotion = {p.promotion.id: p.coupon.code for p in presented}
    used = {a.promotion_id for a in priced.applied}
    return CartOut(
        quote_id=quote.id if quote else None,
        expires_at=quote.expires_at if quote else None,
        channel=data.channel,
        store_code=data.store_code,
        member_id=member_id,
        tier=tier,
        lines=[_line(pl, skus[pl.line_no - 1].code) for pl in priced.lines],
        applied=[
            AppliedOut(
                promotion_id=a.promotion_id,
                name=a.name,
                kind=a.kind,
                amount=a.amount,
                coupon=code_by_promotion.get(a.promotion_id) if a.coupon else None,
            )
            for a in priced.applied
        ],
        gifts=[
            GiftOut(
                promotion_id=g.promotion_id,
                name=g.name,
                sku=gift_codes[g.sku_id],
                quantity=g.quantity,
                reason=g.reason,
                why=why_out(g.why),
            )
            for g in priced.gifts
        ],
        coupons_unused=[p.coupon.code for p in presented if p.promotion.id not in used],
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        total=priced.total,
        points=PointsUse(redeem=data.points, worth=worth, hold_id=quote.hold_id if quote else None),
        amount_due=priced.total - worth,
        points_earned=earned,
        order_lines=hints(priced, [s.code for s in skus], gift_codes),
    )


def _line(pl: e.PricedLine, sku: str) -> PricedLineOut:
    return PricedLineOut(
        line_no=pl.line_no,
        sku=sku,
        quantity=pl.quantity,
        list_unit_price=pl.list_amount // pl.quantity,
        unit_price=pl.unit_price,
        list_amount=pl.list_amount,
        discount=pl.discount,
        total=pl.total,
        explanation=[
            AdjustmentOut(
                promotion_id=a.promotion_id, name=a.name, amount=a.amount, reason=a.reason, why=why_out(a.why)
            )
            for a in pl.explanation
        ],
    )


def why_out(why: e.Why) -> WhyOut:
    return WhyOut(code=why.code, args=dict(why.args))


def hints(priced: e.PricedCart, codes: list[str], gift_codes: dict[int, str]) -> list[OrderLineHint]:
    """The order lines that match this quote: every priced line, then the gifts at 0."""
    lines = [
        OrderLineHint(
            sku=codes[pl.line_no - 1],
            quantity=pl.quantity,
            unit_price=pl.list_amount // pl.quantity,
            line_discount=pl.discount,
        )
        for pl in priced.lines
    ]
    lines += [
        OrderLineHint(sku=gift_codes[g.sku_id], quantity=g.quantity, unit_price=0, line_discount=0)
        for g in priced.gifts
    ]
    return lines


def expectation(priced: e.PricedCart, gift_codes: dict[int, str]) -> list[dict[str, Any]]:
    """The same lines by SKU id, for matching the order (which may name SKUs by barcode)."""
    lines = [
        {
            "sku_id": pl.sku_id,
            "quantity": pl.quantity,
            "unit_price": pl.list_amount // pl.quantity,
            "line_discount": pl.discount,
        }
        for pl in priced.lines
    ]
    lines += [
        {"sku_id": g.sku_id, "quantity": g.quantity, "unit_price": 0, "line_discount": 0}
        for g in priced.gifts
    ]
    return lines
