"""The Segment HTTP contract of ``/v1/*`` through the real application (issue #2, Collection)."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text

from omohub.bootstrap import Hub
from omohub.collect.models import Event, MessageId
from tests.helpers import basic, new_source


def ev(mid: str, **extra: Any) -> dict[str, Any]:
    return {"type": "track", "event": "Product Viewed", "anonymousId": "a-1", "messageId": mid, **extra}


def stored(hub: Hub) -> list[str]:
    with hub.uow() as s:
        return list(s.scalars(select(Event.message_id).order_by(Event.seq)))


@pytest.fixture
def web(hub: Hub) -> dict[str, str]:
    return basic(new_source(hub, "webshop", "web"))


def test_a_batch_keeps_good_events_and_lists_the_rejected_with_reasons(
    hub: Hub, client: TestClient, web: dict[str, str]
) -> None:
    batch = [
        ev("m-1", properties={"product_id": "SKU-1"}),
        {"type": "purchase", "anonymousId": "a", "messageId": "m-bad-type"},
        {"type": "track", "anonymousId": "a", "messageId": "m-no-name"},
        {"type": "page", "messageId": "m-nobody"},
        ev("m-huge", properties={"blob": "x" * 33_000}),
        ev("m-bad-time", timestamp="yesterday"),
        ev("m-nul", properties={"q": "a\x00b"}),
        "not an object",
        {"type": "alias", "userId": "c-1", "messageId": "m-alias-no-previous"},
        {"type": "identify", "userId": "c-1", "messageId": "m-2", "traits": {"email": "a@example.tw"}},
    ]
    r = client.post("/v1/batch", headers=web, json={"batch": batch})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["accepted"], body["stored"], body["duplicates"]) == (2, 2, 0)
    reasons = {x["messageId"]: x["reason"] for x in body["rejected"]}
    assert [x["index"] for x in body["rejected"]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert "unknown event type 'purchase'" in reasons["m-bad-type"]
    assert reasons["m-no-name"] == "track needs an event name"
    assert reasons["m-nobody"] == "userId or anonymousId is required"
    assert reasons["m-huge"] == "event larger than 32 KB"
    assert "bad timestamp 'yesterday'" in reasons["m-bad-time"]
    assert "NUL" in reasons["m-nul"]
    assert reasons[None] == "an event must be a JSON object"
    assert reasons["m-alias-no-previous"] == "alias needs userId and previousId"
    assert stored(hub) == ["m-1", "m-2"]
    with hub.uow() as s:
        first = s.scalars(select(Event).where(Event.message_id == "m-1")).one()
        assert (first.type, first.event, first.anonymous_id, first.product_ref) == (
            "track",
            "Product Viewed",
            "a-1",
            "SKU-1",
        )
        second = s.scalars(select(Event).where(Event.message_id == "m-2")).one()
        assert second.user_key == "external:webshop:c-1"
        assert second.body["traits"] == {"email": "a@example.tw"}


def test_a_batch_with_no_good_event_is_400_listing_every_rejection(
    hub: Hub, client: TestClient, web: dict[str, str]
) -> None:
    r = client.post("/v1/batch", headers=web, json={"batch": [{"type": "nope", "messageId": "x"}]})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["code"] == "bad_event" and "unknown event type 'nope'" in body["message"]
    assert body["rejected"][0]["messageId"] == "x"
    assert stored(hub) == []


def test_a_resent_message_id_is_acknowledged_and_stored_once(
    hub: Hub, client: TestClient, web: dict[str, str]
) -> None:
    batch = {"batch": [ev("m-1"), ev("m-2"), ev("m-1")]}  # a repeat inside the batch too
    first = client.post("/v1/batch", headers=web, json=batch).json()
    assert (first["accepted"], first["stored"], first["duplicates"]) == (3, 2, 1)
    again = client.post("/v1/batch", headers=web, json=batch).json()
    assert again["success"] is True and (again["stored"], again["duplicates"]) == (0, 3)
    r = client.post("/v1/track", headers=web, json=ev("m-2"))
    assert r.status_code == 200 and r.json() == {"success": True, "stored": 0, "duplicates": 1}
    assert stored(hub) == ["m-1", "m-2"]
    # the same messageId from another source is another event
    other = basic(new_source(hub, "app", "app"))
    assert client.post("/v1/track", headers=other, json=ev("m-1")).json()["stored"] == 1
    with hub.uow() as s:
        assert s.scalar(select(func.count()).select_from(MessageId)) == 3


def test_each_call_type_has_its_route_and_unknown_ones_do_not(
    hub: Hub, client: TestClient, web: dict[str, str]
) -> None:
    calls = {
        "track": {"event": "Signed Up"},
        "identify": {"traits": {"name": "Amy"}},
        "page": {"name": "Home"},
        "screen": {"name": "Cart"},
        "group": {"groupId": "g-1"},
        "alias": {"previousId": "a-1"},
    }
    for type_, extra in calls.items():
        r = client.post(f"/v1/{type_}", headers=web, json={"userId": "c-1", "messageId": type_, **extra})
        assert r.status_code == 200, (type_, r.text)
    with hub.uow() as s:
        assert [
            (e.message_id, e.type, e.body["type"]) for e in s.scalars(select(Event).order_by(Event.seq))
        ] == [(t, t, t) for t in calls]
    r = client.post("/v1/purchase", headers=web, json={"userId": "c-1"})
    assert r.status_code == 404
    r = client.post("/v1/track", headers=web, json={"userId": "c-1", "messageId": "t-2"})
    assert r.status_code == 400 and r.json()["detail"] == "track needs an event name"


def test_the_write_key_is_the_basic_auth_user_name_or_the_body_write_key(
    hub: Hub, client: TestClient, web: dict[str, str]
) -> None:
    key = new_source(hub, "pos", "pos")
    r = client.post("/v1/batch", json={"batch": [ev("m-1")], "writeKey": key})
    assert r.status_code == 200
    r = client.post("/v1/batch", headers=basic("wk_wrong"), json={"batch": [ev("m-2")], "writeKey": key})
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "bad_write_key" and r.json()["message"] == "unknown or revoked write key"
    r = client.post("/v1/batch", json={"batch": [ev("m-3")]})
    assert r.status_code == 401 and "Basic-auth user name" in r.json()["message"]
    r = client.post("/v1/track", headers=basic("wk_wrong"), content=b"{not json")
    assert r.status_code == 401  # the key is checked before the body is read
    assert stored(hub) == ["m-1"]


def test_malformed_json_is_400_and_changes_nothing(hub: Hub, client: TestClient, web: dict[str, str]) -> None:
    for body in (b'{"batch": [', b"", b"[1, 2]", b'{"batch": {}}', b'{"batch": []}'):
        r = client.post("/v1/batch", headers=web, content=body)
        assert r.status_code == 400, body
        assert r.json()["code"] == "bad_event"
    assert "malformed JSON" in client.post("/v1/batch", headers=web, content=b"{,}").json()["message"]
    assert stored(hub) == []


def test_gzip_bodies_are_accepted(hub: Hub, client: TestClient, web: dict[str, str]) -> None:
    raw = orjson.dumps({"batch": [ev("m-1"), ev("m-2")]})
    r = client.post("/v1/batch", headers={**web, "Content-Encoding": "gzip"}, content=gzip.compress(raw))
    assert r.status_code == 200 and r.json()["stored"] == 2
    r = client.post(
        "/v1/batch", headers={**web, "Content-Encoding": "gzip"}, content=gzip.compress(raw)[:-12]
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_event"
    r = client.post("/v1/batch", headers={**web, "Content-Encoding": "br"}, content=raw)
    assert r.status_code == 415
    assert stored(hub) == ["m-1", "m-2"]


def test_bodies_past_the_limits_are_413_and_change_nothing(
    hub: Hub, client: TestClient, web: dict[str, str]
) -> None:
    big = [ev(f"m-{i}", properties={"pad": "x" * 20_000}) for i in range(26)]  # ~520 KB
    r = client.post("/v1/batch", headers=web, json={"batch": big})
    assert r.status_code == 413
    assert r.json()["code"] == "batch_too_large" and r.json()["limit_bytes"] == 500 * 1024
    # a gzip bomb: small on the wire, past the limit once inflated
    bomb = gzip.compress(orjson.dumps({"batch": [ev("m-x", properties={"pad": "0" * 600_000})]}))
    assert len(bomb) < 10_000
    r = client.post("/v1/batch", headers={**web, "Content-Encoding": "gzip"}, content=bomb)
    assert r.status_code == 413 and "decompressed" in r.json()["detail"]
    r = client.post("/v1/track", headers=web, json=ev("m-y", properties={"pad": "x" * 33_000}))
    assert r.status_code == 413 and r.json()["code"] == "event_too_large"
    # just under the batch limit is fine, and each event under 32 KB is kept
    ok = [ev(f"m-{i}", properties={"pad": "x" * 20_000}) for i in range(24)]
    assert client.post("/v1/batch", headers=web, json={"batch": ok}).json()["stored"] == 24
    assert len(stored(hub)) == 24


def test_a_200_means_the_events_are_committed(
    hub: Hub, client: TestClient, web: dict[str, str], database_url: str
) -> None:
    r = client.post("/v1/batch", headers=web, json={"batch": [ev("m-1"), ev("m-2")]})
    assert r.status_code == 200
    # a connection of its own, opened after the answer, sees them: they were committed first
    other = create_engine(database_url)
    with other.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM event_message_ids")).scalar() == 2
    other.dispose()


def test_batch_sent_at_corrects_device_clocks(hub: Hub, client: TestClient, web: dict[str, str]) -> None:
    # the device clock is an hour fast: originalTimestamp and sentAt both say 11:00
    call = ev("m-1", originalTimestamp="2026-03-01T11:00:00Z")
    r = client.post("/v1/batch", headers=web, json={"batch": [call], "sentAt": "2026-03-01T11:00:05Z"})
    assert r.status_code == 200
    with hub.uow() as s:
        event = s.scalars(select(Event)).one()
        assert abs((event.received_at - event.timestamp).total_seconds() - 5) < 1


def test_awkward_text_is_stored_exactly(hub: Hub, client: TestClient, web: dict[str, str]) -> None:
    # tabs, newlines, backslashes and quotes in ids and bodies must survive the store's bulk
    # path (COPY's text format on PostgreSQL) byte for byte
    awkward = 'a\tb\nc\\d\\N "e" \r 小美 \\\\t'
    call = ev("m-\t\\1", anonymousId=awkward, userId=awkward, properties={"path": awkward, "sku": awkward})
    r = client.post("/v1/batch", headers=web, json={"batch": [call]})
    assert r.status_code == 200, r.text
    with hub.uow() as s:
        event = s.scalars(select(Event)).one()
        assert event.message_id == "m-\t\\1"
        assert event.anonymous_id == awkward and event.user_key == f"external:webshop:{awkward}"
        assert event.body["properties"] == {"path": awkward, "sku": awkward}
        assert event.product_ref == awkward[:80]
