"""``POST /api/v1/carts/price``: one answer for the till and the web shop, with a quote.

The hot path: one read of the data versions (``core.versions``), after which the store, the
SKUs, the loyalty program and the promotions index come from per-process caches; the shopper
with their tier (and, when an earn rule asks, whether they ordered in this channel before; for
a preview, their free points) in one statement; the coupons with their promotions' terms and
live reservations in one; caps only for capped promotions that applied. A quote then reserves
the coupons, holds the points and writes its row once, complete.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from omohub.catalog import lookup as catalog
from omohub.catalog.lookup import SkuRow
from omohub.checkout.errors import InvalidCart
from omohub.checkout.models import Quote
from omohub.checkout.present import cart_out, expectation
from omohub.checkout.schemas import CartIn, CartOut
from omohub.core.context import ctx
from omohub.loyalty import repository as loyalty_repo
from omohub.loyalty.errors import NotEnoughPoints
from omohub.loyalty.rules import EarnLine, points_value, redeem_problem
from omohub.loyalty.service import earning, program, redeem
from omohub.members.service import MemberSeen
from omohub.orders.refs import member_with
from omohub.org import lookup as org
from omohub.org.lookup import StoreRow
from omohub.promotions import engine as e
from omohub.promotions.service import coupons, usage
from omohub.promotions.service.index import pricing_index

QUOTE_MINUTES = 15


@dataclass(frozen=True)
class Cart:
    """The cart resolved against the database: who, where, what."""

    store: StoreRow | None
    member: MemberSeen | None
    tier: str | None
    skus: list[SkuRow]
    presented: list[coupons.Presented]
    #: Whether the member ordered in this channel before (read only when an earn rule asks).
    ordered_in_channel: bool | None = None
    #: The member's points free to redeem (read only for a preview that redeems points).
    free_points: int | None = None


def price(session: Session, data: CartIn, *, actor: str) -> CartOut:
    cart = resolve(session, data)
    now = ctx(session).now()
    lines = cart_lines(data, cart)
    priced = best_price(session, data, cart, lines, now)
    worth = _check_points(session, data, cart, priced.total)
    quote = _quote(session, data, cart, priced, worth, actor) if data.quote else None
    earned = _earned(session, data, cart, lines, priced, worth)
    gifts = catalog.sku_codes(session, [g.sku_id for g in priced.gifts])
    out = cart_out(
        data,
        cart.skus,
        cart.presented,
        priced,
        quote,
        worth=worth,
        earned=earned,
        tier=cart.tier,
        member_id=cart.member.id if cart.member else None,
        gift_codes=gifts,
    )
    out.free_shipping = _ships_free(session, cart.tier)
    if quote is not None:  # written once, complete (one INSERT when the unit of work commits)
        quote.result = {**out.model_dump(mode="json"), "expect": expectation(priced, gifts)}
        session.add(quote)
    return out


def _ships_free(session: Session, tier: str | None) -> bool:
    found = next((t for t in program.tiers(session) if t.code == tier), None) if tier else None
    return bool(found and found.benefits.get("free_shipping"))


def cart_lines(data: CartIn, cart: Cart) -> list[e.CartLine]:
    """The engine's lines for a resolved cart, numbered from 1 (the sent or the list price)."""
    return [
        e.CartLine(
            i,
            sku.id,
            sku.product_id,
            sku.category,
            li.unit_price if li.unit_price is not None else sku.list_price,
            li.quantity,
        )
        for i, (li, sku) in enumerate(zip(data.lines, cart.skus, strict=True), 1)
    ]


def resolve(session: Session, data: CartIn) -> Cart:
    store = _store(session, data)
    member, facts = _member(session, data)
    skus = _skus(session, data)
    presented = coupons.check(
        session, data.coupons, member_id=member.id if member else None, channel=data.channel
    )
    return Cart(store, member, facts.get("tier"), skus, presented, facts.get("ordered"), facts.get("free"))


def _store(session: Session, data: CartIn) -> StoreRow | None:
    if not data.store_code:
        if data.channel == "pos":
            raise InvalidCart("a pos cart needs store_code", field="store_code")
        return None
    store = org.store(session, data.store_code)
    if store is None:
        raise InvalidCart(f"unknown store code {data.store_code!r}", field="store_code")
    return store


def _member(session: Session, data: CartIn) -> tuple[MemberSeen | None, dict[str, Any]]:
    """The member and, in the same statement, their tier; whether they ordered in this channel
    if an earn rule asks; their free points if a preview redeems some."""
    if not data.member:
        return None, {}
    also = {"tier": loyalty_repo.tier_of_member()}
    params: dict[str, Any] = {}
    if earning.counts_first_orders(session):
        also["ordered"] = loyalty_repo.has_orders_in()
        params[loyalty_repo.CHANNEL] = data.channel
    if data.points and not data.quote:
        also["free"] = loyalty_repo.free_points_of_member()
        params[loyalty_repo.NOW] = ctx(session).now()
    member, found = member_with(session, data.member, list(also.values()), params)
    facts = dict(zip(also, found, strict=True))
    if "ordered" in facts:
        facts["ordered"] = bool(facts["ordered"])
    return member, facts


def _skus(session: Session, data: CartIn) -> list[SkuRow]:
    found = catalog.skus_by_ref(session, (li.sku for li in data.lines))
    missing = [(i, li.sku) for i, li in enumerate(data.lines) if li.sku not in found]
    if missing:
        i, ref = missing[0]
        raise InvalidCart(f"lines.{i}.sku: unknown SKU {ref!r}", field=f"lines.{i}.sku")
    return [found[li.sku] for li in data.lines]


def best_price(
    session: Session, data: CartIn, cart: Cart, lines: list[e.CartLine], now: dt.datetime
) -> e.PricedCart:
    """The engine's best price, again without any promotion whose caps are spent."""
    member = cart.member
    shopper = e.Shopper(
        member.id if member else None,
        cart.tier,
        bool(member and member.birthday and member.birthday.month == ctx(session).business_date(now).month),
    )
    index, capped = pricing_index(session)
    exclude: frozenset[int] = frozenset()
    coupon_ids = frozenset(p.promotion.id for p in cart.presented)
    while True:
        priced = e.price_cart(
            index,
            lines,
            channel=data.channel,
            store_id=cart.store.id if cart.store else None,
            shopper=shopper,
            now=now,
            coupon_promotion_ids=coupon_ids,
            exclude=exclude,
        )
        applied = [a.promotion_id for a in priced.applied if a.promotion_id in capped]
        spent = usage.spent_out(session, applied, shopper.member_id)
        if not spent:
            return priced
        exclude |= spent


def _check_points(session: Session, data: CartIn, cart: Cart, total: int) -> int:
    if not data.points:
        return 0
    if cart.member is None:
        raise InvalidCart("points need a member", field="points")
    settings = program.settings(session)
    problem = redeem_problem(settings, data.points, total)
    if problem:
        raise InvalidCart(problem, field="points")
    if not data.quote:  # a preview holds nothing, but must not promise points that are not there
        available = int(cart.free_points or 0)
        if available < data.points:
            raise NotEnoughPoints(
                f"member {cart.member.id} has {available} points available; {data.points} asked"
            )
    return points_value(settings, data.points)


def _quote(session: Session, data: CartIn, cart: Cart, priced: e.PricedCart, worth: int, actor: str) -> Quote:
    """Reserve the coupons and hold the points; the quote row is added by :func:`price` once
    its result is known."""
    now = ctx(session).now()
    quote = Quote(
        id="q_" + secrets.token_hex(16),
        channel=data.channel,
        store_id=cart.store.id if cart.store else None,
        member_id=cart.member.id if cart.member else None,
        result={},
        total=priced.total,
        points=data.points,
        points_worth=worth,
        status="open",
        actor=actor[:120],
        created_at=now,
        expires_at=now + dt.timedelta(minutes=QUOTE_MINUTES),
    )
    used = {a.promotion_id for a in priced.applied if a.coupon}
    wanted = [p for p in cart.presented if p.promotion.id in used]
    member_id = quote.member_id
    coupons.reserve(session, wanted, quote_id=quote.id, member_id=member_id, until=quote.expires_at)
    if data.points and member_id is not None:
        hold = redeem.hold(
            session,
            member_id,
            data.points,
            key=f"quote:{quote.id}",
            channel=data.channel,
            actor=actor,
            order_total=priced.total,
        )
        quote.hold_id = hold.id
    return quote


def _earned(
    session: Session, data: CartIn, cart: Cart, lines: list[e.CartLine], priced: e.PricedCart, worth: int
) -> int:
    if cart.member is None:
        return 0
    by_no = {line.line_no: line for line in lines}
    earn_lines = [EarnLine(pl.line_no, by_no[pl.line_no].category, pl.total) for pl in priced.lines]
    when = ctx(session).business_date(ctx(session).now())
    store_code = cart.store.code if cart.store else None
    return earning.preview(
        session,
        cart.member,
        cart.tier,
        channel=data.channel,
        store_code=store_code,
        lines=earn_lines,
        points_paid=worth,
        when=when,
        ordered_in_channel=cart.ordered_in_channel,
    )
