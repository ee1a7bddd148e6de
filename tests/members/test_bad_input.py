"""Bad input to the members API and the 360: a precise 4xx that changes nothing, on both backends."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.members.models import Identifier, Member
from tests.helpers import basic, drain, new_source

#: One past the largest id a row can have (a PostgreSQL BIGINT, SQLite's INTEGER).
TOO_BIG = 2**63


def counts(hub: Hub) -> tuple[int, int]:
    with hub.uow() as session:
        return (
            session.scalar(select(func.count()).select_from(Member)) or 0,
            session.scalar(select(func.count()).select_from(Identifier)) or 0,
        )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/api/v1/members/{TOO_BIG}", None),
        ("GET", f"/api/v1/members/lookup?member_id={TOO_BIG}", None),
        ("POST", "/api/v1/members", {"member_id": TOO_BIG, "phone": "0912345678"}),
        ("POST", "/api/v1/members/1/merge", {"other_id": TOO_BIG}),
        ("POST", f"/api/v1/members/{TOO_BIG}/merge", {"other_id": 1}),
        ("POST", f"/api/v1/members/{TOO_BIG}/unmerge", None),
        ("POST", f"/api/v1/members/merge-suggestions/{TOO_BIG}/accept", None),
        ("POST", f"/api/v1/members/merge-suggestions/{TOO_BIG}/reject", None),
        ("GET", f"/api/v1/events?member_id={TOO_BIG}", None),
    ],
)
def test_an_id_beyond_64_bits_is_a_422_not_a_500(
    hub: Hub, client: TestClient, admin: dict[str, str], method: str, path: str, body: object
) -> None:
    r = client.post("/api/v1/members", headers=admin, json={"phone": "0922000111"})
    assert r.status_code == 201
    before = counts(hub)
    r = client.request(method, path, headers=admin, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert counts(hub) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "林\u0000小美"),
        ("email", "amy\u0000@example.com"),
        ("anonymous_id", "anon\u00001"),
        ("traits", {"tier": "gold\u0000"}),
        ("traits", {"ti\u0000er": "gold"}),
    ],
)
def test_a_nul_character_is_a_422_on_both_backends(
    hub: Hub, client: TestClient, pos: dict[str, str], field: str, value: object
) -> None:
    """PostgreSQL can store no NUL in text or JSON; SQLite can. Both refuse it alike."""
    r = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678", field: value})
    assert r.status_code == 422, r.text
    assert "NUL" in r.json()["detail"]
    assert counts(hub) == (0, 0)


@pytest.mark.parametrize("query", ["email=amy%00@example.com", "anonymous_id=a%00", "external_id=shop:1%00"])
def test_a_nul_character_in_a_lookup_is_a_422(client: TestClient, pos: dict[str, str], query: str) -> None:
    r = client.get(f"/api/v1/members/lookup?{query}", headers=pos)
    assert r.status_code == 422, r.text
    assert "NUL" in r.json()["detail"]


def test_a_backslash_before_u0000_is_not_a_nul(client: TestClient, pos: dict[str, str]) -> None:
    r = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678", "name": "a\\u0000b"})
    assert r.status_code == 201, r.text
    assert r.json()["member"]["name"] == "a\\u0000b"


def test_a_channel_longer_than_its_column_is_a_422(hub: Hub, client: TestClient, pos: dict[str, str]) -> None:
    r = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678", "channel": "x" * 21})
    assert r.status_code == 422, r.text
    assert counts(hub) == (0, 0)


def test_events_of_a_member_merged_twice_are_the_live_members(
    hub: Hub, client: TestClient, admin: dict[str, str]
) -> None:
    """``/events?member_id=`` follows a merge chain to the member that holds the ids now."""
    web = basic(new_source(hub, "shop", "web"))
    ids = []
    for phone, anon in (("0912000001", "anon-a"), ("0912000002", "anon-b"), ("0912000003", "anon-c")):
        r = client.post("/api/v1/members", headers=admin, json={"phone": phone, "anonymous_id": anon})
        ids.append(r.json()["member"]["id"])
    a, b, c = ids
    r = client.post(
        "/v1/track", headers=web, json={"anonymousId": "anon-c", "event": "Seen", "messageId": "m-c"}
    )
    assert r.status_code == 200
    drain(hub)
    assert client.post(f"/api/v1/members/{b}/merge", headers=admin, json={"other_id": c}).status_code == 200
    assert client.post(f"/api/v1/members/{a}/merge", headers=admin, json={"other_id": b}).status_code == 200
    for mid in (a, b, c):
        r = client.get(f"/api/v1/events?member_id={mid}", headers=admin)
        assert r.status_code == 200
        assert [e["message_id"] for e in r.json()] == ["m-c"], mid


def test_a_nul_character_in_a_path_is_a_422(client: TestClient, pos: dict[str, str]) -> None:
    r = client.get("/api/v1/stores/S%0001", headers=pos)
    assert r.status_code == 422, r.text
    assert "NUL" in r.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "amy\\ud800@example.com"}',
        b'{"phone": "0912345678", "traits": {"tier": "\\udfff"}}',
        b'{"phone": "0912345678", "traits": {"\\ud83d": 1}}',
    ],
)
def test_a_lone_surrogate_is_a_422_naming_the_field(
    hub: Hub, client: TestClient, pos: dict[str, str], body: bytes
) -> None:
    """``\\ud800`` is valid JSON but not Unicode: no driver can encode it (it was a 500)."""
    r = client.post("/api/v1/members", headers={**pos, "content-type": "application/json"}, content=body)
    assert r.status_code == 422, r.text
    assert "surrogate" in r.json()["detail"]
    assert r.json()["field"].split(".")[0] in ("email", "traits")
    assert counts(hub) == (0, 0)


def test_a_surrogate_pair_is_text(client: TestClient, pos: dict[str, str]) -> None:
    body = b'{"phone": "0912345678", "name": "\\ud83d\\ude00"}'
    r = client.post("/api/v1/members", headers={**pos, "content-type": "application/json"}, content=body)
    assert r.status_code == 201, r.text
    assert r.json()["member"]["name"] == "\U0001f600"
