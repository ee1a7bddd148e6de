"""``/api/v1``: a member's points and tier, point holds (hold/capture/release), adjustments,
and the program's settings, earn rules and tiers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.orm import Session

from omohub.access.rules import Principal
from omohub.api.deps import principal, uow
from omohub.core.checks import check_code, rule
from omohub.core.db import RowId
from omohub.loyalty.models import EarnRule, PointHold
from omohub.loyalty.rules import ProgramSettings, RuleSpec, points_value
from omohub.loyalty.schemas import (
    AdjustIn,
    CaptureIn,
    EarnRuleIn,
    EarnRuleOut,
    EarnRulePatch,
    EntryOut,
    HoldIn,
    HoldOut,
    MemberTierOut,
    PointsOut,
    ProgramPatch,
    TierIn,
    TierOut,
)
from omohub.loyalty.service import account, adjust, program, redeem
from omohub.orders.refs import member_of

TierCode = Annotated[str, Path(max_length=40), rule(check_code)]

router = APIRouter(prefix="/api/v1", tags=["loyalty"])

CHECKOUT = principal("pos", "ecommerce")
ADMIN = principal("admin")


@router.get("/members/{member_id}/points", response_model=PointsOut)
def member_points(member_id: RowId, session: Session = uow, who: Principal = Depends(CHECKOUT)) -> PointsOut:
    """Balance (available, held, pending), the next expiry, tier and the latest ledger entries."""
    return account.points(session, member_id)


@router.get("/members/{member_id}/points/entries", response_model=list[EntryOut])
def member_entries(
    member_id: RowId,
    limit: int = Query(50, ge=1, le=500),
    session: Session = uow,
    who: Principal = Depends(CHECKOUT),
) -> list[EntryOut]:
    """The member's ledger, newest first."""
    return account.points(session, member_id, entries=limit).entries


@router.get("/members/{member_id}/tier", response_model=MemberTierOut)
def member_tier(
    member_id: RowId, session: Session = uow, who: Principal = Depends(CHECKOUT)
) -> MemberTierOut:
    """The tier held now, the rolling basis, and how far the next tier is."""
    return account.tier_of(session, account.live(session, member_id).id)


@router.post(
    "/members/{member_id}/points/adjustments",
    response_model=EntryOut,
    status_code=201,
    responses={200: {"model": EntryOut}},
)
def adjust_points(
    member_id: RowId,
    data: AdjustIn,
    response: Response,
    session: Session = uow,
    who: Principal = Depends(ADMIN),
) -> EntryOut:
    """Add or remove points by hand, with a reason (idempotent by ``key``: 200 with the first
    adjustment on a retry)."""
    row, created = adjust.adjust(
        session, member_id, data.points, reason=data.reason, key=data.key, actor=who.actor
    )
    if not created:
        response.status_code = 200
    return EntryOut.model_validate(row, from_attributes=True)


@router.post("/points/holds", response_model=HoldOut, status_code=201, responses={200: {"model": HoldOut}})
def hold_points(
    data: HoldIn, response: Response, session: Session = uow, who: Principal = Depends(CHECKOUT)
) -> HoldOut:
    """Reserve points for a checkout (like a card authorisation). 200 with the same hold on a retry.

    409 ``not_enough_points`` when the member has fewer available: never below zero, whatever
    the POS and the web shop do at the same instant.
    """
    member_id = member_of(session, data.member).id
    row = redeem.hold(
        session,
        member_id,
        data.points,
        key=data.key,
        channel=data.channel,
        actor=who.actor,
        order_total=data.order_total,
    )
    if row.replayed:
        response.status_code = 200
    return hold_out(session, row)


@router.get("/points/holds/{hold_id}", response_model=HoldOut)
def read_hold(hold_id: RowId, session: Session = uow, who: Principal = Depends(CHECKOUT)) -> HoldOut:
    """One hold: held, captured (with its order) or released."""
    return hold_out(session, redeem.get(session, hold_id))


@router.post("/points/holds/{hold_id}/capture", response_model=HoldOut)
def capture_hold(
    hold_id: RowId, data: CaptureIn, session: Session = uow, who: Principal = Depends(CHECKOUT)
) -> HoldOut:
    """Spend the held points, once (a retry for the same order returns the same result)."""
    return hold_out(session, redeem.capture(session, hold_id, order_id=data.order_id))


@router.post("/points/holds/{hold_id}/release", response_model=HoldOut)
def release_hold(hold_id: RowId, session: Session = uow, who: Principal = Depends(CHECKOUT)) -> HoldOut:
    """Give the reserved points back (the checkout was abandoned)."""
    return hold_out(session, redeem.release(session, hold_id))


@router.get("/loyalty/program", response_model=ProgramSettings)
def read_program(session: Session = uow, who: Principal = Depends(CHECKOUT)) -> ProgramSettings:
    """The program: earn rate, return window, expiry, points-to-money rate and redemption limits."""
    return program.settings(session)


@router.patch("/loyalty/program", response_model=ProgramSettings)
def change_program(
    data: ProgramPatch, session: Session = uow, who: Principal = Depends(ADMIN)
) -> ProgramSettings:
    """Change some settings; the whole result is validated (422 naming the field) before anything is kept."""
    return program.update_settings(session, data.model_dump(exclude_unset=True))


@router.get("/loyalty/earn-rules", response_model=list[EarnRuleOut])
def list_rules(session: Session = uow, who: Principal = Depends(ADMIN)) -> list[EarnRuleOut]:
    """Every earn rule, active or not, oldest first."""
    return [rule_out(r) for r in program.repo.earn_rules(session, active_only=False)]


@router.post("/loyalty/earn-rules", response_model=EarnRuleOut, status_code=201)
def add_rule(data: EarnRuleIn, session: Session = uow, who: Principal = Depends(ADMIN)) -> EarnRuleOut:
    """Extra points for a channel, store, category, tier, birthday month or first order."""
    return rule_out(program.add_rule(session, data.name, data.spec))


@router.patch("/loyalty/earn-rules/{rule_id}", response_model=EarnRuleOut)
def change_rule(
    rule_id: RowId, data: EarnRulePatch, session: Session = uow, who: Principal = Depends(ADMIN)
) -> EarnRuleOut:
    """Switch an earn rule on or off (rules are kept, never deleted: old earnings cite them)."""
    return rule_out(program.set_rule_active(session, rule_id, data.active))


@router.get("/loyalty/tiers", response_model=list[TierOut])
def list_tiers(session: Session = uow, who: Principal = Depends(CHECKOUT)) -> list[TierOut]:
    """The tiers, lowest threshold first, with their benefits."""
    return [account.tier_out(t) for t in program.repo.tiers(session)]


@router.put("/loyalty/tiers/{code}", response_model=TierOut)
def put_tier(
    code: TierCode, data: TierIn, session: Session = uow, who: Principal = Depends(ADMIN)
) -> TierOut:
    """Create or change a tier. Members move on their next purchase (up) or review (down)."""
    tier = program.put_tier(session, code, data.name, data.threshold, data.benefits.model_dump(mode="json"))
    return account.tier_out(tier)


def hold_out(session: Session, row: PointHold | redeem.Hold) -> HoldOut:
    return HoldOut(
        id=row.id,
        member_id=row.member_id,
        points=row.points,
        worth=points_value(program.settings(session), row.points),
        status=row.status,
        channel=row.channel,
        expires_at=row.expires_at,
        order_id=row.order_id,
    )


def rule_out(row: EarnRule) -> EarnRuleOut:
    return EarnRuleOut(id=row.id, name=row.name, active=row.active, spec=RuleSpec.model_validate(row.spec))
