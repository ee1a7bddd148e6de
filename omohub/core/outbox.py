"""The transactional outbox: side effects are rows committed with the change that caused them.

``emit`` adds a row inside the caller's transaction, so an event exists exactly when the
change that raised it committed. ``relay_batch`` (run by the worker) claims pending rows in
id order (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never share a row) and hands
each to the handlers registered for its topic, inside one savepoint per message:

- handlers succeed → the row is marked dispatched in the same transaction as whatever the
  handlers wrote (webhook fan-out inserts its deliveries there), so a crash before commit
  leaves both undone and the message pending;
- a handler raises → only that message's savepoint rolls back; the row records the attempt
  and the error and is retried later with backoff, while the other messages go on;
- after ``outbox_max_attempts`` failures the row is set aside (``failed_at``), still in the
  table for an operator to read and retry.

Handlers run inside the relay transaction: they must only touch the database (slow work such
as HTTP goes to its own queue table, as webhook deliveries do) and be idempotent on the
message id, because delivery to handlers is at least once across crashes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Index, String, Text, delete, or_, select, text, update
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
    #: Not before this instant (set after a failed attempt; NULL means now).
    retry_at: Mapped[dt.datetime | None]
    #: Set aside after too many failures; kept for an operator to read and retry.
    failed_at: Mapped[dt.datetime | None]

    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "id",
            postgresql_where=text("dispatched_at IS NULL AND failed_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL AND failed_at IS NULL"),
        ),
    )


def emit(session: Session, event: DomainEvent) -> OutboxMessage:
    """Queue ``event`` in the caller's transaction."""
    msg = OutboxMessage(**row_for(event), occurred_at=ctx(session).now())
    session.add(msg)
    return msg


def row_for(event: DomainEvent) -> dict[str, Any]:
    """The columns of ``event``'s outbox row that the caller gives (topic, version, payload),
    for a database function that writes the row in its own statement (the points capture,
    ADR 0095); ``occurred_at`` is then the function's ``now``."""
    return {"topic": event.topic, "version": event.version, "payload": jsonable(event.payload())}


def jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    """Dates, datetimes, enums and nested dataclasses as JSON values (RFC 3339 for times)."""
    result: dict[str, Any] = orjson.loads(orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS))
    return result


Handler = Callable[[Session, OutboxMessage], None]


class Dispatcher:
    """Topic → handlers. ``"*"`` handlers see every message (webhook fan-out uses it)."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def on(self, topic: str, handler: Handler) -> None:
        self._handlers[topic].append(handler)

    def handlers_for(self, topic: str) -> list[Handler]:
        return [*self._handlers.get(topic, ()), *self._handlers.get("*", ())]


def retry_delay(attempts: int) -> dt.timedelta:
    """After a handler failure: 5 s, 10 s, 20 s … capped at one hour."""
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


def relay_batch(factory: sessionmaker[Session], dispatcher: Dispatcher, limit: int = 100) -> int:
    """Dispatch up to ``limit`` pending messages; returns how many were tried."""
    with unit_of_work(factory) as session:
        rows = _claim(session, limit)
        if rows and not _dispatch_all(session, dispatcher, rows):
            for msg in rows:
                _dispatch_one(session, dispatcher, msg)
        return len(rows)


def _handle(session: Session, dispatcher: Dispatcher, msg: OutboxMessage) -> None:
    for handler in dispatcher.handlers_for(msg.topic):
        handler(session, msg)


def _dispatch_all(session: Session, dispatcher: Dispatcher, rows: list[OutboxMessage]) -> bool:
    """The common case, in one savepoint; False (and nothing kept) if any handler raised."""
    try:
        with session.begin_nested():
            for msg in rows:
                _handle(session, dispatcher, msg)
    except Exception:
        return False  # find the culprit(s) one message at a time
    done = update(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in rows]))
    session.execute(
        done.values(attempts=OutboxMessage.attempts + 1, dispatched_at=ctx(session).now(), retry_at=None),
        execution_options={"synchronize_session": False},
    )
    return True


def _dispatch_one(session: Session, dispatcher: Dispatcher, msg: OutboxMessage) -> None:
    now = ctx(session).now()
    msg.attempts += 1
    try:
        with session.begin_nested():
            _handle(session, dispatcher, msg)
    except Exception as exc:  # one bad message must not block the others
        log.exception("outbox message %s (%s) failed on attempt %s", msg.id, msg.topic, msg.attempts)
        _failed(msg, exc, now, ctx(session).settings.outbox_max_attempts)
        return
    msg.dispatched_at, msg.retry_at = now, None


def _failed(msg: OutboxMessage, exc: Exception, now: dt.datetime, max_attempts: int) -> None:
    msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if msg.attempts >= max_attempts:
        msg.failed_at = now
    else:
        msg.retry_at = now + retry_delay(msg.attempts)


def _claim(session: Session, limit: int) -> list[OutboxMessage]:
    now = ctx(session).now()
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.dispatched_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            or_(OutboxMessage.retry_at.is_(None), OutboxMessage.retry_at <= now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def retry_failed(session: Session, message_ids: list[int] | None = None) -> int:
    """Put set-aside messages back in the queue (all of them, or the ids given)."""
    stmt = select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
    if message_ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(message_ids))
    rows = list(session.scalars(stmt))
    for msg in rows:
        msg.failed_at, msg.retry_at, msg.attempts = None, None, 0
    return len(rows)


def prune(session: Session, older_than: dt.timedelta, limit: int = 5000) -> int:
    """Delete up to ``limit`` messages dispatched more than ``older_than`` ago (oldest first);
    pending and set-aside ones are kept whatever their age."""
    cutoff = ctx(session).now() - older_than
    old = select(OutboxMessage.id).where(OutboxMessage.dispatched_at < cutoff).order_by(OutboxMessage.id)
    gone = session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(old.limit(limit))))
    return gone.rowcount  # type: ignore[attr-defined]
