"""The member a ``MemberRef`` names, for every domain that takes one (checkout, points, coupons)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omohub.core.errors import DomainError, Invalid
from omohub.members import service as members
from omohub.members.models import Member
from omohub.orders.schemas import MEMBER_KEYS, MemberRef


def member_of(session: Session, ref: MemberRef, field: str = "member") -> Member:
    """The live member behind exactly one identifier; errors name ``member.<key>``."""
    given = ref.given()
    if len(given) != 1:
        raise Invalid(f"give exactly one of {', '.join(MEMBER_KEYS)}", field=field)
    [(key, value)] = given.items()
    try:
        return members.find(session, MEMBER_KEYS[key], value)
    except DomainError as exc:
        raise type(exc)(exc.detail, field=f"{field}.{key}") from None
