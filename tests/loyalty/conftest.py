"""Loyalty fixtures: a frozen clock, the orders domain's small catalog, members, and a drain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from omohub.bootstrap import Hub, build_hub
from omohub.core.clock import FrozenClock
from omohub.core.config import Settings
from omohub.loyalty import ledger
from omohub.loyalty.check import run as check_ledger
from omohub.members.models import Member
from tests.helpers import drain
from tests.orders.conftest import catalog, pos_sale

__all__ = ["catalog", "pos_sale"]

START = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)  # noon in Taipei


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def hub(settings: Settings, clock: FrozenClock) -> Iterator[Hub]:
    h = build_hub(settings, clock=clock)
    yield h
    h.close()


@pytest.fixture
def new_member(hub: Hub) -> Callable[..., int]:
    def make(birthday: dt.date | None = None) -> int:
        with hub.uow() as session:
            now = hub.context.now()
            m = Member(status="active", joined_at=now, birthday=birthday, created_at=now, updated_at=now)
            session.add(m)
            session.flush()
            return m.id

    return make


def sale(
    member_id: int | None, external_id: str, lines: list[tuple[str, int, int]], **over: Any
) -> dict[str, Any]:
    """A POS sale at the frozen clock's time, paid by card: lines are (sku, quantity, unit price)."""
    body = pos_sale(
        external_id,
        ordered_at=None,
        lines=[{"sku": s, "quantity": q, "unit_price": p} for s, q, p in lines],
        payments=[{"tender": "cash", "amount": sum(q * p for _, q, p in lines)}],
        einvoice=None,
    )
    body.pop("ordered_at")
    if member_id is not None:
        body["member"] = {"member_id": member_id}
    body.update(over)
    return body


def balance(hub: Hub, member_id: int) -> ledger.Balance:
    with hub.uow() as session:
        return ledger.balance(session, member_id)


def settle(hub: Hub) -> None:
    """Relay every queued event (earning, clawback, tiers) and prove the ledger still adds up."""
    drain(hub)
    with hub.uow() as session:
        report = check_ledger(session)
    assert report.problems == []
