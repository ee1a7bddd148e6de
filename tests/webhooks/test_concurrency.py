"""Two workers deliver in parallel against one receiver: every delivery exactly once.

On PostgreSQL the claim is ``FOR UPDATE SKIP LOCKED`` plus a lease; on SQLite the claims are
serialised by the write lock. Both must hand each delivery to exactly one worker.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx

from omohub.bootstrap import Hub, build_hub
from omohub.core.config import Settings
from omohub.worker import run_once
from tests.webhooks.helpers import deliveries, member_created, subscribe
from tests.webhooks.receiver import Receiver

EVENTS = 30


def test_two_workers_in_parallel_send_each_delivery_exactly_once(
    settings: Settings, receiver: Receiver
) -> None:
    hubs = [build_hub(settings), build_hub(settings)]  # two workers: own engines, real clock
    try:
        subscribe(hubs[0], receiver.url, "member.created")
        subscribe(hubs[0], receiver.url + "?second", "*")
        for n in range(EVENTS):
            member_created(hubs[0], n)
        receiver.delay = 0.01  # slow enough that the workers' batches overlap
        worked: Counter[int] = Counter()
        start = threading.Barrier(2)

        def work(i: int, hub: Hub) -> None:
            with httpx.Client(timeout=5) as client:
                start.wait()
                deadline = time.monotonic() + 120
                while len(receiver.acked()) < 2 * EVENTS and time.monotonic() < deadline:
                    worked[i] += run_once(hub, client)

        threads = [threading.Thread(target=work, args=(i, h)) for i, h in enumerate(hubs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sent = Counter(r.delivery_id for r in receiver.received)
        stored = deliveries(hubs[0])
        assert len(stored) == 2 * EVENTS
        assert sent == {str(d.id): 1 for d in stored}  # each one exactly once
        assert {(d.status, d.attempts) for d in stored} == {("delivered", 1)}
        assert worked[0] and worked[1]  # both workers took part
    finally:
        for h in hubs:
            h.close()
