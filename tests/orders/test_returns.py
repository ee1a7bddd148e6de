"""Returns across channels, line by line: refunds add up to what was paid and never more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from tests.orders.conftest import counts, payloads

Place = Callable[..., Any]


def _return(client: TestClient, headers: dict[str, str], order_id: int, key: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/orders/{order_id}/returns", headers={**headers, "Idempotency-Key": key}, json=body
    )


def test_bought_online_returned_in_a_store(
    hub: Hub, client: TestClient, pos: dict[str, str], place_order: Place
) -> None:
    member = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678"}).json()["member"]
    order = place_order(
        external_id="LINE-5001",
        channel="line",
        store_code="NTP-BANQIAO",  # pick-up store
        staff_code="S-AMING",  # credited through his link
        member={"phone": "0912345678"},
        lines=[
            {"sku": "DRESS-BLK-M", "quantity": 1, "unit_price": 1980},
            {"sku": "SHIRT-LIN-L", "quantity": 2, "unit_price": 1280},
        ],
        payments=[{"tender": "line_pay", "amount": 4540}],
    )
    r = _return(
        client,
        pos,
        order["id"],
        "RET-TPE-DAAN-0001",
        store_code="TPE-DAAN",
        staff_code="S-MEI",
        lines=[{"sku": "4710000000011", "quantity": 1}],  # scanned barcode
        refunds=[{"tender": "line_pay", "amount": 1980, "reference": "LP-R-1"}],
        reason="does not fit",
    )
    assert r.status_code == 201, r.text
    ret, after = r.json()["return"], r.json()["order"]
    assert (ret["channel"], ret["store_code"], ret["staff_code"]) == ("pos", "TPE-DAAN", "S-MEI")
    assert ret["lines"] == [{"line_no": 1, "sku": "DRESS-BLK-M", "quantity": 1, "refund_amount": 1980}]
    assert ret["refund_total"] == 1980 and ret["reason"] == "does not fit"
    assert ret["refunds"] == [{"tender": "line_pay", "amount": 1980, "reference": "LP-R-1"}]
    assert ret["idempotency_key"] == "RET-TPE-DAAN-0001" and ret["source"] == "pos-terminal"
    # the order keeps where it was sold; its returns say where they came back
    assert (after["channel"], after["store_code"]) == ("line", "NTP-BANQIAO")
    assert (after["status"], after["refunded_total"]) == ("partially_refunded", 1980)
    assert [(li["returned_quantity"], li["refunded_amount"]) for li in after["lines"]] == [(1, 1980), (0, 0)]
    assert after["returns"] == [ret]
    assert client.get(f"/api/v1/orders/{order['id']}", headers=pos).json() == after
    [event] = payloads(hub, "order.refunded")
    assert event == {
        "return_id": ret["id"],
        "order_id": order["id"],
        "member_id": member["id"],
        "channel": "pos",
        "store_code": "TPE-DAAN",
        "staff_code": "S-MEI",
        "currency": "TWD",
        "refund_total": 1980,
        "order_status": "partially_refunded",
        "business_date": ret["business_date"],
        "lines": [{"line_no": 1, "sku": "DRESS-BLK-M", "quantity": 1, "refund_amount": 1980}],
    }


def test_unit_refunds_round_down_and_the_last_unit_gets_the_remainder(
    client: TestClient, pos: dict[str, str], place_order: Place
) -> None:
    # 3 shirts for 1000 after discounts: 333.33 each
    order = place_order(
        lines=[{"sku": "SHIRT-LIN-L", "quantity": 3, "unit_price": 350, "line_discount": 50}],
        payments=[{"tender": "cash", "amount": 1000}],
    )
    got = [
        _return(client, pos, order["id"], f"R-{i}", lines=[{"line_no": 1, "quantity": 1}]).json()
        for i in range(3)
    ]
    assert [g["return"]["refund_total"] for g in got] == [333, 333, 334]
    final = got[-1]["order"]
    assert (final["status"], final["refunded_total"]) == ("refunded", 1000)
    assert final["lines"][0]["refunded_amount"] == final["lines"][0]["line_total"] == 1000


def test_order_discount_shares_are_refunded_not_list_prices(
    client: TestClient, pos: dict[str, str], place_order: Place
) -> None:
    order = place_order(
        lines=[
            {"sku": "DRESS-BLK-M", "quantity": 1, "unit_price": 1000},
            {"sku": "SOCKS-WHT-F", "quantity": 2, "unit_price": 250},
        ],
        discount=150,  # 100 on the dress, 50 on the socks
        payments=[{"tender": "cash", "amount": 1350}],
    )
    r = _return(client, pos, order["id"], "R-1", lines=[{"sku": "SOCKS-WHT-F", "quantity": 2}])
    assert r.json()["return"]["refund_total"] == 450
    r = _return(client, pos, order["id"], "R-2", lines=[{"line_no": 1, "quantity": 1}])
    assert r.json()["return"]["refund_total"] == 900
    assert r.json()["order"]["refunded_total"] == r.json()["order"]["total"] == 1350


def test_a_sku_on_several_lines_fills_them_in_order(
    client: TestClient, pos: dict[str, str], place_order: Place
) -> None:
    order = place_order(
        lines=[
            {"sku": "SOCKS-WHT-F", "quantity": 1, "unit_price": 199},
            {"sku": "DRESS-BLK-M", "quantity": 1, "unit_price": 1980},
            {"sku": "SOCKS-WHT-F", "quantity": 2, "unit_price": 150},
        ],
        payments=[{"tender": "cash", "amount": 2479}],
    )
    r = _return(client, pos, order["id"], "R-1", lines=[{"sku": "SOCKS-WHT-F", "quantity": 2}])
    assert r.status_code == 201, r.text
    assert [(x["line_no"], x["quantity"], x["refund_amount"]) for x in r.json()["return"]["lines"]] == [
        (1, 1, 199),
        (3, 1, 150),
    ]
    r = _return(client, pos, order["id"], "R-2", lines=[{"sku": "SOCKS-WHT-F", "quantity": 2}])
    assert r.status_code == 409 and r.json()["code"] == "over_return"
    assert "2 asked back from lines 1, 3, which sold 3 and had 2 returned" in r.json()["detail"]


def test_return_retry_is_idempotent_by_header_or_external_id(
    hub: Hub, client: TestClient, pos: dict[str, str], place_order: Place
) -> None:
    order = place_order()
    lines = [{"line_no": 2, "quantity": 1}]
    first = _return(client, pos, order["id"], "R-1", lines=lines)
    assert first.status_code == 201
    before = counts(hub)
    again = _return(client, pos, order["id"], "R-1", lines=lines)
    assert again.status_code == 200 and again.json() == first.json()
    # the same key sent as external_id is the same return
    url = f"/api/v1/orders/{order['id']}/returns"
    same = client.post(url, headers=pos, json={"external_id": "R-1", "lines": lines})
    assert same.status_code == 200 and same.json()["return"]["id"] == first.json()["return"]["id"]
    assert counts(hub) == before
    # the same key with another body is refused
    other = _return(client, pos, order["id"], "R-1", lines=[{"line_no": 1, "quantity": 1}])
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert other.json()["return_id"] == first.json()["return"]["id"]
    assert counts(hub) == before
    # keys are per order: another order may use the same one
    second = place_order(external_id="POS-0002")
    assert _return(client, pos, second["id"], "R-1", lines=lines).status_code == 201


def test_never_more_than_bought(
    hub: Hub, client: TestClient, pos: dict[str, str], place_order: Place
) -> None:
    order = place_order()  # line 2: two pairs of socks
    assert _return(client, pos, order["id"], "R-1", lines=[{"line_no": 2, "quantity": 1}]).status_code == 201
    before = counts(hub)
    r = _return(client, pos, order["id"], "R-2", lines=[{"line_no": 2, "quantity": 2}])
    assert r.status_code == 409 and r.json()["code"] == "over_return"
    assert r.json()["field"] == "lines.0"
    assert "2 asked back from line 2, which sold 2 and had 1 returned" in r.json()["detail"]
    r = _return(client, pos, order["id"], "R-3", lines=[{"line_no": 2, "quantity": 3}])
    assert r.status_code == 422 and r.json()["code"] == "invalid_return"  # more than was ever bought
    assert counts(hub) == before
    r = _return(
        client, pos, order["id"], "R-4", lines=[{"line_no": 2, "quantity": 1}, {"line_no": 1, "quantity": 1}]
    )
    assert r.status_code == 201 and r.json()["order"]["status"] == "refunded"
    r = _return(client, pos, order["id"], "R-5", lines=[{"line_no": 1, "quantity": 1}])
    assert r.status_code == 409


def test_return_defaults_to_where_it_was_sold(
    client: TestClient, pos: dict[str, str], place_order: Place
) -> None:
    order = place_order()
    r = _return(client, pos, order["id"], "R-1", lines=[{"line_no": 1, "quantity": 1}])
    assert (r.json()["return"]["channel"], r.json()["return"]["store_code"]) == ("pos", "TPE-XINYI")
    assert r.json()["return"]["refunds"] == []
    web = place_order(external_id="WEB-1", channel="web", store_code=None, staff_code=None)
    r = _return(client, pos, web["id"], "R-1", lines=[{"line_no": 1, "quantity": 1}])
    assert (r.json()["return"]["channel"], r.json()["return"]["store_code"]) == ("web", None)
    # a store return of a web order must say which store
    r = _return(client, pos, web["id"], "R-2", channel="pos", lines=[{"line_no": 2, "quantity": 1}])
    assert r.status_code == 422 and r.json()["field"] == "store_code"
