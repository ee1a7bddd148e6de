"""Pure order arithmetic: discount allocation, refunds per unit, status, request fingerprints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

#: Taiwan's tender types. EasyCard (悠遊卡) and iPASS (一卡通) are separate stored-value cards.
TENDERS = (
    "cash",
    "credit_card",
    "line_pay",
    "jkopay",
    "px_pay",
    "easycard",
    "ipass",
    "gift_card",
    "points",
    "coupon",
)

#: The largest amount an order records: its money columns are 32-bit integers on PostgreSQL
#: (NT$2,147,483,647 is far beyond any one sale). Every other amount of an order is at most this.
MAX_AMOUNT = 2**31 - 1


def has_nul(value: object) -> bool:
    """Whether a string anywhere in ``value`` holds NUL, which PostgreSQL text cannot store."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split ``amount`` across ``weights`` in proportion, exactly, in whole units.

    Largest-remainder (Hamilton) method (:func:`split`). No share exceeds its weight, because
    ``amount <= sum(weights)`` is required here, and the shares always add up to ``amount``.
    """
    total = sum(weights)
    if amount < 0 or any(w < 0 for w in weights):
        raise ValueError("amount and weights must not be negative")
    if amount > total:
        raise ValueError(f"cannot allocate {amount} over weights summing to {total}")
    return split(amount, weights)


def split(amount: int, weights: Sequence[int]) -> list[int]:
    """``amount`` in proportion to ``weights``, exactly: each share is first rounded down; the
    units left over go one each to the shares with the largest remainders, ties to the earliest.

    Unlike :func:`allocate`, ``amount`` may exceed the weights (points earned on a purchase).
    """
    if amount == 0:
        return [0] * len(weights)
    total = sum(weights)
    shares = [amount * w // total for w in weights]
    remainders = [amount * w % total for w in weights]
    left = amount - sum(shares)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[i] += 1
    return shares


def refunded_after(line_total: int, quantity: int, returned: int) -> int:
    """How much of a line is refunded once ``returned`` of its ``quantity`` units are back.

    ``floor(line_total * returned / quantity)``: every unit refunds the same rounded-down
    amount and the last unit gets the remainder, so all refunds of a line add up to exactly
    what was paid for it, however the units are split across returns.
    """
    if not 0 <= returned <= quantity:
        raise ValueError(f"returned {returned} outside 0..{quantity}")
    return line_total * returned // quantity


def refund_for(line_total: int, quantity: int, returned_before: int, units: int) -> int:
    """The refund of ``units`` more units of a line (see :func:`refunded_after`)."""
    return refunded_after(line_total, quantity, returned_before + units) - refunded_after(
        line_total, quantity, returned_before
    )


def status_after(quantities: Sequence[tuple[int, int]]) -> str:
    """Order status from ``(quantity, returned_quantity)`` of every line."""
    if all(returned == 0 for _, returned in quantities):
        return "completed"
    if all(returned >= quantity for quantity, returned in quantities):
        return "refunded"
    return "partially_refunded"


def fingerprint(body: dict[str, Any]) -> str:
    """SHA-256 of a request body in canonical JSON: equal bodies, equal fingerprints."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
