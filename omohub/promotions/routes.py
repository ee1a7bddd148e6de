"""``/api/v1/promotions``, coupons and members' coupon wallets."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from omohub.access.rules import Principal
from omohub.api.deps import principal, uow
from omohub.core.db import RowId
from omohub.members import repository as members_repo
from omohub.members.errors import MemberNotFound
from omohub.orders.refs import member_of
from omohub.orders.schemas import Channel
from omohub.promotions import convert
from omohub.promotions import repository as repo
from omohub.promotions.schemas import CouponOut, CouponsIn, IssuedOut, PromotionIn, PromotionOut, StatusIn
from omohub.promotions.service import promotions, wallet

router = APIRouter(prefix="/api/v1", tags=["promotions"])

ADMIN = principal("admin")
CHECKOUT = principal("pos", "ecommerce")


@router.post("/promotions", response_model=PromotionOut, status_code=201)
def create(data: PromotionIn, session: Session = uow, who: Principal = Depends(ADMIN)) -> PromotionOut:
    """Create a promotion (active at once, within its schedule). 422 names a bad parameter or
    code; 409 when it overlaps an exclusive promotion of the same priority."""
    return convert.to_out(session, promotions.create(session, data))


@router.get("/promotions", response_model=list[PromotionOut])
def listing(
    status: Literal["active", "paused", "ended"] | None = None,
    limit: int = Query(100, ge=1, le=1000),
    session: Session = uow,
    who: Principal = Depends(principal("admin", "pos", "ecommerce")),
) -> list[PromotionOut]:
    """Promotions, newest first, with their uses and spend so far."""
    return [convert.to_out(session, p) for p in repo.listing(session, status, limit)]


@router.get("/promotions/{promotion_id}", response_model=PromotionOut)
def read(
    promotion_id: RowId,
    session: Session = uow,
    who: Principal = Depends(principal("admin", "pos", "ecommerce")),
) -> PromotionOut:
    """One promotion."""
    return convert.to_out(session, promotions.get(session, promotion_id))


@router.put("/promotions/{promotion_id}", response_model=PromotionOut)
def replace(
    promotion_id: RowId, data: PromotionIn, session: Session = uow, who: Principal = Depends(ADMIN)
) -> PromotionOut:
    """Change a promotion (uses and spend so far are kept); validated like a new one."""
    return convert.to_out(session, promotions.replace(session, promotion_id, data))


@router.post("/promotions/{promotion_id}/status", response_model=PromotionOut)
def set_status(
    promotion_id: RowId, data: StatusIn, session: Session = uow, who: Principal = Depends(ADMIN)
) -> PromotionOut:
    """Pause, resume or end a promotion."""
    return convert.to_out(session, promotions.set_status(session, promotion_id, data.status))


@router.post("/promotions/{promotion_id}/coupons", response_model=IssuedOut, status_code=201)
def issue(
    promotion_id: RowId, data: CouponsIn, session: Session = uow, who: Principal = Depends(ADMIN)
) -> IssuedOut:
    """Issue coupons for a coupon promotion: one shared ``code``, ``count`` unique codes (bulk),
    or one into a ``member``'s wallet. Valid in every channel unless the promotion is narrowed."""
    member = member_of(session, data.member) if data.member else None
    return wallet.issue(session, promotions.get(session, promotion_id), data, member)


@router.get("/coupons/{code}", response_model=CouponOut)
def coupon(
    code: str, channel: Channel | None = None, session: Session = uow, who: Principal = Depends(CHECKOUT)
) -> CouponOut:
    """One coupon: whose, how many uses left, valid when, and whether it can be used now."""
    return wallet.lookup(session, code[:40])


@router.get("/members/{member_id}/coupons", response_model=list[CouponOut])
def member_wallet(
    member_id: RowId, usable: bool = False, session: Session = uow, who: Principal = Depends(CHECKOUT)
) -> list[CouponOut]:
    """The member's coupon wallet (``usable=true``: only what can be used now), soonest expiry first."""
    member = members_repo.live_member(session, member_id)
    if member is None:
        raise MemberNotFound(f"no member {member_id}")
    return wallet.wallet(session, member.id, usable_only=usable)
