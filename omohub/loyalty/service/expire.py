"""The nightly sweep: lots past their expiry lose what is left (not what open checkouts hold)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.outbox import emit
from omohub.loyalty import ledger
from omohub.loyalty import repository as repo
from omohub.loyalty.events import PointsExpired
from omohub.loyalty.service.redeem import lock_account


def expire_due(session: Session, limit: int = 500) -> tuple[int, int]:
    """Expire up to ``limit`` members' due lots; ``(members, points)``. Run it until (0, 0)."""
    now = ctx(session).now()
    members = points = 0
    for due_id in repo.members_with_expiring_lots(session, now, limit):
        member_id = lock_account(session, due_id)
        due = [
            lot
            for lot in repo.open_lots(session, member_id)
            if lot.expires_at is not None and lot.expires_at <= now and lot.remaining > lot.held
        ]
        gone = sum(lot.free for lot in due)
        if not gone:
            continue
        key = f"expire:{member_id}:{due[0].id}:{now.isoformat()}"
        row = ledger.entry(session, member_id, "expire", -gone, key, reason="points expired")
        ledger.debit(session, row, due)
        emit(session, PointsExpired(member_id, gone, ledger.balance(session, member_id).available))
        members, points = members + 1, points + gone
    return members, points
