"""The official ``segment-analytics-python`` client, unchanged, against a real hub server."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from segment.analytics import Client
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.collect import store
from omohub.collect.intake import Collector
from omohub.collect.models import Event
from tests.collect.servers import threaded_server
from tests.collect.test_backpressure import _unreachable_error
from tests.helpers import new_source


def send_every_call(client: Client) -> list[str]:
    """One of each Segment call; returns their messageIds."""
    sent = [
        client.track("c-1", "Product Viewed", {"product_id": "SKU-1"}, anonymous_id="a-1"),
        client.identify("c-1", {"email": "amy@example.tw", "name": "Amy"}, anonymous_id="a-1"),
        client.page("c-1", "shop", "Home", {"path": "/"}),
        client.screen("c-1", "app", "Cart"),
        client.alias("a-2", "c-1"),
        client.group("c-1", "g-1", {"name": "VIP"}),
    ]
    assert all(ok for ok, _ in sent)
    return [msg["messageId"] for _, msg in sent]


def stored_ids(hub: Hub) -> Counter[str]:
    with hub.uow() as s:
        return Counter(s.scalars(select(Event.message_id)))


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_the_official_client_works_unchanged(hub: Hub, admin: dict[str, str], gzip: bool) -> None:
    key = new_source(hub, "webshop", "web")
    errors: list[Any] = []
    with threaded_server(hub) as (base, _app):
        client = Client(
            key, host=base, gzip=gzip, upload_interval=0.05, on_error=lambda e, b: errors.append(e)
        )
        ids = send_every_call(client)
        client.flush()
        client.join()
        r = httpx.get(f"{base}/api/v1/events", params={"user_id": "c-1"}, headers=admin)
    assert errors == []
    assert stored_ids(hub) == Counter(ids)  # every call, exactly once
    assert r.status_code == 200
    listed = r.json()
    assert {e["message_id"] for e in listed} == set(ids)
    assert {e["type"] for e in listed} == {"track", "identify", "page", "screen", "alias", "group"}
    assert all(e["user_key"] == "external:webshop:c-1" for e in listed)


def test_the_client_retries_429_and_503_and_everything_lands_once(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_source(hub, "webshop", "web")
    name = "append_pg" if hub.engine.dialect.name == "postgresql" else "append_sqlite"
    real, writes = getattr(store, name), []

    def first_answer_lost(*args: Any) -> Any:
        writes.append(len(args[1]))
        new = real(*args)
        if len(writes) == 1:  # committed, but the hub cannot say so: 503, the client retries
            raise _unreachable_error(hub)
        return new

    monkeypatch.setattr(store, name, first_answer_lost)
    errors: list[Any] = []
    with threaded_server(hub) as (base, app):
        collector: Collector = app.state.collector
        for _ in range(collector.gate.limit):  # the hub starts out saturated: 429
            collector.gate.enter()
        release = threading.Timer(1.5, lambda: [collector.gate.leave() for _ in range(collector.gate.limit)])
        release.start()
        client = Client(key, host=base, upload_interval=0.05, on_error=lambda e, b: errors.append(e))
        first = send_every_call(client)
        client.flush()
        more = [
            client.track(f"c-{i}", "Added", message_id=str(uuid.uuid4()))[1]["messageId"] for i in range(50)
        ]
        client.flush()
        client.join()
        release.join()
        refused = collector.gate.refused
    assert errors == []
    assert refused >= 1  # the client met a 429 and came back after Retry-After
    assert len(writes) >= 2  # the 503'd batch was sent again
    assert stored_ids(hub) == Counter(first + more)  # nothing lost, nothing twice
