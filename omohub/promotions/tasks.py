"""Welcome coupons for new members (on ``member.created``). Birthday coupons need tiers: checkout."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.outbox import Dispatcher, OutboxMessage
from omohub.promotions import repository as repo
from omohub.promotions.service import coupons

WELCOME_DAYS = 30


def register(dispatcher: Dispatcher) -> None:
    dispatcher.on("member.created", on_member_created)


def on_member_created(session: Session, msg: OutboxMessage) -> None:
    """入會禮: every active welcome promotion puts a coupon in the new member's wallet."""
    member_id = msg.payload["member_id"]
    until = ctx(session).now() + dt.timedelta(days=WELCOME_DAYS)
    for promotion in repo.by_auto_issue(session, "welcome"):
        end = min(until, promotion.ends_at) if promotion.ends_at else until
        key = f"welcome:{promotion.id}:{member_id}"
        coupons.issue_to_member(session, promotion, member_id, key=key, reason="welcome", valid_until=end)
