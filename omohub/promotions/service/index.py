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
_cache: dict[str, tuple[object, e.PromotionIndex]] = {}


def pricing_index(session: Session) -> e.PromotionIndex:
    key = str(session.get_bind().engine.url)
    version = repo.version(session)
    hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    index = e.PromotionIndex.build(convert.to_engine(p) for p in repo.active(session))
    with _lock:
        _cache[key] = (version, index)
    return index
