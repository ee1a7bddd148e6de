"""Bad orders and returns get a precise problem+json naming the field, and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from tests.orders.conftest import counts, pos_sale


def _line(i: int, **over: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body["lines"][i].update(over)

    return change


def _set(**over: Any) -> Callable[[dict[str, Any]], None]:
    return lambda body: body.update(over)


BAD_ORDERS = {
    "negative quantity": (_line(0, quantity=-1), "lines.0.quantity", "greater than 0"),
    "zero quantity": (_line(0, quantity=0), "lines.0.quantity", "greater than 0"),
    "negative price": (_line(0, unit_price=-5), "lines.0.unit_price", "greater than or equal to 0"),
    "fractional price": (_line(0, unit_price=19.5), "lines.0.unit_price", "integer"),
    "line discount over the line": (_line(1, line_discount=399), "lines.1.line_discount", "398"),
    "unknown SKU": (_line(0, sku="NO-SUCH-SKU"), "lines.0.sku", "unknown SKU 'NO-SUCH-SKU'"),
    "no lines": (_set(lines=[]), "lines", "at least 1"),
    "unknown store": (_set(store_code="TPE-NOPE"), "store_code", "unknown store code 'TPE-NOPE'"),
    "pos without store": (_set(store_code=None), "store_code", "required for the pos channel"),
    "unknown staff": (_set(staff_code="S-GHOST"), "staff_code", "unknown staff code 'S-GHOST'"),
    "unknown channel": (_set(channel="fax"), "channel", "'pos'"),
    "payments short": (
        _set(payments=[{"tender": "cash", "amount": 2359}]),
        "payments",
        "add up to 2359 but the order total is 2360",
    ),
    "unknown tender": (_set(payments=[{"tender": "bitcoin", "amount": 2360}]), "payments.0.tender", "'cash'"),
    "zero payment": (
        _set(payments=[{"tender": "cash", "amount": 2360}, {"tender": "coupon", "amount": 0}]),
        "payments.1.amount",
        "greater than 0",
    ),
    "order discount over total": (_set(discount=2361), "discount", "more than the lines' 2360"),
    "bad mobile carrier": (
        _set(einvoice={"type": "mobile_carrier", "value": "/ABC12"}),
        "einvoice.value",
        "'/' followed by 7",
    ),
    "bad tax id checksum": (
        _set(einvoice={"type": "company", "value": "12345678"}),
        "einvoice.value",
        "checksum",
    ),
    "short donation code": (_set(einvoice={"type": "donation", "value": "12"}), "einvoice.value", "3 to 7"),
    "bad citizen carrier": (
        _set(einvoice={"type": "citizen_carrier", "value": "A123456789012345"}),
        "einvoice.value",
        "2 capital letters and 14 digits",
    ),
    "unknown e-invoice type": (
        _set(einvoice={"type": "fax", "value": "1"}),
        "einvoice.type",
        "'mobile_carrier'",
    ),
    "member carrier for a walk-in": (
        _set(einvoice={"type": "member_carrier"}),
        "einvoice.type",
        "needs a member with a stored mobile barcode carrier",
    ),
    "value for paper": (_set(einvoice={"type": "paper", "value": "x"}), "einvoice.value", "must be empty"),
    "unknown member": (_set(member={"phone": "0987-654-321"}), "member.phone", "no member with phone"),
    "invalid member phone": (_set(member={"phone": "12"}), "member.phone", "phone"),
    "two member identifiers": (
        _set(member={"phone": "0912345678", "email": "a@b.co"}),
        "member",
        "exactly one of",
    ),
    "naive ordered_at": (_set(ordered_at="2025-03-01T10:00:00"), "ordered_at", "timezone"),
    "unknown field": (_set(total=1), "total", "not permitted"),
    # PostgreSQL's money columns are 32-bit: a bigger order must be a 422 there, not a 500
    "subtotal over the limit": (
        _set(
            lines=[{"sku": "DRESS-BLK-M", "quantity": 100_000, "unit_price": 100_000_000}],
            payments=[{"tender": "cash", "amount": 10**13}],
        ),
        "lines",
        "at most 2147483647",
    ),
    "ordered_at out of range": (_set(ordered_at="0001-01-01T00:00:00+08:00"), "ordered_at", "year"),
    "ordered_at at the far end": (_set(ordered_at="9999-12-31T23:59:59-08:00"), "ordered_at", "year"),
    "member id out of range": (_set(member={"member_id": 10**20}), "member.member_id", "less than"),
    "no external id": (_set(external_id=""), "external_id", "at least 1"),
}


def test_bad_orders_are_refused_precisely_and_write_nothing(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    # one database for every case: the fixtures cost more than the requests
    before = counts(hub)
    for case, (change, field, words) in BAD_ORDERS.items():
        body = pos_sale()
        change(body)
        r = client.post("/api/v1/orders", headers=pos, json=body)
        assert r.status_code == 422, (case, r.text)
        assert r.headers["content-type"] == "application/problem+json", case
        problem = r.json()
        assert problem["status"] == 422 and problem["title"] == "Invalid input", case
        matching = [e for e in problem["errors"] if e["field"] == field]
        assert matching, (case, problem)
        assert words in matching[0]["message"], (case, problem)
        assert counts(hub) == before, case


NUL_ORDERS = {
    "external id": _set(external_id="POS\x00-1"),
    "SKU": _line(0, sku="DRESS\x00"),
    "store code": _set(store_code="TPE\x00"),
    "member": _set(member={"email": "a\x00@b.co"}),
    "meta": _set(meta={"note": ["ok", {"x": "a\x00"}]}),
}


def test_nul_characters_are_refused_and_write_nothing(
    hub: Hub, client: TestClient, pos: dict[str, str], place_order: Callable[..., Any]
) -> None:
    """PostgreSQL text holds no NUL: a 422 on both backends, never a 500 on one of them."""
    order = place_order()
    before = counts(hub)
    sent = []
    for case, change in NUL_ORDERS.items():
        body = pos_sale("POS-NUL")
        change(body)
        sent.append((case, client.post("/api/v1/orders", headers=pos, json=body)))
    url = f"/api/v1/orders/{order['id']}/returns"
    lines = [{"line_no": 1, "quantity": 1}]
    sent.append(("return key", client.post(url, headers=pos, json={"external_id": "R\x00", "lines": lines})))
    sent.append(
        (
            "return reason",
            client.post(url, headers=pos, json={"external_id": "R", "reason": "\x00", "lines": lines}),
        )
    )
    sent.append(("store filter", client.get("/api/v1/orders", params={"store_code": "T\x00"}, headers=pos)))
    for case, r in sent:
        assert r.status_code == 422, (case, r.text)
        assert r.headers["content-type"] == "application/problem+json", case
        assert "NUL" in r.json()["detail"], (case, r.text)
    assert counts(hub) == before


def test_every_problem_is_named_at_once(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    body = pos_sale(store_code="TPE-NOPE", staff_code="S-GHOST")
    body["lines"][1]["sku"] = "NOPE"
    r = client.post("/api/v1/orders", headers=pos, json=body)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["store_code", "staff_code", "lines.1.sku"]
    assert r.json()["code"] == "invalid_order"


def test_malformed_json_is_refused(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    before = counts(hub)
    r = client.post(
        "/api/v1/orders", headers={**pos, "content-type": "application/json"}, content=b'{"external_id": "x",'
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert counts(hub) == before


def test_unknown_order_is_404(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    assert client.get("/api/v1/orders/999", headers=pos).json()["code"] == "order_not_found"
    # beyond a 64-bit id: still no such order (not an overflow in the driver)
    huge = str(10**20)
    assert client.get(f"/api/v1/orders/{huge}", headers=pos).json()["code"] == "order_not_found"
    r = client.get(f"/api/v1/orders?member_id={huge}", headers=pos)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.member_id"
    r = client.post(
        f"/api/v1/orders/{huge}/returns",
        headers={**pos, "Idempotency-Key": "R-1"},
        json={"lines": [{"line_no": 1, "quantity": 1}]},
    )
    assert r.status_code == 404 and r.json()["code"] == "order_not_found"
    before = counts(hub)
    r = client.post(
        "/api/v1/orders/999/returns",
        headers={**pos, "Idempotency-Key": "R-1"},
        json={"lines": [{"line_no": 1, "quantity": 1}]},
    )
    assert r.status_code == 404 and r.json()["code"] == "order_not_found"
    assert r.headers["content-type"] == "application/problem+json"
    assert counts(hub) == before


BAD_RETURNS = {
    "more than bought": ({"lines": [{"line_no": 2, "quantity": 3}]}, 422, "lines.0", "3 asked back"),
    "more than bought in two parts": (
        {"lines": [{"line_no": 1, "quantity": 1}, {"sku": "DRESS-BLK-M", "quantity": 1}]},
        422,
        "lines.1",
        "2 asked back from line 1, which sold 1",
    ),
    "negative quantity": (
        {"lines": [{"line_no": 1, "quantity": -1}]},
        422,
        "lines.0.quantity",
        "greater than 0",
    ),
    "no such line": ({"lines": [{"line_no": 9, "quantity": 1}]}, 422, "lines.0.line_no", "no line 9"),
    "sku not in order": (
        {"lines": [{"sku": "SHIRT-LIN-L", "quantity": 1}]},
        422,
        "lines.0.sku",
        "no line with",
    ),
    "unknown sku": (
        {"lines": [{"sku": "NOPE", "quantity": 1}]},
        422,
        "lines.0.sku",
        "no line with SKU 'NOPE'",
    ),
    "line and sku disagree": (
        {"lines": [{"line_no": 1, "sku": "SOCKS-WHT-F", "quantity": 1}]},
        422,
        "lines.0.sku",
        "line 1 is not SKU",
    ),
    "neither line nor sku": ({"lines": [{"quantity": 1}]}, 422, "lines.0", "give the order line's line_no"),
    "unknown store": (
        {"store_code": "NOPE", "lines": [{"line_no": 1, "quantity": 1}]},
        422,
        "store_code",
        "unknown store code",
    ),
    "unknown staff": (
        {"store_code": "TPE-DAAN", "staff_code": "S-GHOST", "lines": [{"line_no": 1, "quantity": 1}]},
        422,
        "staff_code",
        "unknown staff code",
    ),
    "refunds not adding up": (
        {"lines": [{"line_no": 1, "quantity": 1}], "refunds": [{"tender": "cash", "amount": 1}]},
        422,
        "refunds",
        "add up to 1 but the returned units are worth 1980",
    ),
    "unknown refund tender": (
        {"lines": [{"line_no": 1, "quantity": 1}], "refunds": [{"tender": "iou", "amount": 1980}]},
        422,
        "refunds.0.tender",
        "'cash'",
    ),
}


def test_bad_returns_are_refused_precisely_and_write_nothing(
    hub: Hub, client: TestClient, pos: dict[str, str], place_order: Callable[..., Any]
) -> None:
    order = place_order()
    before = counts(hub)
    for case, (body, status, field, words) in BAD_RETURNS.items():
        r = client.post(
            f"/api/v1/orders/{order['id']}/returns", headers={**pos, "Idempotency-Key": "R-1"}, json=body
        )
        assert r.status_code == status, (case, r.text)
        assert r.headers["content-type"] == "application/problem+json", case
        problem = r.json()
        fields = [e["field"] for e in problem.get("errors", [])] or [problem.get("field")]
        assert field in fields, (case, problem)
        assert words in problem["detail"], (case, problem)
        assert counts(hub) == before, case
    assert client.get(f"/api/v1/orders/{order['id']}", headers=pos).json() == order


def test_a_return_needs_an_idempotency_key(
    hub: Hub, client: TestClient, pos: dict[str, str], place_order: Callable[..., Any]
) -> None:
    order = place_order()
    before = counts(hub)
    url = f"/api/v1/orders/{order['id']}/returns"
    lines = [{"line_no": 1, "quantity": 1}]
    r = client.post(url, headers=pos, json={"lines": lines})
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["detail"]
    r = client.post(url, headers={**pos, "Idempotency-Key": "a"}, json={"external_id": "b", "lines": lines})
    assert r.status_code == 422 and "differ" in r.json()["detail"]
    assert counts(hub) == before
