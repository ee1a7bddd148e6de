"""The identity processor: reads stored events in order and resolves who sent them.

``identify`` and ``alias`` calls (and any call that carries both a userId and an
anonymousId) become identity claims for ``members.identity.resolve``. One processor runs at
a time (the cursor row is locked); on PostgreSQL it stays a few seconds behind the newest
event so that a slower transaction with a lower sequence number is never skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from omohub.collect.cursors import locked_cursor
from omohub.collect.models import Event
from omohub.core.context import ctx
from omohub.core.db import unit_of_work
from omohub.core.errors import DomainError
from omohub.members.identity import claims_from, resolve
from omohub.members.models import Member
from omohub.members.rules import Claim

CURSOR = "identity"
log = logging.getLogger(__name__)


def process_batch(factory: sessionmaker[Session], limit: int = 500) -> int:
    with unit_of_work(factory) as session:
        cursor = locked_cursor(session, CURSOR)
        stmt = select(Event).where(Event.seq > cursor.position).order_by(Event.seq).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            # received_at is the database's transaction time of the insert (store.py), so
            # compare with the database's clock, never this host's.
            settle = dt.timedelta(seconds=ctx(session).settings.collect_settle_seconds)
            stmt = stmt.where(Event.received_at <= func.now() - settle)
        events = list(session.scalars(stmt))
        for event in events:
            apply(session, event)
        if events:
            cursor.position, cursor.updated_at = events[-1].seq, ctx(session).now()
        return len(events)


def apply(session: Session, event: Event) -> None:
    """Turn one stored call into identity claims (a no-op for anonymous-only calls).

    An event the identity rules refuse is logged and passed over: one bad event must not
    stop the stream behind it.
    """
    claims = event_claims(event)
    if not any(c.strong for c in claims):
        return
    try:
        with session.begin_nested():
            _resolve(session, event, claims)
    except DomainError as exc:  # a refusal is final; a database error retries the batch
        log.warning("identity processor skipped %s %s: %s", event.type, event.message_id, exc)


def _resolve(session: Session, event: Event, claims: list[Claim]) -> None:
    result = resolve(
        session,
        claims,
        source=f"collect:{event.source_id}",
        reason=f"{event.type} {event.message_id}",
        create=event.type in ("identify", "alias") or event.user_key is not None,
    )
    if event.type == "identify" and result.member is not None:
        _take_traits(result.member, event.body.get("traits"))


#: Traits that are identifiers (kept as identifiers, not as free-form traits).
_IDENTIFYING = frozenset({"phone", "email", "line_uid", "lineUserId"})


def _take_traits(member: Member, traits: object) -> None:
    if not isinstance(traits, dict):
        return
    kept = {k: v for k, v in traits.items() if k not in _IDENTIFYING and _small(v)}
    if kept and any(member.traits.get(k) != v for k, v in kept.items()):
        member.traits = {**(member.traits or {}), **kept}
    name = traits.get("name") or " ".join(
        str(traits[k]) for k in ("last_name", "first_name") if traits.get(k)
    )
    if name and not member.name:
        member.name = str(name)[:200]


def _small(value: object) -> bool:
    return isinstance(value, (str, int, float, bool)) and len(str(value)) <= 500


def event_claims(event: Event) -> list[Claim]:
    body: dict[str, Any] = event.body
    pairs: list[tuple[str, object]] = []
    if event.user_key:
        type_, _, value = event.user_key.partition(":")
        pairs.append((type_, value))
    if event.type == "alias":
        previous = str(body.get("previousId") or "")
        pairs.append(("anonymous_id", previous))
    if event.type == "identify":
        traits = body.get("traits")
        traits = traits if isinstance(traits, dict) else {}
        pairs += [("phone", traits.get("phone")), ("email", traits.get("email"))]
        pairs.append(("line_uid", traits.get("line_uid") or traits.get("lineUserId")))
    if event.anonymous_id:
        pairs.append(("anonymous_id", event.anonymous_id))
    context = body.get("context")
    device = context.get("device") if isinstance(context, dict) else None
    if isinstance(device, dict) and device.get("id"):
        pairs.append(("device_id", device["id"]))
    return claims_from(pairs, strict=False)
