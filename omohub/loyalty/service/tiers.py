"""Tier evaluation: rolling spend (or points) over the window, all channels, net of returns.

Up at once when a purchase crosses a threshold; down only at the review date. Every change is
kept (``tier_changes``) and published as ``tier.changed``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from omohub.core.clock import add_months
from omohub.core.context import ctx
from omohub.core.outbox import OutboxMessage, emit
from omohub.loyalty import repository as repo
from omohub.loyalty.events import TierChanged
from omohub.loyalty.models import MemberTier, TierChange
from omohub.loyalty.rules import tier_for, tier_move
from omohub.loyalty.service import program


def basis(session: Session, member_id: int) -> int:
    settings = program.settings(session)
    since = add_months(ctx(session).now(), -settings.tier_window_months)
    if settings.tier_basis == "points":
        return repo.points_earned_since(session, member_id, since)
    return repo.net_spend(session, member_id, since)


def evaluate(session: Session, member_id: int, *, reason: str, at_review: bool = False) -> str | None:
    """Move the member to the tier they hold now; returns it (None: below every tier)."""
    defs = program.tier_defs(session)
    current = repo.member_tier(session, member_id)
    if not defs and current is None:
        return None
    amount = basis(session, member_id)
    held = current.tier_code if current else None
    new = tier_move(defs, held, tier_for(defs, amount), at_review=at_review)
    now = ctx(session).now()
    if new == held:
        if current is not None and at_review:
            current.review_at = _next_review(session, now)
        return new
    set_tier(session, member_id, new, basis=amount, reason=reason, current=current, now=now)
    return new


def set_tier(
    session: Session,
    member_id: int,
    new: str | None,
    *,
    basis: int,
    reason: str,
    current: MemberTier | None,
    now: dt.datetime,
    review_at: dt.datetime | None = None,
) -> None:
    """Record a tier change; the next review is ``review_at`` or a full review period away."""
    held = current.tier_code if current else None
    review = review_at or _next_review(session, now)
    if new is None and current is not None:
        session.delete(current)
    elif current is None and new is not None:
        session.add(MemberTier(member_id=member_id, tier_code=new, since=now, review_at=review))
    elif current is not None and new is not None:
        current.tier_code, current.since, current.review_at = new, now, review
    session.add(
        TierChange(member_id=member_id, from_tier=held, to_tier=new, basis=basis, reason=reason, at=now)
    )
    session.flush()
    emit(session, TierChanged(member_id, held, new, basis, reason))


def _next_review(session: Session, now: dt.datetime) -> dt.datetime:
    return add_months(now, program.settings(session).tier_review_months)


def review_due(session: Session, limit: int = 500) -> int:
    """The review: members whose review date passed keep, lose or gain their tier."""
    rows = repo.due_reviews(session, ctx(session).now(), limit)
    for row in rows:
        evaluate(session, row.member_id, reason="review", at_review=True)
    return len(rows)


def on_member_merged(session: Session, msg: OutboxMessage) -> None:
    """The survivor keeps the better of the two tiers, then earns any higher one the joint spend reaches."""
    survivor, loser = msg.payload["survivor_id"], msg.payload["merged_id"]
    mine, theirs = repo.member_tier(session, survivor), repo.member_tier(session, loser)
    rank = {t.code: t.threshold for t in program.tier_defs(session)}
    if theirs is not None and rank.get(theirs.tier_code, -1) > rank.get(mine.tier_code if mine else "", -1):
        now = ctx(session).now()
        set_tier(
            session,
            survivor,
            theirs.tier_code,
            basis=0,
            reason="merge",
            current=mine,
            now=now,
            review_at=theirs.review_at,
        )
    evaluate(session, survivor, reason="merge")


def on_member_unmerged(session: Session, msg: OutboxMessage) -> None:
    for member_id in (msg.payload["survivor_id"], msg.payload["restored_id"]):
        evaluate(session, member_id, reason="merge")
