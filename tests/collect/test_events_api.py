"""``GET /api/v1/events``: stored calls by raw userId, anonymousId or member, newest first."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from tests.helpers import basic, drain, new_source


def send(client: TestClient, key: dict[str, str], *calls: dict[str, Any]) -> None:
    r = client.post("/v1/batch", headers=key, json={"batch": list(calls)})
    assert r.status_code == 200 and r.json()["stored"] == len(calls), r.text


def test_events_by_user_id_anonymous_id_and_member(
    hub: Hub, client: TestClient, admin: dict[str, str]
) -> None:
    shop = basic(new_source(hub, "webshop", "web"))
    pos = basic(new_source(hub, "pos-erp", "pos"))
    send(
        client,
        shop,
        {"type": "page", "anonymousId": "a-1", "name": "Home", "messageId": "m-1"},
        {"type": "track", "anonymousId": "a-1", "event": "Product Viewed", "messageId": "m-2"},
        {"type": "identify", "userId": "123", "anonymousId": "a-1", "messageId": "m-3"},
    )
    send(client, pos, {"type": "track", "userId": "123", "event": "Bought", "messageId": "m-4"})

    def ids(**params: Any) -> list[str]:
        r = client.get("/api/v1/events", params=params, headers=admin)
        assert r.status_code == 200, r.text
        return [e["message_id"] for e in r.json()]

    assert ids(anonymous_id="a-1") == ["m-3", "m-2", "m-1"]  # newest first
    assert ids(anonymous_id="a-1", limit=2) == ["m-3", "m-2"]
    assert ids(user_id="123") == ["m-4", "m-3"]  # the raw userId, whichever source sent it
    assert ids(anonymous_id="nobody") == []
    drain(hub)  # the identity processor links a-1 and webshop:123 to one member
    r = client.get("/api/v1/members/lookup", params={"anonymous_id": "a-1"}, headers=admin)
    member_id = r.json()["member"]["id"]
    assert ids(member_id=member_id) == ["m-3", "m-2", "m-1"]  # the browsing before the login too
    event = client.get("/api/v1/events", params={"anonymous_id": "a-1", "limit": 1}, headers=admin).json()[0]
    assert event["type"] == "identify" and event["user_key"] == "external:webshop:123"
    assert event["body"]["messageId"] == "m-3" and event["received_at"] and event["timestamp"]


def test_bad_event_queries_are_precise_errors(
    hub: Hub, client: TestClient, admin: dict[str, str], pos: dict[str, str]
) -> None:
    r = client.get("/api/v1/events", headers=admin)
    assert r.status_code == 422 and "exactly one of" in r.json()["detail"]
    r = client.get("/api/v1/events", params={"user_id": "1", "anonymous_id": "a"}, headers=admin)
    assert r.status_code == 422
    r = client.get("/api/v1/events", params={"anonymous_id": "a", "limit": 0}, headers=admin)
    assert r.status_code == 422
    r = client.get("/api/v1/events", params={"member_id": 999}, headers=admin)
    assert r.status_code == 404
    assert client.get("/api/v1/events", params={"anonymous_id": "a"}).status_code == 401
    assert client.get("/api/v1/events", params={"anonymous_id": "a"}, headers=pos).status_code == 403
