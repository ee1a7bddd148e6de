"""The demo brand's loyalty program and promotions, set up through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.catalog.models import Product, Sku
from omohub.core.context import ctx
from omohub.demo.points import Loyalty
from omohub.loyalty.rules import RuleSpec
from omohub.loyalty.service import program
from omohub.promotions.models import Promotion
from omohub.promotions.schemas import CouponsIn, PromotionIn
from omohub.promotions.service import coupons, promotions, wallet

#: (code, name, rolling 12-month net spend, benefits)
TIERS = (
    ("silver", "銀卡會員", 6_000, {"earn_multiplier_bp": 12_000}),
    ("gold", "金卡會員", 20_000, {"earn_multiplier_bp": 15_000, "free_shipping": True}),
    ("black", "黑卡會員", 50_000, {"earn_multiplier_bp": 20_000, "free_shipping": True}),
)


def setup_program(session: Session) -> None:
    program.update_settings(session, {})
    for code, name, threshold, benefits in TIERS:
        program.put_tier(session, code, name, threshold, benefits)
    program.add_rule(session, "生日月雙倍點數", RuleSpec(kind="rate", points=1, per=100, birthday_month=True))
    first_app = RuleSpec(kind="bonus", points=100, channels=frozenset({"app"}), first_order=True)
    program.add_rule(session, "首次App購物送100點", first_app)


def setup_promotions(session: Session) -> dict[str, int]:
    """A season's worth of what a Taiwanese apparel brand runs, omnichannel unless stated."""
    now = ctx(session).now()
    gift = session.scalar(select(Sku.code).join(Product).where(Product.category == "配件").order_by(Sku.id))
    made = {}
    for key, body in _definitions(now, gift or "").items():
        made[key] = promotions.create(session, PromotionIn.model_validate(body))
    wallet.issue(session, made["line"], CouponsIn(code="LINE100", max_uses=100_000), None)
    return {key: p.id for key, p in made.items()}


def loyalty_rules(session: Session) -> Loyalty:
    tiers = program.repo.tiers(session)
    multipliers = {t.code: int(t.benefits.get("earn_multiplier_bp", 10_000)) for t in tiers}
    return Loyalty(
        program.settings(session), list(program.rules(session)), program.tier_defs(session), multipliers
    )


def welcome_sample(session: Session, promotion_id: int, member_id: int) -> None:
    """The sample member's wallet has a coupon to show on the card."""
    promotion = session.get(Promotion, promotion_id)
    assert promotion is not None
    until = ctx(session).now() + dt.timedelta(days=30)
    coupons.issue_to_member(
        session,
        promotion,
        member_id,
        key=f"welcome:{promotion_id}:{member_id}",
        reason="welcome",
        valid_until=until,
    )


def _definitions(now: dt.datetime, gift_sku: str) -> dict[str, dict[str, Any]]:
    since = (now - dt.timedelta(days=20)).isoformat()
    return {
        "accessories": {
            "name": "配件第二件半價",
            "kind": "buy_x_get_y",
            "params": {"buy": 1, "get": 1, "bp": 5000},
            "target": {"categories": ["配件"]},
            "stacking": "best",
            "starts_at": since,
        },
        "tees": {
            "name": "T恤任選3件999",
            "kind": "bundle_price",
            "params": {"size": 3, "price": 999},
            "target": {"categories": ["上衣/T恤"]},
            "stacking": "best",
        },
        "threshold": {
            "name": "滿2000折200・滿4000折500",
            "kind": "threshold",
            "params": {
                "steps": [{"min_spend": 2000, "amount_off": 200}, {"min_spend": 4000, "amount_off": 500}]
            },
            "target": {"all": True},
        },
        "vip_dresses": {
            "name": "金卡以上 洋裝9折",
            "kind": "percent_off",
            "params": {"bp": 1000},
            "target": {"categories": ["洋裝"]},
            "audience": "tiers",
            "tiers": ["gold", "black"],
        },
        "gift": {
            "name": "滿3000送質感配件",
            "kind": "gift",
            "params": {"min_spend": 3000, "gift_sku": gift_sku, "quantity": 1},
            "target": {"all": True},
            "max_uses": 5000,
        },
        "anniversary": {
            "name": "週年慶 全館85折",
            "kind": "percent_off",
            "params": {"bp": 1500},
            "target": {"all": True},
            "stacking": "exclusive",
            "priority": 10,
            "starts_at": (now + dt.timedelta(days=14)).isoformat(),
            "ends_at": (now + dt.timedelta(days=19)).isoformat(),
        },
        "welcome": {
            "name": "入會禮 折50",
            "kind": "amount_off",
            "params": {"amount": 50},
            "target": {"all": True},
            "coupon": True,
            "auto_issue": "welcome",
            "max_uses_per_member": 1,
        },
        "birthday": {
            "name": "生日禮 折300",
            "kind": "amount_off",
            "params": {"amount": 300},
            "target": {"all": True},
            "coupon": True,
            "auto_issue": "birthday",
            "max_uses_per_member": 1,
        },
        "line": {
            "name": "LINE好友限定 折100",
            "kind": "amount_off",
            "params": {"amount": 100},
            "target": {"all": True},
            "coupon": True,
            "max_uses_per_member": 1,
            "budget": 2_000_000,
        },
    }
