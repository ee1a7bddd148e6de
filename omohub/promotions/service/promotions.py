"""Create, change, pause and read promotions; every change is validated by the engine first."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.db import MAX_ID
from omohub.promotions import convert
from omohub.promotions import engine as e
from omohub.promotions import repository as repo
from omohub.promotions.errors import InvalidPromotion, PromotionConflict, PromotionNotFound
from omohub.promotions.models import Promotion
from omohub.promotions.schemas import PromotionIn


def create(session: Session, data: PromotionIn) -> Promotion:
    now = ctx(session).now()
    row = Promotion(**convert.row_values(session, data), status="active", created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    _check(session, row)
    repo.bump(session)
    return row


def replace(session: Session, promotion_id: int, data: PromotionIn) -> Promotion:
    """Change a promotion; uses and spend so far are kept."""
    row = get(session, promotion_id)
    for name, value in convert.row_values(session, data).items():
        setattr(row, name, value)
    row.updated_at = ctx(session).now()
    session.flush()
    _check(session, row)
    repo.bump(session)
    return row


def set_status(session: Session, promotion_id: int, status: str) -> Promotion:
    row = get(session, promotion_id)
    row.status, row.updated_at = status, ctx(session).now()
    session.flush()
    if status == "active":
        _check(session, row)
    repo.bump(session)
    return row


def get(session: Session, promotion_id: int) -> Promotion:
    row = session.get(Promotion, promotion_id) if 0 < promotion_id <= MAX_ID else None
    if row is None:
        raise PromotionNotFound(f"no promotion {promotion_id}")
    return row


def _check(session: Session, row: Promotion) -> None:
    """The engine's checks, and no unresolvable overlap with another active promotion."""
    new = convert.to_engine(row)
    problems = e.check_promotion(new)
    if problems:
        raise InvalidPromotion("; ".join(problems), problems=problems)
    if row.auto_issue and not row.coupon:
        raise InvalidPromotion("auto_issue needs a coupon promotion (coupon: true)", field="auto_issue")
    if row.status != "active":
        return
    others = [convert.to_engine(p) for p in repo.active(session) if p.id != row.id]
    clashes = e.conflicts(new, others)
    if clashes:
        named = [{"id": o.id, "name": o.name} for o in others if e.conflicts(new, [o])]
        raise PromotionConflict("; ".join(clashes), conflicts=clashes, conflicts_with=named)
