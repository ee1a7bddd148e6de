"""Outbox handler (fan-out to subscriptions) and the delivery loop the worker runs."""

from __future__ import annotations

import logging
import time

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from omohub.core.context import ctx
from omohub.core.db import unit_of_work
from omohub.core.outbox import OutboxMessage
from omohub.webhooks.models import Delivery, Subscription
from omohub.webhooks.rules import SIGNATURE_HEADER, backoff, sign

log = logging.getLogger(__name__)


def fan_out(session: Session, msg: OutboxMessage) -> None:
    """One delivery per matching active subscription; idempotent on (message, subscription)."""
    subs = session.scalars(select(Subscription).where(Subscription.active.is_(True)))
    now = ctx(session).now()
    for sub in subs:
        if msg.topic not in sub.topics and "*" not in sub.topics:
            continue
        exists = session.scalar(
            select(Delivery.id).where(Delivery.outbox_id == msg.id, Delivery.subscription_id == sub.id)
        )
        if exists is None:
            session.add(
                Delivery(
                    subscription_id=sub.id,
                    outbox_id=msg.id,
                    topic=msg.topic,
                    body=envelope(msg),
                    status="pending",
                    next_attempt_at=now,
                    created_at=now,
                )
            )


def envelope(msg: OutboxMessage) -> dict[str, object]:
    """What a receiver gets: the event id (dedupe on it), topic, version, time, data."""
    return {
        "id": f"evt_{msg.id}",
        "type": msg.topic,
        "version": msg.version,
        "occurred_at": msg.occurred_at.isoformat(),
        "data": msg.payload,
    }


def deliver_due(factory: sessionmaker[Session], client: httpx.Client, limit: int = 20) -> int:
    """Send due deliveries; each outcome is recorded in its own transaction."""
    with unit_of_work(factory) as session:
        due = _claim_due(session, limit)
        jobs = [(d.id, d.subscription_id) for d in due]
    for delivery_id, _ in jobs:
        _attempt(factory, client, delivery_id)
    return len(jobs)


def _claim_due(session: Session, limit: int) -> list[Delivery]:
    now = ctx(session).now()
    stmt = (
        select(Delivery)
        .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list(session.scalars(stmt))
    # Lease: push the next attempt out so a parallel worker does not send it too.
    for d in rows:
        d.next_attempt_at = now + backoff(d.attempts + 1)
    return rows


def _attempt(factory: sessionmaker[Session], client: httpx.Client, delivery_id: int) -> None:
    with unit_of_work(factory) as session:
        d = session.get(Delivery, delivery_id)
        sub = session.get(Subscription, d.subscription_id) if d else None
        if d is None or sub is None or d.status != "pending":
            return
        body = orjson.dumps(d.body)
        now = ctx(session).now()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(sub.secret, int(time.time()), body),
            "X-OmoHub-Event": d.topic,
            "X-OmoHub-Delivery": str(d.id),
        }
        d.attempts += 1
        try:
            resp = client.post(sub.url, content=body, headers=headers)
            d.last_status_code, d.last_error = resp.status_code, None
            ok = 200 <= resp.status_code < 300
        except httpx.HTTPError as exc:
            d.last_status_code, d.last_error, ok = None, f"{type(exc).__name__}: {exc}"[:500], False
        if ok:
            d.status, d.delivered_at = "delivered", now
        elif d.attempts >= ctx(session).settings.webhook_max_attempts:
            d.status = "failed"
        else:
            d.next_attempt_at = now + backoff(d.attempts)
