"""Read queries only the console needs: the dashboard, filtered order lists, the audit log,
the choices of the loyalty settings forms, a promotion's issued coupons.

Every list is a keyset page over an indexed order (never OFFSET), so the console stays
fast on a chain with millions of orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, or_, select, text
from sqlalchemy.orm import Session

from omohub.access.models import ApiKey, AuditEntry, ConsoleUser
from omohub.catalog.models import Product, Sku
from omohub.core.context import ctx
from omohub.core.db import MAX_ID
from omohub.loyalty.models import MemberTier
from omohub.members.models import Member
from omohub.orders.models import ONLINE_CHANNELS, Order
from omohub.org.models import Staff, Store
from omohub.promotions.models import Coupon
from omohub.webhooks.models import Delivery

PAGE = 50


@dataclass(frozen=True)
class OrderFilter:
    channel: str | None = None
    store_id: int | None = None
    member_id: int | None = None
    status: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    number: str | None = None


@dataclass(frozen=True)
class OrderRow:
    order: Order
    store: str | None


@dataclass(frozen=True)
class DayBar:
    day: dt.date
    online: int
    offline: int


@dataclass(frozen=True)
class Dashboard:
    members: int
    members_estimated: bool
    orders_today: int
    revenue_online: int
    revenue_offline: int
    deliveries_pending: int
    deliveries_failed: int
    days: list[DayBar]


def day_start(session: Session, day: dt.date) -> dt.datetime:
    """The UTC instant the brand's business day ``day`` begins."""
    tz = ctx(session).settings.tz
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def today(session: Session) -> dt.date:
    c = ctx(session)
    return c.business_date(c.now())


def dashboard(session: Session, store_id: int | None = None, days: int = 14) -> Dashboard:
    first = today(session) - dt.timedelta(days=days - 1)
    bars = _daily(session, first, days, store_id)
    last = bars[-1]
    members, estimated = member_count(session)
    pending, failed = _delivery_counts(session)
    return Dashboard(
        members=members,
        members_estimated=estimated,
        orders_today=_orders_on(session, last.day, store_id),
        revenue_online=last.online,
        revenue_offline=last.offline,
        deliveries_pending=pending,
        deliveries_failed=failed,
        days=bars,
    )


def member_count(session: Session) -> tuple[int, bool]:
    """Live members; on a large PostgreSQL table the planner's estimate (a count would scan)."""
    if session.get_bind().dialect.name == "postgresql":
        estimate = session.scalar(
            text("SELECT reltuples::bigint FROM pg_class WHERE oid = 'members'::regclass")
        )
        if estimate is not None and estimate > 200_000:
            return int(estimate), True
    count = session.scalar(select(func.count()).select_from(Member).where(Member.status == "active"))
    return int(count or 0), False


def _daily(session: Session, first: dt.date, days: int, store_id: int | None) -> list[DayBar]:
    is_online = case((Order.channel.in_(ONLINE_CHANNELS), 1), else_=0)
    stmt = (
        select(Order.business_date, is_online, func.coalesce(func.sum(Order.total - Order.refunded_total), 0))
        .where(Order.ordered_at >= day_start(session, first))
        .group_by(Order.business_date, is_online)
    )
    if store_id is not None:
        stmt = stmt.where(Order.store_id == store_id)
    sums: dict[tuple[dt.date, int], int] = {(d, o): int(v) for d, o, v in session.execute(stmt)}
    span = [first + dt.timedelta(days=i) for i in range(days)]
    return [DayBar(d, sums.get((d, 1), 0), sums.get((d, 0), 0)) for d in span]


def _orders_on(session: Session, day: dt.date, store_id: int | None) -> int:
    start = day_start(session, day)
    stmt = select(func.count(Order.id)).where(
        Order.ordered_at >= start, Order.ordered_at < start + dt.timedelta(days=1)
    )
    if store_id is not None:
        stmt = stmt.where(Order.store_id == store_id)
    return int(session.scalar(stmt) or 0)


def _delivery_counts(session: Session) -> tuple[int, int]:
    rows = dict(
        session.execute(
            select(Delivery.status, func.count(Delivery.id))
            .where(Delivery.status.in_(("pending", "failed")))
            .group_by(Delivery.status)
        ).all()
    )
    return int(rows.get("pending", 0)), int(rows.get("failed", 0))


def orders_page(
    session: Session, f: OrderFilter, after: str | None = None, limit: int = PAGE
) -> list[OrderRow]:
    """Newest first by time; ``after`` is the cursor of the last row of the previous page."""
    stmt = _order_filters(session, select(Order, Store.name).outerjoin(Store, Store.id == Order.store_id), f)
    cursor = parse_cursor(after)
    if cursor is not None:
        at, oid = cursor
        stmt = stmt.where((Order.ordered_at < at) | ((Order.ordered_at == at) & (Order.id < oid)))
    stmt = stmt.order_by(Order.ordered_at.desc(), Order.id.desc()).limit(limit)
    return [OrderRow(order, store) for order, store in session.execute(stmt)]


def _order_filters(session: Session, stmt: Select[Order, str], f: OrderFilter) -> Select[Order, str]:
    if f.number:
        number = f.number.strip()
        # POS receipt numbers are often all digits: a number is the hub's id or the source's
        oid = as_id(number)
        stmt = stmt.where(
            Order.external_id == number if oid is None else or_(Order.id == oid, Order.external_id == number)
        )
    for column, value in (
        (Order.channel, f.channel),
        (Order.store_id, f.store_id),
        (Order.member_id, f.member_id),
        (Order.status, f.status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    # Business dates as UTC bounds, so the ordered_at index serves the range.
    if f.date_from:
        stmt = stmt.where(Order.ordered_at >= day_start(session, f.date_from))
    if f.date_to:
        stmt = stmt.where(Order.ordered_at < day_start(session, f.date_to + dt.timedelta(days=1)))
    return stmt


def cursor_of(order: Order) -> str:
    return f"{order.ordered_at.isoformat()}|{order.id}"


def parse_cursor(raw: str | None) -> tuple[dt.datetime, int] | None:
    """A cursor of :func:`cursor_of`; anything else (edited by hand) is None, the first page."""
    if not raw or "|" not in raw:
        return None
    at, _, oid = raw.rpartition("|")
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        return None
    order_id = as_id(oid)
    return (when, order_id) if when.tzinfo is not None and order_id is not None else None


def as_id(raw: str) -> int | None:
    """A database id written in ASCII digits, or None (``"²"`` and 30 digits are not ids)."""
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def product_names(session: Session, sku_codes: list[str]) -> dict[str, str]:
    if not sku_codes:
        return {}
    rows = session.execute(
        select(Sku.code, Product.name)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.code.in_(sku_codes))
    )
    return dict(rows.all())


def store_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Store.code, Store.name)).all())


def stores(session: Session) -> list[Store]:
    return list(session.scalars(select(Store).order_by(Store.code)))


def staff(session: Session, store_id: int | None = None) -> list[tuple[Staff, str | None]]:
    stmt = select(Staff, Store.name).outerjoin(Store, Store.id == Staff.store_id).order_by(Staff.code)
    if store_id is not None:
        stmt = stmt.where(Staff.store_id == store_id)
    return [(row, name) for row, name in session.execute(stmt)]


def api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())))


def users(session: Session) -> list[tuple[ConsoleUser, str | None]]:
    stmt = (
        select(ConsoleUser, Store.name)
        .outerjoin(Store, Store.id == ConsoleUser.store_id)
        .order_by(ConsoleUser.username)
    )
    return [(row, name) for row, name in session.execute(stmt)]


def audit_page(
    session: Session, *, actor: str | None, action: str | None, subject: str | None, before: int | None
) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(100)
    for column, value in (
        (AuditEntry.actor, actor),
        (AuditEntry.action, action),
        (AuditEntry.subject, subject),
    ):
        if value:
            stmt = stmt.where(column == value)
    if before:
        stmt = stmt.where(AuditEntry.id < before)
    return list(session.scalars(stmt))


def categories(session: Session) -> list[str]:
    """The product categories in the catalog (what an earn rule may target)."""
    stmt = select(Product.category).where(Product.category != "").distinct().order_by(Product.category)
    return list(session.scalars(stmt))


def tier_members(session: Session) -> dict[str, int]:
    """How many members hold each tier now."""
    stmt = select(MemberTier.tier_code, func.count()).group_by(MemberTier.tier_code)
    return {code: int(n) for code, n in session.execute(stmt)}


def promotion_coupons(session: Session, promotion_id: int, limit: int = 100) -> list[Coupon]:
    """A promotion's coupons, the latest issued first."""
    stmt = select(Coupon).where(Coupon.promotion_id == promotion_id).order_by(Coupon.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def coupon_totals(session: Session, promotion_id: int) -> tuple[int, int]:
    """How many coupons a promotion has issued, and how many times they were used."""
    stmt = select(func.count(), func.coalesce(func.sum(Coupon.uses), 0)).where(
        Coupon.promotion_id == promotion_id
    )
    count, uses = session.execute(stmt).one()
    return int(count), int(uses)


def coupon_batch(
    session: Session, promotion_id: int, issued_at: dt.datetime | None, limit: int | None = None
) -> list[Coupon]:
    """The codes of one bulk batch (issued at one instant), or all of a promotion's, by code."""
    stmt = _batch(select(Coupon), promotion_id, issued_at).order_by(Coupon.code).limit(limit)
    return list(session.scalars(stmt))


def batch_size(session: Session, promotion_id: int, issued_at: dt.datetime) -> int:
    stmt = _batch(select(func.count()).select_from(Coupon), promotion_id, issued_at)
    return int(session.scalar(stmt) or 0)


def _batch(stmt: Select[Any], promotion_id: int, issued_at: dt.datetime | None) -> Select[Any]:
    stmt = stmt.where(Coupon.promotion_id == promotion_id)
    if issued_at is not None:
        stmt = stmt.where(Coupon.issued_at == issued_at, Coupon.source == "bulk")
    return stmt
