"""CSV import of stores and staff: upsert by code, all rows checked before anything is written.

Rejected rows stop the whole import unless ``skip_invalid`` is set (ADR 0020); either way
the writes are a handful of batched statements inside the caller's one transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.csvimport import (
    NO_PROGRESS,
    Column,
    FileUnusable,
    Outcome,
    Row,
    RowError,
    Table,
    Ticker,
    bulk_insert,
    bulk_update,
    existing_by_code,
    plan_upsert,
    validate_rows,
)
from omohub.org import lookup
from omohub.org import repository as repo
from omohub.org.models import Staff, Store
from omohub.org.rules import check_coordinates
from omohub.org.schemas import StaffIn, StoreIn

STORE_COLUMNS = (
    Column("code", ("store_code", "門市代號", "門市編號", "店號"), required=True),
    Column("name", ("store_name", "門市名稱", "店名"), required=True),
    Column("city", ("縣市", "城市"), required=True),
    Column("address", ("地址", "門市地址")),
    Column("latitude", ("lat", "緯度")),
    Column("longitude", ("lng", "lon", "經度")),
    Column("timezone", ("tz", "時區")),
    Column("active", ("啟用", "狀態")),
)

STAFF_COLUMNS = (
    Column("code", ("staff_code", "employee_code", "員工編號", "員工代號", "工號"), required=True),
    Column("name", ("staff_name", "姓名", "員工姓名"), required=True),
    Column("store_code", ("store", "門市代號", "門市編號", "所屬門市")),
    Column("role", ("職務", "職稱", "角色")),
    Column("active", ("啟用", "在職", "狀態")),
)


def import_stores(
    session: Session, table: Table, *, skip_invalid: bool = False, ticker: Ticker = NO_PROGRESS
) -> Outcome:
    """Create new stores, update changed ones; unchanged rows cost nothing."""
    if ("latitude" in table.headers) != ("longitude" in table.headers):
        raise FileUnusable(f"{table.name}: give the latitude and longitude columns together")

    def coordinates(row: Row, item: StoreIn) -> list[RowError]:
        try:
            check_coordinates(item.latitude, item.longitude)
        except ValueError as exc:
            field = "longitude" if item.longitude is None else "latitude"
            return [RowError(row.number, table.label(field), str(exc))]
        return []

    valid, rejected = validate_rows(table, StoreIn, "code", ticker, coordinates)
    wanted = {code: item.model_dump() for code, (_, item) in valid.items()}
    existing = existing_by_code(session, select(*Store.__table__.c), Store.code, wanted)
    fields = [f for f in StoreIn.model_fields if f in table.headers and f != "code"]
    inserts, updates, tally = plan_upsert(existing, wanted, fields, {"created_at": ctx(session).now()})
    outcome = Outcome(_count(table), {"stores": tally}, rejected)
    return _write(session, Store, inserts, updates, outcome, skip_invalid, ticker)


def import_staff(
    session: Session, table: Table, *, skip_invalid: bool = False, ticker: Ticker = NO_PROGRESS
) -> Outcome:
    """Create or update staff; their store must already be in the hub (import stores first)."""
    store_codes = {r.values.get("store_code", "") for r in table.rows} - {""}
    stores = repo.store_ids(session, store_codes)

    def known_store(row: Row, item: StaffIn) -> list[RowError]:
        if item.store_code is None or item.store_code in stores:
            return []
        reason = f"no store with code {item.store_code!r} (import stores first)"
        return [RowError(row.number, table.label("store_code"), reason)]

    valid, rejected = validate_rows(table, StaffIn, "code", ticker, known_store)
    wanted = {
        code: {
            **item.model_dump(exclude={"store_code"}),
            "store_id": stores.get(item.store_code or ""),
        }
        for code, (_, item) in valid.items()
    }
    existing = existing_by_code(session, select(*Staff.__table__.c), Staff.code, wanted)
    present = {"store_id" if f == "store_code" else f for f in table.headers}
    fields = [f for f in ("name", "store_id", "role", "active") if f in present]
    inserts, updates, tally = plan_upsert(existing, wanted, fields, {"created_at": ctx(session).now()})
    outcome = Outcome(_count(table), {"staff": tally}, rejected)
    return _write(session, Staff, inserts, updates, outcome, skip_invalid, ticker)


def _count(table: Table) -> int:
    return len(table.rows) + len(table.errors)


def _write(
    session: Session,
    model: type[Store | Staff],
    inserts: list[dict[str, object]],
    updates: list[dict[str, object]],
    outcome: Outcome,
    skip_invalid: bool,
    ticker: Ticker,
) -> Outcome:
    if outcome.rejected and not skip_invalid:
        return outcome
    ticker.start(f"writing {model.__tablename__}", len(inserts) + len(updates))
    bulk_insert(session, model, inserts, ticker)
    bulk_update(session, model, updates, ticker)
    session.flush()
    if model is Store and (inserts or updates):
        lookup.changed(session)
    outcome.written = True
    return outcome
