"""Usage caps and budgets: left out of pricing once spent, and counted exactly at the order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.promotions import repository as repo
from omohub.promotions.errors import CapReached
from omohub.promotions.models import Promotion, PromotionUse


def spent_out(session: Session, promotion_ids: Sequence[int], member_id: int | None) -> frozenset[int]:
    """Promotions among ``promotion_ids`` whose caps or budget leave nothing for this shopper."""
    if not promotion_ids:
        return frozenset()
    rows = repo.by_ids(session, promotion_ids)
    per_member = [p.id for p in rows if p.max_uses_per_member is not None]
    mine = repo.member_uses(session, member_id, per_member) if member_id and per_member else {}
    return frozenset(p.id for p in rows if _spent(p, mine.get(p.id, 0), member_id))


def _spent(p: Promotion, mine: int, member_id: int | None) -> bool:
    return (
        (p.max_uses is not None and p.uses >= p.max_uses)
        or (p.budget is not None and p.spent >= p.budget)
        or (p.max_uses_per_member is not None and member_id is not None and mine >= p.max_uses_per_member)
    )


def record(
    session: Session, applied: Sequence[tuple[int, int]], *, member_id: int | None, order_id: int
) -> None:
    """Count the order's promotions (row locks: the last use of a cap goes to exactly one order)."""
    if not applied:
        return
    locked = repo.lock_promotions(session, [pid for pid, _ in applied])
    mine = repo.member_uses(session, member_id, list(locked)) if member_id else {}
    now = ctx(session).now()
    for pid, amount in applied:
        p = locked[pid]
        if _spent(p, mine.get(pid, 0), member_id) or (p.budget is not None and p.spent + amount > p.budget):
            raise CapReached(
                f"promotion {p.name!r} has reached its limit; price the cart again", promotion_id=pid
            )
        p.uses, p.spent = p.uses + 1, p.spent + amount
        session.add(
            PromotionUse(promotion_id=pid, member_id=member_id, order_id=order_id, amount=amount, at=now)
        )
    session.flush()
