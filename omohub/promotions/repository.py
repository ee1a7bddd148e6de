"""Promotion and coupon queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from omohub.core import versions
from omohub.promotions.models import Coupon, CouponUse, Promotion, PromotionUse


def active(session: Session) -> list[Promotion]:
    return list(session.scalars(select(Promotion).where(Promotion.status == "active").order_by(Promotion.id)))


def bump(session: Session) -> None:
    """Any promotion added or changed: the pricing index is built again (``core.versions``)."""
    versions.bump(session, versions.PROMOTIONS)


def listing(session: Session, status: str | None, limit: int) -> list[Promotion]:
    stmt = select(Promotion).order_by(Promotion.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Promotion.status == status)
    return list(session.scalars(stmt))


def by_ids(session: Session, ids: Sequence[int]) -> list[Promotion]:
    return list(session.scalars(select(Promotion).where(Promotion.id.in_(sorted(set(ids))))))


def lock_promotions(session: Session, ids: list[int]) -> dict[int, Promotion]:
    stmt = select(Promotion).where(Promotion.id.in_(sorted(set(ids)))).order_by(Promotion.id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return {p.id: p for p in session.scalars(stmt.execution_options(populate_existing=True))}


def coupons_by_code(session: Session, codes: list[str]) -> dict[str, Coupon]:
    return {c.code: c for c in session.scalars(select(Coupon).where(Coupon.code.in_(codes)))}


def lock_coupons(session: Session, ids: list[int]) -> dict[int, Coupon]:
    stmt = select(Coupon).where(Coupon.id.in_(sorted(set(ids)))).order_by(Coupon.id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return {c.id: c for c in session.scalars(stmt.execution_options(populate_existing=True))}


def reserved_counts(
    session: Session, coupon_ids: list[int], now: dt.datetime, but_quote: str | None
) -> dict[int, int]:
    """Live reservations per coupon (quotes not yet expired), not counting ``but_quote``'s own."""
    stmt = (
        select(CouponUse.coupon_id, func.count())
        .where(
            CouponUse.coupon_id.in_(coupon_ids), CouponUse.status == "reserved", CouponUse.expires_at > now
        )
        .group_by(CouponUse.coupon_id)
    )
    if but_quote:
        stmt = stmt.where(or_(CouponUse.quote_id.is_(None), CouponUse.quote_id != but_quote))
    return {cid: int(n) for cid, n in session.execute(stmt)}


def uses_of_quote(session: Session, quote_id: str) -> list[CouponUse]:
    return list(
        session.scalars(select(CouponUse).where(CouponUse.quote_id == quote_id).order_by(CouponUse.id))
    )


def member_uses(session: Session, member_id: int, promotion_ids: list[int]) -> dict[int, int]:
    stmt = (
        select(PromotionUse.promotion_id, func.count())
        .where(PromotionUse.member_id == member_id, PromotionUse.promotion_id.in_(promotion_ids))
        .group_by(PromotionUse.promotion_id)
    )
    return {pid: int(n) for pid, n in session.execute(stmt)}


def wallet(session: Session, member_id: int) -> list[Coupon]:
    stmt = select(Coupon).where(Coupon.member_id == member_id).order_by(Coupon.valid_until, Coupon.id)
    return list(session.scalars(stmt))


def by_auto_issue(session: Session, kind: str) -> list[Promotion]:
    stmt = select(Promotion).where(Promotion.auto_issue == kind, Promotion.status == "active")
    return list(session.scalars(stmt.order_by(Promotion.id)))
