"""API shapes of the catalog; the CSV import validates its rows with the same types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from omohub.catalog import rules
from omohub.core.checks import before, check_code, rule

ProductCode = Annotated[str, rule(lambda v: check_code(v, 60)), Field(examples=["LS-2401"])]
SkuCode = Annotated[str, rule(lambda v: check_code(v, 80)), Field(examples=["LS-2401-WHT-M"])]
Barcode = Annotated[
    str,
    rule(rules.check_barcode),
    Field(description="EAN-13 (check digit verified) or 4–40 letters and digits", examples=["4710000000014"]),
]
Price = Annotated[
    int,
    before(rules.clean_price),
    # le: the price columns are 32-bit integers on PostgreSQL
    Field(ge=0, le=2**31 - 1, description="Integer minor units (TWD: whole dollars)", examples=[1290]),
]
Text = rule(rules.check_text)
ProductName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), Text]
Category = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120), Text]
Size = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20), Text]
Color = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), Text]


class SkuIn(BaseModel):
    """One sellable variant (size × colour) of a product."""

    model_config = ConfigDict(extra="forbid")

    code: SkuCode
    barcode: Barcode | None = None
    size: Size = ""
    color: Color = ""
    list_price: Price | None = Field(None, description="Defaults to the product's list price")


class ProductIn(BaseModel):
    """A product (style) with its SKUs, created together."""

    model_config = ConfigDict(extra="forbid")

    code: ProductCode
    name: ProductName
    category: Category = ""
    list_price: Price
    skus: list[SkuIn] = Field(min_length=1)


class SkuOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    barcode: str | None
    size: str
    color: str
    list_price: int
    active: bool


class ProductOut(BaseModel):
    id: int
    code: str
    name: str
    category: str
    list_price: int
    active: bool
    created_at: dt.datetime
    skus: list[SkuOut]


class ProductRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    category: str


class SkuFound(SkuOut):
    """A SKU with the product it belongs to (what a POS needs after a scan)."""

    product: ProductRef


class CatalogRow(BaseModel):
    """One row of a catalog CSV: one SKU, with its product's fields repeated."""

    product_code: ProductCode
    product_name: ProductName
    category: Category = ""
    sku_code: SkuCode
    barcode: Barcode | None = None
    size: Size = ""
    color: Color = ""
    list_price: Price
