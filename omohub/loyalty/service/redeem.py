"""Points as a tender, like a card: hold at checkout, capture when the order completes, or release.

Every step takes the member's account lock first, so the POS and the web shop redeeming at the
same instant queue up and the second sees what the first reserved: a hold never takes the
balance below zero. Holds are idempotent by the caller's key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.outbox import emit, row_for
from omohub.loyalty import repository as repo
from omohub.loyalty.errors import HoldClosed, HoldNotFound, KeyReused, NotEnoughPoints, RedeemRefused
from omohub.loyalty.events import PointsRedeemed
from omohub.loyalty.models import PointHold
from omohub.loyalty.rules import Lot, ProgramSettings, plan_take, redeem_problem
from omohub.loyalty.service import program
from omohub.members.errors import MemberNotFound


@dataclass(frozen=True)
class Hold:
    """A point hold as the tender's steps return it (``PointHold``'s columns, nothing loaded);
    ``replayed`` says the key had been used before and this is that hold, unchanged."""

    id: int
    member_id: int
    key: str
    points: int
    status: str
    channel: str
    actor: str
    expires_at: dt.datetime
    created_at: dt.datetime
    closed_at: dt.datetime | None
    order_id: int | None
    entry_id: int | None
    replayed: bool = False

    @classmethod
    def of(cls, row: Any, *, replayed: bool = False) -> Hold:
        return cls(**{f: getattr(row, f) for f in _COLUMNS}, replayed=replayed)

    @classmethod
    def of_row(cls, row: Sequence[Any]) -> Hold:
        """From a row of ``point_holds``' columns in table order (the fields' order)."""
        return cls(*row)


_COLUMNS = [f for f in Hold.__dataclass_fields__ if f != "replayed"]


def hold(
    session: Session,
    member_id: int,
    points: int,
    *,
    key: str,
    channel: str,
    actor: str,
    order_total: int | None = None,
) -> Hold:
    """Reserve ``points`` for a checkout (for ``hold_minutes``). The same key returns the same
    hold (``replayed``).

    On PostgreSQL the common case is one statement (``omohub_points_hold``), priced with the
    program settings this process holds: the function checks their version token (ADR 0095).
    When it declines (a merged member, a retry, expired holds to release, not enough points),
    five: lock, free lots, the hold, its allocations, the lots.
    """
    if points <= 0:
        raise RedeemRefused("points to redeem must be a positive whole number", field="points")
    session.flush()
    now = ctx(session).now()
    asked = {"key": key, "points": points, "channel": channel, "actor": actor}
    tried = False  # the function declined with current settings: not again
    held = program.held_settings(session) if repo.in_database(session) else None
    if held is not None and not redeem_problem(held[1], points, order_total):
        done = _hold_in_database(session, member_id, asked, held, now)
        if isinstance(done, Hold):
            return done
        tried = done is None
    token, current = program.settings_and_token(session)
    problem = redeem_problem(current, points, order_total)
    if problem:
        raise RedeemRefused(problem, field="points")
    if repo.in_database(session) and not tried:
        done = _hold_in_database(session, member_id, asked, (token, current), now)
        if isinstance(done, Hold):
            return done
    values = _hold_values(asked, current, now)
    member_id = lock_account(session, member_id)
    lots = repo.free_lots(session, member_id, now)
    if sum(n for _, n in lots) < points:
        if repo.hold_row_by_key(session, key) is not None:  # a retry of a hold that took them
            return _same(session, key, member_id, points)
        lots = _make_room(session, member_id, points, now)
    values["member_id"] = member_id
    hold_id = repo.insert_hold(session, values)
    if hold_id is None:  # the key was used before: a retry
        return _same(session, key, member_id, points)
    repo.allocate_to_hold(session, hold_id, plan_take([Lot(i, n) for i, n in lots], points))
    return Hold.of(SimpleNamespace(id=hold_id, **values))


def _hold_in_database(
    session: Session,
    member_id: int,
    asked: dict[str, Any],
    priced_with: tuple[str, ProgramSettings],
    now: dt.datetime,
) -> Hold | int | None:
    """The one-statement hold with these settings (and their version token): the hold, or
    :data:`repo.STALE_PROGRAM` (the program changed since), or None (the Python path's case)."""
    values = _hold_values(asked, priced_with[1], now)
    found = repo.hold_in_database(session, member_id, values, priced_with[0])
    if not found:
        return found
    return Hold.of(SimpleNamespace(id=found, member_id=member_id, **values))


def _hold_values(asked: dict[str, Any], program: ProgramSettings, now: dt.datetime) -> dict[str, Any]:
    """The new hold's columns (but its member) for ``asked`` (key, points, channel, actor)."""
    return {
        **asked,
        "status": "held",
        "actor": asked["actor"][:120],
        "expires_at": now + dt.timedelta(minutes=program.hold_minutes),
        "created_at": now,
        "closed_at": None,
        "order_id": None,
        "entry_id": None,
    }


def _make_room(session: Session, member_id: int, points: int, now: dt.datetime) -> list[tuple[int, int]]:
    """Not enough free points: release expired holds first (the sweep's job, done here when it
    matters), or it really is not enough."""
    release_expired_of(session, member_id)
    session.flush()
    lots = repo.free_lots(session, member_id, now)
    free = sum(n for _, n in lots)
    if free < points:
        raise NotEnoughPoints(
            f"member {member_id} has {free} points available; {points} asked", available=free, asked=points
        )
    return lots


def lock_account(session: Session, member_id: int) -> int:
    """Lock the member's account (following a merge to its survivor); the live member's id."""
    if repo.lock_status(session, member_id) == "active":
        return member_id
    member = repo.lock_account(session, member_id)
    if member is None:
        raise MemberNotFound(f"no member {member_id}")
    return member.id


def _same(session: Session, key: str, member_id: int, points: int) -> Hold:
    existing = repo.hold_row_by_key(session, key)
    assert existing is not None
    if existing.member_id != member_id or existing.points != points:
        raise KeyReused(f"hold key {key!r} was used for another redemption")
    return Hold.of(existing, replayed=True)


def get(session: Session, hold_id: int) -> PointHold:
    row = session.get(PointHold, hold_id)
    if row is None:
        raise HoldNotFound(f"no point hold {hold_id}")
    return row


def capture(session: Session, hold_id: int, *, order_id: int | None) -> Hold:
    """Spend the held points (once: capturing again for the same order returns the same hold).

    On PostgreSQL the common case is one statement (``omohub_points_capture``, which writes the
    outbox row too); otherwise, or when that declines (the hold is not open, a merge moved it), six: the
    hold read with its member's account locked, the debit entry (its key ``capture:<hold>``
    refuses a second one), the hold closed, its allocations settled, the lots, the outbox row.
    """
    session.flush()
    now = ctx(session).now()
    if repo.in_database(session):
        # the function writes the outbox row, filling in the hold's member_id and points
        event = row_for(PointsRedeemed(0, 0, order_id, hold_id))
        captured = repo.capture_in_database(session, hold_id, order_id, now, event)
        if captured is not None:
            return Hold.of_row(captured)
    row = _locked_hold(session, hold_id)
    if row.status != "held" or row.expires_at <= now:
        return _closed(row, order_id)
    entry_id = repo.insert_entry(
        session,
        {
            "member_id": row.member_id,
            "kind": "redeem",
            "points": -row.points,
            "key": f"capture:{hold_id}",
            "order_id": order_id,
            "reason": "",
            "actor": row.actor,
            "detail": {},
            "at": now,
        },
    )
    done = entry_id is not None and repo.close_hold(
        session, hold_id, "captured", {"order_id": order_id, "entry_id": entry_id, "closed_at": now}
    )
    if not done:  # closed by a twin after this statement's snapshot: read it as it is now
        current = repo.hold_row(session, hold_id)
        return _closed(current, order_id)
    assert entry_id is not None
    taken = repo.settle_hold_allocations(session, hold_id, entry_id)
    repo.shift_lots(session, taken, held=-1, remaining=-1)
    emit(session, PointsRedeemed(row.member_id, row.points, order_id, hold_id))
    values = {"status": "captured", "order_id": order_id, "entry_id": entry_id, "closed_at": now}
    return Hold.of(SimpleNamespace(**{**row._asdict(), **values}))


def _closed(row: Any, order_id: int | None) -> Hold:
    """Capturing a hold that is not open: the same order again is a harmless retry."""
    if row.status == "captured":
        if row.order_id != order_id:
            raise HoldClosed(f"point hold {row.id} was already used for order {row.order_id}")
        return Hold.of(row, replayed=True)
    raise HoldClosed(f"point hold {row.id} has expired or was released; hold the points again")


def release(session: Session, hold_id: int) -> PointHold:
    """Give reserved points back (a cancelled checkout). Releasing twice is harmless."""
    _locked_hold(session, hold_id)
    # after the lock: see what a parallel call committed (and where a merge moved it)
    stmt = select(PointHold).where(PointHold.id == hold_id).execution_options(populate_existing=True)
    row = session.scalar(stmt)
    assert row is not None
    if row.status == "captured":
        raise HoldClosed(f"point hold {hold_id} was already captured for order {row.order_id}")
    if row.status == "held":
        _release(session, row, ctx(session).now())
    return row


def _locked_hold(session: Session, hold_id: int) -> Row[Any]:
    """The hold, its member's account locked. A merge that moved the hold while this waited
    for the loser's lock shows as a member no longer active: read again, lock the survivor."""
    for _ in range(5):
        row = repo.lock_hold_owner(session, hold_id)
        if row is None:
            raise HoldNotFound(f"no point hold {hold_id}")
        if row.member_status == "active":
            return row
    raise HoldClosed(f"point hold {hold_id} belongs to a member who is no longer active")


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
        lock_account(session, member_id)
        release_expired_of(session, member_id)
    return len(rows)
