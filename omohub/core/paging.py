"""Keyset pages: lists are ordered by a unique code and resumed after the last one seen.

Offsets get slower the deeper a client pages through a large catalog; ``after=<code>``
stays an index range scan however far it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")
S = TypeVar("S")


class Page(BaseModel, Generic[T]):
    """One page in code order; pass ``next_after`` as ``after`` to get the next one."""

    items: list[T]
    next_after: str | None = Field(description="The last code of this page, or null at the end")


def page_of(found: Sequence[S], limit: int, out: Callable[[S], T], code: Callable[[T], str]) -> Page[T]:
    """``found`` holds up to ``limit + 1`` rows: one more than a page says there is a next one."""
    items = [out(row) for row in found[:limit]]
    more = len(found) > limit and bool(items)
    return Page[T](items=items, next_after=code(items[-1]) if more else None)
