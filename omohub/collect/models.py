from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from omohub.core.db import Base, BigId

#: What a source's Segment ``userId`` means.
USER_ID_KINDS = ("member_id", "external", "line_uid")
SOURCE_CHANNELS = ("web", "app", "pos", "line")


class Source(Base):
    """A system that sends Segment calls, with its own write key."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id_kind: Mapped[str] = mapped_column(String(20), default="external")
    write_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    write_key_prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class Event(Base):
    """One stored Segment call. Append-only; partitioned by month on PostgreSQL.

    ``user_key`` is the namespaced identifier the ``userId`` stands for (``member_id:42``,
    ``external:shop:123``, ``line_uid:U…``) so two systems' customer "123" never collide.
    """

    __tablename__ = "events"

    # On PostgreSQL the primary key is (seq, received_at), as partitioning requires
    # (see the initial migration); the ORM only needs seq to tell rows apart.
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    received_at: Mapped[dt.datetime]
    message_id: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(10))
    event: Mapped[str | None] = mapped_column(String(200))
    user_key: Mapped[str | None] = mapped_column(String(220))
    anonymous_id: Mapped[str | None] = mapped_column(String(200))
    product_ref: Mapped[str | None] = mapped_column(String(80))
    timestamp: Mapped[dt.datetime]
    # JSON, not JSONB, on PostgreSQL too: the call as sent, cheaper to append (ADR 0031).
    body: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_events_user_key", "user_key", "seq"),
        Index("ix_events_anonymous_id", "anonymous_id", "seq"),
    )


class MessageId(Base):
    """Dedupe ledger: a resent messageId is acknowledged and stored once."""

    __tablename__ = "event_message_ids"

    source_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str] = mapped_column(String(100))

    __table_args__ = (PrimaryKeyConstraint("source_id", "message_id"),)


class Cursor(Base):
    """How far an in-order processor has read a stream (the identity processor's place)."""

    __tablename__ = "cursors"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime]
