"""Subscriptions: create, list, deactivate."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.errors import Invalid, NotFound
from omohub.core.events import known_topics
from omohub.webhooks.models import Delivery, Subscription


def subscribe(session: Session, url: str, topics: list[str], description: str = "") -> Subscription:
    known = known_topics()
    unknown = sorted(set(topics) - set(known) - {"*"})
    if unknown:
        raise Invalid(f"unknown topic(s) {', '.join(unknown)}; known: {', '.join(known)}", field="topics")
    if not url.startswith(("http://", "https://")):
        raise Invalid("url must be http:// or https://", field="url")
    sub = Subscription(
        url=url,
        secret="whsec_" + secrets.token_urlsafe(24),
        topics=sorted(set(topics)),
        description=description,
        active=True,
        created_at=ctx(session).now(),
    )
    session.add(sub)
    session.flush()
    return sub


def subscriptions(session: Session) -> list[Subscription]:
    return list(session.scalars(select(Subscription).order_by(Subscription.id)))


def set_active(session: Session, sub_id: int, active: bool) -> Subscription:
    sub = session.get(Subscription, sub_id)
    if sub is None:
        raise NotFound(f"no webhook subscription {sub_id}")
    sub.active = active
    return sub


def recent_deliveries(session: Session, limit: int = 50) -> list[Delivery]:
    return list(session.scalars(select(Delivery).order_by(Delivery.id.desc()).limit(limit)))
