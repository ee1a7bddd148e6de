"""Recording sales from every channel through the API: shape, idempotency, members, events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from tests.conftest import make_key
from tests.orders.conftest import counts, payloads, pos_sale


def test_pos_sale_is_recorded_with_lines_payments_einvoice_and_codes(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    r = client.post("/api/v1/orders", headers=pos, json=pos_sale())
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["source"] == "pos-terminal"  # the API key's name
    assert (order["channel"], order["store_code"], order["staff_code"]) == ("pos", "TPE-XINYI", "S-AMING")
    assert order["member_id"] is None  # a walk-in
    assert (order["subtotal"], order["discount_total"], order["total"]) == (2378, 18, 2360)
    assert order["status"] == "completed" and order["refunded_total"] == 0
    assert [(li["line_no"], li["sku"], li["quantity"], li["line_total"]) for li in order["lines"]] == [
        (1, "DRESS-BLK-M", 1, 1980),
        (2, "SOCKS-WHT-F", 2, 380),  # sold by barcode, shown by SKU code
    ]
    assert [(p["tender"], p["amount"]) for p in order["payments"]] == [
        ("credit_card", 2000),
        ("line_pay", 360),
    ]
    assert order["einvoice"] == {"type": "mobile_carrier", "value": "/ABC+123"}
    assert order["currency"] == "TWD"
    # 06:30 UTC is 14:30 in Taipei: same day
    assert order["business_date"] == "2025-03-01"
    assert client.get(f"/api/v1/orders/{order['id']}", headers=pos).json() == order


def test_business_date_is_the_taipei_day(client: TestClient, place_order: Callable[..., Any]) -> None:
    # 17:30 UTC on 1 March is 01:30 on 2 March in Taipei
    order = place_order(ordered_at="2025-03-01T17:30:00Z")
    assert order["ordered_at"].startswith("2025-03-01T17:30:00")
    assert order["business_date"] == "2025-03-02"
    # the same instant written with the Taipei offset is stored in UTC
    order = place_order(external_id="POS-0002", ordered_at="2025-03-02T01:30:00+08:00")
    assert order["ordered_at"].startswith("2025-03-01T17:30:00")
    assert order["business_date"] == "2025-03-02"


def test_retry_returns_the_same_order_and_changes_nothing(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    first = client.post("/api/v1/orders", headers=pos, json=pos_sale())
    assert first.status_code == 201
    before = counts(hub)
    again = client.post("/api/v1/orders", headers=pos, json=pos_sale())
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert counts(hub) == before  # no second order, no second event
    assert before["orders"] == 1 and before["outbox"] == 1


def test_retry_with_a_different_body_is_a_conflict(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    first = client.post("/api/v1/orders", headers=pos, json=pos_sale()).json()
    before = counts(hub)
    changed = pos_sale(payments=[{"tender": "cash", "amount": 2360}])
    r = client.post("/api/v1/orders", headers=pos, json=changed)
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "idempotency_conflict" and problem["order_id"] == first["id"]
    assert "POS-0001" in problem["detail"] and "different body" in problem["detail"]
    assert counts(hub) == before


def test_idempotency_is_per_source(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    a = client.post("/api/v1/orders", headers=pos, json=pos_sale())
    other_terminal = make_key(hub, "pos", name="pos-banqiao")
    b = client.post("/api/v1/orders", headers=other_terminal, json=pos_sale(store_code="NTP-BANQIAO"))
    # an explicit source shares the key space whatever key sends it
    c = client.post("/api/v1/orders", headers=other_terminal, json=pos_sale(source="pos-terminal"))
    assert (a.status_code, b.status_code, c.status_code) == (201, 201, 200)
    assert b.json()["source"] == "pos-banqiao" and a.json()["id"] != b.json()["id"]
    assert c.json()["id"] == a.json()["id"]


def test_order_discount_is_allocated_exactly_by_largest_remainder(
    client: TestClient, place_order: Callable[..., Any]
) -> None:
    order = place_order(
        lines=[
            {"sku": "DRESS-BLK-M", "quantity": 1, "unit_price": 100},
            {"sku": "SHIRT-LIN-L", "quantity": 1, "unit_price": 100},
            {"sku": "SOCKS-WHT-F", "quantity": 1, "unit_price": 100},
        ],
        discount=100,
        payments=[{"tender": "cash", "amount": 200}],
        einvoice=None,
    )
    # 33.33 each: floors 33+33+33, the one unit left goes to the earliest line
    assert [li["order_discount"] for li in order["lines"]] == [34, 33, 33]
    assert [li["line_total"] for li in order["lines"]] == [66, 67, 67]
    assert (order["subtotal"], order["discount_total"], order["total"]) == (300, 100, 200)


def test_online_orders_need_no_store_and_use_every_tender(
    client: TestClient, place_order: Callable[..., Any]
) -> None:
    # points are a tender too, but they come out of a member's ledger: tests/checkout
    tenders = ["jkopay", "px_pay", "easycard", "ipass", "gift_card", "coupon", "cash"]
    order = place_order(
        external_id="WEB-77",
        channel="web",
        store_code=None,
        staff_code=None,
        lines=[{"sku": "SOCKS-WHT-F", "quantity": 7, "unit_price": 100}],
        payments=[{"tender": t, "amount": 100} for t in tenders],
        einvoice={"type": "donation", "value": "8585"},
    )
    assert (order["channel"], order["store_code"], order["staff_code"]) == ("web", None, None)
    assert [p["tender"] for p in order["payments"]] == tenders
    assert order["einvoice"] == {"type": "donation", "value": "8585"}
    # marketplace and delivery orders share the model; credited to a store when they name one
    for n, channel in enumerate(("app", "line", "marketplace", "delivery")):
        got = place_order(
            external_id=f"{channel}-{n}", channel=channel, store_code="TPE-DAAN", staff_code=None
        )
        assert (got["channel"], got["store_code"]) == (channel, "TPE-DAAN")


def test_member_by_any_identifier_and_their_stored_carrier(
    client: TestClient, pos: dict[str, str], admin: dict[str, str], place_order: Callable[..., Any]
) -> None:
    r = client.post(
        "/api/v1/members",
        headers=admin,  # unmasked: the test needs the card number
        json={"phone": "0912-345-678", "email": "amy@example.com", "einvoice_carrier": "/XYZ.789"},
    )
    member = r.json()["member"]
    by_phone = place_order(
        member={"phone": "+886912345678"}, einvoice={"type": "member_carrier"}, external_id="P-1"
    )
    assert by_phone["member_id"] == member["id"]
    # the carrier is copied at the sale: a later change of profile does not rewrite history
    assert by_phone["einvoice"] == {"type": "mobile_carrier", "value": "/XYZ.789"}
    assert by_phone["meta"] == {"einvoice_from": "member"}
    by_card = place_order(member={"card": member["card_no"]}, external_id="P-2")
    by_email = place_order(member={"email": "AMY@example.com"}, external_id="P-3")
    by_id = place_order(member={"member_id": member["id"]}, external_id="P-4")
    assert {by_card["member_id"], by_email["member_id"], by_id["member_id"]} == {member["id"]}
    listed = client.get("/api/v1/orders", headers=pos, params={"member_id": member["id"]}).json()
    assert [o["external_id"] for o in listed] == ["P-4", "P-3", "P-2", "P-1"]  # same time: newest id first


def test_list_is_newest_first_and_filters(
    client: TestClient, pos: dict[str, str], place_order: Callable[..., Any]
) -> None:
    place_order(external_id="A", ordered_at="2025-03-01T01:00:00Z")
    place_order(external_id="B", ordered_at="2025-03-03T01:00:00Z", store_code="TPE-DAAN", staff_code="S-MEI")
    place_order(external_id="C", ordered_at="2025-03-02T01:00:00Z", channel="web", store_code=None)

    def ids(**params: Any) -> list[str]:
        r = client.get("/api/v1/orders", headers=pos, params=params)
        assert r.status_code == 200, r.text
        return [o["external_id"] for o in r.json()]

    assert ids() == ["B", "C", "A"]
    assert ids(limit=2) == ["B", "C"]
    assert ids(store_code="TPE-XINYI") == ["A"]
    assert ids(channel="web") == ["C"]
    assert ids(channel="pos", store_code="TPE-DAAN") == ["B"]
    r = client.get("/api/v1/orders", headers=pos, params={"store_code": "NOPE"})
    assert r.status_code == 422 and r.json()["field"] == "store_code"


def test_order_completed_event_carries_what_downstream_needs(
    hub: Hub, client: TestClient, pos: dict[str, str], place_order: Callable[..., Any]
) -> None:
    member = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678"}).json()["member"]
    order = place_order(member={"phone": "0912345678"})
    [event] = payloads(hub, "order.completed")
    assert event == {
        "order_id": order["id"],
        "source": "pos-terminal",
        "external_id": "POS-0001",
        "channel": "pos",
        "store_code": "TPE-XINYI",
        "staff_code": "S-AMING",
        "member_id": member["id"],
        "currency": "TWD",
        "total": 2360,
        "business_date": "2025-03-01",
        "lines": [
            {"line_no": 1, "sku": "DRESS-BLK-M", "quantity": 1, "unit_price": 1980, "line_total": 1980},
            {"line_no": 2, "sku": "SOCKS-WHT-F", "quantity": 2, "unit_price": 199, "line_total": 380},
        ],
    }


def test_scopes(hub: Hub, client: TestClient, catalog: dict[str, int]) -> None:
    collect_only = make_key(hub, "collect")
    r = client.post("/api/v1/orders", headers=collect_only, json=pos_sale())
    assert r.status_code == 403 and r.json()["code"] == "missing_scope"
    assert client.post("/api/v1/orders", json=pos_sale()).status_code == 401
    shop = make_key(hub, "ecommerce", name="webshop")
    r = client.post("/api/v1/orders", headers=shop, json=pos_sale(channel="web", store_code=None))
    assert r.status_code == 201 and r.json()["source"] == "webshop"
