"""``omohub worker`` as a real process: killed mid-delivery it loses nothing; SIGTERM is graceful."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from omohub.bootstrap import Hub, build_hub
from omohub.core.config import Settings
from tests.webhooks.helpers import deliveries, member_created, subscribe
from tests.webhooks.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
#: ``omohub worker``, run from the checkout (the console script may not be installed).
OMOHUB_WORKER = [sys.executable, "-c", "from omohub.cli import main; main()", "worker"]


@pytest.fixture
def real_hub(settings: Settings) -> Iterator[Hub]:
    h = build_hub(settings)  # the worker process runs on the real clock
    yield h
    h.close()


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMOHUB_")}
    env.update(
        OMOHUB_DATABASE_URL=settings.database_url,
        OMOHUB_SECRET_KEY="test-secret",
        OMOHUB_VAR_DIR=str(settings.var_dir),
        OMOHUB_WORKER_POLL_SECONDS="0.05",
        OMOHUB_WEBHOOK_CONCURRENCY="4",
        **extra,
    )
    return env


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(OMOHUB_WORKER, env=env, stdout=out, stderr=out, cwd=ROOT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_a_worker_killed_mid_delivery_delivers_everything_after_restart(
    real_hub: Hub, settings: Settings, receiver: Receiver, tmp_path: Path
) -> None:
    subscribe(real_hub, receiver.url, "member.created")
    for n in range(40):
        member_created(real_hub, n)
    release = threading.Event()

    def first_six_then_hang(n: int, body: bytes) -> int:
        if n < 6:
            return 200
        release.wait(30)  # in flight when the worker dies; never acknowledged
        return 503

    receiver.answer = first_six_then_hang
    # A short lease so the deliveries in flight at the crash come due again in seconds.
    env = worker_env(settings, OMOHUB_WEBHOOK_TIMEOUT_SECONDS="1", OMOHUB_WEBHOOK_LEASE_SECONDS="3")
    log = tmp_path / "worker.log"
    with worker(env, log) as proc:
        wait_for(lambda: receiver.started > 6, "a delivery in flight")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    receiver.answer = lambda n, body: 200
    release.set()
    before = deliveries(real_hub)
    in_flight = [d.id for d in before if d.status == "pending" and d.attempts == 1]
    assert len(before) == 40
    assert in_flight, "the kill must land while deliveries are in flight"
    assert any(d.status == "delivered" for d in before)
    assert any(d.status == "pending" and d.attempts == 0 for d in before)

    with worker(env, log) as proc:
        wait_for(lambda: len({r.delivery_id for r in receiver.acked()}) == 40, "every delivery", timeout=120)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()

    acked = {r.event["id"] for r in receiver.acked()}
    assert acked == {d.body["id"] for d in before}  # every event arrived at least once
    after = {d.id: d for d in deliveries(real_hub)}
    assert {d.status for d in after.values()} == {"delivered"}
    assert all(after[i].attempts == 2 for i in in_flight)  # re-sent after the lease ran out


def test_sigterm_finishes_the_batch_in_hand_and_exits_cleanly(
    real_hub: Hub, settings: Settings, receiver: Receiver, tmp_path: Path
) -> None:
    subscribe(real_hub, receiver.url, "*")
    for n in range(20):
        member_created(real_hub, n)
    receiver.delay = 0.3
    log = tmp_path / "worker.log"
    with worker(worker_env(settings), log) as proc:
        wait_for(lambda: receiver.started > 0, "the first delivery")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()
    assert "worker stopped" in log.read_text()
    stored = deliveries(real_hub)
    sent = {d.id for d in stored if d.attempts}
    assert sent and len(sent) < 20  # it stopped early …
    assert {d.status for d in stored if d.id in sent} == {"delivered"}  # … with nothing half-done
    assert {r.delivery_id for r in receiver.acked()} == {str(i) for i in sent}
