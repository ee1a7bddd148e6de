"""A member's coupon wallet and one coupon's state, as the till and the web shop see them."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.members.models import Member
from omohub.promotions import repository as repo
from omohub.promotions.errors import CouponInvalid, InvalidPromotion
from omohub.promotions.models import Coupon, Promotion
from omohub.promotions.schemas import CouponOut, CouponsIn, IssuedOut
from omohub.promotions.service import coupons


def out(
    session: Session, coupon: Coupon, member_id: int | None = None, channel: str | None = None
) -> CouponOut:
    promotion = session.get(Promotion, coupon.promotion_id)
    assert promotion is not None
    now = ctx(session).now()
    live = repo.reserved_counts(session, [coupon.id], now, None)
    who = member_id if member_id is not None else coupon.member_id
    why = coupons.why_not(coupon, promotion, member_id=who, channel=channel, now=now, reserved=live)
    return CouponOut(
        code=coupon.code,
        promotion_id=promotion.id,
        promotion_name=promotion.name,
        member_id=coupon.member_id,
        max_uses=coupon.max_uses,
        uses=coupon.uses,
        valid_from=coupon.valid_from or promotion.starts_at,
        valid_until=coupon.valid_until or promotion.ends_at,
        status=coupon.status,
        usable=why is None,
        why_not=why,
    )


def wallet(session: Session, member_id: int, *, usable_only: bool = False) -> list[CouponOut]:
    found = [out(session, c) for c in repo.wallet(session, member_id)]
    return [c for c in found if c.usable] if usable_only else found


def lookup(session: Session, code: str) -> CouponOut:
    found = repo.coupons_by_code(session, [coupons.normalize(code)])
    if not found:
        raise CouponInvalid(f"coupon {code}: no such code", field="code")
    return out(session, next(iter(found.values())))


def issue(session: Session, promotion: Promotion, data: CouponsIn, member: Member | None) -> IssuedOut:
    """One shared code, ``count`` unique codes, or one coupon into a member's wallet."""
    given = [x for x in (data.code, data.count, member) if x is not None]
    if len(given) != 1:
        raise InvalidPromotion("give exactly one of code, count or member", field="code")
    kw = {"max_uses": data.max_uses, "valid_from": data.valid_from, "valid_until": data.valid_until}
    if data.code is not None:
        codes = [coupons.issue_code(session, promotion, data.code, **kw).code]
    elif data.count is not None:
        codes = coupons.issue_bulk(session, promotion, data.count, data.prefix, **kw)
    else:
        assert member is not None
        key = f"manual:{uuid.uuid4().hex}"
        codes = [coupons.issue_to_member(session, promotion, member.id, key=key, reason="manual", **kw).code]
    return IssuedOut(promotion_id=promotion.id, issued=len(codes), codes=codes)
