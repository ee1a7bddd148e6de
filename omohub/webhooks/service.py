"""Subscriptions (create, change, deactivate) and deliveries (read, redeliver)."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.db import MAX_ID
from omohub.core.events import known_topics
from omohub.webhooks import repository
from omohub.webhooks.errors import (
    BadWebhookUrl,
    DeliveryNotFound,
    NotRedeliverable,
    SubscriptionNotFound,
    UnknownTopic,
)
from omohub.webhooks.models import Delivery, Subscription

ALL_TOPICS = "*"


def subscribe(session: Session, url: str, topics: list[str], description: str = "") -> Subscription:
    """A new active subscription with a fresh signing secret (the caller shows it once)."""
    sub = Subscription(
        url=_checked_url(url),
        secret="whsec_" + secrets.token_urlsafe(32),
        topics=_checked_topics(topics),
        description=description,
        active=True,
        created_at=ctx(session).now(),
    )
    session.add(sub)
    session.flush()
    return sub


def get(session: Session, sub_id: int) -> Subscription:
    sub = session.get(Subscription, sub_id) if 0 < sub_id <= MAX_ID else None
    if sub is None:
        raise SubscriptionNotFound(f"no webhook subscription {sub_id}")
    return sub


def subscriptions(session: Session) -> list[Subscription]:
    return repository.all_subscriptions(session)


def update(
    session: Session,
    sub_id: int,
    *,
    url: str | None = None,
    topics: list[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> Subscription:
    """Change what is given; deactivating also cancels the deliveries still pending."""
    sub = get(session, sub_id)
    if url is not None:
        sub.url = _checked_url(url)
    if topics is not None:
        sub.topics = _checked_topics(topics)
    if description is not None:
        sub.description = description
    if active is not None:
        set_active(session, sub, active)
    session.flush()
    return sub


def set_active(session: Session, sub: Subscription, active: bool) -> None:
    sub.active = active
    if not active:
        repository.cancel_pending(session, sub.id)


def deliveries(
    session: Session, sub_id: int, *, status: str | None = None, limit: int = 50, before: int | None = None
) -> list[Delivery]:
    get(session, sub_id)
    return repository.deliveries(session, sub_id, status=status, limit=limit, before=before)


def delivery(session: Session, sub_id: int, delivery_id: int) -> Delivery:
    found = session.get(Delivery, delivery_id) if 0 < delivery_id <= MAX_ID else None
    if found is None or found.subscription_id != sub_id:
        raise DeliveryNotFound(f"no delivery {delivery_id} for webhook subscription {sub_id}")
    return found


def redeliver(session: Session, sub_id: int, delivery_id: int) -> Delivery:
    """Queue a finished delivery again (failed, cancelled, or delivered and lost by the
    receiver) with a fresh set of attempts; it keeps its id and envelope."""
    sub = get(session, sub_id)
    d = repository.lock_delivery(session, delivery_id) if 0 < delivery_id <= MAX_ID else None
    if d is None or d.subscription_id != sub_id:
        raise DeliveryNotFound(f"no delivery {delivery_id} for webhook subscription {sub_id}")
    if not sub.active:
        raise NotRedeliverable(f"webhook subscription {sub_id} is inactive; activate it first")
    if d.status == "pending":
        raise NotRedeliverable(f"delivery {delivery_id} is already queued (attempt {d.attempts} done)")
    _requeue(session, d)
    return d


def redeliver_failed(session: Session, sub_id: int) -> int:
    """Queue every failed delivery of a subscription again (after a receiver outage)."""
    sub = get(session, sub_id)
    if not sub.active:
        raise NotRedeliverable(f"webhook subscription {sub_id} is inactive; activate it first")
    failed = repository.deliveries(session, sub_id, status="failed", limit=10_000, before=None)
    for d in failed:
        _requeue(session, d)
    return len(failed)


def _requeue(session: Session, d: Delivery) -> None:
    d.status, d.attempts, d.next_attempt_at, d.delivered_at = "pending", 0, ctx(session).now(), None


def _checked_url(url: str) -> str:
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise BadWebhookUrl("url must be an http:// or https:// address of at most 500 characters")
    return url


def _checked_topics(topics: list[str]) -> list[str]:
    known = known_topics()
    unknown = sorted(set(topics) - set(known) - {ALL_TOPICS})
    if unknown:
        raise UnknownTopic(
            f"unknown topic(s) {', '.join(unknown)}; known: {', '.join(known)} (or {ALL_TOPICS!r} for all)",
            field="topics",
        )
    if not topics:
        raise UnknownTopic("name at least one topic", field="topics")
    return sorted(set(topics))
