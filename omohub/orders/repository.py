"""Order queries: look-ups by the caller's keys, codes to ids, locks, the console's list."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from omohub.catalog.models import Sku
from omohub.orders.models import Order, OrderLine, Payment, Return, ReturnLine
from omohub.org.models import Staff, Store


def by_key(session: Session, source: str, external_id: str) -> Order | None:
    return session.scalar(select(Order).where(Order.source == source, Order.external_id == external_id))


def lock(session: Session, order_id: int) -> Order | None:
    """The order, row-locked until commit (PostgreSQL); SQLite's writers are serial anyway."""
    stmt = select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def skus_by_ref(session: Session, refs: Iterable[str]) -> dict[str, Sku]:
    """SKU by code or barcode; a code wins over another SKU's identical barcode."""
    wanted = set(refs)
    rows = list(session.scalars(select(Sku).where(or_(Sku.code.in_(wanted), Sku.barcode.in_(wanted)))))
    found = {sku.barcode: sku for sku in rows if sku.barcode is not None and sku.barcode in wanted}
    found.update({sku.code: sku for sku in rows if sku.code in wanted})
    return found


def store_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Store.id).where(Store.code == code))


def staff_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Staff.id).where(Staff.code == code))


def store_codes(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Store.id, Store.code).where(Store.id.in_(wanted))).all())


def staff_codes(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Staff.id, Staff.code).where(Staff.id.in_(wanted))).all())


def lines_of(session: Session, order_id: int) -> list[OrderLine]:
    return list(
        session.scalars(
            select(OrderLine)
            .where(OrderLine.order_id == order_id)
            .order_by(OrderLine.line_no)
            .execution_options(populate_existing=True)
        )
    )


def sku_codes(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(session.execute(select(Sku.id, Sku.code).where(Sku.id.in_(wanted))).all())


def payments_of(session: Session, order_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id)))


def return_by_key(session: Session, order_id: int, key: str) -> Return | None:
    return session.scalar(select(Return).where(Return.order_id == order_id, Return.idempotency_key == key))


def returns_of(session: Session, order_id: int) -> list[Return]:
    return list(session.scalars(select(Return).where(Return.order_id == order_id).order_by(Return.id)))


def return_lines_of(session: Session, return_ids: list[int]) -> list[ReturnLine]:
    if not return_ids:
        return []
    return list(
        session.scalars(
            select(ReturnLine).where(ReturnLine.return_id.in_(return_ids)).order_by(ReturnLine.id)
        )
    )


def recent(
    session: Session,
    *,
    member_id: int | None = None,
    store_id: int | None = None,
    channel: str | None = None,
    limit: int = 50,
) -> list[Order]:
    """Newest first; each filter is served by an index (member, store, or time)."""
    stmt = select(Order).order_by(Order.ordered_at.desc(), Order.id.desc()).limit(limit)
    if member_id is not None:
        stmt = stmt.where(Order.member_id == member_id)
    if store_id is not None:
        stmt = stmt.where(Order.store_id == store_id)
    if channel is not None:
        stmt = stmt.where(Order.channel == channel)
    return list(session.scalars(stmt))


def sku_refs(session: Session, sku_id: int) -> set[str]:
    """The code and barcode a line's SKU can be named by."""
    sku = session.get(Sku, sku_id)
    return {ref for ref in (sku.code, sku.barcode) if ref} if sku else set()
