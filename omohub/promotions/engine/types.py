"""The engine's inputs: cart lines, the shopper, and promotions with their kind's parameters.

Money is integer minor units (TWD whole dollars); percentages are integer basis points
(10% = 1000). Everything is frozen: one cart is priced against many combinations of the same
promotions, and none of them may change what the next one sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

STACKINGS = ("exclusive", "stackable", "best")
#: ``birthday`` is members in their birthday month: the one audience that needs no coupon.
AUDIENCES = ("all", "members", "tiers", "birthday")


@dataclass(frozen=True)
class CartLine:
    """One line of a cart; ``unit_price`` is the list price or the price the POS sent."""

    line_no: int
    sku_id: int
    product_id: int
    category: str
    unit_price: int
    quantity: int

    def __post_init__(self) -> None:
        if self.unit_price < 0:
            raise ValueError(f"line {self.line_no}: unit_price {self.unit_price} is negative")
        if self.quantity < 1:
            raise ValueError(f"line {self.line_no}: quantity {self.quantity} is below 1")


@dataclass(frozen=True)
class Shopper:
    """Who is buying; ``member_id`` None is a walk-in or guest."""

    member_id: int | None
    tier: str | None
    birthday_month: bool = False


@dataclass(frozen=True)
class Scope:
    """Where and for whom a promotion runs. Empty channels or stores mean all of them: a
    promotion is omnichannel unless someone narrows it on purpose."""

    channels: frozenset[str] = frozenset()
    stores: frozenset[int] = frozenset()
    audience: str = "all"
    tiers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Target:
    """Which lines a promotion looks at: all of them, or those whose SKU, product or category
    is listed."""

    all: bool = False
    skus: frozenset[int] = frozenset()
    products: frozenset[int] = frozenset()
    categories: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.all or self.skus or self.products or self.categories)

    def matches(self, line: CartLine) -> bool:
        return (
            self.all
            or line.sku_id in self.skus
            or line.product_id in self.products
            or line.category in self.categories
        )


@dataclass(frozen=True)
class PercentOff:
    kind: ClassVar[str] = "percent_off"
    bp: int


@dataclass(frozen=True)
class AmountOff:
    kind: ClassVar[str] = "amount_off"
    amount: int


@dataclass(frozen=True)
class ThresholdStep:
    """Spend at least ``min_spend``, get ``amount_off`` dollars or ``bp`` off (one of them)."""

    min_spend: int
    amount_off: int = 0
    bp: int = 0


@dataclass(frozen=True)
class Threshold:
    """滿額折: the best step reached wins; ``repeat`` makes it 每滿 (per whole ``min_spend``)."""

    kind: ClassVar[str] = "threshold"
    steps: tuple[ThresholdStep, ...]
    repeat: bool = False


@dataclass(frozen=True)
class BuyXGetY:
    """For every ``buy + get`` targeted units, the ``get`` cheapest are ``bp`` off."""

    kind: ClassVar[str] = "buy_x_get_y"
    buy: int
    get: int
    bp: int


@dataclass(frozen=True)
class BundlePrice:
    """Every ``size`` targeted units sell for ``price`` together (任選3件999)."""

    kind: ClassVar[str] = "bundle_price"
    size: int
    price: int


@dataclass(frozen=True)
class PriceOverride:
    """Tier or member price: a unit price per SKU (``prices``) or one for every targeted line."""

    kind: ClassVar[str] = "price_override"
    prices: Mapping[int, int] = field(default_factory=dict, hash=False)
    price: int | None = None

    def price_for(self, sku_id: int) -> int | None:
        return self.prices.get(sku_id, self.price)


@dataclass(frozen=True)
class GiftWithPurchase:
    """滿額贈: reaching ``min_spend`` on the targeted lines adds a free gift line."""

    kind: ClassVar[str] = "gift"
    min_spend: int
    gift_sku_id: int
    quantity: int = 1


Params = PercentOff | AmountOff | Threshold | BuyXGetY | BundlePrice | PriceOverride | GiftWithPurchase


@dataclass(frozen=True, kw_only=True)
class Promotion:
    """One promotion. ``coupon`` ones apply only when the shopper presents their coupon;
    ``stacking`` is ``exclusive`` (alone), ``stackable`` (with everything not exclusive) or
    ``best`` (at most one per cart, the engine picks the best for the customer)."""

    id: int
    name: str
    kind: str
    params: Params
    target: Target
    priority: int = 0
    stacking: str = "stackable"
    scope: Scope = Scope()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    coupon: bool = False

    def __post_init__(self) -> None:
        # The kind is stored and shown; the parameters decide the arithmetic. They must agree.
        if self.params.kind != self.kind:
            raise ValueError(f"promotion {self.id}: kind {self.kind!r} with {self.params.kind} parameters")
