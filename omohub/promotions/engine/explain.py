"""Turns the winning combination's tally into the priced cart, explained line by line.

Only the winner is explained: putting every candidate combination into words and dataclasses
would cost more than pricing them.
"""

from __future__ import annotations

from omohub.promotions.engine.kinds import KINDS
from omohub.promotions.engine.money import dollars, percent_label
from omohub.promotions.engine.result import Adjustment, Applied, Gift, PricedCart, PricedLine, Why
from omohub.promotions.engine.tally import Tally
from omohub.promotions.engine.types import CartLine


def priced(tally: Tally) -> PricedCart:
    notes: list[list[Adjustment]] = [[] for _ in tally.lines]
    applied, gifts = [], []
    for p, effect in tally.steps:
        words = KINDS[p.kind].describe(p.params, effect)
        amount = sum(share for _, share in effect.shares)
        applied.append(Applied(p.id, p.name, p.kind, amount, p.coupon))
        for pos, share in effect.shares:
            why = words.note(pos)
            notes[pos].append(Adjustment(p.id, p.name, share, english(why), why))
        if effect.gift:
            gifts.append(
                Gift(p.id, p.name, effect.gift[0], effect.gift[1], english(words.reason), words.reason)
            )
    lines = tuple(_line(line, tally, pos, notes[pos]) for pos, line in enumerate(tally.lines))
    subtotal = sum(line.list_amount for line in lines)
    return PricedCart(
        lines, tuple(applied), tuple(gifts), subtotal, tally.discount, subtotal - tally.discount
    )


def _line(line: CartLine, tally: Tally, pos: int, notes: list[Adjustment]) -> PricedLine:
    list_amount = line.unit_price * line.quantity
    total = tally.amounts[pos]
    return PricedLine(
        line_no=line.line_no,
        sku_id=line.sku_id,
        quantity=line.quantity,
        unit_price=tally.units[pos],
        list_amount=list_amount,
        discount=list_amount - total,
        total=total,
        explanation=tuple(notes),
    )


#: The sentence of each code, in English (the API's ``reason``); ``{units}`` counts units.
ENGLISH = {
    "price_override": "price_override: unit price {was} → {price}",
    "percent_off": "percent_off: {bp} off",
    "amount_off": "amount_off: {off} off the targeted lines, shared by their amounts",
    "threshold": "threshold: spent {spend}, reached {times}{min_spend}, {off} off",
    "buy_x_get_y": "buy_x_get_y: {units} at {bp} off",
    "bundle_price": "bundle_price: {units} in bundles of {size} for {price}",
    "gift": "gift: spent {spend}, reached {min_spend}, {quantity} × SKU {sku_id} free",
}
MONEY = frozenset({"spend", "min_spend", "off", "price", "was"})


def english(why: Why) -> str:
    """``why`` as the engine's English sentence (money as ``NT$1,000``, percentages as ``10%``)."""
    args: dict[str, str] = {}
    for name, value in why.args.items():
        if name in MONEY:
            args[name] = dollars(value)
        elif name == "bp":
            args[name] = percent_label(value)
        elif name == "units":
            args[name] = f"{value} unit" if value == 1 else f"{value} units"
        elif name == "times":
            args[name] = f"{value} × " if value else ""
        else:
            args[name] = str(value)
    return ENGLISH[why.code].format(**args) if why.args else why.code
