"""Checkout fixtures: the orders domain's catalog, a member with points, promotions by API."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.loyalty.conftest import clock, hub, new_member
from tests.orders.conftest import catalog

__all__ = ["catalog", "clock", "hub", "new_member"]

PHONE = "0912-345-678"


@pytest.fixture
def member(client: TestClient, pos: dict[str, str], admin: dict[str, str], catalog: dict[str, int]) -> int:
    """A member signed up at the till with 500 points from head office."""
    r = client.post("/api/v1/members", headers=pos, json={"phone": PHONE, "channel": "pos"})
    member_id: int = r.json()["member"]["id"]
    body = {"points": 500, "reason": "welcome gift", "key": "welcome-1"}
    assert (
        client.post(f"/api/v1/members/{member_id}/points/adjustments", headers=admin, json=body).status_code
        == 201
    )
    return member_id


@pytest.fixture
def promote(
    client: TestClient, admin: dict[str, str], catalog: dict[str, int]
) -> Callable[..., dict[str, Any]]:
    def create(
        name: str, kind: str, params: dict[str, Any], target: dict[str, Any] | None = None, **over: Any
    ) -> dict[str, Any]:
        body = {"name": name, "kind": kind, "params": params, "target": target or {"all": True}, **over}
        r = client.post("/api/v1/promotions", headers=admin, json=body)
        assert r.status_code == 201, r.text
        found: dict[str, Any] = r.json()
        return found

    return create


def cart(*lines: tuple[str, int], **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "pos",
        "store_code": "TPE-XINYI",
        "member": {"phone": PHONE},
        "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines],
    }
    body.update(over)
    return body


def order_for(priced: dict[str, Any], external_id: str, **over: Any) -> dict[str, Any]:
    """The order a POS sends for a quote: the quote's order lines, paid in points and cash."""
    payments = []
    if priced["points"]["worth"]:
        payments.append({"tender": "points", "amount": priced["points"]["worth"]})
    if priced["amount_due"]:
        payments.append({"tender": "cash", "amount": priced["amount_due"]})
    body: dict[str, Any] = {
        "external_id": external_id,
        "channel": priced["channel"],
        "store_code": priced["store_code"],
        "member": {"member_id": priced["member_id"]} if priced["member_id"] else None,
        "lines": copy.deepcopy(priced["order_lines"]),
        "payments": payments,
        "quote_id": priced["quote_id"],
    }
    body.update(over)
    return body
