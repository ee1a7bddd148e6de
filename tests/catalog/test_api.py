"""Products and SKUs over ``/api/v1``: create with SKUs, search and page, look a SKU up, bad input."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.catalog.models import Product, Sku

SHIRT: dict[str, Any] = {
    "code": "LS-2401",
    "name": "亞麻襯衫 Linen shirt",
    "category": "上衣",
    "list_price": 1290,
    "skus": [
        {"code": "LS-2401-WHT-M", "barcode": "4712345000022", "size": "M", "color": "白"},
        {"code": "LS-2401-WHT-L", "barcode": "4712345000039", "size": "L", "color": "白", "list_price": 1390},
        {"code": "LS-2401-NVY-M", "barcode": "SHIRT0NVYM", "size": "M", "color": "藏青"},
        {"code": "LS-2401-NVY-L", "size": "L", "color": "藏青"},
    ],
}


def counts(hub: Hub) -> tuple[int, int]:
    with hub.uow() as session:
        products = session.scalar(select(func.count()).select_from(Product)) or 0
        return products, session.scalar(select(func.count()).select_from(Sku)) or 0


def problem(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["code"] == code
    return body


def test_create_product_with_skus_and_read_it(
    client: TestClient, admin: dict[str, str], pos: dict[str, str]
) -> None:
    r = client.post("/api/v1/products", headers=admin, json=SHIRT)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["code"] == "LS-2401" and body["list_price"] == 1290
    prices = {s["code"]: (s["list_price"], s["barcode"]) for s in body["skus"]}
    assert prices == {
        "LS-2401-WHT-M": (1290, "4712345000022"),
        "LS-2401-WHT-L": (1390, "4712345000039"),
        "LS-2401-NVY-M": (1290, "SHIRT0NVYM"),
        "LS-2401-NVY-L": (1290, None),
    }
    got = client.get("/api/v1/products/LS-2401", headers=pos).json()
    assert got == body


def test_pos_scans_a_barcode(client: TestClient, admin: dict[str, str], pos: dict[str, str]) -> None:
    client.post("/api/v1/products", headers=admin, json=SHIRT)
    r = client.get("/api/v1/skus/lookup", headers=pos, params={"barcode": "4712345000039"})
    assert r.status_code == 200, r.text
    found = r.json()
    assert (found["code"], found["size"], found["list_price"]) == ("LS-2401-WHT-L", "L", 1390)
    assert found["product"] == {"code": "LS-2401", "name": "亞麻襯衫 Linen shirt", "category": "上衣"}
    r = client.get("/api/v1/skus/lookup", headers=pos, params={"code": "LS-2401-NVY-L"})
    assert r.json()["barcode"] is None and r.json()["product"]["code"] == "LS-2401"
    problem(
        client.get("/api/v1/skus/lookup", headers=pos, params={"barcode": "4712345000046"}),
        404,
        "sku_not_found",
    )
    problem(client.get("/api/v1/skus/lookup", headers=pos), 422, "invalid")
    both = {"code": "LS-2401-NVY-L", "barcode": "SHIRT0NVYM"}
    problem(client.get("/api/v1/skus/lookup", headers=pos, params=both), 422, "invalid")
    problem(client.get("/api/v1/products/NOPE", headers=pos), 404, "product_not_found")


def _product(code: str, name: str, category: str = "上衣") -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "category": category,
        "list_price": 490,
        "skus": [{"code": f"{code}-F"}],
    }


def test_search_and_pages(client: TestClient, admin: dict[str, str], pos: dict[str, str]) -> None:
    for product in (
        _product("TS-01", "素面T恤 白"),
        _product("TS-02", "素面T恤 黑"),
        _product("DR-01", "碎花洋裝", "洋裝"),
        _product("LS-01", "Linen Shirt"),
        _product("TS_03", "100% cotton tee"),
    ):
        assert client.post("/api/v1/products", headers=admin, json=product).status_code == 201
    r = client.get("/api/v1/products", headers=pos, params={"limit": 2})
    page = r.json()
    assert [p["code"] for p in page["items"]] == ["DR-01", "LS-01"] and page["next_after"] == "LS-01"
    assert page["items"][0]["skus"][0]["code"] == "DR-01-F"
    r = client.get("/api/v1/products", headers=pos, params={"limit": 2, "after": "LS-01"})
    assert [p["code"] for p in r.json()["items"]] == ["TS-01", "TS-02"]
    r = client.get("/api/v1/products", headers=pos, params={"limit": 2, "after": "TS-02"})
    assert [p["code"] for p in r.json()["items"]] == ["TS_03"] and r.json()["next_after"] is None

    def search(**params: str) -> list[str]:
        return [p["code"] for p in client.get("/api/v1/products", headers=pos, params=params).json()["items"]]

    assert search(q="素面") == ["TS-01", "TS-02"]
    assert search(q="linen") == ["LS-01"]  # any case
    assert search(q="ts-") == ["TS-01", "TS-02"]  # code prefix
    assert search(q="TS_") == ["TS_03"]  # "_" is a character, not a wildcard
    assert search(q="100%") == ["TS_03"]
    assert search(category="洋裝") == ["DR-01"]
    assert search(q="nothing like it") == []
    problem(client.get("/api/v1/products", headers=pos, params={"limit": 0}), 422, "invalid")


def _with(path: str, value: Any, base: dict[str, Any] = SHIRT) -> dict[str, Any]:
    body = copy.deepcopy(base)
    target: Any = body
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part) if part.isdigit() else part]
    target[int(last) if last.isdigit() else last] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("code", "LS 2401", "not a valid code"),
        ("code", "x" * 61, "at most 60"),
        ("name", "", "at least 1"),
        ("list_price", -1, "greater than or equal to 0"),
        ("list_price", 12.5, "fractional part"),
        ("list_price", "a lot", "valid integer"),
        ("list_price", 2**31, "less than or equal to 2147483647"),  # a 32-bit column on PostgreSQL
        ("skus", [], "at least 1"),
        ("skus.0.code", "LS/2401", "not a valid code"),
        ("skus.0.barcode", "4712345000023", "check digit should be 2"),
        ("skus.0.barcode", "471", "4 to 40 letters and digits"),
        ("skus.0.barcode", "4712-3450", "4 to 40 letters and digits"),
        ("skus.0.barcode", "4.71235E+12", "format the barcode column as text"),
        ("skus.1.list_price", -5, "greater than or equal to 0"),
        ("skus.1.list_price", 10**12, "less than or equal to 2147483647"),
        ("skus.1.size", "S" * 21, "at most 20"),
    ],
)
def test_bad_product_is_refused_precisely_and_not_written(
    hub: Hub, client: TestClient, admin: dict[str, str], path: str, value: Any, words: str
) -> None:
    body = problem(client.post("/api/v1/products", headers=admin, json=_with(path, value)), 422, "invalid")
    assert [e["field"] for e in body["errors"]] == [path]
    assert words in body["errors"][0]["message"]
    assert counts(hub) == (0, 0)


@pytest.mark.parametrize(
    ("path", "value", "status", "code"),
    [
        ("code", "LS-2401", 409, "duplicate_code"),
        ("skus.1.code", "LS-2401-WHT-M", 409, "duplicate_code"),
        ("skus.2.barcode", "4712345000022", 409, "duplicate_code"),
    ],
)
def test_taken_codes_and_barcodes_are_409(
    hub: Hub, client: TestClient, admin: dict[str, str], path: str, value: str, status: int, code: str
) -> None:
    assert client.post("/api/v1/products", headers=admin, json=SHIRT).status_code == 201
    other = _with("code", "LS-2402")
    for i, sku in enumerate(other["skus"]):
        sku["code"] = f"LS-2402-{i}"
        sku.pop("barcode", None)
    body = _with(path, value, other)
    got = problem(client.post("/api/v1/products", headers=admin, json=body), status, code)
    assert got["field"] == path and repr(value) in got["detail"]
    assert counts(hub) == (1, 4)


@pytest.mark.parametrize("name", ["code", "barcode"])
def test_a_sku_code_or_barcode_twice_in_one_request_is_422(
    hub: Hub, client: TestClient, admin: dict[str, str], name: str
) -> None:
    body = _with(f"skus.3.{name}", SHIRT["skus"][0][name])
    got = problem(client.post("/api/v1/products", headers=admin, json=body), 422, "invalid_skus")
    assert got["field"] == f"skus.3.{name}" and "repeats skus.0" in got["detail"]
    assert counts(hub) == (0, 0)


def test_only_admin_creates_products(
    hub: Hub, client: TestClient, admin: dict[str, str], pos: dict[str, str]
) -> None:
    problem(client.post("/api/v1/products", headers=pos, json=SHIRT), 403, "missing_scope")
    assert counts(hub) == (0, 0)
