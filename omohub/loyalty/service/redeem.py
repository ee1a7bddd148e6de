"""Points as a tender, like a card: hold at checkout, capture when the order completes, or release.

Every step takes the member's account lock first, so the POS and the web shop redeeming at the
same instant queue up and the second sees what the first reserved: a hold never takes the
balance below zero. Holds are idempotent by the caller's key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.outbox import emit
from omohub.loyalty import ledger
from omohub.loyalty import repository as repo
from omohub.loyalty.errors import HoldClosed, HoldNotFound, KeyReused, NotEnoughPoints, RedeemRefused
from omohub.loyalty.events import PointsRedeemed
from omohub.loyalty.models import PointHold
from omohub.loyalty.rules import redeem_problem
from omohub.loyalty.service.program import settings
from omohub.members.errors import MemberNotFound
from omohub.members.models import Member


def hold(
    session: Session,
    member_id: int,
    points: int,
    *,
    key: str,
    channel: str,
    actor: str,
    order_total: int | None = None,
) -> PointHold:
    """Reserve ``points`` for a checkout (for ``hold_minutes``). The same key returns the same hold."""
    if points <= 0:
        raise RedeemRefused("points to redeem must be a positive whole number", field="points")
    program = settings(session)
    problem = redeem_problem(program, points, order_total)
    if problem:
        raise RedeemRefused(problem, field="points")
    member = _lock(session, member_id)
    existing = repo.hold_by_key(session, key)  # read after the lock: a parallel twin has committed
    if existing is not None:
        return _same(existing, member, points)
    release_expired_of(session, member.id)
    lots = repo.usable_lots(session, member.id, ctx(session).now())
    free = sum(lot.free for lot in lots)
    if free < points:
        raise NotEnoughPoints(
            f"member {member.id} has {free} points available; {points} asked", available=free, asked=points
        )
    now = ctx(session).now()
    row = PointHold(
        member_id=member.id,
        key=key,
        points=points,
        status="held",
        channel=channel,
        actor=actor[:120],
        expires_at=now + dt.timedelta(minutes=program.hold_minutes),
        created_at=now,
    )
    session.add(row)
    session.flush()
    ledger.reserve(session, row.id, lots, points)
    return row


def _lock(session: Session, member_id: int) -> Member:
    member = repo.lock_account(session, member_id)
    if member is None:
        raise MemberNotFound(f"no member {member_id}")
    return member


def _same(existing: PointHold, member: Member, points: int) -> PointHold:
    if existing.member_id != member.id or existing.points != points:
        raise KeyReused(f"hold key {existing.key!r} was used for another redemption")
    return existing


def get(session: Session, hold_id: int) -> PointHold:
    row = session.get(PointHold, hold_id)
    if row is None:
        raise HoldNotFound(f"no point hold {hold_id}")
    return row


def capture(session: Session, hold_id: int, *, order_id: int | None) -> PointHold:
    """Spend the held points (once: capturing again for the same order returns the same hold)."""
    row = _locked_hold(session, hold_id)
    if row.status == "captured":
        if row.order_id != order_id:
            raise HoldClosed(f"point hold {hold_id} was already used for order {row.order_id}")
        return row
    now = ctx(session).now()
    if row.status == "released" or row.expires_at <= now:
        if row.status == "held":
            _release(session, row, now)
        raise HoldClosed(f"point hold {hold_id} has expired or was released; hold the points again")
    debit = ledger.entry(
        session, row.member_id, "redeem", -row.points, f"capture:{row.id}", order_id=order_id, actor=row.actor
    )
    allocations = repo.hold_allocations(session, row.id)
    lots = repo.lots_by_id(session, [a.lot_id for a in allocations])
    for a in allocations:
        lots[a.lot_id].held -= a.points
        lots[a.lot_id].remaining -= a.points
        a.entry_id = debit.id
    row.status, row.order_id, row.entry_id, row.closed_at = "captured", order_id, debit.id, now
    emit(session, PointsRedeemed(row.member_id, row.points, order_id, row.id))
    return row


def release(session: Session, hold_id: int) -> PointHold:
    """Give reserved points back (a cancelled checkout). Releasing twice is harmless."""
    row = _locked_hold(session, hold_id)
    if row.status == "captured":
        raise HoldClosed(f"point hold {hold_id} was already captured for order {row.order_id}")
    if row.status == "held":
        _release(session, row, ctx(session).now())
    return row


def _locked_hold(session: Session, hold_id: int) -> PointHold:
    _lock(session, get(session, hold_id).member_id)
    # after the lock: see what a parallel call committed (and where a merge moved it)
    stmt = select(PointHold).where(PointHold.id == hold_id).execution_options(populate_existing=True)
    row = session.scalar(stmt)
    assert row is not None
    return row


def _release(session: Session, row: PointHold, now: dt.datetime) -> None:
    allocations = repo.hold_allocations(session, row.id)
    lots = repo.lots_by_id(session, [a.lot_id for a in allocations])
    for a in allocations:
        lots[a.lot_id].held -= a.points
        session.delete(a)
    row.status, row.closed_at = "released", now


def release_expired_of(session: Session, member_id: int) -> None:
    now = ctx(session).now()
    for row in repo.holds_of(session, member_id):
        if row.expires_at <= now:
            _release(session, row, now)


def release_expired(session: Session, limit: int = 500) -> int:
    """The sweep: checkouts abandoned past their time limit give their points back."""
    rows = repo.expired_holds(session, ctx(session).now(), limit)
    for member_id in sorted({r.member_id for r in rows}):
        _lock(session, member_id)
        release_expired_of(session, member_id)
    return len(rows)
