"""The customer 360: what a clerk sees when a member walks in (issue #2 point 6)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from tests.helpers import basic, drain, new_source
from tests.orders.conftest import catalog, pos_sale

__all__ = ["catalog"]  # the fixture, shared with the orders tests

LINE = "U" + "ab" * 16


@pytest.fixture
def amy(
    hub: Hub, client: TestClient, pos: dict[str, str], admin: dict[str, str], catalog: dict[str, int]
) -> int:
    """A member with a POS sale, a web order, a return in a store and web browsing."""
    r = client.post(
        "/api/v1/members",
        headers=pos,
        json={"phone": "0912-345-678", "email": "amy@example.com", "line_uid": LINE, "name": "林小美"},
    )
    member_id: int = r.json()["member"]["id"]
    sale = pos_sale("POS-1", member={"phone": "0912345678"})
    assert client.post("/api/v1/orders", headers=pos, json=sale).status_code == 201
    web: dict[str, Any] = pos_sale(
        "WEB-1",
        channel="web",
        store_code=None,
        staff_code=None,
        member={"email": "amy@example.com"},
        ordered_at="2025-03-05T12:00:00Z",
        lines=[{"sku": "SHIRT-LIN-L", "quantity": 2, "unit_price": 1280}],
        payments=[{"tender": "credit_card", "amount": 2560}],
    )
    r = client.post("/api/v1/orders", headers=admin, json=web)
    assert r.status_code == 201, r.text
    # one shirt of the web order comes back at a store
    ret = {
        "external_id": "RET-1",
        "channel": "pos",
        "store_code": "TPE-DAAN",
        "lines": [{"line_no": 1, "quantity": 1}],
    }
    assert client.post(f"/api/v1/orders/{r.json()['id']}/returns", headers=pos, json=ret).status_code == 201
    shop = basic(new_source(hub, "webshop", "web"))
    client.post(
        "/v1/identify",
        headers=shop,
        json={"userId": "c-7", "anonymousId": "a-7", "traits": {"email": "amy@example.com"}},
    )
    for i, product in enumerate(["SHIRT-LIN", "DRESS-BLK", "SHIRT-LIN", "SOCKS-WHT"]):
        call = {
            "anonymousId": "a-7",
            "event": "Product Viewed",
            "messageId": f"v{i}",
            "properties": {"product_id": product},
        }
        assert client.post("/v1/track", headers=shop, json=call).status_code == 200
    client.post("/v1/page", headers=shop, json={"anonymousId": "a-7", "name": "Home", "messageId": "p1"})
    drain(hub)
    return member_id


def test_online_and_offline_spend_are_separate_and_net_of_returns(
    client: TestClient, admin: dict[str, str], amy: int
) -> None:
    body = client.get("/api/v1/members/lookup", params={"member_id": amy}, headers=admin).json()
    assert body["offline"] == {
        "orders": 1,
        "spend": 2360,
        "refunded": 0,
        "net_spend": 2360,
        "last_order_at": body["offline"]["last_order_at"],
    }
    assert body["online"]["orders"] == 1 and body["online"]["spend"] == 2560
    assert body["online"]["refunded"] == 1280 and body["online"]["net_spend"] == 1280
    assert body["lifetime_net_spend"] == 2360 + 1280
    assert body["currency"] == "TWD"


def test_last_purchases_span_channels_newest_first_with_lines(
    client: TestClient, admin: dict[str, str], amy: int
) -> None:
    purchases = client.get("/api/v1/members/lookup", params={"member_id": amy}, headers=admin).json()[
        "last_purchases"
    ]
    assert [(p["channel"], p["store"]) for p in purchases] == [("web", None), ("pos", "信義店")]
    web, pos_sale_ = purchases
    assert web["lines"] == [
        {
            "sku": "SHIRT-LIN-L",
            "product": "SHIRT-LIN-L",
            "size": "",
            "color": "",
            "quantity": 2,
            "line_total": 2560,
            "returned_quantity": 1,
        }
    ]
    assert web["status"] == "partially_refunded" and web["business_date"] == "2025-03-05"
    assert [line["sku"] for line in pos_sale_["lines"]] == ["DRESS-BLK-M", "SOCKS-WHT-F"]


def test_recently_viewed_lists_distinct_products_newest_first(
    client: TestClient, admin: dict[str, str], amy: int
) -> None:
    viewed = client.get("/api/v1/members/lookup", params={"email": "AMY@example.com"}, headers=admin).json()[
        "recently_viewed"
    ]
    assert [v["product_ref"] for v in viewed] == ["SOCKS-WHT", "SHIRT-LIN", "DRESS-BLK"]
    assert {v["channel"] for v in viewed} == {"web"}


def test_the_timeline_mixes_orders_browsing_and_joining(
    client: TestClient, admin: dict[str, str], amy: int
) -> None:
    timeline = client.get("/api/v1/members/lookup", params={"member_id": amy}, headers=admin).json()[
        "timeline"
    ]
    kinds = [item["kind"] for item in timeline]
    assert {"order", "track", "page", "identify", "joined"} <= set(kinds)
    stamps = [item["at"] for item in timeline]
    assert stamps == sorted(stamps, reverse=True)
    order = next(i for i in timeline if i["kind"] == "order" and i["detail"]["channel"] == "web")
    assert order["detail"]["refunded"] == 1280


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("phone", "+886 912 345 678"),
        ("email", "amy@example.com"),
        ("line_uid", LINE),
        ("anonymous_id", "a-7"),
        ("external_id", "webshop:c-7"),
    ],
)
def test_every_identifier_finds_the_same_member(
    client: TestClient, admin: dict[str, str], amy: int, key: str, value: str
) -> None:
    r = client.get("/api/v1/members/lookup", params={key: value}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["member"]["id"] == amy


def test_the_card_the_pos_scans_finds_her(
    client: TestClient, admin: dict[str, str], pos: dict[str, str], amy: int
) -> None:
    card = client.get(f"/api/v1/members/{amy}", headers=admin).json()["card_no"]
    assert card and len(card) == 12
    r = client.get("/api/v1/members/lookup", params={"card": card}, headers=pos)
    assert r.json()["member"]["id"] == amy
    assert r.json()["member"]["card_no"] != card  # masked for the till, which scanned it anyway


def test_a_look_up_needs_exactly_one_identifier(client: TestClient, admin: dict[str, str], amy: int) -> None:
    none = client.get("/api/v1/members/lookup", headers=admin)
    two = client.get(
        "/api/v1/members/lookup", params={"phone": "0912345678", "email": "amy@example.com"}, headers=admin
    )
    for r in (none, two):
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert "exactly one" in r.json()["detail"]


def test_nobody_found_is_a_404_problem(client: TestClient, admin: dict[str, str], amy: int) -> None:
    r = client.get("/api/v1/members/lookup", params={"phone": "0988-000-111"}, headers=admin)
    assert r.status_code == 404 and r.json()["code"] == "member_not_found"
    bad = client.get("/api/v1/members/lookup", params={"phone": "12"}, headers=admin)
    assert bad.status_code == 422 and "phone" in bad.json()["detail"]


def test_a_masked_360_never_shows_merge_reasons(
    client: TestClient, pos: dict[str, str], admin: dict[str, str], amy: int
) -> None:
    # a LINE profile merged into her: the reason names the identifier that linked them
    follower = client.post(
        "/api/v1/members", headers=pos, json={"facebook_id": "fb123", "join": False}
    ).json()
    r = client.post(
        f"/api/v1/members/{amy}/merge",
        headers=admin,
        json={"other_id": follower["member"]["id"], "reason": "same phone +886912345678"},
    )
    assert r.status_code == 200, r.text
    hq = client.get("/api/v1/members/lookup", params={"member_id": amy}, headers=admin).json()
    till = client.get("/api/v1/members/lookup", params={"member_id": amy}, headers=pos).json()
    assert [i["summary"] for i in hq["timeline"] if i["kind"] == "merge"] == ["same phone +886912345678"]
    assert [i["summary"] for i in till["timeline"] if i["kind"] == "merge"] == ["merged"]
    assert "912345678" not in str(till)
