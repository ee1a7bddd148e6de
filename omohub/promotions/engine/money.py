"""Money arithmetic of the engine, and its one rounding policy.

Rounding policy (TWD whole dollars, integer minor units, never floats):

* Each promotion's discount is computed once, as one integer, for the whole set of lines it
  touches: a percentage is taken of the sum of those lines' current amounts and rounded
  HALF UP to a whole dollar (``percent(1005, 1000) == 101``). It is never rounded per unit or
  per line, so a shopper sees one rounding per promotion and the receipt adds up.
* That discount is then allocated across the lines in proportion to their current amounts
  (or, for unit-based kinds, to the value of the units it discounts) by the largest-remainder
  method: each piece is rounded down, the dollars left go to the largest remainders, ties to
  the lowest ``line_no``. The pieces add up exactly to the promotion's discount, and no piece
  exceeds what its line still costs.
* Fixed amounts (amount off, thresholds, bundle prices) need no rounding; they are capped at
  what the lines still cost, so no line ever goes below zero.
"""

from __future__ import annotations

from collections.abc import Sequence

from omohub.orders.rules import allocate

__all__ = ["allocate", "dollars", "largest_remainders", "percent", "percent_label", "spread"]


def percent(amount: int, bp: int) -> int:
    """``bp`` basis points of ``amount`` (≥ 0), rounded half up to a whole unit."""
    return (amount * bp + 5_000) // 10_000


def spread(amount: int, positions: Sequence[int], weights: Sequence[int]) -> list[tuple[int, int]]:
    """``amount`` allocated over ``positions`` by ``weights``: the non-zero ``(position, share)``.

    Positions come in ``line_no`` order, so :func:`allocate`'s "ties to the earliest" is "ties to
    the lowest line_no" whatever order the cart was sent in.
    """
    total = sum(weights)
    if amount == total:  # the whole of it (the usual bundle, a free unit): nothing to split
        return [(pos, weight) for pos, weight in zip(positions, weights, strict=True) if weight]
    if len(positions) == 1:
        return [(positions[0], amount)] if amount else []
    shares = largest_remainders(amount, weights, total)
    return [(pos, share) for pos, share in zip(positions, shares, strict=True) if share]


def largest_remainders(amount: int, weights: Sequence[int], total: int) -> list[int]:
    """:func:`allocate`'s shares (``0 <= amount <= total == sum(weights)``, weights not negative),
    without its checks and in one pass: the engine splits discounts for many candidate
    combinations per cart. A Hypothesis test holds the two equal."""
    shares, remainders, left = [], [], amount
    for weight in weights:
        share, remainder = divmod(amount * weight, total)
        shares.append(share)
        remainders.append(remainder)
        left -= share
    if left:
        # A stable sort, largest first: equal remainders stay earliest first.
        for i in sorted(range(len(shares)), key=remainders.__getitem__, reverse=True)[:left]:
            shares[i] += 1
    return shares


def percent_label(bp: int) -> str:
    """``1000`` → ``"10%"``, ``1250`` → ``"12.5%"``: for explanations, computed without floats."""
    whole, part = divmod(bp, 100)
    return f"{whole}%" if not part else f"{whole}.{part:02d}".rstrip("0") + "%"


def dollars(amount: int) -> str:
    return f"NT${amount:,}"
