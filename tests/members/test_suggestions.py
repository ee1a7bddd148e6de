"""Merge suggestions through the API: filed when the policy refuses, reviewed by a person."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from omohub.api.app import create_app
from omohub.bootstrap import build_hub
from omohub.core.config import Settings
from tests.conftest import make_key


@pytest.fixture
def strict(settings: Settings) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    """A hub whose policy lets only phones and member cards merge by themselves."""
    hub = build_hub(settings.model_copy(update={"merge_auto_types": ("phone", "member_card")}))
    with TestClient(create_app(hub)) as client:
        yield client, make_key(hub, "admin", name="hq"), make_key(hub, "pos", name="till")
    hub.close()


def _pair(client: TestClient, pos: dict[str, str]) -> tuple[int, int, dict[str, object]]:
    a = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678"}).json()["member"]["id"]
    b = client.post("/api/v1/members", headers=pos, json={"email": "amy@example.tw", "join": False})
    r = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678", "email": "amy@example.tw"})
    assert r.status_code == 200, r.text
    return a, b.json()["member"]["id"], r.json()


def test_a_refused_link_is_filed_and_accepting_it_merges(
    strict: tuple[TestClient, dict[str, str], dict[str, str]],
) -> None:
    client, admin, pos = strict
    a, b, joined = _pair(client, pos)
    assert joined["merged"] == [] and joined["refused"] == [f"email belongs to member {b}"]
    r = client.get("/api/v1/members/merge-suggestions", headers=admin)
    assert r.status_code == 200, r.text
    [suggestion] = r.json()
    assert (suggestion["member_low_id"], suggestion["member_high_id"], suggestion["status"]) == (a, b, "open")
    assert "email amy@example.tw" in suggestion["reason"]
    assert client.get("/api/v1/members/merge-suggestions", headers=pos).status_code == 403
    r = client.post(f"/api/v1/members/merge-suggestions/{suggestion['id']}/accept", headers=admin)
    assert r.status_code == 200, r.text
    assert (r.json()["survivor_id"], r.json()["merged_id"]) == (a, b)  # a joined (has a card)
    assert client.get(f"/api/v1/members/{b}", headers=admin).json()["merged_into_id"] == a
    assert client.get("/api/v1/members/merge-suggestions", headers=admin).json() == []
    accepted = client.get("/api/v1/members/merge-suggestions", params={"status": "accepted"}, headers=admin)
    assert [s["id"] for s in accepted.json()] == [suggestion["id"]]
    again = client.post(f"/api/v1/members/merge-suggestions/{suggestion['id']}/accept", headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "suggestion_closed"


def test_rejecting_keeps_the_pair_apart_for_good(
    strict: tuple[TestClient, dict[str, str], dict[str, str]],
) -> None:
    client, admin, pos = strict
    _, b, _ = _pair(client, pos)
    [suggestion] = client.get("/api/v1/members/merge-suggestions", headers=admin).json()
    r = client.post(f"/api/v1/members/merge-suggestions/{suggestion['id']}/reject", headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    # the same link again files nothing new and merges nothing
    r = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678", "email": "amy@example.tw"})
    assert r.json()["merged"] == []
    assert client.get("/api/v1/members/merge-suggestions", headers=admin).json() == []
    assert client.get(f"/api/v1/members/{b}", headers=admin).json()["status"] == "active"
    assert client.post("/api/v1/members/merge-suggestions/999/reject", headers=admin).status_code == 404
