"""Domain events: small, typed, versioned messages raised inside a transaction.

A service calls :func:`omohub.core.outbox.emit` with one of these; the row commits (or
rolls back) with the state change that raised it, and the worker relays it afterwards.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True)
class DomainEvent:
    """Base of every event. ``topic`` is its public name (webhooks use it verbatim)."""

    topic: ClassVar[str] = ""
    version: ClassVar[int] = 1

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_REGISTRY: dict[str, type[DomainEvent]] = {}


def register(cls: type[DomainEvent]) -> type[DomainEvent]:
    """Class decorator: makes the event known to docs and webhook subscriptions."""
    if not cls.topic:
        raise ValueError(f"{cls.__name__} has no topic")
    _REGISTRY[cls.topic] = cls
    return cls


def known_topics() -> dict[str, type[DomainEvent]]:
    return dict(sorted(_REGISTRY.items()))
