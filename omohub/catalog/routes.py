"""``/api/v1/products`` and ``/api/v1/skus/lookup``. ``admin`` writes; ``pos``/``ecommerce`` read."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from omohub.api.deps import principal, uow
from omohub.catalog import repository as repo
from omohub.catalog import service
from omohub.catalog.schemas import ProductIn, ProductOut, ProductRef, SkuFound, SkuOut
from omohub.core.paging import Page, page_of

router = APIRouter(prefix="/api/v1", tags=["catalog"])
READ = Depends(principal("pos", "ecommerce"))
WRITE = Depends(principal("admin"))


@router.post("/products", response_model=ProductOut, status_code=201, dependencies=[WRITE])
def create_product(data: ProductIn, session: Session = uow) -> ProductOut:
    """Create a product with its SKUs. 409 if the product code, a SKU code or a barcode is taken."""
    return service.create_product(session, data)


@router.get("/products", response_model=Page[ProductOut], dependencies=[READ])
def list_products(
    q: str | None = Query(None, description="Code prefix or part of the name, any case"),
    category: str | None = None,
    after: str | None = Query(None, description="The next_after of the previous page"),
    limit: int = Query(50, ge=1, le=200, description="Page size"),
    session: Session = uow,
) -> Page[ProductOut]:
    """Products with their SKUs, in code order, optionally searched or of one category."""
    found = repo.products_page(session, after=after, limit=limit + 1, q=q, category=category)
    skus = repo.skus_of(session, [p.id for p in found[:limit]])
    return page_of(found, limit, lambda p: service.product_out(p, skus[p.id]), lambda p: p.code)


@router.get("/products/{code}", response_model=ProductOut, dependencies=[READ])
def read_product(code: str, session: Session = uow) -> ProductOut:
    """One product by its code, with all its SKUs (size × colour, barcode, list price)."""
    return service.get_product(session, code)


@router.get("/skus/lookup", response_model=SkuFound, dependencies=[READ])
def lookup_sku(
    code: str | None = None,
    barcode: str | None = Query(None, description="As scanned (EAN-13 or the brand's own)"),
    session: Session = uow,
) -> SkuFound:
    """One SKU and its product, by SKU code or by barcode (exactly one of them)."""
    sku, product = service.find_sku(session, code=code, barcode=barcode)
    return SkuFound(**SkuOut.model_validate(sku).model_dump(), product=ProductRef.model_validate(product))
