"""Webhook tests run on a frozen clock (retries are time-driven) against a real receiver."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from omohub.bootstrap import Hub, build_hub
from omohub.core.clock import FrozenClock
from omohub.core.config import Settings
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


@pytest.fixture
def hub(settings: Settings, clock: FrozenClock) -> Iterator[Hub]:
    h = build_hub(settings, clock=clock)
    yield h
    h.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r
