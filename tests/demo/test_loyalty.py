"""The demo brand runs one loyalty program and real promotions, and its ledger adds up."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.catalog.models import Sku
from omohub.demo.service import DemoResult
from omohub.loyalty import ledger
from omohub.loyalty.check import run as check_ledger
from omohub.loyalty.models import MemberTier, PointEntry
from omohub.org.models import Store
from omohub.promotions.models import Promotion
from tests.conftest import make_key


def test_points_tiers_and_promotions_are_there_and_consistent(hub: Hub, demo: DemoResult) -> None:
    with hub.uow() as session:
        report = check_ledger(session)
        assert report.problems == [] and report.members > 100 and report.points > 0
        kinds = dict(session.execute(select(PointEntry.kind, func.count()).group_by(PointEntry.kind)).all())
        assert kinds["earn"] > demo.orders // 3 and kinds.get("redeem", 0) > 0
        tiers = dict(
            session.execute(select(MemberTier.tier_code, func.count()).group_by(MemberTier.tier_code)).all()
        )
        assert tiers.get("silver", 0) > tiers.get("gold", 0) > 0
        assert session.scalar(select(func.count()).select_from(Promotion)) == 9
        assert demo.sample_member is not None
        assert ledger.balance(session, demo.sample_member).available > 0


def test_the_sample_member_can_check_out_with_a_coupon_and_points(
    hub: Hub, demo: DemoResult, client: TestClient
) -> None:
    pos = make_key(hub, "pos")
    wallet = client.get(f"/api/v1/members/{demo.sample_member}/coupons", headers=pos).json()
    assert [c["promotion_name"] for c in wallet] == ["入會禮 折50"]  # (valid 30 days from the demo's day)
    with hub.uow() as session:
        store = session.scalar(select(Store.code).order_by(Store.id))
        skus = list(session.scalars(select(Sku.code).order_by(Sku.id).limit(3)))
    cart = {
        "channel": "pos",
        "store_code": store,
        "member": {"member_id": demo.sample_member},
        "lines": [{"sku": code, "quantity": 2} for code in skus],
        "coupons": ["line100"],
        "points": 100,
    }
    r = client.post("/api/v1/carts/price", headers=pos, json=cart)
    assert r.status_code == 200, r.text
    priced = r.json()
    assert [a["coupon"] for a in priced["applied"] if a["coupon"]] == ["LINE100"]
    assert priced["total"] == priced["subtotal"] - priced["discount_total"]
    assert (priced["points"]["worth"], priced["amount_due"]) == (100, priced["total"] - 100)
    assert priced["points_earned"] > 0
    with hub.uow() as session:
        tier = session.get(MemberTier, demo.sample_member)
    assert priced["tier"] == (tier.tier_code if tier else None)
    assert priced["free_shipping"] == (priced["tier"] in ("gold", "black"))
