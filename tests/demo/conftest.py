"""A small demo brand, built into the test database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt

import pytest

from omohub.bootstrap import Hub
from omohub.demo.service import DemoResult, build_demo

SEED = 7
MEMBERS = 300
AS_OF = dt.date(2025, 11, 20)


def build(hub: Hub, seed: int = SEED) -> DemoResult:
    return build_demo(hub, members=MEMBERS, seed=seed, as_of=AS_OF, passwords=("admin-pass", "clerk-pass"))


@pytest.fixture
def demo(hub: Hub) -> DemoResult:
    return build(hub)
