"""Quotes that lapsed unused are deleted a week later with their coupon reservations; used ones stay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.checkout.models import Quote
from omohub.core.clock import FrozenClock
from omohub.promotions.models import CouponUse
from tests.checkout.conftest import cart, order_for
from tests.helpers import drain


def test_lapsed_quotes_go_used_ones_stay(
    client: TestClient,
    hub: Hub,
    clock: FrozenClock,
    admin: dict[str, str],
    pos: dict[str, str],
    member: int,
    promote: Callable[..., dict[str, Any]],
) -> None:
    deal = promote("折50", "amount_off", {"amount": 50}, coupon=True)
    client.post(
        f"/api/v1/promotions/{deal['id']}/coupons", headers=admin, json={"code": "FIFTY", "max_uses": 10}
    )
    lapsed = client.post(
        "/api/v1/carts/price", headers=pos, json=cart(("SOCKS-WHT-F", 1), coupons=["FIFTY"])
    ).json()
    used = client.post(
        "/api/v1/carts/price", headers=pos, json=cart(("SOCKS-WHT-F", 1), coupons=["FIFTY"])
    ).json()
    assert client.post("/api/v1/orders", headers=pos, json=order_for(used, "POS-1")).status_code == 201
    clock.advance(days=6)
    drain(hub)
    with hub.uow() as session:
        assert set(session.scalars(select(Quote.id))) == {lapsed["quote_id"], used["quote_id"]}
    clock.advance(days=2)  # the lapsed quote expired more than a week ago
    drain(hub)
    with hub.uow() as session:
        assert set(session.scalars(select(Quote.id))) == {used["quote_id"]}
        assert [(u.quote_id, u.status) for u in session.scalars(select(CouponUse))] == [
            (used["quote_id"], "used")
        ]
