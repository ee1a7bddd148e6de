"""Welcome coupons for new members (on ``member.created``) and birthday coupons (a sweep)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import extract, select
from sqlalchemy.orm import Session, sessionmaker

from omohub.collect.models import Cursor
from omohub.core.clock import add_months
from omohub.core.context import ctx
from omohub.core.db import unit_of_work
from omohub.core.outbox import Dispatcher, OutboxMessage
from omohub.members.models import Member
from omohub.promotions import repository as repo
from omohub.promotions.service import coupons

WELCOME_DAYS = 30
BATCH = 500


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


def birthday_sweep(sessions: sessionmaker[Session]) -> int:
    """生日禮: members whose birthday month it is (in the brand's timezone) get this year's coupon.

    A cursor per month walks the members in id order, a batch per call, so 17 million members
    are covered in bounded steps and each gets one coupon a year (the issue key).
    """
    with unit_of_work(sessions) as session:
        promotions = repo.by_auto_issue(session, "birthday")
        if not promotions:
            return 0
        local = ctx(session).now().astimezone(ctx(session).settings.tz)
        cursor = _cursor(session, f"birthday:{local:%Y-%m}")
        stmt = (
            select(Member.id)
            .where(
                Member.status == "active",
                extract("month", Member.birthday) == local.month,
                Member.id > cursor.position,
            )
            .order_by(Member.id)
            .limit(BATCH)
        )
        ids = list(session.scalars(stmt))
        month_end = add_months(local.replace(day=1, hour=0, minute=0, second=0, microsecond=0), 1).astimezone(
            dt.UTC
        )
        for member_id in ids:
            for promotion in promotions:
                key = f"birthday:{promotion.id}:{member_id}:{local.year}"
                coupons.issue_to_member(
                    session, promotion, member_id, key=key, reason="birthday", valid_until=month_end
                )
        if ids:
            cursor.position, cursor.updated_at = ids[-1], ctx(session).now()
        return len(ids)


def _cursor(session: Session, name: str) -> Cursor:
    cursor = session.get(Cursor, name)
    if cursor is None:
        cursor = Cursor(name=name, position=0, updated_at=ctx(session).now())
        session.add(cursor)
        session.flush()
    return cursor
