"""Writing a batch of checked events: dedupe by messageId and append, in one transaction.

This is the hot path of collection, so it talks to the driver directly: on PostgreSQL one
statement (insert the message ids, keep the new ones, insert their events from arrays);
on SQLite two ``executemany`` calls. Both commit before the caller answers 200.
"""

from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy.engine import Engine

from omohub.collect.rules import Row

_PG_INSERT = """
WITH new AS (
    INSERT INTO event_message_ids (source_id, message_id)
    SELECT %(source)s, m FROM unnest(%(ids)s::text[]) AS m
    ON CONFLICT DO NOTHING
    RETURNING message_id
)
INSERT INTO events (received_at, message_id, source_id, type, event, user_key,
                    anonymous_id, product_ref, timestamp, body)
SELECT %(received)s, e.message_id, %(source)s, e.type, e.event, e.user_key,
       e.anonymous_id, e.product_ref, e.ts, e.body::jsonb
FROM unnest(%(ids)s::text[], %(types)s::text[], %(events)s::text[], %(user_keys)s::text[],
            %(anons)s::text[], %(products)s::text[], %(times)s::timestamptz[], %(bodies)s::text[])
     AS e(message_id, type, event, user_key, anonymous_id, product_ref, ts, body)
JOIN new USING (message_id)
"""

_SQLITE_IDS = "INSERT INTO event_message_ids (source_id, message_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
_SQLITE_EVENTS = (
    "INSERT INTO events (received_at, message_id, source_id, type, event, user_key, anonymous_id,"
    " product_ref, timestamp, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def unique_rows(rows: list[Row]) -> list[Row]:
    """Drop repeats of a messageId inside one batch (the first one counts)."""
    seen: set[str] = set()
    out = []
    for row in rows:
        if row.message_id not in seen:
            seen.add(row.message_id)
            out.append(row)
    return out


def append(engine: Engine, source_id: int, rows: list[Row], received_at: dt.datetime) -> int:
    """Store the rows not seen before; returns how many were new. Commits."""
    rows = unique_rows(rows)
    if not rows:
        return 0
    if engine.dialect.name == "postgresql":
        return _append_pg(engine, source_id, rows, received_at)
    return _append_sqlite(engine, source_id, rows, received_at)


def _append_pg(engine: Engine, source_id: int, rows: list[Row], received_at: dt.datetime) -> int:
    params = {
        "source": source_id,
        "received": received_at,
        "ids": [r.message_id for r in rows],
        "types": [r.type for r in rows],
        "events": [r.event for r in rows],
        "user_keys": [r.user_key for r in rows],
        "anons": [r.anonymous_id for r in rows],
        "products": [r.product_ref for r in rows],
        "times": [r.timestamp for r in rows],
        "bodies": [orjson.dumps(r.body).decode() for r in rows],
    }
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(_PG_INSERT, params)
        stored: int = cur.rowcount
        cur.close()
        raw.commit()
        return stored
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()


def _sqlite_time(value: dt.datetime) -> str:
    # The format SQLAlchemy's DateTime uses on SQLite, so ORM reads parse it back.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _append_sqlite(engine: Engine, source_id: int, rows: list[Row], received_at: dt.datetime) -> int:
    received = _sqlite_time(received_at)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")
        new: list[Row] = []
        for row in rows:  # rowcount per id tells new from repeated
            cur.execute(_SQLITE_IDS, (source_id, row.message_id))
            if cur.rowcount == 1:
                new.append(row)
        cur.executemany(
            _SQLITE_EVENTS,
            [
                (
                    received,
                    r.message_id,
                    source_id,
                    r.type,
                    r.event,
                    r.user_key,
                    r.anonymous_id,
                    r.product_ref,
                    _sqlite_time(r.timestamp),
                    orjson.dumps(r.body).decode(),
                )
                for r in new
            ],
        )
        cur.execute("COMMIT")
        return len(new)
    except BaseException:
        raw.cursor().execute("ROLLBACK")
        raise
    finally:
        raw.close()
