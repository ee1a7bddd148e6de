"""The member a ``MemberRef`` names, for every domain that takes one (checkout, points, coupons)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from omohub.core.errors import DomainError, Invalid
from omohub.members import service as members
from omohub.members.models import Member
from omohub.members.service import MemberSeen
from omohub.orders.schemas import MEMBER_KEYS, MemberRef


def member_of(session: Session, ref: MemberRef, field: str = "member") -> Member:
    """The live member behind exactly one identifier; errors name ``member.<key>``."""
    key, value = _one(ref, field)
    try:
        return members.find(session, MEMBER_KEYS[key], value)
    except DomainError as exc:
        raise type(exc)(exc.detail, field=f"{field}.{key}") from None


def member_with(
    session: Session,
    ref: MemberRef,
    also: Sequence[ColumnElement[Any]],
    params: Mapping[str, Any] | None = None,
    field: str = "member",
) -> tuple[MemberSeen, tuple[Any, ...]]:
    """:func:`member_of` as a plain row, and ``also`` (scalar subqueries on ``Member``, their
    bound parameters in ``params``) read in the same statement."""
    key, value = _one(ref, field)
    try:
        return members.find_with(session, MEMBER_KEYS[key], value, also, params)
    except DomainError as exc:
        raise type(exc)(exc.detail, field=f"{field}.{key}") from None


def _one(ref: MemberRef, field: str) -> tuple[str, str]:
    given = ref.given()
    if len(given) != 1:
        raise Invalid(f"give exactly one of {', '.join(MEMBER_KEYS)}", field=field)
    [(key, value)] = given.items()
    return key, value
