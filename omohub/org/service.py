"""Org use cases: stores, staff, channels and the brand. They flush; the edge commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.errors import Invalid
from omohub.org import lookup
from omohub.org import repository as repo
from omohub.org.errors import BadCoordinates, DuplicateCode, StaffNotFound, StoreNotFound, UnknownStore
from omohub.org.models import Brand, Channel, Staff, Store
from omohub.org.rules import STANDARD_CHANNELS, check_coordinates
from omohub.org.schemas import StaffIn, StaffPatch, StoreIn, StorePatch

DEFAULT_BRAND_NAME = "OMO Hub"
_NOT_NULL = ("name", "city", "address", "timezone", "active", "role")


def create_store(session: Session, data: StoreIn) -> Store:
    _coordinates(data.latitude, data.longitude)
    if repo.store_by_code(session, data.code) is not None:
        raise DuplicateCode(f"a store with code {data.code!r} already exists", field="code")
    store = Store(**data.model_dump(), created_at=ctx(session).now())
    session.add(store)
    _flush(session, f"a store with code {data.code!r} already exists")
    lookup.changed(session)
    return store


def get_store(session: Session, code: str) -> Store:
    store = repo.store_by_code(session, code)
    if store is None:
        raise StoreNotFound(f"no store with code {code!r}")
    return store


def update_store(session: Session, code: str, patch: StorePatch) -> Store:
    store = get_store(session, code)
    values = _settable(patch)
    _coordinates(values.get("latitude", store.latitude), values.get("longitude", store.longitude))
    for name, value in values.items():
        setattr(store, name, value)
    session.flush()
    lookup.changed(session)
    return store


def create_staff(session: Session, data: StaffIn) -> tuple[Staff, str | None]:
    store_id = store_ref(session, data.store_code)
    if repo.staff_by_code(session, data.code) is not None:
        raise DuplicateCode(f"staff with code {data.code!r} already exist", field="code")
    values = data.model_dump(exclude={"store_code"})
    staff = Staff(**values, store_id=store_id, created_at=ctx(session).now())
    session.add(staff)
    _flush(session, f"staff with code {data.code!r} already exist")
    return staff, data.store_code


def get_staff(session: Session, code: str) -> Staff:
    staff = repo.staff_by_code(session, code)
    if staff is None:
        raise StaffNotFound(f"no staff with code {code!r}")
    return staff


def update_staff(session: Session, code: str, patch: StaffPatch) -> Staff:
    staff = get_staff(session, code)
    values = _settable(patch)
    if "store_code" in values:
        staff.store_id = store_ref(session, values.pop("store_code"))
    for name, value in values.items():
        setattr(staff, name, value)
    session.flush()
    return staff


def deactivate_staff(session: Session, code: str) -> Staff:
    """Someone left: they keep their history (orders, commission) but can no longer sell."""
    staff = get_staff(session, code)
    staff.active = False
    session.flush()
    return staff


def ensure_standard_channels(session: Session) -> list[str]:
    """Seed pos/web/app/line/marketplace/delivery; existing rows (maybe renamed) are kept."""
    have = {c.code for c in repo.channels(session)}
    added = [c for c in STANDARD_CHANNELS if c.code not in have]
    for c in added:
        session.add(Channel(code=c.code, name=c.name, kind=c.code, online=c.online))
    session.flush()
    return [c.code for c in added]


def brand_name(session: Session) -> str:
    found = repo.brand(session)
    return found.name if found else DEFAULT_BRAND_NAME


def rename_brand(session: Session, name: str) -> str:
    found = repo.brand(session)
    if found is None:
        found = Brand(id=1, name=name, created_at=ctx(session).now())
        session.add(found)
    found.name = name
    session.flush()
    return found.name


def store_ref(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    store = repo.store_by_code(session, code)
    if store is None:
        raise UnknownStore(f"no store with code {code!r}", field="store_code")
    return store.id


def _settable(patch: StorePatch | StaffPatch) -> dict[str, Any]:
    values = patch.model_dump(exclude_unset=True)
    for name in _NOT_NULL:
        if name in values and values[name] is None:
            raise Invalid(f"{name}: cannot be null", field=name)
    return values


def _coordinates(latitude: float | None, longitude: float | None) -> None:
    try:
        check_coordinates(latitude, longitude)
    except ValueError as exc:
        field = "longitude" if longitude is None else "latitude"
        raise BadCoordinates(f"{field}: {exc}", field=field) from None


def _flush(session: Session, duplicate: str) -> None:
    # The look-up above catches the common case; a concurrent insert of the same code
    # still ends as a 409, not a 500.
    try:
        session.flush()
    except IntegrityError as exc:
        raise DuplicateCode(duplicate, field="code") from exc
