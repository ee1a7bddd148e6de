"""The composition root: settings, engine, sessions, clock and outbox handlers, built once.

Entry points (``api``, ``worker``, ``cli``) call :func:`build_hub` at start-up and pass
the ``Hub`` down; nothing builds an engine or reads the environment at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from omohub.core.clock import Clock, utcnow
from omohub.core.config import Settings
from omohub.core.context import Context
from omohub.core.db import make_engine, make_session_factory, unit_of_work
from omohub.core.outbox import Dispatcher


@dataclass
class Hub:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    context: Context
    dispatcher: Dispatcher
    #: ``omohub.orders.extensions.OrderExtension``s: what must happen in an order's transaction.
    order_extensions: list[Any] = field(default_factory=list)

    @contextmanager
    def uow(self) -> Iterator[Session]:
        """One transaction, committed at the end of the block (the edge owns it)."""
        with unit_of_work(self.sessions) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def build_hub(settings: Settings | None = None, clock: Clock = utcnow) -> Hub:
    settings = settings or Settings()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    context = Context(settings=settings, clock=clock)
    sessions = make_session_factory(engine)
    sessions.configure(info={"ctx": context})
    return Hub(settings, engine, sessions, context, build_dispatcher(), build_order_extensions())


def build_order_extensions() -> list[Any]:
    from omohub.checkout.consume import QuoteConsumer

    return [QuoteConsumer()]


def build_dispatcher() -> Dispatcher:
    """Every outbox handler of every domain, registered in one place."""
    from omohub.loyalty.tasks import register as loyalty
    from omohub.promotions.tasks import register as promotions
    from omohub.webhooks.tasks import fan_out

    dispatcher = Dispatcher()
    loyalty(dispatcher)
    promotions(dispatcher)
    dispatcher.on("*", fan_out)
    return dispatcher
