"""Catalog queries: by code and barcode (unique indexes), and keyset pages of products."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from omohub.catalog.models import Product, Sku


def product_by_code(session: Session, code: str) -> Product | None:
    return session.scalar(select(Product).where(Product.code == code))


def sku_by_code(session: Session, code: str) -> Sku | None:
    return session.scalar(select(Sku).where(Sku.code == code))


def sku_by_barcode(session: Session, barcode: str) -> Sku | None:
    return session.scalar(select(Sku).where(Sku.barcode == barcode))


def product_of(session: Session, sku: Sku) -> Product:
    return session.get_one(Product, sku.product_id)


def skus_of(session: Session, product_ids: Iterable[int]) -> dict[int, list[Sku]]:
    found: dict[int, list[Sku]] = defaultdict(list)
    ids = list(product_ids)
    if ids:
        for sku in session.scalars(select(Sku).where(Sku.product_id.in_(ids)).order_by(Sku.code)):
            found[sku.product_id].append(sku)
    return found


def taken_sku_codes(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """SKU code → the code of the product that already holds it."""
    stmt = (
        select(Sku.code, Product.code)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.code.in_(list(codes)))
    )
    return dict(session.execute(stmt).all())


def taken_barcodes(session: Session, barcodes: Iterable[str]) -> dict[str, str]:
    """Barcode → the code of the SKU that already holds it."""
    stmt = select(Sku.barcode, Sku.code).where(Sku.barcode.in_(list(barcodes)))
    return {barcode: code for barcode, code in session.execute(stmt) if barcode}


def products_page(
    session: Session, *, after: str | None, limit: int, q: str | None, category: str | None
) -> Sequence[Product]:
    stmt = select(Product).order_by(Product.code).limit(limit)
    if after:
        stmt = stmt.where(Product.code > after)
    if category:
        stmt = stmt.where(Product.category == category)
    if q:
        stmt = stmt.where(
            or_(Product.code.istartswith(q, autoescape=True), Product.name.icontains(q, autoescape=True))
        )
    return session.scalars(stmt).all()
