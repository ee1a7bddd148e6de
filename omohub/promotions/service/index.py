"""The pricing index, built once per change of the promotions and shared by every request.

The hot path asks one cheap question per cart (has anything changed?) instead of loading and
converting every promotion: with 200 promotions that is the difference between ~0.1 ms and
several milliseconds.
"""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from omohub.promotions import convert
from omohub.promotions import engine as e
from omohub.promotions import repository as repo

_lock = threading.Lock()
_cache: dict[str, tuple[object, e.PromotionIndex, frozenset[int]]] = {}


def pricing_index(session: Session) -> tuple[e.PromotionIndex, frozenset[int]]:
    """The index, and the ids of promotions with caps or budgets (only those need a fresh read)."""
    key = str(session.get_bind().engine.url)
    version = repo.version(session)
    hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1], hit[2]
    rows = repo.active(session)
    index = e.PromotionIndex.build(convert.to_engine(p) for p in rows)
    capped = frozenset(p.id for p in rows if p.max_uses or p.max_uses_per_member or p.budget)
    with _lock:
        _cache[key] = (version, index, capped)
    return index, capped
