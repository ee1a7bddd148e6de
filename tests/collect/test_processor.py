"""The identity processor: collected calls become identity links; userIds are namespaced by
what each source says they mean, so two systems' customer "123" never collide."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.collect import processor
from omohub.collect.models import Cursor
from omohub.core.errors import Invalid
from omohub.members import repository as repo
from omohub.members.models import Identifier, Member
from tests.helpers import basic, drain, new_source

LINE_UID = "U" + "ab" * 16


def send(client: TestClient, key: dict[str, str], *calls: dict[str, Any]) -> None:
    r = client.post("/v1/batch", headers=key, json={"batch": list(calls)})
    assert r.status_code == 200 and not r.json()["rejected"], r.text


def held(hub: Hub, member_id: int) -> set[tuple[str, str]]:
    with hub.uow() as s:
        return {(i.type, i.value) for i in repo.identifiers_of(s, member_id)}


def owner(hub: Hub, type_: str, value: str) -> int | None:
    with hub.uow() as s:
        return s.scalar(
            select(Identifier.member_id).where(Identifier.type == type_, Identifier.value == value)
        )


def test_identify_alias_and_track_link_one_person(hub: Hub, client: TestClient) -> None:
    web = basic(new_source(hub, "webshop", "web"))
    send(
        client,
        web,
        {
            "type": "page",
            "anonymousId": "a-1",
            "name": "Home",
            "messageId": "p-1",
        },  # anonymous: no member yet
        {
            "type": "identify",
            "userId": "c-1",
            "anonymousId": "a-1",
            "messageId": "i-1",
            "traits": {"phone": "0912-345-678", "email": "Amy@Example.tw", "name": "林小美", "size": "M"},
        },
        {"type": "alias", "previousId": "a-2", "userId": "c-1", "messageId": "al-1"},
        {"type": "track", "userId": "c-1", "anonymousId": "a-3", "event": "Added", "messageId": "t-1"},
    )
    drain(hub)
    member_id = owner(hub, "external", "webshop:c-1")
    assert member_id is not None
    assert {
        ("external", "webshop:c-1"),
        ("phone", "+886912345678"),
        ("email", "amy@example.tw"),
        ("anonymous_id", "a-1"),
        ("anonymous_id", "a-2"),
        ("anonymous_id", "a-3"),
    } <= held(hub, member_id)
    with hub.uow() as s:
        member = s.get(Member, member_id)
        assert member is not None and member.name == "林小美" and member.traits["size"] == "M"
        assert "phone" not in member.traits  # identifiers are kept as identifiers
        assert s.scalar(select(Cursor.position).where(Cursor.name == "identity")) == 4


def test_two_systems_customer_123_never_collide(hub: Hub, client: TestClient) -> None:
    shop = basic(new_source(hub, "webshop", "web"))
    pos = basic(new_source(hub, "pos-erp", "pos"))
    send(client, shop, {"type": "identify", "userId": "123", "messageId": "s-1"})
    send(client, pos, {"type": "identify", "userId": "123", "messageId": "p-1"})
    drain(hub)
    a, b = owner(hub, "external", "webshop:123"), owner(hub, "external", "pos-erp:123")
    assert a is not None and b is not None and a != b


def test_a_member_id_source_links_to_the_hubs_member(
    hub: Hub, client: TestClient, pos: dict[str, str]
) -> None:
    r = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678"})
    member_id = r.json()["member"]["id"]
    app = basic(new_source(hub, "app", "app", "member_id"))
    send(client, app, {"type": "track", "userId": str(member_id), "anonymousId": "dev-9", "event": "Opened"})
    r = client.post("/v1/track", headers=app, json={"userId": "c-1", "event": "Opened"})
    assert r.status_code == 400 and "is not one" in r.json()["message"]
    drain(hub)
    assert ("anonymous_id", "dev-9") in held(hub, member_id)
    with hub.uow() as s:
        assert s.scalar(select(Member.id).where(Member.id != member_id)) is None  # nobody new


def test_a_line_source_sends_line_user_ids(hub: Hub, client: TestClient) -> None:
    line = basic(new_source(hub, "line-oa", "line"))  # userId means a LINE user id by default
    send(client, line, {"type": "identify", "userId": LINE_UID, "messageId": "l-1"})
    drain(hub)
    member_id = owner(hub, "line_uid", LINE_UID)
    assert member_id is not None and held(hub, member_id) == {("line_uid", LINE_UID)}


def test_an_event_the_identity_rules_refuse_does_not_stop_the_stream(
    hub: Hub, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = basic(new_source(hub, "webshop", "web"))
    real = processor.resolve

    def refuse_one(session: Any, claims: Any, **kw: Any) -> Any:
        if kw["reason"].endswith("i-bad"):
            raise Invalid("refused by the identity rules")
        return real(session, claims, **kw)

    monkeypatch.setattr(processor, "resolve", refuse_one)
    send(
        client,
        web,
        {"type": "identify", "userId": "c-bad", "messageId": "i-bad"},
        {"type": "identify", "userId": "c-good", "messageId": "i-good"},
    )
    drain(hub)
    assert owner(hub, "external", "webshop:c-bad") is None
    assert owner(hub, "external", "webshop:c-good") is not None


def test_an_event_dated_before_the_year_1000_is_stored_readable(
    hub: Hub, client: TestClient, admin: dict[str, str]
) -> None:
    """A device clock set to year 1 must not make the stored row unreadable (it would stop
    the identity processor for everyone behind it, and ``/events`` would answer 500)."""
    web = basic(new_source(hub, "webshop", "web"))
    send(
        client,
        web,
        {"type": "identify", "userId": "c-1", "messageId": "i-old", "timestamp": "0001-01-01T00:00:00Z"},
        {"type": "identify", "userId": "c-2", "messageId": "i-new"},
    )
    drain(hub)
    assert owner(hub, "external", "webshop:c-1") is not None
    assert owner(hub, "external", "webshop:c-2") is not None
    r = client.get("/api/v1/events?user_id=c-1", headers=admin)
    assert r.status_code == 200, r.text
    assert [e["timestamp"] for e in r.json()] == ["0001-01-01T00:00:00Z"]
