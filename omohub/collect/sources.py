"""Collection sources and their write keys (hashed; cached briefly on the hot path)."""

from __future__ import annotations

import re
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from omohub.collect.errors import BadWriteKey
from omohub.collect.models import SOURCE_CHANNELS, USER_ID_KINDS, Source
from omohub.collect.rules import SourceInfo
from omohub.core.context import ctx
from omohub.core.errors import Conflict, Invalid
from omohub.core.security import new_token, token_hash

#: Source names namespace their customer ids, so they follow the ``external`` identifier rule.
SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,59}")
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
    if not SOURCE_NAME.fullmatch(name):
        raise Invalid(
            "a source name is 1–60 lower-case letters, digits, '.', '_' or '-', starting with a"
            " letter or digit (it namespaces the source's customer ids: external:<name>:<id>)",
            field="name",
        )
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
    """Write key → source, remembered for ``ttl`` seconds (revocation shows within it).

    Unknown keys are remembered too (a client with a wrong key retries a lot), in a bounded
    table so random keys cannot fill memory.
    """

    MAX_ENTRIES = 10_000

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, SourceInfo | None]] = {}

    def get(self, key: str) -> SourceInfo | None:
        """The cached source; None when not cached; ``BadWriteKey`` when known to be bad."""
        hit = self._entries.get(token_hash(key))
        if hit is None or hit[0] < time.monotonic():
            return None
        if hit[1] is None:
            raise BadWriteKey("unknown or revoked write key")
        return hit[1]

    def load(self, session_factory: sessionmaker[Session], key: str) -> SourceInfo:
        """Look the key up in the database and remember the answer."""
        digest = token_hash(key)
        with session_factory() as session:
            found = session.scalar(select(Source).where(Source.write_key_hash == digest))
            info = (
                SourceInfo(found.id, found.name, found.channel, found.user_id_kind)
                if found is not None and found.revoked_at is None
                else None
            )
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + self.ttl, info)
        if info is None:
            raise BadWriteKey("unknown or revoked write key")
        return info
