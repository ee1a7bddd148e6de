"""The issue's story end to end through the public API: one person, four channels, one member."""

from __future__ import annotations

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from tests.helpers import basic, drain, new_source

LINE_UID = "U" + "4f" * 16


def test_four_channels_end_as_one_member(
    hub: Hub, client: TestClient, pos: dict[str, str], admin: dict[str, str]
) -> None:
    web = basic(new_source(hub, "webshop", "web"))
    # 1. anonymous browsing on the web shop
    for i in range(2):
        r = client.post(
            "/v1/track",
            headers=web,
            json={
                "anonymousId": "anon-1",
                "event": "Product Viewed",
                "messageId": f"m-view-{i}",
                "properties": {"product_id": "LINEN-SHIRT"},
            },
        )
        assert r.status_code == 200, r.text
    # 2. she follows the LINE account: a profile, not yet a member
    r = client.post(
        "/api/v1/members", headers=pos, json={"line_uid": LINE_UID, "channel": "line", "join": False}
    )
    assert r.status_code == 201, r.text
    follower = r.json()["member"]
    assert follower["card_no"] is None
    # 3. the clerk signs her up at the till with only her mobile number
    r = client.post(
        "/api/v1/members", headers=pos, json={"phone": "0912-345-678", "channel": "pos", "name": "林小美"}
    )
    assert r.status_code == 201, r.text
    member_id = r.json()["member"]["id"]
    # the same number spelled the other way finds her, it does not sign up a second person
    r = client.post("/api/v1/members", headers=pos, json={"phone": "+886912345678"})
    assert r.status_code == 200 and r.json()["member"]["id"] == member_id
    # 4. she logs in on the web shop: identify with the shop's customer id and her phone
    r = client.post(
        "/v1/identify",
        headers=web,
        json={
            "userId": "c-1001",
            "anonymousId": "anon-1",
            "messageId": "m-id-1",
            "traits": {"phone": "0912345678", "email": "Amy@Example.com", "first_name": "小美"},
        },
    )
    assert r.status_code == 200
    drain(hub)
    # 5. she links LINE to her membership
    r = client.post("/api/v1/members", headers=pos, json={"line_uid": LINE_UID, "phone": "0912345678"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["member"]["id"] == member_id
    assert body["merged"] == [follower["id"]]

    r = client.get(f"/api/v1/members/{member_id}", headers=admin)
    held = {(i["type"], i["value"]) for i in r.json()["identifiers"]}
    assert {
        ("phone", "+886912345678"),
        ("email", "amy@example.com"),
        ("external", "webshop:c-1001"),
        ("anonymous_id", "anon-1"),
        ("line_uid", LINE_UID),
    } <= held
    assert any(t == "member_card" for t, _ in held)
    # the LINE profile is a tombstone pointing at her
    r = client.get(f"/api/v1/members/{follower['id']}", headers=admin)
    assert r.json()["status"] == "merged" and r.json()["merged_into_id"] == member_id
    # unmerge gives the LINE profile back exactly
    r = client.post(f"/api/v1/members/{follower['id']}/unmerge", headers=admin)
    assert r.status_code == 200, r.text
    r = client.get(f"/api/v1/members/{follower['id']}", headers=admin)
    assert r.json()["status"] == "active"
    assert [(i["type"], i["value"]) for i in r.json()["identifiers"]] == [("line_uid", LINE_UID)]


def test_clerk_lookup_by_any_spelling_shows_masked_360_and_is_audited(
    hub: Hub, client: TestClient, pos: dict[str, str], admin: dict[str, str]
) -> None:
    web = basic(new_source(hub, "webshop", "web"))
    r = client.post(
        "/api/v1/members", headers=pos, json={"phone": "0912-345-678", "email": "amy@example.com"}
    )
    member_id = r.json()["member"]["id"]
    client.post(
        "/v1/identify",
        headers=web,
        json={"userId": "c-9", "anonymousId": "a-9", "traits": {"phone": "0912345678"}},
    )
    client.post(
        "/v1/track",
        headers=web,
        json={"anonymousId": "a-9", "event": "Product Viewed", "properties": {"product_id": "P-1"}},
    )
    drain(hub)
    r = client.get("/api/v1/members/lookup", params={"phone": "+886 912 345 678"}, headers=pos)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["member"]["id"] == member_id and body["masked"] is True
    phones = [i["value"] for i in body["member"]["identifiers"] if i["type"] == "phone"]
    assert phones == ["0912-***-678"]
    assert [v["product_ref"] for v in body["recently_viewed"]] == ["P-1"]
    # the same look-up by the web anonymous id finds the same person
    r = client.get("/api/v1/members/lookup", params={"anonymous_id": "a-9"}, headers=admin)
    assert r.json()["member"]["id"] == member_id and r.json()["masked"] is False
    from sqlalchemy import select

    from omohub.access.models import AuditEntry

    with hub.uow() as session:
        entries = session.scalars(select(AuditEntry)).all()
        assert [(e.actor, e.action, e.subject) for e in entries] == [
            ("apikey:pos-terminal", "member.lookup", f"member:{member_id}")
        ]
