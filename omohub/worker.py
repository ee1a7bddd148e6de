"""The worker: relays the outbox, sends webhooks, processes collected events, housekeeping.

Run it as ``omohub worker`` (any number of them on PostgreSQL: rows are claimed with
SKIP LOCKED), or inside ``omohub serve --worker`` / ``omohub demo`` as a thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import weakref
from collections.abc import Callable

import httpx
from sqlalchemy.engine import Engine

from omohub.bootstrap import Hub
from omohub.checkout.housekeeping import prune_lapsed
from omohub.core.outbox import prune, relay_batch
from omohub.webhooks.tasks import deliver_due, prune_deliveries

log = logging.getLogger(__name__)


def jobs(hub: Hub, client: httpx.Client) -> list[tuple[str, Callable[[], int]]]:
    """Each job does one bounded batch and says how much it did."""
    from omohub.checkout.birthdays import birthday_sweep
    from omohub.collect.partitions import keep_ahead
    from omohub.collect.processor import process_batch
    from omohub.loyalty.tasks import sweep

    return [
        ("outbox", lambda: relay_batch(hub.sessions, hub.dispatcher)),
        ("identity", lambda: process_batch(hub.sessions)),
        ("webhooks", lambda: deliver_due(hub.sessions, client)),
        ("loyalty", lambda: sweep(hub.sessions)),
        ("birthdays", lambda: birthday_sweep(hub.sessions)),
        ("partitions", lambda: keep_ahead(hub.engine)),  # daily; free otherwise
        ("housekeeping", lambda: housekeeping(hub)),  # hourly once caught up
    ]


def run_once(hub: Hub, client: httpx.Client) -> int:
    """Every job once; returns the total work done (0 means idle)."""
    done = 0
    for name, job in jobs(hub, client):
        try:
            done += job()
        except Exception:  # a failing job must not stop the others; it retries next tick
            log.exception("worker job %s failed", name)
    return done


def drain(hub: Hub, client: httpx.Client | None = None, max_rounds: int = 1000) -> None:
    """Run until idle (tests and the demo use this to settle everything queued)."""
    own = client is None
    client = client or httpx.Client(timeout=hub.settings.webhook_timeout_seconds)
    try:
        for _ in range(max_rounds):
            if run_once(hub, client) == 0:
                return
    finally:
        if own:
            client.close()


def run_forever(hub: Hub, stop: threading.Event | None = None) -> None:
    """Work until ``stop`` is set; the batch in hand is finished first (nothing half-sent)."""
    stop = stop or threading.Event()
    with httpx.Client(timeout=hub.settings.webhook_timeout_seconds) as client:
        while not stop.is_set():
            if run_once(hub, client) == 0:
                stop.wait(hub.settings.worker_poll_seconds)


def run_process(hub: Hub) -> None:
    """``omohub worker``: log to stderr, work until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is too many
    stop = threading.Event()
    stop_on_signals(stop)
    run_forever(hub, stop)


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM or SIGINT: finish the current batch, then return. A second one exits at once
    (safe too: claimed deliveries come due again when their lease runs out)."""

    def handle(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise SystemExit(128 + signum)
        log.warning("%s: stopping after the current batch", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


class Housekeeping:
    """Deletes outbox messages, webhook deliveries and lapsed quotes past their retention, a
    bounded batch per tick; once caught up it rests for an hour (per engine, i.e. per hub and
    its clock, not per URL: two hubs on one database must not share a rest), so it is free
    otherwise."""

    BATCH = 5000

    def __init__(self) -> None:
        self.rest_until: weakref.WeakKeyDictionary[Engine, dt.datetime] = weakref.WeakKeyDictionary()

    def __call__(self, hub: Hub) -> int:
        key, now, s = hub.engine, hub.context.now(), hub.settings
        if now < self.rest_until.get(key, now - dt.timedelta(seconds=1)):
            return 0
        with hub.uow() as session:
            done = 0
            if s.outbox_retention_days:
                done += prune(session, dt.timedelta(days=s.outbox_retention_days), self.BATCH)
            if s.webhook_retention_days:
                done += prune_deliveries(session, dt.timedelta(days=s.webhook_retention_days), self.BATCH)
            done += prune_lapsed(session, self.BATCH)
        if done < self.BATCH:
            self.rest_until[key] = now + dt.timedelta(hours=1)
        return done


housekeeping = Housekeeping()


class BackgroundWorker:
    """The worker as a daemon thread of the web process (embedded mode, demo)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=run_forever, args=(hub, self.stop_event), daemon=True, name="omohub-worker"
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)
