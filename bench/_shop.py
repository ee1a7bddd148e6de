"""A brand to price carts against (issue #3's benchmark): catalog, 200 promotions, members.

Everything goes in through the hub's own services (promotions are validated and indexed the
way the console creates them, members join by phone, points are head-office adjustments,
wallet coupons are issued into wallets), so the database holds what a live brand would.
Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bench.identity import local_phone

CATEGORIES = (
    "shirts",
    "dresses",
    "tees",
    "knits",
    "jackets",
    "coats",
    "jeans",
    "trousers",
    "shorts",
    "skirts",
    "vests",
    "hoodies",
    "sweaters",
    "blazers",
    "suits",
    "polos",
    "leggings",
    "activewear",
    "swimwear",
    "sleepwear",
    "underwear",
    "socks",
    "hats",
    "scarves",
    "gloves",
    "belts",
    "bags",
    "wallets",
    "shoes",
    "sneakers",
    "sandals",
    "boots",
    "jewelry",
    "watches",
    "sunglasses",
    "umbrellas",
    "kids-tops",
    "kids-bottoms",
    "baby",
    "home",
)
PRICES = (199, 290, 390, 490, 590, 690, 790, 890, 990, 1280, 1480, 1680, 1980, 2480, 2980, 3980)
SIZES = ("S", "M", "L", "XL")
STORES = {"TPE-XINYI": "信義店", "TPE-DAAN": "大安店", "NTP-BANQIAO": "板橋店", "TXG-QIZHENG": "七期店"}
STORE = "TPE-XINYI"
#: The coupon promotions whose codes every benchmark cart presents.
WALLET_AMOUNT, WALLET_PERCENT, SHARED_CODE = "wallet-100", "wallet-15pct", "SPRING200"


@dataclass(frozen=True)
class Item:
    sku: str
    product: str
    category: str
    price: int


@dataclass(frozen=True)
class Buyer:
    """A member who checks out: gold tier, 5,000 points, two single-use coupons in the wallet."""

    id: int
    phone: str
    wallet: list[str]
    birthday: dt.date


@dataclass
class Shop:
    """What the benchmark needs to know about the brand it built."""

    items: list[Item]
    cart: list[tuple[Item, int]]
    kinds: dict[str, int] = field(default_factory=dict)
    coupon_promotions: dict[str, int] = field(default_factory=dict)
    members: list[Buyer] = field(default_factory=list)

    def cart_json(self, buyer: Buyer, *, quote: bool, points: int) -> dict[str, Any]:
        return {
            "channel": "pos",
            "store_code": STORE,
            "member": {"phone": buyer.phone},
            "lines": [{"sku": item.sku, "quantity": qty} for item, qty in self.cart],
            "coupons": [*buyer.wallet, SHARED_CODE],
            "points": points,
            "quote": quote,
        }


def catalog(session: Session, now: dt.datetime, products: int, seed: int) -> list[Item]:
    from omohub.catalog import lookup
    from omohub.catalog.models import Product, Sku
    from omohub.org import lookup as org_lookup
    from omohub.org.models import Store

    rng = random.Random(seed)
    session.add_all(Store(code=c, name=n, city="台北市", created_at=now) for c, n in STORES.items())
    items = []
    for i in range(products):
        category, price = CATEGORIES[i % len(CATEGORIES)], rng.choice(PRICES)
        product = Product(
            code=f"P{i:04d}", name=f"{category} {i}", category=category, list_price=price, created_at=now
        )
        session.add(product)
        session.flush()
        for size in SIZES:
            code = f"P{i:04d}-{size}"
            barcode = f"471{i:06d}{SIZES.index(size):04d}"
            session.add(
                Sku(
                    code=code,
                    product_id=product.id,
                    barcode=barcode,
                    size=size,
                    list_price=price,
                    created_at=now,
                )
            )
            items.append(Item(code, product.code, category, price))
    session.flush()
    lookup.changed(session)  # written as rows, not through the catalog service: say so
    org_lookup.changed(session)
    return items


def program(session: Session) -> None:
    """Three tiers with richer earning, and the usual earn rules."""
    from omohub.loyalty.rules import RuleSpec
    from omohub.loyalty.service import program as loyalty

    for code, name, threshold, multiplier in (
        ("silver", "銀卡", 10_000, 12_500),
        ("gold", "金卡", 30_000, 15_000),
        ("vip", "VIP", 80_000, 20_000),
    ):
        loyalty.put_tier(session, code, name, threshold, {"earn_multiplier_bp": multiplier})
    loyalty.add_rule(session, "生日月雙倍", RuleSpec(kind="rate", points=1, birthday_month=True))
    loyalty.add_rule(session, "鞋款三倍", RuleSpec(kind="rate", points=2, categories=frozenset({"shoes"})))
    loyalty.add_rule(
        session, "首次App", RuleSpec(kind="bonus", points=50, channels=frozenset({"app"}), first_order=True)
    )


class Promotions:
    """200 active promotions of every kind; about half of them aimed at the benchmark cart."""

    def __init__(self, items: list[Item], cart: list[tuple[Item, int]], now: dt.datetime, seed: int) -> None:
        self.items, self.cart, self.now = items, [item for item, _ in cart], now
        self.rng = random.Random(seed)
        self.products = sorted({i.product for i in items})

    def specs(self) -> list[dict[str, Any]]:
        r, specs = self.rng, []
        for n in range(50):
            specs.append(self._spec(f"折扣{n}", "percent_off", {"bp": r.choice((500, 1000, 1500, 2000))}))
        for n in range(30):
            specs.append(self._spec(f"折現{n}", "amount_off", {"amount": r.choice((50, 100, 200))}))
        for n in range(20):
            specs.append(
                self._spec(f"滿額{n}", "threshold", self._steps(n), whole=n % 2 == 0, stacking="best")
            )
        for n in range(20):
            buy, get, bp = r.choice(((1, 1, 5000), (2, 1, 10_000), (1, 1, 3000), (3, 1, 10_000)))
            specs.append(self._spec(f"買{buy}送{get}-{n}", "buy_x_get_y", {"buy": buy, "get": get, "bp": bp}))
        for n in range(15):
            size = r.choice((2, 3))
            specs.append(self._spec(f"任選{size}件-{n}", "bundle_price", {"size": size, "price": 690 * size}))
        for n in range(15):
            specs.append(self._override(n))
        for n in range(10):
            gift = {"min_spend": r.choice((1500, 3000, 5000)), "gift_sku": r.choice(self.items).sku}
            specs.append(self._spec(f"滿額贈{n}", "gift", gift, whole=n % 2 == 0))
        for n in range(10):
            specs.append(
                self._spec(f"會員優惠{n}", "percent_off", {"bp": 800}, stacking="best", audience="members")
            )
        for n in range(10):  # exclusive: distinct priorities, so none clashes with another
            exclusive: dict[str, Any] = {"stacking": "exclusive", "priority": 100 + n}
            specs.append(self._spec(f"獨享{n}", "amount_off", {"amount": 300 + 50 * n}, **exclusive))
        return specs + self._coupons()

    def _spec(
        self, name: str, kind: str, params: dict[str, Any], *, whole: bool = False, **over: Any
    ) -> dict[str, Any]:
        r = self.rng
        spec: dict[str, Any] = {
            "name": name,
            "kind": kind,
            "params": params,
            "target": {"all": True} if whole else self._target(),
            "priority": r.randrange(-10, 11),
            "stacking": r.choices(("stackable", "best"), (1, 2))[0],
            "starts_at": self.now - dt.timedelta(days=r.randrange(1, 60)),
            "ends_at": self.now + dt.timedelta(days=r.randrange(1, 60)),
        }
        roll = r.random()  # the OMO default is everywhere; some are narrowed on purpose
        if roll < 0.10:
            spec["channels"] = ["web", "app"]
        elif roll < 0.18:
            spec["stores"] = ["NTP-BANQIAO"]
        elif roll < 0.22:
            spec["audience"] = "birthday"
        elif roll < 0.26:
            spec["starts_at"] = self.now + dt.timedelta(days=3)  # active, not started yet
            spec["ends_at"] = self.now + dt.timedelta(days=60)
        return {**spec, **over}

    def _target(self) -> dict[str, Any]:
        r, aimed = self.rng, self.rng.random() < 0.5
        hit = r.choice(self.cart)
        how = r.choice(("skus", "products", "categories"))
        if how == "skus":
            found = [i.sku for i in r.sample(self.items, r.randrange(5, 30))]
            return {"skus": found + ([hit.sku] if aimed and hit.sku not in found else [])}
        if how == "products":
            found = r.sample(self.products, r.randrange(2, 10))
            return {"products": found + ([hit.product] if aimed and hit.product not in found else [])}
        found = r.sample(CATEGORIES, r.randrange(1, 3))
        return {"categories": found + ([hit.category] if aimed and hit.category not in found else [])}

    def _steps(self, n: int) -> dict[str, Any]:
        if n % 4 == 0:
            return {"steps": [{"min_spend": 1000, "amount_off": 100}], "repeat": True}  # 每滿千折百
        if n % 4 == 1:
            return {"steps": [{"min_spend": 3000, "bp": 1000}]}
        return {
            "steps": [
                {"min_spend": s, "amount_off": s // 10 + 50 * i} for i, s in enumerate((1000, 2000, 5000))
            ]
        }

    def _override(self, n: int) -> dict[str, Any]:
        """Tier prices (gold and VIP) and member prices: 15% off a few SKUs, the cart's among them."""
        picked = [*self.rng.sample(self.items, 8), self.rng.choice(self.cart)]
        prices = {i.sku: i.price * 85 // 100 for i in picked}
        who = {"audience": "tiers", "tiers": ["gold", "vip"]} if n % 3 else {"audience": "members"}
        spec = self._spec(f"會員價{n}", "price_override", {"prices": prices}, **who)
        return {**spec, "target": {"skus": list(prices)}, "stacking": "stackable"}

    def _coupons(self) -> list[dict[str, Any]]:
        """Three coupons every cart presents (two in the wallet, one shared code), 17 others."""
        cat = self.cart[0].category
        specs = [
            self._spec(WALLET_AMOUNT, "amount_off", {"amount": 100}, whole=True),
            {**self._spec(WALLET_PERCENT, "percent_off", {"bp": 1500}), "target": {"categories": [cat]}},
            self._spec(
                SHARED_CODE, "threshold", {"steps": [{"min_spend": 2000, "amount_off": 200}]}, whole=True
            ),
        ]
        for s in specs:
            s.update(
                stacking="stackable",
                channels=[],
                stores=[],
                audience="all",
                starts_at=self.now - dt.timedelta(days=1),
            )
        specs += [self._spec(f"券{n}", "amount_off", {"amount": 80}, whole=n % 2 == 0) for n in range(17)]
        return [{**s, "coupon": True} for s in specs]


def promotions(session: Session, shop: Shop, now: dt.datetime, seed: int) -> None:
    from omohub.promotions.schemas import PromotionIn
    from omohub.promotions.service import coupons
    from omohub.promotions.service import promotions as service

    for spec in Promotions(shop.items, shop.cart, now, seed).specs():
        row = service.create(session, PromotionIn.model_validate(spec))
        shop.kinds[row.kind] = shop.kinds.get(row.kind, 0) + 1
        if row.name in (WALLET_AMOUNT, WALLET_PERCENT, SHARED_CODE):
            shop.coupon_promotions[row.name] = row.id
        if row.name == SHARED_CODE:
            coupons.issue_code(session, row, SHARED_CODE, max_uses=10_000_000)


def member(session: Session, shop: Shop, i: int, now: dt.datetime) -> None:
    """A gold member (by phone) with 5,000 points in two lots and two single-use wallet coupons."""
    from omohub.loyalty.service import adjust, tiers
    from omohub.members.schemas import MemberIn
    from omohub.members.service import join
    from omohub.promotions.models import Promotion
    from omohub.promotions.service import coupons

    phone = local_phone(i)
    birthday = dt.date(1990, 1 + i % 12, 15)
    found = join(
        session, MemberIn(phone=phone, birthday=birthday, channel="pos", store_code=STORE), source="bench"
    )
    mid = found.member.id  # type: ignore[union-attr]
    tiers.set_tier(session, mid, "gold", basis=45_000, reason="bench", current=None, now=now)
    adjust.adjust(session, mid, 3_000, reason="bench", key=f"bench-{i}-a", actor="bench")
    adjust.adjust(session, mid, 2_000, reason="bench", key=f"bench-{i}-b", actor="bench")
    wallet = []
    for name in (WALLET_AMOUNT, WALLET_PERCENT):
        promotion = session.get(Promotion, shop.coupon_promotions[name])
        assert promotion is not None
        wallet.append(
            coupons.issue_to_member(session, promotion, mid, key=f"bench:{i}:{name}", reason="bench").code
        )
    shop.members.append(Buyer(mid, phone, wallet, birthday))


def build(hub: Any, *, products: int, members: int, seed: int = 3) -> Shop:
    """The whole brand in ``hub``'s database: ``products`` × 4 SKUs, 200 promotions, members."""
    now = hub.context.now()
    with hub.uow() as session:
        items = catalog(session, now, products, seed)
        program(session)
    rng = random.Random(seed)
    picked = rng.sample(sorted({i.category for i in items}), 20)
    cart = [(rng.choice([i for i in items if i.category == c]), rng.choice((1, 1, 2, 3))) for c in picked]
    shop = Shop(items, cart)
    with hub.uow() as session:
        promotions(session, shop, now, seed)
    for start in range(0, members, 200):
        with hub.uow() as session:
            for i in range(start, min(members, start + 200)):
                member(session, shop, i + 1, now)
    return shop
