"""Property-based: random sequences of sign-ups, identifies, aliases, merges, unmerges and
orders never break the identity invariants (see ``machine.py`` for the rules and checks)."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from sqlalchemy import create_engine, text

from omohub.bootstrap import Hub, build_hub
from omohub.core.clock import FrozenClock
from omohub.core.config import Settings
from omohub.models import metadata
from tests.members.machine import AUTO_TYPES, SHARED_CAP, IdentityMachine

#: Examples x steps per backend: SQLite explores, PostgreSQL confirms the same rules hold.
#: ``OMOHUB_MACHINE_EXAMPLES=2000`` soaks (more examples on either backend).
PROFILES = {"sqlite": (50, 30), "postgresql": (8, 20)}
SOAK = int(os.environ.get("OMOHUB_MACHINE_EXAMPLES", "0"))


@pytest.fixture
def new_hub(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[Callable[[FrozenClock], Hub]]:
    counter = itertools.count()

    def make(clock: FrozenClock) -> Hub:
        if database_url.startswith("sqlite"):
            path = tmp_path / f"machine-{next(counter)}.db"
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            url = f"sqlite:///{path}"
        else:
            url = database_url
            _truncate(url)
        hub_settings = Settings(
            database_url=url,
            var_dir=tmp_path / "var",
            secret_key="test-secret",
            collect_settle_seconds=0,
            merge_shared_cap=SHARED_CAP,
            merge_auto_types=AUTO_TYPES,
        )
        return build_hub(hub_settings, clock=clock)

    yield make


def _truncate(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def test_identity_invariants_hold_over_random_histories(
    new_hub: Callable[[FrozenClock], Hub], database_url: str
) -> None:
    examples, steps = PROFILES["sqlite" if database_url.startswith("sqlite") else "postgresql"]
    examples = SOAK or examples

    class Machine(IdentityMachine):
        pass

    Machine.new_hub = staticmethod(new_hub)  # type: ignore[method-assign]
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
