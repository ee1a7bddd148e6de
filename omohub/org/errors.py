"""Errors of the org domain, each with its HTTP status and problem code."""

from omohub.core.errors import Conflict, Invalid, NotFound


class StoreNotFound(NotFound):
    code = "store_not_found"


class StaffNotFound(NotFound):
    code = "staff_not_found"


class DuplicateCode(Conflict):
    code = "duplicate_code"


class UnknownStore(Invalid):
    """A store code given as a reference (staff's store) that names no store."""

    code = "unknown_store"


class BadCoordinates(Invalid):
    code = "invalid_coordinates"
