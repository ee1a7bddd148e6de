"""One Segment call, checked and reduced to the columns the event store indexes. Pure."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

EVENT_TYPES = ("track", "identify", "page", "screen", "alias", "group")
MAX_EVENT_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
#: Track events whose ``properties`` name a product the person looked at.
PRODUCT_EVENTS = frozenset(
    {"Product Viewed", "Product Clicked", "Product Added", "Product Added to Wishlist"}
)


class Rejected(ValueError):
    """Why one event was not accepted (the batch goes on without it)."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    id: int
    name: str
    channel: str
    user_id_kind: str


@dataclass(frozen=True, slots=True)
class Row:
    message_id: str
    type: str
    event: str | None
    user_key: str | None
    anonymous_id: str | None
    product_ref: str | None
    timestamp: dt.datetime
    body: dict[str, Any]


def check(raw: Any, source: SourceInfo, received_at: dt.datetime, forced_type: str | None = None) -> Row:
    """Validate one call; raises ``Rejected`` with a reason a developer can act on."""
    if not isinstance(raw, dict):
        raise Rejected("an event must be a JSON object")
    type_ = forced_type or raw.get("type")
    if type_ not in EVENT_TYPES:
        raise Rejected(f"unknown event type {type_!r}; expected one of {', '.join(EVENT_TYPES)}")
    user_id, anon = _text(raw, "userId"), _text(raw, "anonymousId")
    if type_ == "alias":
        if not user_id or not _text(raw, "previousId"):
            raise Rejected("alias needs userId and previousId")
    elif not user_id and not anon:
        raise Rejected("userId or anonymousId is required")
    event = raw.get("event") if type_ == "track" else raw.get("name")
    if type_ == "track" and (not isinstance(event, str) or not event.strip()):
        raise Rejected("track needs an event name")
    if event is not None and not isinstance(event, str):
        raise Rejected("event/name must be a string")
    message_id = _text(raw, "messageId") or f"omohub-{uuid.uuid4()}"
    if len(message_id) > 100:
        raise Rejected("messageId longer than 100 characters")
    if anon is not None and len(anon) > 200:
        raise Rejected("anonymousId longer than 200 characters")
    return Row(
        message_id=message_id,
        type=type_,
        event=event[:200] if event else None,
        user_key=user_key(source, user_id) if user_id else None,
        anonymous_id=anon,
        product_ref=_product_ref(type_, event, raw.get("properties")),
        timestamp=event_time(raw, received_at),
        body=raw if forced_type is None else {**raw, "type": type_},
    )


def user_key(source: SourceInfo, user_id: str) -> str:
    """What a source's ``userId`` stands for, namespaced so systems never collide."""
    if source.user_id_kind == "member_id":
        if not user_id.isdigit():
            raise Rejected(f"source {source.name!r} sends member ids as userId; {user_id!r} is not one")
        return f"member_id:{int(user_id)}"
    if source.user_id_kind == "line_uid":
        return f"line_uid:{user_id}"
    return f"external:{source.name}:{user_id}"


def event_time(raw: dict[str, Any], received_at: dt.datetime) -> dt.datetime:
    """Segment's rule: trust ``timestamp``; else correct the device clock by sentAt skew."""
    stamp = _time(raw.get("timestamp"))
    if stamp is not None:
        return stamp
    original, sent = _time(raw.get("originalTimestamp")), _time(raw.get("sentAt"))
    if original is not None and sent is not None:
        return received_at - (sent - original)
    return original or received_at


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Rejected(f"bad timestamp {value!r}: use ISO 8601") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise Rejected(f"{key} must be a string")
    return value


def _product_ref(type_: str, event: str | None, props: Any) -> str | None:
    if not isinstance(props, dict):
        return None
    if (type_ == "track" and event in PRODUCT_EVENTS) or type_ in ("page", "screen"):
        ref = props.get("product_id") or props.get("sku")
        return str(ref)[:80] if ref else None
    return None
