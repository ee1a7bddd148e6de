"""The worker's housekeeping: what is past retention goes, what is still owed stays."""

from __future__ import annotations

from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.core.clock import FrozenClock
from omohub.core.outbox import OutboxMessage
from omohub.worker import Housekeeping
from tests.helpers import drain
from tests.webhooks.helpers import deliveries, member_created, subscribe
from tests.webhooks.receiver import Receiver


def outbox_ids(hub: Hub) -> list[int]:
    with hub.uow() as session:
        return list(session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))


def test_old_dispatched_messages_and_finished_deliveries_are_deleted_pending_ones_kept(
    hub: Hub, receiver: Receiver, clock: FrozenClock
) -> None:
    subscribe(hub, receiver.url, "member.created")
    receiver.answer = lambda n, body: 500 if b'"member_id":2' in body else 200
    member_created(hub, 1)
    member_created(hub, 2)  # its delivery keeps failing: pending, owed, never pruned
    drain(hub)
    clock.advance(days=6)
    member_created(hub, 3)
    drain(hub)
    keeper = Housekeeping()
    clock.advance(days=1, minutes=-30)
    assert keeper(hub) == 0  # nothing is 7 days old yet
    clock.advance(minutes=31)
    assert keeper(hub) == 0  # 1 and 2 are now, but it rests for an hour after a run that found little
    clock.advance(minutes=30)
    assert keeper(hub) == 2  # messages 1 and 2 (dispatched 7 days ago)
    assert len(outbox_ids(hub)) == 1
    assert {d.body["data"]["member_id"]: d.status for d in deliveries(hub)} == {
        1: "delivered",
        2: "pending",
        3: "delivered",
    }
    clock.advance(days=30)
    drain(hub)
    clock.advance(hours=1)
    keeper(hub)
    assert outbox_ids(hub) == []
    assert [d.body["data"]["member_id"] for d in deliveries(hub)] == [2]  # still owed


def test_retention_zero_keeps_everything(hub: Hub, receiver: Receiver, clock: FrozenClock) -> None:
    hub.settings.outbox_retention_days = hub.settings.webhook_retention_days = 0
    subscribe(hub, receiver.url, "member.created")
    member_created(hub, 1)
    drain(hub)
    clock.advance(days=400)
    assert Housekeeping()(hub) == 0
    assert len(outbox_ids(hub)) == 1 and len(deliveries(hub)) == 1
