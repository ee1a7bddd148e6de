"""Pricing a cart through the API, and an order consuming its quote exactly once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.core.clock import FrozenClock
from omohub.orders.models import Order
from omohub.promotions.models import Coupon, CouponUse, Promotion, PromotionUse
from tests.checkout.conftest import cart, order_for

SOCKS = "SOCKS-WHT-F"  # 199
DRESS = "DRESS-BLK-M"  # 1980


def test_the_till_gets_a_priced_cart_explained_line_by_line(
    client: TestClient, pos: dict[str, str], member: int, promote: Callable[..., dict[str, Any]]
) -> None:
    half = promote("第二件半價", "buy_x_get_y", {"buy": 1, "get": 1, "bp": 5000}, {"skus": [SOCKS]})
    promote("滿2000折200", "threshold", {"steps": [{"min_spend": 2000, "amount_off": 200}]})
    r = client.post("/api/v1/carts/price", headers=pos, json=cart((DRESS, 1), (SOCKS, 2), points=100))
    assert r.status_code == 200, r.text
    priced = r.json()
    socks = priced["lines"][1]
    assert socks["list_amount"] == 398
    assert any(
        a["promotion_id"] == half["id"] and a["amount"] == 100 for a in socks["explanation"]
    )  # 199 x 50% = 99.5, rounded half up
    assert priced["subtotal"] == 2378 and priced["discount_total"] == 100 + 200
    assert priced["total"] == 2378 - 300 == sum(line["total"] for line in priced["lines"])
    assert (priced["points"]["redeem"], priced["points"]["worth"]) == (100, 100)
    assert priced["amount_due"] == priced["total"] - 100
    assert priced["points_earned"] == (priced["total"] - 100) // 100
    assert priced["quote_id"].startswith("q_")
    points = client.get(f"/api/v1/members/{member}/points", headers=pos).json()
    assert points["held"] == 100


def test_an_order_with_the_quote_uses_points_coupons_and_promotions_exactly_once(
    client: TestClient,
    hub: Hub,
    pos: dict[str, str],
    admin: dict[str, str],
    member: int,
    promote: Callable[..., dict[str, Any]],
) -> None:
    welcome = promote("新會員折50", "amount_off", {"amount": 50}, coupon=True, max_uses=1000)
    client.post(f"/api/v1/promotions/{welcome['id']}/coupons", headers=admin, json={"code": "JOIN50"})
    priced = client.post(
        "/api/v1/carts/price", headers=pos, json=cart((SOCKS, 1), coupons=["join50"], points=20)
    ).json()
    assert [a["coupon"] for a in priced["applied"]] == ["JOIN50"]
    assert priced["total"] == 149 and priced["amount_due"] == 129
    r = client.post("/api/v1/orders", headers=pos, json=order_for(priced, "POS-1"))
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]
    assert (
        client.post("/api/v1/orders", headers=pos, json=order_for(priced, "POS-1")).status_code == 200
    )  # retry
    again = client.post("/api/v1/orders", headers=pos, json=order_for(priced, "POS-2"))
    assert again.status_code == 409 and again.json()["code"] == "quote_used"
    with hub.uow() as session:
        assert session.scalar(select(Coupon.uses).where(Coupon.code == "JOIN50")) == 1
        assert session.scalar(select(CouponUse.order_id)) == order_id
        assert session.scalar(select(Promotion.uses).where(Promotion.id == welcome["id"])) == 1
        assert session.scalar(select(func.count()).select_from(PromotionUse)) == 1
        assert session.scalar(select(func.count()).select_from(Order)) == 1
    points = client.get(f"/api/v1/members/{member}/points", headers=pos).json()
    assert (points["available"], points["held"], points["total"]) == (480, 0, 480)
    assert client.get(f"/api/v1/quotes/{priced['quote_id']}", headers=pos).json()["order_id"] == order_id


def test_an_order_that_does_not_match_its_quote_is_refused_and_nothing_is_spent(
    client: TestClient, hub: Hub, pos: dict[str, str], member: int, promote: Callable[..., dict[str, Any]]
) -> None:
    promote("全館9折", "percent_off", {"bp": 1000})
    priced = client.post("/api/v1/carts/price", headers=pos, json=cart((DRESS, 1), points=100)).json()
    body = order_for(priced, "POS-1")
    body["lines"][0]["line_discount"] = 500  # the cashier typed a bigger discount
    r = client.post(
        "/api/v1/orders",
        headers=pos,
        json={**body, "payments": [{"tender": "points", "amount": 100}, {"tender": "cash", "amount": 1380}]},
    )
    assert r.status_code == 409 and r.json()["code"] == "quote_mismatch"
    assert "lines.0: expected quantity 1 at 1980 less 198" in r.json()["detail"]
    with hub.uow() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0
    assert client.get(f"/api/v1/members/{member}/points", headers=pos).json()["held"] == 100
    assert client.post("/api/v1/orders", headers=pos, json=order_for(priced, "POS-1")).status_code == 201


def test_an_expired_quote_is_refused(
    client: TestClient, clock: FrozenClock, pos: dict[str, str], member: int
) -> None:
    priced = client.post("/api/v1/carts/price", headers=pos, json=cart((SOCKS, 1))).json()
    clock.advance(minutes=16)
    r = client.post("/api/v1/orders", headers=pos, json=order_for(priced, "POS-1"))
    assert r.status_code == 409 and r.json()["code"] == "quote_expired"


def test_bad_carts_get_precise_errors(
    client: TestClient,
    pos: dict[str, str],
    admin: dict[str, str],
    member: int,
    promote: Callable[..., dict[str, Any]],
) -> None:
    r = client.post("/api/v1/carts/price", headers=pos, json=cart(("NOPE", 1)))
    assert r.status_code == 422 and r.json()["field"] == "lines.0.sku"
    r = client.post("/api/v1/carts/price", headers=pos, json=cart((SOCKS, 1), coupons=["NOSUCH"]))
    assert r.status_code == 422 and r.json()["detail"] == "coupon NOSUCH: no such code"
    for quote in (True, False):  # a preview does not promise points that are not there either
        r = client.post("/api/v1/carts/price", headers=pos, json=cart((DRESS, 1), points=501, quote=quote))
        assert r.status_code == 409 and r.json()["code"] == "not_enough_points"
    r = client.post("/api/v1/carts/price", headers=pos, json=cart((SOCKS, 1), points=200))
    assert r.status_code == 422 and "at most 100% of the order (NT$199)" in r.json()["detail"]
    r = client.post("/api/v1/carts/price", headers=pos, json=cart((SOCKS, -1)))
    assert r.status_code == 422
    r = client.post("/api/v1/carts/price", headers=pos, json=cart((SOCKS, 1), store_code=None))
    assert r.status_code == 422 and r.json()["field"] == "store_code"
    r = client.post(
        "/api/v1/carts/price",
        headers=pos,
        json={**cart((SOCKS, 1)), "lines": [{"sku": SOCKS, "quantity": 1, "unit_price": -5}]},
    )
    assert r.status_code == 422
    old = promote("舊券", "amount_off", {"amount": 10}, coupon=True, ends_at="2026-01-01T00:00:00Z")
    client.post(f"/api/v1/promotions/{old['id']}/coupons", headers=admin, json={"code": "OLD10"})
    r = client.post("/api/v1/carts/price", headers=pos, json=cart((SOCKS, 1), coupons=["OLD10"]))
    assert r.status_code == 422 and r.json()["detail"] == "coupon OLD10: has expired"


def test_a_legacy_pos_order_paid_with_points_redeems_them_or_is_refused(
    client: TestClient, pos: dict[str, str], member: int
) -> None:
    body = {
        "external_id": "OLD-1",
        "channel": "pos",
        "store_code": "TPE-XINYI",
        "member": {"member_id": member},
        "lines": [{"sku": DRESS, "quantity": 1, "unit_price": 1980}],
        "payments": [{"tender": "points", "amount": 300}, {"tender": "cash", "amount": 1680}],
    }
    assert client.post("/api/v1/orders", headers=pos, json=body).status_code == 201
    assert client.get(f"/api/v1/members/{member}/points", headers=pos).json()["available"] == 200
    too_much = {
        **body,
        "external_id": "OLD-2",
        "payments": [{"tender": "points", "amount": 300}, {"tender": "cash", "amount": 1680}],
    }
    r = client.post("/api/v1/orders", headers=pos, json=too_much)
    assert r.status_code == 409 and r.json()["code"] == "not_enough_points"
    walk_in = {**body, "external_id": "OLD-3", "member": None}
    r = client.post("/api/v1/orders", headers=pos, json=walk_in)
    assert (
        r.status_code == 422 and r.json()["detail"] == "payments: a points tender needs a member on the order"
    )
