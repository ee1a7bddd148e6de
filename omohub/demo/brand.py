"""The brand itself: stores across Taiwan, their staff, and about 2,000 SKUs."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from omohub.demo import data, rules
from omohub.demo.writer import BulkWriter

TARGET_SKUS = 2000


@dataclass(frozen=True, slots=True)
class SkuInfo:
    id: int
    code: str
    product_code: str
    name: str
    category: str
    size: str
    colour: str
    price: int


@dataclass
class Brand:
    """What later steps need to know about the brand (ids are the rows written)."""

    store_ids: list[int]
    store_codes: list[str]
    store_cum: list[float]
    #: Per store index, the ids of the staff who sell (everyone but the cashier).
    sellers: list[list[int]]
    skus: list[SkuInfo]
    sku_cum: list[float]
    #: Product code → indexes into ``skus``.
    by_product: dict[str, list[int]] = field(default_factory=dict)
    product_codes: list[str] = field(default_factory=list)
    product_cum: list[float] = field(default_factory=list)


def write_brand(w: BulkWriter, seed: int, start: float, names: random.Random) -> Brand:
    rng = random.Random(f"{seed}/brand")
    stores = _stores(w, rng, start)
    sellers = _staff(w, rng, names, start)
    skus, product_weights = _catalog(w, rng, start)
    brand = Brand(
        store_ids=stores,
        store_codes=[s.code for s in data.STORES],
        store_cum=rules.cumulative([s.traffic for s in data.STORES]),
        sellers=sellers,
        skus=skus,
        sku_cum=rules.cumulative([product_weights[s.product_code] * data.SIZE_WEIGHT[s.size] for s in skus]),
    )
    for i, sku in enumerate(skus):
        brand.by_product.setdefault(sku.product_code, []).append(i)
    brand.product_codes = list(brand.by_product)
    brand.product_cum = rules.cumulative([product_weights[c] for c in brand.product_codes])
    return brand


def _stores(w: BulkWriter, rng: random.Random, start: float) -> list[int]:
    rows = [
        (
            i,
            s.code,
            s.name,
            s.city,
            s.address,
            s.latitude,
            s.longitude,
            "Asia/Taipei",
            w.bool(True),
            w.ts(start - rng.randrange(400, 3000) * 86400),
        )
        for i, s in enumerate(data.STORES, 1)
    ]
    cols = (
        "id",
        "code",
        "name",
        "city",
        "address",
        "latitude",
        "longitude",
        "timezone",
        "active",
        "created_at",
    )
    w.insert("stores", cols, rows)
    return [r[0] for r in rows]


def person_name(rng: random.Random, gender: str) -> tuple[str, str, str]:
    """(zh-TW full name, romanised given name, romanised surname)."""
    surname, roman, _share = rng.choices(data.SURNAMES, cum_weights=_SURNAME_CUM)[0]
    given, given_roman = rng.choice(data.FEMALE_NAMES if gender == "F" else data.MALE_NAMES)
    return surname + given, given_roman, roman.lower()


_SURNAME_CUM = rules.cumulative([s[2] for s in data.SURNAMES])


def _staff(w: BulkWriter, rng: random.Random, names: random.Random, start: float) -> list[list[int]]:
    rows: list[tuple[object, ...]] = []
    sellers: list[list[int]] = []
    for si, store in enumerate(data.STORES, 1):
        team = ["manager", "stylist"] + ["clerk"] * (2 + round(store.traffic)) + ["cashier"]
        ids = []
        for n, role in enumerate(team, 1):
            staff_id = len(rows) + 1
            gender = "F" if names.random() < 0.75 else "M"
            name = person_name(names, gender)[0]
            created = w.ts(start - rng.randrange(30, 1500) * 86400)
            rows.append((staff_id, f"{store.code}-{n:02d}", name, si, role, w.bool(True), created))
            if role != "cashier":
                ids.append(staff_id)
        sellers.append(ids)
    w.insert("staff", ("id", "code", "name", "store_id", "role", "active", "created_at"), rows)
    return sellers


def _catalog(w: BulkWriter, rng: random.Random, start: float) -> tuple[list[SkuInfo], dict[str, float]]:
    products: list[tuple[object, ...]] = []
    skus: list[SkuInfo] = []
    weights: dict[str, float] = {}
    used: set[tuple[str, str, str]] = set()
    shares = rules.cumulative([c.share for c in data.CATEGORIES])
    counters = dict.fromkeys((c.code for c in data.CATEGORIES), 0)
    while len(skus) < TARGET_SKUS:
        cat = rng.choices(data.CATEGORIES, cum_weights=shares)[0]
        line = rng.choice(cat.lines)
        adjective, base = rng.choice(cat.adjectives), rng.choice(cat.bases)
        if (line, adjective, base) in used:
            continue
        used.add((line, adjective, base))
        counters[cat.code] += 1
        code = f"{cat.code}{line if line != 'A' else ''}{counters[cat.code]:04d}"
        prefix = {"F": "女裝 ", "M": "男裝 "}.get(line, "")
        name = f"{prefix}{adjective}{base}"
        price = rules.list_price(rng, *cat.price_range)
        created = w.ts(start - rng.randrange(0, 540) * 86400)
        pid = len(products) + 1
        products.append((pid, code, name, cat.name, price, w.bool(True), created))
        weights[code] = rng.paretovariate(1.3)
        colours = rng.sample(data.COLOURS, rng.randint(2, 5) if line != "A" else rng.randint(1, 3))
        for colour_code, colour in colours:
            for size in data.SIZES[line if line in data.SIZES else "A"]:
                sid = len(skus) + 1
                skus.append(
                    SkuInfo(sid, f"{code}-{colour_code}-{size}", code, name, cat.name, size, colour, price)
                )
    w.insert("products", ("id", "code", "name", "category", "list_price", "active", "created_at"), products)
    created_of = {p[0]: p[6] for p in products}
    pid_of = {p[1]: p[0] for p in products}
    w.insert(
        "skus",
        ("id", "code", "product_id", "barcode", "size", "color", "list_price", "active", "created_at"),
        (
            (
                s.id,
                s.code,
                pid_of[s.product_code],
                rules.ean13(s.id),
                s.size,
                s.colour,
                s.price,
                w.bool(True),
                created_of[pid_of[s.product_code]],
            )
            for s in skus
        ),
    )
    return skus, weights
