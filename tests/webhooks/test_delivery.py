"""Deliveries against a real HTTP receiver: signed, retried with backoff, from the outbox."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from omohub.api.app import create_app
from omohub.bootstrap import Hub, build_hub
from omohub.core.clock import FrozenClock
from omohub.core.outbox import emit, relay_batch
from omohub.members.events import MemberCreated
from omohub.webhooks import service
from omohub.webhooks.rules import verify
from tests.helpers import drain
from tests.webhooks.helpers import deliveries, member_created, outbox_count, subscribe
from tests.webhooks.receiver import Receiver


def test_a_new_member_reaches_the_receiver_signed(
    hub: Hub,
    client: TestClient,
    admin: dict[str, str],
    pos: dict[str, str],
    receiver: Receiver,
    clock: FrozenClock,
) -> None:
    r = client.post(
        "/api/v1/webhooks", headers=admin, json={"url": receiver.url, "topics": ["member.created"]}
    )
    assert r.status_code == 201, r.text
    sub = r.json()
    assert sub["secret"].startswith("whsec_")
    r = client.post("/api/v1/members", headers=pos, json={"phone": "0912-345-678", "channel": "pos"})
    assert r.status_code == 201, r.text
    member_id = r.json()["member"]["id"]
    assert receiver.received == []  # nothing is sent inside the request
    drain(hub)
    [got] = receiver.received
    now = int(clock().timestamp())
    assert verify(sub["secret"], got.headers["x-omohub-signature"], got.body, now=now)
    assert not verify(sub["secret"], got.headers["x-omohub-signature"], got.body + b" ", now=now)
    assert not verify("whsec_other", got.headers["x-omohub-signature"], got.body, now=now)
    event = got.event
    assert event["type"] == "member.created" == got.headers["x-omohub-event"]
    assert event["data"]["member_id"] == member_id and event["data"]["channel"] == "pos"  # type: ignore[index]
    assert "phone" in event["data"]["identifier_types"]  # type: ignore[index]
    assert str(event["id"]).startswith("evt_")
    r = client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=admin)
    [d] = r.json()
    assert d["id"] == int(got.delivery_id) and d["event_id"] == event["id"]
    assert (d["status"], d["attempts"], d["last_status_code"]) == ("delivered", 1, 200)


def test_a_500_is_retried_after_the_backoff_then_delivered(
    hub: Hub, receiver: Receiver, clock: FrozenClock
) -> None:
    _, secret = subscribe(hub, receiver.url, "member.created")
    receiver.script(500)
    member_created(hub, 7)
    drain(hub)
    [d] = deliveries(hub)
    assert (d.status, d.attempts, d.last_status_code) == ("pending", 1, 500)
    assert d.last_error is not None and "receiver says no" in d.last_error
    clock.advance(seconds=9)
    drain(hub)
    assert len(receiver.received) == 1  # not due yet: the first retry waits 10 s
    clock.advance(seconds=1)
    drain(hub)
    first, second = receiver.received
    assert [first.status, second.status] == [500, 200]
    assert first.delivery_id == second.delivery_id and first.body == second.body
    assert [first.headers["x-omohub-attempt"], second.headers["x-omohub-attempt"]] == ["1", "2"]
    assert verify(secret, second.headers["x-omohub-signature"], second.body, now=int(clock().timestamp()))
    [d] = deliveries(hub)
    assert (d.status, d.attempts, d.last_status_code, d.last_error) == ("delivered", 2, 200, None)


def test_a_rolled_back_transaction_leaves_no_event_and_sends_nothing(hub: Hub, receiver: Receiver) -> None:
    subscribe(hub, receiver.url)
    with pytest.raises(RuntimeError), hub.uow() as session:
        emit(session, MemberCreated(1, "pos", ["phone"]))
        session.flush()  # the row was written inside the transaction …
        raise RuntimeError("the command failed after emitting")
    assert outbox_count(hub) == 0  # … and rolled back with it
    member_created(hub, 2)  # a committed one in the same run does go out
    drain(hub)
    assert [r.event["data"]["member_id"] for r in receiver.received] == [2]  # type: ignore[index]
    assert [d.body["data"]["member_id"] for d in deliveries(hub)] == [2]


def test_after_the_last_attempt_a_delivery_is_failed_and_can_be_redelivered(
    hub: Hub, receiver: Receiver, clock: FrozenClock, admin: dict[str, str]
) -> None:
    settings = hub.settings.model_copy(update={"webhook_max_attempts": 3})
    three = build_hub(settings, clock=clock)
    try:
        sub_id, _ = subscribe(three, receiver.url, "member.created")
        receiver.answer = lambda n, body: 503
        member_created(three, 1)
        for _ in range(6):
            drain(three)
            clock.advance(hours=1)
        [d] = deliveries(three)
        assert (d.status, d.attempts, d.last_status_code) == ("failed", 3, 503)
        assert len(receiver.received) == 3
        receiver.answer = lambda n, body: 200
        with TestClient(create_app(three)) as api:
            r = api.post(f"/api/v1/webhooks/{sub_id}/deliveries/{d.id}/redeliver", headers=admin)
            assert r.status_code == 202, r.text
            assert (r.json()["status"], r.json()["attempts"]) == ("pending", 0)
            r = api.post(f"/api/v1/webhooks/{sub_id}/deliveries/{d.id}/redeliver", headers=admin)
            assert r.status_code == 409  # already queued
            drain(three)
            r = api.get(f"/api/v1/webhooks/{sub_id}/deliveries/{d.id}", headers=admin)
        assert (r.json()["status"], r.json()["attempts"]) == ("delivered", 1)
        assert r.json()["body"]["type"] == "member.created"
        assert len(receiver.received) == 4 and receiver.received[-1].delivery_id == str(d.id)
    finally:
        three.close()


def test_only_subscribed_topics_and_active_subscriptions_get_deliveries(hub: Hub, receiver: Receiver) -> None:
    merged_only, _ = subscribe(hub, receiver.url, "member.merged")
    everything, _ = subscribe(hub, receiver.url + "?all", "*")
    paused, _ = subscribe(hub, receiver.url + "?paused", "member.created")
    member_created(hub, 1)
    relay_batch(hub.sessions, hub.dispatcher)  # fan-out: one delivery per matching subscription
    with hub.uow() as session:
        service.update(session, paused, active=False)  # before it was sent: cancelled
    drain(hub)
    member_created(hub, 2)  # after: no delivery at all for the paused subscription
    drain(hub)
    by_sub = [(d.subscription_id, d.body["data"]["member_id"], d.status) for d in deliveries(hub)]
    assert sorted(by_sub) == [
        (everything, 1, "delivered"),
        (everything, 2, "delivered"),
        (paused, 1, "cancelled"),
    ]
    assert merged_only not in {s for s, _, _ in by_sub}
    assert len(receiver.received) == 2


def test_an_unreachable_receiver_is_an_attempt_with_the_error(hub: Hub) -> None:
    subscribe(hub, "http://127.0.0.1:9/nobody-listens")
    member_created(hub, 1)
    drain(hub)
    [d] = deliveries(hub)
    assert (d.status, d.attempts, d.last_status_code) == ("pending", 1, None)
    assert d.last_error is not None and "Connect" in d.last_error
