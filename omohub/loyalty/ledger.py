"""The ledger's mechanics: entries, lots and allocations, written together so they agree.

Callers hold the account lock (``repository.lock_account``) and have checked the balance;
these functions only keep ``sum(entries) == sum(lots.remaining)`` true.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.loyalty import repository as repo
from omohub.loyalty.models import PointAllocation, PointEntry, PointLot
from omohub.loyalty.rules import Lot, plan_take


@dataclass(frozen=True)
class Balance:
    """``available`` can be spent now; ``held`` is reserved by open checkouts; ``pending``
    waits for the return window; ``total`` is the ledger sum (all three, plus expired points
    the nightly job has not swept yet)."""

    available: int
    held: int
    pending: int
    total: int
    next_expiry: dt.datetime | None
    next_expiry_points: int


def entry(
    session: Session,
    member_id: int,
    kind: str,
    points: int,
    key: str,
    *,
    order_id: int | None = None,
    reason: str = "",
    actor: str = "system",
    detail: dict[str, Any] | None = None,
) -> PointEntry:
    row = PointEntry(
        member_id=member_id,
        kind=kind,
        points=points,
        key=key,
        order_id=order_id,
        reason=reason[:300],
        actor=actor[:120],
        detail=detail or {},
        at=ctx(session).now(),
    )
    session.add(row)
    session.flush()
    return row


def add_lot(
    session: Session,
    credit: PointEntry,
    *,
    available_at: dt.datetime,
    expires_at: dt.datetime | None,
) -> PointLot:
    lot = PointLot(
        member_id=credit.member_id,
        entry_id=credit.id,
        order_id=credit.order_id,
        points=credit.points,
        remaining=credit.points,
        held=0,
        available_at=available_at,
        expires_at=expires_at,
    )
    session.add(lot)
    session.flush()
    return lot


def debit(session: Session, debit_entry: PointEntry, lots: list[PointLot]) -> None:
    """Take ``-debit_entry.points`` from ``lots`` (in order, unreserved points only)."""
    plan = plan_take([Lot(lot.id, lot.free) for lot in lots], -debit_entry.points)
    by_id = {lot.id: lot for lot in lots}
    for lot_id, n in plan:
        by_id[lot_id].remaining -= n
        session.add(PointAllocation(lot_id=lot_id, entry_id=debit_entry.id, points=n))


def balance(session: Session, member_id: int) -> Balance:
    now = ctx(session).now()
    available = held = pending = 0
    expiry: dt.datetime | None = None
    expiring = 0
    for lot in repo.open_lots(session, member_id):
        if lot.expires_at is not None and lot.expires_at <= now:
            continue  # expired, waiting for the sweep: not spendable, not shown as balance
        held += lot.held
        if lot.available_at > now:
            pending += lot.free
            continue
        available += lot.free
        if lot.expires_at is not None and (expiry is None or lot.expires_at == expiry):
            expiry, expiring = lot.expires_at, expiring + lot.free
    return Balance(available, held, pending, repo.ledger_sum(session, member_id), expiry, expiring)
