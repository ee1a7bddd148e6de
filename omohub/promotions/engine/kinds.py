"""The promotion kinds: what each does and how it is put into words, and the registry that the
engine dispatches on.

A kind's ``apply`` gets its parameters, the cart as it stands after the promotions applied
before it, and the positions of the lines it targets; it returns what it does (an
:class:`Effect`) or None when it does nothing. Finding the winning combination (``winner``)
relies on two properties of every kind, which a Hypothesis test checks: it reads and changes
the cart only at those positions, and it never takes off more, or gives more gift units, once
the amounts and unit prices there have fallen. Its ``describe`` puts an effect into words, for
the winner only. Adding a kind is adding its parameters class, these two functions and one
registry entry. The stage orders kinds within a combination: price overrides first (they set
the prices everything else discounts), then line discounts, then order thresholds, then gifts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from omohub.promotions.engine.money import percent, spread
from omohub.promotions.engine.result import Why
from omohub.promotions.engine.tally import Effect, Tally, Words
from omohub.promotions.engine.types import (
    AmountOff,
    GiftWithPurchase,
    PercentOff,
    PriceOverride,
    Threshold,
    ThresholdStep,
)
from omohub.promotions.engine.units import (
    bundle_price,
    buy_x_get_y,
    describe_bundle_price,
    describe_buy_x_get_y,
)

PRICES, LINES, ORDER, GIFTS = 1, 2, 3, 4


class Kind(NamedTuple):
    """``apply`` does the arithmetic for every candidate; ``describe`` puts the winner's effects
    into words."""

    stage: int
    apply: Callable[[Any, Tally, Sequence[int]], Effect | None]
    describe: Callable[[Any, Effect], Words]


def price_override(params: PriceOverride, tally: Tally, positions: Sequence[int]) -> Effect | None:
    units, quantities, lines = tally.units, tally.quantities, tally.lines
    changes = [(pos, params.price_for(lines[pos].sku_id)) for pos in positions]
    lower = [(pos, price) for pos, price in changes if price is not None and price < units[pos]]
    if not lower:
        return None
    shares = [(pos, (units[pos] - price) * quantities[pos]) for pos, price in lower]
    return Effect(shares, unit_prices=lower, facts=tuple(units[pos] for pos, _ in lower))


def describe_price_override(_params: PriceOverride, effect: Effect) -> Words:
    notes = {
        pos: Why("price_override", {"was": was, "price": price})
        for (pos, price), was in zip(effect.unit_prices, effect.facts, strict=True)
    }
    return Words(Why("price_override"), notes)


def percent_off(params: PercentOff, tally: Tally, positions: Sequence[int]) -> Effect | None:
    weights = tally.current(positions)
    off = percent(sum(weights), params.bp)
    if not off:
        return None
    return Effect(spread(off, positions, weights))


def describe_percent_off(params: PercentOff, _effect: Effect) -> Words:
    return Words(Why("percent_off", {"bp": params.bp}))


def amount_off(params: AmountOff, tally: Tally, positions: Sequence[int]) -> Effect | None:
    weights = tally.current(positions)
    off = min(params.amount, sum(weights))
    if not off:
        return None
    return Effect(spread(off, positions, weights))


def describe_amount_off(_params: AmountOff, effect: Effect) -> Words:
    off = sum(share for _, share in effect.shares)
    return Words(Why("amount_off", {"off": off}))


def threshold(params: Threshold, tally: Tally, positions: Sequence[int]) -> Effect | None:
    weights = tally.current(positions)
    spend = current = sum(weights)  # 滿額 is measured on what is left to pay: see Tally.spend
    reached = [step for step in params.steps if step.min_spend <= spend]
    offs = [_step_off(step, spend, current, params.repeat) for step in reached]
    off = min(max(offs, default=0), current)
    if not off:
        return None
    step = reached[offs.index(max(offs))]
    return Effect(spread(off, positions, weights), facts=(spend, step.min_spend))


def describe_threshold(params: Threshold, effect: Effect) -> Words:
    spend, min_spend = effect.facts
    off = sum(share for _, share in effect.shares)
    times = spend // min_spend if params.repeat else 0
    return Words(Why("threshold", {"spend": spend, "min_spend": min_spend, "times": times, "off": off}))


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
    return Effect((), gift=(params.gift_sku_id, params.quantity), facts=(spend,))


def describe_gift(params: GiftWithPurchase, effect: Effect) -> Words:
    args = {"spend": effect.facts[0], "min_spend": params.min_spend, "quantity": params.quantity}
    return Words(Why("gift", {**args, "sku_id": params.gift_sku_id}))


KINDS: dict[str, Kind] = {
    "price_override": Kind(PRICES, price_override, describe_price_override),
    "percent_off": Kind(LINES, percent_off, describe_percent_off),
    "buy_x_get_y": Kind(LINES, buy_x_get_y, describe_buy_x_get_y),
    "bundle_price": Kind(LINES, bundle_price, describe_bundle_price),
    "amount_off": Kind(LINES, amount_off, describe_amount_off),
    "threshold": Kind(ORDER, threshold, describe_threshold),
    "gift": Kind(GIFTS, gift, describe_gift),
}
