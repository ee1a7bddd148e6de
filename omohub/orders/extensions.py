"""The extension point of order creation: code that must succeed or fail with the order.

The checkout domain uses it to consume a quote — capture the point hold, use the coupons and
count the promotions — in the order's own transaction, so an order never exists without what
its quote promised being spent, and nothing is spent for an order that was refused. An
extension raises a :class:`~omohub.core.errors.DomainError` to refuse the order; the whole
transaction then rolls back. Extensions are registered at the composition root.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from omohub.orders.models import Order, OrderLine
from omohub.orders.schemas import OrderIn


class OrderExtension(Protocol):
    def on_create(self, session: Session, order: Order, lines: list[OrderLine], data: OrderIn) -> None:
        """Called once per new order (never on an idempotent replay), lines and payments written."""
