"""Pricing a cart: apply a combination of promotions, or find the best one for the customer.

A combination is applied in :func:`~omohub.promotions.engine.stack.application_order`; each
promotion works on the amounts the earlier ones left (see ``money`` for the rounding policy).
:func:`price_cart` keeps the candidate combination with the largest discount (more gift units
breaking a tie, since a gift is worth something but moves no total), then the earliest
candidate: the same cart and promotions always give the same answer. ``winner`` finds it
without applying every candidate in full; the winner alone is applied again and explained.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import pairwise

from omohub.promotions.engine.explain import priced
from omohub.promotions.engine.index import PromotionIndex
from omohub.promotions.engine.kinds import KINDS
from omohub.promotions.engine.result import PricedCart
from omohub.promotions.engine.stack import application_order, contenders
from omohub.promotions.engine.tally import Tally
from omohub.promotions.engine.types import CartLine, Promotion, Shopper
from omohub.promotions.engine.validate import require_valid
from omohub.promotions.engine.winner import best


def price_cart(
    index: PromotionIndex,
    lines: Sequence[CartLine],
    *,
    channel: str,
    store_id: int | None,
    shopper: Shopper,
    now: datetime,
    coupon_promotion_ids: frozenset[int] = frozenset(),
    exclude: frozenset[int] = frozenset(),
) -> PricedCart:
    """The cart priced with the best combination of the promotions that apply to this sale.

    ``coupon_promotion_ids`` are the coupon promotions whose coupons the shopper presented (the
    caller checks the codes); other coupon promotions are ignored. ``now`` is compared with the
    schedules as given: pass timezone-aware UTC, like every timestamp in the hub. ``exclude``
    leaves promotions out (the caller's usage caps are spent).
    """
    ordered = in_line_order(lines)
    hits = index.match(
        ordered, channel=channel, store_id=store_id, shopper=shopper, now=now, coupon_ids=coupon_promotion_ids
    )
    hits = {pid: hit for pid, hit in hits.items() if pid not in exclude}
    targets = {pid: positions for pid, (_, positions) in hits.items()}
    tally, rest = best(contenders(p for p, _ in hits.values()), Tally(ordered), targets)
    return priced(run(rest, tally, targets))


def apply_combination(promotions: Sequence[Promotion], lines: Sequence[CartLine]) -> PricedCart:
    """``lines`` priced with exactly these promotions, whatever their stacking, schedule or
    scope: the console's "why" preview, and the yardstick of the tests."""
    ordered = in_line_order(lines)
    valid = require_valid(promotions)
    targets = {p.id: [pos for pos, line in enumerate(ordered) if p.target.matches(line)] for p in valid}
    return priced(run(application_order(valid), Tally(ordered), targets))


def in_line_order(lines: Sequence[CartLine]) -> list[CartLine]:
    """Lines by ``line_no``, which every tie break uses, so the order sent never matters."""
    ordered = sorted(lines, key=lambda line: line.line_no)
    if any(a.line_no == b.line_no for a, b in pairwise(ordered)):
        raise ValueError("line_no must be unique within a cart")
    return ordered


def run(ordered: Sequence[Promotion], tally: Tally, targets: Mapping[int, Sequence[int]]) -> Tally:
    """Applies ``ordered`` (already in application order) to ``tally``, in place."""
    for p in ordered:
        positions = targets.get(p.id)
        effect = KINDS[p.kind].apply(p.params, tally, positions) if positions else None
        if effect:
            tally.record(p, effect)
    return tally
