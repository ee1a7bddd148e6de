"""Loyalty queries. Lot order is the spending order: soonest expiry first, never-expiring last."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Table,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from omohub.core.db import Json, UTCDateTime, insert_for
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
    locked = session.scalar(_locking(session, stmt))
    if locked is None or locked.status == "active":
        return locked
    survivor = members.live_member(session, member_id)
    return lock_account(session, survivor.id) if survivor is not None and survivor.id != member_id else None


def _locking(session: Session, stmt: Select[Any], of: Table | None = None) -> Select[Any]:
    """``stmt`` taking the account lock (``FOR NO KEY UPDATE``, of ``of``) on PostgreSQL."""
    if session.get_bind().dialect.name != "postgresql":
        return stmt  # SQLite: one writer at a time already
    return stmt.with_for_update(key_share=True, of=of)


def _usable_where(member_id: Any, now: dt.datetime | ColumnElement[dt.datetime]) -> tuple[Any, ...]:
    """The lots whose points can be spent now: ``member_id`` a value or a correlated column,
    ``now`` a value or a bound parameter. Of table columns, so that a Core statement using it
    (the checkout's member read) stays Core."""
    lot = PointLot.__table__.c
    return (
        lot.member_id == member_id,
        lot.remaining > 0,
        lot.available_at <= now,
        or_(lot.expires_at.is_(None), lot.expires_at > now),
    )


def _usable(member_id: int, now: dt.datetime) -> Select[Any]:
    return (
        select(PointLot)
        .where(*_usable_where(member_id, now))
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


# --- The tender's lean statements: columns and tables, no entities loaded -------------------
# A redemption (hold, then capture) is the checkout's hot path: these read only the columns it
# needs and write with one statement per table. Writes bypass the session's identity map, so
# they expire whatever copies of the rows the session has loaded (see ``_forget``).

HOLDS = cast(Table, PointHold.__table__)
LOTS = cast(Table, PointLot.__table__)
ALLOCATIONS = cast(Table, PointAllocation.__table__)
ENTRIES = cast(Table, PointEntry.__table__)
MEMBERS = cast(Table, Member.__table__)


def lock_status(session: Session, member_id: int) -> str | None:
    """Lock the member's account row (as ``lock_account``) and say its status; None if none."""
    stmt = select(MEMBERS.c.status).where(MEMBERS.c.id == member_id)
    return session.scalar(_locking(session, stmt))


def lock_hold_owner(session: Session, hold_id: int) -> Row[Any] | None:
    """The hold with its member's status, the member's account row locked.

    The hold's columns are as of the statement's start: another transaction may have closed it
    while this one waited for the lock, so writers must still guard on ``status``.
    """
    stmt = (
        select(MEMBERS.c.status.label("member_status"), HOLDS)
        .join(MEMBERS, MEMBERS.c.id == HOLDS.c.member_id)
        .where(HOLDS.c.id == hold_id)
    )
    return session.execute(_locking(session, stmt, of=MEMBERS)).first()


def free_lots(session: Session, member_id: int, now: dt.datetime) -> list[tuple[int, int]]:
    """``(lot id, free points)`` of the usable lots, in spending order."""
    u = _usable(member_id, now).with_only_columns(PointLot.id, PointLot.remaining - PointLot.held)
    return [(int(a), int(b)) for a, b in session.execute(u)]


def hold_row(session: Session, hold_id: int) -> Row[Any] | None:
    return session.execute(select(HOLDS).where(HOLDS.c.id == hold_id)).first()


def hold_row_by_key(session: Session, key: str) -> Row[Any] | None:
    return session.execute(select(HOLDS).where(HOLDS.c.key == key)).first()


def insert_hold(session: Session, values: dict[str, Any]) -> int | None:
    """The new hold's id, or None when its key is taken (``ON CONFLICT DO NOTHING``)."""
    stmt = insert_for(session)(HOLDS).values(values).on_conflict_do_nothing(index_elements=["key"])
    found = session.execute(stmt.returning(HOLDS.c.id)).scalar()
    return None if found is None else int(found)


def allocate_to_hold(session: Session, hold_id: int, plan: list[tuple[int, int]]) -> None:
    """Reserve ``plan`` (lot id, points) for the hold: allocations written, lots' ``held`` up."""
    session.execute(
        insert(ALLOCATIONS).values([{"lot_id": lot, "hold_id": hold_id, "points": n} for lot, n in plan])
    )
    shift_lots(session, plan, held=1)


def settle_hold_allocations(session: Session, hold_id: int, entry_id: int) -> list[tuple[int, int]]:
    """The hold's open allocations become the entry's; returns what they took, per lot."""
    stmt = (
        update(ALLOCATIONS)
        .where(ALLOCATIONS.c.hold_id == hold_id, ALLOCATIONS.c.entry_id.is_(None))
        .values(entry_id=entry_id)
        .returning(ALLOCATIONS.c.id, ALLOCATIONS.c.lot_id, ALLOCATIONS.c.points)
    )
    rows = session.execute(stmt).all()
    _forget(session, PointAllocation, [int(r[0]) for r in rows])
    return [(int(lot), int(n)) for _, lot, n in rows]


def shift_lots(session: Session, moves: list[tuple[int, int]], *, held: int = 0, remaining: int = 0) -> None:
    """Add ``held × n`` to ``held`` and ``remaining × n`` to ``remaining`` of each lot in ``moves``."""
    by_lot: dict[int, int] = {}
    for lot, n in moves:
        by_lot[lot] = by_lot.get(lot, 0) + n
    amount = case(by_lot, value=LOTS.c.id)
    values: dict[str, Any] = {}
    if held:
        values["held"] = LOTS.c.held + held * amount
    if remaining:
        values["remaining"] = LOTS.c.remaining + remaining * amount
    session.execute(update(LOTS).where(LOTS.c.id.in_(list(by_lot))).values(values))
    _forget(session, PointLot, list(by_lot))


def insert_entry(session: Session, values: dict[str, Any]) -> int | None:
    """The new entry's id, or None when its key is taken (``ON CONFLICT DO NOTHING``)."""
    stmt = insert_for(session)(ENTRIES).values(values).on_conflict_do_nothing(index_elements=["key"])
    found = session.execute(stmt.returning(ENTRIES.c.id)).scalar()
    return None if found is None else int(found)


def close_hold(session: Session, hold_id: int, status: str, values: dict[str, Any]) -> bool:
    """Move an open hold to ``status``; False when it was no longer open."""
    stmt = (
        update(HOLDS)
        .where(HOLDS.c.id == hold_id, HOLDS.c.status == "held")
        .values(status=status, **values)
        .returning(HOLDS.c.id)
    )
    done = session.execute(stmt).first() is not None
    _forget(session, PointHold, [hold_id])
    return done


def _forget(session: Session, model: type[Any], ids: list[int]) -> None:
    """Expire the session's loaded copies of rows a Core statement just changed."""
    for id_ in ids:
        obj = session.identity_map.get(identity_key(model, id_))
        if obj is not None:
            session.expire(obj)


# --- The same two steps as one statement each, on PostgreSQL (migrations 0004, 0006; ADR 0092, 0095)


def in_database(session: Session) -> bool:
    """Whether the tender's functions exist here (PostgreSQL); SQLite runs the Python path."""
    return session.get_bind().dialect.name == "postgresql"


#: What ``omohub_points_hold`` returns when the program's version token is not the caller's.
STALE_PROGRAM = 0

_HOLD_FN = text(
    "SELECT omohub_points_hold(:member, :points, :key, :channel, :actor, :now, :expires, :program)"
).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("expires", type_=UTCDateTime()))

_CAPTURE_FN = (
    text("SELECT * FROM omohub_points_capture(:hold, :order, :now, :topic, :version, :payload)")
    .bindparams(bindparam("now", type_=UTCDateTime()), bindparam("payload", type_=Json))
    .columns(*HOLDS.c)
)


def hold_in_database(session: Session, member_id: int, values: dict[str, Any], program: str) -> int | None:
    """The common case of a hold in one statement, priced with the program whose version token
    is ``program``: the hold's id; :data:`STALE_PROGRAM` if the program changed since (nothing
    written); None for the Python path."""
    params = {k: values[k] for k in ("points", "key", "channel", "actor")}
    found = (
        session.connection()
        .execute(
            _HOLD_FN,
            {
                **params,
                "member": member_id,
                "now": values["created_at"],
                "expires": values["expires_at"],
                "program": program,
            },
        )
        .scalar()
    )
    if found is None or found == STALE_PROGRAM:
        return found
    _forget_where(session, PointLot, lambda lot: lot.member_id == member_id)
    return int(found)


def capture_in_database(
    session: Session, hold_id: int, order_id: int | None, now: dt.datetime, event: dict[str, Any]
) -> Row[Any] | None:
    """The common case of a capture in one statement, with its outbox row (``event``: topic,
    version and payload, to which the function adds the hold's ``member_id`` and ``points``):
    the captured hold, or None."""
    row = (
        session.connection()
        .execute(
            _CAPTURE_FN,
            {"hold": hold_id, "order": order_id, "now": now, **event},
        )
        .first()
    )
    if row is not None:
        _forget(session, PointHold, [hold_id])
        _forget_where(session, PointLot, lambda lot: lot.member_id == row.member_id)
        _forget_where(session, PointAllocation, lambda a: a.hold_id == hold_id)
    return row


def _forget_where(session: Session, model: type[Any], loaded: Any) -> None:
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and loaded(obj):
            session.expire(obj)


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


#: The bound parameters of the member facts below (given when the statement runs).
CHANNEL, NOW = "facts_channel", "facts_now"


@functools.cache
def tier_of_member() -> Any:
    """The member's tier code, as a scalar subquery on the members table (read with the member).

    These facts are built once, of plain table columns: a checkout reads them on every call,
    and building a statement (or an ORM step to run it) costs more than running it."""
    tiers, members = MemberTier.__table__, Member.__table__
    stmt = select(tiers.c.tier_code).where(tiers.c.member_id == members.c.id)
    return stmt.correlate(members).scalar_subquery()


@functools.cache
def has_orders_in() -> Any:
    """Whether the member has an order in the channel bound as :data:`CHANNEL`, as a subquery
    on the members table."""
    orders, members = Order.__table__, Member.__table__
    return (
        select(orders.c.id)
        .where(orders.c.member_id == members.c.id, orders.c.channel == bindparam(CHANNEL))
        .exists()
        .correlate(members)
    )


@functools.cache
def free_points_of_member() -> Any:
    """Points usable at the time bound as :data:`NOW` and not held (what a new hold could take),
    as a scalar subquery on the members table; the lots are those of :func:`usable_lots`."""
    now, members = bindparam(NOW, type_=UTCDateTime()), Member.__table__
    lot = PointLot.__table__.c
    free = func.coalesce(func.sum(lot.remaining - lot.held), 0)
    return select(free).where(*_usable_where(members.c.id, now)).correlate(members).scalar_subquery()
