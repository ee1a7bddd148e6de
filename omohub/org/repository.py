"""Org queries. Codes are unique keys, so every look-up by code is an index look-up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.core.csvimport import existing_by_code
from omohub.org.models import Brand, Channel, Staff, Store


def store_by_code(session: Session, code: str) -> Store | None:
    return session.scalar(select(Store).where(Store.code == code))


def staff_by_code(session: Session, code: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.code == code))


def stores_page(
    session: Session, *, after: str | None, limit: int, city: str | None, active: bool | None
) -> Sequence[Store]:
    stmt = select(Store).order_by(Store.code).limit(limit)
    if after:
        stmt = stmt.where(Store.code > after)
    if city:
        stmt = stmt.where(Store.city == city)
    if active is not None:
        stmt = stmt.where(Store.active.is_(active))
    return session.scalars(stmt).all()


def staff_page(
    session: Session, *, after: str | None, limit: int, store_id: int | None, active: bool | None
) -> Sequence[tuple[Staff, str | None]]:
    stmt = (
        select(Staff, Store.code)
        .outerjoin(Store, Store.id == Staff.store_id)
        .order_by(Staff.code)
        .limit(limit)
    )
    if after:
        stmt = stmt.where(Staff.code > after)
    if store_id is not None:
        stmt = stmt.where(Staff.store_id == store_id)
    if active is not None:
        stmt = stmt.where(Staff.active.is_(active))
    return [(staff, code) for staff, code in session.execute(stmt)]


def store_code_of(session: Session, store_id: int | None) -> str | None:
    if store_id is None:
        return None
    return session.scalar(select(Store.code).where(Store.id == store_id))


def channels(session: Session) -> Sequence[Channel]:
    return session.scalars(select(Channel).order_by(Channel.id)).all()


def brand(session: Session) -> Brand | None:
    return session.scalar(select(Brand).order_by(Brand.id).limit(1))


def store_ids(session: Session, codes: Iterable[str]) -> dict[str, int]:
    rows = existing_by_code(session, select(Store.code, Store.id), Store.code, codes)
    return {code: row["id"] for code, row in rows.items()}
