"""A small catalog and org of our own (created with the ORM) and helpers for order tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.catalog.models import Product, Sku
from omohub.core.outbox import OutboxMessage
from omohub.orders.models import Order, OrderLine, Payment, Return, ReturnLine
from omohub.org.models import Staff, Store

#: SKU code → (barcode, list price)
SKUS = {
    "DRESS-BLK-M": ("4710000000011", 1980),
    "SHIRT-LIN-L": ("4710000000028", 1280),
    "SOCKS-WHT-F": ("4710000000035", 199),
}
STORES = {"TPE-XINYI": "信義店", "NTP-BANQIAO": "板橋店", "TPE-DAAN": "大安店"}


@pytest.fixture
def catalog(hub: Hub) -> dict[str, int]:
    """Three stores, two staff and three SKUs; returns code → id for all of them."""
    ids: dict[str, int] = {}
    with hub.uow() as session:
        now = hub.context.now()
        for code, name in STORES.items():
            store = Store(code=code, name=name, city="台北市", created_at=now)
            session.add(store)
            session.flush()
            ids[code] = store.id
        for code, store in (("S-AMING", "TPE-XINYI"), ("S-MEI", "TPE-DAAN")):
            staff = Staff(code=code, name=code, store_id=ids[store], created_at=now)
            session.add(staff)
            session.flush()
            ids[code] = staff.id
        for code, (barcode, price) in SKUS.items():
            product = Product(code=code.rsplit("-", 1)[0], name=code, list_price=price, created_at=now)
            session.add(product)
            session.flush()
            sku = Sku(code=code, product_id=product.id, barcode=barcode, list_price=price, created_at=now)
            session.add(sku)
            session.flush()
            ids[code] = sku.id
    return ids


def pos_sale(external_id: str = "POS-0001", **over: Any) -> dict[str, Any]:
    """A valid POS sale: a dress and two pairs of socks, paid by card and LINE Pay."""
    body: dict[str, Any] = {
        "external_id": external_id,
        "channel": "pos",
        "store_code": "TPE-XINYI",
        "staff_code": "S-AMING",
        "ordered_at": "2025-03-01T06:30:00Z",
        "lines": [
            {"sku": "DRESS-BLK-M", "quantity": 1, "unit_price": 1980},
            {"sku": "4710000000035", "quantity": 2, "unit_price": 199, "line_discount": 18},
        ],
        "payments": [
            {"tender": "credit_card", "amount": 2000, "reference": "AUTH-7731"},
            {"tender": "line_pay", "amount": 360},
        ],
        "einvoice": {"type": "mobile_carrier", "value": "/ABC+123"},
    }
    body.update(over)
    return body


COUNTED = (Order, OrderLine, Payment, Return, ReturnLine, OutboxMessage)


def counts(hub: Hub) -> dict[str, int]:
    with hub.uow() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in COUNTED}


def topics(hub: Hub) -> list[str]:
    with hub.uow() as session:
        return list(session.scalars(select(OutboxMessage.topic).order_by(OutboxMessage.id)))


def payloads(hub: Hub, topic: str) -> list[dict[str, Any]]:
    with hub.uow() as session:
        rows = session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
        )
        return list(rows)


@pytest.fixture
def place_order(client: TestClient, pos: dict[str, str], catalog: dict[str, int]) -> Callable[..., Any]:
    def place(body: dict[str, Any] | None = None, **over: Any) -> dict[str, Any]:
        r = client.post("/api/v1/orders", headers=pos, json=body or pos_sale(**over))
        assert r.status_code == 201, r.text
        found: dict[str, Any] = r.json()
        return found

    return place
