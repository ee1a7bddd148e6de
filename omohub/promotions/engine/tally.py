"""The scratch state of one combination being applied: current unit prices and amounts.

Mutable on purpose and private to one run: a cart is priced against dozens of combinations per
request, and copying frozen line objects for every step would dominate the time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from omohub.promotions.engine.result import Why
from omohub.promotions.engine.types import CartLine, Promotion


class Effect(NamedTuple):
    """What one promotion does to the cart: arithmetic only. ``shares`` are ``(position,
    discount)`` pairs, all positive. ``facts`` are what the kind's words need (the spend, the step
    reached, the unit prices replaced): the words are written for the winning combination only,
    not for every candidate (see ``Kind.describe``)."""

    shares: Sequence[tuple[int, int]]
    counts: Mapping[int, tuple[int, int]] | None = None  # position -> (units, their value)
    unit_prices: Sequence[tuple[int, int]] = ()
    gift: tuple[int, int] | None = None  # (sku_id, quantity)
    facts: tuple[int, ...] = ()


class Words(NamedTuple):
    """An effect explained: the promotion's reason, and a line's own where it has one."""

    reason: Why
    notes: Mapping[int, Why] | None = None

    def note(self, pos: int) -> Why:
        return self.notes[pos] if self.notes and pos in self.notes else self.reason


class Tally:
    """Lines in ``line_no`` order (a line's position is its index) and what is left to pay."""

    __slots__ = ("amounts", "discount", "gift_units", "lines", "quantities", "steps", "units")

    def __init__(self, lines: Sequence[CartLine]) -> None:
        self.lines = lines
        self.quantities = [line.quantity for line in lines]
        self.units = [line.unit_price for line in lines]
        self.amounts = [line.unit_price * line.quantity for line in lines]
        self.discount = 0
        self.gift_units = 0
        self.steps: list[tuple[Promotion, Effect]] = []

    def copy(self) -> Tally:
        clone = Tally.__new__(Tally)
        clone.lines, clone.quantities = self.lines, self.quantities
        clone.units, clone.amounts = self.units[:], self.amounts[:]
        clone.discount, clone.gift_units, clone.steps = self.discount, self.gift_units, self.steps[:]
        return clone

    def current(self, positions: Sequence[int]) -> list[int]:
        """What each of these lines costs now, after the promotions applied so far."""
        return list(map(self.amounts.__getitem__, positions))

    def spend(self, positions: Sequence[int]) -> int:
        """What these lines cost now: what a threshold or a gift measures (滿額 is counted on
        what the customer pays after the line promotions, as brands and their customers expect).

        A line promotion can therefore keep a threshold from being reached; best-for-customer
        still prices the threshold without it (every single promotion is a candidate).
        """
        return sum(map(self.amounts.__getitem__, positions))

    def take(self, effect: Effect) -> None:
        """``effect`` applied, not recorded: enough to rank a candidate."""
        amounts, discount = self.amounts, self.discount
        for pos, share in effect.shares:
            amounts[pos] -= share
            discount += share
        self.discount = discount
        units = self.units
        for pos, unit_price in effect.unit_prices:
            units[pos] = unit_price
        if effect.gift:
            self.gift_units += effect.gift[1]

    def record(self, promotion: Promotion, effect: Effect) -> None:
        """``effect`` applied and kept for the explanation."""
        self.take(effect)
        self.steps.append((promotion, effect))
