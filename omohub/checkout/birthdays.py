"""生日禮: in their birthday month (the brand's timezone) members get this year's birthday coupons.

Which ones: every active ``auto_issue: birthday`` promotion whose audience admits the member
(a tier audience needs the member's tier), plus the coupon promotion their tier's benefits name
(``birthday_coupon_promotion_id``). Lives in checkout because it needs both promotions and
tiers. A cursor per month walks the members in id order, a batch per call, so 17 million
members are covered in bounded steps; the issue key gives each one coupon per promotion a year.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import extract, select
from sqlalchemy.orm import Session, sessionmaker

from omohub.collect.cursors import locked_cursor
from omohub.core.clock import add_months
from omohub.core.context import ctx
from omohub.core.db import unit_of_work
from omohub.loyalty import repository as loyalty
from omohub.members.models import Member
from omohub.promotions import repository as promotions
from omohub.promotions.models import Promotion
from omohub.promotions.service import coupons

BATCH = 500


def birthday_sweep(sessions: sessionmaker[Session]) -> int:
    """One batch of this month's birthdays; returns how many members it looked at."""
    with unit_of_work(sessions) as session:
        general = promotions.by_auto_issue(session, "birthday")
        by_tier = _tier_gifts(session)
        if not general and not by_tier:
            return 0
        local = ctx(session).now().astimezone(ctx(session).settings.tz)
        cursor = locked_cursor(session, f"birthday:{local:%Y-%m}")
        ids = _birthdays(session, local.month, cursor.position)
        until = add_months(local.replace(day=1, hour=0, minute=0, second=0, microsecond=0), 1).astimezone(
            dt.UTC
        )
        for member_id in ids:
            current = loyalty.member_tier(session, member_id)
            tier = current.tier_code if current else None
            wanted = [p for p in general if _admits(p, tier)] + ([by_tier[tier]] if tier in by_tier else [])
            for promotion in {p.id: p for p in wanted}.values():
                key = f"birthday:{promotion.id}:{member_id}:{local.year}"
                coupons.issue_to_member(
                    session, promotion, member_id, key=key, reason="birthday", valid_until=until
                )
        if ids:
            cursor.position, cursor.updated_at = ids[-1], ctx(session).now()
        return len(ids)


def _tier_gifts(session: Session) -> dict[str, Promotion]:
    found = {}
    for tier in loyalty.tiers(session):
        pid = tier.benefits.get("birthday_coupon_promotion_id")
        promotion = session.get(Promotion, pid) if pid else None
        if promotion is not None and promotion.status == "active" and promotion.coupon:
            found[tier.code] = promotion
    return found


def _admits(promotion: Promotion, tier: str | None) -> bool:
    return promotion.audience != "tiers" or tier in promotion.tiers


def _birthdays(session: Session, month: int, after: int) -> list[int]:
    stmt = (
        select(Member.id)
        .where(Member.status == "active", extract("month", Member.birthday) == month, Member.id > after)
        .order_by(Member.id)
        .limit(BATCH)
    )
    return list(session.scalars(stmt))
