"""Turns the winning combination's tally into the priced cart, explained line by line.

Only the winner is explained: putting every candidate combination into words and dataclasses
would cost more than pricing them.
"""

from __future__ import annotations

from omohub.promotions.engine.kinds import KINDS
from omohub.promotions.engine.result import Adjustment, Applied, Gift, PricedCart, PricedLine
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
            notes[pos].append(Adjustment(p.id, p.name, share, words.note(pos)))
        if effect.gift:
            gifts.append(Gift(p.id, p.name, effect.gift[0], effect.gift[1], words.reason))
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
