"""The cart preview (試算): a cart priced exactly as the till and the web shop would price it now
(``checkout.price`` with ``quote=False``: no quote, no coupon reserved, no point held), and, for
every promotion that looks at the cart's lines, whether it applied and if not why — with what
it would give on its own (the engine's ``apply_combination``), so a promotion can be checked
before it starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.orm import Session

from omohub.checkout import price
from omohub.checkout.schemas import CartIn, CartOut
from omohub.console.forms import Fields, Problem, Rejected, first, number, problem
from omohub.console.i18n import Translator
from omohub.console.promotion_form import codes
from omohub.console.rules import Reason, coupon_reason
from omohub.core.context import ctx
from omohub.core.errors import DomainError
from omohub.members.models import Member
from omohub.members.service import MemberSeen
from omohub.promotions import convert
from omohub.promotions import engine as e
from omohub.promotions import repository as promotions_repo
from omohub.promotions.errors import CouponInvalid
from omohub.promotions.models import Promotion
from omohub.promotions.service import usage

#: Cart lines the form offers at least (and one more than were sent).
LINE_ROWS = 5
FIELDS = ("channel", "store", "member", "lines", "coupons", "points")
#: Promotions explained per status (active, paused): far more than a brand runs at once.
EXPLAINED = 500


@dataclass(frozen=True)
class Sent:
    """The cart as the form sent it, and the form row of each cart line (empty rows are skipped)."""

    cart: CartIn
    rows: list[int]


def line_rows(sent: int) -> int:
    return max(LINE_ROWS, sent + 1)


def read_cart(given: Fields, member: Member | None, member_unknown: bool) -> Sent:
    """The preview form as the cart the API would be sent; ``quote`` is always off."""
    found: dict[str, Problem] = {"member": Problem("preview.err_member")} if member_unknown else {}
    skus, quantities = given.get("sku", []), given.get("qty", [])
    lines, rows = [], []
    for row, sku in enumerate(skus):
        if sku.strip():
            qty = number(quantities[row]) if row < len(quantities) else ""
            lines.append({"sku": sku.strip(), "quantity": qty or 1})
            rows.append(row)
    if not lines:
        found["lines"] = Problem("preview.err_lines")
    if first(given, "channel") == "pos" and not first(given, "store"):
        found["store"] = Problem("preview.err_store")
    raw = {
        "channel": first(given, "channel"),
        "store_code": first(given, "store") or None,
        "member": {"member_id": member.id} if member else None,
        "lines": lines,
        "coupons": codes(first(given, "coupons")),
        "points": number(first(given, "points")) or 0,
        "quote": False,
    }
    try:
        cart = CartIn.model_validate(raw)
    except ValidationError as exc:
        raise Rejected({**_problems(exc, rows), **found}) from None
    if cart.points and member is None and not member_unknown:
        found["points"] = Problem("preview.err_points_member")
    if found:
        raise Rejected(found)
    return Sent(cart, rows)


def _problems(exc: ValidationError, rows: list[int]) -> dict[str, Problem]:
    found: dict[str, Problem] = {}
    for err in exc.errors():
        found.setdefault(_field(err, rows), problem(err))
    return found


def _field(err: ErrorDetails, rows: list[int]) -> str:
    loc = err["loc"]
    if len(loc) > 1 and loc[0] == "lines" and isinstance(loc[1], int):
        return f"line.{rows[loc[1]]}"
    name = str(loc[0]) if loc else ""
    return {"store_code": "store"}.get(name, name if name in FIELDS else "")


def refused(exc: DomainError, sent: Sent, t: Translator) -> dict[str, Problem]:
    """Why the domain would not price this cart, on the field to correct."""
    field = str(exc.extra.get("field", ""))
    if isinstance(exc, CouponInvalid):
        reason = coupon_reason(exc.detail.split(": ", 1)[-1]) or Reason("coupon_why.other")
        why = t(reason.key, channel=t.label("channel", reason.channel), detail=reason.detail)
        return {"coupons": Problem("preview.err_coupon", {"code": exc.extra.get("coupon", ""), "why": why})}
    if field.startswith("lines.") and field.endswith(".sku"):
        row = sent.rows[int(field.split(".")[1])]
        return {f"line.{row}": Problem("preview.err_sku")}
    name = "member" if field.startswith("member") else {"store_code": "store"}.get(field, field)
    return {name if name in FIELDS else "": Problem("preview.refused", {"detail": exc.detail})}


def priced(session: Session, sent: Sent, actor: str) -> CartOut:
    """The priced cart, as the API would answer ``quote: false``."""
    assert not sent.cart.quote
    return price.price(session, sent.cart, actor=actor)


# Why a promotion did or did not apply ------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One promotion that looks at the cart's lines, and what it did."""

    promotion: Promotion
    #: The discount it gave in the priced cart (0 for a gift); None if it did not apply.
    applied: int | None
    reason: Reason | None
    #: What it gives this cart on its own, whatever its schedule, scope or stacking.
    alone: int
    alone_gift: bool


@dataclass(frozen=True)
class _Sale:
    channel: str
    store_id: int | None
    shopper: e.Shopper
    now: dt.datetime
    coupons: frozenset[int]
    spent: frozenset[int]


def verdicts(session: Session, sent: Sent, out: CartOut) -> list[Verdict]:
    """Every active or paused promotion that targets a line of the cart: applied ones first."""
    cart = price.resolve(session, sent.cart)
    lines = price.cart_lines(sent.cart, cart)
    rows = [
        *promotions_repo.listing(session, "active", EXPLAINED),
        *promotions_repo.listing(session, "paused", EXPLAINED),
    ]
    converted = [(row, convert.to_engine(row)) for row in rows]
    touching = [(row, p) for row, p in converted if any(p.target.matches(line) for line in lines)]
    now = ctx(session).now()
    member = cart.member
    shopper = e.Shopper(member.id if member else None, cart.tier, _birthday_month(session, member, now))
    sale = _Sale(
        channel=sent.cart.channel,
        store_id=cart.store.id if cart.store else None,
        shopper=shopper,
        now=now,
        coupons=frozenset(p.promotion.id for p in cart.presented),
        spent=usage.spent_out(session, [row.id for row, _ in touching], shopper.member_id),
    )
    applied = {a.promotion_id: a.amount for a in out.applied}
    found = []
    for row, p in touching:
        alone = e.apply_combination([p], lines)
        reason = None if row.id in applied else why_not(row, p, sale, alone)
        found.append(Verdict(row, applied.get(row.id), reason, alone.discount_total, bool(alone.gifts)))
    return sorted(found, key=lambda v: (v.applied is None, v.promotion.id))


def why_not(row: Promotion, p: e.Promotion, sale: _Sale, alone: e.PricedCart) -> Reason:
    """The first reason, in the order a marketer would check them, that ``p`` did not apply."""
    scope, channel = p.scope, sale.channel
    checks = (
        (row.status == "paused", Reason("why.paused")),
        (p.starts_at is not None and sale.now < p.starts_at, Reason("why.not_yet", at=p.starts_at)),
        (not e.in_schedule(p, sale.now), Reason("why.over", at=p.ends_at)),
        (p.coupon and row.id not in sale.coupons, Reason("why.coupon")),
        (bool(scope.channels) and channel not in scope.channels, Reason("why.channel", channel=channel)),
        (bool(scope.stores) and sale.store_id not in scope.stores, Reason("why.store")),
        (not e.in_audience(scope, sale.shopper), Reason(f"why.audience_{scope.audience}")),
        (row.id in sale.spent, Reason("why.capped")),
        (not alone.discount_total and not alone.gifts, Reason("why.condition")),
    )
    return next((reason for failed, reason in checks if failed), Reason("why.outdone"))


def _birthday_month(session: Session, member: MemberSeen | None, now: dt.datetime) -> bool:
    return bool(member and member.birthday and member.birthday.month == ctx(session).business_date(now).month)
