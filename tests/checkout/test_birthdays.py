"""Birthday coupons follow the tier: a tier's own birthday gift, and tier-only birthday promotions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from omohub.loyalty.service import tiers
from tests.helpers import drain


def test_gold_members_get_the_gold_birthday_gift_and_everyone_the_general_one(
    client: TestClient,
    hub: Hub,
    admin: dict[str, str],
    pos: dict[str, str],
    catalog: dict[str, int],
    promote: Callable[..., dict[str, Any]],
) -> None:
    everyone = promote("生日禮 折100", "amount_off", {"amount": 100}, coupon=True, auto_issue="birthday")
    gold_gift = promote(
        "金卡生日禮 折500", "amount_off", {"amount": 500}, coupon=True, audience="tiers", tiers=["gold"]
    )
    promote(
        "金卡生日 9折",
        "percent_off",
        {"bp": 1000},
        coupon=True,
        auto_issue="birthday",
        audience="tiers",
        tiers=["gold"],
    )
    body = {"name": "金卡", "threshold": 20000, "benefits": {"birthday_coupon_promotion_id": gold_gift["id"]}}
    assert client.put("/api/v1/loyalty/tiers/gold", headers=admin, json=body).status_code == 200
    # both born in March (the frozen clock's month)
    gold, plain = (
        client.post("/api/v1/members", headers=pos, json={"phone": p, "birthday": "1988-03-09"}).json()[
            "member"
        ]["id"]
        for p in ("0911-000-001", "0911-000-002")
    )
    with hub.uow() as session:
        tiers.set_tier(
            session, gold, "gold", basis=25000, reason="manual", current=None, now=hub.context.now()
        )
    drain(hub)
    names = {
        m: sorted(c["promotion_name"] for c in client.get(f"/api/v1/members/{m}/coupons", headers=pos).json())
        for m in (gold, plain)
    }
    assert names[gold] == ["生日禮 折100", "金卡生日 9折", "金卡生日禮 折500"]
    assert names[plain] == ["生日禮 折100"]
    assert everyone["id"]
