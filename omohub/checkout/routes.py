"""``POST /api/v1/carts/price`` and ``GET /api/v1/quotes/{id}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from omohub.access.rules import Principal
from omohub.api.deps import principal, uow
from omohub.checkout import price
from omohub.checkout.errors import QuoteNotFound
from omohub.checkout.models import Quote
from omohub.checkout.schemas import CartIn, CartOut

router = APIRouter(prefix="/api/v1", tags=["checkout"])

CHECKOUT = principal("pos", "ecommerce")


@router.post("/carts/price", response_model=CartOut)
def price_cart(data: CartIn, session: Session = uow, who: Principal = Depends(CHECKOUT)) -> CartOut:
    """Price a cart exactly as every channel would: promotions (best for the customer), coupons,
    tier and member prices, points to redeem and points to earn, explained line by line.

    With ``quote: true`` (the default) the answer carries a ``quote_id``, valid for 15 minutes:
    the coupons that applied are reserved and the points held until ``POST /api/v1/orders``
    names the quote (and uses them exactly once) or the quote expires. 422 for an unknown SKU,
    store or coupon (naming it and why); 409 when a coupon was just used at another till or
    the member lacks the points.
    """
    return price.price(session, data, actor=who.actor)


@router.get("/quotes/{quote_id}")
def read_quote(quote_id: str, session: Session = uow, who: Principal = Depends(CHECKOUT)) -> dict[str, Any]:
    """A quote: its status (open, used), the order that used it, and the priced cart."""
    quote = session.get(Quote, quote_id[:40])
    if quote is None:
        raise QuoteNotFound(f"no quote {quote_id!r}")
    return {
        "quote_id": quote.id,
        "status": quote.status,
        "order_id": quote.order_id,
        "expires_at": quote.expires_at.isoformat(),
        "cart": {k: v for k, v in quote.result.items() if k != "expect"},
    }
