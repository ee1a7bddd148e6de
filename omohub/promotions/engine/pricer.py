"""Pricing a cart: apply a combination of promotions, or find the best one for the customer.

A combination is applied in :func:`~omohub.promotions.engine.stack.application_order`; each
promotion works on the amounts the earlier ones left (see ``money`` for the rounding policy).
:func:`price_cart` prices every candidate combination and keeps the largest discount (more gift
units breaking a tie, since a gift is worth something but moves no total), then the earliest
candidate: the same cart and promotions always give the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import pairwise

from omohub.promotions.engine.explain import priced
from omohub.promotions.engine.index import PromotionIndex
from omohub.promotions.engine.kinds import KINDS
from omohub.promotions.engine.result import PricedCart
from omohub.promotions.engine.stack import application_order, candidate_sets
from omohub.promotions.engine.tally import Tally
from omohub.promotions.engine.types import CartLine, Promotion, Shopper
from omohub.promotions.engine.validate import require_valid


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
    return priced(best_of(candidate_sets(p for p, _ in hits.values()), ordered, targets))


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


def best_of(
    sets: Sequence[Sequence[Promotion]], lines: Sequence[CartLine], targets: Mapping[int, Sequence[int]]
) -> Tally:
    """The best candidate's tally. Each candidate resumes from the first one's state after the
    promotions they share at the start: a (b) combination is the first one with one promotion
    slipped in, so most of it is already computed."""
    base = sets[0]
    states = _states(base, Tally(lines), targets)
    best, best_rank = states[0], (-1, -1)
    for combo in sets:
        tally = _candidate(combo, base, states, targets)
        if tally is None:
            continue
        rank = (tally.discount, tally.gift_units)
        if rank > best_rank:  # strictly: the earlier candidate wins a tie
            best, best_rank = tally, rank
    return best


def _candidate(
    combo: Sequence[Promotion],
    base: Sequence[Promotion],
    states: list[Tally],
    targets: Mapping[int, Sequence[int]],
) -> Tally | None:
    """``combo`` applied, or None when it must equal ``base``: it only slips in one promotion,
    which does nothing here (a ``best`` whose lines do not qualify), so it can only tie."""
    shared = _shared_prefix(base, combo)
    tally, rest = states[shared].copy(), combo[shared:]
    if not rest:
        return tally
    steps = len(tally.steps)
    run(rest[:1], tally, targets)
    if len(tally.steps) == steps and _same(rest[1:], base[shared:]):
        return None
    return run(rest[1:], tally, targets)


def _states(ordered: Sequence[Promotion], tally: Tally, targets: Mapping[int, Sequence[int]]) -> list[Tally]:
    """The tally before each promotion of ``ordered`` and after the last."""
    states = [tally]
    for p in ordered:
        states.append(run((p,), states[-1].copy(), targets))
    return states


def _shared_prefix(base: Sequence[Promotion], combo: Sequence[Promotion]) -> int:
    for i, (a, b) in enumerate(zip(base, combo, strict=False)):
        if a is not b:
            return i
    return min(len(base), len(combo))


def _same(a: Sequence[Promotion], b: Sequence[Promotion]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
