"""Errors of the catalog domain, each with its HTTP status and problem code."""

from omohub.core.errors import Conflict, Invalid, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"


class SkuNotFound(NotFound):
    code = "sku_not_found"


class DuplicateCode(Conflict):
    """A product code, SKU code or barcode that is already taken."""

    code = "duplicate_code"


class BadSkus(Invalid):
    """The SKUs of one request contradict each other (a code or barcode twice)."""

    code = "invalid_skus"
