"""Monthly partitions of the event store on PostgreSQL (no-op on SQLite).

Created ahead of time by ``omohub init`` and the worker, so inserts never land in the
default partition in normal operation (a default partition that holds rows for a month
would block creating that month's partition).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.engine import Engine


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.month - 1 + n, 12)
    return dt.date(day.year + y, m + 1, 1)


def ensure_partitions(engine: Engine, *, start: dt.date | None = None, months_ahead: int = 3) -> list[str]:
    """Create ``events_YYYYMM`` partitions from ``start`` (default: this month) onwards."""
    if engine.dialect.name != "postgresql":
        return []
    today = dt.datetime.now(dt.UTC).date()
    first = month_start(start or today)
    last = add_months(month_start(today), months_ahead)
    created = []
    with engine.begin() as conn:
        existing = set(
            conn.scalars(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events'"
                    " AND p.relnamespace = to_regnamespace(current_schema())"
                )
            )
        )
        month = first
        while month <= last:
            name = f"events_{month:%Y%m}"
            if name not in existing:
                conn.execute(
                    text(
                        f"CREATE TABLE {name} PARTITION OF events FOR VALUES FROM "
                        f"('{month.isoformat()} 00:00+00') TO ('{add_months(month, 1).isoformat()} 00:00+00')"
                    )
                )
                created.append(name)
            month = add_months(month, 1)
    return created
