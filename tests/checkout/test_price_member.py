"""The shopper a cart names, read as a plain row with their facts: merged members lead to their
survivor, unknown or malformed identifiers get the same errors as everywhere else."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from omohub.loyalty.models import MemberTier
from omohub.members import service as members
from tests.checkout.conftest import cart, order_for

DRESS = "DRESS-BLK-M"  # 1980
PRICE = "/api/v1/carts/price"
OTHER_PHONE = "0912-000-111"


def price(client: TestClient, pos: dict[str, str], **over: Any) -> Any:
    return client.post(PRICE, headers=pos, json=cart((DRESS, 1), **{"quote": False, **over}))


def test_a_merged_members_identifiers_price_for_the_survivor_with_its_tier_and_points(
    client: TestClient, hub: Hub, pos: dict[str, str], member: int
) -> None:
    r = client.post("/api/v1/members", headers=pos, json={"phone": OTHER_PHONE, "channel": "pos"})
    merged = r.json()["member"]["id"]
    with hub.uow() as s:
        now = hub.context.now()
        s.add(MemberTier(member_id=member, tier_code="gold", since=now, review_at=now))
        members.merge_by_hand(s, member, merged, "same person", "console:hq")
    for ref in ({"phone": OTHER_PHONE}, {"member_id": merged}, {"member_id": member}):
        r = price(client, pos, member=ref, points=300)  # the survivor's 500 points, not the tombstone's 0
        assert r.status_code == 200, r.text
        priced = r.json()
        assert (priced["member_id"], priced["tier"], priced["points"]["worth"]) == (member, "gold", 300)


def test_unknown_and_malformed_members_are_refused_as_before(
    client: TestClient, pos: dict[str, str], member: int
) -> None:
    for quote in (False, True):
        r = price(client, pos, member={"phone": "0912-999-999"}, quote=quote)
        found = (r.status_code, r.json()["code"], r.json()["field"])
        assert found == (404, "member_not_found", "member.phone")
        r = price(client, pos, member={"member_id": member + 1000}, quote=quote)
        assert (r.status_code, r.json()["field"]) == (404, "member.member_id")
        r = price(client, pos, member={"phone": "not a phone"}, quote=quote)
        assert (r.status_code, r.json()["field"]) == (422, "member.phone")
        r = price(client, pos, member={"phone": "0912-345-678", "member_id": member}, quote=quote)
        assert (r.status_code, r.json()["field"]) == (422, "member")


def test_a_first_order_bonus_is_previewed_until_the_member_orders_in_the_channel(
    client: TestClient, pos: dict[str, str], admin: dict[str, str], member: int
) -> None:
    bonus = {"name": "首購禮", "spec": {"kind": "bonus", "points": 50, "first_order": True}}
    assert client.post("/api/v1/loyalty/earn-rules", headers=admin, json=bonus).status_code == 201
    assert price(client, pos).json()["points_earned"] == 19 + 50
    quoted = client.post(PRICE, headers=pos, json=cart((DRESS, 1))).json()
    assert client.post("/api/v1/orders", headers=pos, json=order_for(quoted, "POS-FIRST")).status_code == 201
    assert price(client, pos).json()["points_earned"] == 19
    web = price(client, pos, channel="web", store_code=None)
    assert web.json()["points_earned"] == 19 + 50, web.text
