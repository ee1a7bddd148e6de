"""Stores by code as the hot path reads them (every POS cart names one): kept per process and
dropped when the ``stores`` token of ``core.versions`` changes — which every store write bumps
in its transaction (ADR 0094)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.core import versions
from omohub.org.models import Store


@dataclass(frozen=True)
class StoreRow:
    id: int
    code: str


def _by_code(session: Session, codes: list[str]) -> dict[str, StoreRow]:
    stmt = select(Store.id, Store.code).where(Store.code.in_(codes))
    return {code: StoreRow(id_, code) for id_, code in session.execute(stmt)}


_stores = versions.VersionedMap(versions.STORES, _by_code)


def store(session: Session, code: str) -> StoreRow | None:
    return _stores.get_many(session, [code]).get(code)


def changed(session: Session) -> None:
    """Stores were written in this transaction."""
    versions.bump(session, versions.STORES)
