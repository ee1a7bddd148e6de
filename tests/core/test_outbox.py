"""The transactional outbox: commit-or-nothing, a poison message does not block the rest,
and parallel relays on PostgreSQL never hand one message to two workers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.bootstrap import Hub, build_hub
from omohub.core.clock import FrozenClock
from omohub.core.config import Settings
from omohub.core.events import DomainEvent
from omohub.core.outbox import Dispatcher, OutboxMessage, emit, relay_batch, retry_failed


@dataclasses.dataclass(frozen=True)
class Ping(DomainEvent):
    """A test-only event (deliberately not registered: it is no public topic)."""

    topic: ClassVar[str] = "test.ping"
    n: int
    at: dt.date | None = None


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(dt.datetime(2025, 3, 14, 6, 30, tzinfo=dt.UTC))


@pytest.fixture
def hub(settings: Settings, clock: FrozenClock) -> Iterator[Hub]:
    h = build_hub(settings.model_copy(update={"outbox_max_attempts": 3}), clock=clock)
    yield h
    h.close()


def pings(hub: Hub, *ns: int) -> None:
    with hub.uow() as session:
        for n in ns:
            emit(session, Ping(n))


def rows(hub: Hub) -> dict[int, OutboxMessage]:
    with hub.uow() as session:
        return {m.payload["n"]: m for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}


def test_emit_commits_or_rolls_back_with_the_transaction(hub: Hub) -> None:
    pings(hub, 1)
    with pytest.raises(ZeroDivisionError), hub.uow() as session:
        emit(session, Ping(2))
        session.flush()
        _ = 1 / 0
    assert list(rows(hub)) == [1]


def test_payload_values_become_json(hub: Hub) -> None:
    with hub.uow() as session:
        emit(session, Ping(1, dt.date(2025, 3, 14)))
    assert rows(hub)[1].payload == {"n": 1, "at": "2025-03-14"}


def test_a_failing_message_is_retried_with_backoff_then_set_aside_without_blocking(
    hub: Hub, clock: FrozenClock
) -> None:
    def handler(session: Session, msg: OutboxMessage) -> None:
        emit(session, Ping(100 + msg.payload["n"]))  # its write: kept on success, undone on failure
        if msg.payload["n"] == 2:
            raise ValueError("cannot handle 2")

    dispatcher = Dispatcher()
    dispatcher.on("test.ping", lambda s, m: handler(s, m) if m.payload["n"] < 100 else None)
    pings(hub, 1, 2, 3)
    assert relay_batch(hub.sessions, dispatcher) == 3
    got = rows(hub)
    assert set(got) == {1, 2, 3, 101, 103}  # 102 was rolled back with message 2's savepoint
    assert got[1].dispatched_at == got[3].dispatched_at == clock()
    assert (got[2].dispatched_at, got[2].attempts, got[2].last_error) == (
        None,
        1,
        "ValueError: cannot handle 2",
    )
    assert got[2].retry_at == clock() + dt.timedelta(seconds=5)
    relay_batch(hub.sessions, dispatcher)  # 101, 103; 2 is not due yet
    assert rows(hub)[2].attempts == 1
    for _ in range(5):
        clock.advance(hours=1)
        relay_batch(hub.sessions, dispatcher)
    got = rows(hub)
    assert (got[2].attempts, got[2].failed_at is not None, got[2].dispatched_at) == (3, True, None)
    assert 102 not in got  # set aside after 3 attempts, still visible
    assert relay_batch(hub.sessions, dispatcher) == 0
    with hub.uow() as session:
        assert retry_failed(session) == 1
    assert relay_batch(hub.sessions, dispatcher) == 1
    assert rows(hub)[2].attempts == 1


@pytest.mark.skipif(
    "postgresql" not in str(pytest.importorskip("tests.conftest").BACKENDS), reason="needs PG"
)
def test_parallel_relays_on_postgresql_hand_each_message_to_one_worker(settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED concurrency is a PostgreSQL property")
    hubs = [build_hub(settings), build_hub(settings)]
    try:
        with hubs[0].uow() as session:
            for n in range(400):
                emit(session, Ping(n))
        seen: list[int] = []
        lock = threading.Lock()

        def record(session: Session, msg: OutboxMessage) -> None:
            with lock:
                seen.append(msg.payload["n"])

        def relay(h: Hub, start: threading.Barrier) -> None:
            dispatcher = Dispatcher()
            dispatcher.on("test.ping", record)
            start.wait()
            while relay_batch(h.sessions, dispatcher, limit=7):
                pass

        start = threading.Barrier(2)
        threads = [threading.Thread(target=relay, args=(h, start)) for h in hubs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(seen) == list(range(400))  # every message once, none twice
        assert all(m.dispatched_at is not None for m in rows(hubs[0]).values())
    finally:
        for h in hubs:
            h.close()
