"""Catalog use cases: create a product with its SKUs, read it, find a SKU by code or barcode."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omohub.catalog import lookup
from omohub.catalog import repository as repo
from omohub.catalog.errors import BadSkus, DuplicateCode, ProductNotFound, SkuNotFound
from omohub.catalog.models import Product, Sku
from omohub.catalog.schemas import ProductIn, ProductOut, SkuOut
from omohub.core.context import ctx
from omohub.core.errors import Invalid


def create_product(session: Session, data: ProductIn) -> ProductOut:
    """Create a product and its SKUs in one go; any clash and nothing is created."""
    _no_repeats(data)
    _not_taken(session, data)
    now = ctx(session).now()
    product = Product(
        code=data.code, name=data.name, category=data.category, list_price=data.list_price, created_at=now
    )
    session.add(product)
    try:
        session.flush()
        rows = [
            {
                **sku.model_dump(exclude={"list_price"}),
                "list_price": data.list_price if sku.list_price is None else sku.list_price,
                "product_id": product.id,
                "created_at": now,
            }
            for sku in data.skus
        ]
        session.execute(insert(Sku), rows)
    except IntegrityError as exc:  # a concurrent request took a code first
        raise DuplicateCode(f"product {data.code!r}: a code or barcode was taken meanwhile") from exc
    lookup.changed(session)
    return product_out(product, repo.skus_of(session, [product.id])[product.id])


def get_product(session: Session, code: str) -> ProductOut:
    product = repo.product_by_code(session, code)
    if product is None:
        raise ProductNotFound(f"no product with code {code!r}")
    return product_out(product, repo.skus_of(session, [product.id])[product.id])


def find_sku(session: Session, *, code: str | None, barcode: str | None) -> tuple[Sku, Product]:
    """By SKU code or by scanned barcode (exactly one)."""
    if (code is None) == (barcode is None):
        raise Invalid("give exactly one of code or barcode")
    sku = repo.sku_by_code(session, code) if code else repo.sku_by_barcode(session, (barcode or "").strip())
    if sku is None:
        what = f"code {code!r}" if code else f"barcode {barcode!r}"
        raise SkuNotFound(f"no SKU with {what}")
    return sku, repo.product_of(session, sku)


def product_out(product: Product, skus: list[Sku]) -> ProductOut:
    return ProductOut(
        id=product.id,
        code=product.code,
        name=product.name,
        category=product.category,
        list_price=product.list_price,
        active=product.active,
        created_at=product.created_at,
        skus=[SkuOut.model_validate(s) for s in skus],
    )


def _no_repeats(data: ProductIn) -> None:
    seen: dict[str, int] = {}
    for i, sku in enumerate(data.skus):
        for name in ("code", "barcode"):
            value = getattr(sku, name)
            if value is None:
                continue
            first = seen.setdefault(f"{name}:{value}", i)
            if first != i:
                raise BadSkus(
                    f"skus.{i}.{name}: {value!r} repeats skus.{first}.{name}", field=f"skus.{i}.{name}"
                )


def _not_taken(session: Session, data: ProductIn) -> None:
    if repo.product_by_code(session, data.code) is not None:
        raise DuplicateCode(f"a product with code {data.code!r} already exists", field="code")
    codes = repo.taken_sku_codes(session, [s.code for s in data.skus])
    barcodes = repo.taken_barcodes(session, [s.barcode for s in data.skus if s.barcode])
    for i, sku in enumerate(data.skus):
        if sku.code in codes:
            raise DuplicateCode(
                f"skus.{i}.code: SKU {sku.code!r} already exists (product {codes[sku.code]!r})",
                field=f"skus.{i}.code",
            )
        if sku.barcode in barcodes:
            raise DuplicateCode(
                f"skus.{i}.barcode: barcode {sku.barcode!r} already belongs to SKU {barcodes[sku.barcode]!r}",
                field=f"skus.{i}.barcode",
            )
