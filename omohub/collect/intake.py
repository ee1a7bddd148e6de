"""The collection pipeline of one web process: write keys, back-pressure, the group writer.

Built once per application (``create_app``) and closed with it. Routes only parse HTTP and
call :class:`Collector`.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from omohub.collect.errors import HubBusy, StoreUnavailable
from omohub.collect.rules import Row, SourceInfo
from omohub.collect.sources import WriteKeyCache
from omohub.collect.writer import GroupWriter, unreachable

if TYPE_CHECKING:
    from omohub.bootstrap import Hub

#: How long a request waits for its group to commit before it answers 503 (the client
#: retries; if the commit did land meanwhile, the resent messageIds are stored once).
STORE_TIMEOUT_SECONDS = 30.0


class Gate:
    """Counts requests in flight; past the limit callers get 429 and come back later."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._n = 0
        self.refused = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            if self._n >= self.limit:
                self.refused += 1
                raise HubBusy("the hub is busy; retry after the delay in Retry-After", retry_after=1)
            self._n += 1

    def leave(self) -> None:
        with self._lock:
            self._n -= 1


class Collector:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.gate = Gate(hub.settings.collect_max_inflight)
        self.write_keys = WriteKeyCache()
        # SQLite has one write lock: one writer thread never fights over it. PostgreSQL runs
        # each statement on one core: a few writers keep both busy while others wait on COMMIT.
        threads = 1 if hub.engine.dialect.name == "sqlite" else 4
        self.writer = GroupWriter(hub.engine, threads=threads, clock=hub.context.now)

    async def source(self, write_key: str) -> SourceInfo:
        """The source of a write key (cached; ``BadWriteKey`` if unknown or revoked)."""
        found = self.write_keys.get(write_key)
        if found is None:
            found = await run_in_threadpool(self.write_keys.load, self.hub.sessions, write_key)
        return found

    async def store(self, rows: list[Row]) -> int:
        """Store ``rows`` durably; how many were new (the rest were resent messageIds)."""
        try:
            return await asyncio.wait_for(self.writer.write(rows), STORE_TIMEOUT_SECONDS)
        except TimeoutError as exc:
            raise StoreUnavailable("the event store is slow to answer; retry later", retry_after=1) from exc
        except Exception as exc:
            if unreachable(exc):
                raise StoreUnavailable("the event store is unavailable; retry later", retry_after=1) from exc
            raise

    def close(self) -> None:
        self.writer.close()
