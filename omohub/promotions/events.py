"""Events the promotions domain publishes (also the webhook documentation)."""

from __future__ import annotations

from dataclasses import dataclass

from omohub.core.events import DomainEvent, register


@register
@dataclass(frozen=True)
class CouponIssued(DomainEvent):
    """A coupon landed in a member's wallet (a welcome or birthday coupon, or issued by hand);
    messaging can tell the member. ``valid_until`` is RFC 3339 or null."""

    topic = "coupon.issued"
    member_id: int
    code: str
    promotion_id: int
    promotion_name: str
    valid_until: str | None
    reason: str
