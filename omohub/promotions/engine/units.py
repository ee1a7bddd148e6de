"""Kinds that count units rather than amounts: buy X get Y (第二件半價) and bundle prices (任選3件999).

A line is expanded into its units without materialising them where it can: a line of current
amount ``A`` and quantity ``q`` is ``q`` units worth ``A // q``, ``A % q`` of them one dollar
more. Unit values are then integers that add up to the line exactly, and a unit already
discounted by an earlier promotion is worth what it now costs.
"""

from __future__ import annotations

from collections.abc import Sequence

from omohub.promotions.engine.money import percent, spread
from omohub.promotions.engine.result import Why
from omohub.promotions.engine.tally import Effect, Tally, Words
from omohub.promotions.engine.types import BundlePrice, BuyXGetY

#: ``(unit value, unit price, position, count)``: sorting by it is cheapest first with the
#: documented tie break (unit price, then line_no).
Run = tuple[int, int, int, int]


def runs(tally: Tally, positions: Sequence[int]) -> list[Run]:
    out: list[Run] = []
    for pos in positions:
        quantity = tally.quantities[pos]
        base, extra = divmod(tally.amounts[pos], quantity)
        out.append((base, tally.units[pos], pos, quantity - extra))
        if extra:
            out.append((base + 1, tally.units[pos], pos, extra))
    return out


def buy_x_get_y(params: BuyXGetY, tally: Tally, positions: Sequence[int]) -> Effect | None:
    cheapest_first = sorted(runs(tally, positions))
    units = sum(run[3] for run in cheapest_first)
    taken = _cheapest(cheapest_first, units // (params.buy + params.get) * params.get)
    chosen = sorted(taken)
    weights = [taken[pos][1] for pos in chosen]
    off = percent(sum(weights), params.bp)
    if not off:
        return None
    return Effect(spread(off, chosen, weights), counts=taken)


def describe_buy_x_get_y(params: BuyXGetY, effect: Effect) -> Words:
    return _per_line(effect, "buy_x_get_y", {"bp": params.bp})


def _cheapest(ordered: Sequence[Run], wanted: int) -> dict[int, tuple[int, int]]:
    """The first ``wanted`` units of ``ordered``: ``position -> (units, their value)``."""
    taken: dict[int, tuple[int, int]] = {}
    for value, _, pos, count in ordered:
        if wanted <= 0:
            break
        n = min(count, wanted)
        wanted -= n
        units, worth = taken.get(pos, (0, 0))
        taken[pos] = (units + n, worth + n * value)
    return taken


def bundle_price(params: BundlePrice, tally: Tally, positions: Sequence[int]) -> Effect | None:
    dearest_first = sorted(runs(tally, positions), key=lambda run: (-run[0], -run[1], run[2]))
    values = [value for value, _, _, count in dearest_first for _ in range(count)]
    owners = [pos for _, _, pos, count in dearest_first for _ in range(count)]
    saved, used = _bundles(values, params.size, params.price)
    if not saved:
        return None
    members = _members(values[:used], owners[:used])
    chosen = sorted(members)
    return Effect(spread(saved, chosen, [members[pos][1] for pos in chosen]), counts=members)


def describe_bundle_price(params: BundlePrice, effect: Effect) -> Words:
    return _per_line(effect, "bundle_price", {"size": params.size, "price": params.price})


def _per_line(effect: Effect, code: str, args: dict[str, int]) -> Words:
    """Each line's reason names the units it counted."""
    counts = effect.counts or {}
    notes = {pos: Why(code, {"units": units, **args}) for pos, (units, _) in counts.items()}
    return Words(Why(code, args), notes)


def _bundles(values: Sequence[int], size: int, price: int) -> tuple[int, int]:
    """Saving and units used by grouping ``values`` (dearest first) ``size`` at a time. Group
    values only fall, so the first group that would not save ends the bundling."""
    saved = used = 0
    for start in range(0, len(values) - size + 1, size):
        worth = sum(values[start : start + size])
        if worth <= price:
            break
        saved, used = saved + worth - price, start + size
    return saved, used


def _members(values: Sequence[int], owners: Sequence[int]) -> dict[int, tuple[int, int]]:
    members: dict[int, tuple[int, int]] = {}
    for value, pos in zip(values, owners, strict=True):
        units, worth = members.get(pos, (0, 0))
        members[pos] = (units + 1, worth + value)
    return members
