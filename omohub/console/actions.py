"""What staff do in the console: each action calls one domain service and leaves an audit entry."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from omohub.access import service as access
from omohub.access.models import ApiKey, ConsoleUser
from omohub.access.rules import Principal
from omohub.collect.models import Source
from omohub.collect.sources import create_source
from omohub.console.rules import search_candidates
from omohub.members import service as members
from omohub.members.errors import BadIdentifier, MemberNotFound
from omohub.members.models import Member, MergeRecord
from omohub.webhooks import service as webhooks
from omohub.webhooks.models import Subscription

_COMPACT = {"member_card", "member_id"}


def find_member(session: Session, entry: str, by: str = "auto") -> Member | None:
    """The member a search box entry names, trying each identifier type it may be."""
    for type_ in search_candidates(entry, by):
        value = re.sub(r"[\s#-]", "", entry) if type_ in _COMPACT else entry.strip()
        try:
            return members.find(session, type_, value)
        except (BadIdentifier, MemberNotFound):
            continue
    return None


def unmerge(session: Session, who: Principal, merged_id: int) -> MergeRecord:
    record = members.unmerge_by_hand(session, merged_id, who.actor)
    access.audit(
        session, who, "member.unmerge", f"member:{merged_id}", survivor=record.survivor_id, merge=record.id
    )
    return record


def create_api_key(session: Session, who: Principal, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    key, secret = access.create_api_key(session, name.strip(), scopes)
    access.audit(session, who, "apikey.create", f"apikey:{key.id}", name=key.name, scopes=key.scopes)
    return key, secret


def revoke_api_key(session: Session, who: Principal, key_id: int) -> ApiKey:
    key = access.revoke_api_key(session, key_id)
    access.audit(session, who, "apikey.revoke", f"apikey:{key.id}", name=key.name)
    return key


def create_webhook(
    session: Session, who: Principal, url: str, topics: list[str], description: str
) -> Subscription:
    sub = webhooks.subscribe(session, url.strip(), topics, description.strip())
    access.audit(session, who, "webhook.create", f"webhook:{sub.id}", url=sub.url, topics=sub.topics)
    return sub


def set_webhook_active(session: Session, who: Principal, sub_id: int, active: bool) -> Subscription:
    sub = webhooks.update(session, sub_id, active=active)
    access.audit(session, who, "webhook.activate" if active else "webhook.deactivate", f"webhook:{sub.id}")
    return sub


def create_collect_source(
    session: Session, who: Principal, name: str, channel: str, user_id_kind: str | None
) -> tuple[Source, str]:
    source, key = create_source(session, name.strip(), channel, user_id_kind or None)
    access.audit(session, who, "source.create", f"source:{source.id}", name=source.name)
    return source, key


def create_console_user(
    session: Session,
    who: Principal,
    *,
    username: str,
    password: str,
    role: str,
    name: str,
    store_id: int | None,
) -> ConsoleUser:
    user = access.create_user(session, username.strip(), password, role, name=name.strip(), store_id=store_id)
    access.audit(session, who, "user.create", f"user:{user.username}", role=user.role)
    return user
