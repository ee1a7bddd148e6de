"""Finding the winning candidate combination without applying every candidate in full.

A candidate is ranked by its discount, then its gift units, then how early it comes; it is
explained only if it wins (the pricer applies the winner again, recording every step). The base
(every stackable) is applied once and kept step by step in a :class:`Trail`. The rest leans on
two properties of every kind (see ``kinds``, checked by a Hypothesis test):

* It reads and changes the cart only at the lines it targets. So a promotion alone is its effect
  on the cart as it came, which is the one it had in the base if no earlier promotion touched its
  lines; and the base with one ``best`` promotion slipped in resumes from the base's cart where
  the two part, follows the lines where its cart differs from the base's (``moved``) and applies
  again only the base promotions that target one of them: the others do what they did in the
  base, and once no line differs the rest of the candidate is the base's.
* It never takes off more, or gives more gift units, once the amounts and unit prices of its
  lines have fallen; and they only fall as promotions apply. So no promotion does more anywhere
  than alone on the cart as it came, and a candidate can reach at most what it has so far plus,
  for each promotion still to apply, that much. A candidate whose bound cannot beat the best so
  far is not priced further: it could only lose, or tie and come later. The ``best`` candidates
  are tried from the highest bound down, so the likely winner is priced first.

The answer is the one pricing every candidate in full gives, which a Hypothesis test checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from omohub.promotions.engine.kinds import KINDS
from omohub.promotions.engine.stack import Contenders
from omohub.promotions.engine.tally import Effect, Tally
from omohub.promotions.engine.types import Promotion

Combo = tuple[Promotion, ...]
Rank = tuple[int, int]
#: A candidate's rank and place, ``(discount, gift units, -index)``: the largest key wins.
Key = tuple[int, int, int]
Targets = Mapping[int, Sequence[int]]


class Trail(NamedTuple):
    """The base combination applied: the tally before each promotion and after the last, what
    each did (None: nothing), the lines each targets and the lines changed before it (as bits:
    bit ``pos`` for the line at ``pos``), and how much more the promotions from each step on
    could take off and give than they did (see :func:`best`)."""

    base: Combo
    states: list[Tally]
    effects: list[Effect | None]
    reach: list[int]
    touched: list[int]
    slack: list[Rank]


def best(contenders: Contenders, tally: Tally, targets: Targets) -> tuple[Tally, Combo]:
    """The winning combination: the largest (discount, gift units), the earliest on a tie (see
    :class:`Contenders` for the order). ``tally`` is the cart before any promotion. Returned as
    the winner's tally after the promotions it shares with the base (recorded), and the
    promotions it has left to apply: the winner is applied again to be explained.
    """
    base, bests = contenders.base, contenders.bests
    alone: dict[int, Rank] = {}
    trail = follow(base, tally, targets, alone)
    for p in (*(extra for _, extra in bests), *contenders.alone):
        if p.id not in alone:
            alone[p.id] = _effect_rank(_effect(p, tally, targets))
    final = trail.states[-1]
    winner: tuple[int, Combo] = (len(base), ())
    top = (final.discount, final.gift_units, 0)  # 0: the base comes first
    for bound, at, extra in sorted(_bounds(bests, trail, alone), reverse=True):
        if bound <= top:
            break  # nor can any after it
        effect = _effect(extra, trail.states[at], targets)
        rank = _slipped_in(effect, at, trail, targets, top, bound[2]) if effect else None
        if rank and rank > top:
            winner, top = (at, (extra, *base[at:])), rank
    for i, p in enumerate(contenders.alone, start=len(bests) + 1):
        rank = (*alone[p.id], -i)
        if rank > top:
            winner, top = (0, (p,)), rank
    return _resumed(trail, winner[0]), winner[1]


def _resumed(trail: Trail, at: int) -> Tally:
    """The base's tally before ``base[at]``, with the steps before it recorded."""
    tally = trail.states[at].copy()
    tally.steps = [
        (p, effect) for p, effect in zip(trail.base[:at], trail.effects[:at], strict=True) if effect
    ]
    return tally


def _bounds(
    bests: Sequence[tuple[int, Promotion]], trail: Trail, alone: Mapping[int, Rank]
) -> list[tuple[Key, int, Promotion]]:
    """The most each base-plus-a-best candidate could reach, as a key (see :data:`Key`)."""
    final = trail.states[-1]
    out = []
    for i, (at, extra) in enumerate(bests, start=1):
        most, rest = alone[extra.id], trail.slack[at]
        out.append(
            ((final.discount + most[0] + rest[0], final.gift_units + most[1] + rest[1], -i), at, extra)
        )
    return out


def follow(base: Combo, tally: Tally, targets: Targets, alone: dict[int, Rank]) -> Trail:
    """The base applied step by step; what each of its promotions does alone goes into ``alone``
    (what it did in the base when nothing had touched its lines before it)."""
    states, effects, touched = [tally], [], [0]
    for p in base:
        effect = _effect(p, states[-1], targets)
        after = states[-1].copy()
        if effect:
            after.take(effect)
        states.append(after)
        effects.append(effect)
        touched.append(touched[-1] | _changes(effect))
    reach = [_bits(targets.get(p.id, ())) for p in base]
    slack = [(0, 0)]
    for step in reversed(range(len(base))):
        p, did = base[step], _effect_rank(effects[step])
        most = _effect_rank(_effect(p, tally, targets)) if reach[step] & touched[step] else did
        alone[p.id] = most
        slack.append((slack[-1][0] + most[0] - did[0], slack[-1][1] + most[1] - did[1]))
    return Trail(base, states, effects, reach, touched, slack[::-1])


def _slipped_in(effect: Effect, at: int, trail: Trail, targets: Targets, top: Key, place: int) -> Key | None:
    """The base with a promotion that did ``effect`` slipped in just before ``base[at]``, as the
    key of the candidate at ``place`` (see :data:`Key`); or None once it cannot beat ``top``.

    ``moved`` (bits) are the lines where the candidate's cart differs from the base's at the same
    step; the candidate's cart there is ``tally``'s. A base promotion none of whose lines moved
    does what it did in the base; the others are applied again, to the base's cart with the
    moved lines put in. ``gained`` and ``given`` are how much more the candidate took off and
    gave in gift units than the base, so far.
    """
    states, reach, slack = trail.states, trail.reach, trail.slack
    final = states[-1]
    tally = states[at].copy()
    tally.take(effect)
    gained, given = tally.discount - states[at].discount, tally.gift_units - states[at].gift_units
    moved = _changes(effect)
    step, last = at, len(reach)
    while moved:
        while step < last and not reach[step] & moved:
            step += 1
        if step == last:
            break
        rest = slack[step]
        if (final.discount + gained + rest[0], final.gift_units + given + rest[1], place) <= top:
            return None
        tally = _overlaid(states[step], tally, moved)
        now = _effect(trail.base[step], tally, targets)
        if now:
            tally.take(now)
        after = states[step + 1]
        gained += tally.discount - after.discount
        given += tally.gift_units - after.gift_units
        moved = moved & ~reach[step] | _differ(tally, after, targets[trail.base[step].id])
        step += 1
    return final.discount + gained, final.gift_units + given, place


def _overlaid(base: Tally, tally: Tally, moved: int) -> Tally:
    """``base`` with ``tally``'s ``moved`` lines; what was taken off and given is ``base``'s."""
    out = base.copy()
    amounts, units, now_amounts, now_units = out.amounts, out.units, tally.amounts, tally.units
    while moved:
        low = moved & -moved
        pos = low.bit_length() - 1
        amounts[pos], units[pos] = now_amounts[pos], now_units[pos]
        moved ^= low
    return out


def _differ(tally: Tally, base: Tally, positions: Sequence[int]) -> int:
    """Which of ``positions`` differ between ``tally`` and ``base``, as bits."""
    amounts, units, base_amounts, base_units = tally.amounts, tally.units, base.amounts, base.units
    bits = 0
    for pos in positions:
        if amounts[pos] != base_amounts[pos] or units[pos] != base_units[pos]:
            bits |= 1 << pos
    return bits


def _changes(effect: Effect | None) -> int:
    """The lines ``effect`` changes (every share is positive, every unit price a new one)."""
    if not effect:
        return 0
    return _bits(pos for pos, _ in effect.shares) | _bits(pos for pos, _ in effect.unit_prices)


def _effect(p: Promotion, tally: Tally, targets: Targets) -> Effect | None:
    positions = targets.get(p.id)
    return KINDS[p.kind].apply(p.params, tally, positions) if positions else None


def _effect_rank(effect: Effect | None) -> Rank:
    """The rank of ``effect`` on the cart as it came: of its promotion alone."""
    if not effect:
        return 0, 0
    return sum(share for _, share in effect.shares), effect.gift[1] if effect.gift else 0


def _bits(positions: Iterable[int]) -> int:
    bits = 0
    for pos in positions:
        bits |= 1 << pos
    return bits
