"""What is wrong with a promotion before it is saved: bad parameters, and exclusives that clash.

Messages are plain sentences for the console and the API's 422 body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import pairwise
from typing import Any

from omohub.promotions.engine.types import (
    AUDIENCES,
    STACKINGS,
    AmountOff,
    BundlePrice,
    BuyXGetY,
    GiftWithPurchase,
    PercentOff,
    PriceOverride,
    Promotion,
    Scope,
    Target,
    Threshold,
    ThresholdStep,
)


def check_promotion(p: Promotion) -> list[str]:
    """Every problem of ``p``; an empty list means the engine can price with it."""
    problems = _check_common(p)
    check = _PARAM_CHECKS.get(type(p.params))
    return problems + (check(p.params) if check else [f"unknown kind {p.kind!r}"])


def _check_common(p: Promotion) -> list[str]:
    problems = []
    if p.stacking not in STACKINGS:
        problems.append(f"stacking must be one of {', '.join(STACKINGS)}")
    if p.scope.audience not in AUDIENCES:
        problems.append(f"audience must be one of {', '.join(AUDIENCES)}")
    if p.scope.audience == "tiers" and not p.scope.tiers:
        problems.append("a tier audience needs at least one tier")
    if p.target.empty:
        problems.append("the target is empty: name SKUs, products or categories, or the whole cart")
    if p.starts_at and p.ends_at and p.ends_at <= p.starts_at:
        problems.append("ends_at must be after starts_at")
    return problems


def _bp(bp: int, what: str = "bp") -> list[str]:
    return [] if 1 <= bp <= 10_000 else [f"{what} {bp} outside 1..10000 basis points"]


def _positive(value: int, what: str) -> list[str]:
    return [] if value > 0 else [f"{what} must be positive, not {value}"]


def _check_threshold(params: Threshold) -> list[str]:
    spends = [step.min_spend for step in params.steps]
    problems = [] if spends else ["a threshold needs at least one step"]
    if any(later <= earlier for earlier, later in pairwise(spends)):
        problems.append("threshold steps must have strictly increasing min_spend")
    if params.repeat and any(step.bp for step in params.steps):
        problems.append("a repeating threshold takes amounts off, not percentages")
    return problems + [problem for step in params.steps for problem in _check_step(step)]


def _check_step(step: ThresholdStep) -> list[str]:
    problems = _positive(step.min_spend, "a step's min_spend")
    if bool(step.amount_off) == bool(step.bp):
        problems.append(f"the step at {step.min_spend} needs exactly one of amount_off and bp")
    return problems + (_bp(step.bp) if step.bp else _positive(step.amount_off, "a step's amount_off"))


def _check_override(params: PriceOverride) -> list[str]:
    prices = [*params.prices.values(), *([] if params.price is None else [params.price])]
    problems = [] if prices else ["a price override needs prices per SKU or one price"]
    return problems + [f"override price {price} is negative" for price in prices if price < 0]


_PARAM_CHECKS: dict[type, Callable[[Any], list[str]]] = {
    PercentOff: lambda p: _bp(p.bp),
    AmountOff: lambda p: _positive(p.amount, "amount"),
    Threshold: _check_threshold,
    BuyXGetY: lambda p: _positive(p.buy, "buy") + _positive(p.get, "get") + _bp(p.bp),
    BundlePrice: lambda p: (
        ([] if p.size >= 2 else [f"bundle size {p.size} is below 2"]) + _positive(p.price, "bundle price")
    ),
    PriceOverride: _check_override,
    GiftWithPurchase: lambda p: (
        (["min_spend must not be negative"] if p.min_spend < 0 else [])
        + _positive(p.quantity, "gift quantity")
    ),
}


def require_valid(promotions: Iterable[Promotion]) -> list[Promotion]:
    """``promotions`` as a list, or ``ValueError`` naming the first bad one or a repeated id."""
    listed, seen = list(promotions), set()
    for p in listed:
        problems = check_promotion(p) + (["its id is repeated"] if p.id in seen else [])
        if problems:
            raise ValueError(f"promotion {p.id} ({p.name}): {'; '.join(problems)}")
        seen.add(p.id)
    return listed


def conflicts(new: Promotion, existing: Iterable[Promotion]) -> list[str]:
    """Exclusive promotions the engine could only split by id: same priority, and overlapping
    schedule, scope and target. Only targets naming the same SKU, product or category (or the
    whole cart) overlap here: which SKUs a category holds is the catalog's to say."""
    return [
        f"conflicts with promotion {other.id} ({other.name}): both exclusive at priority "
        f"{new.priority} with overlapping schedule, channels, stores, audience and target"
        for other in existing
        if other.id != new.id and _clash(new, other)
    ]


def _clash(a: Promotion, b: Promotion) -> bool:
    return (
        a.stacking == b.stacking == "exclusive"
        and a.priority == b.priority
        and _periods_overlap(a.starts_at, a.ends_at, b.starts_at, b.ends_at)
        and _scopes_overlap(a.scope, b.scope)
        and _targets_overlap(a.target, b.target)
    )


def _periods_overlap(
    start_a: datetime | None, end_a: datetime | None, start_b: datetime | None, end_b: datetime | None
) -> bool:
    a_before_b_ends = start_a is None or end_b is None or start_a < end_b
    return a_before_b_ends and (start_b is None or end_a is None or start_b < end_a)


def _meet(a: frozenset[Any], b: frozenset[Any]) -> bool:
    """Empty means all."""
    return not a or not b or bool(a & b)


def _scopes_overlap(a: Scope, b: Scope) -> bool:
    return _meet(a.channels, b.channels) and _meet(a.stores, b.stores) and _audiences_overlap(a, b)


def _audiences_overlap(a: Scope, b: Scope) -> bool:
    # Any member may be in a tier and in their birthday month at once; only two tier
    # audiences can be told apart for sure.
    if a.audience == b.audience == "tiers":
        return bool(a.tiers & b.tiers)
    return True


def _targets_overlap(a: Target, b: Target) -> bool:
    return (
        a.all
        or b.all
        or bool(a.skus & b.skus)
        or bool(a.products & b.products)
        or bool(a.categories & b.categories)
    )
