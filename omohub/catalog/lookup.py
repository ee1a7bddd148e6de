"""SKUs as the hot path reads them (checkout prices 20 lines a call): kept per process, each
loaded on first use and all dropped when the ``catalog`` token of ``core.versions`` changes —
which every catalog write bumps in its transaction (ADR 0094)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from omohub.catalog.models import Product, Sku
from omohub.core import versions


@dataclass(frozen=True)
class SkuRow:
    id: int
    code: str
    list_price: int
    product_id: int
    category: str


def _by_ref(session: Session, refs: list[str]) -> dict[str, SkuRow]:
    """A ref is a SKU code or a barcode; a code wins over another SKU's barcode."""
    stmt = (
        select(Sku.id, Sku.code, Sku.list_price, Sku.product_id, Product.category, Sku.barcode)
        .join(Product, Product.id == Sku.product_id)
        .where(or_(Sku.code.in_(refs), Sku.barcode.in_(refs)))
    )
    by_code: dict[str, SkuRow] = {}
    by_barcode: dict[str, SkuRow] = {}
    for id_, code, price, product_id, category, barcode in session.execute(stmt):
        row = by_code[code] = SkuRow(id_, code, price, product_id, category)
        if barcode:
            by_barcode.setdefault(barcode, row)
    found = {**by_barcode, **by_code}
    return {ref: found[ref] for ref in refs if ref in found}


def _codes(session: Session, ids: list[int]) -> dict[int, str]:
    return dict(session.execute(select(Sku.id, Sku.code).where(Sku.id.in_(ids))).all())


_refs = versions.VersionedMap(versions.CATALOG, _by_ref)
_ids = versions.VersionedMap(versions.CATALOG, _codes)


def skus_by_ref(session: Session, refs: Iterable[str]) -> dict[str, SkuRow]:
    """The SKUs that ``refs`` (codes or barcodes) name; unknown refs are left out."""
    return _refs.get_many(session, refs)


def sku_codes(session: Session, ids: Iterable[int]) -> dict[int, str]:
    return _ids.get_many(session, ids)


def changed(session: Session) -> None:
    """Products or SKUs were written in this transaction."""
    versions.bump(session, versions.CATALOG)
