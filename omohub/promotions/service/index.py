"""The pricing index, built once per change of the promotions and shared by every request.

The hot path asks one cheap question per cart (has anything changed? — the ``promotions``
token of ``core.versions``, read with every other token in one statement) instead of loading
and converting every promotion: with 200 promotions that is the difference between ~0.1 ms and
several milliseconds.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from omohub.core import versions
from omohub.promotions import convert
from omohub.promotions import engine as e
from omohub.promotions import repository as repo

Built = tuple[e.PromotionIndex, frozenset[int]]


def _build(session: Session) -> Built:
    rows = repo.active(session)
    index = e.PromotionIndex.build(convert.to_engine(p) for p in rows)
    capped = frozenset(p.id for p in rows if p.max_uses or p.max_uses_per_member or p.budget)
    return index, capped


_index = versions.Versioned(versions.PROMOTIONS, _build)


def pricing_index(session: Session) -> Built:
    """The index, and the ids of promotions with caps or budgets (only those need a fresh read)."""
    return _index.get(session)
