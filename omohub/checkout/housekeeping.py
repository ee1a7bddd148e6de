"""Quotes that lapsed unused, and the coupon reservations they held, are deleted after a while.

A lapsed quote reserves nothing any more (reservations count only until ``expires_at``), so
this is only about not growing forever; used quotes stay with their orders.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from omohub.checkout.models import Quote
from omohub.core.context import ctx
from omohub.promotions.models import CouponUse

KEEP = dt.timedelta(days=7)


def prune_lapsed(session: Session, limit: int = 5000) -> int:
    """Delete up to ``limit`` quotes that expired unused a week ago, with their reservations."""
    cutoff = ctx(session).now() - KEEP
    old = list(
        session.scalars(
            select(Quote.id)
            .where(Quote.status == "open", Quote.expires_at < cutoff)
            .order_by(Quote.id)
            .limit(limit)
        )
    )
    if not old:
        return 0
    session.execute(delete(CouponUse).where(CouponUse.quote_id.in_(old), CouponUse.status == "reserved"))
    session.execute(delete(Quote).where(Quote.id.in_(old)))
    return len(old)
