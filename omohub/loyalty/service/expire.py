"""The nightly sweep: lots past their expiry lose what is left (not what open checkouts hold)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.outbox import emit
from omohub.loyalty import ledger
from omohub.loyalty import repository as repo
from omohub.loyalty.events import PointsExpired
from omohub.loyalty.service.redeem import _lock


def expire_due(session: Session, limit: int = 500) -> tuple[int, int]:
    """Expire up to ``limit`` members' due lots; ``(members, points)``. Run it until (0, 0)."""
    now = ctx(session).now()
    members = points = 0
    for member_id in repo.members_with_expiring_lots(session, now, limit):
        member = _lock(session, member_id)
        due = [
            lot
            for lot in repo.open_lots(session, member.id)
            if lot.expires_at is not None and lot.expires_at <= now and lot.remaining > lot.held
        ]
        gone = sum(lot.free for lot in due)
        if not gone:
            continue
        key = f"expire:{member.id}:{due[0].id}:{now.isoformat()}"
        row = ledger.entry(session, member.id, "expire", -gone, key, reason="points expired")
        ledger.debit(session, row, due)
        emit(session, PointsExpired(member.id, gone, ledger.balance(session, member.id).available))
        members, points = members + 1, points + gone
    return members, points
