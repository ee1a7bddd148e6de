"""Errors of the orders domain, each with its HTTP status and a stable ``code``."""

from __future__ import annotations

from omohub.core.errors import Conflict, Invalid, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"


class InvalidOrder(Invalid):
    """The body is well-formed but names something wrong (unknown SKU, store, tender sum…)."""

    code = "invalid_order"


class InvalidReturn(Invalid):
    code = "invalid_return"


class IdempotencyConflict(Conflict):
    """The idempotency key was used before with a different body."""

    code = "idempotency_conflict"


class OverReturn(Conflict):
    """More units asked back than are still returnable (others were returned first)."""

    code = "over_return"
