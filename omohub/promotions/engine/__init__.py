"""The promotion and pricing engine: pure, deterministic cart pricing shared by the POS and the
web shop (issue #3). No database, no I/O: the caller loads promotions, builds a
:class:`PromotionIndex` once, and prices carts against it.

Publishes :func:`price_cart` (best combination for the customer), :func:`apply_combination`
(exactly the given promotions, for previews), :func:`check_promotion` and :func:`conflicts`
(validation before a promotion is saved), :func:`in_schedule` and :func:`in_audience` (why a
promotion does not apply, for the console's preview), and the input and output dataclasses.
Money is integer TWD dollars, percentages basis points; the rounding policy is in
:mod:`omohub.promotions.engine.money`.
"""

from omohub.promotions.engine.index import PromotionIndex
from omohub.promotions.engine.kinds import KINDS
from omohub.promotions.engine.pricer import apply_combination, price_cart
from omohub.promotions.engine.result import Adjustment, Applied, Gift, PricedCart, PricedLine, Why
from omohub.promotions.engine.stack import candidate_sets, in_audience, in_schedule
from omohub.promotions.engine.types import (
    AmountOff,
    BundlePrice,
    BuyXGetY,
    CartLine,
    GiftWithPurchase,
    Params,
    PercentOff,
    PriceOverride,
    Promotion,
    Scope,
    Shopper,
    Target,
    Threshold,
    ThresholdStep,
)
from omohub.promotions.engine.validate import check_promotion, conflicts

__all__ = [
    "KINDS",
    "Adjustment",
    "AmountOff",
    "Applied",
    "BundlePrice",
    "BuyXGetY",
    "CartLine",
    "Gift",
    "GiftWithPurchase",
    "Params",
    "PercentOff",
    "PriceOverride",
    "PricedCart",
    "PricedLine",
    "Promotion",
    "PromotionIndex",
    "Scope",
    "Shopper",
    "Target",
    "Threshold",
    "ThresholdStep",
    "Why",
    "apply_combination",
    "candidate_sets",
    "check_promotion",
    "conflicts",
    "in_audience",
    "in_schedule",
    "price_cart",
]
