"""Members as the API shows them (masked for clerks)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omohub.members import repository as repo
from omohub.members.models import Identifier, Member
from omohub.members.rules import mask
from omohub.members.schemas import IdentifierOut, MemberOut


def member_out(
    session: Session,
    member: Member,
    *,
    masked: bool = False,
    identifiers: list[Identifier] | None = None,
) -> MemberOut:
    """``identifiers``: the member's, when the caller has already read them."""
    held = repo.identifiers_of(session, member.id) if identifiers is None else identifiers
    idents = [
        IdentifierOut(
            type=i.type,
            value=mask(i.type, i.value) if masked else i.value,
            verified=i.verified,
            source=i.source,
        )
        for i in held
    ]
    return MemberOut(
        id=member.id,
        status=member.status,
        card_no=(mask("member_card", member.card_no) if masked and member.card_no else member.card_no),
        merged_into_id=member.merged_into_id,
        name=member.name,
        gender=member.gender,
        birthday=None if masked else member.birthday,
        joined_at=member.joined_at,
        joined_channel=member.joined_channel,
        home_store_id=member.home_store_id,
        einvoice_carrier=member.einvoice_carrier,
        traits={} if masked else dict(member.traits or {}),
        identifiers=idents,
        created_at=member.created_at,
        updated_at=member.updated_at,
    )
