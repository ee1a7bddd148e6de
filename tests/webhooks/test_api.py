"""``/api/v1/webhooks``: admin only, precise errors that change nothing, secrets shown once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from tests.helpers import drain
from tests.webhooks.helpers import member_created
from tests.webhooks.receiver import Receiver

URL = "https://erp.example.com/omohub"


def test_subscriptions_need_an_admin_key(client: TestClient, pos: dict[str, str]) -> None:
    body = {"url": URL, "topics": ["member.created"]}
    assert client.post("/api/v1/webhooks", json=body).status_code == 401
    r = client.post("/api/v1/webhooks", headers=pos, json=body)
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/webhooks", headers=pos).status_code == 403


def test_bad_subscriptions_are_refused_and_nothing_is_created(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.post("/api/v1/webhooks", headers=admin, json={"url": URL, "topics": ["member.deleted"]})
    assert r.status_code == 422
    assert r.json()["code"] == "unknown_topic" and "member.deleted" in r.json()["detail"]
    assert "order.completed" in r.json()["detail"]  # says what is known
    for bad in [
        {"url": "ftp://example.com", "topics": ["member.created"]},
        {"url": "not a url", "topics": ["member.created"]},
        {"url": URL, "topics": []},
        {"url": URL, "topics": ["member.created"], "secret": "mine"},
    ]:
        r = client.post("/api/v1/webhooks", headers=admin, json=bad)
        assert r.status_code == 422, bad
    assert client.get("/api/v1/webhooks", headers=admin).json() == []


def test_the_secret_is_shown_once_and_a_subscription_can_be_changed_and_deactivated(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.post(
        "/api/v1/webhooks",
        headers=admin,
        json={
            "url": URL,
            "topics": ["order.completed", "member.created", "order.completed"],
            "description": "ERP",
        },
    )
    assert r.status_code == 201
    created = r.json()
    assert created["topics"] == ["member.created", "order.completed"] and created["active"] is True
    assert len(created["secret"]) > 30
    listed = client.get("/api/v1/webhooks", headers=admin).json()
    assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{created['id']}", headers=admin).json()

    r = client.patch(f"/api/v1/webhooks/{created['id']}", headers=admin, json={"topics": ["nope"]})
    assert r.status_code == 422
    r = client.patch(
        f"/api/v1/webhooks/{created['id']}", headers=admin, json={"topics": ["*"], "url": URL + "/v2"}
    )
    assert r.status_code == 200 and r.json()["topics"] == ["*"] and r.json()["url"] == URL + "/v2"

    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/webhooks/{created['id']}", headers=admin).json()["active"] is False
    r = client.patch(f"/api/v1/webhooks/{created['id']}", headers=admin, json={"active": True})
    assert r.json()["active"] is True
    for method, path in [
        ("GET", "/api/v1/webhooks/999"),
        ("PATCH", "/api/v1/webhooks/999"),
        ("DELETE", "/api/v1/webhooks/999"),
        ("GET", "/api/v1/webhooks/999/deliveries"),
        ("GET", f"/api/v1/webhooks/{created['id']}/deliveries/999"),
        ("POST", f"/api/v1/webhooks/{created['id']}/deliveries/999/redeliver"),
    ]:
        r = client.request(method, path, headers=admin, json={} if method == "PATCH" else None)
        assert r.status_code == 404, (method, path, r.text)


def test_deliveries_are_listed_newest_first_filtered_and_paged(
    hub: Hub, client: TestClient, admin: dict[str, str], receiver: Receiver
) -> None:
    sub = client.post("/api/v1/webhooks", headers=admin, json={"url": receiver.url, "topics": ["*"]}).json()
    receiver.answer = lambda n, body: 500 if b'"member_id":3' in body else 200
    for n in range(1, 6):
        member_created(hub, n)
    drain(hub)
    path = f"/api/v1/webhooks/{sub['id']}/deliveries"
    every = client.get(path, headers=admin).json()
    assert [d["id"] for d in every] == sorted((d["id"] for d in every), reverse=True) and len(every) == 5
    [pending] = client.get(path, headers=admin, params={"status": "pending"}).json()
    assert (pending["attempts"], pending["last_status_code"]) == (1, 500)
    assert pending["next_attempt_at"] is not None and pending["body"] is None
    page1 = client.get(path, headers=admin, params={"limit": 2}).json()
    page2 = client.get(path, headers=admin, params={"limit": 2, "before": page1[-1]["id"]}).json()
    assert [d["id"] for d in page1 + page2] == [d["id"] for d in every[:4]]
    assert client.get(path, headers=admin, params={"status": "lost"}).status_code == 422
    r = client.post(f"{path}/{pending['id']}/redeliver", headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "not_redeliverable"
    delivered = every[0]["id"]
    r = client.post(f"{path}/{delivered}/redeliver", headers=admin)  # a receiver lost it: send again
    assert r.status_code == 202 and r.json()["status"] == "pending"
    drain(hub)
    assert [x.delivery_id for x in receiver.received].count(str(delivered)) == 2


def test_redeliver_failed_requeues_them_all(
    hub: Hub, client: TestClient, admin: dict[str, str], receiver: Receiver
) -> None:
    hub.settings.webhook_max_attempts = 1
    sub = client.post("/api/v1/webhooks", headers=admin, json={"url": receiver.url, "topics": ["*"]}).json()
    receiver.answer = lambda n, body: 410
    for n in range(3):
        member_created(hub, n)
    drain(hub)
    path = f"/api/v1/webhooks/{sub['id']}/deliveries"
    assert len(client.get(path, headers=admin, params={"status": "failed"}).json()) == 3
    assert client.delete(f"/api/v1/webhooks/{sub['id']}", headers=admin).status_code == 204
    r = client.post(f"{path}/redeliver-failed", headers=admin)
    assert r.status_code == 409  # inactive: activate first
    client.patch(f"/api/v1/webhooks/{sub['id']}", headers=admin, json={"active": True})
    receiver.answer = lambda n, body: 200
    r = client.post(f"{path}/redeliver-failed", headers=admin)
    assert r.status_code == 202 and r.json() == {"requeued": 3}
    drain(hub)
    assert {d["status"] for d in client.get(path, headers=admin).json()} == {"delivered"}


def test_ids_beyond_64_bits_are_not_found_not_a_crash(client: TestClient, admin: dict[str, str]) -> None:
    sub = client.post("/api/v1/webhooks", headers=admin, json={"url": URL, "topics": ["*"]}).json()["id"]
    huge = "9" * 30
    for method, path in [
        ("GET", f"/api/v1/webhooks/{huge}"),
        ("PATCH", f"/api/v1/webhooks/{huge}"),
        ("DELETE", f"/api/v1/webhooks/{huge}"),
        ("GET", f"/api/v1/webhooks/{huge}/deliveries"),
        ("GET", f"/api/v1/webhooks/{sub}/deliveries/{huge}"),
        ("POST", f"/api/v1/webhooks/{sub}/deliveries/{huge}/redeliver"),
        ("POST", f"/api/v1/webhooks/{huge}/deliveries/redeliver-failed"),
    ]:
        r = client.request(method, path, headers=admin, json={} if method == "PATCH" else None)
        assert r.status_code == 404, (method, path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    r = client.get(f"/api/v1/webhooks/{sub}/deliveries", params={"before": huge}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.before"
