"""``/api/v1`` stores, staff, channels and brand. ``admin`` writes; ``pos``/``ecommerce`` read."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from omohub.api.deps import principal, uow
from omohub.core.paging import Page, page_of
from omohub.org import repository as repo
from omohub.org import service
from omohub.org.models import Staff
from omohub.org.schemas import (
    BrandIn,
    BrandOut,
    ChannelOut,
    StaffIn,
    StaffOut,
    StaffPatch,
    StoreIn,
    StoreOut,
    StorePatch,
)

router = APIRouter(prefix="/api/v1", tags=["org"])
READ = Depends(principal("pos", "ecommerce"))
WRITE = Depends(principal("admin"))
LIMIT = Query(50, ge=1, le=500, description="Page size")
AFTER = Query(None, description="The next_after of the previous page")


@router.post("/stores", response_model=StoreOut, status_code=201, dependencies=[WRITE])
def create_store(data: StoreIn, session: Session = uow) -> StoreOut:
    """Create a store. 409 if the code is taken."""
    return StoreOut.model_validate(service.create_store(session, data))


@router.get("/stores", response_model=Page[StoreOut], dependencies=[READ])
def list_stores(
    after: str | None = AFTER,
    limit: int = LIMIT,
    city: str | None = None,
    active: bool | None = None,
    session: Session = uow,
) -> Page[StoreOut]:
    """Stores in code order, optionally of one city or only (in)active ones."""
    found = repo.stores_page(session, after=after, limit=limit + 1, city=city, active=active)
    return page_of(found, limit, StoreOut.model_validate, lambda s: s.code)


@router.get("/stores/{code}", response_model=StoreOut, dependencies=[READ])
def read_store(code: str, session: Session = uow) -> StoreOut:
    """One store by its code: name, city, address, coordinates, timezone, whether it is open."""
    return StoreOut.model_validate(service.get_store(session, code))


@router.patch("/stores/{code}", response_model=StoreOut, dependencies=[WRITE])
def update_store(code: str, data: StorePatch, session: Session = uow) -> StoreOut:
    """Change a store's fields (``active: false`` closes it); the code never changes."""
    return StoreOut.model_validate(service.update_store(session, code, data))


@router.post("/staff", response_model=StaffOut, status_code=201, dependencies=[WRITE])
def create_staff(data: StaffIn, session: Session = uow) -> StaffOut:
    """Create a member of staff. 422 if the store is unknown, 409 if the code is taken."""
    staff, store_code = service.create_staff(session, data)
    return _staff_out(staff, store_code)


@router.get("/staff", response_model=Page[StaffOut], dependencies=[READ])
def list_staff(
    store_code: str | None = Query(None, description="Only this store's staff"),
    active: bool | None = None,
    after: str | None = AFTER,
    limit: int = LIMIT,
    session: Session = uow,
) -> Page[StaffOut]:
    """Staff in code order, of one store or all."""
    store_id = service.store_ref(session, store_code)
    found = repo.staff_page(session, after=after, limit=limit + 1, store_id=store_id, active=active)
    return page_of(found, limit, lambda row: _staff_out(*row), lambda s: s.code)


@router.get("/staff/{code}", response_model=StaffOut, dependencies=[READ])
def read_staff(code: str, session: Session = uow) -> StaffOut:
    """One staff member by their code, with their store's code and role."""
    staff = service.get_staff(session, code)
    return _staff_out(staff, repo.store_code_of(session, staff.store_id))


@router.patch("/staff/{code}", response_model=StaffOut, dependencies=[WRITE])
def update_staff(code: str, data: StaffPatch, session: Session = uow) -> StaffOut:
    """Change name, store, role or active; ``store_code: null`` moves them to head office."""
    staff = service.update_staff(session, code, data)
    return _staff_out(staff, repo.store_code_of(session, staff.store_id))


@router.post("/staff/{code}/deactivate", response_model=StaffOut, dependencies=[WRITE])
def deactivate_staff(code: str, session: Session = uow) -> StaffOut:
    """Someone left: their history stays, they can no longer be credited with new sales."""
    staff = service.deactivate_staff(session, code)
    return _staff_out(staff, repo.store_code_of(session, staff.store_id))


@router.get("/channels", response_model=list[ChannelOut], dependencies=[READ])
def list_channels(session: Session = uow) -> list[ChannelOut]:
    """Sales channels (pos, web, app, line, marketplace, delivery, and any the brand added)."""
    return [ChannelOut.model_validate(c) for c in repo.channels(session)]


@router.get("/brand", response_model=BrandOut, dependencies=[READ])
def read_brand(session: Session = uow) -> BrandOut:
    """The brand this hub serves."""
    return BrandOut(name=service.brand_name(session))


@router.patch("/brand", response_model=BrandOut, dependencies=[WRITE])
def rename_brand(data: BrandIn, session: Session = uow) -> BrandOut:
    """Rename the brand (shown in the console and on the member card)."""
    return BrandOut(name=service.rename_brand(session, data.name))


def _staff_out(staff: Staff, store_code: str | None) -> StaffOut:
    return StaffOut(
        id=staff.id,
        code=staff.code,
        name=staff.name,
        store_code=store_code,
        role=staff.role,
        active=staff.active,
        created_at=staff.created_at,
    )
