"""Member and identifier queries: every look-up is an index look-up."""

from __future__ import annotations

import datetime as dt
import zlib

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from omohub.members.models import Identifier, Member, MergeExclusion, SharedIdentifier


def strong_owner(session: Session, type_: str, value: str) -> int | None:
    """The member holding a verified identifier (uses the partial unique index)."""
    return session.scalar(
        select(Identifier.member_id).where(
            Identifier.type == type_, Identifier.value == value, Identifier.verified.is_(True)
        )
    )


def linked_members(session: Session, type_: str, value: str) -> list[int]:
    """Every member an identifier is linked to, newest link first."""
    rows = session.scalars(
        select(Identifier.member_id)
        .where(Identifier.type == type_, Identifier.value == value)
        .order_by(Identifier.last_seen_at.desc(), Identifier.id.desc())
    )
    return list(rows)


def link_of(session: Session, type_: str, value: str, member_id: int) -> Identifier | None:
    return session.scalar(
        select(Identifier).where(
            Identifier.type == type_, Identifier.value == value, Identifier.member_id == member_id
        )
    )


def recent_link_count(session: Session, type_: str, value: str, since: dt.datetime) -> int:
    return (
        session.scalar(
            select(func.count(func.distinct(Identifier.member_id))).where(
                Identifier.type == type_, Identifier.value == value, Identifier.created_at >= since
            )
        )
        or 0
    )


def is_shared(session: Session, type_: str, value: str) -> bool:
    found = session.scalar(
        select(SharedIdentifier.id).where(SharedIdentifier.type == type_, SharedIdentifier.value == value)
    )
    return found is not None


def identifiers_of(session: Session, member_id: int) -> list[Identifier]:
    return list(
        session.scalars(select(Identifier).where(Identifier.member_id == member_id).order_by(Identifier.id))
    )


def live_member(session: Session, member_id: int) -> Member | None:
    """Follow merge tombstones to the member that holds the data now."""
    member = session.get(Member, member_id)
    seen = 0
    while member is not None and member.status == "merged" and member.merged_into_id:
        member = session.get(Member, member.merged_into_id)
        seen += 1
        if seen > 50:
            raise RuntimeError(f"merge chain too long from member {member_id}")
    return member


def absorbed_ids(session: Session, member_id: int) -> list[int]:
    """``member_id`` and every member merged into it, directly or through a chain."""
    found = [member_id]
    frontier = [member_id]
    while frontier:
        frontier = list(session.scalars(select(Member.id).where(Member.merged_into_id.in_(frontier))))
        found.extend(frontier)
    return found


def excluded(session: Session, a: int, b: int) -> bool:
    low, high = sorted((a, b))
    return (
        session.scalar(
            select(MergeExclusion.id).where(
                MergeExclusion.member_low_id == low, MergeExclusion.member_high_id == high
            )
        )
        is not None
    )


def lock_identifiers(session: Session, keys: list[tuple[str, str]]) -> None:
    """Serialise concurrent claims of the same identifiers (PostgreSQL advisory locks).

    Taken in sorted order so two requests claiming overlapping sets never deadlock.
    SQLite needs nothing: its write transactions are already serial (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for type_, value in sorted(set(keys)):
        key = zlib.crc32(f"{type_}:{value}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def lock_members(session: Session, ids: list[int]) -> None:
    """Row locks on members, in id order (consistent order avoids deadlocks)."""
    if session.get_bind().dialect.name != "postgresql" or not ids:
        return
    session.execute(
        select(Member.id).where(Member.id.in_(sorted(set(ids)))).order_by(Member.id).with_for_update()
    )
