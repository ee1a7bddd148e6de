"""Pricing keeps the store, the SKUs, the loyalty program and the promotions per process: a
change made anywhere — another API process, the CLI — is seen by the very next price call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from omohub.api.app import create_app
from omohub.bootstrap import Hub, build_hub
from omohub.core.clock import FrozenClock
from omohub.core.config import Settings
from omohub.loyalty.models import MemberTier
from tests.checkout.conftest import cart

DRESS = "DRESS-BLK-M"  # 1980
PRICE = "/api/v1/carts/price"


@pytest.fixture
def other(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    """Another API process on the same database: its own engine, so its own caches."""
    second = build_hub(settings, clock=clock)
    with TestClient(create_app(second)) as c:
        yield c
    second.close()


def preview(client: TestClient, pos: dict[str, str], *lines: tuple[str, int], **over: Any) -> Any:
    r = client.post(PRICE, headers=pos, json=cart(*lines, quote=False, **over))
    assert r.status_code == 200, r.text
    return r.json()


def test_program_rules_and_tiers_changed_by_another_process_are_seen_by_the_next_price(
    client: TestClient, other: TestClient, hub: Hub, pos: dict[str, str], admin: dict[str, str], member: int
) -> None:
    with hub.uow() as session:
        now = hub.context.now()
        session.add(MemberTier(member_id=member, tier_code="gold", since=now, review_at=now))
    first = preview(client, pos, (DRESS, 1))
    assert (first["points_earned"], first["tier"], first["free_shipping"]) == (19, "gold", False)
    assert (
        other.patch("/api/v1/loyalty/program", headers=admin, json={"points_per_unit": 2}).status_code == 200
    )
    assert preview(client, pos, (DRESS, 1))["points_earned"] == 39
    bonus = {"name": "加碼", "spec": {"kind": "bonus", "points": 100}}
    rule = other.post("/api/v1/loyalty/earn-rules", headers=admin, json=bonus).json()
    assert preview(client, pos, (DRESS, 1))["points_earned"] == 139
    off = other.patch(f"/api/v1/loyalty/earn-rules/{rule['id']}", headers=admin, json={"active": False})
    assert off.status_code == 200
    assert preview(client, pos, (DRESS, 1))["points_earned"] == 39
    gold = {
        "name": "金卡",
        "threshold": 10_000,
        "benefits": {"free_shipping": True, "earn_multiplier_bp": 20_000},
    }
    assert other.put("/api/v1/loyalty/tiers/gold", headers=admin, json=gold).status_code == 200
    last = preview(client, pos, (DRESS, 1))
    assert (last["points_earned"], last["free_shipping"]) == (79, True)
