"""Shared steps for loyalty tests: record sales and returns through the orders domain."""

from __future__ import annotations

from typing import Any

from omohub.bootstrap import Hub
from omohub.orders import returns
from omohub.orders import service as orders
from omohub.orders.schemas import OrderIn, ReturnIn


def buy(hub: Hub, body: dict[str, Any]) -> int:
    with hub.uow() as session:
        order, _ = orders.create(session, OrderIn.model_validate(body), actor="apikey:pos")
        return order.id


def give_back(
    hub: Hub, order_id: int, key: str, lines: list[dict[str, Any]], store: str = "NTP-BANQIAO"
) -> int:
    data = ReturnIn.model_validate({"store_code": store, "lines": lines})
    with hub.uow() as session:
        ret, _ = returns.record(session, order_id, data, idempotency_key=key, actor="apikey:pos")
        return ret.id
