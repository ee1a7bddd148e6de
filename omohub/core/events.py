"""Domain events: small, typed, versioned messages raised inside a transaction.

A service calls :func:`omohub.core.outbox.emit` with one of these; the row commits (or
rolls back) with the state change that raised it, and the worker relays it afterwards.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
from pathlib import Path
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True)
class DomainEvent:
    """Base of every event. ``topic`` is its public name (webhooks use it verbatim)."""

    topic: ClassVar[str] = ""
    version: ClassVar[int] = 1

    def payload(self) -> dict[str, Any]:
        """The fields by name; nested dataclasses, dates and enums stay as they are (the outbox
        turns them into JSON in one pass: ``core.outbox.jsonable``)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


_REGISTRY: dict[str, type[DomainEvent]] = {}


def register(cls: type[DomainEvent]) -> type[DomainEvent]:
    """Class decorator: makes the event known to docs and webhook subscriptions."""
    if not cls.topic:
        raise ValueError(f"{cls.__name__} has no topic")
    _REGISTRY[cls.topic] = cls
    return cls


def known_topics() -> dict[str, type[DomainEvent]]:
    """Every registered event by topic, after importing each domain's ``events`` module."""
    _discover()
    return dict(sorted(_REGISTRY.items()))


@functools.cache
def _discover(package: str = "omohub") -> None:
    # Registration is an import side effect; importing every ``<domain>/events.py`` here means
    # subscriptions and docs see all topics whichever modules the entry point happened to load.
    root = importlib.import_module(package)
    for info in pkgutil.iter_modules(root.__path__):
        if info.ispkg and (Path(root.__path__[0]) / info.name / "events.py").exists():
            importlib.import_module(f"{package}.{info.name}.events")
