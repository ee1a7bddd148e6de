"""Loyalty queries. Lot order is the spending order: soonest expiry first, never-expiring last."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from omohub.loyalty.models import (
    EarnRule,
    MemberTier,
    PointAllocation,
    PointEntry,
    PointHold,
    PointLot,
    Program,
    Tier,
)
from omohub.members import repository as members
from omohub.members.models import Member
from omohub.orders.models import Order


def lock_account(session: Session, member_id: int) -> Member | None:
    """The live member, row-locked so its points change one transaction at a time.

    ``FOR NO KEY UPDATE``: serialises redemptions with each other and with merges (which take
    ``FOR UPDATE``) but not with orders inserted for the member (``FOR KEY SHARE``). The row
    asked for is locked first (one statement in the common case); a merged one is followed to
    its survivor, which is then locked and re-checked.
    """
    stmt = select(Member).where(Member.id == member_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(key_share=True)
    locked = session.scalar(stmt)
    if locked is None or locked.status == "active":
        return locked
    survivor = members.live_member(session, member_id)
    return lock_account(session, survivor.id) if survivor is not None and survivor.id != member_id else None


def _usable(member_id: int, now: dt.datetime) -> Select[Any]:
    return (
        select(PointLot)
        .where(
            PointLot.member_id == member_id,
            PointLot.remaining > 0,
            PointLot.available_at <= now,
            or_(PointLot.expires_at.is_(None), PointLot.expires_at > now),
        )
        .order_by(PointLot.expires_at.is_(None), PointLot.expires_at, PointLot.id)
    )


def usable_lots(session: Session, member_id: int, now: dt.datetime) -> list[PointLot]:
    return list(session.scalars(_usable(member_id, now)))


def open_lots(session: Session, member_id: int) -> list[PointLot]:
    """Every lot with points left, pending and expired-not-yet-swept included."""
    stmt = select(PointLot).where(PointLot.member_id == member_id, PointLot.remaining > 0)
    return list(
        session.scalars(stmt.order_by(PointLot.expires_at.is_(None), PointLot.expires_at, PointLot.id))
    )


def ledger_sum(session: Session, member_id: int) -> int:
    stmt = select(func.coalesce(func.sum(PointEntry.points), 0)).where(PointEntry.member_id == member_id)
    return int(session.scalar(stmt) or 0)


def entries(session: Session, member_id: int, limit: int, before: int | None = None) -> list[PointEntry]:
    stmt = select(PointEntry).where(PointEntry.member_id == member_id)
    if before is not None:
        stmt = stmt.where(PointEntry.id < before)
    return list(session.scalars(stmt.order_by(PointEntry.id.desc()).limit(limit)))


def entry_by_key(session: Session, key: str) -> PointEntry | None:
    return session.scalar(select(PointEntry).where(PointEntry.key == key))


def hold_by_key(session: Session, key: str) -> PointHold | None:
    return session.scalar(select(PointHold).where(PointHold.key == key))


def holds_of(session: Session, member_id: int, status: str = "held") -> list[PointHold]:
    stmt = select(PointHold).where(PointHold.member_id == member_id, PointHold.status == status)
    return list(session.scalars(stmt.order_by(PointHold.id)))


def hold_allocations(session: Session, hold_id: int) -> list[PointAllocation]:
    stmt = select(PointAllocation).where(
        PointAllocation.hold_id == hold_id, PointAllocation.entry_id.is_(None)
    )
    return list(session.scalars(stmt.order_by(PointAllocation.id)))


def lots_by_id(session: Session, ids: list[int]) -> dict[int, PointLot]:
    return {lot.id: lot for lot in session.scalars(select(PointLot).where(PointLot.id.in_(ids)))}


def expired_holds(session: Session, now: dt.datetime, limit: int) -> list[PointHold]:
    stmt = select(PointHold).where(PointHold.status == "held", PointHold.expires_at <= now)
    return list(session.scalars(stmt.order_by(PointHold.id).limit(limit)))


def members_with_expiring_lots(session: Session, now: dt.datetime, limit: int) -> list[int]:
    """Members with a lot past its expiry that still holds unreserved points."""
    stmt = (
        select(PointLot.member_id)
        .where(PointLot.remaining > 0, PointLot.expires_at <= now, PointLot.remaining > PointLot.held)
        .group_by(PointLot.member_id)
        .order_by(PointLot.member_id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def earn_entries_for_order(session: Session, order_id: int) -> list[PointEntry]:
    stmt = select(PointEntry).where(PointEntry.order_id == order_id, PointEntry.kind == "earn")
    return list(session.scalars(stmt.order_by(PointEntry.id)))


def lots_for_entry(session: Session, entry_id: int) -> list[PointLot]:
    return list(session.scalars(select(PointLot).where(PointLot.entry_id == entry_id)))


def program(session: Session) -> Program | None:
    return session.get(Program, 1)


def earn_rules(session: Session, active_only: bool = True) -> list[EarnRule]:
    stmt = select(EarnRule).order_by(EarnRule.id)
    if active_only:
        stmt = stmt.where(EarnRule.active.is_(True))
    return list(session.scalars(stmt))


def tiers(session: Session) -> list[Tier]:
    return list(session.scalars(select(Tier).order_by(Tier.threshold, Tier.code)))


def member_tier(session: Session, member_id: int) -> MemberTier | None:
    return session.get(MemberTier, member_id)


def due_reviews(session: Session, now: dt.datetime, limit: int) -> list[MemberTier]:
    stmt = select(MemberTier).where(MemberTier.review_at <= now).order_by(MemberTier.member_id).limit(limit)
    return list(session.scalars(stmt))


def net_spend(session: Session, member_id: int, since: dt.datetime) -> int:
    """All channels, net of returns, over the tier window."""
    stmt = select(func.coalesce(func.sum(Order.total - Order.refunded_total), 0)).where(
        Order.member_id == member_id, Order.ordered_at >= since
    )
    return int(session.scalar(stmt) or 0)


def points_earned_since(session: Session, member_id: int, since: dt.datetime) -> int:
    stmt = select(func.coalesce(func.sum(PointEntry.points), 0)).where(
        PointEntry.member_id == member_id,
        PointEntry.at >= since,
        PointEntry.kind.in_(("earn", "reverse")),
    )
    return int(session.scalar(stmt) or 0)


def orders_in_channel(session: Session, member_id: int, channel: str, before_id: int) -> int:
    stmt = select(func.count()).where(
        Order.member_id == member_id, Order.channel == channel, Order.id < before_id
    )
    return int(session.scalar(stmt) or 0)


def summary_rows(session: Session) -> list[Any]:
    """Per member: ledger sum vs lot remainders, for the consistency check."""
    led = select(PointEntry.member_id, func.sum(PointEntry.points).label("s")).group_by(PointEntry.member_id)
    lots = select(PointLot.member_id, func.sum(PointLot.remaining).label("s")).group_by(PointLot.member_id)
    a, b = led.subquery(), lots.subquery()
    stmt = select(func.coalesce(a.c.member_id, b.c.member_id), a.c.s, b.c.s).join(
        b, a.c.member_id == b.c.member_id, full=True
    )
    return list(session.execute(stmt))


def line_categories(session: Session, order_id: int) -> dict[int, str]:
    """Order line id → its product's category (earn rules can target categories)."""
    from omohub.catalog.models import Product, Sku
    from omohub.orders.models import OrderLine

    stmt = (
        select(OrderLine.id, Product.category)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(OrderLine.order_id == order_id)
    )
    return {int(row[0]): str(row[1]) for row in session.execute(stmt)}


def returned_before(session: Session, order_id: int, return_id: int) -> dict[int, int]:
    """Units of each line returned by the order's earlier returns (ids below ``return_id``)."""
    from omohub.orders.models import Return, ReturnLine

    stmt = (
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
        .join(Return, Return.id == ReturnLine.return_id)
        .where(Return.order_id == order_id, Return.id < return_id)
        .group_by(ReturnLine.order_line_id)
    )
    return {line_id: int(n) for line_id, n in session.execute(stmt)}


def program_settings(session: Session) -> dict[str, Any] | None:
    """The program's settings document (None before head office saves any)."""
    return session.scalar(select(Program.settings).where(Program.id == 1))


def tier_rows(session: Session) -> list[tuple[str, str, int, dict[str, Any]]]:
    """(code, name, threshold, benefits) of every tier, lowest first."""
    stmt = select(Tier.code, Tier.name, Tier.threshold, Tier.benefits).order_by(Tier.threshold, Tier.code)
    return [tuple(row) for row in session.execute(stmt)]


def active_rule_specs(session: Session) -> list[tuple[str, dict[str, Any]]]:
    """(name, spec) of the active earn rules, oldest first."""
    stmt = select(EarnRule.name, EarnRule.spec).where(EarnRule.active.is_(True)).order_by(EarnRule.id)
    return [tuple(row) for row in session.execute(stmt)]


def tier_of_member() -> Any:
    """The member's tier code, as a scalar subquery on ``Member`` (read with the member)."""
    return (
        select(MemberTier.tier_code)
        .where(MemberTier.member_id == Member.id)
        .correlate(Member)
        .scalar_subquery()
    )


def has_orders_in(channel: str) -> Any:
    """Whether the member has an order in ``channel``, as a subquery on ``Member``."""
    return (
        select(Order.id)
        .where(Order.member_id == Member.id, Order.channel == channel)
        .exists()
        .correlate(Member)
    )


def free_points_of_member(now: dt.datetime) -> Any:
    """Points usable now and not held (what a new hold could take), as a scalar subquery on
    ``Member``; the lots are those of :func:`usable_lots`."""
    usable = (
        PointLot.member_id == Member.id,
        PointLot.remaining > 0,
        PointLot.available_at <= now,
        or_(PointLot.expires_at.is_(None), PointLot.expires_at > now),
    )
    free = func.coalesce(func.sum(PointLot.remaining - PointLot.held), 0)
    return select(free).where(*usable).correlate(Member).scalar_subquery()
