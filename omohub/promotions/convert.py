"""Promotions between their three forms: the API's (codes), the table's (ids) and the engine's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.catalog.models import Product, Sku
from omohub.org.models import Store
from omohub.promotions import engine as e
from omohub.promotions.errors import InvalidPromotion
from omohub.promotions.models import Promotion
from omohub.promotions.schemas import PARAMS, PromotionIn, PromotionOut, TargetIn


def params_model(data: PromotionIn) -> BaseModel:
    try:
        return PARAMS[data.kind].model_validate(data.params)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(["params", *(str(p) for p in err["loc"])])
        raise InvalidPromotion(f"{field}: {err['msg']}", field=field) from None


def _ids(session: Session, model: Any, codes: Iterable[str], field: str) -> list[int]:
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return []
    found: dict[str, int] = dict(
        session.execute(select(model.code, model.id).where(model.code.in_(wanted))).all()
    )
    missing = [c for c in wanted if c not in found]
    if missing:
        raise InvalidPromotion(f"{field}: unknown code(s) {', '.join(map(repr, missing[:5]))}", field=field)
    return [found[c] for c in wanted]


def row_values(session: Session, data: PromotionIn) -> dict[str, Any]:
    """Columns for ``data``, codes resolved to ids (unknown codes are a 422 naming the field)."""
    params = params_model(data).model_dump()
    if data.kind == "price_override":
        skus = _ids(session, Sku, params["prices"], "params.prices")
        params["prices"] = {str(i): p for i, p in zip(skus, params["prices"].values(), strict=True)}
    if data.kind == "gift":
        params["gift_sku_id"] = _ids(session, Sku, [params.pop("gift_sku")], "params.gift_sku")[0]
    t = data.target
    target = {
        "all": t.all,
        "skus": _ids(session, Sku, t.skus, "target.skus"),
        "products": _ids(session, Product, t.products, "target.products"),
        "categories": list(dict.fromkeys(t.categories)),
    }
    values = data.model_dump(exclude={"params", "target", "stores"})
    values.update(params=params, target=target, store_ids=_ids(session, Store, data.stores, "stores"))
    return values


def to_engine(row: Promotion) -> e.Promotion:
    t = row.target
    return e.Promotion(
        id=row.id,
        name=row.name,
        kind=row.kind,
        params=_engine_params(row.kind, row.params),
        target=e.Target(
            all=bool(t.get("all")),
            skus=frozenset(t.get("skus", ())),
            products=frozenset(t.get("products", ())),
            categories=frozenset(t.get("categories", ())),
        ),
        priority=row.priority,
        stacking=row.stacking,
        scope=e.Scope(
            channels=frozenset(row.channels),
            stores=frozenset(row.store_ids),
            audience=row.audience,
            tiers=frozenset(row.tiers),
        ),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        coupon=row.coupon,
    )


def _engine_params(kind: str, p: dict[str, Any]) -> e.Params:
    if kind == "percent_off":
        return e.PercentOff(p["bp"])
    if kind == "amount_off":
        return e.AmountOff(p["amount"])
    if kind == "threshold":
        steps = tuple(
            e.ThresholdStep(s["min_spend"], s.get("amount_off", 0), s.get("bp", 0)) for s in p["steps"]
        )
        return e.Threshold(steps, bool(p.get("repeat")))
    if kind == "buy_x_get_y":
        return e.BuyXGetY(p["buy"], p["get"], p["bp"])
    if kind == "bundle_price":
        return e.BundlePrice(p["size"], p["price"])
    if kind == "price_override":
        return e.PriceOverride({int(k): v for k, v in p.get("prices", {}).items()}, p.get("price"))
    return e.GiftWithPurchase(p["min_spend"], p["gift_sku_id"], p.get("quantity", 1))


def to_out(session: Session, row: Promotion) -> PromotionOut:
    """The API form: ids back to codes."""
    codes = _codes(session, Sku, [*row.target.get("skus", ()), *_param_skus(row)])
    params = dict(row.params)
    if row.kind == "price_override":
        params["prices"] = {codes[int(k)]: v for k, v in params.get("prices", {}).items()}
    if row.kind == "gift":
        params["gift_sku"] = codes[params.pop("gift_sku_id")]
    target = TargetIn(
        all=bool(row.target.get("all")),
        skus=[codes[i] for i in row.target.get("skus", ())],
        products=list(_codes(session, Product, row.target.get("products", ())).values()),
        categories=row.target.get("categories", []),
    )
    stores = list(_codes(session, Store, row.store_ids).values())
    fields = {
        c: getattr(row, c) for c in PromotionOut.model_fields if c not in {"params", "target", "stores"}
    }
    return PromotionOut(**{**fields, "params": params, "target": target, "stores": stores})


def _param_skus(row: Promotion) -> list[int]:
    if row.kind == "price_override":
        return [int(k) for k in row.params.get("prices", {})]
    if row.kind == "gift":
        return [row.params["gift_sku_id"]]
    return []


def _codes(session: Session, model: Any, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    found: dict[int, str] = dict(
        session.execute(select(model.id, model.code).where(model.id.in_(wanted))).all()
    )
    return {i: found[i] for i in wanted if i in found}
