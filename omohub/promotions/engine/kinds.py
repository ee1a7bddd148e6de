"""The promotion kinds: one function each, and the registry that the engine dispatches on.

A kind's function gets its parameters, the cart as it stands after the promotions applied before
it, and the positions of the lines it targets; it returns what it does (an :class:`Effect`) or
None when it does nothing. Adding a kind is adding its parameters class, one function and one
registry entry. The stage orders kinds within a combination: price overrides first (they set the
prices everything else discounts), then line discounts, then order thresholds, then gifts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from omohub.promotions.engine.money import dollars, percent, percent_label, spread
from omohub.promotions.engine.tally import Effect, Tally
from omohub.promotions.engine.types import (
    AmountOff,
    GiftWithPurchase,
    PercentOff,
    PriceOverride,
    Threshold,
    ThresholdStep,
)
from omohub.promotions.engine.units import bundle_price, buy_x_get_y

PRICES, LINES, ORDER, GIFTS = 1, 2, 3, 4


class Kind(NamedTuple):
    stage: int
    apply: Callable[[Any, Tally, Sequence[int]], Effect | None]


def price_override(params: PriceOverride, tally: Tally, positions: Sequence[int]) -> Effect | None:
    units, quantities = tally.units, tally.quantities
    changes = [(pos, params.price_for(tally.lines[pos].sku_id)) for pos in positions]
    lower = [(pos, price) for pos, price in changes if price is not None and price < units[pos]]
    if not lower:
        return None
    shares = [(pos, (units[pos] - price) * quantities[pos]) for pos, price in lower]
    notes = {
        pos: f"price_override: unit price {dollars(units[pos])} → {dollars(price)}" for pos, price in lower
    }
    return Effect(shares, "price_override", notes, unit_prices=lower)


def percent_off(params: PercentOff, tally: Tally, positions: Sequence[int]) -> Effect | None:
    weights = tally.current(positions)
    off = percent(sum(weights), params.bp)
    if not off:
        return None
    return Effect(spread(off, positions, weights), f"percent_off: {percent_label(params.bp)} off")


def amount_off(params: AmountOff, tally: Tally, positions: Sequence[int]) -> Effect | None:
    weights = tally.current(positions)
    off = min(params.amount, sum(weights))
    if not off:
        return None
    reason = f"amount_off: {dollars(off)} off the targeted lines, shared by their amounts"
    return Effect(spread(off, positions, weights), reason)


def threshold(params: Threshold, tally: Tally, positions: Sequence[int]) -> Effect | None:
    spend, weights = tally.spend(positions), tally.current(positions)
    reached = [step for step in params.steps if step.min_spend <= spend]
    offs = [_step_off(step, spend, sum(weights), params.repeat) for step in reached]
    off = min(max(offs, default=0), sum(weights))
    if not off:
        return None
    step = reached[offs.index(max(offs))]
    times = f"{spend // step.min_spend} × " if params.repeat else ""
    reason = (
        f"threshold: spent {dollars(spend)}, reached {times}{dollars(step.min_spend)}, {dollars(off)} off"
    )
    return Effect(spread(off, positions, weights), reason)


def _step_off(step: ThresholdStep, spend: int, current: int, repeat: bool) -> int:
    # The spend only decides which step is reached; a percentage is of what is left to pay,
    # like percent_off, so stacked discounts are never discounted twice.
    if step.bp:
        return percent(current, step.bp)
    return step.amount_off * (spend // step.min_spend if repeat else 1)


def gift(params: GiftWithPurchase, tally: Tally, positions: Sequence[int]) -> Effect | None:
    spend = tally.spend(positions)
    if spend < params.min_spend:
        return None
    free = f"{params.quantity} × SKU {params.gift_sku_id} free"
    reason = f"gift: spent {dollars(spend)}, reached {dollars(params.min_spend)}, {free}"
    return Effect((), reason, gift=(params.gift_sku_id, params.quantity))


KINDS: dict[str, Kind] = {
    "price_override": Kind(PRICES, price_override),
    "percent_off": Kind(LINES, percent_off),
    "buy_x_get_y": Kind(LINES, buy_x_get_y),
    "bundle_price": Kind(LINES, bundle_price),
    "amount_off": Kind(LINES, amount_off),
    "threshold": Kind(ORDER, threshold),
    "gift": Kind(GIFTS, gift),
}
