"""CSV import of the catalog: one row per SKU, products made from their first row.

Rows are checked on their own (the REST types), then against each other (a SKU code or
barcode twice) and against the hub (a SKU never moves to another product; a barcode stays
with its SKU unless that SKU gets a new one in the same file). Writes are batched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping, select, update
from sqlalchemy.orm import Session

from omohub.catalog import lookup
from omohub.catalog.models import Product, Sku
from omohub.catalog.schemas import CatalogRow
from omohub.core.context import ctx
from omohub.core.csvimport import (
    NO_PROGRESS,
    Column,
    Outcome,
    Row,
    RowError,
    Table,
    Ticker,
    bulk_insert,
    bulk_update,
    chunks,
    existing_by_code,
    first_seen,
    plan_upsert,
    validate_rows,
)

CATALOG_COLUMNS = (
    Column("product_code", ("style_code", "商品代號", "商品編號", "貨號", "款號"), required=True),
    Column("product_name", ("name", "商品名稱", "品名"), required=True),
    Column("category", ("分類", "類別", "商品分類")),
    Column("sku_code", ("sku", "SKU代號", "SKU編號", "料號"), required=True),
    Column(
        "barcode",
        ("ean", "ean13", "條碼", "國際條碼"),
    ),
    Column(
        "size",
        ("尺寸", "尺碼"),
    ),
    Column(
        "color",
        ("colour", "顏色"),
    ),
    Column("list_price", ("price", "定價", "售價", "牌價"), required=True),
)
SKU_FIELDS = ("barcode", "size", "color", "list_price")
Valid = dict[str, tuple[Row, CatalogRow]]


def import_catalog(
    session: Session, table: Table, *, skip_invalid: bool = False, ticker: Ticker = NO_PROGRESS
) -> Outcome:
    """Upsert products and SKUs; returns what was (or, when rows are rejected, would be) done."""
    barcodes: dict[str, int] = {}

    def unique_barcode(row: Row, item: CatalogRow) -> list[RowError]:
        if item.barcode is None:
            return []
        first = barcodes.setdefault(item.barcode, row.number)
        if first == row.number:
            return []
        return [RowError(row.number, table.label("barcode"), f"{item.barcode!r} repeats row {first}")]

    valid, rejected = validate_rows(table, CatalogRow, "sku_code", ticker, unique_barcode)
    skus = existing_by_code(session, _sku_columns(), Sku.code, valid)
    rejected += _against_hub(session, table, valid, skus)
    rejected.sort(key=lambda e: e.row)
    products = existing_by_code(session, select(*Product.__table__.c), Product.code, _product_codes(valid))
    now = ctx(session).now()
    wanted = _products(valid)
    product_fields = [f for f in ("name", "category", "list_price") if f in _present(table)]
    new_products, changed_products, product_tally = plan_upsert(
        products, wanted, product_fields, {"created_at": now}
    )
    sku_fields = [f for f in SKU_FIELDS if f in table.headers]
    new_skus, changed_skus, sku_tally = plan_upsert(
        skus, _skus(valid), sku_fields, {"created_at": now, "product_id": None}
    )
    tallies = {"products": product_tally, "skus": sku_tally}
    outcome = Outcome(len(table.rows) + len(table.errors), tallies, rejected)
    if rejected and not skip_invalid:
        return outcome
    writes = len(new_products) + len(changed_products) + len(new_skus) + len(changed_skus)
    ticker.start(f"writing {table.name}", writes)
    bulk_insert(session, Product, new_products, ticker)
    bulk_update(session, Product, changed_products, ticker)
    _write_skus(session, valid, skus, new_skus, changed_skus, ticker)
    session.flush()
    if writes:
        lookup.changed(session)
    outcome.written = True
    return outcome


def _sku_columns() -> Any:
    return select(*Sku.__table__.c, Product.code.label("product_code")).join(
        Product, Product.id == Sku.product_id
    )


def _against_hub(
    session: Session, table: Table, valid: Valid, skus: Mapping[str, RowMapping]
) -> list[RowError]:
    """Reject (and drop from ``valid``) rows that would move a SKU or steal a barcode."""
    errors: list[RowError] = []
    for code, (row, item) in list(valid.items()):
        held = skus.get(code)
        if held is not None and held["product_code"] != item.product_code:
            reason = f"SKU {code!r} belongs to product {held['product_code']!r}; SKUs never move"
            errors.append(RowError(row.number, table.label("product_code"), reason))
            del valid[code]
    owners = _barcode_owners(session, [i.barcode for _, i in valid.values() if i.barcode])
    while True:  # a barcode may pass from one SKU to another only if both rows stay valid
        stolen = [
            (code, row, item, owners[item.barcode])
            for code, (row, item) in valid.items()
            if item.barcode in owners and owners[item.barcode] != code and not _released(valid, owners, item)
        ]
        if not stolen:
            return errors
        for code, row, item, owner in stolen:
            reason = f"{item.barcode!r} already belongs to SKU {owner!r}"
            errors.append(RowError(row.number, table.label("barcode"), reason))
            del valid[code]


def _released(valid: Valid, owners: Mapping[str, str], item: CatalogRow) -> bool:
    owner = owners[item.barcode or ""]
    return owner in valid and valid[owner][1].barcode != item.barcode


def _barcode_owners(session: Session, barcodes: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(sorted(set(barcodes))):
        stmt = select(Sku.barcode, Sku.code).where(Sku.barcode.in_(chunk))
        found.update({b: c for b, c in session.execute(stmt) if b})
    return found


def _product_codes(valid: Valid) -> set[str]:
    return {item.product_code for _, item in valid.values()}


def _products(valid: Valid) -> dict[str, dict[str, Any]]:
    firsts = first_seen((item for _, item in valid.values()), lambda i: i.product_code)
    return {
        code: {"code": code, "name": i.product_name, "category": i.category, "list_price": i.list_price}
        for code, i in firsts.items()
    }


def _skus(valid: Valid) -> dict[str, dict[str, Any]]:
    return {
        code: {"code": code, **item.model_dump(include=set(SKU_FIELDS))} for code, (_, item) in valid.items()
    }


def _present(table: Table) -> set[str]:
    return {"name" if f == "product_name" else f for f in table.headers}


def _write_skus(
    session: Session,
    valid: Valid,
    skus: Mapping[str, RowMapping],
    new: list[dict[str, Any]],
    changed: list[dict[str, Any]],
    ticker: Ticker,
) -> None:
    before = {held["id"]: held["barcode"] for held in skus.values()}
    moving = [u["id"] for u in changed if "barcode" in u and u["barcode"] != before[u["id"]]]
    for chunk in chunks(moving):  # free moving barcodes first: two SKUs may swap theirs
        session.execute(update(Sku).where(Sku.id.in_(chunk)).values(barcode=None))
    bulk_update(session, Sku, changed, ticker)
    ids = existing_by_code(session, select(Product.code, Product.id), Product.code, _product_codes(valid))
    for row in new:
        row["product_id"] = ids[valid[row["code"]][1].product_code]["id"]
    bulk_insert(session, Sku, new, ticker)
