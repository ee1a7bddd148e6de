"""Database conventions decided once: naming, UTC timestamps, ids, JSON, engines, sessions.

Engines are built by the composition root (``omohub.bootstrap``), never at import.
A unit of work is one transaction; services receive a ``Session`` and never commit.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, ClassVar

from pydantic import Field
from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Primary keys: 64-bit on PostgreSQL, SQLite's rowid alias on SQLite.
BigId = BigInteger().with_variant(Integer, "sqlite")
#: The largest id either backend can hold; a larger one names nothing and cannot be bound.
MAX_ID = 2**63 - 1
#: An id as the API accepts it (path, query or body): beyond ``MAX_ID`` is a 422, not a 500.
RowId = Annotated[int, Field(le=MAX_ID)]
#: Documents: JSONB on PostgreSQL, JSON text on SQLite.
Json = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC in and out; naive datetimes are refused, never guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime(), dict[str, Any]: Json}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver must not open transactions on its own: we emit BEGIN IMMEDIATE below so
    # that concurrent writers queue on busy_timeout instead of failing on lock upgrade.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL+NORMAL survives a killed process
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Build an engine with the hub's per-backend settings."""
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2)
    event.listen(engine, "checkin", _idle_from)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


#: A pooled connection idle longer than this is pinged before use (a restarted server or a
#: firewall may have dropped it). One used more recently is not: a ping on every checkout was
#: a round trip per unit of work (ADR 0092); if such a connection is dead all the same, the
#: statement fails, SQLAlchemy sees the disconnect and the pool drops every older connection.
IDLE_PING_SECONDS = 5.0


def _idle_from(_dbapi_conn: Any, record: Any) -> None:
    record.info["idle_from"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    idle_from = record.info.get("idle_from")
    if idle_from is None or time.monotonic() - idle_from < IDLE_PING_SECONDS:
        return
    try:
        cur = dbapi_conn.cursor()
        cur.execute("SELECT 1")
        cur.close()
        dbapi_conn.rollback()
    except Exception as exc:  # the pool retries with a fresh connection
        raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def insert_for(session: Session) -> Any:
    """The dialect's ``insert`` (with ``on_conflict_do_nothing`` / ``_do_update``) for this session."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends cleanly, rolled back otherwise."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
