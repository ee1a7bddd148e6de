"""Cursors: how far an in-order job has walked a stream (events, this month's birthdays)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.collect.models import Cursor
from omohub.core.context import ctx


def locked_cursor(session: Session, name: str) -> Cursor:
    """The cursor ``name`` (created at 0), row-locked on PostgreSQL so that parallel workers
    take turns instead of walking the same stretch twice."""
    stmt = select(Cursor).where(Cursor.name == name)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    cursor = session.scalar(stmt)
    if cursor is None:
        cursor = Cursor(name=name, position=0, updated_at=ctx(session).now())
        session.add(cursor)
        session.flush()
    return cursor
