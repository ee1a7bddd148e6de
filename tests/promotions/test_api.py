"""Promotions and coupons through the API, as head office sets them up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.core.clock import FrozenClock
from omohub.promotions.models import Coupon, Promotion
from tests.checkout.conftest import PHONE, cart, order_for
from tests.helpers import drain

SOCKS, DRESS, SHIRT = "SOCKS-WHT-F", "DRESS-BLK-M", "SHIRT-LIN-L"


def price(client: TestClient, pos: dict[str, str], *lines: tuple[str, int], **over: Any) -> dict[str, Any]:
    r = client.post("/api/v1/carts/price", headers=pos, json=cart(*lines, **over))
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def test_a_promotion_reads_back_with_codes_not_ids(
    client: TestClient, admin: dict[str, str], promote: Callable[..., dict[str, Any]]
) -> None:
    made = promote(
        "會員價",
        "price_override",
        {"prices": {DRESS: 1680}},
        {"skus": [DRESS]},
        audience="members",
        stores=["TPE-XINYI"],
        channels=["pos", "web"],
    )
    got = client.get(f"/api/v1/promotions/{made['id']}", headers=admin).json()
    assert got["params"] == {"prices": {DRESS: 1680}, "price": None}
    assert (got["target"]["skus"], got["stores"], got["audience"]) == ([DRESS], ["TPE-XINYI"], "members")


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"kind": "percent_off", "params": {"bp": 0}}, "params.bp", "greater than or equal to 1"),
        ({"kind": "percent_off", "params": {"pct": 10}}, "params.bp", "Field required"),
        (
            {"kind": "amount_off", "params": {"amount": 50}, "target": {"skus": ["NOPE"]}},
            "target.skus",
            "unknown code",
        ),
        ({"kind": "amount_off", "params": {"amount": 50}, "stores": ["NOWHERE"]}, "stores", "unknown code"),
        ({"kind": "amount_off", "params": {"amount": 50}, "target": {}}, None, "the target is empty"),
        (
            {"kind": "threshold", "params": {"steps": [{"min_spend": 1000}]}},
            "params.steps.0",
            "either amount_off or bp",
        ),
        (
            {
                "kind": "amount_off",
                "params": {"amount": 5},
                "starts_at": "2026-05-01T00:00:00Z",
                "ends_at": "2026-04-01T00:00:00Z",
            },
            None,
            "ends_at must be after starts_at",
        ),
        ({"kind": "amount_off", "params": {"amount": 5}, "auto_issue": "welcome"}, "auto_issue", "coupon"),
    ],
)
def test_bad_promotions_are_refused_precisely_and_nothing_is_kept(
    client: TestClient,
    hub: Hub,
    admin: dict[str, str],
    catalog: dict[str, int],
    body: dict[str, Any],
    field: str | None,
    words: str,
) -> None:
    full = {"name": "x", "target": {"all": True}, **body}
    r = client.post("/api/v1/promotions", headers=admin, json=full)
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"]
    if field:
        assert r.json()["field"] == field
    with hub.uow() as session:
        assert session.scalar(select(func.count()).select_from(Promotion)) == 0


def test_two_exclusive_promotions_of_one_priority_on_the_same_lines_cannot_be_resolved(
    client: TestClient, admin: dict[str, str], promote: Callable[..., dict[str, Any]]
) -> None:
    first = promote("週年慶", "percent_off", {"bp": 2000}, stacking="exclusive", priority=5)
    body = {
        "name": "母親節",
        "kind": "amount_off",
        "params": {"amount": 300},
        "target": {"all": True},
        "stacking": "exclusive",
        "priority": 5,
    }
    r = client.post("/api/v1/promotions", headers=admin, json=body)
    assert r.status_code == 409 and r.json()["code"] == "promotion_conflict"
    assert "週年慶" in r.json()["detail"]
    assert r.json()["conflicts_with"] == [{"id": first["id"], "name": "週年慶"}]
    assert client.post("/api/v1/promotions", headers=admin, json={**body, "priority": 6}).status_code == 201
    assert first["id"]


def test_a_paused_promotion_stops_pricing_at_once(
    client: TestClient,
    admin: dict[str, str],
    pos: dict[str, str],
    member: int,
    promote: Callable[..., dict[str, Any]],
) -> None:
    made = promote("全館9折", "percent_off", {"bp": 1000})
    assert price(client, pos, (DRESS, 1))["total"] == 1782
    client.post(f"/api/v1/promotions/{made['id']}/status", headers=admin, json={"status": "paused"})
    assert price(client, pos, (DRESS, 1))["total"] == 1980


def test_the_same_promotion_prices_alike_at_the_till_and_online(
    client: TestClient, pos: dict[str, str], member: int, promote: Callable[..., dict[str, Any]]
) -> None:
    promote("任選3件999", "bundle_price", {"size": 3, "price": 999}, {"skus": [SOCKS, SHIRT]})
    till = price(client, pos, (SHIRT, 2), (SOCKS, 1))
    web = price(client, pos, (SOCKS, 1), (SHIRT, 2), channel="web", store_code=None)
    assert till["total"] == web["total"] == 999
    web_only = price(client, pos, (SHIRT, 2), (SOCKS, 1), channel="app", store_code=None, member=None)
    assert web_only["total"] == 999  # walk-ins too: the audience is everyone


def test_bulk_codes_are_unique_and_each_works_once(
    client: TestClient,
    hub: Hub,
    admin: dict[str, str],
    pos: dict[str, str],
    member: int,
    promote: Callable[..., dict[str, Any]],
) -> None:
    deal = promote("DM折價券", "amount_off", {"amount": 100}, coupon=True)
    r = client.post(
        f"/api/v1/promotions/{deal['id']}/coupons", headers=admin, json={"count": 300, "prefix": "dm"}
    )
    assert r.status_code == 201 and r.json()["issued"] == 300
    codes = r.json()["codes"]
    assert len(set(codes)) == 300 and all(c.startswith("DM") and len(c) == 12 for c in codes)
    priced = price(client, pos, (DRESS, 1), coupons=[codes[0].lower()])
    assert priced["applied"][0]["coupon"] == codes[0]
    assert client.post("/api/v1/orders", headers=pos, json=order_for(priced, "POS-1")).status_code == 201
    r = client.post("/api/v1/carts/price", headers=pos, json=cart((DRESS, 1), coupons=[codes[0]]))
    assert r.status_code == 422 and r.json()["detail"] == f"coupon {codes[0]}: has been used"
    assert price(client, pos, (DRESS, 1), coupons=[codes[1]])["total"] == 1880
    state = client.get(f"/api/v1/coupons/{codes[0]}", headers=pos).json()
    assert (state["uses"], state["usable"], state["why_not"]) == (1, False, "has been used")


def test_a_quote_reserves_its_coupon_until_it_expires(
    client: TestClient,
    clock: FrozenClock,
    admin: dict[str, str],
    pos: dict[str, str],
    member: int,
    promote: Callable[..., dict[str, Any]],
) -> None:
    deal = promote("單次券", "amount_off", {"amount": 100}, coupon=True)
    client.post(f"/api/v1/promotions/{deal['id']}/coupons", headers=admin, json={"code": "ONCE"})
    price(client, pos, (DRESS, 1), coupons=["ONCE"])
    r = client.post(
        "/api/v1/carts/price",
        headers=pos,
        json=cart((DRESS, 1), coupons=["ONCE"], channel="web", store_code=None),
    )
    assert r.status_code == 422 and "has been used" in r.json()["detail"]
    clock.advance(minutes=16)  # the till's quote lapsed without an order
    assert price(client, pos, (DRESS, 1), coupons=["ONCE"], channel="web", store_code=None)["total"] == 1880


def test_wallet_coupons_belong_to_their_member(
    client: TestClient,
    admin: dict[str, str],
    pos: dict[str, str],
    member: int,
    promote: Callable[..., dict[str, Any]],
) -> None:
    deal = promote("VIP禮券", "amount_off", {"amount": 200}, coupon=True)
    r = client.post(
        f"/api/v1/promotions/{deal['id']}/coupons", headers=admin, json={"member": {"phone": PHONE}}
    )
    [code] = r.json()["codes"]
    wallet = client.get(f"/api/v1/members/{member}/coupons?usable=true", headers=pos).json()
    assert [c["code"] for c in wallet] == [code]
    other = client.post("/api/v1/members", headers=pos, json={"phone": "0922-000-111"}).json()["member"]["id"]
    r = client.post(
        "/api/v1/carts/price", headers=pos, json=cart((DRESS, 1), coupons=[code], member={"member_id": other})
    )
    assert r.status_code == 422 and r.json()["detail"] == f"coupon {code}: belongs to another member's wallet"
    assert price(client, pos, (DRESS, 1), coupons=[code])["total"] == 1780


def test_new_members_get_the_welcome_coupon_and_birthdays_get_theirs(
    client: TestClient,
    hub: Hub,
    clock: FrozenClock,
    pos: dict[str, str],
    promote: Callable[..., dict[str, Any]],
    catalog: dict[str, int],
) -> None:
    promote("入會禮 折50", "amount_off", {"amount": 50}, coupon=True, auto_issue="welcome")
    promote("生日禮 折300", "amount_off", {"amount": 300}, coupon=True, auto_issue="birthday")
    march = {"phone": "0933-111-222", "birthday": "1990-03-15"}
    june = {"phone": "0933-111-333", "birthday": "1991-06-01"}
    ids = [client.post("/api/v1/members", headers=pos, json=m).json()["member"]["id"] for m in (march, june)]
    drain(hub)
    drain(hub)  # a second sweep issues nothing twice
    wallets = [client.get(f"/api/v1/members/{i}/coupons", headers=pos).json() for i in ids]
    assert sorted(c["promotion_name"] for c in wallets[0]) == ["入會禮 折50", "生日禮 折300"]
    assert [c["promotion_name"] for c in wallets[1]] == ["入會禮 折50"]
    birthday = next(c for c in wallets[0] if c["promotion_name"] == "生日禮 折300")
    assert birthday["valid_until"] == "2026-03-31T16:00:00Z"  # end of March in Taipei
    clock.at = dt.datetime(2026, 6, 2, tzinfo=dt.UTC)
    drain(hub)
    assert len(client.get(f"/api/v1/members/{ids[1]}/coupons", headers=pos).json()) == 2
    with hub.uow() as session:
        assert session.scalar(select(func.count()).select_from(Coupon)) == 4  # 2 welcome, 2 birthdays


def test_caps_per_member_and_budgets_take_a_promotion_out_when_spent(
    client: TestClient, pos: dict[str, str], member: int, promote: Callable[..., dict[str, Any]]
) -> None:
    promote("首購折200", "amount_off", {"amount": 200}, max_uses_per_member=1)
    first = price(client, pos, (DRESS, 1))
    assert first["total"] == 1780
    assert client.post("/api/v1/orders", headers=pos, json=order_for(first, "POS-1")).status_code == 201
    assert price(client, pos, (DRESS, 1))["total"] == 1980
    assert price(client, pos, (DRESS, 1), member=None)["total"] == 1780  # a walk-in is not that member
