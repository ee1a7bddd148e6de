"""No double spend at checkout on PostgreSQL: 50 tills and web carts at the same instant,
each over its own HTTP connection to a live server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.promotions.models import Coupon
from tests.checkout.conftest import cart, order_for
from tests.collect.servers import threaded_server
from tests.conftest import PG_URL
from tests.members.test_concurrency import parallel

pytestmark = [
    pytest.mark.skipif(
        not PG_URL, reason="concurrency is proven on PostgreSQL (set OMOHUB_TEST_DATABASE_URL)"
    ),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

CLIENTS = 50


def checkout(base: str, headers: dict[str, str], body: dict[str, Any], i: int) -> tuple[int, str]:
    """Price, then order with the quote; (status, code) of whichever step decided."""
    with httpx.Client(base_url=base, timeout=120) as http:
        r = http.post("/api/v1/carts/price", headers=headers, json=body)
        if r.status_code != 200:
            return r.status_code, r.json().get("code", "")
        r = http.post("/api/v1/orders", headers=headers, json=order_for(r.json(), f"C-{i}"))
        return r.status_code, r.json().get("code", "") if r.status_code != 201 else "ordered"


def web_cart(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "channel": "web", "store_code": None}


def test_fifty_parallel_uses_of_a_single_use_coupon_give_one_order(
    hub: Hub, pos: dict[str, str], admin: dict[str, str], member: int, promote: Callable[..., dict[str, Any]]
) -> None:
    from fastapi.testclient import TestClient

    from omohub.api.app import create_app

    deal = promote("單次券折100", "amount_off", {"amount": 100}, coupon=True)
    with TestClient(create_app(hub)) as client:
        client.post(f"/api/v1/promotions/{deal['id']}/coupons", headers=admin, json={"code": "ONCE100"})
    body = cart(("DRESS-BLK-M", 1), coupons=["ONCE100"])
    with threaded_server(hub) as (base, _):
        results = parallel(CLIENTS, lambda i: checkout(base, pos, body if i % 2 else web_cart(body), i))
    outcomes = Counter(results)
    assert outcomes[(201, "ordered")] == 1, outcomes
    assert sum(n for (status, _), n in outcomes.items() if status in (409, 422)) == CLIENTS - 1, outcomes
    with hub.uow() as session:
        assert session.scalar(select(Coupon.uses).where(Coupon.code == "ONCE100")) == 1


def test_fifty_parallel_checkouts_redeeming_the_last_points(
    client: Any, hub: Hub, pos: dict[str, str], member: int
) -> None:
    # 500 points: ten checkouts of 50 can have them, forty cannot. Fifty requests queue on one
    # member's row lock with thirty connections: this deadlocked before the thread pool was
    # sized above the connection pool (omohub.api.app._size_thread_pool).
    body = cart(("DRESS-BLK-M", 1), points=50)
    with threaded_server(hub) as (base, _):
        results = parallel(CLIENTS, lambda i: checkout(base, pos, body if i % 2 else web_cart(body), i))
    outcomes = Counter(results)
    assert outcomes[(201, "ordered")] == 10 and outcomes[(409, "not_enough_points")] == 40, outcomes
    points = client.get(f"/api/v1/members/{member}/points", headers=pos).json()
    assert (points["available"], points["held"], points["total"]) == (0, 0, 0)
