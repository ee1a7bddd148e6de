"""Nothing lost: SIGKILL the server in the middle of a ``/v1/batch`` load; every messageId it
acknowledged with 200 is in the store afterwards (issue #2, "Nothing lost")."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from omohub.bootstrap import Hub
from tests.collect.servers import server_process
from tests.helpers import new_source

CLIENTS = 4
BATCH = 50


def test_every_acknowledged_event_survives_a_sigkill(hub: Hub, database_url: str, tmp_path: Path) -> None:
    key = new_source(hub, "webshop", "web")
    acked: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(base: str) -> None:
        with httpx.Client(base_url=base, auth=(key, ""), timeout=10) as http:
            for _ in range(2000):  # bounded; the kill ends it long before
                if stop.is_set():
                    return
                ids = [str(uuid.uuid4()) for _ in range(BATCH)]
                batch = [
                    {"type": "track", "event": "Viewed", "anonymousId": "a", "messageId": m} for m in ids
                ]
                try:
                    r = http.post("/v1/batch", json={"batch": batch})
                except httpx.TransportError as exc:
                    with lock:
                        failures.append(type(exc).__name__)
                    return
                if r.status_code == 200:
                    with lock:
                        acked.extend(ids)

    with server_process(database_url, tmp_path / "var") as (base, proc):
        threads = [threading.Thread(target=load, args=(base,)) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 40 * BATCH and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.kill()  # SIGKILL: no shutdown, no flush, requests in flight
        proc.wait()
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert len(acked) >= 40 * BATCH
    assert failures  # the clients were cut off mid-load
    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT message_id FROM events")).scalars())
        ledger = conn.execute(text("SELECT count(*) FROM event_message_ids")).scalar()
    engine.dispose()
    missing = set(acked) - stored
    assert not missing, f"{len(missing)} acknowledged events lost"
    assert ledger == len(stored)  # the ledger and the store committed together
