from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from omohub.core.db import Base, BigId, Json


class Member(Base):
    """A person. ``status='merged'`` rows are tombstones pointing at their survivor."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    card_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="active")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    joined_at: Mapped[dt.datetime | None]
    name: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(10))
    birthday: Mapped[dt.date | None] = mapped_column(Date)
    home_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    joined_channel: Mapped[str | None] = mapped_column(String(20))
    einvoice_carrier: Mapped[str | None] = mapped_column(String(8))
    traits: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_members_merged_into", "merged_into_id"),)


class Identifier(Base):
    """One way to recognise a member. Verified identifiers are unique across members."""

    __tablename__ = "identifiers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    type: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]

    __table_args__ = (
        Index(
            "uq_identifiers_verified",
            "type",
            "value",
            unique=True,
            postgresql_where=text("verified"),
            sqlite_where=text("verified"),
        ),
        UniqueConstraint("type", "value", "member_id"),
        Index("ix_identifiers_member", "member_id"),
    )


class SharedIdentifier(Base):
    """A weak id (shared tablet, family laptop) that hit the cap and links nobody any more."""

    __tablename__ = "shared_identifiers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    member_count: Mapped[int]
    flagged_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("type", "value"),)


class MergeRecord(Base):
    """What one merge moved, so that it can be undone exactly."""

    __tablename__ = "merges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    merged_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reason: Mapped[str] = mapped_column(String(300))
    via_type: Mapped[str | None] = mapped_column(String(20))
    via_value: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(120), default="")
    undo: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[dt.datetime]
    undone_at: Mapped[dt.datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        Index("ix_merges_survivor", "survivor_id"),
        Index("ix_merges_merged", "merged_id"),
    )


class MergeExclusion(Base):
    """Two members a person said are different: never merged automatically again."""

    __tablename__ = "merge_exclusions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_low_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    member_high_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("member_low_id", "member_high_id"),)


class MergeSuggestion(Base):
    """Two members an inbound claim linked but the policy did not allow to merge by itself."""

    __tablename__ = "merge_suggestions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_low_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    member_high_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("member_low_id", "member_high_id"),)
