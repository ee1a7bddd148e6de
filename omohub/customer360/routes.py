"""``GET /api/v1/members/lookup`` (the 360) and ``GET /api/v1/events``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from omohub.access.rules import Principal
from omohub.api.deps import principal, uow
from omohub.collect import queries
from omohub.core.db import RowId
from omohub.core.errors import Invalid
from omohub.customer360 import service
from omohub.customer360.schemas import Profile360
from omohub.members import service as members

router = APIRouter(prefix="/api/v1", tags=["customer 360"])


@router.get("/members/lookup", response_model=Profile360)
def lookup(
    phone: str | None = None,
    email: str | None = None,
    line_uid: str | None = None,
    card: str | None = None,
    anonymous_id: str | None = None,
    external_id: str | None = None,
    member_id: RowId | None = None,
    session: Session = uow,
    who: Principal = Depends(principal("pos", "ecommerce")),
) -> Profile360:
    """The customer 360 by exactly one identifier (what a clerk sees when a member walks in)."""
    given = {
        k: v
        for k, v in {
            "phone": phone,
            "email": email,
            "line_uid": line_uid,
            "card": card,
            "anonymous_id": anonymous_id,
            "external_id": external_id,
            "member_id": None if member_id is None else str(member_id),
        }.items()
        if v
    }
    if len(given) != 1:
        raise Invalid(f"give exactly one of {', '.join(service.LOOKUP_KEYS)}")
    ((by, value),) = given.items()
    return service.lookup(session, who, by, value)


class StoredEvent(BaseModel):
    seq: int
    message_id: str
    type: str
    event: str | None
    user_key: str | None
    anonymous_id: str | None
    timestamp: dt.datetime
    received_at: dt.datetime
    body: dict[str, Any]


@router.get("/events", response_model=list[StoredEvent])
def list_events(
    user_id: str | None = None,
    anonymous_id: str | None = None,
    member_id: RowId | None = None,
    limit: int = Query(50, ge=1, le=1000),
    session: Session = uow,
    who: Principal = Depends(principal("admin", "ecommerce")),
) -> list[StoredEvent]:
    """Stored events (newest first) by raw userId, anonymousId or member (all their ids)."""
    if sum(x is not None for x in (user_id, anonymous_id, member_id)) != 1:
        raise Invalid("give exactly one of user_id, anonymous_id, member_id")
    if member_id is not None:
        live = members.find(session, "member_id", str(member_id))  # follows a merge chain
        keys, anon = queries.member_keys(session, live.id)
    elif user_id is not None:
        keys, anon = queries.keys_for_user_id(session, user_id), []
    else:
        keys, anon = [], [anonymous_id or ""]
    found = queries.events_for(session, keys, anon, limit=limit)
    return [StoredEvent.model_validate(e, from_attributes=True) for e in found]
