"""Outbox handlers and the scheduled sweeps of the loyalty domain."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from omohub.core.db import unit_of_work
from omohub.core.outbox import Dispatcher
from omohub.loyalty.service import earning, expire, redeem, tiers


def register(dispatcher: Dispatcher) -> None:
    dispatcher.on("order.completed", earning.on_order_completed)
    dispatcher.on("order.refunded", earning.on_order_refunded)
    dispatcher.on("member.merged", tiers.on_member_merged)
    dispatcher.on("member.unmerged", tiers.on_member_unmerged)


def sweep(sessions: sessionmaker[Session]) -> int:
    """One bounded round: abandoned holds released, due lots expired, due tier reviews done."""
    with unit_of_work(sessions) as session:
        done = redeem.release_expired(session)
    with unit_of_work(sessions) as session:
        done += expire.expire_due(session)[0]
    with unit_of_work(sessions) as session:
        done += tiers.review_due(session)
    return done
