"""Twelve months of orders at the tills and online: lines, payments, e-invoices and returns.

Orders are planned per member first (how many, when, in which channel), then written in
time order, so order ids grow with time as they would in a live hub. Amounts follow the
orders domain's own arithmetic (``omohub.orders.rules``): order-level discounts are
allocated to lines by largest remainder, totals are the sum of the lines, payments add up
to the total, refunds never exceed what a line was paid.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from omohub.demo import data, rules
from omohub.demo.brand import Brand
from omohub.demo.people import DAY, People, Person
from omohub.demo.writer import BulkWriter
from omohub.orders.rules import allocate, refund_for, status_after

BATCH = 5000
ONLINE = ("web", "app", "line")
RETURN_REASONS = ("尺寸不合", "顏色與預期不同", "商品瑕疵", "不喜歡版型", "重複購買")

_ORDER_COLS = (
    "id", "source", "external_id", "channel", "store_id", "staff_id", "member_id", "status", "currency",
    "subtotal", "discount_total", "total", "refunded_total", "ordered_at", "business_date",
    "einvoice_type", "einvoice_value", "meta", "request_hash", "created_at",
)  # fmt: skip
_LINE_COLS = (
    "id", "order_id", "line_no", "sku_id", "quantity", "unit_price", "line_discount", "order_discount",
    "line_total", "returned_quantity", "refunded_amount",
)  # fmt: skip
_RETURN_COLS = (
    "id", "order_id", "idempotency_key", "source", "request_hash", "channel", "store_id", "staff_id",
    "refund_total", "reason", "refunds", "returned_at", "business_date",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Calendar:
    """The history window as business days (local midnights, epoch seconds)."""

    first: dt.date
    starts: list[float]

    @property
    def days(self) -> int:
        return len(self.starts) - 1

    def day_of(self, epoch: float) -> int:
        return bisect.bisect_right(self.starts, epoch) - 1

    def date(self, day: int) -> dt.date:
        return self.first + dt.timedelta(days=day)


@dataclass(frozen=True, slots=True)
class OnlineOrder:
    """What the browsing step needs to show a checkout for this order."""

    ts: float
    member_id: int
    channel: str
    external_id: str
    total: int
    items: tuple[tuple[int, int, int], ...]  # (sku index, quantity, unit price)


@dataclass
class Sales:
    orders: int = 0
    lines: int = 0
    returns: int = 0
    online: list[OnlineOrder] = field(default_factory=list)
    #: member id → [store spend, online spend, store orders, online orders] (net of refunds).
    spend: dict[int, list[int]] = field(default_factory=dict)


Plan = tuple[float, str, int, Person | None]  # (when, channel, store index or -1, member)


def plan_orders(seed: int, people: People, brand: Brand, cal: Calendar) -> list[Plan]:
    """When each member (and each walk-in) buys, and where; sorted by time."""
    rng = random.Random(f"{seed}/plan")
    cum = {ch: _day_cum(cal, ch) for ch in ("pos", *ONLINE)}
    plans: list[Plan] = []
    for p in people.members:
        plans += _member_plans(rng, p, brand, cal, cum)
    for dup, _original in people.duplicates:
        if rng.random() < 0.5:
            day = rng.randrange(0, 60)
            plans.append((_moment(rng, cal, day, "pos"), "pos", _store_for(rng, dup, brand), dup))
    walk_ins = round(sum(1 for pl in plans if pl[1] == "pos") * rules.WALK_IN_PER_MEMBER_SALE)
    for _ in range(walk_ins):
        day = bisect.bisect_left(cum["pos"], rng.random() * cum["pos"][-1])
        store = rng.choices(range(len(brand.store_ids)), cum_weights=brand.store_cum)[0]
        plans.append((_moment(rng, cal, day, "pos"), "pos", store, None))
    plans.sort(key=lambda pl: (pl[0], pl[3].id if pl[3] else 0))
    return plans


def _day_cum(cal: Calendar, channel: str) -> list[float]:
    weights = []
    for d in range(cal.days):
        day = cal.date(d)
        sale = rules.sale_discount(day, channel, data.SALES)
        weights.append(rules.day_weight(day, channel != "pos", sale))
    return rules.cumulative(weights)


def _member_plans(
    rng: random.Random, p: Person, brand: Brand, cal: Calendar, cum: dict[str, list[float]]
) -> list[Plan]:
    first_day = max(0, cal.day_of(p.joined))
    span = (cal.days - first_day) / cal.days
    if rng.random() >= rules.ACTIVE_SHARE[p.kind]:
        return []
    least = rules.MIN_ORDERS[p.kind]
    n = least + rules.poisson(rng, (rules.ORDERS_PER_BUYER[p.kind] - least) * p.activity * span)
    channels = [_channel(rng, p) for _ in range(n)]
    if p.kind == "omni" and len({ch == "pos" for ch in channels}) < 2:
        channels[0] = "pos" if channels[0] != "pos" else _online_channel(rng, p)
    out: list[Plan] = []
    for ch in channels:
        c = cum[ch]
        low = c[first_day - 1] if first_day > 0 else 0.0
        day = min(bisect.bisect_left(c, rng.uniform(low, c[-1])), cal.days - 1)
        when = max(_moment(rng, cal, day, ch), p.joined + 60)
        if when < cal.starts[-1]:
            out.append((when, ch, _store_for(rng, p, brand) if ch == "pos" else -1, p))
    return out


def _channel(rng: random.Random, p: Person) -> str:
    if p.kind == "offline" or (p.kind == "omni" and rng.random() < rules.OMNI_POS_SHARE):
        return "pos"
    return _online_channel(rng, p)


def _online_channel(rng: random.Random, p: Person) -> str:
    preferred = "app" if p.id % 3 == 0 else "web"
    r = rng.random()
    return preferred if r < 0.75 else ("line" if r < 0.87 else ("web" if preferred == "app" else "app"))


def _store_for(rng: random.Random, p: Person, brand: Brand) -> int:
    if p.home >= 0 and rng.random() < 0.75:
        return p.home
    return rng.choices(range(len(brand.store_ids)), cum_weights=brand.store_cum)[0]


_HOURS = {
    online: (list(hours), rules.cumulative(list(hours.values())))
    for online, hours in ((False, rules.POS_HOURS), (True, rules.ONLINE_HOURS))
}
_TENDERS = {
    online: ([t for t, _ in table], rules.cumulative([s for _, s in table]))
    for online, table in ((False, data.POS_TENDERS), (True, data.ONLINE_TENDERS))
}


def _moment(rng: random.Random, cal: Calendar, day: int, channel: str) -> float:
    hours, cum = _HOURS[channel != "pos"]
    hour = rng.choices(hours, cum_weights=cum)[0]
    return cal.starts[day] + hour * 3600 + rng.randrange(3600) + rng.random()


class OrderWriter:
    """Turns plans into rows: one order, its lines, payments and (maybe) a return."""

    def __init__(self, w: BulkWriter, seed: int, brand: Brand, cal: Calendar, currency: str) -> None:
        self.w, self.brand, self.cal, self.currency = w, brand, cal, currency
        self.rng = random.Random(f"{seed}/orders")
        self.sales = Sales()
        self.line_id = 0
        self.counters: dict[tuple[str, int], int] = {}
        self.returns: list[tuple[Any, ...]] = []
        self.return_lines: list[tuple[int, ...]] = []
        self.stamps = [cal.date(d).strftime("%Y%m%d") for d in range(cal.days)]
        self.sale_pct = {
            ch: [rules.sale_discount(cal.date(d), ch, data.SALES) for d in range(cal.days)]
            for ch in ("pos", *ONLINE)
        }

    def write(self, plans: list[Plan], advance: Callable[[int], None]) -> Sales:
        for i in range(0, len(plans), BATCH):
            orders: list[tuple[object, ...]] = []
            lines: list[tuple[int, ...]] = []
            payments: list[tuple[object, ...]] = []
            for n, plan in enumerate(plans[i : i + BATCH], i + 1):
                orders.append(self._order(n, plan, lines, payments))
            self.w.insert("orders", _ORDER_COLS, orders)
            self.w.insert("order_lines", _LINE_COLS, lines)
            self.w.insert("payments", ("order_id", "tender", "amount", "reference"), payments)
            advance(len(orders))
        self.returns.sort(key=lambda r: (r[11], r[1]))
        ids = {r[0]: n for n, r in enumerate(self.returns, 1)}
        self.w.insert("returns", _RETURN_COLS, ((ids[r[0]], *r[1:]) for r in self.returns))
        self.w.insert(
            "return_lines",
            ("return_id", "order_line_id", "quantity", "refund_amount"),
            ((ids[r[0]], *r[1:]) for r in self.return_lines),
        )
        self.sales.orders, self.sales.lines, self.sales.returns = len(plans), self.line_id, len(self.returns)
        return self.sales

    def _order(
        self, order_id: int, plan: Plan, lines: list[tuple[int, ...]], payments: list[tuple[object, ...]]
    ) -> tuple[object, ...]:
        rng, w = self.rng, self.w
        when, channel, store, person = plan
        day = min(self.cal.day_of(when), self.cal.days - 1)
        meta: dict[str, object] = {}
        staff, store = self._where(channel, store, person, meta)
        items = self._items(person)
        pct = self.sale_pct[channel][day]
        prices = [self.brand.skus[sku].price for sku, _ in items]
        gross = [q * price for (_, q), price in zip(items, prices, strict=True)]
        line_disc = [g * pct // 100 if pct and rng.random() < 0.75 else 0 for g in gross]
        nets = [g - d for g, d in zip(gross, line_disc, strict=True)]
        coupon = rng.choice((100, 200)) if person and sum(nets) >= 1500 and rng.random() < 0.08 else 0
        shares = allocate(coupon, nets)
        rows = []
        for no, (sku, qty) in enumerate(items):
            self.line_id += 1
            net = nets[no] - shares[no]
            rows.append(
                [
                    self.line_id,
                    order_id,
                    no + 1,
                    sku + 1,
                    qty,
                    prices[no],
                    line_disc[no],
                    shares[no],
                    net,
                    0,
                    0,
                ]
            )
        total = sum(r[8] for r in rows)
        ext = self._external_id(channel, store, day)
        paid = self._payments(order_id, channel, person, total, payments)
        refunded = self._maybe_return(order_id, ext, channel, when, store, person, rows, paid)
        lines.extend(tuple(r) for r in rows)
        einvoice = self._einvoice(person, channel, meta)
        if person is not None:
            self._tally(person.id, channel, total - refunded)
            if channel != "pos":
                bought = tuple((sku, qty, price) for (sku, qty), price in zip(items, prices, strict=True))
                self.sales.online.append(OnlineOrder(when, person.id, channel, ext, total, bought))
        return (
            order_id, channel, ext, channel, self.brand.store_ids[store] if store >= 0 else None, staff,
            person.id if person else None, status_after([(r[4], r[9]) for r in rows]), self.currency,
            sum(gross), sum(gross) - total, total, refunded, w.ts(when), self.cal.date(day).isoformat(),
            *einvoice, w.json(meta), hashlib.sha256(f"demo:{channel}:{ext}".encode()).hexdigest(),
            w.ts(when + rng.uniform(1, 30)),
        )  # fmt: skip

    def _where(
        self, channel: str, store: int, person: Person | None, meta: dict[str, object]
    ) -> tuple[int | None, int]:
        """(staff id, store index): the till's clerk, a pick-up store, a stylist's LINE link."""
        rng = self.rng
        if channel == "pos":
            return rng.choice(self.brand.sellers[store]), store
        staff = None
        if rng.random() < 0.12:
            store = person.home if person and person.home >= 0 else self._any_store()
            meta["fulfilment"] = "store_pickup"
        else:
            meta["fulfilment"] = "delivery"
        if channel == "line" and person and person.home >= 0:
            staff = rng.choice(self.brand.sellers[person.home])
            meta["via"] = "staff_link"
        return staff, store

    def _any_store(self) -> int:
        return self.rng.choices(range(len(self.brand.store_ids)), cum_weights=self.brand.store_cum)[0]

    def _items(self, person: Person | None) -> list[tuple[int, int]]:
        rng = self.rng
        kind = person.kind if person else "offline"
        count = 1 + rules.poisson(rng, rules.ITEMS_PER_ORDER[kind] - 1)
        picked: dict[int, int] = {}
        while len(picked) < count:
            sku = bisect.bisect_left(self.brand.sku_cum, rng.random() * self.brand.sku_cum[-1])
            picked[min(sku, len(self.brand.skus) - 1)] = 2 if rng.random() < 0.08 else 1
        return list(picked.items())

    def _external_id(self, channel: str, store: int, day: int) -> str:
        key = (channel if channel != "pos" else self.brand.store_codes[store], day)
        n = self.counters[key] = self.counters.get(key, 0) + 1
        stamp = self.stamps[day]
        if channel == "pos":
            return f"{key[0]}-{stamp}-{n:04d}"
        return f"{channel[0].upper()}{stamp}{n:05d}"

    def _payments(
        self, order_id: int, channel: str, person: Person | None, total: int, out: list[tuple[object, ...]]
    ) -> list[tuple[str, int]]:
        rng = self.rng
        tenders, cum = _TENDERS[channel != "pos"]
        main = rng.choices(tenders, cum_weights=cum)[0]
        paid: list[tuple[str, int]] = []
        if person is not None and total > 300 and rng.random() < 0.1:
            paid.append(("points", rng.randrange(50, min(500, total // 3) + 1)))
        rest = total - sum(a for _, a in paid)
        if rest > 0 or not paid:
            paid.insert(0, (main, rest))
        for tender, amount in paid:
            out.append((order_id, tender, amount, self._reference(tender)))
        return paid

    def _reference(self, tender: str) -> str | None:
        rng = self.rng
        if tender == "credit_card":
            return f"****{rng.randrange(10000):04d}"
        if tender in ("line_pay", "jkopay", "px_pay"):
            return f"{tender[:2].upper()}{rng.randrange(10**14):014d}"
        return None

    def _einvoice(
        self, person: Person | None, channel: str, meta: dict[str, object]
    ) -> tuple[str, str | None]:
        r = self.rng.random()
        if person is not None and person.carrier and r < 0.7:
            meta["einvoice_from"] = "member"
            return ("mobile_carrier", person.carrier)
        if channel == "pos" and r < 0.75:
            return ("mobile_carrier", rules.mobile_carrier(self.rng)) if r < 0.4 else ("paper", None)
        if r < 0.9:
            return (
                ("paper", None)
                if channel == "pos" or r < 0.8
                else ("donation", self.rng.choice(data.DONATION_CODES))
            )
        return ("company", rules.tax_id(self.rng))

    def _maybe_return(
        self,
        order_id: int,
        ext: str,
        channel: str,
        when: float,
        store: int,
        person: Person | None,
        rows: list[list[int]],
        paid: list[tuple[str, int]],
    ) -> int:
        """Maybe a return of some lines, 1–20 days later; updates ``rows``; the refund total."""
        rng = self.rng
        if rng.random() >= rules.RETURN_RATE["pos" if channel == "pos" else "online"]:
            return 0
        at = when + rng.uniform(1, 20) * DAY
        in_store = channel == "pos" or rng.random() < rules.ONLINE_RETURNED_IN_STORE
        where = -1
        if channel == "pos":
            where = store if rng.random() < 0.8 else self._any_store()
        elif in_store:
            where = person.home if person and person.home >= 0 else self._any_store()
        if in_store:
            at = self.cal.starts[self.cal.day_of(at)] + rng.uniform(11, 21.5) * 3600
        if at >= self.cal.starts[-1]:
            return 0
        chosen = rows if len(rows) > 1 and rng.random() < 0.3 else [rng.choice(rows)]
        rid = len(self.returns) + 1
        total = 0
        for row in chosen:
            units = row[4] if row[4] == 1 or rng.random() < 0.5 else 1
            refund = refund_for(row[8], row[4], 0, units)
            row[9], row[10] = units, refund
            self.return_lines.append((rid, row[0], units, refund))
            total += refund
        shares = allocate(total, [amount for _, amount in paid])
        refunds = [
            {"tender": tender, "amount": share, "reference": None}
            for (tender, _), share in zip(paid, shares, strict=True)
            if share
        ]
        ret_channel = "pos" if in_store else channel
        key = f"R-{ext}-1"
        self.returns.append(
            (
                rid, order_id, key, ret_channel, hashlib.sha256(f"demo:{key}".encode()).hexdigest(),
                ret_channel,
                self.brand.store_ids[where] if in_store else None,
                rng.choice(self.brand.sellers[where]) if in_store else None,
                total, rng.choice(RETURN_REASONS), self.w.json(refunds), self.w.ts(at),
                self.cal.date(self.cal.day_of(at)).isoformat(),
            )
        )  # fmt: skip
        return total

    def _tally(self, member_id: int, channel: str, net: int) -> None:
        row = self.sales.spend.setdefault(member_id, [0, 0, 0, 0])
        online = channel != "pos"
        row[online] += net
        row[2 + online] += 1
