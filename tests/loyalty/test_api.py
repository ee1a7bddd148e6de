"""The loyalty REST API as the POS, the web shop and head office use it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.core.clock import FrozenClock
from omohub.loyalty.models import PointEntry, PointHold, TierChange
from tests.conftest import make_key
from tests.loyalty.conftest import sale, settle

PHONE = "0912-345-678"


@pytest.fixture
def web(hub: Hub) -> dict[str, str]:
    return make_key(hub, "ecommerce", name="webshop")


@pytest.fixture
def member(client: TestClient, pos: dict[str, str], admin: dict[str, str]) -> int:
    """A member signed up at the till, given 100 points by head office."""
    r = client.post("/api/v1/members", headers=pos, json={"phone": PHONE, "channel": "pos"})
    member_id: int = r.json()["member"]["id"]
    body = {"points": 100, "reason": "welcome gift", "key": "welcome-1"}
    r = client.post(f"/api/v1/members/{member_id}/points/adjustments", headers=admin, json=body)
    assert r.status_code == 201, r.text
    again = client.post(f"/api/v1/members/{member_id}/points/adjustments", headers=admin, json=body)
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]  # a retry: once
    return member_id


def hold(client: TestClient, headers: dict[str, str], points: int, key: str, **over: Any) -> Any:
    body = {"member": {"phone": PHONE}, "points": points, "key": key, "channel": "web", **over}
    return client.post("/api/v1/points/holds", headers=headers, json=body)


def test_the_web_shop_holds_and_captures_points_by_phone(
    client: TestClient, web: dict[str, str], pos: dict[str, str], member: int
) -> None:
    r = hold(client, web, 40, "cart-77")
    assert r.status_code == 201 and r.json()["worth"] == 40
    assert hold(client, web, 40, "cart-77").status_code == 200  # a retry: the same hold
    points = client.get(f"/api/v1/members/{member}/points", headers=pos).json()
    assert (points["available"], points["held"], points["total"]) == (60, 40, 100)
    hold_id = r.json()["id"]
    r = client.post(f"/api/v1/points/holds/{hold_id}/capture", headers=web, json={})
    assert r.json()["status"] == "captured"
    entries = client.get(f"/api/v1/members/{member}/points/entries", headers=pos).json()
    assert [(e["kind"], e["points"]) for e in entries] == [("redeem", -40), ("adjust", 100)]


def test_more_than_available_is_a_409_problem_and_changes_nothing(
    client: TestClient, hub: Hub, web: dict[str, str], member: int
) -> None:
    hold(client, web, 70, "pos-cart")
    r = hold(client, web, 31, "web-cart")
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "not_enough_points" and problem["available"] == 30
    with hub.uow() as session:
        assert session.scalar(select(func.count()).select_from(PointHold)) == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"points": -5}, 422, "points"),
        ({"points": 10, "member": {"phone": "0900-123"}}, 422, "member.phone"),
        ({"points": 10, "member": {"phone": "0987-654-321"}}, 404, None),
        ({"points": 10, "member": {}}, 422, "member"),
    ],
)
def test_bad_holds_are_refused_precisely(
    client: TestClient, web: dict[str, str], member: int, body: dict[str, Any], status: int, field: str | None
) -> None:
    r = hold(client, web, key="k", **body)
    assert r.status_code == status, r.text
    if field:
        assert field in r.text


def test_release_gives_back_and_capturing_a_released_hold_is_a_409(
    client: TestClient, web: dict[str, str], member: int
) -> None:
    hold_id = hold(client, web, 50, "c1").json()["id"]
    assert client.post(f"/api/v1/points/holds/{hold_id}/release", headers=web).json()["status"] == "released"
    r = client.post(f"/api/v1/points/holds/{hold_id}/capture", headers=web, json={"order_id": None})
    assert r.status_code == 409 and r.json()["code"] == "hold_closed"
    assert client.get(f"/api/v1/points/holds/{hold_id}", headers=web).json()["status"] == "released"
    assert client.get("/api/v1/points/holds/999999", headers=web).status_code == 404


def test_a_clerk_key_cannot_adjust_points(client: TestClient, pos: dict[str, str], member: int) -> None:
    body = {"points": 1000, "reason": "friend", "key": "x"}
    assert (
        client.post(f"/api/v1/members/{member}/points/adjustments", headers=pos, json=body).status_code == 403
    )


def test_program_changes_are_validated_as_a_whole(client: TestClient, admin: dict[str, str]) -> None:
    r = client.patch(
        "/api/v1/loyalty/program", headers=admin, json={"min_redeem_points": 500, "max_redeem_points": 100}
    )
    assert r.status_code == 422 and "below min_redeem_points" in r.json()["detail"]
    r = client.patch("/api/v1/loyalty/program", headers=admin, json={"pending_days": -1})
    assert r.status_code == 422
    assert client.get("/api/v1/loyalty/program", headers=admin).json()["pending_days"] == 7
    r = client.patch("/api/v1/loyalty/program", headers=admin, json={"pending_days": 14, "redeem_points": 10})
    assert r.json()["pending_days"] == 14 and r.json()["redeem_points"] == 10


def test_tiers_move_up_on_a_purchase_and_down_at_the_review(
    client: TestClient,
    hub: Hub,
    clock: FrozenClock,
    admin: dict[str, str],
    pos: dict[str, str],
    catalog: dict[str, int],
    member: int,
) -> None:
    for code, name, threshold, mult in (("silver", "銀卡", 3000, 12000), ("gold", "金卡", 10000, 15000)):
        body = {"name": name, "threshold": threshold, "benefits": {"earn_multiplier_bp": mult}}
        assert client.put(f"/api/v1/loyalty/tiers/{code}", headers=admin, json=body).status_code == 200
    assert client.put("/api/v1/loyalty/tiers/bad code", headers=admin, json=body).status_code == 422
    r = client.post("/api/v1/orders", headers=pos, json=sale(member, "POS-1", [("DRESS-BLK-M", 2, 1980)]))
    assert r.status_code == 201, r.text
    settle(hub)
    tier = client.get(f"/api/v1/members/{member}/tier", headers=pos).json()
    assert (tier["tier"]["code"], tier["basis"], tier["next_tier"]["code"], tier["to_next"]) == (
        "silver",
        3960,
        "gold",
        6040,
    )
    # earned as silver? No: the tier was reached by this very purchase; the base rate applied
    with hub.uow() as session:
        assert session.scalar(select(PointEntry.points).where(PointEntry.kind == "earn")) == 39
    order_id = r.json()["id"]
    client.post(
        f"/api/v1/orders/{order_id}/returns",
        headers=pos,
        json={"store_code": "TPE-XINYI", "lines": [{"line_no": 1, "quantity": 2}]},
    )
    settle(hub)
    assert client.get(f"/api/v1/members/{member}/tier", headers=pos).json()["tier"]["code"] == "silver"
    clock.advance(days=366)
    settle(hub)
    assert client.get(f"/api/v1/members/{member}/tier", headers=pos).json()["tier"] is None
    with hub.uow() as session:  # the history (the events themselves were relayed and pruned)
        changes = session.scalars(select(TierChange).order_by(TierChange.id))
        assert [(c.from_tier, c.to_tier, c.reason) for c in changes] == [
            (None, "silver", "purchase"),
            ("silver", None, "review"),
        ]
