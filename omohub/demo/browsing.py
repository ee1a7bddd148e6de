"""Web, app and LINE traffic as stored Segment calls (over a million at the default size).

Each device (a browser's anonymousId, an app install) belongs to a member or to nobody.
A member's device browses anonymously until the member logs in on it; that session starts
with an ``identify`` (userId + phone/e-mail traits), the device's anonymous id (and the
app's device id) is linked to the member as a weak identifier, and later sessions may
carry the userId. Every online order gets its checkout session (``Product Added`` per item →
``Checkout Started`` → ``Order Completed``) on the member's device. Visitors who never log
in make a large share of the traffic.

Sessions are planned first (a few hundred thousand small tuples), then turned into events
one business day at a time and written in order of receipt, so sequence numbers follow time
and nothing holds more than a transaction's worth of events.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from omohub.collect.rules import SourceInfo, user_key
from omohub.demo import data, rules
from omohub.demo.brand import Brand
from omohub.demo.people import DAY, People, Person
from omohub.demo.sales import Calendar, OnlineOrder, Sales
from omohub.demo.writer import CHUNK, BulkWriter

_EVENT_COLS = (
    "received_at", "message_id", "source_id", "type", "event", "user_key", "anonymous_id",
    "product_ref", "timestamp", "body",
)  # fmt: skip
BROWSE, LINK, CHECKOUT, LINE_FOLLOW, LINE_CLICK = range(5)
_WEB_CONTEXT = {"library": {"name": "analytics.js", "version": "next-1.72.0"}, "locale": "zh-TW"}
#: Average events of a browsing session (landing page + product pages with their views).
EVENTS_PER_BROWSE = 5.7


@dataclass(slots=True)
class Device:
    anon: str
    app: bool
    member: Person | None
    link: float  # when the member first logged in on it (inf: never)
    device_id: str | None
    context: dict[str, Any]
    user_id: str | None
    user_key: str | None


Session = tuple[float, int, int, int]  # (start, kind, device index, order index or line index)


def write_browsing(
    w: BulkWriter,
    seed: int,
    people: People,
    sales: Sales,
    brand: Brand,
    cal: Calendar,
    sources: dict[str, SourceInfo],
    advance: Callable[[int], None],
) -> tuple[int, int]:
    """Write devices' identifiers and all events; returns (events, sessions) written."""
    rng = random.Random(f"{seed}/browse")
    by_member: dict[int, list[int]] = {}
    for i, order in enumerate(sales.online):
        by_member.setdefault(order.member_id, []).append(i)
    devices, sessions = _devices(rng, people, sales, by_member, cal, sources)
    _link_identifiers(w, devices)
    line_users = _line_users(rng, people, cal, sessions)
    target = rules.EVENTS_PER_MEMBER * len(people.members)
    planned = len(sessions) * 3 + sum(3 + len(o.items) for o in sales.online)
    browse = max(0, round((target - planned) / EVENTS_PER_BROWSE))
    _browse_sessions(rng, devices, browse, cal, sessions)
    sessions.sort()
    maker = EventMaker(rng, w, brand, sources, devices, sales.online, line_users)
    total = 0
    with w.indexes_deferred("events"):
        for chunk in _chunks(maker.by_day(sessions, cal)):
            total += w.insert("events", _EVENT_COLS, chunk)
            w.insert("event_message_ids", ("source_id", "message_id"), ((e[2], e[1]) for e in chunk))
            advance(len(chunk))
    return total, len(sessions)


def _chunks(days: Iterator[list[tuple[Any, ...]]]) -> Iterator[list[tuple[Any, ...]]]:
    """Whole days gathered into transactions of about ``CHUNK`` events."""
    chunk: list[tuple[Any, ...]] = []
    for day in days:
        chunk += day
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _devices(
    rng: random.Random,
    people: People,
    sales: Sales,
    by_member: dict[int, list[int]],
    cal: Calendar,
    sources: dict[str, SourceInfo],
) -> tuple[list[Device], list[Session]]:
    devices: list[Device] = []
    sessions: list[Session] = []
    start, end = cal.starts[0], cal.starts[-1]
    for p in people.members:
        orders = by_member.get(p.id, [])
        app_orders = [i for i in orders if sales.online[i].channel == "app"]
        want_app = p.kind != "offline" and (app_orders or rng.random() < (0.6 if p.kind == "omni" else 0.45))
        kinds = ([False] if p.web_id else []) + ([True] if want_app else [])
        for app in kinds:
            mine = app_orders if app else [i for i in orders if sales.online[i].channel != "app"]
            first = sales.online[mine[0]].ts if mine else end
            low = max(p.joined, start)
            if not mine and p.joined < start and rng.random() < 0.5:
                link = start - rng.uniform(1, 300) * DAY  # logged in long ago
            else:
                link = rng.uniform(low, max(low, first - 1800))
            device = _device(rng, app, p, link, sources)
            index = len(devices)
            devices.append(device)
            if link >= start:
                sessions.append((link, LINK, index, -1))
            sessions += [(sales.online[i].ts - rng.uniform(120, 900), CHECKOUT, index, i) for i in mine]
    for _ in range(round(len(people.members) * rules.ANONYMOUS_VISITORS_PER_MEMBER)):
        devices.append(_device(rng, rng.random() < 0.2, None, float("inf"), sources))
    return devices, sessions


def _device(
    rng: random.Random, app: bool, p: Person | None, link: float, sources: dict[str, SourceInfo]
) -> Device:
    anon = rules.uuid4(rng)
    if not app:
        uid = p.web_id if p else None
        return Device(
            anon, False, p, link, None, _WEB_CONTEXT, uid, user_key(sources["web"], uid) if uid else None
        )
    ios = rng.random() < 0.55
    device_id = rules.uuid4(rng).upper() if ios else f"{rng.getrandbits(64):016x}"
    ctx = {
        "library": {"name": "analytics-swift" if ios else "analytics-kotlin", "version": "1.5.14"},
        "app": {"name": "Daily Closet", "version": rng.choice(("3.4.1", "3.5.0", "3.5.2"))},
        "device": {"id": device_id, "type": "ios" if ios else "android"},
        "os": {"name": "iOS" if ios else "Android"},
        "locale": "zh-TW",
    }
    uid = str(p.id) if p else None
    return Device(anon, True, p, link, device_id, ctx, uid, user_key(sources["app"], uid) if uid else None)


def _link_identifiers(w: BulkWriter, devices: list[Device]) -> None:
    """The weak identifiers the identity processor would have linked at each first login."""

    def rows() -> Iterator[tuple[object, ...]]:
        no = w.bool(False)
        for d in devices:
            if d.member is None:
                continue
            at, source = w.ts(d.link), "app" if d.app else "web"
            yield (d.member.id, "anonymous_id", d.anon, no, source, at, at)
            if d.device_id:
                yield (d.member.id, "device_id", d.device_id, no, source, at, at)

    cols = ("member_id", "type", "value", "verified", "source", "created_at", "last_seen_at")
    w.insert("identifiers", cols, rows())


def _line_users(rng: random.Random, people: People, cal: Calendar, sessions: list[Session]) -> list[str]:
    """LINE follows in the window and rich-menu taps of every follower (members or not)."""
    found = [(p.line_uid, p.joined) for p in people.members if p.line_uid] + people.followers
    start, end = cal.starts[0], cal.starts[-1]
    for i, (_uid, followed) in enumerate(found):
        if followed >= start:
            sessions.append((followed, LINE_FOLLOW, -1, i))
        for _ in range(rules.poisson(rng, 2.0)):
            sessions.append((rng.uniform(max(start, followed), end - 60), LINE_CLICK, -1, i))
    return [uid for uid, _ in found]


def _browse_sessions(
    rng: random.Random, devices: list[Device], count: int, cal: Calendar, sessions: list[Session]
) -> None:
    weight = {"omni": 4.0, "online": 3.0, "offline": 1.5}
    cum = rules.cumulative([weight[d.member.kind] if d.member else 1.0 for d in devices])
    days = rules.cumulative(
        [
            rules.day_weight(cal.date(d), True, rules.sale_discount(cal.date(d), "web", data.SALES))
            for d in range(cal.days)
        ]
    )
    hours = list(rules.ONLINE_HOURS)
    hour_cum = rules.cumulative(list(rules.ONLINE_HOURS.values()))
    for index in rng.choices(range(len(devices)), cum_weights=cum, k=count):
        day = min(bisect.bisect_left(days, rng.random() * days[-1]), cal.days - 1)
        hour = hours[bisect.bisect_left(hour_cum, rng.random() * hour_cum[-1])]
        sessions.append((cal.starts[day] + hour * 3600 + rng.random() * 3600, BROWSE, index, -1))


class EventMaker:
    """Sessions → event rows, in the event store's own column forms."""

    def __init__(
        self,
        rng: random.Random,
        w: BulkWriter,
        brand: Brand,
        sources: dict[str, SourceInfo],
        devices: list[Device],
        orders: list[OnlineOrder],
        line_users: list[str],
    ) -> None:
        self.rng, self.w, self.brand = rng, w, brand
        self.web, self.app, self.line = sources["web"], sources["app"], sources["line"]
        self.devices, self.orders, self.line_users = devices, orders, line_users
        self.out: list[tuple[Any, ...]] = []
        self._props_cache: dict[int, dict[str, Any]] = {}

    def by_day(self, sessions: list[Session], cal: Calendar) -> Iterator[list[tuple[Any, ...]]]:
        day_end = cal.starts[1]
        day = 0
        for session in sessions:
            while session[0] >= day_end and day < cal.days:
                if self.out:
                    yield self._drain()
                day += 1
                day_end = cal.starts[day + 1] if day < cal.days else float("inf")
            self._session(session)
        if self.out:
            yield self._drain()

    def _drain(self) -> list[tuple[Any, ...]]:
        out, self.out = self.out, []
        out.sort(key=lambda e: e[0])
        return out

    def _session(self, session: Session) -> None:
        at, kind, index, ref = session
        if kind in (LINE_FOLLOW, LINE_CLICK):
            self._line(at, kind, self.line_users[ref])
            return
        d = self.devices[index]
        rng = self.rng
        logged_in = kind != BROWSE or (at >= d.link and rng.random() < (0.9 if d.app else 0.4))
        if kind == LINK:
            traits = {"name": d.member.name, "phone": d.member.phone} if d.member else {}
            if d.member and d.member.email:
                traits["email"] = d.member.email
            at = self._emit(d, at, True, "identify", None, None, {"traits": traits})
        at = self._landing(d, at, logged_in)
        if kind == CHECKOUT:
            self._checkout(d, at, self.orders[ref])
            return
        for _ in range(1 + rules.poisson(rng, 1.2)):
            sku = self._pick()
            at = self._view(d, at, logged_in, sku)
            if rng.random() < 0.25:
                at = self._emit(
                    d, at, logged_in, "track", "Product Added", sku, {"properties": self._props(sku, 1)}
                )
            elif rng.random() < 0.05:
                props = {"properties": self._props(sku, None)}
                at = self._emit(d, at, logged_in, "track", "Product Added to Wishlist", sku, props)

    def _checkout(self, d: Device, at: float, order: OnlineOrder) -> None:
        for sku, qty, _price in order.items:
            at = self._emit(d, at, True, "track", "Product Added", sku, {"properties": self._props(sku, qty)})
        products = [self._props(sku, qty) for sku, qty, _ in order.items]
        common = {"order_id": order.external_id, "currency": "TWD"}
        at = self._emit(
            d,
            at,
            True,
            "track",
            "Checkout Started",
            None,
            {"properties": {**common, "value": order.total, "products": products}},
        )
        props = {**common, "total": order.total, "revenue": order.total, "products": products}
        self._emit(d, max(at, order.ts), True, "track", "Order Completed", None, {"properties": props})

    def _landing(self, d: Device, at: float, logged_in: bool) -> float:
        if d.app:
            return self._emit(d, at, logged_in, "screen", self.rng.choice(data.APP_SCREENS), None, {})
        title, path = self.rng.choice(data.WEB_PAGES)
        props = {"path": path, "url": f"https://{data.SHOP_HOST}{path}", "title": title}
        return self._emit(d, at, logged_in, "page", title, None, {"properties": props})

    def _view(self, d: Device, at: float, logged_in: bool, sku: int) -> float:
        info = self.brand.skus[sku]
        if d.app:
            at = self._emit(d, at, logged_in, "screen", "商品頁", None, {"properties": {"name": info.name}})
        else:
            path = f"/products/{info.product_code}"
            props = {"path": path, "url": f"https://{data.SHOP_HOST}{path}", "title": info.name}
            at = self._emit(d, at, logged_in, "page", "商品頁", None, {"properties": props})
        return self._emit(
            d, at, logged_in, "track", "Product Viewed", sku, {"properties": self._props(sku, None)}
        )

    def _pick(self) -> int:
        brand, rng = self.brand, self.rng
        product = bisect.bisect_left(brand.product_cum, rng.random() * brand.product_cum[-1])
        return rng.choice(brand.by_product[brand.product_codes[min(product, len(brand.product_codes) - 1)]])

    def _props(self, sku: int, quantity: int | None) -> dict[str, Any]:
        """A product's Segment properties (shared for views: they are serialised at once)."""
        props = self._props_cache.get(sku)
        if props is None:
            info = self.brand.skus[sku]
            props = self._props_cache[sku] = {
                "product_id": info.product_code,
                "sku": info.code,
                "name": info.name,
                "category": info.category,
                "price": info.price,
                "currency": "TWD",
            }
        return props if quantity is None else {**props, "quantity": quantity}

    def _emit(
        self,
        d: Device,
        at: float,
        logged_in: bool,
        type_: str,
        name: str | None,
        sku: int | None,
        extra: dict[str, Any],
    ) -> float:
        """One stored call; returns when the person does the next thing."""
        rng, w = self.rng, self.w
        at = round(at, 3)  # clients send milliseconds
        message_id = rules.uuid4(rng)
        body: dict[str, Any] = {"type": type_, "messageId": message_id, "anonymousId": d.anon}
        key = None
        if logged_in and d.user_id and at >= d.link:
            body["userId"], key = d.user_id, d.user_key
        if name is not None:
            body["event" if type_ == "track" else "name"] = name
        body["timestamp"] = rules.iso(at)
        body["context"] = d.context
        body.update(extra)
        received = at + (rng.uniform(0.05, 1.5) if not d.app else rng.uniform(1, 30))
        source = self.app if d.app else self.web
        ref = self.brand.skus[sku].product_code if sku is not None else None
        self.out.append(
            (w.ts(received), message_id, source.id, type_, name, key, d.anon, ref, w.ts(at), w.json(body))
        )
        return at + rng.uniform(4, 75)

    def _line(self, at: float, kind: int, uid: str) -> None:
        rng, w = self.rng, self.w
        at = round(at, 3)
        message_id = rules.uuid4(rng)
        name = "Followed" if kind == LINE_FOLLOW else "Rich Menu Clicked"
        body: dict[str, Any] = {"type": "track", "event": name, "messageId": message_id, "userId": uid}
        body["timestamp"] = rules.iso(at)
        body["context"] = {"library": {"name": "line-messaging-webhook"}}
        if kind == LINE_CLICK:
            body["properties"] = {"area": rng.choice(("會員卡", "最新優惠", "門市查詢", "線上購物"))}
        key = user_key(self.line, uid)
        self.out.append(
            (
                w.ts(at + rng.uniform(0.2, 2)),
                message_id,
                self.line.id,
                "track",
                name,
                key,
                None,
                None,
                w.ts(at),
                w.json(body),
            )
        )
