"""The engine's output: a priced cart that explains itself line by line.

Invariants (property-tested): ``sum(line.total) == total == subtotal - discount_total``; each
line's adjustments add up to its ``discount``; the ``applied`` amounts add up to
``discount_total``. Gifts never change a total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Why:
    """Why a promotion did what it did, as data for any language: ``code`` is the promotion kind
    and ``args`` the figures its sentence names (money in whole dollars: ``spend``, ``min_spend``,
    ``off``, ``price``, ``was``; ``bp`` basis points; counts: ``units``, ``times``, ``size``,
    ``quantity``; ``sku_id``). :func:`~omohub.promotions.engine.explain.english` says it in
    English; the console says it in the viewer's language."""

    code: str
    args: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Adjustment:
    """One promotion's part of one line's discount. ``reason`` is ``why`` in English, starting
    with the machine code: ``"buy_x_get_y: 1 unit at 50% off"``."""

    promotion_id: int
    name: str
    amount: int
    reason: str
    why: Why


@dataclass(frozen=True)
class PricedLine:
    """Why this line costs ``total``: ``list_amount`` (the sent unit price × quantity) less
    ``discount``, which includes tier/member price savings (``unit_price`` is after those)."""

    line_no: int
    sku_id: int
    quantity: int
    unit_price: int
    list_amount: int
    discount: int
    total: int
    explanation: tuple[Adjustment, ...]


@dataclass(frozen=True)
class Applied:
    """A promotion that changed the cart, with its whole discount (0 for a gift)."""

    promotion_id: int
    name: str
    kind: str
    amount: int
    coupon: bool


@dataclass(frozen=True)
class Gift:
    """A free line added by a gift-with-purchase promotion."""

    promotion_id: int
    name: str
    sku_id: int
    quantity: int
    reason: str
    why: Why


@dataclass(frozen=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    applied: tuple[Applied, ...]
    gifts: tuple[Gift, ...]
    subtotal: int
    discount_total: int
    total: int
