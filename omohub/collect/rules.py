"""One Segment call, checked and reduced to the columns the event store indexes. Pure."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import orjson

EVENT_TYPES = ("track", "identify", "page", "screen", "alias", "group")
MAX_EVENT_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
#: Longest messageId / userId / anonymousId kept (longer ones are refused, never cut).
MAX_ID_CHARS = 100
#: Track events whose ``properties`` name a product the person looked at.
PRODUCT_EVENTS = frozenset(
    {"Product Viewed", "Product Clicked", "Product Added", "Product Added to Wishlist"}
)
#: The largest member id a ``member_id`` source may send (a PostgreSQL BIGINT).
MAX_MEMBER_ID = 2**63 - 1


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
    """One accepted call: its indexed columns and its body as stored (compact JSON)."""

    source_id: int
    message_id: str
    type: str
    event: str | None
    user_key: str | None
    anonymous_id: str | None
    product_ref: str | None
    timestamp: dt.datetime
    body: bytes


def check(raw: Any, source: SourceInfo, received_at: dt.datetime, forced_type: str | None = None) -> Row:
    """Validate one call; raises ``Rejected`` with a reason a developer can act on."""
    if not isinstance(raw, dict):
        raise Rejected("an event must be a JSON object")
    type_ = forced_type or raw.get("type")
    if type_ not in EVENT_TYPES:
        raise Rejected(f"unknown event type {type_!r}; expected one of {', '.join(EVENT_TYPES)}")
    if forced_type is not None and raw.get("type") != type_:
        raw = {**raw, "type": type_}
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
    body = orjson.dumps(raw)
    if len(body) > MAX_EVENT_BYTES:
        raise Rejected(f"event larger than {MAX_EVENT_BYTES // 1024} KB")
    if b"\\u0000" in body:  # PostgreSQL can hold no NUL character in text or JSON
        raise Rejected("event contains a NUL character (\\u0000)")
    return Row(
        source_id=source.id,
        message_id=_text(raw, "messageId") or f"omohub-{uuid.uuid4()}",
        type=type_,
        event=event[:200] if event else None,
        user_key=user_key(source, user_id) if user_id else None,
        anonymous_id=anon,
        product_ref=_product_ref(type_, event, raw.get("properties")),
        timestamp=event_time(raw, received_at),
        body=body,
    )


def user_key(source: SourceInfo, user_id: str) -> str:
    """What a source's ``userId`` stands for, namespaced so systems never collide."""
    if source.user_id_kind == "member_id":
        if not user_id.isdecimal() or not 0 < int(user_id) <= MAX_MEMBER_ID:
            raise Rejected(f"source {source.name!r} sends member ids as userId; {user_id!r} is not one")
        return f"member_id:{int(user_id)}"
    if source.user_id_kind == "line_uid":
        return f"line_uid:{user_id}"
    return f"external:{source.name}:{user_id}"


def event_time(raw: dict[str, Any], received_at: dt.datetime) -> dt.datetime:
    """Segment's rule: trust ``timestamp``; else correct the device clock by sentAt skew."""
    stamp = _time(raw, "timestamp")
    if stamp is not None:
        return stamp
    original, sent = _time(raw, "originalTimestamp"), _time(raw, "sentAt")
    if original is not None and sent is not None:
        try:
            return received_at - (sent - original)
        except OverflowError as exc:
            raise Rejected("originalTimestamp and sentAt are too far apart") from exc
    return original or received_at


def _time(raw: dict[str, Any], key: str) -> dt.datetime | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Rejected(f"{key} must be an ISO 8601 string")
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError) as exc:
        raise Rejected(f"bad {key} {value[:40]!r}: use ISO 8601") from exc


def _text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    elif not isinstance(value, str):
        raise Rejected(f"{key} must be a string")
    if len(value) > MAX_ID_CHARS:
        raise Rejected(f"{key} longer than {MAX_ID_CHARS} characters")
    return value


def _product_ref(type_: str, event: str | None, props: Any) -> str | None:
    if not isinstance(props, dict):
        return None
    if (type_ == "track" and event in PRODUCT_EVENTS) or type_ in ("page", "screen"):
        ref = props.get("product_id") or props.get("sku")
        return str(ref)[:80] if ref else None
    return None
