"""Writing checked events: dedupe by (source, messageId) and append, in one transaction.

This is the hot path of collection, so it talks to the driver directly:

* PostgreSQL: one statement. The derived columns travel as one JSON document and the bodies
  as another (both serialised by orjson in C; the driver's per-element array adaptation costs
  more than the insert), the message ids go into the ledger in a fixed order (so two writers
  with overlapping retries cannot deadlock), and only the events whose id was new are stored.
  ``received_at`` is the database's transaction time, which the identity processor's settle
  window relies on (ADR 0005).
* SQLite: the writer holds the database's one write lock (``BEGIN IMMEDIATE``), reads which
  ids it already has, and ``executemany``-inserts the rest.

Both return the (source, messageId) pairs that were new, after COMMIT.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from omohub.collect.rules import Row

Key = tuple[int, str]

_PG_INSERT = """
WITH input AS (
    SELECT r.*, b.body
    FROM json_to_recordset(%(rows)s::json) AS r(
        i bigint, s bigint, m text, t text, e text, u text, a text, p text, ts timestamptz)
    JOIN json_array_elements(%(bodies)s::json) WITH ORDINALITY AS b(body, i) USING (i)
), new AS (
    INSERT INTO event_message_ids (source_id, message_id)
    SELECT s, m FROM input ORDER BY s, m COLLATE "C"
    ON CONFLICT DO NOTHING
    RETURNING source_id, message_id
), stored AS (
    INSERT INTO events (received_at, message_id, source_id, type, event, user_key,
                        anonymous_id, product_ref, timestamp, body)
    SELECT now(), input.m, input.s, input.t, input.e, input.u, input.a, input.p, input.ts, input.body
    FROM input JOIN new ON new.source_id = input.s AND new.message_id = input.m
    ORDER BY input.i
)
SELECT source_id, message_id FROM new
"""

_SQLITE_EVENTS = (
    "INSERT INTO events (received_at, message_id, source_id, type, event, user_key, anonymous_id,"
    " product_ref, timestamp, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def unique_rows(rows: list[Row]) -> list[Row]:
    """Drop repeats of a (source, messageId) among ``rows`` (the first one counts)."""
    seen: set[Key] = set()
    out = []
    for row in rows:
        key = (row.source_id, row.message_id)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def append_pg(conn: Any, rows: list[Row]) -> set[Key]:
    """Store ``rows`` (unique keys) on a psycopg connection and commit; the new keys."""
    params = {
        "rows": orjson.dumps(
            [
                {
                    "i": i,
                    "s": r.source_id,
                    "m": r.message_id,
                    "t": r.type,
                    "e": r.event,
                    "u": r.user_key,
                    "a": r.anonymous_id,
                    "p": r.product_ref,
                    "ts": r.timestamp,
                }
                for i, r in enumerate(rows, 1)
            ]
        ).decode(),
        "bodies": (b"[" + b",".join(r.body for r in rows) + b"]").decode(),
    }
    try:
        cur = conn.cursor()
        cur.execute(_PG_INSERT, params)
        new = {(int(s), str(m)) for s, m in cur.fetchall()}
        cur.close()
        conn.commit()
        return new
    except BaseException:
        conn.rollback()
        raise


def sqlite_time(value: dt.datetime) -> str:
    """The format SQLAlchemy's DateTime uses on SQLite, so ORM reads parse it back."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def append_sqlite(conn: Any, rows: list[Row], received_at: dt.datetime) -> set[Key]:
    """Store ``rows`` (unique keys) on an sqlite3 connection in autocommit mode; the new keys."""
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    try:
        new = _unseen_sqlite(cur, rows)
        fresh = [r for r in rows if (r.source_id, r.message_id) in new]
        cur.executemany(
            "INSERT INTO event_message_ids (source_id, message_id) VALUES (?, ?)",
            [(r.source_id, r.message_id) for r in fresh],
        )
        received = sqlite_time(received_at)
        cur.executemany(
            _SQLITE_EVENTS,
            [
                (
                    received,
                    r.message_id,
                    r.source_id,
                    r.type,
                    r.event,
                    r.user_key,
                    r.anonymous_id,
                    r.product_ref,
                    sqlite_time(r.timestamp),
                    r.body.decode(),
                )
                for r in fresh
            ],
        )
        cur.execute("COMMIT")
        return new
    except BaseException:
        if conn.in_transaction:
            cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()


def _unseen_sqlite(cur: Any, rows: list[Row]) -> set[Key]:
    """The keys of ``rows`` not in the ledger (read under the write lock, so it stays true)."""
    by_source: dict[int, list[str]] = {}
    for r in rows:
        by_source.setdefault(r.source_id, []).append(r.message_id)
    seen: set[Key] = set()
    for source_id, ids in by_source.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cur.execute(
                f"SELECT message_id FROM event_message_ids WHERE source_id = ? AND message_id IN ({marks})",
                [source_id, *chunk],
            )
            seen.update((source_id, m) for (m,) in cur.fetchall())
    return {(r.source_id, r.message_id) for r in rows} - seen
