"""Events the orders domain publishes (also the webhook documentation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omohub.core.events import DomainEvent, register


@register
@dataclass(frozen=True)
class OrderCompleted(DomainEvent):
    """A sale in any channel was recorded (once per ``source``/``external_id``, never on retries).

    ``lines`` holds ``line_no``, ``sku``, ``quantity``, ``unit_price`` and ``line_total`` (what
    was paid for the line after every discount); amounts are integer minor units of ``currency``;
    ``business_date`` is the brand's local day (ISO date).
    """

    topic = "order.completed"
    order_id: int
    source: str
    external_id: str
    channel: str
    store_code: str | None
    staff_code: str | None
    member_id: int | None
    currency: str
    total: int
    business_date: str
    lines: list[dict[str, Any]] = field(default_factory=list)


@register
@dataclass(frozen=True)
class OrderRefunded(DomainEvent):
    """Some lines of an order came back (in any channel or store) and were refunded.

    ``lines`` holds ``line_no``, ``sku``, ``quantity`` and ``refund_amount``; ``channel``,
    ``store_code`` and ``staff_code`` say where the return happened, not where it was bought.
    """

    topic = "order.refunded"
    return_id: int
    order_id: int
    member_id: int | None
    channel: str
    store_code: str | None
    staff_code: str | None
    currency: str
    refund_total: int
    order_status: str
    business_date: str
    lines: list[dict[str, Any]] = field(default_factory=list)
