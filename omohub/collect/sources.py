"""Collection sources and their write keys (hashed; cached briefly on the hot path)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.collect.errors import BadWriteKey
from omohub.collect.models import SOURCE_CHANNELS, USER_ID_KINDS, Source
from omohub.collect.rules import SourceInfo
from omohub.core.context import ctx
from omohub.core.errors import Conflict, Invalid
from omohub.core.security import new_token, token_hash

#: The userId meaning a source gets when its creator does not say.
DEFAULT_KIND = {"web": "external", "app": "external", "pos": "external", "line": "line_uid"}


def create_source(
    session: Session, name: str, channel: str, user_id_kind: str | None = None
) -> tuple[Source, str]:
    if channel not in SOURCE_CHANNELS:
        raise Invalid(f"channel must be one of {', '.join(SOURCE_CHANNELS)}", field="channel")
    kind = user_id_kind or DEFAULT_KIND[channel]
    if kind not in USER_ID_KINDS:
        raise Invalid(f"user_id_kind must be one of {', '.join(USER_ID_KINDS)}", field="user_id_kind")
    if not name or len(name) > 80 or ":" in name:
        raise Invalid("a source name is 1–80 characters without ':'", field="name")
    if session.scalar(select(Source.id).where(Source.name == name)) is not None:
        raise Conflict(f"a source named {name!r} already exists", field="name")
    key = new_token("wk")
    source = Source(
        name=name,
        channel=channel,
        user_id_kind=kind,
        write_key_hash=token_hash(key),
        write_key_prefix=key[:8],
        created_at=ctx(session).now(),
    )
    session.add(source)
    session.flush()
    return source, key


def sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.id)))


class WriteKeyCache:
    """Write key → source, remembered for ``ttl`` seconds (revocation shows within it)."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, SourceInfo | None]] = {}

    def lookup(self, session_factory, key: str) -> SourceInfo:  # type: ignore[no-untyped-def]
        digest = token_hash(key)
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(digest)
        if hit is None or hit[0] < now:
            with session_factory() as session:
                found = session.scalar(select(Source).where(Source.write_key_hash == digest))
                info = (
                    SourceInfo(found.id, found.name, found.channel, found.user_id_kind)
                    if found is not None and found.revoked_at is None
                    else None
                )
            with self._lock:
                self._entries[digest] = (now + self.ttl, info)
        else:
            info = hit[1]
        if info is None:
            raise BadWriteKey("unknown or revoked write key")
        return info
