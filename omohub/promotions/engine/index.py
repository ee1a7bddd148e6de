"""An index of promotions by what they target, built once and shared by every pricing call.

Pricing looks up only the promotions keyed by the cart's SKUs, products and categories, plus
the whole-cart ones, and only then runs the (cheap) schedule, scope and coupon filters: a
20-line cart against hundreds of active promotions touches a few dozen of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from omohub.promotions.engine.stack import in_schedule, in_scope
from omohub.promotions.engine.types import CartLine, Promotion, Shopper
from omohub.promotions.engine.validate import require_valid

Keyed = Mapping[object, tuple[Promotion, ...]]


@dataclass(frozen=True)
class PromotionIndex:
    by_sku: Keyed
    by_product: Keyed
    by_category: Keyed
    whole_cart: tuple[Promotion, ...]

    @classmethod
    def build(cls, promotions: Iterable[Promotion]) -> PromotionIndex:
        """Raises ``ValueError`` on an invalid promotion or a repeated id: a bad rule must
        fail when it is loaded, not price carts wrongly."""
        listed = require_valid(promotions)
        return cls(
            by_sku=_keyed((sku, p) for p in listed for sku in p.target.skus),
            by_product=_keyed((product, p) for p in listed for product in p.target.products),
            by_category=_keyed((category, p) for p in listed for category in p.target.categories),
            whole_cart=tuple(p for p in listed if p.target.all),
        )

    def touching(self, lines: Sequence[CartLine]) -> dict[int, tuple[Promotion, list[int]]]:
        """Promotion id → the promotion and the positions of the lines it targets, in order."""
        found: dict[int, tuple[Promotion, list[int]]] = {}
        for pos, line in enumerate(lines):
            keyed = chain(
                self.by_sku.get(line.sku_id, ()),
                self.by_product.get(line.product_id, ()),
                self.by_category.get(line.category, ()),
            )
            for p in keyed:
                got = found.setdefault(p.id, (p, []))[1]
                if not got or got[-1] != pos:  # listed under two of the line's keys
                    got.append(pos)
        everything = list(range(len(lines)))
        found.update((p.id, (p, everything)) for p in self.whole_cart)
        return found

    def match(
        self,
        lines: Sequence[CartLine],
        *,
        channel: str,
        store_id: int | None,
        shopper: Shopper,
        now: datetime,
        coupon_ids: frozenset[int] = frozenset(),
    ) -> dict[int, tuple[Promotion, list[int]]]:
        """:meth:`touching`, keeping the promotions that apply to this sale now."""
        return {
            pid: (p, positions)
            for pid, (p, positions) in self.touching(lines).items()
            if positions
            and (not p.coupon or pid in coupon_ids)
            and in_schedule(p, now)
            and in_scope(p.scope, channel, store_id, shopper)
        }

    def candidates(
        self,
        lines: Sequence[CartLine],
        channel: str,
        store_id: int | None,
        shopper: Shopper,
        now: datetime,
        coupon_ids: frozenset[int] = frozenset(),
    ) -> list[Promotion]:
        """The promotions eligible for this cart, by id. ``lines`` may come in any order."""
        hits = self.match(
            lines, channel=channel, store_id=store_id, shopper=shopper, now=now, coupon_ids=coupon_ids
        )
        return [p for _, (p, _) in sorted(hits.items())]


def _keyed(pairs: Iterable[tuple[object, Promotion]]) -> dict[object, tuple[Promotion, ...]]:
    keyed: dict[object, list[Promotion]] = {}
    for key, p in pairs:
        keyed.setdefault(key, []).append(p)
    return {key: tuple(ps) for key, ps in keyed.items()}
