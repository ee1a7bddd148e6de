"""Which promotions may apply, in what order, and which combinations compete.

Stacking: ``exclusive`` applies alone (no other promotion, no coupon); ``stackable`` combines
with every other non-exclusive promotion and coupon; ``best`` competes, at most one per cart.
The engine keeps the candidate combination best for the customer (see :func:`candidate_sets`),
so the choice never depends on how the promotions were listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from omohub.promotions.engine.kinds import KINDS
from omohub.promotions.engine.types import Promotion, Scope, Shopper


def in_schedule(promotion: Promotion, now: datetime) -> bool:
    """``starts_at <= now < ends_at``; a missing end is open."""
    starts, ends = promotion.starts_at, promotion.ends_at
    return (starts is None or starts <= now) and (ends is None or now < ends)


def in_scope(scope: Scope, channel: str, store_id: int | None, shopper: Shopper) -> bool:
    """Empty channels or stores mean every one; a store-bound promotion never applies online."""
    return (
        (not scope.channels or channel in scope.channels)
        and (not scope.stores or store_id in scope.stores)
        and in_audience(scope, shopper)
    )


def in_audience(scope: Scope, shopper: Shopper) -> bool:
    if scope.audience == "all":
        return True
    if shopper.member_id is None:
        return False
    if scope.audience == "tiers":
        return shopper.tier in scope.tiers
    if scope.audience == "birthday":
        return shopper.birthday_month
    return scope.audience == "members"


def application_order(promotions: Iterable[Promotion]) -> list[Promotion]:
    """Stage first (prices, line discounts, thresholds, gifts), then priority DESC, then id."""
    return sorted(promotions, key=lambda p: (KINDS[p.kind].stage, -p.priority, p.id))


class Contenders(NamedTuple):
    """The combinations that compete, without writing each out: ``base`` (every stackable, in
    application order); ``base`` with each of ``bests`` slipped in at its place (the index of
    ``base`` it goes before); each of ``alone`` alone. Earliest first, in that order."""

    base: tuple[Promotion, ...]
    bests: tuple[tuple[int, Promotion], ...]
    alone: tuple[Promotion, ...]

    @staticmethod
    def slipped(base: tuple[Promotion, ...], at: int, best: Promotion) -> tuple[Promotion, ...]:
        return (*base[:at], best, *base[at:])

    def sets(self) -> list[tuple[Promotion, ...]]:
        return [
            self.base,
            *(self.slipped(self.base, at, best) for at, best in self.bests),
            *((p,) for p in self.alone),
        ]


def contenders(promotions: Iterable[Promotion]) -> Contenders:
    """(a) every stackable; (b) every stackable with each ``best`` one, by id; (c) each exclusive
    alone, by id; (d) each other promotion alone, by id, which guarantees the result never loses
    to any single one."""
    ordered = application_order(promotions)
    base: list[Promotion] = []
    places: list[tuple[int, Promotion]] = []
    for p in ordered:
        if p.stacking == "stackable":
            base.append(p)
        elif p.stacking == "best":
            places.append((len(base), p))
    by_id = sorted(ordered, key=lambda p: p.id)
    exclusive = [p for p in by_id if p.stacking == "exclusive"]
    return Contenders(
        tuple(base),
        tuple(sorted(places, key=lambda place: place[1].id)),
        (*exclusive, *(p for p in by_id if p.stacking != "exclusive")),
    )


def candidate_sets(promotions: Iterable[Promotion]) -> list[tuple[Promotion, ...]]:
    """The combinations that compete, each in application order, earliest winning ties:
    (a) every stackable; (b) every stackable with each ``best`` one; (c) each exclusive alone;
    (d) each promotion alone, which guarantees the result never loses to any single one.
    A combination listed twice is kept the first time (the second could only tie)."""
    return _distinct(contenders(promotions).sets())


def _distinct(sets: Iterable[tuple[Promotion, ...]]) -> list[tuple[Promotion, ...]]:
    """Drops repeats (a lone stackable is both (a) and (d)): the same sum twice is wasted time."""
    seen: set[tuple[int, ...]] = set()
    out = []
    for combo in sets:
        ids = tuple(p.id for p in combo)
        if ids not in seen:
            seen.add(ids)
            out.append(combo)
    return out
