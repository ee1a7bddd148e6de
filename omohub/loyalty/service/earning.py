"""Points for purchases and their clawback on returns, driven by the orders domain's events.

Both handlers run in the outbox relay (at least once) and are idempotent by entry key:
``earn:order:<id>`` and ``reverse:return:<id>``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.outbox import OutboxMessage, emit
from omohub.loyalty import ledger
from omohub.loyalty import repository as repo
from omohub.loyalty.events import PointsEarned, PointsReversed
from omohub.loyalty.models import PointEntry
from omohub.loyalty.rules import EarnLine, Purchase, clawback, earn, expires_at, less_points
from omohub.loyalty.service import program, tiers
from omohub.members.models import Member
from omohub.members.service import MemberSeen
from omohub.orders import repository as orders
from omohub.orders.models import Order


def on_order_completed(session: Session, msg: OutboxMessage) -> None:
    member_id, order_id = msg.payload.get("member_id"), msg.payload["order_id"]
    if not member_id or repo.entry_by_key(session, f"earn:order:{order_id}"):
        return
    member = repo.lock_account(session, member_id)
    order = session.get(Order, order_id)
    if member is None or order is None:
        return
    credit = earn_for(session, member, order)
    tiers.evaluate(session, member.id, reason="purchase")
    if credit is None:
        return
    lot = repo.lots_for_entry(session, credit.id)[0]
    emit(
        session,
        PointsEarned(member.id, credit.points, order.id, lot.available_at.isoformat(), _iso(lot.expires_at)),
    )


def earn_for(session: Session, member: Member, order: Order) -> PointEntry | None:
    settings = program.settings(session)
    current = repo.member_tier(session, member.id)
    store_code = orders.store_codes(session, [order.store_id]).get(order.store_id or 0)
    buy = purchase(
        session,
        member,
        current.tier_code if current else None,
        channel=order.channel,
        store_code=store_code,
        when=order.business_date,
        before_order=order.id,
    )
    result = earn(_earn_lines(session, order), buy, settings, program.rules(session))
    if result.total <= 0:
        return None
    why = "; ".join(f"{name} {points}" for name, points in result.why)
    credit = ledger.entry(
        session,
        member.id,
        "earn",
        result.total,
        f"earn:order:{order.id}",
        order_id=order.id,
        reason=why,
        detail={"per_line": {str(k): v for k, v in result.per_line.items()}, "why": result.why},
    )
    available = order.ordered_at + dt.timedelta(days=settings.pending_days)
    ends = expires_at(order.ordered_at, settings, ctx(session).settings.tz)
    ledger.add_lot(session, credit, available_at=available, expires_at=ends)
    return credit


def _earn_lines(session: Session, order: Order) -> list[EarnLine]:
    """What each line paid, less its share of what points paid (points do not earn points)."""
    lines = orders.lines_of(session, order.id)
    categories = repo.line_categories(session, order.id)
    by_points = sum(p.amount for p in orders.payments_of(session, order.id) if p.tender == "points")
    return less_points([EarnLine(ln.id, categories.get(ln.id, ""), ln.line_total) for ln in lines], by_points)


def purchase(
    session: Session,
    member: Member | MemberSeen,
    tier: str | None,
    *,
    channel: str,
    store_code: str | None,
    when: dt.date,
    before_order: int = 2**63 - 1,
    ordered_in_channel: bool | None = None,
) -> Purchase:
    """What the earn rules look at. The member's orders are counted only when a rule cares
    whether this is their first order in the channel (and the caller has not read it already:
    ``ordered_in_channel``, see :func:`counts_first_orders`)."""
    first = counts_first_orders(session)
    if first and ordered_in_channel is None:
        ordered_in_channel = bool(repo.orders_in_channel(session, member.id, channel, before_order))
    return Purchase(
        channel=channel,
        store_code=store_code,
        tier=tier,
        birthday_month=bool(member.birthday and member.birthday.month == when.month),
        first_in_channel=first and not ordered_in_channel,
        multiplier_bp=program.multiplier_bp(session, tier),
    )


def counts_first_orders(session: Session) -> bool:
    """Whether an active earn rule rewards a member's first order in a channel."""
    return any(spec.first_order for _, spec in program.rules(session))


def on_order_refunded(session: Session, msg: OutboxMessage) -> None:
    p = msg.payload
    key = f"reverse:return:{p['return_id']}"
    if not p.get("member_id") or repo.entry_by_key(session, key):
        return
    earned = _earned_per_line(session, p["order_id"])
    if not earned:
        return
    due = _due(session, p["order_id"], p["return_id"], earned)
    member = repo.lock_account(session, p["member_id"])
    if member is None or due <= 0:
        return
    taken = _take_back(session, member.id, p["order_id"], due, key, p["return_id"])
    tiers.evaluate(session, member.id, reason="return")
    emit(session, PointsReversed(member.id, taken, due - taken, p["order_id"], p["return_id"]))


def _earned_per_line(session: Session, order_id: int) -> dict[int, int]:
    earned: dict[int, int] = {}
    for row in repo.earn_entries_for_order(session, order_id):
        for line_id, points in row.detail.get("per_line", {}).items():
            earned[int(line_id)] = earned.get(int(line_id), 0) + int(points)
    return earned


def _due(session: Session, order_id: int, return_id: int, earned: dict[int, int]) -> int:
    lines = {ln.id: ln for ln in orders.lines_of(session, order_id)}
    before = repo.returned_before(session, order_id, return_id)
    now = {rl.order_line_id: rl.quantity for rl in orders.return_lines_of(session, [return_id])}
    return sum(
        clawback(earned.get(line_id, 0), lines[line_id].quantity, before.get(line_id, 0), units)
        for line_id, units in now.items()
    )


def _take_back(session: Session, member_id: int, order_id: int, due: int, key: str, return_id: int) -> int:
    """From the order's own lots first, then any lot; what is already spent stays unrecovered."""
    own = [lot for lot in repo.open_lots(session, member_id) if lot.order_id == order_id]
    others = [lot for lot in repo.open_lots(session, member_id) if lot.order_id != order_id]
    lots = own + others
    taken = min(due, sum(lot.free for lot in lots))
    detail = {"return_id": return_id, "due": due, "unrecovered": due - taken}
    row = ledger.entry(
        session, member_id, "reverse", -taken, key, order_id=order_id, reason="return", detail=detail
    )
    ledger.debit(session, row, lots)
    return taken


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at else None


def preview(
    session: Session,
    member: Member | MemberSeen,
    tier: str | None,
    *,
    channel: str,
    store_code: str | None,
    lines: list[EarnLine],
    points_paid: int,
    when: dt.date,
    ordered_in_channel: bool | None = None,
) -> int:
    """Points a cart would earn if bought now (the checkout shows it before the sale)."""
    buy = purchase(
        session,
        member,
        tier,
        channel=channel,
        store_code=store_code,
        when=when,
        ordered_in_channel=ordered_in_channel,
    )
    return earn(less_points(lines, points_paid), buy, program.settings(session), program.rules(session)).total
