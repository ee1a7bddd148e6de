"""Twelve months of points and tiers for the demo's members, from the orders already written.

The real rules decide every figure (``omohub.loyalty.rules``: base rate × the tier held at the
time, earn rules, lots expiring at the end of the next year, spending soonest-expiring first);
only the writing is bulk, so the ledger passes ``omohub loyalty check``. Returns are netted into
what an order earned instead of being written as separate reversals.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from omohub.catalog.models import Product, Sku
from omohub.core.clock import add_months
from omohub.demo.writer import BulkWriter
from omohub.loyalty.rules import (
    EarnLine,
    ProgramSettings,
    Purchase,
    RuleSpec,
    TierDef,
    earn,
    expires_at,
    tier_for,
)
from omohub.members.models import Member
from omohub.orders.models import Order, OrderLine
from omohub.org.models import Store

REDEEM_SHARE = 0.3


@dataclass
class Account:
    lots: list[list[Any]] = field(default_factory=list)  # [id, points, remaining, available_at, expires_at]
    spend: int = 0
    channels: set[str] = field(default_factory=set)
    tier: str | None = None
    changes: list[tuple[str | None, str, int, dt.datetime]] = field(default_factory=list)


@dataclass(frozen=True)
class Loyalty:
    settings: ProgramSettings
    rules: list[tuple[str, RuleSpec]]
    tiers: list[TierDef]
    multipliers: dict[str, int]


def write_points(
    w: BulkWriter,
    engine: Engine,
    loyalty: Loyalty,
    *,
    now: dt.datetime,
    tz: ZoneInfo,
    seed: int,
    advance: Callable[[int], None],
) -> dict[str, int]:
    """Earn, redeem and tier every member; returns how many rows of each kind were written."""
    births = dict(_rows(engine, select(Member.id, Member.birthday).where(Member.birthday.is_not(None))))
    accounts: dict[int, Account] = defaultdict(Account)
    entries: list[tuple[Any, ...]] = []
    lines = _lines(engine)
    stores = dict(_rows(engine, select(Store.id, Store.code)))
    stmt = select(
        Order.id, Order.member_id, Order.channel, Order.store_id, Order.ordered_at, Order.business_date
    )
    for n, (oid, mid, channel, store, at, day) in enumerate(
        _rows(engine, stmt.where(Order.member_id.is_not(None)).order_by(Order.ordered_at, Order.id))
    ):
        acct = accounts[mid]
        got = _earn(loyalty, acct, lines.get(oid, []), channel, stores.get(store), births.get(mid), day)
        if got.total > 0:
            eid = len(entries) + 1
            why = "; ".join(f"{k} {v}" for k, v in got.why)
            entries.append(
                (
                    eid,
                    mid,
                    "earn",
                    got.total,
                    f"earn:order:{oid}",
                    oid,
                    why,
                    "system",
                    w.json({"per_line": {str(k): v for k, v in got.per_line.items()}}),
                    w.ts(at.timestamp()),
                )
            )
            ends = expires_at(at, loyalty.settings, tz)
            acct.lots.append(
                [eid, got.total, got.total, at + dt.timedelta(days=loyalty.settings.pending_days), ends, oid]
            )
        acct.spend += sum(amount for _, _, amount in lines.get(oid, []))
        acct.channels.add(channel)
        _tier(loyalty, acct, at)
        if n % 5000 == 0:
            advance(5000)
    allocations = _redeem(w, accounts, entries, now, random.Random(f"{seed}/points"))
    _write(w, accounts, entries, allocations, now)
    return {"entries": len(entries), "members": len(accounts)}


def _rows(engine: Engine, stmt: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(stmt))


def _lines(engine: Engine) -> dict[int, list[tuple[int, str, int]]]:
    """Order id → (line id, category, what was paid net of refunds)."""
    stmt = (
        select(
            OrderLine.order_id,
            OrderLine.id,
            Product.category,
            OrderLine.line_total - OrderLine.refunded_amount,
        )
        .join(Sku, Sku.id == OrderLine.sku_id)
        .join(Product, Product.id == Sku.product_id)
    )
    found: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for oid, lid, category, amount in _rows(engine, stmt):
        found[oid].append((lid, category, amount))
    return found


def _earn(
    loyalty: Loyalty,
    acct: Account,
    lines: list[tuple[int, str, int]],
    channel: str,
    store: str | None,
    birthday: dt.date | None,
    day: dt.date,
) -> Any:
    buy = Purchase(
        channel=channel,
        store_code=store,
        tier=acct.tier,
        birthday_month=bool(birthday and birthday.month == day.month),
        first_in_channel=channel not in acct.channels,
        multiplier_bp=loyalty.multipliers.get(acct.tier or "", 10_000),
    )
    return earn(
        [EarnLine(lid, cat, amount) for lid, cat, amount in lines], buy, loyalty.settings, loyalty.rules
    )


def _tier(loyalty: Loyalty, acct: Account, at: dt.datetime) -> None:
    reached = tier_for(loyalty.tiers, acct.spend)
    rank = {t.code: t.threshold for t in loyalty.tiers}
    if reached is not None and rank[reached] > rank.get(acct.tier or "", -1):
        acct.changes.append((acct.tier, reached, acct.spend, at))
        acct.tier = reached


def _redeem(
    w: BulkWriter,
    accounts: dict[int, Account],
    entries: list[tuple[Any, ...]],
    now: dt.datetime,
    rng: random.Random,
) -> list[tuple[Any, ...]]:
    """Some members spent points at the till: half their balance, in hundreds, soonest expiry first."""
    allocations: list[tuple[Any, ...]] = []
    for mid in sorted(accounts):
        acct = accounts[mid]
        usable = [lot for lot in acct.lots if lot[3] <= now]
        balance = sum(lot[2] for lot in usable)
        if balance < 200 or rng.random() > REDEEM_SHARE:
            continue
        points = balance // 2 // 100 * 100
        eid = len(entries) + 1
        entries.append(
            (
                eid,
                mid,
                "redeem",
                -points,
                f"demo-redeem:{mid}",
                None,
                "門市折抵",
                "demo",
                w.json({}),
                w.ts(now.timestamp() - 86400),
            )
        )
        left = points
        for lot in sorted(usable, key=lambda lot: (lot[4], lot[0])):
            take = min(lot[2], left)
            if take:
                lot[2] -= take
                left -= take
                allocations.append((len(allocations) + 1, lot[0], eid, None, take))
    return allocations


def _write(
    w: BulkWriter,
    accounts: dict[int, Account],
    entries: list[tuple[Any, ...]],
    allocations: list[tuple[Any, ...]],
    now: dt.datetime,
) -> None:
    w.insert(
        "point_entries",
        ("id", "member_id", "kind", "points", "key", "order_id", "reason", "actor", "detail", "at"),
        entries,
    )
    lots = (
        (
            lot[0],
            mid,
            lot[0],
            lot[5],
            lot[1],
            lot[2],
            0,
            w.ts(lot[3].timestamp()),
            w.ts(lot[4].timestamp()) if lot[4] else None,
        )
        for mid, acct in accounts.items()
        for lot in acct.lots
    )
    w.insert(
        "point_lots",
        (
            "id",
            "member_id",
            "entry_id",
            "order_id",
            "points",
            "remaining",
            "held",
            "available_at",
            "expires_at",
        ),
        lots,
    )
    w.insert("point_allocations", ("id", "lot_id", "entry_id", "hold_id", "points"), allocations)
    tiers = [
        (mid, a.tier, w.ts(a.changes[-1][3].timestamp()), w.ts(add_months(a.changes[-1][3], 12).timestamp()))
        for mid, a in accounts.items()
        if a.tier
    ]
    w.insert("member_tiers", ("member_id", "tier_code", "since", "review_at"), tiers)
    changes = [
        (mid, old, new, basis, "purchase", w.ts(at.timestamp()))
        for mid, a in accounts.items()
        for old, new, basis, at in a.changes
    ]
    w.insert(
        "tier_changes",
        ("id", "member_id", "from_tier", "to_tier", "basis", "reason", "at"),
        ((i, *c) for i, c in enumerate(changes, 1)),
    )
