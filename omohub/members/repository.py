"""Member and identifier queries: every look-up is an index look-up."""

from __future__ import annotations

import datetime as dt
import functools
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, func, select, text
from sqlalchemy.orm import Session

from omohub.members.models import Identifier, Member, MergeExclusion, SharedIdentifier


def strong_owner(session: Session, type_: str, value: str) -> int | None:
    """The member holding a verified identifier (uses the partial unique index)."""
    return session.scalar(
        select(Identifier.member_id).where(
            Identifier.type == type_, Identifier.value == value, Identifier.verified.is_(True)
        )
    )


def newest_holder(session: Session, type_: str, value: str) -> Member | None:
    """Who an identifier names, in one index look-up: its verified owner if it has one (an
    unverified legacy copy of the same phone must not win), else the newest link."""
    return session.scalar(_holder(type_, value))


def _holder(type_: str, value: str) -> Select[Any]:
    return (
        select(Member)
        .join(Identifier, Identifier.member_id == Member.id)
        .where(Identifier.type == type_, Identifier.value == value)
        .order_by(Identifier.verified.desc(), Identifier.last_seen_at.desc(), Identifier.id.desc())
        .limit(1)
    )


_MEMBERS, _IDENTIFIERS = Member.__table__, Identifier.__table__
#: What a checkout needs of the shopper, as plain table columns (no entity, no ORM step).
SEEN = (_MEMBERS.c.id, _MEMBERS.c.status, _MEMBERS.c.merged_into_id, _MEMBERS.c.birthday)


@functools.lru_cache(maxsize=64)
def _seen_statement(by_identifier: bool, also: tuple[ColumnElement[Any], ...]) -> Select[Any]:
    """Built once per shape: building a statement costs more than running it on the hot path."""
    stmt = select(*SEEN, *also)
    if not by_identifier:
        return stmt.where(_MEMBERS.c.id == bindparam("seen_member_id"))
    ident = _IDENTIFIERS.c
    return (
        stmt.join_from(_MEMBERS, _IDENTIFIERS, ident.member_id == _MEMBERS.c.id)
        .where(ident.type == bindparam("seen_type"), ident.value == bindparam("seen_value"))
        .order_by(ident.verified.desc(), ident.last_seen_at.desc(), ident.id.desc())
        .limit(1)
    )


def seen_by_id(
    session: Session, member_id: int, also: Sequence[ColumnElement[Any]], params: Mapping[str, Any]
) -> Row[Any] | None:
    """(id, status, merged_into_id, birthday) of the member, then ``also`` (scalar subqueries
    on ``Member`` whose bound parameters ``params`` gives), in one statement."""
    stmt = _seen_statement(False, tuple(also))
    return session.execute(stmt, {**params, "seen_member_id": member_id}).first()


def seen_by_identifier(
    session: Session, type_: str, value: str, also: Sequence[ColumnElement[Any]], params: Mapping[str, Any]
) -> Row[Any] | None:
    """:func:`seen_by_id` for whom an identifier names (as :func:`newest_holder` picks them)."""
    stmt = _seen_statement(True, tuple(also))
    return session.execute(stmt, {**params, "seen_type": type_, "seen_value": value}).first()


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
    """Whether a person said these two (or anyone merged into either) are different people."""
    side_a, side_b = set(absorbed_ids(session, a)), set(absorbed_ids(session, b))
    both = side_a | side_b
    pairs = session.execute(
        select(MergeExclusion.member_low_id, MergeExclusion.member_high_id).where(
            MergeExclusion.member_low_id.in_(both), MergeExclusion.member_high_id.in_(both)
        )
    )
    return any((lo in side_a and hi in side_b) or (lo in side_b and hi in side_a) for lo, hi in pairs)


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


def lock_members(session: Session, ids: list[int]) -> dict[int, Member]:
    """Lock member rows in id order (no deadlocks) and re-read them.

    The re-read matters: an instance loaded earlier in this transaction may say ``active``
    while another transaction merged it in the meantime; after the lock we see the truth.
    """
    if not ids:
        return {}
    stmt = (
        select(Member)
        .where(Member.id.in_(sorted(set(ids))))
        .order_by(Member.id)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return {m.id: m for m in session.scalars(stmt)}


def lock_live_member(session: Session, member_id: int) -> Member | None:
    """The live member behind ``member_id``, held so that no merge can fold it away now.

    For other domains that attach rows to a member (orders, points): without this, a row
    written while a concurrent merge commits would point at the tombstone. ``FOR KEY
    SHARE`` is the lock a foreign key takes anyway; it waits only for merges.
    """
    for _ in range(50):
        member = live_member(session, member_id)
        if member is None:
            return None
        stmt = select(Member).where(Member.id == member.id).execution_options(populate_existing=True)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(read=True, key_share=True)
        member = session.scalar(stmt)
        if member is not None and member.status == "active":
            return member
    raise RuntimeError(f"member {member_id} keeps moving")  # pragma: no cover
