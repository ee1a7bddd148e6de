"""429/503 with Retry-After, and the group writer's isolation of one bad request."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.collect import store
from omohub.collect.intake import Collector
from omohub.collect.models import Event
from omohub.collect.rules import Row, SourceInfo, check
from omohub.collect.writer import GroupWriter
from tests.helpers import basic, new_source


def ev(mid: str) -> dict[str, Any]:
    return {"type": "track", "event": "Added", "anonymousId": "a-1", "messageId": mid}


def test_past_the_in_flight_limit_the_hub_answers_429_with_retry_after(hub: Hub, client: TestClient) -> None:
    web = basic(new_source(hub, "webshop", "web"))
    collector: Collector = client.app.state.collector  # type: ignore[attr-defined]
    for _ in range(collector.gate.limit):
        collector.gate.enter()  # every slot taken, as by slow requests
    r = client.post("/v1/batch", headers=web, json={"batch": [ev("m-1")]})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert r.json()["code"] == "busy" and r.json()["message"]
    collector.gate.leave()
    assert client.post("/v1/batch", headers=web, json={"batch": [ev("m-1")]}).status_code == 200


def _unreachable_error(hub: Hub) -> Exception:
    if hub.engine.dialect.name == "postgresql":
        return psycopg.OperationalError("server closed the connection unexpectedly")
    return sqlite3.OperationalError("database is locked")


def test_an_unavailable_store_is_503_with_retry_after_and_the_retry_lands_once(
    hub: Hub, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = basic(new_source(hub, "webshop", "web"))
    name = "append_pg" if hub.engine.dialect.name == "postgresql" else "append_sqlite"
    real = getattr(store, name)
    calls = []

    def committed_then_lost(*args: Any) -> Any:
        calls.append(1)
        real(*args)  # the commit happens, then the connection drops before the answer
        raise _unreachable_error(hub)

    monkeypatch.setattr(store, name, committed_then_lost)
    r = client.post("/v1/batch", headers=web, json={"batch": [ev("m-1"), ev("m-2")]})
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"
    assert r.json()["code"] == "store_unavailable"
    monkeypatch.setattr(store, name, real)
    r = client.post("/v1/batch", headers=web, json={"batch": [ev("m-1"), ev("m-2")]})
    assert r.json()["stored"] == 0 and r.json()["duplicates"] == 2
    with hub.uow() as s:
        assert list(s.scalars(select(Event.message_id).order_by(Event.seq))) == ["m-1", "m-2"]
    assert calls == [1]


def test_one_requests_bad_row_never_fails_another_request_of_its_group(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "append_pg" if hub.engine.dialect.name == "postgresql" else "append_sqlite"
    real = getattr(store, name)
    go, groups = threading.Event(), []

    def append(conn: Any, rows: list[Row], *rest: Any) -> Any:
        groups.append([r.message_id for r in rows])
        if rows[0].message_id == "blocker":
            go.wait(10)  # hold the writer while the next two requests queue up
        if any(r.message_id == "poison" for r in rows):
            raise ValueError("a row the database refuses")
        return real(conn, rows, *rest)

    monkeypatch.setattr(store, name, append)
    source = SourceInfo(1, "webshop", "web", "external")
    writer = GroupWriter(hub.engine, threads=1, clock=hub.context.now)

    def rows(*mids: str) -> list[Row]:
        return [check(ev(m), source, hub.context.now()) for m in mids]

    async def scenario() -> list[Any]:
        first = asyncio.ensure_future(writer.write(rows("blocker")))
        await asyncio.sleep(0.2)
        good = asyncio.ensure_future(writer.write(rows("g-1", "g-2")))
        bad = asyncio.ensure_future(writer.write(rows("poison", "g-3")))
        await asyncio.sleep(0.1)
        go.set()
        return await asyncio.gather(first, good, bad, return_exceptions=True)

    first, good, bad = asyncio.run(scenario())
    writer.close()
    assert (first, good) == (1, 2) and isinstance(bad, ValueError)
    assert groups == [["blocker"], ["g-1", "g-2", "poison", "g-3"], ["g-1", "g-2"], ["poison", "g-3"]]
    with hub.uow() as s:
        assert list(s.scalars(select(Event.message_id).order_by(Event.seq))) == ["blocker", "g-1", "g-2"]
