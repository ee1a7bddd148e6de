"""The scratch state of one combination being applied: current unit prices and amounts.

Mutable on purpose and private to one run: a cart is priced against dozens of combinations per
request, and copying frozen line objects for every step would dominate the time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from omohub.promotions.engine.types import CartLine, Promotion


class Effect(NamedTuple):
    """What one promotion does to the cart. ``shares`` are ``(position, discount)`` pairs, all
    positive. A line's explanation is ``notes[pos]`` if given, else ``reason`` with ``{units}``
    filled from ``counts[pos]``: formatted only for the winning combination, not every candidate."""

    shares: Sequence[tuple[int, int]]
    reason: str
    notes: Mapping[int, str] | None = None
    counts: Mapping[int, tuple[int, int]] | None = None  # position -> (units, their value)
    unit_prices: Sequence[tuple[int, int]] = ()
    gift: tuple[int, int] | None = None  # (sku_id, quantity)

    def note(self, pos: int) -> str:
        if self.notes and pos in self.notes:
            return self.notes[pos]
        if self.counts and pos in self.counts:
            units = self.counts[pos][0]
            return self.reason.format(units=f"{units} unit" if units == 1 else f"{units} units")
        return self.reason


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
        amounts = self.amounts
        return [amounts[pos] for pos in positions]

    def spend(self, positions: Sequence[int]) -> int:
        """What these lines cost now: what a threshold or a gift measures (滿額 is counted on
        what the customer pays after the line promotions, as brands and their customers expect).

        A line promotion can therefore keep a threshold from being reached; best-for-customer
        still prices the threshold without it (every single promotion is a candidate).
        """
        amounts = self.amounts
        return sum(amounts[pos] for pos in positions)

    def record(self, promotion: Promotion, effect: Effect) -> None:
        for pos, share in effect.shares:
            self.amounts[pos] -= share
            self.discount += share
        for pos, unit_price in effect.unit_prices:
            self.units[pos] = unit_price
        if effect.gift:
            self.gift_units += effect.gift[1]
        self.steps.append((promotion, effect))
