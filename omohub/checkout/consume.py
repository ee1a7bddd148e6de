"""The order extension: an order that names a quote uses it — once, and only if it matches.

In the order's transaction (``omohub.orders.extensions``): the quote row is locked, checked
(open, not expired, the same channel, store, member, lines, prices and points tender) and
then consumed: the point hold captured, the reserved coupons used, the promotions counted.
Any failure refuses the order and nothing is spent. An order without a quote that pays with
points (a legacy POS) redeems them on the spot, and is refused if they are not there.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.checkout.errors import InvalidTender, QuoteExpired, QuoteMismatch, QuoteUsed, UnknownQuote
from omohub.checkout.models import Quote
from omohub.core.context import ctx
from omohub.loyalty.rules import points_value
from omohub.loyalty.service import program, redeem
from omohub.orders.models import Order, OrderLine
from omohub.orders.schemas import OrderIn
from omohub.promotions.service import coupons, usage


class QuoteConsumer:
    def on_create(self, session: Session, order: Order, lines: list[OrderLine], data: OrderIn) -> None:
        points_paid = sum(p.amount for p in data.payments if p.tender == "points")
        if data.quote_id:
            consume(session, data.quote_id, order, lines, points_paid)
        elif points_paid:
            redeem_on_the_spot(session, order, points_paid)


def _locked(session: Session, quote_id: str) -> Quote:
    stmt = select(Quote).where(Quote.id == quote_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    quote = session.scalar(stmt)
    if quote is None:
        raise UnknownQuote(f"unknown quote_id {quote_id!r}", field="quote_id")
    return quote


def consume(session: Session, quote_id: str, order: Order, lines: list[OrderLine], points_paid: int) -> None:
    quote = _locked(session, quote_id)
    if quote.status != "open":
        raise QuoteUsed(f"quote {quote_id} was already used by order {quote.order_id}", field="quote_id")
    if quote.expires_at <= ctx(session).now():
        raise QuoteExpired(
            f"quote {quote_id} expired at {quote.expires_at.isoformat()}; price the cart again",
            field="quote_id",
        )
    problem = mismatch(quote, order, lines, points_paid)
    if problem:
        raise QuoteMismatch(
            f"the order does not match quote {quote_id}: {problem}", field=problem.split(":")[0]
        )
    if quote.hold_id is not None:
        redeem.capture(session, quote.hold_id, order_id=order.id)
    coupons.use(session, quote.id, order.id)
    applied = [(a["promotion_id"], a["amount"]) for a in quote.result["applied"]]
    usage.record(session, applied, member_id=order.member_id, order_id=order.id)
    quote.status, quote.order_id = "used", order.id


def mismatch(quote: Quote, order: Order, lines: list[OrderLine], points_paid: int) -> str | None:
    """The first difference between the order and its quote, as ``field: what``."""
    if order.channel != quote.channel:
        return f"channel: the quote is for {quote.channel}"
    if order.store_id != quote.store_id:
        return "store_code: the quote is for another store"
    if order.member_id != quote.member_id:
        return "member: the quote is for another member (or none)"
    expected = quote.result["expect"]
    if len(lines) != len(expected):
        return f"lines: the quote has {len(expected)} lines (gifts included), the order {len(lines)}"
    for i, (line, want) in enumerate(zip(lines, expected, strict=True)):
        got = {
            "sku_id": line.sku_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "line_discount": line.line_discount,
        }
        if got != want or line.order_discount:
            return f"lines.{i}: expected {_show(want)}, got {_show(got)} (see the quote's order_lines)"
    if points_paid != quote.points_worth:
        worth = quote.points_worth
        return f"payments: the quote redeems points worth {worth}, the points tender is {points_paid}"
    return None


def _show(line: dict[str, int]) -> str:
    return f"quantity {line['quantity']} at {line['unit_price']} less {line['line_discount']}"


def redeem_on_the_spot(session: Session, order: Order, points_paid: int) -> None:
    """A points tender without a quote: convert NT$ back to points and redeem them now."""
    if order.member_id is None:
        raise InvalidTender("payments: a points tender needs a member on the order", field="payments")
    settings = program.settings(session)
    points = -(-points_paid * settings.redeem_points // settings.redeem_amount)  # ceil
    if points_value(settings, points) != points_paid:
        raise InvalidTender(
            f"payments: NT${points_paid} is not a whole number of redemption steps"
            f" ({settings.redeem_points} points = NT${settings.redeem_amount})",
            field="payments",
        )
    key = f"order:{order.id}"
    hold = redeem.hold(
        session,
        order.member_id,
        points,
        key=key,
        channel=order.channel,
        actor="order",
        order_total=order.total,
    )
    redeem.capture(session, hold.id, order_id=order.id)
