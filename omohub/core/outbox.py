"""The transactional outbox: side effects are rows committed with the change that caused them.

``emit`` adds a row inside the caller's transaction. ``relay_batch`` (run by the worker)
claims undelivered rows in id order, hands each to the handlers registered for its topic
inside one transaction, and marks it dispatched; a crash before commit leaves it pending,
so handlers must be idempotent (keyed on the message id).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Index, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from omohub.core.context import ctx
from omohub.core.db import Base, BigId, Json, unit_of_work
from omohub.core.events import DomainEvent

log = logging.getLogger(__name__)


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    occurred_at: Mapped[dt.datetime]
    dispatched_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "id",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
    )


def emit(session: Session, event: DomainEvent) -> OutboxMessage:
    """Queue ``event`` in the caller's transaction."""
    msg = OutboxMessage(
        topic=event.topic,
        version=event.version,
        payload=event.payload(),
        occurred_at=ctx(session).now(),
    )
    session.add(msg)
    return msg


Handler = Callable[[Session, OutboxMessage], None]


class Dispatcher:
    """Topic → handlers. ``"*"`` handlers see every message (webhook fan-out uses it)."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def on(self, topic: str, handler: Handler) -> None:
        self._handlers[topic].append(handler)

    def handlers_for(self, topic: str) -> list[Handler]:
        return [*self._handlers.get(topic, ()), *self._handlers.get("*", ())]


def relay_batch(factory: sessionmaker[Session], dispatcher: Dispatcher, limit: int = 100) -> int:
    """Dispatch up to ``limit`` pending messages; returns how many were dispatched."""
    with unit_of_work(factory) as session:
        rows = _claim(session, limit)
        for msg in rows:
            for handler in dispatcher.handlers_for(msg.topic):
                handler(session, msg)
            msg.dispatched_at = ctx(session).now()
            msg.attempts += 1
        return len(rows)


def _claim(session: Session, limit: int) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.dispatched_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))
