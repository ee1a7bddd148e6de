"""Assemble the 360 of one member from members, orders, catalog and the event store."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from omohub.access.rules import Principal
from omohub.access.service import audit
from omohub.catalog.models import Product, Sku
from omohub.collect import queries as events
from omohub.collect.models import Event, Source
from omohub.core.context import ctx
from omohub.customer360.schemas import (
    ChannelStats,
    Profile360,
    Purchase,
    PurchaseLine,
    TimelineItem,
    ViewedProduct,
)
from omohub.members import repository as members_repo
from omohub.members import service as members
from omohub.members.models import Member
from omohub.members.presenter import member_out
from omohub.orders.models import ONLINE_CHANNELS, Order, OrderLine
from omohub.org.models import Store

#: Look-up parameters of ``GET /members/lookup`` and the identifier type each one is.
LOOKUP_KEYS = {
    "member_id": "member_id",
    "phone": "phone",
    "email": "email",
    "line_uid": "line_uid",
    "card": "member_card",
    "anonymous_id": "anonymous_id",
    "external_id": "external",
}


def lookup(session: Session, who: Principal, by: str, value: str) -> Profile360:
    """Find a member by any identifier and build their 360; clerks' look-ups are audited."""
    member = members.find(session, LOOKUP_KEYS[by], value)
    if who.masked:
        audit(session, who, "member.lookup", f"member:{member.id}", by=by)
    return profile(session, member, masked=who.masked)


def profile(session: Session, member: Member, *, masked: bool) -> Profile360:
    online, offline = channel_stats(session, member.id)
    purchases = last_purchases(session, member.id)
    identifiers = members_repo.identifiers_of(session, member.id)
    user_keys, anon = events.member_keys(session, member.id, identifiers)
    viewed = _viewed(session, user_keys, anon)
    return Profile360(
        member=member_out(session, member, masked=masked, identifiers=identifiers),
        currency=ctx(session).settings.currency,
        online=online,
        offline=offline,
        lifetime_net_spend=online.net_spend + offline.net_spend,
        home_store=_store_name(session, member.home_store_id),
        last_purchases=purchases,
        recently_viewed=viewed,
        timeline=_timeline(session, member, purchases, user_keys, anon, masked=masked),
        masked=masked,
    )


def channel_stats(session: Session, member_id: int) -> tuple[ChannelStats, ChannelStats]:
    """Online and offline order count, spend and refunds, over the member's whole life."""
    is_online = case((Order.channel.in_(ONLINE_CHANNELS), True), else_=False)
    rows = session.execute(
        select(
            is_online,
            func.count(Order.id),
            func.coalesce(func.sum(Order.total), 0),
            func.coalesce(func.sum(Order.refunded_total), 0),
            func.max(Order.ordered_at),
        )
        .where(Order.member_id == member_id)
        .group_by(is_online)
    ).all()
    stats = {True: ChannelStats(orders=0, spend=0, refunded=0, net_spend=0, last_order_at=None)}
    stats[False] = stats[True].model_copy()
    for online, count, spend, refunded, last in rows:
        stats[bool(online)] = ChannelStats(
            orders=count, spend=spend, refunded=refunded, net_spend=spend - refunded, last_order_at=last
        )
    return stats[True], stats[False]


def last_purchases(session: Session, member_id: int, limit: int = 10) -> list[Purchase]:
    orders = list(
        session.scalars(
            select(Order).where(Order.member_id == member_id).order_by(Order.ordered_at.desc()).limit(limit)
        )
    )
    if not orders:
        return []
    lines = session.execute(
        select(OrderLine, Sku, Product)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(OrderLine.order_id.in_([o.id for o in orders]))
        .order_by(OrderLine.order_id, OrderLine.line_no)
    ).all()
    by_order: dict[int, list[PurchaseLine]] = {}
    for line, sku, product in lines:
        by_order.setdefault(line.order_id, []).append(
            PurchaseLine(
                sku=sku.code,
                product=product.name,
                size=sku.size,
                color=sku.color,
                quantity=line.quantity,
                line_total=line.line_total,
                returned_quantity=line.returned_quantity,
            )
        )
    stores = _store_names(session, {o.store_id for o in orders if o.store_id})
    return [
        Purchase(
            order_id=o.id,
            channel=o.channel,
            store=stores.get(o.store_id) if o.store_id else None,
            ordered_at=o.ordered_at,
            business_date=o.business_date,
            total=o.total,
            refunded_total=o.refunded_total,
            status=o.status,
            lines=by_order.get(o.id, []),
        )
        for o in orders
    ]


def _viewed(session: Session, user_keys: list[str], anon: list[str]) -> list[ViewedProduct]:
    found = events.recently_viewed(session, user_keys, anon)
    if not found:
        return []
    refs = [ref for ref, _ in found]
    names = dict(session.execute(select(Product.code, Product.name).where(Product.code.in_(refs))).all())
    names.update(
        session.execute(
            select(Sku.code, Product.name)
            .join(Product, Product.id == Sku.product_id)
            .where(Sku.code.in_(refs))
        ).all()
    )
    channels = dict(session.execute(select(Source.id, Source.channel)).all())
    return [
        ViewedProduct(
            product_ref=ref, name=names.get(ref), viewed_at=e.timestamp, channel=channels.get(e.source_id)
        )
        for ref, e in found
    ]


def _timeline(
    session: Session,
    member: Member,
    purchases: list[Purchase],
    user_keys: list[str],
    anon: list[str],
    *,
    masked: bool,
) -> list[TimelineItem]:
    items = [
        TimelineItem(
            at=p.ordered_at,
            kind="order",
            summary=f"{p.channel} order #{p.order_id}",
            detail={
                "order_id": p.order_id,
                "channel": p.channel,
                "total": p.total,
                "store": p.store,
                "refunded": p.refunded_total,
            },
        )
        for p in purchases
    ]
    recent = events.events_for(session, user_keys, anon, limit=20, with_body=False)
    items += [_event_item(e) for e in recent]
    if member.joined_at:
        items.append(
            TimelineItem(
                at=member.joined_at, kind="joined", summary=f"joined via {member.joined_channel or '?'}"
            )
        )
    items += [
        TimelineItem(
            at=m.created_at,
            kind="merge",
            # a reason is free text that may quote the phone or e-mail that linked the two
            summary="merged" if masked else m.reason,
            detail={"merge_id": m.id, "undone": m.undone_at is not None},
        )
        for m in members.merges_of(session, member.id)
    ]
    return sorted(items, key=lambda i: i.at, reverse=True)[:40]


def _event_item(event: Event) -> TimelineItem:
    label = event.event or event.type
    return TimelineItem(
        at=event.timestamp,
        kind=event.type,
        summary=label if not event.product_ref else f"{label}: {event.product_ref}",
        detail={"message_id": event.message_id},
    )


def _store_name(session: Session, store_id: int | None) -> str | None:
    return session.scalar(select(Store.name).where(Store.id == store_id)) if store_id else None


def _store_names(session: Session, ids: set[int | None]) -> dict[int | None, str]:
    return dict(session.execute(select(Store.id, Store.name).where(Store.id.in_(ids))).all()) if ids else {}
