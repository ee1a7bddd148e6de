"""Group commit: the events of concurrent requests are written and committed together.

Requests hand their checked rows to a queue and wait; a few writer threads each take
everything queued (up to ``max_rows``), store it in one transaction and then wake every
request in the group. Under load the groups grow by themselves, so the database sees a few
large statements and commits instead of one per request, and with one thread per process
SQLite's single write lock is never fought over. A request is answered only after its
group's COMMIT returned: a 200 means the events are durable.

A group that fails for a reason other than the database being unreachable is retried one
request at a time, so one request's bad row never fails another request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from omohub.collect import store
from omohub.collect.rules import Row

log = logging.getLogger(__name__)


@dataclass
class _Job:
    rows: list[Row]
    future: asyncio.Future[int]
    loop: asyncio.AbstractEventLoop

    def settle(self, stored: int | None, error: BaseException | None = None) -> None:
        self.loop.call_soon_threadsafe(_settle, self.future, stored, error)


def _settle(future: asyncio.Future[int], stored: int | None, error: BaseException | None) -> None:
    if future.done():  # the request gave up waiting
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(stored or 0)


class GroupWriter:
    def __init__(
        self,
        engine: Engine,
        *,
        threads: int,
        clock: Callable[[], dt.datetime],
        max_rows: int = 5000,
        idle_seconds: float = 5.0,
    ) -> None:
        self.engine = engine
        self.threads = threads
        self.clock = clock
        self.max_rows = max_rows
        self.idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = 0

    async def write(self, rows: list[Row]) -> int:
        """Store ``rows``; returns how many were new. Returns only after COMMIT."""
        loop = asyncio.get_running_loop()
        job = _Job(rows, loop.create_future(), loop)
        self._queue.put(job)
        self._ensure_threads()
        return await job.future

    def close(self) -> None:
        """Let the writer threads go (a later write starts them again)."""
        with self._lock:
            running = self._running
        for _ in range(running):
            self._queue.put(None)

    def _ensure_threads(self) -> None:
        with self._lock:
            while self._running < self.threads:
                self._running += 1
                threading.Thread(target=self._run, daemon=True, name="omohub-collect-writer").start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.idle_seconds)
            except queue.Empty:
                first = None
            if first is None:  # idle, or asked to close
                if self._retire():
                    return
                continue
            self._write(self._gather(first))

    def _retire(self) -> bool:
        """Leave, unless work is waiting (checked under the lock ``write`` starts threads with,
        so a queued request always has a thread)."""
        with self._lock:
            if not self._queue.empty():
                return False
            self._running -= 1
            return True

    def _gather(self, first: _Job) -> list[_Job]:
        jobs, n = [first], len(first.rows)
        while n < self.max_rows:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                jobs.append(job)
                n += len(job.rows)
        return jobs

    def _write(self, jobs: list[_Job]) -> None:
        claims: list[list[store.Key]] = []
        rows: list[Row] = []
        taken: set[store.Key] = set()
        for job in jobs:
            mine = []
            for row in job.rows:
                key = (row.source_id, row.message_id)
                if key not in taken:
                    taken.add(key)
                    mine.append(key)
                    rows.append(row)
            claims.append(mine)
        try:
            new = self._append(rows) if rows else set()
        except Exception as exc:
            if len(jobs) > 1 and not unreachable(exc):
                for job in jobs:
                    self._write([job])
                return
            log.warning("storing %d events failed: %s", len(rows), exc)
            for job in jobs:
                job.settle(None, exc)
            return
        for job, mine in zip(jobs, claims, strict=True):
            job.settle(sum(1 for key in mine if key in new))

    def _append(self, rows: list[Row]) -> set[store.Key]:
        raw = self.engine.raw_connection()
        try:
            conn: Any = raw.driver_connection
            if self.engine.dialect.name == "postgresql":
                return store.append_pg(conn, rows)
            return store.append_sqlite(conn, rows, self.clock())
        except Exception as exc:
            if unreachable(exc):
                raw.invalidate()
            raise
        finally:
            raw.close()


def unreachable(exc: BaseException) -> bool:
    """The database is down, locked or gone (the client should retry), not bad data."""
    import sqlite3

    import psycopg

    return isinstance(exc, psycopg.OperationalError | sqlite3.OperationalError)
