"""Promotion and coupon queries."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from omohub.core import versions
from omohub.core.db import UTCDateTime
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


@functools.cache
def _lock_rows_statement(for_update: bool) -> Select[*tuple[Any, ...]]:
    """Built once, of plain columns: a quote runs it on every call (``ids`` bound)."""
    c = Coupon.__table__.c
    stmt = select(c.id, c.code, c.uses, c.max_uses).where(c.id.in_(bindparam("ids", expanding=True)))
    stmt = stmt.order_by(c.id)
    return stmt.with_for_update() if for_update else stmt


def lock_coupon_rows(session: Session, ids: list[int]) -> list[Row[Any]]:
    """(id, code, uses, max_uses) of the coupons, row-locked in id order."""
    stmt = _lock_rows_statement(session.get_bind().dialect.name == "postgresql")
    return list(session.execute(stmt, {"ids": sorted(set(ids))}))


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


def _live_reservations(now: Any, but_quote: Any) -> Any:
    """Per coupon row of the outer query: its live reservations, ``but_quote``'s own not counted
    (``now`` and ``but_quote`` values or bound parameters; ``but_quote`` None for none)."""
    use, coupon = CouponUse.__table__.c, Coupon.__table__
    stmt = select(func.count()).where(
        use.coupon_id == coupon.c.id, use.status == "reserved", use.expires_at > now
    )
    if but_quote is not None:
        stmt = stmt.where(or_(use.quote_id.is_(None), use.quote_id != but_quote))
    return stmt.correlate(coupon).scalar_subquery()


@functools.cache
def _presented_statement(but_quote: bool) -> Select[*tuple[Any, ...]]:
    """Built once, of plain columns (no ORM step when it runs): a checkout runs it on every call.
    ``codes``, ``now`` and ``but_quote`` are bound."""
    quote: BindParameter[str] | None = bindparam("but_quote") if but_quote else None
    reserved = _live_reservations(bindparam("now", type_=UTCDateTime()), quote)
    coupon, promotion = Coupon.__table__.c, Promotion.__table__.c
    return (
        select(
            coupon.id,
            coupon.code,
            coupon.promotion_id,
            coupon.member_id,
            coupon.max_uses,
            coupon.uses,
            coupon.valid_from,
            coupon.valid_until,
            coupon.status,
            promotion.status.label("promotion_status"),
            promotion.starts_at,
            promotion.ends_at,
            promotion.channels,
            reserved.label("reserved"),
        )
        .join_from(Coupon.__table__, Promotion.__table__, promotion.id == coupon.promotion_id)
        .where(coupon.code.in_(bindparam("codes", expanding=True)))
    )


def presented(session: Session, codes: list[str], now: dt.datetime, but_quote: str | None) -> list[Row[Any]]:
    """For a cart's codes in one statement: each coupon, what its promotion allows (status,
    schedule, channels) and its live reservations (``reserved``)."""
    params = {"codes": codes, "now": now, "but_quote": but_quote}
    return list(session.execute(_presented_statement(bool(but_quote)), params))


@functools.cache
def _reserve_statement() -> Any:
    """Built once, of plain columns: a quote runs it on every call (``ids``, ``member``,
    ``quote``, ``until`` and ``now`` bound)."""
    coupon = Coupon.__table__.c
    now = bindparam("now", type_=UTCDateTime())
    free = coupon.uses + _live_reservations(now, bindparam("quote")) < coupon.max_uses
    rows = select(
        coupon.id,
        bindparam("member", type_=BigInteger()),
        bindparam("quote"),
        literal("reserved"),
        bindparam("until", type_=UTCDateTime()),
        now,
    ).where(coupon.id.in_(bindparam("ids", expanding=True)), free)
    cols = ["coupon_id", "member_id", "quote_id", "status", "expires_at", "at"]
    uses = cast(Table, CouponUse.__table__)
    return insert(uses).from_select(cols, rows).returning(uses.c.coupon_id)


def reserve_free(
    session: Session,
    ids: list[int],
    *,
    quote_id: str,
    member_id: int | None,
    until: dt.datetime,
    now: dt.datetime,
) -> set[int]:
    """Reserve each coupon of ``ids`` that has a use left, in one statement; the ids reserved.
    Call it with the coupons locked: its count then includes what a twin committed meanwhile."""
    params = {"ids": ids, "member": member_id, "quote": quote_id, "until": until, "now": now}
    return set(session.scalars(_reserve_statement(), params))


def unreserve(session: Session, quote_id: str) -> None:
    session.execute(delete(CouponUse).where(CouponUse.quote_id == quote_id, CouponUse.status == "reserved"))


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
