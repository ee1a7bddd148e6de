"""Pooled PostgreSQL connections: pinged only after they sat idle, and a dead one is replaced."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from omohub.core import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="the pool's ping matters on PostgreSQL")


@pytest.fixture
def engine() -> Iterator[Engine]:
    assert PG_URL
    e = db.make_engine(PG_URL, pool_size=1)
    yield e
    e.dispose()


def pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def kill(connection_pid: int) -> None:
    assert PG_URL
    admin = db.make_engine(PG_URL)
    with admin.connect() as conn:  # the server drops it while it sits in the pool
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": connection_pid})
        conn.commit()
    admin.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No round trip before each unit of work: a connection that died a moment ago fails its
    statement once (no ping caught it), and the pool then starts afresh."""
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 3600.0)
    dead = pid(engine)
    kill(dead)
    with pytest.raises(OperationalError):
        pid(engine)
    assert pid(engine) != dead


def test_an_idle_connection_that_died_is_replaced_before_use(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = pid(engine)
    kill(dead)
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    assert pid(engine) != dead  # the ping failed, the pool connected afresh, no error reached us
