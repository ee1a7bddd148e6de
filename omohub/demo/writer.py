"""Bulk loading through the driver: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

The ORM would spend most of a demo build creating objects; the driver takes rows as tuples.
Rows are prepared by the generators in the database's own text forms (times via
:meth:`BulkWriter.ts`, documents via :meth:`BulkWriter.json`), so one code path serves both
engines. Every insert is checked against the table's columns first, so a model change that
adds a required column fails loudly here instead of writing half a demo.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Table
from sqlalchemy.engine import Engine

from omohub.core.db import Base

#: Rows per transaction (SQLite) or per COPY (PostgreSQL).
CHUNK = 20_000


class SchemaDrift(RuntimeError):
    """The demo writes a table whose columns changed: the demo must be updated."""


class BulkWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.conn: Any = engine.raw_connection()
        if not self.pg:
            # A fresh demo file: if the build dies it is rebuilt, so skip fsyncs while loading.
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA cache_size=-65536")
        self._tz_suffix = "+00" if self.pg else ""
        self._days: dict[int, str] = {}
        self.written: dict[str, int] = {}

    def ts(self, epoch: float) -> str:
        """A UTC instant as the column stores it (SQLAlchemy's SQLite form; ISO on PostgreSQL)."""
        whole, micro = divmod(round(epoch * 1_000_000), 1_000_000)
        day, second = divmod(whole, 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = time.strftime("%Y-%m-%d ", time.gmtime(day * 86400))
        hour, rest = divmod(second, 3600)
        minute, second = divmod(rest, 60)
        return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}.{micro:06d}{self._tz_suffix}"

    @staticmethod
    def json(value: Any) -> str:
        return orjson.dumps(value).decode()

    def bool(self, value: bool) -> Any:
        return value if self.pg else int(value)

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write ``rows`` (tuples in ``columns`` order) in chunks; returns how many."""
        check_columns(Base.metadata.tables[table], columns)
        count, chunk = 0, []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                count += self._flush(table, columns, chunk)
                chunk = []
        if chunk:
            count += self._flush(table, columns, chunk)
        self.written[table] = self.written.get(table, 0) + count
        return count

    def _flush(self, table: str, columns: Sequence[str], rows: list[Sequence[Any]]) -> int:
        names = ", ".join(columns)
        if self.pg:
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.conn.execute("BEGIN")
            self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        self.conn.commit() if self.pg else self.conn.execute("COMMIT")
        return len(rows)

    def scalar(self, sql: str) -> Any:
        cur = self.conn.cursor()
        try:
            cur.execute(sql)
            row = cur.fetchone()
            return row[0] if row else None
        finally:
            cur.close()

    @contextmanager
    def indexes_deferred(self, table: str) -> Iterator[None]:
        """Drop ``table``'s secondary indexes while loading it, then build them again.

        Building an index once over a million sorted keys is much cheaper than a million
        random inserts into it. The definitions are read from the database itself, so the
        same indexes (whatever the migration made them) come back, even if loading fails.
        """
        saved = self._index_ddl(table)
        cur = self.conn.cursor()
        try:
            for name, _ddl in saved:
                cur.execute(f"DROP INDEX {name}")
            self.conn.commit()
            yield
        finally:
            for _name, ddl in saved:
                cur.execute(ddl)
            self.conn.commit()
            cur.close()

    def _index_ddl(self, table: str) -> list[tuple[str, str]]:
        cur = self.conn.cursor()
        try:
            if self.pg:
                cur.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                    " AND schemaname = current_schema() AND indexname NOT IN"
                    " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
                    (table, table),
                )
            else:
                cur.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                    " AND sql IS NOT NULL ORDER BY name",
                    (table,),
                )
            # A partitioned table's index reads "ON ONLY events": rebuilt that way it would stay
            # invalid, without its partitions' indexes.
            return [(str(name), str(ddl).replace(" ON ONLY ", " ON ")) for name, ddl in cur.fetchall()]
        finally:
            cur.close()

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids written; refresh planner statistics."""
        cur = self.conn.cursor()
        try:
            if self.pg:
                for table in self.written:
                    col = "seq" if table == "events" else "id"
                    if col not in Base.metadata.tables[table].c:
                        continue
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{col}'),"
                        f" GREATEST((SELECT max({col}) FROM {table}), 1))"
                    )
                self.conn.commit()
                cur.execute(f"ANALYZE {', '.join(self.written)}")
                self.conn.commit()
            else:
                cur.execute("PRAGMA analysis_limit=1000")
                cur.execute("ANALYZE")
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            cur.close()

    def close(self) -> None:
        """Give the connection back; a SQLite one is discarded, it runs without fsyncs."""
        if self.pg:
            self.conn.close()
        else:
            self.conn.invalidate()


def check_columns(table: Table, columns: Sequence[str]) -> None:
    unknown = [c for c in columns if c not in table.c]
    required = [
        c.name
        for c in table.columns
        if not c.nullable
        and c.server_default is None
        and not (c.primary_key and c.autoincrement in (True, "auto"))
        and c.name not in columns
    ]
    if unknown or required:
        raise SchemaDrift(
            f"demo rows for {table.name} do not match the model:"
            + (f" unknown columns {unknown}" if unknown else "")
            + (f" missing required columns {required}" if required else "")
        )
