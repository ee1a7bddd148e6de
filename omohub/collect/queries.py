"""Reading the event store: by user keys and anonymous ids, newest first, index-only paths."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from omohub.collect.models import Event, Source
from omohub.members import repository as members_repo
from omohub.members.models import Identifier


def events_for(
    session: Session,
    user_keys: list[str],
    anonymous_ids: list[str],
    limit: int = 50,
    *,
    with_body: bool = True,
    products_only: bool = False,
) -> list[Event]:
    """Newest events with any of these keys: two index range scans merged, not one OR scan.

    ``with_body=False`` leaves the JSON body unread (the 360 shows only the indexed columns;
    parsing a body per event was most of its time), ``products_only`` keeps product views.
    """
    found: dict[int, Event] = {}
    for column, values in ((Event.user_key, user_keys), (Event.anonymous_id, anonymous_ids)):
        if values:
            stmt = select(Event).where(column.in_(values)).order_by(Event.seq.desc()).limit(limit)
            if not with_body:
                stmt = stmt.options(defer(Event.body, raiseload=True))
            if products_only:
                stmt = stmt.where(Event.product_ref.is_not(None))
            found.update((e.seq, e) for e in session.scalars(stmt))
    return sorted(found.values(), key=lambda e: e.seq, reverse=True)[:limit]


def member_keys(
    session: Session, member_id: int, identifiers: list[Identifier] | None = None
) -> tuple[list[str], list[str]]:
    """The user keys and anonymous ids under which a member's events were stored.

    ``identifiers``: the member's, when the caller has already read them.
    """
    user_keys = [f"member_id:{mid}" for mid in members_repo.absorbed_ids(session, member_id)]
    anon: list[str] = []
    held = members_repo.identifiers_of(session, member_id) if identifiers is None else identifiers
    for ident in held:
        if ident.type in ("external", "line_uid"):
            user_keys.append(f"{ident.type}:{ident.value}")
        elif ident.type == "anonymous_id":
            anon.append(ident.value)
    return user_keys, anon


def keys_for_user_id(session: Session, user_id: str) -> list[str]:
    """Every user key a raw Segment userId may have been stored under, across sources."""
    keys = [f"line_uid:{user_id}"]
    if user_id.isdigit():
        keys.append(f"member_id:{int(user_id)}")
    keys += [f"external:{name}:{user_id}" for name in session.scalars(select(Source.name))]
    return keys


def recently_viewed(
    session: Session, user_keys: list[str], anonymous_ids: list[str], limit: int = 10
) -> list[tuple[str, Event]]:
    """Distinct products from the newest product views (web and app), newest first."""
    seen: dict[str, Event] = {}
    views = events_for(session, user_keys, anonymous_ids, limit=200, with_body=False, products_only=True)
    for event in views:
        if event.product_ref and event.product_ref not in seen:
            seen[event.product_ref] = event
            if len(seen) >= limit:
                break
    return list(seen.items())
