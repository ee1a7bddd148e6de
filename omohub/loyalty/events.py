"""Events the loyalty domain publishes (also the webhook documentation)."""

from __future__ import annotations

from dataclasses import dataclass

from omohub.core.events import DomainEvent, register


@register
@dataclass(frozen=True)
class PointsEarned(DomainEvent):
    """A purchase earned points. They are ``pending`` until ``available_at`` (the return
    window) and expire at ``expires_at`` (RFC 3339, or null for never)."""

    topic = "loyalty.points_earned"
    member_id: int
    points: int
    order_id: int | None
    available_at: str
    expires_at: str | None


@register
@dataclass(frozen=True)
class PointsRedeemed(DomainEvent):
    """Points paid for (part of) an order: a hold was captured."""

    topic = "loyalty.points_redeemed"
    member_id: int
    points: int
    order_id: int | None
    hold_id: int


@register
@dataclass(frozen=True)
class PointsReversed(DomainEvent):
    """Points earned on returned lines were taken back (in proportion to what came back);
    ``unrecovered`` is what could not be taken because it was already spent."""

    topic = "loyalty.points_reversed"
    member_id: int
    points: int
    unrecovered: int
    order_id: int
    return_id: int


@register
@dataclass(frozen=True)
class PointsAdjusted(DomainEvent):
    """Someone at head office added or removed points by hand, with a reason."""

    topic = "loyalty.points_adjusted"
    member_id: int
    points: int
    reason: str
    actor: str


@register
@dataclass(frozen=True)
class PointsExpired(DomainEvent):
    """Lots reached their expiry date; the member may be told (messaging subscribes)."""

    topic = "loyalty.points_expired"
    member_id: int
    points: int
    balance: int


@register
@dataclass(frozen=True)
class TierChanged(DomainEvent):
    """A member moved up (at once, on a purchase) or down (only at the review date).

    ``reason`` is ``purchase``, ``return``, ``review``, ``merge`` or ``manual``.
    """

    topic = "tier.changed"
    member_id: int
    from_tier: str | None
    to_tier: str | None
    basis: int
    reason: str
