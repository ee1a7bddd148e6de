"""Stores, staff, channels and brand over ``/api/v1``: happy paths, every bad input, scopes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.org.models import Staff, Store

XINYI = {
    "code": "TPE-XINYI",
    "name": "信義旗艦店",
    "city": "台北市",
    "address": "台北市信義區松高路11號",
    "latitude": 25.0396,
    "longitude": 121.5669,
}


def count(hub: Hub, model: type[Any]) -> int:
    with hub.uow() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def problem(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["code"] == code
    return body


def test_store_lifecycle(client: TestClient, admin: dict[str, str], pos: dict[str, str]) -> None:
    r = client.post("/api/v1/stores", headers=admin, json=XINYI)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["timezone"] == "Asia/Taipei" and created["active"] is True
    assert (created["latitude"], created["longitude"]) == (25.0396, 121.5669)
    # a POS may read it by code
    r = client.get("/api/v1/stores/TPE-XINYI", headers=pos)
    assert r.status_code == 200 and r.json()["name"] == "信義旗艦店"
    r = client.patch("/api/v1/stores/TPE-XINYI", headers=admin, json={"name": "信義店", "latitude": 25.04})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "信義店" and r.json()["latitude"] == 25.04
    assert r.json()["longitude"] == 121.5669
    r = client.patch("/api/v1/stores/TPE-XINYI", headers=admin, json={"active": False})
    assert r.json()["active"] is False
    assert client.get("/api/v1/stores/TPE-XINYI", headers=pos).json()["name"] == "信義店"


def test_store_list_pages_in_code_order(client: TestClient, admin: dict[str, str]) -> None:
    for code, city in (("C", "台中市"), ("A", "台北市"), ("B", "台北市"), ("D", "台北市")):
        r = client.post("/api/v1/stores", headers=admin, json={"code": code, "name": code, "city": city})
        assert r.status_code == 201
    r = client.get("/api/v1/stores", headers=admin, params={"limit": 2})
    assert [s["code"] for s in r.json()["items"]] == ["A", "B"] and r.json()["next_after"] == "B"
    r = client.get("/api/v1/stores", headers=admin, params={"limit": 2, "after": "B"})
    assert [s["code"] for s in r.json()["items"]] == ["C", "D"] and r.json()["next_after"] is None
    r = client.get("/api/v1/stores", headers=admin, params={"city": "台北市"})
    assert [s["code"] for s in r.json()["items"]] == ["A", "B", "D"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"code": "TPE XINYI"}, "code", "not a valid code"),
        ({"code": "TPE/XINYI"}, "code", "not a valid code"),
        ({"code": "X" * 41}, "code", "at most 40"),
        ({"name": ""}, "name", "at least 1"),
        ({"city": None}, "city", "valid string"),
        ({"latitude": 91}, "latitude", "outside -90 to 90"),
        ({"latitude": -90.5}, "latitude", "outside -90 to 90"),
        ({"longitude": 180.1}, "longitude", "outside -180 to 180"),
        ({"longitude": "east"}, "longitude", "valid number"),
        ({"timezone": "Asia/Taipe"}, "timezone", "not an IANA time zone"),
        ({"timezone": "GMT+8"}, "timezone", "not an IANA time zone"),
        ({"colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_bad_store_is_refused_precisely_and_not_written(
    hub: Hub, client: TestClient, admin: dict[str, str], change: dict[str, Any], field: str, words: str
) -> None:
    r = client.post("/api/v1/stores", headers=admin, json={**XINYI, **change})
    body = problem(r, 422, "invalid")
    assert [e["field"] for e in body["errors"]] == [field]
    assert words in body["errors"][0]["message"] and body["detail"].startswith(f"{field}: ")
    assert count(hub, Store) == 0


def test_half_a_coordinate_is_refused(hub: Hub, client: TestClient, admin: dict[str, str]) -> None:
    r = client.post("/api/v1/stores", headers=admin, json={**XINYI, "longitude": None})
    body = problem(r, 422, "invalid_coordinates")
    assert body["field"] == "longitude" and "together" in body["detail"]
    assert count(hub, Store) == 0
    client.post("/api/v1/stores", headers=admin, json={"code": "S1", "name": "n", "city": "c"})
    r = client.patch("/api/v1/stores/S1", headers=admin, json={"latitude": 25.0})
    assert problem(r, 422, "invalid_coordinates")["field"] == "longitude"
    assert client.get("/api/v1/stores/S1", headers=admin).json()["latitude"] is None


def test_duplicate_store_code_is_409(hub: Hub, client: TestClient, admin: dict[str, str]) -> None:
    assert client.post("/api/v1/stores", headers=admin, json=XINYI).status_code == 201
    r = client.post("/api/v1/stores", headers=admin, json={**XINYI, "name": "another"})
    body = problem(r, 409, "duplicate_code")
    assert body["field"] == "code" and "TPE-XINYI" in body["detail"]
    assert count(hub, Store) == 1
    assert client.get("/api/v1/stores/TPE-XINYI", headers=admin).json()["name"] == "信義旗艦店"


def test_duplicate_lost_to_a_concurrent_insert_is_still_409(
    hub: Hub, client: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unique index, not only the look-up, turns a clash into 409 (never 500)."""
    from omohub.org import repository

    client.post("/api/v1/stores", headers=admin, json=XINYI)
    monkeypatch.setattr(repository, "store_by_code", lambda session, code: None)
    r = client.post("/api/v1/stores", headers=admin, json=XINYI)
    assert problem(r, 409, "duplicate_code")["field"] == "code"
    assert count(hub, Store) == 1


def test_unknown_store_is_404_and_patch_null_name_is_422(client: TestClient, admin: dict[str, str]) -> None:
    problem(client.get("/api/v1/stores/NOPE", headers=admin), 404, "store_not_found")
    problem(client.patch("/api/v1/stores/NOPE", headers=admin, json={"name": "x"}), 404, "store_not_found")
    client.post("/api/v1/stores", headers=admin, json=XINYI)
    body = problem(
        client.patch("/api/v1/stores/TPE-XINYI", headers=admin, json={"name": None}), 422, "invalid"
    )
    assert body["field"] == "name"
    problem(client.patch("/api/v1/stores/TPE-XINYI", headers=admin, json={"code": "NEW"}), 422, "invalid")
    assert client.get("/api/v1/stores/TPE-XINYI", headers=admin).json()["name"] == "信義旗艦店"


def test_scopes_pos_reads_admin_writes(
    hub: Hub, client: TestClient, admin: dict[str, str], pos: dict[str, str]
) -> None:
    from tests.conftest import make_key

    shop = make_key(hub, "ecommerce")
    collect = make_key(hub, "collect")
    problem(client.post("/api/v1/stores", headers=pos, json=XINYI), 403, "missing_scope")
    problem(client.post("/api/v1/stores", headers=shop, json=XINYI), 403, "missing_scope")
    problem(client.post("/api/v1/stores", json=XINYI), 401, "bad_credentials")
    assert count(hub, Store) == 0
    client.post("/api/v1/stores", headers=admin, json=XINYI)
    assert client.get("/api/v1/stores", headers=shop).status_code == 200
    problem(client.get("/api/v1/stores", headers=collect), 403, "missing_scope")
    problem(client.patch("/api/v1/stores/TPE-XINYI", headers=pos, json={"name": "x"}), 403, "missing_scope")
    problem(client.patch("/api/v1/brand", headers=pos, json={"name": "x"}), 403, "missing_scope")


def _stores(client: TestClient, admin: dict[str, str], *codes: str) -> None:
    for code in codes:
        r = client.post("/api/v1/stores", headers=admin, json={"code": code, "name": code, "city": "台北市"})
        assert r.status_code == 201


def test_staff_lifecycle(client: TestClient, admin: dict[str, str], pos: dict[str, str]) -> None:
    _stores(client, admin, "TPE-XINYI", "NTP-BANQIAO")
    r = client.post(
        "/api/v1/staff",
        headers=admin,
        json={"code": "E0001", "name": "王阿明", "store_code": "TPE-XINYI", "role": "stylist"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["store_code"] == "TPE-XINYI" and r.json()["role"] == "stylist"
    for code, store in (("E0002", "TPE-XINYI"), ("E0003", "NTP-BANQIAO")):
        client.post("/api/v1/staff", headers=admin, json={"code": code, "name": code, "store_code": store})
    client.post("/api/v1/staff", headers=admin, json={"code": "HQ1", "name": "總部", "role": "manager"})
    r = client.get("/api/v1/staff", headers=pos, params={"store_code": "TPE-XINYI"})
    assert [s["code"] for s in r.json()["items"]] == ["E0001", "E0002"]
    # moves to Banqiao, becomes manager
    r = client.patch(
        "/api/v1/staff/E0001", headers=admin, json={"store_code": "NTP-BANQIAO", "role": "manager"}
    )
    assert (r.json()["store_code"], r.json()["role"], r.json()["name"]) == (
        "NTP-BANQIAO",
        "manager",
        "王阿明",
    )
    r = client.post("/api/v1/staff/E0002/deactivate", headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False
    r = client.get("/api/v1/staff", headers=pos, params={"store_code": "TPE-XINYI"})
    assert [(s["code"], s["active"]) for s in r.json()["items"]] == [("E0002", False)]
    r = client.get("/api/v1/staff", headers=pos, params={"active": True})
    assert [s["code"] for s in r.json()["items"]] == ["E0001", "E0003", "HQ1"]
    assert client.get("/api/v1/staff/HQ1", headers=pos).json()["store_code"] is None
    r = client.patch("/api/v1/staff/E0001", headers=admin, json={"store_code": None})
    assert r.json()["store_code"] is None


@pytest.mark.parametrize(
    ("change", "status", "code", "field", "words"),
    [
        ({"role": "boss"}, 422, "invalid", "role", "not a staff role"),
        ({"store_code": "NOWHERE"}, 422, "unknown_store", "store_code", "no store with code 'NOWHERE'"),
        ({"code": "E 1"}, 422, "invalid", "code", "not a valid code"),
        ({"name": "  "}, 422, "invalid", "name", "at least 1"),
        ({"active": "maybe"}, 422, "invalid", "active", "not yes or no"),
    ],
)
def test_bad_staff_is_refused_precisely_and_not_written(
    hub: Hub,
    client: TestClient,
    admin: dict[str, str],
    change: dict[str, Any],
    status: int,
    code: str,
    field: str,
    words: str,
) -> None:
    _stores(client, admin, "TPE-XINYI")
    good = {"code": "E0001", "name": "王阿明", "store_code": "TPE-XINYI"}
    body = problem(client.post("/api/v1/staff", headers=admin, json={**good, **change}), status, code)
    fields = [e["field"] for e in body.get("errors", [])] or [body["field"]]
    assert fields == [field] and words in body["detail"]
    assert count(hub, Staff) == 0


def test_staff_conflicts_and_unknowns(hub: Hub, client: TestClient, admin: dict[str, str]) -> None:
    _stores(client, admin, "TPE-XINYI")
    staff = {"code": "E0001", "name": "王阿明", "store_code": "TPE-XINYI"}
    client.post("/api/v1/staff", headers=admin, json=staff)
    problem(client.post("/api/v1/staff", headers=admin, json=staff), 409, "duplicate_code")
    body = problem(
        client.patch("/api/v1/staff/E0001", headers=admin, json={"store_code": "NOWHERE"}),
        422,
        "unknown_store",
    )
    assert body["field"] == "store_code"
    problem(client.patch("/api/v1/staff/E0001", headers=admin, json={"role": "boss"}), 422, "invalid")
    problem(client.post("/api/v1/staff/NOBODY/deactivate", headers=admin), 404, "staff_not_found")
    problem(
        client.get("/api/v1/staff", headers=admin, params={"store_code": "NOWHERE"}), 422, "unknown_store"
    )
    got = client.get("/api/v1/staff/E0001", headers=admin).json()
    assert (got["store_code"], got["role"], count(hub, Staff)) == ("TPE-XINYI", "clerk", 1)


def test_brand_name(client: TestClient, admin: dict[str, str], pos: dict[str, str]) -> None:
    assert client.get("/api/v1/brand", headers=pos).json() == {"name": "OMO Hub"}
    r = client.patch("/api/v1/brand", headers=admin, json={"name": "森活衣著"})
    assert r.status_code == 200 and r.json() == {"name": "森活衣著"}
    client.patch("/api/v1/brand", headers=admin, json={"name": "森活衣著 Forest"})
    assert client.get("/api/v1/brand", headers=pos).json() == {"name": "森活衣著 Forest"}
    problem(client.patch("/api/v1/brand", headers=admin, json={"name": ""}), 422, "invalid")


def test_channels_are_seeded_once(hub: Hub, client: TestClient, pos: dict[str, str]) -> None:
    from omohub.org.service import ensure_standard_channels

    assert client.get("/api/v1/channels", headers=pos).json() == []
    with hub.uow() as session:
        assert ensure_standard_channels(session) == ["pos", "web", "app", "line", "marketplace", "delivery"]
    with hub.uow() as session:
        assert ensure_standard_channels(session) == []
    channels = client.get("/api/v1/channels", headers=pos).json()
    assert [(c["code"], c["kind"], c["online"]) for c in channels] == [
        ("pos", "pos", False),
        ("web", "web", True),
        ("app", "app", True),
        ("line", "line", True),
        ("marketplace", "marketplace", True),
        ("delivery", "delivery", True),
    ]
