"""The outbox handler (fan-out to subscriptions) and the delivery loop the worker runs.

A delivery is sent in three steps, none of which holds a transaction open across HTTP:

1. claim (one short transaction): due rows are locked with SKIP LOCKED, their attempt count
   goes up and ``next_attempt_at`` moves one lease ahead — the claim survives commit, so a
   parallel worker skips them, and if this worker dies they come due again when the lease ends;
2. send: a signed POST per delivery, up to ``webhook_concurrency`` at once;
3. record (one short transaction each): delivered, or the next try after a backoff, or failed.
   The attempt count is the fencing token: a worker whose lease ran out and whose delivery
   another worker has claimed since records nothing but a success.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor

import httpx
import orjson
from sqlalchemy.orm import Session, sessionmaker

from omohub.core.context import ctx
from omohub.core.db import unit_of_work
from omohub.core.outbox import OutboxMessage
from omohub.webhooks import repository
from omohub.webhooks.models import Delivery, Subscription
from omohub.webhooks.rules import backoff, lease
from omohub.webhooks.sender import Claimed, Outcome, post
from omohub.webhooks.service import ALL_TOPICS

log = logging.getLogger(__name__)


def fan_out(session: Session, msg: OutboxMessage) -> None:
    """One delivery per matching active subscription."""
    subs = [s for s in _active(session) if msg.topic in s.topics or ALL_TOPICS in s.topics]
    if not subs:
        return
    now = ctx(session).now()
    # No existence check: a message is fanned out once, in the savepoint that also marks it
    # dispatched (the unique (outbox_id, subscription_id) constraint backs this up).
    for sub in subs:
        session.add(
            Delivery(
                subscription_id=sub.id,
                outbox_id=msg.id,
                topic=msg.topic,
                body=envelope(msg),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


def _active(session: Session) -> list[Subscription]:
    # One read per relay batch (a session is one batch), not one per message.
    cached: list[Subscription] | None = session.info.get("webhooks.active")
    if cached is None:
        cached = session.info["webhooks.active"] = repository.active_subscriptions(session)
    return cached


def envelope(msg: OutboxMessage) -> dict[str, object]:
    """What a receiver gets: the event id (dedupe on it), topic, version, time, data."""
    return {
        "id": event_id(msg.id),
        "type": msg.topic,
        "version": msg.version,
        "occurred_at": msg.occurred_at.isoformat(),
        "data": msg.payload,
    }


def event_id(outbox_id: int) -> str:
    return f"evt_{outbox_id}"


def deliver_due(factory: sessionmaker[Session], client: httpx.Client, limit: int | None = None) -> int:
    """Claim, send and record one batch of due deliveries; returns how many were tried."""
    claimed = claim_due(factory, limit)
    if claimed:
        record(factory, list(zip(claimed, send_all(client, claimed), strict=True)))
    return len(claimed)


def send_all(client: httpx.Client, claimed: list[Claimed]) -> list[Outcome]:
    if len(claimed) == 1:
        return [post(client, claimed[0])]
    with ThreadPoolExecutor(len(claimed), thread_name_prefix="omohub-webhook") as pool:
        return list(pool.map(lambda c: post(client, c), claimed))


def claim_due(factory: sessionmaker[Session], limit: int | None = None) -> list[Claimed]:
    with unit_of_work(factory) as session:
        settings, now = ctx(session).settings, ctx(session).now()
        held = lease(settings.webhook_lease_seconds, settings.webhook_timeout_seconds)
        rows = session.execute(repository.due(session, now, limit or settings.webhook_concurrency))
        return [c for row in rows if (c := _claim(row[0], row[1], now, held)) is not None]


def _claim(d: Delivery, sub: Subscription, now: dt.datetime, held: dt.timedelta) -> Claimed | None:
    if not sub.active:  # deactivated since fan-out: nothing more goes out
        d.status = "cancelled"
        return None
    d.attempts += 1
    d.next_attempt_at = now + held
    body = orjson.dumps(d.body)
    return Claimed(d.id, d.attempts, sub.url, sub.secret, d.topic, body, int(now.timestamp()))


def record(factory: sessionmaker[Session], results: list[tuple[Claimed, Outcome]]) -> None:
    """Write a batch's outcomes in one transaction (rows locked in id order)."""
    with unit_of_work(factory) as session:
        rows = {d.id: d for d in repository.lock_deliveries(session, [c.delivery_id for c, _ in results])}
        now, max_attempts = ctx(session).now(), ctx(session).settings.webhook_max_attempts
        for c, outcome in results:
            if (d := rows.get(c.delivery_id)) is not None:
                _apply(d, c, outcome, now, max_attempts)


def _apply(d: Delivery, c: Claimed, outcome: Outcome, now: dt.datetime, max_attempts: int) -> None:
    if d.status == "delivered":
        return
    if outcome.ok:
        d.status, d.delivered_at = "delivered", now
    elif d.status != "pending" or d.attempts != c.attempt:
        return  # our lease ran out and another worker owns it now, or it was cancelled
    elif d.attempts >= max_attempts:
        d.status = "failed"
        log.warning(
            "webhook delivery %s failed for good after %s attempts: %s", d.id, d.attempts, outcome.error
        )
    else:
        d.next_attempt_at = now + backoff(d.attempts)
        log.info("webhook delivery %s attempt %s failed: %s", d.id, d.attempts, outcome.error)
    d.last_status_code, d.last_error = outcome.status_code, outcome.error


def prune_deliveries(session: Session, older_than: dt.timedelta, limit: int = 5000) -> int:
    """Delete up to ``limit`` finished deliveries (delivered, failed, cancelled) created more
    than ``older_than`` ago; pending ones are kept whatever their age."""
    return repository.delete_finished(session, ctx(session).now() - older_than, limit)
