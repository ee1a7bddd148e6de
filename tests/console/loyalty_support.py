"""Loyalty steps for console tests: a sale today (so it counts towards a tier), points, tiers."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from omohub.access.models import AuditEntry
from omohub.bootstrap import Hub, build_hub
from omohub.core.clock import FrozenClock
from omohub.core.config import Settings
from omohub.loyalty import repository as loyalty_repo
from omohub.loyalty.service import account, program
from omohub.orders import service as orders
from omohub.orders.schemas import OrderIn
from tests.console.seed import PHONE
from tests.helpers import drain

#: Noon in Taipei, mid-2026: the seed's March 2025 purchases are out of the 12-month tier window,
#: and their points are usable through 31 December 2026.
NOW = dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC)

_numbers = itertools.count(1)


def frozen_hub(settings: Settings) -> Iterator[Hub]:
    """A hub whose clock stands still at ``NOW`` (a module's ``hub`` fixture)."""
    h = build_hub(settings, clock=FrozenClock(NOW))
    yield h
    h.close()


def sell_today(hub: Hub, amount: int, phone: str = PHONE) -> None:
    """A POS sale of ``amount`` NT$ to the member with ``phone``, now; the worker then earns its points
    and evaluates the member's tier."""
    body = {
        "external_id": f"POS-LOYALTY-{next(_numbers)}",
        "channel": "pos",
        "store_code": "TPE-XINYI",
        "member": {"phone": phone},
        "lines": [{"sku": "DRESS-BLK-M", "quantity": 1, "unit_price": amount}],
        "payments": [{"tender": "cash", "amount": amount}],
    }
    with hub.uow() as session:
        orders.create(session, OrderIn.model_validate(body), actor="apikey:pos")
    drain(hub)


def put_tier(hub: Hub, code: str, name: str, threshold: int, multiplier_bp: int = 10_000) -> None:
    with hub.uow() as session:
        program.put_tier(session, code, name, threshold, {"earn_multiplier_bp": multiplier_bp})


def available(hub: Hub, member_id: int) -> int:
    with hub.uow() as session:
        return account.points(session, member_id).available


def ledger_size(hub: Hub, member_id: int) -> int:
    with hub.uow() as session:
        return len(loyalty_repo.entries(session, member_id, 1000))


def audit_lines(hub: Hub, prefix: str = "") -> list[tuple[str, str, str, dict[str, Any]]]:
    """(action, actor, subject, detail) of every audit entry whose action starts with ``prefix``."""
    with hub.uow() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(e.action, e.actor, e.subject, dict(e.detail)) for e in rows if e.action.startswith(prefix)]
