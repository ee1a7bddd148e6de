"""A member merge re-homes their orders; unmerge puts every order back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient


def test_merge_moves_orders_and_unmerge_moves_them_back(
    client: TestClient, pos: dict[str, str], admin: dict[str, str], place_order: Callable[..., Any]
) -> None:
    def join(**ids: str) -> int:
        r = client.post("/api/v1/members", headers=pos, json=ids)
        assert r.status_code == 201, r.text
        found: int = r.json()["member"]["id"]
        return found

    amy, line_amy = join(phone="0912345678"), join(email="amy@example.com")
    kept = place_order(external_id="POS-A", member={"member_id": amy})
    moved = [
        place_order(
            external_id=f"WEB-{n}", channel="web", store_code=None, member={"email": "amy@example.com"}
        )
        for n in range(2)
    ]
    assert {o["member_id"] for o in moved} == {line_amy}

    def owners() -> dict[str, int]:
        return {
            o["external_id"]: client.get(f"/api/v1/orders/{o['id']}", headers=pos).json()["member_id"]
            for o in [kept, *moved]
        }

    r = client.post(f"/api/v1/members/{amy}/merge", headers=admin, json={"other_id": line_amy})
    assert r.status_code == 200, r.text
    assert owners() == {"POS-A": amy, "WEB-0": amy, "WEB-1": amy}
    listed = client.get("/api/v1/orders", headers=pos, params={"member_id": amy}).json()
    assert sorted(o["external_id"] for o in listed) == ["POS-A", "WEB-0", "WEB-1"]
    # a new order for the merged-away identity lands on the survivor too
    later = place_order(
        external_id="WEB-9", channel="web", store_code=None, member={"email": "amy@example.com"}
    )
    assert later["member_id"] == amy

    r = client.post(f"/api/v1/members/{line_amy}/unmerge", headers=admin)
    assert r.status_code == 200, r.text
    assert owners() == {"POS-A": amy, "WEB-0": line_amy, "WEB-1": line_amy}
    assert client.get("/api/v1/orders", headers=pos, params={"member_id": line_amy}).json()[0]["id"] in {
        o["id"] for o in moved
    }
