"""Tiers across a merge: the survivor keeps the better tier, with that tier's review date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.core.clock import FrozenClock
from omohub.loyalty import repository as repo
from omohub.loyalty.models import TierChange
from omohub.loyalty.service import program, tiers
from omohub.members.merge import merge
from tests.loyalty.conftest import settle


def test_a_merge_keeps_the_better_tier_and_its_review_date(
    hub: Hub, clock: FrozenClock, new_member: Callable[..., int]
) -> None:
    survivor, loser = new_member(), new_member()
    with hub.uow() as session:
        program.put_tier(session, "silver", "銀卡", 3000, {})
        program.put_tier(session, "gold", "金卡", 10000, {})
        now = hub.context.now()
        tiers.set_tier(session, survivor, "silver", basis=3000, reason="purchase", current=None, now=now)
        tiers.set_tier(session, loser, "gold", basis=12000, reason="purchase", current=None, now=now)
        held = repo.member_tier(session, loser)
        assert held is not None
        gold_review = held.review_at
    clock.advance(days=40)  # a review period from now would be later than gold's own
    with hub.uow() as session:
        merge(session, survivor, loser, reason="same phone", actor="hq")
    settle(hub)
    with hub.uow() as session:
        kept = repo.member_tier(session, survivor)
        assert kept is not None and kept.tier_code == "gold"
        assert kept.review_at == gold_review and kept.review_at < hub.context.now() + dt.timedelta(days=365)
        changes = session.scalars(
            select(TierChange).where(TierChange.member_id == survivor).order_by(TierChange.id)
        )
        assert [(c.from_tier, c.to_tier, c.reason) for c in changes] == [
            (None, "silver", "purchase"),
            ("silver", "gold", "merge"),
        ]
