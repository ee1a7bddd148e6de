"""What a member's points and tier look like to the POS, the web shop and the console."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omohub.loyalty import ledger
from omohub.loyalty import repository as repo
from omohub.loyalty.models import Tier
from omohub.loyalty.rules import points_value
from omohub.loyalty.schemas import EntryOut, LotOut, MemberTierOut, PointsOut, TierOut
from omohub.loyalty.service import program, tiers
from omohub.members import repository as members
from omohub.members.errors import MemberNotFound
from omohub.members.models import Member


def live(session: Session, member_id: int) -> Member:
    member = members.live_member(session, member_id)
    if member is None:
        raise MemberNotFound(f"no member {member_id}")
    return member


def points(session: Session, member_id: int, entries: int = 20) -> PointsOut:
    member = live(session, member_id)
    b = ledger.balance(session, member.id)
    return PointsOut(
        member_id=member.id,
        available=b.available,
        held=b.held,
        pending=b.pending,
        total=b.total,
        worth=points_value(program.settings(session), b.available),
        next_expiry=b.next_expiry,
        next_expiry_points=b.next_expiry_points,
        tier=tier_of(session, member.id),
        lots=[LotOut.model_validate(lot, from_attributes=True) for lot in repo.open_lots(session, member.id)],
        entries=[
            EntryOut.model_validate(e, from_attributes=True)
            for e in repo.entries(session, member.id, entries)
        ],
    )


def tier_out(tier: Tier) -> TierOut:
    return TierOut(code=tier.code, name=tier.name, threshold=tier.threshold, benefits=tier.benefits)


def tier_of(session: Session, member_id: int) -> MemberTierOut:
    current = repo.member_tier(session, member_id)
    defs = repo.tiers(session)
    now = next((t for t in defs if current and t.code == current.tier_code), None)
    basis = tiers.basis(session, member_id) if defs else 0
    above = [t for t in defs if t.threshold > (now.threshold if now else -1)]
    nxt = above[0] if above else None
    return MemberTierOut(
        tier=tier_out(now) if now else None,
        since=current.since if current else None,
        review_at=current.review_at if current else None,
        basis=basis,
        next_tier=tier_out(nxt) if nxt else None,
        to_next=max(nxt.threshold - basis, 0) if nxt else None,
    )
