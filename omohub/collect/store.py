"""Writing checked events: dedupe by (source, messageId) and append, in one transaction.

This is the hot path of collection, so it talks to the driver directly:

* PostgreSQL: two round trips in one transaction. The message ids go into the ledger in a
  fixed order (so two writers with overlapping retries cannot deadlock), travelling as one
  JSON document (the driver's per-element array adaptation costs more than the insert); the
  events whose id was new are then streamed with ``COPY`` in text format, built in bulk here
  — the cheapest way into PostgreSQL. ``received_at`` is left to its default, the database's
  transaction time, which the identity processor's settle window relies on (ADR 0005).
* SQLite: the writer holds the database's one write lock (``BEGIN IMMEDIATE``), reads which
  ids it already has, and ``executemany``-inserts the rest.

Both return the (source, messageId) pairs that were new, after COMMIT.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import orjson

from omohub.collect.rules import Row

Key = tuple[int, str]

_PG_NEW_IDS = """
INSERT INTO event_message_ids (source_id, message_id)
SELECT s, m FROM (
    SELECT (e->>0)::bigint AS s, e->>1 AS m FROM json_array_elements(%(ids)s::json) AS e
) AS r
ORDER BY s, m COLLATE "C"
ON CONFLICT DO NOTHING
RETURNING source_id, message_id
"""

_PG_COPY = (
    "COPY events (message_id, source_id, type, event, user_key, anonymous_id, product_ref,"
    " timestamp, body) FROM STDIN"
)

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]").search


def _copy_line(r: Row) -> bytes:
    """One row in COPY's text format (tab-separated, ``\\N`` for NULL, backslash escapes)."""
    fields = (r.message_id, str(r.source_id), r.type, r.event, r.user_key, r.anonymous_id, r.product_ref)
    # NUL never gets this far (collection rejects it), so it can stand in for the tab while we
    # check, in one pass, whether any field needs escaping (rare).
    head = "\0".join(["\\N" if v is None else v for v in fields])
    if _COPY_SPECIAL(head):
        head = "\0".join(["\\N" if v is None else v.translate(_COPY_ESCAPES) for v in fields])
    # Bodies are orjson output: no raw tab, newline or carriage return can occur in them, so
    # doubling backslashes is the whole of COPY's escaping for them.
    body = r.body.replace(b"\\", b"\\\\") if b"\\" in r.body else r.body
    stamp = r.timestamp.isoformat()
    return f"{head.replace(chr(0), chr(9))}\t{stamp}\t".encode() + body + b"\n"


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
    ids = orjson.dumps([(r.source_id, r.message_id) for r in rows]).decode()
    try:
        cur = conn.cursor()
        cur.execute(_PG_NEW_IDS, {"ids": ids})
        new: set[Key] = set(cur.fetchall())
        if new:
            payload = b"".join([_copy_line(r) for r in rows if (r.source_id, r.message_id) in new])
            with cur.copy(_PG_COPY) as copy:
                copy.write(payload)
        cur.close()
        conn.commit()
        return new
    except BaseException:
        conn.rollback()
        raise


def sqlite_time(value: dt.datetime) -> str:
    """The format SQLAlchemy's DateTime uses on SQLite, so ORM reads parse it back.

    Not ``strftime("%Y")``: that writes year 1 as ``1``, which no read parses back.
    """
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


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
