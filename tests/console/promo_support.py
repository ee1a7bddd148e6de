"""Promotion steps for console tests: promotions and coupons made through the domain's services,
and what the database holds afterwards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.core.db import Base
from omohub.members.models import Member
from omohub.promotions import convert
from omohub.promotions.models import Promotion
from omohub.promotions.schemas import CouponsIn, PromotionIn, PromotionOut
from omohub.promotions.service import promotions, wallet

SHIRT = "SHIRT-LIN-L"  # NT$1,280
DRESS = "DRESS-BLK-M"  # NT$1,980


def promote(
    hub: Hub, name: str, kind: str, params: dict[str, Any], target: dict[str, Any] | None = None, **over: Any
) -> int:
    body = {"name": name, "kind": kind, "params": params, "target": target or {"all": True}, **over}
    with hub.uow() as session:
        return promotions.create(session, PromotionIn.model_validate(body)).id


def issue(hub: Hub, promotion_id: int, member_id: int | None = None, **data: Any) -> list[str]:
    """Coupons for ``promotion_id``: ``code=…``, ``count=…``, or one into ``member_id``'s wallet."""
    with hub.uow() as session:
        member = session.get(Member, member_id) if member_id else None
        found = wallet.issue(session, promotions.get(session, promotion_id), CouponsIn(**data), member)
        return found.codes


def promotion(hub: Hub, promotion_id: int) -> PromotionOut:
    with hub.uow() as session:
        return convert.to_out(session, promotions.get(session, promotion_id))


def every_promotion(hub: Hub) -> list[PromotionOut]:
    with hub.uow() as session:
        rows = session.scalars(select(Promotion).order_by(Promotion.id))
        return [convert.to_out(session, row) for row in rows]


def rows_of(hub: Hub, model: type[Base]) -> int:
    with hub.uow() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)
