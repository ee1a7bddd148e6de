"""Head office adds or removes points by hand (a goodwill gesture, a correction), with a reason."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.outbox import emit
from omohub.loyalty import ledger
from omohub.loyalty import repository as repo
from omohub.loyalty.errors import KeyReused, NotEnoughPoints, RedeemRefused
from omohub.loyalty.events import PointsAdjusted
from omohub.loyalty.models import PointEntry
from omohub.loyalty.rules import expires_at
from omohub.loyalty.service.program import settings
from omohub.loyalty.service.redeem import lock_account


def adjust(
    session: Session, member_id: int, points: int, *, reason: str, key: str, actor: str
) -> tuple[PointEntry, bool]:
    """Credit (a new lot, usable at once) or debit (soonest-expiring first, never below zero).
    ``(entry, created)``: the same key again returns the first adjustment and ``False``."""
    if points == 0:
        raise RedeemRefused("an adjustment must add or remove at least one point", field="points")
    if not reason.strip():
        raise RedeemRefused("say why points are adjusted", field="reason")
    member_id = lock_account(session, member_id)
    existing = repo.entry_by_key(session, f"adjust:{key}")
    if existing is not None:
        if existing.points != points or existing.member_id != member_id:
            raise KeyReused(f"adjustment key {key!r} was used for another adjustment")
        return existing, False
    now = ctx(session).now()
    lots = repo.usable_lots(session, member_id, now) if points < 0 else []
    free = sum(lot.free for lot in lots)
    if points < 0 and free < -points:
        raise NotEnoughPoints(f"member {member_id} has {free} points available; cannot remove {-points}")
    row = ledger.entry(session, member_id, "adjust", points, f"adjust:{key}", reason=reason, actor=actor)
    if points > 0:
        ends = expires_at(now, settings(session), ctx(session).settings.tz)
        ledger.add_lot(session, row, available_at=now, expires_at=ends)
    else:
        ledger.debit(session, row, lots)
    emit(session, PointsAdjusted(member_id, points, reason, actor))
    return row, True
