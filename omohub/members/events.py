"""Events the members domain publishes (also the webhook documentation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from omohub.core.events import DomainEvent, register


@register
@dataclass(frozen=True)
class MemberCreated(DomainEvent):
    """A new member profile exists (a sign-up, a LINE follower, a first web login)."""

    topic = "member.created"
    member_id: int
    channel: str | None
    identifier_types: list[str] = field(default_factory=list)


@register
@dataclass(frozen=True)
class MemberUpdated(DomainEvent):
    """A member's profile or identifiers changed; ``changed`` names what."""

    topic = "member.updated"
    member_id: int
    changed: list[str] = field(default_factory=list)


@register
@dataclass(frozen=True)
class MemberMerged(DomainEvent):
    """``merged_id`` was folded into ``survivor_id``; look-ups of either now give the survivor."""

    topic = "member.merged"
    survivor_id: int
    merged_id: int
    merge_id: int
    reason: str


@register
@dataclass(frozen=True)
class MemberUnmerged(DomainEvent):
    """A merge was undone: ``restored_id`` is a member again with what it brought."""

    topic = "member.unmerged"
    survivor_id: int
    restored_id: int
    merge_id: int
