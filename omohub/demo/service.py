"""Build the demo brand into an empty database (``omohub demo``).

The bulk of the rows go straight through the driver (``demo.writer``); the few things that
have a real use case — sources and their write keys, the API key, console users, the
merges a person already made — go through the domains' own services, so they are exactly
what the hub itself would have written. Everything that is not a secret is a function of
``seed``, ``members`` and ``as_of``: the same three give the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from omohub.access.service import create_api_key, create_user
from omohub.bootstrap import Hub
from omohub.catalog import lookup as catalog_lookup
from omohub.collect.models import Cursor, Source
from omohub.collect.partitions import ensure_partitions
from omohub.collect.processor import CURSOR
from omohub.collect.rules import SourceInfo
from omohub.collect.sources import create_source
from omohub.core.clock import FrozenClock
from omohub.core.context import Context, ctx
from omohub.core.db import make_session_factory, unit_of_work
from omohub.core.errors import Conflict
from omohub.demo import data, rules
from omohub.demo.brand import write_brand
from omohub.demo.browsing import write_browsing
from omohub.demo.people import People, write_people
from omohub.demo.points import write_points
from omohub.demo.promos import loyalty_rules, setup_program, setup_promotions, welcome_sample
from omohub.demo.sales import Calendar, OrderWriter, Sales, plan_orders
from omohub.demo.writer import BulkWriter
from omohub.members.merge import merge
from omohub.members.models import Identifier, Member
from omohub.orders.models import Order
from omohub.org import lookup as org_lookup
from omohub.org.models import Store
from omohub.org.service import ensure_standard_channels, rename_brand

ADMIN_USER, CLERK_USER, CLERK_STORE = "admin", "clerk", "TP01"


class Steps(Protocol):
    """Where a long build reports progress (a rich progress bar in the CLI)."""

    def step(self, label: str, total: int) -> Callable[[int], None]: ...


class Quiet:
    def step(self, label: str, total: int) -> Callable[[int], None]:
        return lambda _n: None


class NotEmpty(Conflict):
    """The demo only builds into an empty database."""


@dataclass
class Login:
    username: str
    password: str
    role: str


@dataclass
class DemoResult:
    members: int
    stores: int
    skus: int
    orders: int
    returns: int
    events: int
    followers_only: int
    duplicates: int
    merged: int
    api_key: str = ""
    write_keys: dict[str, str] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)
    #: Average net spend of members who bought in both channels against each single channel.
    omni_vs_store: float = 0.0
    omni_vs_online: float = 0.0
    #: An omnichannel member worth opening first, and their phone (to try the 360 look-up).
    sample_member: int | None = None
    sample_phone: str | None = None


def window(as_of: dt.date, tz: ZoneInfo) -> Calendar:
    """The 12 months of history: every business day before ``as_of``."""
    first = as_of - dt.timedelta(days=rules.HISTORY_DAYS)
    return Calendar(first, rules.day_starts(first, rules.HISTORY_DAYS, tz))


def build_demo(
    hub: Hub,
    *,
    members: int,
    seed: int,
    as_of: dt.date,
    passwords: tuple[str, str],
    steps: Steps | None = None,
) -> DemoResult:
    """Fill an empty, migrated database with the demo brand; returns what was built."""
    steps = steps or Quiet()
    cal = window(as_of, hub.settings.tz)
    # The rows written through services carry the demo's "now" (the end of the history).
    context = Context(hub.settings, FrozenClock(dt.datetime.fromtimestamp(cal.starts[-1], dt.UTC)))
    sessions = make_session_factory(hub.engine)
    sessions.configure(info={"ctx": context})
    with unit_of_work(sessions) as session:
        _require_empty(session)
        ensure_standard_channels(session)
        rename_brand(session, data.BRAND_NAME)
        sources, keys = _sources(session)
        api_key = create_api_key(session, "demo", ["admin", "collect", "ecommerce", "pos"])[1]
    today = dt.datetime.now(dt.UTC).date()
    ahead = (as_of.year - today.year) * 12 + as_of.month - today.month + 3
    ensure_partitions(hub.engine, start=cal.first, months_ahead=max(3, ahead))  # even for a future --as-of
    w = BulkWriter(hub.engine)
    try:
        advance = steps.step("門市與商品 stores, SKUs", 1)
        brand = write_brand(w, seed, cal.starts[0], random.Random(f"{seed}/staff-names"))
        advance(1)
        advance = steps.step("會員 members", 1)
        people = write_people(w, seed, members, cal.starts[0], cal.starts[-1], brand)
        plans = plan_orders(seed, people, brand, cal)
        advance(1)
        advance = steps.step("訂單 orders", len(plans))
        sales = OrderWriter(w, seed, brand, cal, hub.settings.currency).write(plans, advance)
        del plans
        promotion_ids = _loyalty(hub, sessions, w, seed, steps.step("點數與等級 points, tiers", sales.orders))
        advance = steps.step("瀏覽事件 events", rules.EVENTS_PER_MEMBER * members)
        events, _sessions = write_browsing(w, seed, people, sales, brand, cal, sources, advance)
        advance = steps.step("收尾 finishing", 1)
        last_seq = int(w.scalar("SELECT coalesce(max(seq), 0) FROM events"))
        w.finish()
    finally:
        w.close()
    with unit_of_work(sessions) as session:
        session.merge(Cursor(name=CURSOR, position=last_seq, updated_at=context.now()))
        catalog_lookup.changed(session)  # stores and SKUs went in through the driver
        org_lookup.changed(session)
        merged = _merge_reviewed(session, people)
        logins = _logins(session, passwords)
        sample = _sample(session, sales, promotion_ids["welcome"])
        sample_phone = _phone_of(session, sample)
    advance(1)
    result = DemoResult(
        members=members,
        stores=len(data.STORES),
        skus=len(brand.skus),
        orders=sales.orders,
        returns=sales.returns,
        events=events,
        followers_only=len(people.followers),
        duplicates=len(people.duplicates),
        merged=merged,
        api_key=api_key,
        write_keys=keys,
        logins=logins,
        sample_member=sample,
        sample_phone=sample_phone,
    )
    result.omni_vs_store, result.omni_vs_online = spend_ratios(sales)
    return result


def _loyalty(
    hub: Hub, sessions: sessionmaker[Session], w: BulkWriter, seed: int, advance: Callable[[int], None]
) -> dict[str, int]:
    """The program, tiers and promotions (through the services), then the points history."""
    with unit_of_work(sessions) as session:
        setup_program(session)
        promotion_ids = setup_promotions(session)
        loyalty = loyalty_rules(session)
        now = ctx(session).now()
    write_points(w, hub.engine, loyalty, now=now, tz=hub.settings.tz, seed=seed, advance=advance)
    return promotion_ids


def _require_empty(session: Session) -> None:
    for model in (Store, Member, Order, Source):
        if session.scalar(select(func.count()).select_from(model)):
            raise NotEmpty(
                f"the database already has {model.__tablename__}: the demo builds into an empty database"
                " (unset OMOHUB_DATABASE_URL for a fresh ./var/demo.db, or point it at a new database)"
            )


def _sources(session: Session) -> tuple[dict[str, SourceInfo], dict[str, str]]:
    infos, keys = {}, {}
    for name, channel, kind in data.SOURCES:
        src, key = create_source(session, name, channel, kind)
        infos[name] = SourceInfo(src.id, src.name, src.channel, src.user_id_kind)
        keys[name] = key
    return infos, keys


def _logins(session: Session, passwords: tuple[str, str]) -> list[Login]:
    clerk_store = session.scalar(select(Store.id).where(Store.code == CLERK_STORE))
    create_user(session, ADMIN_USER, passwords[0], "hq_admin", name="總部管理員 HQ admin")
    create_user(session, CLERK_USER, passwords[1], "clerk", name="信義店 店員", store_id=clerk_store)
    return [Login(ADMIN_USER, passwords[0], "hq_admin"), Login(CLERK_USER, passwords[1], "clerk")]


def _merge_reviewed(session: Session, people: People) -> int:
    """The legacy duplicates someone already reviewed: merged through the real merge."""
    for dup, original in people.to_merge:
        merge(
            session,
            original.id,
            dup.id,
            # the number stays out of the reason: masked viewers see reasons (free text) in the 360
            reason="legacy-crm duplicate reviewed: same phone",
            via=("phone", original.phone),
            actor=f"user:{ADMIN_USER}",
        )
    return len(people.to_merge)


def _sample(session: Session, sales: Sales, welcome_id: int) -> int | None:
    """An omnichannel member with a good story to open in the console: the most orders (and,
    for the member card, a welcome coupon in the wallet)."""
    both = [mid for mid, (_s, _o, at_store, online) in sales.spend.items() if at_store >= 2 and online >= 2]
    sample = max(both, key=lambda mid: (sum(sales.spend[mid][2:]), -mid), default=None)
    if sample is not None:
        welcome_sample(session, welcome_id, sample)
    return sample


def _phone_of(session: Session, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    return session.scalar(
        select(Identifier.value).where(Identifier.member_id == member_id, Identifier.type == "phone")
    )


def spend_ratios(sales: Sales) -> tuple[float, float]:
    groups: dict[str, list[int]] = {"omni": [], "store": [], "online": []}
    for store_spend, online_spend, store_orders, online_orders in sales.spend.values():
        kind = "omni" if store_orders and online_orders else ("store" if store_orders else "online")
        groups[kind].append(store_spend + online_spend)
    avg = {k: sum(v) / len(v) if v else 0.0 for k, v in groups.items()}
    return (
        avg["omni"] / avg["store"] if avg["store"] else 0.0,
        avg["omni"] / avg["online"] if avg["online"] else 0.0,
    )
