"""The console renders the demo brand: its pages, a rich 360, a follower, a merged duplicate."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.demo.service import DemoResult
from omohub.members.models import Identifier, Member, MergeRecord
from omohub.orders.models import Order, Return

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _sign_in(client: TestClient, username: str, password: str) -> None:
    token = CSRF.search(client.get("/console/login").text)
    assert token is not None
    r = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def test_the_console_shows_the_demo_brand(hub: Hub, client: TestClient, demo: DemoResult) -> None:
    with hub.uow() as s:
        sample = s.get(Member, demo.sample_member)
        follower = s.scalar(select(Member).where(Member.card_no.is_(None), Member.joined_channel == "line"))
        merged = s.scalar(select(MergeRecord))
        returned = s.scalar(select(Return).where(Return.channel == "pos").order_by(Return.id))
        order = s.get(Order, returned.order_id) if returned else None
    assert sample and follower and merged and order
    _sign_in(client, "admin", "admin-pass")
    for path in ("/console/", "/console/stores", "/console/staff", "/console/orders", "/console/sources"):
        assert client.get(path).status_code == 200, path
    page = client.get(f"/console/members/{sample.id}")
    assert page.status_code == 200 and sample.name and sample.name in page.text
    assert client.get(f"/console/members/{follower.id}").status_code == 200
    assert client.get(f"/console/members/{merged.survivor_id}").status_code == 200
    assert client.get(f"/console/members/{merged.merged_id}").status_code == 200
    detail = client.get(f"/console/orders/{order.id}")
    assert detail.status_code == 200 and order.external_id in detail.text
    stores = client.get("/console/stores").text
    assert "台北信義旗艦店" in stores and "高雄巨蛋店" in stores

    client.cookies.clear()
    _sign_in(client, "clerk", "clerk-pass")
    phone = _phone(hub, sample.id)
    masked = client.get(f"/console/members/{sample.id}")
    assert masked.status_code == 200 and phone not in masked.text and phone[-3:] in masked.text


def _phone(hub: Hub, member_id: int) -> str:
    with hub.uow() as s:
        found = s.scalar(
            select(Identifier.value).where(Identifier.member_id == member_id, Identifier.type == "phone")
        )
    assert found
    return found
