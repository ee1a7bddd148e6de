"""Cart pricing (issue #3's aim: p99 under 5 ms in-process, under 25 ms over HTTP).

Per backend, in a fresh database: a catalog of 2,000 SKUs in 40 categories, 200 active
promotions of every kind (percent and amount off SKUs, products and categories, thresholds,
buy X get Y, bundles, tier and member prices, gifts, exclusive and best-for-customer ones,
coupon promotions; some narrowed to other channels, stores, birthdays or not started yet),
three tiers and earn rules, and gold members with points and two single-use wallet coupons
(see ``bench/_shop.py``). Each member checks out the same 20-line cart at the POS, presenting
their two wallet coupons and a shared code and redeeming 200 points. After a warm-up on other
members, member by member, interleaved:

* **baseline** — a unit of work on the same hub doing ``SELECT 1``: the floor of any call
  that opens a session, makes one round trip and commits;
* the **engine alone** — ``engine.price_cart`` on the prebuilt index, no I/O;
* ``checkout.price.price`` in its own unit of work, as a preview (``quote: false``) and with
  a quote (coupons reserved, points held, quote row written, committed).

Then over HTTP against ``omohub serve`` (its own process), one keep-alive httpx client, other
members: ``GET /healthz`` (the baseline: routing, one database round trip) and
``POST /api/v1/carts/price`` (POS key) as a preview and with a quote.

Last, where the time goes (``bench/_anatomy.py``): each function ``price()`` calls, timed
where it is called, for more members' previews and quotes; pyinstrument over still more quotes;
and every SQL statement of one preview and one quote, named by the function that issued it.
"""

from __future__ import annotations

import argparse
import functools
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson
from sqlalchemy import text

from bench import _anatomy, _shop
from bench._harness import Env, fresh_database, server
from bench.identity import _pct, _timed

TITLE = "Cart pricing: a 20-line cart against 200 promotions, p50/p99 in-process and over HTTP"
POINTS = 200
ACTOR = "apikey:bench-pos"
BASE, ENGINE, PREVIEW, QUOTE = (
    "baseline: unit of work + `SELECT 1` (same hub)",
    "engine alone: `price_cart` on the prebuilt index",
    "`price()` in-process, preview (`quote: false`)",
    "`price()` in-process, quote (reserve, hold, commit)",
)
HTTP_BASE, HTTP_PREVIEW, HTTP_QUOTE = (
    "baseline: `GET /healthz` (same server)",
    "`POST /api/v1/carts/price`, preview",
    "`POST /api/v1/carts/price`, quote",
)
AIMS = {"in-process": 5.0, "HTTP": 25.0}


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("pricing")
    g.add_argument("--pricing-carts", type=int, default=1_000, help="carts priced per series")
    g.add_argument("--pricing-products", type=int, default=500, help="products (4 SKUs each)")
    g.add_argument(
        "--pricing-profile", type=int, default=300, help="carts taken apart by stage, and under pyinstrument"
    )


Series = dict[str, Callable[[_shop.Buyer], Any]]


def timed_series(
    series: Series, warm: list[_shop.Buyer], sample: list[_shop.Buyer]
) -> dict[str, list[float]]:
    """Each buyer through every series in turn (after a warm-up on other buyers: plans, pools,
    the promotion index); a quote uses the buyer's coupons, so no buyer is priced twice."""
    for buyer in warm:
        for call in series.values():
            call(buyer)
    timings: dict[str, list[float]] = {name: [] for name in series}
    for buyer in sample:
        for name, call in series.items():
            timings[name].append(_timed(lambda call=call, buyer=buyer: call(buyer)))  # type: ignore[misc]
    return timings


def in_process_series(hub: Any, shop: _shop.Shop) -> Series:
    from omohub.checkout import price as checkout
    from omohub.checkout.schemas import CartIn

    def floor(_buyer: _shop.Buyer) -> None:
        with hub.uow() as session:
            session.execute(text("SELECT 1")).scalar_one()

    carts = {  # parsed beforehand: the route's parsing is in the HTTP series, not here
        (b.id, quote): CartIn.model_validate(shop.cart_json(b, quote=quote, points=POINTS))
        for b in shop.members
        for quote in (False, True)
    }

    def priced(quote: bool) -> Callable[[_shop.Buyer], Any]:
        def call(buyer: _shop.Buyer) -> Any:
            data = carts[buyer.id, quote]
            with hub.uow() as session:
                out = checkout.price(session, data, actor=ACTOR)  # by attribute: stage_clock wraps it
            assert out.applied and (out.quote_id is not None) == quote and out.points.redeem == POINTS
            return out

        return call

    return {BASE: floor, ENGINE: engine_alone(hub, shop), PREVIEW: priced(False), QUOTE: priced(True)}


def engine_alone(hub: Any, shop: _shop.Shop) -> Callable[[_shop.Buyer], Any]:
    from omohub.promotions import engine as e

    index, lines, store_id = cart_lines(hub, shop)
    coupons = frozenset(shop.coupon_promotions.values())
    ctx = hub.context

    def call(buyer: _shop.Buyer) -> Any:
        now = ctx.now()
        shopper = e.Shopper(buyer.id, "gold", buyer.birthday.month == ctx.business_date(now).month)
        priced = e.price_cart(
            index,
            lines,
            channel="pos",
            store_id=store_id,
            shopper=shopper,
            now=now,
            coupon_promotion_ids=coupons,
        )
        assert priced.applied
        return priced

    return call


def cart_lines(hub: Any, shop: _shop.Shop) -> tuple[Any, list[Any], int]:
    """The index of the active promotions (built as the hub's cache builds it), the cart as engine
    lines, and the store's id."""
    from sqlalchemy import select

    from omohub.catalog.models import Product, Sku
    from omohub.org.models import Store
    from omohub.promotions import convert, repository
    from omohub.promotions import engine as e

    codes = [item.sku for item, _ in shop.cart]
    with hub.uow() as session:
        index = e.PromotionIndex.build(convert.to_engine(p) for p in repository.active(session))
        stmt = select(Sku.code, Sku.id, Product.id).join(Product, Product.id == Sku.product_id)
        ids = {
            code: (sku, product) for code, sku, product in session.execute(stmt.where(Sku.code.in_(codes)))
        }
        store_id = session.execute(select(Store.id).where(Store.code == _shop.STORE)).scalar_one()
    lines = [
        e.CartLine(n, *ids[item.sku], item.category, item.price, qty)
        for n, (item, qty) in enumerate(shop.cart, 1)
    ]
    return index, lines, store_id


def http_series(base: str, key: str, shop: _shop.Shop, http: httpx.Client) -> Series:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def healthz(_buyer: _shop.Buyer) -> None:
        r = http.get("/healthz")
        assert r.status_code == 200, r.text

    def priced(quote: bool) -> Callable[[_shop.Buyer], Any]:
        def call(buyer: _shop.Buyer) -> None:
            body = orjson.dumps(shop.cart_json(buyer, quote=quote, points=POINTS))
            r = http.post("/api/v1/carts/price", content=body, headers=headers)
            assert r.status_code == 200, r.text
            assert (r.json()["quote_id"] is not None) == quote

        return call

    return {HTTP_BASE: healthz, HTTP_PREVIEW: priced(False), HTTP_QUOTE: priced(True)}


# --- the run ---------------------------------------------------------------------------------


def measure(env: Env, backend: str) -> dict[str, Any]:
    from omohub.access.service import create_api_key
    from omohub.bootstrap import build_hub
    from omohub.core.config import Settings

    a = env.args
    carts, profiled, warm = (20, 6, 4) if env.quick else (a.pricing_carts, a.pricing_profile, 50)
    products = 50 if env.quick else a.pricing_products
    load = os.getloadavg()[0]
    with fresh_database(backend, env.pg) as url, tempfile.TemporaryDirectory(prefix="omohub-bench-") as var:
        hub = build_hub(Settings(database_url=url, var_dir=var, secret_key="bench"))
        started = time.perf_counter()
        shop = _shop.build(hub, products=products, members=2 * (warm + carts + profiled) + 1)
        built = time.perf_counter() - started
        buyers = iter(shop.members)
        take = lambda n: [next(buyers) for _ in range(n)]  # noqa: E731
        series = in_process_series(hub, shop)
        timings = timed_series(series, take(warm), take(carts))
        facts = anatomy(hub, series, take(profiled), take(profiled), next(buyers))
        facts["matched"] = _matched(hub, shop)
        with hub.uow() as session:
            key = create_api_key(session, "bench-pos", ["pos"])[1]
        hub.close()
        with server(url) as base, httpx.Client(base_url=base, timeout=30) as http:
            timings.update(timed_series(http_series(base, key, shop, http), take(warm), take(carts)))
    facts["load"] = (load, os.getloadavg()[0])
    return {"backend": backend, "timings": timings, "built": built, "shop": shop, **facts}


def anatomy(
    hub: Any, series: Series, clocked: list[_shop.Buyer], sampled: list[_shop.Buyer], one: _shop.Buyer
) -> dict[str, Any]:
    """Stage times (preview, then quote, for the same buyers), a pyinstrument profile of quotes
    for other buyers, and the SQL of one preview and one quote."""
    from omohub.checkout import price as checkout
    from omohub.loyalty.service import earning, redeem
    from omohub.promotions import engine
    from omohub.promotions.service import coupons, usage

    parts = {
        "  of which the engine (`engine.price_cart`)": (engine, "price_cart"),
        "  of which caps (`usage.spent_out`)": (usage, "spent_out"),
        "  of which the index version check (`pricing_index`)": (checkout, "pricing_index"),
        "  of which the coupons check (`coupons.check`)": (coupons, "check"),
        "  of which coupon reservations (`coupons.reserve`)": (coupons, "reserve"),
        "  of which the points hold (`redeem.hold`)": (redeem, "hold"),
        "  of which the earn preview (`earning.preview`)": (earning, "preview"),
    }
    stages = {}
    for name in (PREVIEW, QUOTE):
        call = series[name]
        with _anatomy.stage_clock(checkout, "price", parts) as spent:
            whole = sum(_timed(functools.partial(call, b)) for b in clocked) / len(clocked)
        ms = {k: v * 1000 / len(clocked) for k, v in spent.items()}
        rest = {"session, commit and close": whole - ms.get("`price`", 0)}
        stages[name] = {"whole call (unit of work)": whole, **ms, **rest}
    root = _anatomy.profile([functools.partial(series[QUOTE], b) for b in sampled])
    applied = len(series[PREVIEW](one).applied)
    sql = {}
    for name in (PREVIEW, QUOTE):
        with _anatomy.statements(hub.engine) as seen:
            series[name](one)
        sql[name] = list(seen)
    return {
        "applied": applied,
        "stages": stages,
        "calls": len(clocked),
        "hot": _anatomy.hot_functions(root, 14, skip=("checkout.price.price",)),
        "libraries": _anatomy.libraries(root),
        "sampled": len(sampled),
        "sql": sql,
    }


def _matched(hub: Any, shop: _shop.Shop) -> dict[str, int]:
    """Promotions the cart's lines touch in the index, those eligible for this sale (schedule,
    scope, coupons presented), and the candidate combinations the engine prices."""
    from omohub.promotions import engine as e

    index, lines, store_id = cart_lines(hub, shop)
    buyer = shop.members[0]
    hits = index.match(
        lines,
        channel="pos",
        store_id=store_id,
        shopper=e.Shopper(buyer.id, "gold", False),
        now=hub.context.now(),
        coupon_ids=frozenset(shop.coupon_promotions.values()),
    )
    candidates = e.candidate_sets(p for p, _ in hits.values())
    return {"touched": len(index.touching(lines)), "eligible": len(hits), "candidates": len(candidates)}


def report(r: dict[str, Any]) -> list[str]:
    shop, t, m = r["shop"], r["timings"], r["matched"]
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(shop.kinds.items()))
    n = len(t[BASE])
    lines = [
        f"**{r['backend']}** — {len(shop.items):,} SKUs in {len(_shop.CATEGORIES)} categories,"
        f" {sum(shop.kinds.values())} active promotions ({kinds}; 20 of them coupon promotions),"
        f" {len(shop.members):,} gold members with points and wallet coupons; built in {r['built']:.0f} s."
        f" The 20-line cart ({sum(q for _, q in shop.cart)} units) touches {m['touched']} promotions in the"
        f" index, {m['eligible']} of them eligible for this sale (the engine prices {m['candidates']}"
        f" candidate combinations); {r['applied']} apply to it (2 wallet coupons and a shared code"
        f" presented, {POINTS} points redeemed). {n:,} carts per series, one member each,"
        " interleaved after a warm-up."
        f" 1-minute load average {r['load'][0]:.1f} before, {r['load'][1]:.1f} after.",
        "",
        "| series | p50 ms | p99 ms | mean ms | p50 / baseline | p99 / baseline |",
        "|---|---|---|---|---|---|",
    ]
    for base, names in (
        (BASE, (BASE, ENGINE, PREVIEW, QUOTE)),
        (HTTP_BASE, (HTTP_BASE, HTTP_PREVIEW, HTTP_QUOTE)),
    ):
        b50, b99 = _pct(t[base], 0.5), _pct(t[base], 0.99)
        for name in names:
            v = t[name]
            p50, p99, mean = _pct(v, 0.5), _pct(v, 0.99), sum(v) / len(v)
            lines.append(
                f"| {name} | {p50:.2f} | {p99:.2f} | {mean:.2f} | {p50 / b50:.1f}× | {p99 / b99:.1f}× |"
            )
    lines.append("")
    for group, pair, aim in (
        ("in-process", (PREVIEW, QUOTE), AIMS["in-process"]),
        ("HTTP", (HTTP_PREVIEW, HTTP_QUOTE), AIMS["HTTP"]),
    ):
        verdicts = [f"{name} p99 {_pct(t[name], 0.99):.1f} ms" for name in pair]
        met = [_pct(t[name], 0.99) < aim for name in pair]
        verdict = "met" if all(met) else "met for the preview only" if met[0] else "NOT met"
        lines.append(f"- Aim {group}, p99 under {aim:.0f} ms: **{verdict}** ({'; '.join(verdicts)}).")
    return [*lines, "", *explain(r), ""]


def explain(r: dict[str, Any]) -> list[str]:
    stages = r["stages"]
    lines = [
        f"Where the time goes ({r['backend']}): mean ms per call over {r['calls']} carts, each function"
        " that `price()` calls timed where it is called (the quotes are the same members' carts):",
        "",
        "| part | preview | quote |",
        "|---|---|---|",
    ]
    order = list(dict.fromkeys([*stages[QUOTE], *stages[PREVIEW]]))
    for part in sorted(order, key=lambda k: k.startswith(" ")):  # "of which" rows last
        lines.append(
            f"| {part.strip()} | {stages[PREVIEW].get(part, 0):.2f} | {stages[QUOTE].get(part, 0):.2f} |"
        )
    hot = ", ".join(f"`{fn}` {share:.0%}" for fn, share in r["hot"])
    libs = ", ".join(f"{lib} {share:.0%}" for lib, share in r["libraries"] if share >= 0.01)
    lines += [
        "",
        f"pyinstrument over {r['sampled']} more quotes (shares of the profiled time; the sampler slows"
        f" Python-heavy code more than waiting): hub functions, inclusive — {hot}.",
        f"Self time by where it is finally spent — {libs}.",
    ]
    for name, seen in r["sql"].items():
        lines += ["", f"SQL statements of one {name}: {len(seen)}.", *_anatomy.by_stage(seen)]
    return lines


def run(env: Env) -> list[str]:
    lines: list[str] = []
    for backend in env.backends():
        lines += report(measure(env, backend))
    return lines
