"""Version tokens for data that changes rarely and is read on every call, and the per-process
caches keyed by them (ADR 0094).

Every writer of such data (the catalog, stores, the loyalty program, promotions) replaces its
token with :func:`bump` in the same transaction. A cache keeps what it loaded with the token it
read *before* loading, so one ``SELECT`` of this small table tells every cache at once whether
it is still good — in every API process, whichever of them made the change. Tokens are random
(not counters): a database emptied and refilled never repeats an old token.

A name without a token (a database that nothing has bumped since it was emptied) is cached for
one transaction only.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import String, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from omohub.core.context import ctx
from omohub.core.db import Base, insert_for

CATALOG, STORES, LOYALTY, PROMOTIONS = "catalog", "stores", "loyalty", "promotions"
NAMES = (CATALOG, STORES, LOYALTY, PROMOTIONS)

_MEMO = "core.versions"

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class DataVersion(Base):
    """One row per cached kind of data; ``token`` changes with every write to it."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[dt.datetime]


#: Built once, as plain columns: every transaction that prices a cart runs it first.
_TOKENS = select(DataVersion.__table__.c.name, DataVersion.__table__.c.token)


def bump(session: Session, name: str) -> None:
    """Mark ``name``'s data changed (an upsert: the row may not exist yet)."""
    row = {"name": name, "token": uuid.uuid4().hex, "changed_at": ctx(session).now()}
    stmt = insert_for(session)(DataVersion).values(row)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"token": stmt.excluded.token, "changed_at": stmt.excluded.changed_at}
    )
    session.execute(stmt)
    session.info.pop(_MEMO, None)


def current(session: Session) -> Mapping[str, str]:
    """Every token, read once per transaction (a change this transaction makes reads them again).
    A name without a row gets a token of its own for this transaction."""
    memo = session.info.get(_MEMO)
    if memo is not None and memo[0] is session.get_transaction():
        return memo[1]
    found: dict[str, str] = dict(session.execute(_TOKENS).all())
    tokens = found
    if not found.keys() >= set(NAMES):
        unseen = f"tx-{uuid.uuid4().hex}"
        tokens = {name: found.get(name, unseen) for name in {*NAMES, *found}}
    session.info[_MEMO] = (session.get_transaction(), tokens)
    return tokens


def _engine(session: Session) -> Engine:
    return session.get_bind().engine


class Versioned(Generic[T]):
    """One value per engine, loaded again when the token of ``name`` changes."""

    def __init__(self, name: str, load: Callable[[Session], T]) -> None:
        self.name, self.load = name, load
        self._held: WeakKeyDictionary[Engine, tuple[str, T]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, session: Session) -> T:
        token = current(session)[self.name]
        engine = _engine(session)
        hit = self._held.get(engine)
        if hit is not None and hit[0] == token:
            return hit[1]
        value = self.load(session)
        with self._lock:
            self._held[engine] = (token, value)
        return value

    def held(self, session: Session) -> tuple[str, T] | None:
        """What this process holds, with the token it was loaded under, without a statement:
        for a write that checks that token in the database itself (the points hold, ADR 0095)."""
        return self._held.get(_engine(session))


class VersionedMap(Generic[K, V]):
    """Rows by key per engine, each loaded on first use; all dropped when ``name``'s token
    changes. Keys not found are not remembered (they are looked up again next time)."""

    def __init__(
        self, name: str, load: Callable[[Session, list[K]], Mapping[K, V]], limit: int = 200_000
    ) -> None:
        self.name, self.load, self.limit = name, load, limit
        self._held: WeakKeyDictionary[Engine, tuple[str, dict[K, V]]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def get_many(self, session: Session, keys: Iterable[K]) -> dict[K, V]:
        held = self._rows(session)
        wanted = list(dict.fromkeys(keys))
        missing = [k for k in wanted if k not in held]
        if missing:
            if len(held) + len(missing) > self.limit:
                held.clear()
            held.update(self.load(session, missing))
        return {k: held[k] for k in wanted if k in held}

    def _rows(self, session: Session) -> dict[K, V]:
        # Rows go into the dict of the token read before loading them: never older than it.
        token = current(session)[self.name]
        engine = _engine(session)
        hit = self._held.get(engine)
        if hit is not None and hit[0] == token:
            return hit[1]
        rows: dict[K, V] = {}
        with self._lock:
            self._held[engine] = (token, rows)
        return rows
