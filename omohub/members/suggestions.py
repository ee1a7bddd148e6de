"""Merge suggestions: pairs an inbound claim linked but the policy would not merge by itself.

A person reviews each one: *accept* merges the pair (the same survivor rule as an automatic
merge), *reject* records that they are different people, so nothing links them again
automatically and no new suggestion is filed for them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.members import repository as repo
from omohub.members.errors import SuggestionClosed, SuggestionNotFound
from omohub.members.merge import exclude, merge
from omohub.members.models import Member, MergeRecord, MergeSuggestion

STATUSES = ("open", "accepted", "rejected")


def listing(session: Session, status: str = "open", limit: int = 50) -> list[MergeSuggestion]:
    """Oldest first, so the queue is worked in order."""
    return list(
        session.scalars(
            select(MergeSuggestion)
            .where(MergeSuggestion.status == status)
            .order_by(MergeSuggestion.id)
            .limit(limit)
        )
    )


def accept(session: Session, suggestion_id: int, actor: str) -> MergeRecord:
    """Merge the pair (as they are now: either may have been merged elsewhere since)."""
    suggestion = _open(session, suggestion_id)
    a = repo.live_member(session, suggestion.member_low_id)
    b = repo.live_member(session, suggestion.member_high_id)
    assert a is not None and b is not None
    if a.id == b.id:
        raise SuggestionClosed(f"members {a.id} and {b.id} are already one member", field="id")
    survivor, other = sorted((a, b), key=_survivor_first)
    record = merge(
        session,
        survivor.id,
        other.id,
        reason=f"suggestion {suggestion.id} accepted: {suggestion.reason}",
        actor=actor,
    )
    suggestion.status = "accepted"
    return record


def reject(session: Session, suggestion_id: int, actor: str) -> MergeSuggestion:
    """They are different people: never link them automatically again."""
    suggestion = _open(session, suggestion_id)
    exclude(session, suggestion.member_low_id, suggestion.member_high_id)
    suggestion.status = "rejected"
    session.flush()
    return suggestion


def _open(session: Session, suggestion_id: int) -> MergeSuggestion:
    suggestion = session.scalar(
        select(MergeSuggestion)
        .where(MergeSuggestion.id == suggestion_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if suggestion is None:
        raise SuggestionNotFound(f"no merge suggestion {suggestion_id}")
    if suggestion.status != "open":
        raise SuggestionClosed(f"merge suggestion {suggestion_id} is already {suggestion.status}", field="id")
    return suggestion


def _survivor_first(member: Member) -> tuple[bool, int]:
    """The same rule as an automatic merge: a member who joined, then the older one."""
    return (member.joined_at is None, member.id)
