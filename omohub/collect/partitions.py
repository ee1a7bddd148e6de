"""Monthly partitions of the event store on PostgreSQL (no-op on SQLite).

Created ahead of time by ``omohub init`` and by the worker (daily), so inserts never land in
the default partition in normal operation: a default partition that holds rows of a month
blocks creating that month's partition (then the month stays in the default partition and
a warning says so; nothing is lost).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

#: How many months past the current one always have their partition.
MONTHS_AHEAD = 3


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.month - 1 + n, 12)
    return dt.date(day.year + y, m + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"events_{month:%Y%m}"


def existing_partitions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.scalars(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events'"
                    " AND p.relnamespace = to_regnamespace(current_schema())"
                )
            )
        )


def ensure_partitions(
    engine: Engine,
    *,
    start: dt.date | None = None,
    months_ahead: int = MONTHS_AHEAD,
    today: dt.date | None = None,
) -> list[str]:
    """Create the ``events_YYYYMM`` partitions from ``start`` (default: this month) to
    ``months_ahead`` months after this one; returns the names created."""
    if engine.dialect.name != "postgresql":
        return []
    today = today or dt.datetime.now(dt.UTC).date()
    month, last = month_start(start or today), add_months(month_start(today), months_ahead)
    existing, created = existing_partitions(engine), []
    while month <= last:
        name = partition_name(month)
        if name not in existing:
            until = add_months(month, 1)
            try:
                with engine.begin() as conn:
                    conn.execute(
                        text(
                            f"CREATE TABLE {name} PARTITION OF events FOR VALUES FROM "
                            f"('{month.isoformat()} 00:00+00') TO ('{until.isoformat()} 00:00+00')"
                        )
                    )
                created.append(name)
            except DBAPIError as exc:  # rows of that month already sit in the default partition
                log.warning("could not create partition %s: %s", name, exc.orig)
        month = add_months(month, 1)
    return created


class PartitionKeeper:
    """The worker's daily job: keep partitions ``MONTHS_AHEAD`` months ahead.

    Checks the catalogue at most once a day per process, so the job is free on every other
    worker tick; returns how many partitions it created (0 keeps the worker idle).
    """

    def __init__(self) -> None:
        self.checked: dict[str, dt.date] = {}

    def __call__(self, engine: Engine, today: dt.date | None = None) -> int:
        today = today or dt.datetime.now(dt.UTC).date()
        key = engine.url.render_as_string(hide_password=True)
        if self.checked.get(key) == today:
            return 0
        created = ensure_partitions(engine, today=today)
        self.checked[key] = today
        return len(created)


keep_ahead = PartitionKeeper()
