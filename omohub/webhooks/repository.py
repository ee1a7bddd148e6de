"""Queries over subscriptions and deliveries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from omohub.webhooks.models import Delivery, Subscription


def all_subscriptions(session: Session) -> list[Subscription]:
    return list(session.scalars(select(Subscription).order_by(Subscription.id)))


def active_subscriptions(session: Session) -> list[Subscription]:
    return list(session.scalars(select(Subscription).where(Subscription.active.is_(True))))


def deliveries(
    session: Session, subscription_id: int, *, status: str | None, limit: int, before: int | None
) -> list[Delivery]:
    """Newest first; ``before`` is the last id of the previous page (keyset pagination)."""
    stmt = select(Delivery).where(Delivery.subscription_id == subscription_id)
    if status:
        stmt = stmt.where(Delivery.status == status)
    if before:
        stmt = stmt.where(Delivery.id < before)
    return list(session.scalars(stmt.order_by(Delivery.id.desc()).limit(limit)))


def cancel_pending(session: Session, subscription_id: int) -> int:
    stmt = (
        update(Delivery)
        .where(Delivery.subscription_id == subscription_id, Delivery.status == "pending")
        .values(status="cancelled")
    )
    return session.execute(stmt).rowcount  # type: ignore[attr-defined]


def due(session: Session, now: dt.datetime, limit: int) -> Select[Delivery, Subscription]:
    """Pending deliveries whose time has come, oldest first; locked and skipped on PostgreSQL
    so parallel workers claim disjoint rows."""
    stmt = (
        select(Delivery, Subscription)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Delivery)
    return stmt


def lock_delivery(session: Session, delivery_id: int) -> Delivery | None:
    found = lock_deliveries(session, [delivery_id])
    return found[0] if found else None


def lock_deliveries(session: Session, ids: list[int]) -> list[Delivery]:
    """Rows locked in id order, so two writers never wait on each other in a cycle."""
    stmt = select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))


def delete_finished(session: Session, created_before: dt.datetime, limit: int) -> int:
    old = (
        select(Delivery.id)
        .where(Delivery.status != "pending", Delivery.created_at < created_before)
        .order_by(Delivery.id)
        .limit(limit)
    )
    gone = session.execute(delete(Delivery).where(Delivery.id.in_(old)))
    return gone.rowcount  # type: ignore[attr-defined]
