"""Shortcuts for webhook tests."""

from __future__ import annotations

from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.core.outbox import OutboxMessage, emit
from omohub.members.events import MemberCreated
from omohub.webhooks import service
from omohub.webhooks.models import Delivery


def subscribe(hub: Hub, url: str, *topics: str) -> tuple[int, str]:
    with hub.uow() as session:
        sub = service.subscribe(session, url, list(topics or ["*"]))
        return sub.id, sub.secret


def member_created(hub: Hub, member_id: int) -> None:
    with hub.uow() as session:
        emit(session, MemberCreated(member_id, "pos", ["phone"]))


def deliveries(hub: Hub) -> list[Delivery]:
    with hub.uow() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def outbox_count(hub: Hub) -> int:
    with hub.uow() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
